"""Command ``report``: evaluate today's network (and a scenario) and write the HTML/PDF report."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import InputError, PalveluverkkoError
from ..evaluate import Scenario, compare, evaluate
from ..region import read_region
from ..report import write_report
from . import app
from ._session import check_lang_option, session
from .evaluate_cmds import _matrices


@app.command("report")
def report_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    scenario: Path | None = typer.Option(
        None, "--scenario", "-s", help="Skenaario / Scenario (TOML) compared with today's network."
    ),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    lang: str = typer.Option("fi", "--lang", help="Kieli / Språk / Language: fi, sv or en."),
    service: str | None = typer.Option(
        None, "--service", help="Service of maps and tables (default vastaanotto)."
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also write the PDF beside the HTML."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
) -> None:
    """Raportti / Rapport / Report: one self-contained HTML page (and PDF) that opens offline."""
    check_lang_option(lang)
    with session() as bar:
        loaded = read_region(region)
        sc = Scenario.from_toml(scenario) if scenario is not None else None
        tt = _matrices(loaded, [sc] if sc is not None else [], cache_dir, bar)
        task = bar.add_task("arviointi / utvärdering / evaluation", total=None)
        base = evaluate(loaded, None, travel_times=tt)
        comparison = None
        if sc is not None:
            comparison = compare(base, evaluate(loaded, sc, travel_times=tt))
        bar.update(task, completed=1, total=1)
        task = bar.add_task("raportti / rapport / report", total=None)
        try:
            path = write_report(base, comparison, loaded, out, lang=lang, service=service, pdf=pdf)
        except ValueError as exc:  # an unknown --service
            if isinstance(exc, PalveluverkkoError):
                raise
            raise InputError(f"--service: {exc}") from exc
        bar.update(task, completed=1, total=1)
    typer.echo(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if pdf:
        typer.echo(f"pdf: {path.with_suffix('.pdf')}")
