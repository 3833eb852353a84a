"""The report speaks one language: no English in the Finnish and Swedish reports, no Finnish in
the English one; evaluation notes, equity labels, credits and share differences translated."""

from __future__ import annotations

import html as htmllib
import re
import warnings

import pytest

from palveluverkko import Comparison, Evaluation, Scenario, compare, evaluate
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import GtfsFeed, RegionMeta
from palveluverkko.report import render_report
from palveluverkko.report.localize import credits, gtfs_publishers, note_text

ENGLISH = (
    "the", "and", "of", "with", "without", "sites", "site", "residents", "mean", "rural",
    "urban", "costs", "cost", "have", "saving", "change", "today", "travel",
    "minutes", "share", "county", "synthetic", "population", "projection", "keep", "its",
    "no", "car", "bus", "within", "worst", "percentage", "points", "contributors",
    "statistics", "finland", "timetables", "roads", "figure", "table",
)  # fmt: skip
"""English words that never belong in a Finnish or Swedish report ("min", "km", "Gini" do)."""

FINNISH = (
    "ja", "tai", "ei", "asukkaat", "asukkaista", "kunta", "kunnittain", "toimipiste",
    "toimipisteet", "matka-aika", "vuosi", "keskimäärin", "skenaario", "nykytila", "kyllä",
    "muutos", "säästö", "lisäkustannus", "milj", "yks", "aineistot", "kustannukset",
)  # fmt: skip
"""Finnish words that never belong in an English report."""

SWEDISH_NOT_FINNISH = ("och", "invånare", "kommun", "förändring", "nuläget", "scenariot")


def visible_text(page: str) -> str:
    """What a reader sees: the page without its style sheet and tags, entities decoded."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return htmllib.unescape(page)


def leaked(page: str, words: tuple[str, ...]) -> list[str]:
    text = visible_text(page).lower()
    return sorted({w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})


@pytest.fixture(scope="module")
def evaluated() -> tuple[Evaluation, Comparison]:
    """The tiny region (Finnish names; a GTFS publisher; OSM roads) and a closure of s3."""
    region = tiny_region().replace(
        name="Pikkumaa",
        meta=RegionMeta(
            synthetic=False,
            credits=(
                "Population: Statistics Finland, Paavo - open data by postal code area (CC BY 4.0)",
                "Sites: © OpenStreetMap contributors, ODbL",
            ),
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = evaluate(region)
        other = evaluate(region, Scenario(name="Laidan sulku", closures=(_closure("s3", "s2"),)))
    return base, compare(base, other)


def _closure(site: str, substitute: str):  # type: ignore[no-untyped-def]
    from palveluverkko.scenario import Closure

    return Closure(site=site, substitute=substitute)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_reports_have_no_english_words(
    evaluated: tuple[Evaluation, Comparison], lang: str
) -> None:
    """Every visible word of the fi and sv reports (notes, equity, credits, maps) is translated."""
    base, cmp = evaluated
    assert base.notes  # the tiny region lacks cost figures: the notes are there to translate
    page = render_report(base, cmp, lang=lang)
    assert leaked(page, ENGLISH) == []


def test_english_report_has_no_finnish_or_swedish_words(
    evaluated: tuple[Evaluation, Comparison],
) -> None:
    """The English report has no Finnish or Swedish words outside names of places and sites."""
    base, cmp = evaluated
    page = render_report(base, cmp, lang="en")
    assert leaked(page, FINNISH) == []
    assert leaked(page, SWEDISH_NOT_FINNISH) == []


def test_swedish_report_has_no_finnish_words(evaluated: tuple[Evaluation, Comparison]) -> None:
    """The Swedish report does not fall back to Finnish texts."""
    base, cmp = evaluated
    page = render_report(base, cmp, lang="sv")
    assert leaked(page, ("tai", "nykytila", "skenaario", "keskimäärin", "kyllä")) == []


@pytest.mark.parametrize(
    ("lang", "unit"), [("fi", "%-yks."), ("sv", "procentenheter"), ("en", "percentage points")]
)
def test_share_differences_are_percentage_points(
    evaluated: tuple[Evaluation, Comparison], lang: str, unit: str
) -> None:
    """A change of a share is in percentage points, never in per cent."""
    base, cmp = evaluated
    page = visible_text(render_report(base, cmp, lang=lang))
    assert unit in page
    changes = re.findall(r"[+−]\d+[,.]\d\u00a0%(?!-)", page)
    assert changes == []  # "+3,1 %" as a change would be per cent


def test_money_is_said_in_words_and_never_wraps(evaluated: tuple[Evaluation, Comparison]) -> None:
    """The cost change says saving or extra cost, the sign convention is stated, and "milj. €"
    is tied to its number with no-break spaces."""
    base, cmp = evaluated
    page = visible_text(render_report(base, cmp, lang="fi"))
    assert "säästö" in page or "lisäkustannus" in page
    assert "miinus (−) on säästö" in page
    assert re.search(r"\d\u00a0milj\.\u00a0€", page)
    assert not re.search(r"\d milj\. €", page)


def test_known_notes_are_translated_and_unknown_kept() -> None:
    """Each note the evaluation writes has a fi/sv text; the approximate note is shown elsewhere;
    a note nobody translated is shown as written."""
    note = (
        "costs: 3 of 3 sites have no annual_cost_eur; their premises cost counts as 0. "
        "Add it to the sites layer"
    )
    fi = note_text(note, "fi")
    assert fi is not None
    assert fi.startswith("Kustannukset: 3/3 toimipisteeltä puuttuu")
    assert note_text("costs: the population projection ends in 2030; years 2031-2035 keep "
                     "its population", "sv") == (
        "Kostnader: befolkningsprognosen slutar 2030; åren 2031–2035 behåller dess befolkning."
    )  # fmt: skip
    assert note_text("APPROXIMATE: car times of 3 cells (10 residents) are ...", "fi") is None
    assert note_text("something new", "fi") == "something new"


def _gtfs_zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_credits_name_osm_gtfs_publishers_and_statistics_finland() -> None:
    """Credits come from the region: the importers' credits localized, OSM (ODbL) for roads from
    a .pbf, and each GTFS publisher (feed_info.txt first, else agency.txt)."""
    from pathlib import Path

    feeds = (
        GtfsFeed("a", _gtfs_zip({"feed_info.txt": "feed_publisher_name,feed_lang\nNysse,fi\n"})),
        GtfsFeed("b", _gtfs_zip({"agency.txt": "agency_id,agency_name\n1,Länsilinjat\n"})),
    )
    region = tiny_region().replace(
        roads_pbf=Path("roads.osm.pbf"),
        gtfs=feeds,
        meta=RegionMeta(
            credits=("Population grid: Statistics Finland, population grid data (CC BY 4.0).",)
        ),
    )
    assert gtfs_publishers(region) == ["Nysse", "Länsilinjat"]
    assert credits(region, "fi") == [
        "Väestöruudut: Tilastokeskus, ruututietokanta (CC BY 4.0)",
        "Tieverkko: © OpenStreetMapin tekijät, ODbL (openstreetmap.org/copyright)",
        "Joukkoliikenteen aikataulut (GTFS): Nysse, Länsilinjat",
    ]
    assert "Roads: © OpenStreetMap contributors, ODbL" in credits(region, "en")[1]


def test_three_scenarios_side_by_side(evaluated: tuple[Evaluation, Comparison]) -> None:
    """Several comparisons give one summary column, one change map and one table set per
    scenario, each named."""
    base, cmp = evaluated
    region = base.base_region
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        more = [
            compare(base, evaluate(region, Scenario(name=name, closures=(_closure(s, t),))))
            for name, s, t in (("Laita Alakylään", "s3", "s1"), ("Yläkylän sulku", "s2", "s1"))
        ]
    page = render_report(base, [cmp, *more], lang="fi")
    header = re.search(r"<thead><tr><th>Mittari</th>(.*?)</tr></thead>", page, re.S)
    assert header is not None
    assert re.findall(r"<th>([^<]*)</th>", header.group(1)) == [
        "Nykytila",
        "Laidan sulku",
        "Laita Alakylään",
        "Yläkylän sulku",
    ]
    titles = re.findall(r'<p class="fig-title">([^<]*)</p>', page)
    assert sum("Matka-ajan muutos autolla skenaariossa" in t for t in titles) == 3
    for name in ("Laidan sulku", "Laita Alakylään", "Yläkylän sulku"):
        assert f"<h3>{name}</h3>" in page
        assert f"Suljettavat toimipisteet ja korvaavat toimipisteet: {name}" in page
    assert leaked(page, ENGLISH) == []


def test_summary_names_the_largest_problems_and_equity_is_read_for_residents(
    evaluated: tuple[Evaluation, Comparison],
) -> None:
    """The decision summary names today's and the scenario's worst-reached municipality and
    the capacity state; the Gini sentence is the mean difference between two residents
    (2 x Gini x mean), and the worst-off 10 % sentence quotes their 90th percentile."""
    from palveluverkko.i18n import number

    base, cmp = evaluated
    page = visible_text(render_report(base, cmp, lang="en"))
    assert "The largest problems" in page
    for when in ("Today", "In the scenario"):
        assert re.search(rf"{when}, [^:]+: access is worst in \w+", page)
        assert re.search(rf"{when}, [^:]+: (the most loaded site is|no overloaded sites)", page)
    e = cmp.other.equity
    row = e.loc[(e["service"] == "vastaanotto") & (e["measure"] == "car")].iloc[0]
    diff = number(2 * row["gini"] * row["mean_minutes"], "en", 1)
    assert f"two residents picked at random differ by {diff} min on average" in page
    p90 = cmp.other.summary_table.set_index("service").at["vastaanotto", "p90_car_minutes"]
    assert f"({number(p90, 'en', 0)} min or more each)" in page
