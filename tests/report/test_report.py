"""The HTML report: self-contained, three languages, the council figures, renders in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from palveluverkko import Comparison, Evaluation, Scenario, compare, evaluate
from palveluverkko.cli import app
from palveluverkko.region import CostParams, write_region
from palveluverkko.region.examples import tiny_region
from palveluverkko.report import render_report, write_report
from palveluverkko.report.svgmap import classify
from palveluverkko.scenario import Closure


@pytest.fixture(scope="module")
def evaluated() -> tuple[Evaluation, Comparison]:
    """Today's tiny region and a scenario closing s3 (substitute s2)."""
    region = tiny_region()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = evaluate(region)
        other = evaluate(
            region,
            Scenario(name="Sulje s3", closures=(Closure(site="s3", substitute="s2"),)),
        )
    return base, compare(base, other)


def test_classify_puts_values_in_the_breaks_and_unreachable_apart() -> None:
    """Values go to the first class whose upper bound holds them; NaN and inf get -1."""
    got = classify(np.array([0.0, 10.0, 10.5, 59.0, 200.0, np.inf, np.nan]), [10, 30, 60, np.inf])
    assert got.tolist() == [0, 0, 1, 2, 3, -1, -1]


def test_report_is_self_contained_and_names_the_change(
    evaluated: tuple[Evaluation, Comparison],
) -> None:
    """No external resource; the synthetic notice, the closed site and its substitute appear."""
    base, cmp = evaluated
    html = render_report(base, cmp)
    assert html.startswith("<!DOCTYPE html>")
    # nothing to fetch: no src/href at all, and the only URL is the SVG namespace
    assert not re.search(r"\b(src|href)\s*=", html)
    assert set(re.findall(r"https?://[^\s\"']+", html)) == {"http://www.w3.org/2000/svg"}
    assert "<script" not in html
    assert "SYNTEETTINEN AINEISTO" in html
    assert "Päätöksentekijän yhteenveto" in html
    assert "(s3)" in html
    assert "(s2)" in html
    assert html.count("<svg") >= 3  # car map, change map, chart
    names = tiny_region().municipalities["name"]
    assert all(str(n) in html for n in names)


def test_report_shows_capacity_and_the_cost_change(
    evaluated: tuple[Evaluation, Comparison],
) -> None:
    """The capacity table and the yearly cost change with subtotals per payer are rendered, and
    the county's saving from closing s3 (rent 40,000 EUR a year after its lease) is in them."""
    base, cmp = evaluated
    html = render_report(base, cmp, lang="en")
    assert "not available" not in html
    assert "Mean wait, days" in html
    assert "County, total" in html
    assert "Kela, total" in html
    assert "Residents&#39; trips, km" in html
    premises = re.search(r"<td>Premises</td>((?:<td>[^<]*</td>)+)", html.replace("\n", ""))
    assert premises is not None
    cells = re.findall(r"<td>([^<]*)</td>", premises.group(1))
    assert cells[:2] == ["0", "0"]  # 2025-2026: s3's lease still runs
    assert cells[2] == "−40,000" or cells[2] == "-40,000"


def test_cost_note_states_the_regions_unit_costs() -> None:
    """The assumptions under the cost table are the region's [costs], not fixed defaults."""
    region = tiny_region().replace(
        costs=CostParams(
            staff_eur_per_fte_year=70_000.0,
            investment_due_after_years={1: 2, 2: 4},
            investment_years=30,
            interest_rate=0.025,
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        html = render_report(evaluate(region), None, lang="en")
    note = " ".join(html.split())
    assert "staff 70,000 EUR per FTE" in note
    assert "(condition → years: 1 → 2, 2 → 4)" in note
    assert "30-year annuity (2.5 %)" in note


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("fi", "Kartat"), ("sv", "Kartor"), ("en", "Maps")],
)
def test_report_speaks_the_chosen_language(
    evaluated: tuple[Evaluation, Comparison], lang: str, phrase: str
) -> None:
    """fi, sv and en give the page's headings in that language and set <html lang>."""
    base, cmp = evaluated
    html = render_report(base, cmp, lang=lang)
    assert f'<html lang="{lang}">' in html
    assert f"<h2>{phrase}</h2>" in html


def test_unknown_language_or_service_is_refused(evaluated: tuple[Evaluation, Comparison]) -> None:
    """A language or service the report cannot show raises an error that names the choices."""
    base, cmp = evaluated
    with pytest.raises(ValueError, match="fi, sv, en"):
        render_report(base, cmp, lang="de")
    with pytest.raises(ValueError, match="vastaanotto"):
        render_report(base, cmp, service="nope")


def test_baseline_only_report_has_no_scenario_columns(
    evaluated: tuple[Evaluation, Comparison],
) -> None:
    """Without a comparison the page shows today's network and no change map."""
    base, _ = evaluated
    html = render_report(base, None, lang="en")
    assert "Change of travel time" not in html
    assert "Travel time by car to the nearest site" in html


def test_report_command_writes_html_and_pdf(tmp_path: Path) -> None:
    """`palveluverkko report REGION --scenario S --pdf` writes report.html and a real PDF."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        Scenario(name="Sulje s3", closures=(Closure(site="s3", substitute="s2"),)).to_toml(),
        encoding="utf-8",
    )
    out = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(package),
            "--scenario",
            str(scenario),
            "--out",
            str(out),
            "--lang",
            "sv",
            "--pdf",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="sv">' in out.read_text(encoding="utf-8")
    pdf = out.with_suffix(".pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
def test_report_renders_in_headless_chromium(
    evaluated: tuple[Evaluation, Comparison], tmp_path: Path
) -> None:
    """Headless Chromium draws the page: the screenshot has colour, maps and text, not a blank."""
    browser = _chromium()
    if browser is None:
        if os.environ.get("PALVELUVERKKO_REQUIRE_SHARED_DATA") == "1":
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    base, cmp = evaluated
    page = write_report(base, cmp, None, tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2000",
            f"--screenshot={shot}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
    assert pixels.shape[:2] == (2000, 1280)
    not_background = np.abs(pixels - pixels[0, 0]).sum(axis=2) > 30
    assert not_background.mean() > 0.05  # text, tables and maps cover the page
    colours = {tuple(p) for p in pixels[::7, ::7].reshape(-1, 3).tolist()}
    assert len(colours) > 50  # maps and legend, not just black text on white


def test_large_population_areas_are_drawn_as_their_polygons() -> None:
    """Postal-code areas (larger than grid cells) are drawn as polygons, grid cells as squares."""
    from palveluverkko.report.svgmap import map_svg

    region = tiny_region()
    values = np.array([5.0, 15.0, np.inf, 25.0, 50.0, 70.0])
    kw = {
        "breaks": [10, 20, 30, 45, 60, np.inf],
        "colours": ["#1", "#2", "#3", "#4", "#5", "#6"],
        "labels": ["a", "b", "c", "d", "e", "f"],
        "unreachable_label": "x",
        "title": "t",
    }
    squares = map_svg(region, values, **kw)  # type: ignore[arg-type]
    assert 'stroke="white" stroke-width="0.5"' not in squares
    pop = region.population.copy()
    pop["geometry"] = pop.geometry.centroid.buffer(2_000.0)
    areas = map_svg(region.replace(population=pop), values, **kw)  # type: ignore[arg-type]
    assert areas.count('stroke="white" stroke-width="0.5"') == 6  # one path per class present


def test_report_command_takes_several_scenarios(tmp_path: Path) -> None:
    """`report REGION --scenario A --scenario B` shows both scenarios side by side."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    files = []
    for name, site, sub in (("Sulje s3", "s3", "s2"), ("Sulje s2", "s2", "s1")):
        path = tmp_path / f"{site}.toml"
        path.write_text(
            Scenario(name=name, closures=(Closure(site=site, substitute=sub),)).to_toml(),
            encoding="utf-8",
        )
        files += ["--scenario", str(path)]
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", str(package), *files, "--out", str(out), "--lang", "en"]
        + ["--cache-dir", str(tmp_path / "cache")],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<th>Sulje s3</th><th>Sulje s2</th>" in page.replace("\n", "")


def test_method_paragraph_names_the_regions_own_origins() -> None:
    """The method paragraph says "250 m cells" only when the population points lie on a 250 m
    lattice; a region of postal areas (Tampere's import) or of irregular points is described as
    residential areas' centres (it said 250 m for every region before)."""
    import shapely

    from palveluverkko.report.html import _origins
    from palveluverkko.report.texts import text

    grid = tiny_region()
    assert _origins(grid) == "origins_grid"
    pop = grid.population.copy()
    pop["cell_id"] = [f"{33100 + 10 * i:05d}" for i in range(len(pop))]
    assert _origins(grid.replace(population=pop)) == "origins_areas"
    moved = grid.population.copy()
    moved["geometry"] = shapely.affinity.translate(moved.geometry.iloc[0], 37.0, 0.0)
    moved.loc[moved.index[1:], "geometry"] = grid.population.geometry.iloc[1:]
    assert _origins(grid.replace(population=moved)) == "origins_areas"
    for lang, word in (
        ("fi", "postinumeroalueiden"),
        ("sv", "postnummerområdenas"),
        ("en", "postal code areas"),
    ):
        said = text("method_text", lang, origins=text("origins_areas", lang))
        assert word in said
        assert "250 m" not in said
