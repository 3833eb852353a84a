"""Commands ``evaluate`` and ``compare``: score a scenario, or two, and write the results."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer
from rich.progress import Progress
from rich.table import Table

from ..errors import InputError
from ..evaluate import EvaluateOptions, Scenario, compare, evaluate
from ..evaluate.evaluation import Evaluation, routing_region
from ..evaluate.inputs import _transit_available
from ..evaluate.io import write_comparison, write_evaluation
from ..network import TravelTimes, travel_times
from ..region import Region, read_region
from . import app, console
from ._session import session


def _matrices(
    region: Region, scenarios: list[Scenario], cache_dir: Path | None, bar: Progress
) -> dict[str, TravelTimes]:
    routed = routing_region(region, *scenarios)
    modes = ["car", "walk"] + (["transit"] if region.gtfs and _transit_available() else [])
    out: dict[str, TravelTimes] = {}
    for mode in modes:
        task = bar.add_task(f"matka-ajat / restider / travel times: {mode}", total=None)
        out[mode] = travel_times(routed, mode, cache_dir=cache_dir)
        bar.update(task, completed=1, total=1)
    return out


def _summary_table(ev: Evaluation) -> Table:
    table = Table(title=f"{ev.region.name}: {ev.scenario.name} {ev.year}")
    for col in (
        "palvelu / tjänst / service",
        "≤30 min auto/bil/car",
        "≤30 min bussi/buss/bus",
        "ka. auto min",
        "pisin min",
        "digi %",
    ):
        table.add_column(col)
    for _, r in ev.summary_table.iterrows():
        table.add_row(
            str(r["service"]),
            f"{100 * r['share_within_30_car']:.1f} %",
            "-"
            if r["share_within_30_transit"] != r["share_within_30_transit"]
            else f"{100 * r['share_within_30_transit']:.1f} %",
            f"{r['mean_car_minutes']:.1f}",
            f"{r['worst_car_minutes']:.1f}",
            f"{100 * r['digital_share']:.1f}",
        )
    return table


def _capacity_method(value: str) -> Literal["analytic", "simulation"]:
    if value == "analytic":
        return "analytic"
    if value == "simulation":
        return "simulation"
    raise InputError(f"--capacity-method: expected analytic or simulation, got {value!r}")


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
    capacity_method: str = typer.Option(
        "analytic",
        "--capacity-method",
        help="Queue model: analytic (exact chain / diffusion) or simulation (SimPy, slower).",
    ),
) -> None:
    """Arvioi skenaario / Utvärdera ett scenario / Evaluate a scenario.

    Writes results.gpkg (layers cells, sites, municipalities; opens in QGIS), a CSV per table and
    results.xlsx into --out.
    """
    with session() as bar:
        loaded = read_region(region)
        sc = Scenario.from_toml(scenario) if scenario is not None else Scenario()
        tt = _matrices(loaded, [sc], cache_dir, bar)
        task = bar.add_task("arviointi / utvärdering / evaluation", total=None)
        ev = evaluate(
            loaded,
            sc,
            travel_times=tt,
            year=year,
            options=EvaluateOptions(
                substitute_rule=substitute_rule,
                capacity_method=_capacity_method(capacity_method),
            ),
        )
        bar.update(task, completed=1, total=1)
        files = write_evaluation(ev, out, excel=not no_excel)
    console.print(_summary_table(ev))
    for note in ev.notes:
        console.print(f"[dim]huom. / obs. / note: {note}[/]")
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
) -> None:
    """Vertaa kahta skenaariota / Jämför två scenarier / Compare two scenarios.

    Writes base/ and scenario/ (as `evaluate` does) and comparison_*.csv + comparison.xlsx.
    """
    with session() as bar:
        loaded = read_region(region)
        a = Scenario.from_toml(base)
        b = Scenario.from_toml(other)
        opts = EvaluateOptions(substitute_rule=substitute_rule)
        tt = _matrices(loaded, [a, b], cache_dir, bar)
        task = bar.add_task("arviointi / utvärdering / evaluation", total=None)
        ev_a = evaluate(loaded, a, travel_times=tt, options=opts)
        ev_b = evaluate(loaded, b, travel_times=tt, options=opts)
        cmp = compare(ev_a, ev_b)
        bar.update(task, completed=1, total=1)
        files = write_comparison(cmp, out, excel=not no_excel)
    console.print(cmp.summary())
    console.print(f"Kirjoitettu / Skrivet / Written: {len(files)} files in {out}")
