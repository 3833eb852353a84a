"""Commands ``ems evaluate`` and ``ems optimize``: emergency care against the service-level
decision (thin: parse, call :mod:`palveluverkko.ems`, write CSV/Excel, print a table).

Heavy modules are imported inside the commands so that ``palveluverkko --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import app
from .ui import check_lang_option, console, fail, session

if TYPE_CHECKING:
    import pandas as pd

ems_app = typer.Typer(
    help="Ensihoito / Prehospital akutsjukvård / Emergency care (Decree 585/2017).",
    no_args_is_help=True,
)
app.add_typer(ems_app, name="ems")


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for col in frame.columns:
        table.add_column(str(col), justify="left" if frame[col].dtype == object else "right")
    for row in frame.itertuples(index=False):
        table.add_row(
            *["–" if v != v else f"{v:g}" if isinstance(v, float) else escape(str(v)) for v in row]
        )
    console.print(table)


@ems_app.command("evaluate")
def evaluate_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    params: Path | None = typer.Option(None, "--params", help="ems TOML (default: built-in)."),
    stations: Path | None = typer.Option(
        None, "--stations", help="CSV station_id,name,x,y,units_24h,... (default: ASSUMED fleet)."
    ),
    missions: Path | None = typer.Option(
        None, "--missions", help="CSV of missions: urgency, time, x, y or cell_id."
    ),
    synthetic: bool = typer.Option(
        False, "--synthetic-missions", help="Use a SYNTHETIC mission year (demo county)."
    ),
    years: float | None = typer.Option(None, "--years", help="Years the mission file covers."),
    risk_areas: Path | None = typer.Option(
        None, "--risk-areas", help="CSV cell_id (or x, y), risk_class: the county's own classes."
    ),
    simulate: bool = typer.Option(False, "--simulate", help="Also simulate a year (SimPy)."),
    seed: int = typer.Option(0, "--seed", help="Seed of synthetic missions and simulation."),
    scenario: Path | None = typer.Option(
        None,
        "--scenario",
        help="Scenario TOML whose [[ems_station]] entries change the fleet: today against it.",
    ),
    lang: str = typer.Option("fi", "--lang", help="fi, sv or en."),
    out: Path = typer.Option(Path("ems"), "--out", "-o", help="Output folder (CSV, Excel)."),
) -> None:
    """Ensihoidon palvelutaso / Servicenivå / Emergency-care service level against targets."""
    check_lang_option(lang)
    with session():
        from ..region import read_region
        from ..study.ems import ems_compare, ems_evaluate, write_tables

        loaded = read_region(region)
        if scenario is not None:
            from ..scenario import Scenario

            sc = Scenario.from_toml(scenario)
            sc.check(loaded)
            cmp = ems_compare(
                loaded,
                sc,
                params=params,
                stations=stations,
                missions=missions,
                synthetic_missions=synthetic,
                years=years,
                risk_areas=risk_areas,
                seed=seed,
            )
            write_tables(cmp.tables(), out, book="ems")
    if scenario is not None:
        _print_frame(cmp.decision_table(lang), f"{loaded.name}: {cmp.scenario.name}")
        if len(cmp.stations):
            _print_frame(cmp.stations, "stations")
        r = cmp.resources.iloc[0]
        console.print(
            f"{cmp.base.fleet.summary()} -> {cmp.other.fleet.summary()}; "
            f"EUR/yr {r['cost_eur_before']:,.0f} -> {r['cost_eur_after']:,.0f} "
            f"({r['cost_change_eur']:+,.0f}); FTE {r['fte_before']:.1f} -> {r['fte_after']:.1f}",
            markup=False,
        )
        console.print(f"Kirjoitettu / Skrivet / Written: {out}", markup=False)
        return
    with session():
        ev = ems_evaluate(
            loaded,
            params=params,
            stations=stations,
            missions=missions,
            synthetic_missions=synthetic,
            years=years,
            risk_areas=risk_areas,
            simulate=simulate,
            seed=seed,
        )
        write_tables(ev.tables(), out, book="ems")
    _print_frame(ev.decision_table(lang), loaded.name)
    console.print(ev.summary(), markup=False)
    console.print(f"Kirjoitettu / Skrivet / Written: {out}", markup=False)


@ems_app.command("optimize")
def optimize_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    units: int | None = typer.Option(
        None, "--units", help="Place this many units (max expected coverage); omit: least cost."
    ),
    params: Path | None = typer.Option(None, "--params", help="ems TOML (default: built-in)."),
    stations: Path | None = typer.Option(None, "--stations", help="Today's stations CSV."),
    candidates: Path | None = typer.Option(
        None, "--candidates", help="Candidate stations CSV (default: built from the region)."
    ),
    n_candidates: int = typer.Option(100, "--n-candidates", help="Candidates to build."),
    keep: list[str] = typer.Option([], "--keep", help="Station id that keeps a unit (repeat)."),
    shift: list[str] = typer.Option([], "--shift", help="Shift of placed units (default 24h)."),
    front: str = typer.Option("", "--front", help="Units for a front, e.g. 10,15,20,25,30."),
    keep_today: bool = typer.Option(
        False,
        "--keep-today-level",
        help="Least cost: targets = today's shares (of --stations or the ASSUMED fleet) - 1 pp.",
    ),
    max_per_station: int = typer.Option(3, "--max-per-station", help="Most units at a station."),
    missions: Path | None = typer.Option(None, "--missions", help="CSV of missions."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds per MILP."),
    gap: float = typer.Option(0.005, "--gap", help="Relative gap at which HiGHS stops."),
    out: Path = typer.Option(Path("ems-opt"), "--out", "-o", help="Output folder."),
) -> None:
    """Yksiköiden sijoittelu / Placering av enheter / Placing units and shifts."""
    try:
        front_units = [int(v) for v in front.split(",") if v.strip()]
    except ValueError:
        raise fail(f"--front: expected numbers separated by commas; got {front!r}") from None
    with session():
        from ..region import read_region
        from ..study.ems import ems_optimize, write_tables

        loaded = read_region(region)
        res = ems_optimize(
            loaded,
            units=units,
            params=params,
            stations=stations,
            candidates=candidates,
            n_candidates=n_candidates,
            keep=keep,
            shifts=shift,
            front=front_units,
            keep_today_level=keep_today,
            max_per_station=max_per_station,
            missions=missions,
            time_limit_s=time_limit,
            gap=gap,
        )
        tables = {"stations": res.fleet.stations, "chosen": res.chosen()}
        if res.front is not None:
            tables["front"] = res.front
        if res.verification is not None:
            tables["verification"] = res.verification
        write_tables(tables, out, book="ems")
    _print_frame(res.chosen(), res.result.model)
    if res.front is not None:
        _print_frame(res.front, "front")
    console.print(res.summary(), markup=False)
    console.print(f"Kirjoitettu / Skrivet / Written: {out}", markup=False)
