"""The ``demo`` command: build and evaluate the synthetic demo county
(:func:`palveluverkko.study.run_demo`) and print a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import app
from .ui import check_lang_option, session

if TYPE_CHECKING:
    from ..region.model import Region
    from ..study import DemoRun


def _print_summary(region: Region) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from ..region.schema import AGE_BANDS, SITE_KINDS
    from ..study import residents_table

    stdout = Console(width=max(Console().width, 96))
    stdout.print(
        "[bold yellow]SYNTEETTINEN / SYNTETISK / SYNTHETIC:[/] this county does not exist; "
        "all names, residents, roads and sites are generated."
    )
    residents = residents_table(region)
    table = Table(
        title="Asukkaat kunnittain ja ikäryhmittäin / Residents by municipality and age",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("code", no_wrap=True)
    table.add_column("municipality", no_wrap=True)
    for column in residents.columns[1:]:
        label = column.replace("_plus", "+").replace("_", "-")
        table.add_column(label, justify="right", no_wrap=True)
    for code, row in residents.iterrows():
        table.add_row(str(code), str(row["name"]), *(str(int(v)) for v in row.iloc[1:]))
    stdout.print(table)
    assert len(AGE_BANDS) == len(residents.columns) - 2

    kinds = region.sites["kind"].value_counts()
    sites = Table(title="Toimipisteet tyypeittäin / Sites by kind", box=box.SIMPLE_HEAD)
    sites.add_column("kind")
    sites.add_column("name")
    sites.add_column("sites", justify="right")
    for kind, (name_fi, _, _) in SITE_KINDS.items():
        sites.add_row(kind, name_fi, str(int(kinds.get(kind, 0))))
    sites.add_row("total", "", str(len(region.sites)))
    stdout.print(sites)
    typer.echo(region.summary())


def _timings(run: DemoRun) -> None:
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.seconds.items())
    typer.echo(f"time: {parts}; total {run.total_seconds:.1f} s")


@app.command()
def demo(
    out: Path = typer.Option(Path("out/demo"), "--out", help="Output folder."),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic county."),
    lang: str = typer.Option("fi", "--lang", help="Report language: fi, sv or en."),
    region_only: bool = typer.Option(
        False, "--region-only", help="Only build and write the region package."
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also write OUT/report.pdf (takes seconds)."),
) -> None:
    """Rakenna demomaakunta / Bygg demolandskapet / Build and evaluate the synthetic demo county.

    Writes OUT/region/ (the region package), travel times by car, on foot and by public transport
    (cached in OUT/cache/), the evaluation of today's network (OUT/baseline/) and of an example
    scenario (OUT/scenario/: the three sites in the worst condition closed with substitutes, a
    higher digital share), their comparison (OUT/comparison/) and OUT/report.html (with --pdf also
    OUT/report.pdf). Needs no network and no input.
    """
    check_lang_option(lang)
    with session() as events:
        from ..study import run_demo

        run = run_demo(out, seed=seed, lang=lang, region_only=region_only, pdf=pdf, progress=events)
    _print_summary(run.region)
    typer.echo(f"wrote {run.package}")
    if run.comparison is not None and run.report is not None:
        typer.echo(run.comparison.summary())
        typer.echo(f"scenario: {run.scenario_file}")
        typer.echo(f"results: {', '.join(str(p) for p in run.outputs.values())}")
        size = f"{run.report.stat().st_size / 1e6:.1f} MB"
        pdf_file = f", {run.report.with_suffix('.pdf')}" if pdf else ""
        typer.echo(f"report: {run.report} ({size}){pdf_file}")
    _timings(run)
