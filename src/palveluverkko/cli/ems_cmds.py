"""Commands ``ems evaluate`` and ``ems optimize``: emergency care against the service-level
decision (thin: parse, call :mod:`palveluverkko.ems`, write CSV/Excel, print a table).

Heavy modules are imported inside the commands so that ``palveluverkko --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from . import app, console
from ._session import check_lang_option, fail, session

if TYPE_CHECKING:
    import pandas as pd

ems_app = typer.Typer(
    help="Ensihoito / Prehospital akutsjukvård / Emergency care (Decree 585/2017).",
    no_args_is_help=True,
)
app.add_typer(ems_app, name="ems")


def _write(tables: dict[str, pd.DataFrame], out: Path) -> None:
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    with pd.ExcelWriter(out / "ems.xlsx") as xl:
        for name, frame in tables.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="left" if frame[col].dtype == object else "right")
    for row in frame.itertuples(index=False):
        table.add_row(
            *["–" if v != v else f"{v:g}" if isinstance(v, float) else str(v) for v in row]
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
    lang: str = typer.Option("fi", "--lang", help="fi, sv or en."),
    out: Path = typer.Option(Path("ems"), "--out", "-o", help="Output folder (CSV, Excel)."),
) -> None:
    """Ensihoidon palvelutaso / Servicenivå / Emergency-care service level against targets."""
    check_lang_option(lang)
    if missions is not None and synthetic:
        raise fail("--missions and --synthetic-missions exclude each other")
    from ..ems import (
        evaluate_ems,
        read_missions,
        read_params,
        read_risk_areas,
        read_stations,
        synthetic_missions,
    )
    from ..region import read_region

    with session():
        loaded = read_region(region)
        p = read_params(params)
        fleet = read_stations(stations, p) if stations is not None else None
        hist = None
        if missions is not None:
            hist = read_missions(missions)
        elif synthetic:
            hist = synthetic_missions(loaded, seed, params=p)
        areas = read_risk_areas(risk_areas) if risk_areas is not None else None
        ev = evaluate_ems(
            loaded,
            p,
            stations=fleet,
            missions=hist,
            years=years,
            risk_areas=areas,
            simulate=simulate,
            seed=seed,
        )
        _write(ev.tables(), out)
    _print_frame(ev.decision_table(lang), loaded.name)
    console.print(ev.summary())
    console.print(f"Kirjoitettu / Skrivet / Written: {out}")


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
    if keep_today and units is not None:
        raise fail("--keep-today-level is for least cost: leave out --units")
    from ..ems import evaluate_ems, optimize_ems, read_missions, read_params, read_stations
    from ..region import read_region

    with session():
        loaded = read_region(region)
        p = read_params(params)
        fleet = read_stations(stations, p) if stations is not None else None
        cand = read_stations(candidates, p) if candidates is not None else n_candidates
        hist = read_missions(missions) if missions is not None else None
        if keep_today:
            p = evaluate_ems(loaded, p, stations=fleet, missions=hist).params_keeping_today()
        res = optimize_ems(
            loaded,
            p,
            n_units=units,
            candidates=cand,
            stations=fleet,
            shifts=shift or None,
            must_keep=keep,
            max_per_station=max_per_station,
            front=front_units,
            missions=hist,
            time_limit_s=time_limit,
            gap=gap,
        )
        tables = {"stations": res.fleet.stations, "chosen": res.chosen()}
        if res.front is not None:
            tables["front"] = res.front
        if res.verification is not None:
            tables["verification"] = res.verification
        _write(tables, out)
    _print_frame(res.chosen(), res.result.model)
    if res.front is not None:
        _print_frame(res.front, "front")
    console.print(res.summary())
    console.print(f"Kirjoitettu / Skrivet / Written: {out}")
