"""Commands ``evaluate`` and ``compare``: score a scenario, or compare scenarios, and write the
results (:class:`palveluverkko.study.Study`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import app
from .ui import check_lang_option, console, fail, note, session

if TYPE_CHECKING:
    from rich.table import Table

    from ..evaluation import Comparison, Evaluation

from ..study.choices import CAPACITY_METHODS


def _summary_table(ev: Evaluation) -> Table:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from ..i18n import number

    table = Table(
        title=escape(f"{ev.region.name}: {ev.scenario.name} {ev.year}"),
        box=box.SIMPLE_HEAD,  # no vertical rules: the columns fit 80 characters
    )
    for col in (
        "palvelu / tjänst / service",
        "≤30 min auto / bil / car",
        "≤30 min bussi / buss / bus",
        "ka. auto min",
        "pisin min",
        "ei yllä / når inte / cannot reach",
        "digi %",
    ):
        # wrap at spaces, fold a long id rather than cut it with "…" (80-column terminals);
        # the service ids keep their whole width
        longest = max((len(str(s)) for s in ev.summary_table["service"]), default=8)
        first = col.startswith("palvelu")
        table.add_column(col, overflow="fold", min_width=longest if first else None)
    travel = set(ev.travel_services)
    for _, r in ev.summary_table.iterrows():
        digital = number(r["digital_share"], "fi", 1, pct=True)
        if r["service"] not in travel:
            home = "kotona / hemma / at home"
            table.add_row(escape(str(r["service"])), home, home, "–", "–", "–", digital)
            continue
        table.add_row(
            escape(str(r["service"])),
            number(r["share_within_30_car"], "fi", 1, pct=True),
            number(r["share_within_30_transit"], "fi", 1, pct=True),
            number(r["mean_car_minutes"], "fi", 1),
            number(r["worst_car_minutes"], "fi", 1),
            number(r["unreachable_car_residents"], "fi"),
            digital,
        )
    return table


@app.command("evaluate")
def evaluate_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    scenario: Path | None = typer.Option(
        None, "--scenario", "-s", help="Skenaario / Scenario (TOML); default today's network."
    ),
    year: int | None = typer.Option(None, "--year", "-y", help="Vuosi / År / Year."),
    out: Path = typer.Option(Path("evaluation"), "--out", "-o", help="Output folder."),
    substitute_rule: bool = typer.Option(
        False, "--substitute-rule", help="Residents of a closed site go to its named substitute."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
    no_excel: bool = typer.Option(False, "--no-excel", help="Write no Excel workbook."),
    home_care_routes: bool = typer.Option(
        False,
        "--home-care-routes",
        help="Route home care from its bases (a sampled weekday; about 40 s for a county).",
    ),
    capacity_method: str = typer.Option(
        "analytic",
        "--capacity-method",
        help="Queue model: analytic (exact chain / diffusion) or simulation (SimPy, slower).",
    ),
    lang: str = typer.Option(
        "fi", "--lang", help="Kieli / Språk / Language of results.xlsx: fi, sv or en."
    ),
) -> None:
    """Arvioi skenaario / Utvärdera ett scenario / Evaluate a scenario.

    Writes into --out: results.gpkg (layers cells: one polygon per cell with a column per service
    and figure; sites; municipalities; opens in QGIS), cells.parquet (GeoParquet) and the other
    tables of a row per cell as Parquet, and the summary tables as CSV and in results.xlsx.
    """
    check_lang_option(lang)
    if capacity_method not in CAPACITY_METHODS:
        raise fail(
            f"--capacity-method: expected {' or '.join(CAPACITY_METHODS)}, got {capacity_method!r}"
        )
    with session() as events:
        from ..evaluation import EvaluateOptions
        from ..scenario import Scenario
        from ..study import Study

        study = Study.open(region, cache_dir=cache_dir, progress=events)
        sc = Scenario.from_toml(scenario) if scenario is not None else None
        options = EvaluateOptions(
            substitute_rule=substitute_rule,
            capacity_method="simulation" if capacity_method == "simulation" else "analytic",
            home_care_routes=home_care_routes,
        )
        ev = study.evaluate(sc, year=year, options=options)
        files = study.write(ev, out, excel=not no_excel, lang=lang)
    console.print(_summary_table(ev))
    for text in ev.notes:
        note(f"huom. / obs. / note: {text}")
    console.print(f"Kirjoitettu / Skrivet / Written: {len(files)} files in {out}")


@app.command("compare")
def compare_cmd(
    base: Path = typer.Argument(..., help="Perusskenaario / Basscenario / Base scenario (TOML)."),
    other: Path = typer.Argument(..., help="Vertailtava / Jämförs / Scenario to compare (TOML)."),
    region: Path = typer.Option(..., "--region", "-r", help="Region package folder."),
    out: Path = typer.Option(Path("comparison"), "--out", "-o", help="Output folder."),
    substitute_rule: bool = typer.Option(
        False, "--substitute-rule", help="Residents of a closed site go to its named substitute."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
    no_excel: bool = typer.Option(False, "--no-excel", help="Write no Excel workbook."),
    home_care_routes: bool = typer.Option(
        False,
        "--home-care-routes",
        help="Route home care from its bases (a sampled weekday; about 40 s for a county).",
    ),
    lang: str = typer.Option("fi", "--lang", help="Kieli / Språk / Language: fi, sv or en."),
) -> None:
    """Vertaa kahta skenaariota / Jämför två scenarier / Compare two scenarios.

    Writes base/ and scenario/ (as `evaluate` does) and comparison_*.csv + comparison.xlsx.
    """
    check_lang_option(lang)
    with session() as events:
        from ..evaluation import EvaluateOptions
        from ..scenario import Scenario
        from ..study import Study

        study = Study.open(region, cache_dir=cache_dir, progress=events)
        a, b = Scenario.from_toml(base), Scenario.from_toml(other)
        options = EvaluateOptions(
            substitute_rule=substitute_rule, home_care_routes=home_care_routes
        )
        (cmp,) = study.compare(a, b, options=options)
        files = study.write_comparison(cmp, out, excel=not no_excel, lang=lang)
    console.print(_headline_table(cmp, lang))
    console.print(f"Kirjoitettu / Skrivet / Written: {len(files)} files in {out}")


def _headline_table(cmp: Comparison, lang: str) -> Table:
    """The council's figures of the report (names and numbers in ``lang``) as a console table."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from ..report.tables import headline_rows
    from ..report.texts import text

    service = "vastaanotto" if "vastaanotto" in cmp.other.services else cmp.other.services[0]
    table = Table(
        title=escape(f"{cmp.base.scenario.name} → {cmp.other.scenario.name} {cmp.other.year}"),
        box=box.SIMPLE_HEAD,
    )
    for key in ("figure", "baseline", "scenario", "change"):
        table.add_column(
            text(key, lang), overflow="fold", justify="left" if key == "figure" else "right"
        )
    for row in headline_rows(cmp, service, lang):
        table.add_row(*(escape(c) for c in row))
    table.caption = text("sign_convention", lang)
    return table
