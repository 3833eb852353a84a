"""Command ``report``: evaluate today's network (and a scenario) and write the HTML/PDF report."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .ui import check_lang_option, session


@app.command("report")
def report_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    scenario: list[Path] | None = typer.Option(
        None,
        "--scenario",
        "-s",
        help="Skenaario / Scenario (TOML) compared with today's network. "
        "Give it again for each scenario to show side by side.",
    ),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    lang: str = typer.Option("fi", "--lang", help="Kieli / Språk / Language: fi, sv or en."),
    service: str | None = typer.Option(
        None, "--service", help="Service of maps and tables (default vastaanotto)."
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also write the PDF beside the HTML."),
    home_care_routes: bool = typer.Option(
        False,
        "--home-care-routes",
        help="Route home care from its bases (a sampled weekday; about 40 s for a county).",
    ),
    ems: bool = typer.Option(
        False, "--ems", help="Add emergency care against the service-level decision."
    ),
    ems_stations: Path | None = typer.Option(
        None, "--ems-stations", help="Ambulance stations CSV (default: ASSUMED from the sites)."
    ),
    ems_missions: Path | None = typer.Option(
        None, "--ems-missions", help="Missions CSV (default: estimated from the residents)."
    ),
    sweep_bands: Path | None = typer.Option(
        None, "--sweep-bands", help="A sweep's <out>_bands.csv: the sensitivity section."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
) -> None:
    """Raportti / Rapport / Report: one self-contained HTML page (and PDF) that opens offline."""
    check_lang_option(lang)
    with session() as events:
        from ..evaluation import EvaluateOptions
        from ..scenario import Scenario
        from ..study import Study
        from ..study.sweep import read_bands

        study = Study.open(region, cache_dir=cache_dir, progress=events)
        scenarios = [Scenario.from_toml(p) for p in scenario or []]
        path = study.report(
            out,
            scenarios=scenarios,
            lang=lang,
            service=service,
            pdf=pdf,
            options=EvaluateOptions(home_care_routes=home_care_routes),
            ems=ems,
            ems_stations=ems_stations,
            ems_missions=ems_missions,
            sweep_bands=read_bands(sweep_bands) if sweep_bands is not None else None,
        )
    typer.echo(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if pdf:
        typer.echo(f"pdf: {path.with_suffix('.pdf')}")
