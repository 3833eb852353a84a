"""The emergency-care use cases: evaluate today's (or a given) fleet against the service-level
decision, and place units; the command line and the web call these (:mod:`palveluverkko.ems`
holds the models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from ..ems import EmsEvaluation
    from ..ems.placement import EmsOptimization
    from ..region.model import Region

__all__ = ["ems_evaluate", "ems_optimize", "write_tables"]


def ems_evaluate(
    region: Region,
    *,
    params: Path | None = None,
    stations: Path | None = None,
    missions: Path | None = None,
    synthetic_missions: bool = False,
    years: float | None = None,
    risk_areas: Path | None = None,
    simulate: bool = False,
    seed: int = 0,
) -> EmsEvaluation:
    """Coverage of every risk class and urgency by the fleet of ``stations`` (default: the
    ASSUMED fleet built from the region), from a mission file, a SYNTHETIC year or estimated
    rates; with ``simulate`` also a SimPy year.

    Raises
    ------
    InputError
        Both a mission file and synthetic missions, or a bad file (the message names it).
    """
    from ..ems import (
        evaluate_ems,
        read_missions,
        read_params,
        read_risk_areas,
        read_stations,
    )
    from ..ems import synthetic_missions as synthetic

    if missions is not None and synthetic_missions:
        raise InputError("--missions and --synthetic-missions exclude each other")
    p = read_params(params)
    fleet = read_stations(stations, p) if stations is not None else None
    hist = None
    if missions is not None:
        hist = read_missions(missions)
    elif synthetic_missions:
        hist = synthetic(region, seed, params=p)
    areas = read_risk_areas(risk_areas) if risk_areas is not None else None
    return evaluate_ems(
        region,
        p,
        stations=fleet,
        missions=hist,
        years=years,
        risk_areas=areas,
        simulate=simulate,
        seed=seed,
    )


def ems_optimize(
    region: Region,
    *,
    units: int | None = None,
    params: Path | None = None,
    stations: Path | None = None,
    candidates: Path | None = None,
    n_candidates: int = 100,
    keep: Sequence[str] = (),
    shifts: Sequence[str] = (),
    front: Sequence[int] = (),
    keep_today_level: bool = False,
    max_per_station: int = 3,
    missions: Path | None = None,
    time_limit_s: float = 60.0,
    gap: float = 0.005,
) -> EmsOptimization:
    """Place ``units`` (maximum expected coverage) or, without ``units``, the least-cost fleet
    meeting the targets (today's level minus 1 point with ``keep_today_level``).

    Raises
    ------
    InputError
        ``keep_today_level`` with ``units``, or a bad file.
    InfeasibleError
        The targets cannot be met (the message names each shortfall).
    """
    from ..ems import evaluate_ems, optimize_ems, read_missions, read_params, read_stations

    if keep_today_level and units is not None:
        raise InputError("--keep-today-level is for least cost: leave out --units")
    p = read_params(params)
    fleet = read_stations(stations, p) if stations is not None else None
    cand = read_stations(candidates, p) if candidates is not None else n_candidates
    hist = read_missions(missions) if missions is not None else None
    if keep_today_level:
        p = evaluate_ems(region, p, stations=fleet, missions=hist).params_keeping_today()
    return optimize_ems(
        region,
        p,
        n_units=units,
        candidates=cand,
        stations=fleet,
        shifts=list(shifts) or None,
        must_keep=list(keep),
        max_per_station=max_per_station,
        front=list(front),
        missions=hist,
        time_limit_s=time_limit_s,
        gap=gap,
    )


def write_tables(tables: Mapping[str, pd.DataFrame], out: str | Path, *, book: str) -> Path:
    """Each table as ``<name>.csv`` and all in ``<book>.xlsx``, written whole into ``out``."""
    import pandas as pd

    from ..atomic import output_folder

    target = Path(out)
    with output_folder(target, about={"tables": list(tables)}) as tmp:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv", index=False)
        with pd.ExcelWriter(tmp / f"{book}.xlsx", engine="openpyxl") as xl:
            for name, frame in tables.items():
                frame.to_excel(xl, sheet_name=name[:31], index=False)
    return target
