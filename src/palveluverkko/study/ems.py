"""The emergency-care use cases: evaluate today's (or a given) fleet against the service-level
decision, and place units; the command line and the web call these (:mod:`palveluverkko.ems`
holds the models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from ..ems import EmsEvaluation, EmsParams, Fleet
    from ..ems.placement import EmsOptimization
    from ..region.model import Region
    from ..scenario import EmsStationChange, Scenario

__all__ = [
    "COST_YEARS",
    "EmsComparison",
    "ems_compare",
    "ems_evaluate",
    "ems_optimize",
    "scenario_fleet",
    "write_tables",
]

COST_YEARS = range(2025, 2031)
"""Years of the emergency-care resource table (as the evaluation's cost table)."""


@dataclass(frozen=True)
class EmsComparison:
    """Today's fleet and the scenario's, scored on the same risk grid and missions.

    Attributes
    ----------
    base, other
        The two evaluations.
    scenario
        The scenario whose ``[[ems_station]]`` entries changed the fleet.
    decision
        Per target line and class: ``line, urgencies, minutes, risk_class, target_share,
        missions, share_before, share_after, change_pp, met_before, met_after``.
    resources
        Per year: ``year, unit_hours_before, unit_hours_after, fte_before, fte_after,
        cost_eur_before, cost_eur_after, cost_change_eur`` (missions and units are not
        projected by year: the same each year).
    stations
        Per station whose units change: ``station_id, name, units_before, units_after, new``.
    """

    base: EmsEvaluation
    other: EmsEvaluation
    scenario: Scenario
    decision: pd.DataFrame
    resources: pd.DataFrame
    stations: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (the scenario's evaluation tables prefixed ``scenario_``)."""
        out = {"comparison": self.decision, "resources": self.resources}
        out["stations_changed"] = self.stations
        out.update(self.base.tables())
        out.update({f"scenario_{k}": v for k, v in self.other.tables().items()})
        return out

    def decision_table(self, lang: str = "fi") -> pd.DataFrame:
        """The decision as a county adopts it, today and in the scenario, one row per class."""
        import pandas as pd

        from ..ems.params import CLASSES
        from ..ems.texts import class_name, text

        d = self.decision
        out = pd.DataFrame({text("risk_class", lang): [class_name(c, lang) for c in CLASSES]})
        for k, t in enumerate(self.base.params.targets):
            rows = d[d["line"] == k].set_index("risk_class").reindex(list(CLASSES))
            label = text("line", lang, urgency="/".join(t.urgencies), minutes=f"{t.minutes:g}")
            out[f"{label}: {text('target', lang)} %"] = (rows["target_share"] * 100).round(0).values
            out[f"{label}: {_TODAY[lang]} %"] = (rows["share_before"] * 100).round(1).values
            out[f"{label}: {_SCENARIO[lang]} %"] = (rows["share_after"] * 100).round(1).values
        return out


_TODAY = {"fi": "nyt", "sv": "nu", "en": "today"}
_SCENARIO = {"fi": "skenaario", "sv": "scenario", "en": "scenario"}


def scenario_fleet(fleet: Fleet, changes: Sequence[EmsStationChange], params: EmsParams) -> Fleet:
    """``fleet`` with the scenario's ``[[ems_station]]`` entries applied.

    Raises
    ------
    InputError
        A station that is neither in the fleet nor given a point, or a shift the parameters do
        not know (the message names the entry and the fix).
    """
    import numpy as np
    import pandas as pd

    from ..ems import Fleet as FleetType

    st = fleet.stations.copy()
    ids = st["station_id"].astype(str).tolist()
    for n, ch in enumerate(changes):
        label = f"scenario ems_station[{n}]"
        unknown = [k for k in ch.units if k not in params.shifts]
        if unknown:
            raise InputError(
                f"{label}.units: shift(s) {', '.join(map(repr, unknown))} unknown; "
                f"use {', '.join(params.shifts)} (or add the shift to the ems parameter file)"
            )
        if ch.station in ids:
            row = ids.index(ch.station)
            if ch.is_new:
                raise InputError(
                    f"{label}: station {ch.station!r} exists already; leave out x and y to "
                    "change its units, or give a new id"
                )
        else:
            if not ch.is_new:
                known = ", ".join(ids[:8]) + (", ..." if len(ids) > 8 else "")
                raise InputError(
                    f"{label}.station: {ch.station!r} is not a station of today's fleet "
                    f"(stations: {known}); give x and y to open it as a new station"
                )
            new: dict[str, object] = {c: 0 for c in st.columns if c.startswith("units_")}
            new.update(
                station_id=ch.station,
                name=ch.name or ch.station,
                x=float(ch.x or 0.0),
                y=float(ch.y or 0.0),
                must_keep=False,
            )
            st = pd.concat([st, pd.DataFrame([new])], ignore_index=True)
            ids.append(ch.station)
            row = len(ids) - 1
        for shift, count in ch.units.items():
            col = f"units_{shift}"
            if col not in st.columns:
                st[col] = np.zeros(len(st), dtype=np.int64)
            st.loc[row, col] = int(count)
        if ch.name is not None:
            st.loc[row, "name"] = ch.name
    for c in st.columns:
        if c.startswith("units_"):
            st[c] = st[c].astype(np.int64)
    return FleetType(st.reset_index(drop=True)).check(params)


def _inputs(
    region: Region,
    params: Path | None,
    stations: Path | None,
    missions: Path | None,
    synthetic_missions: bool,
    risk_areas: Path | None,
    seed: int,
) -> tuple[EmsParams, Fleet | None, pd.DataFrame | None, pd.DataFrame | None]:
    """Parameters, the county's fleet (None: ASSUMED), the mission history (None: estimated)
    and the county's risk areas, each read from its file."""
    from ..ems import read_missions, read_params, read_risk_areas, read_stations
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
    return p, fleet, hist, areas


def ems_compare(
    region: Region,
    scenario: Scenario,
    *,
    params: Path | None = None,
    stations: Path | None = None,
    missions: Path | None = None,
    synthetic_missions: bool = False,
    years: float | None = None,
    risk_areas: Path | None = None,
    seed: int = 0,
) -> EmsComparison:
    """Score today's fleet and the scenario's (its ``[[ems_station]]`` entries) on the same
    risk grid and missions; the decision table before and after and the resources per year.

    The grid comes from the region as it is: a scenario's sites do not move residents, and an
    ambulance station is not a health station (closing a site leaves its station in place
    unless an ``[[ems_station]]`` entry removes the units).

    Raises
    ------
    InputError
        As :func:`ems_evaluate`, or a bad ``[[ems_station]]`` entry.
    """
    import pandas as pd

    from ..ems import default_fleet, evaluate_ems, risk_grid
    from ..network.graph import RoadNetwork

    if not scenario.ems_stations:
        raise InputError(
            "the scenario has no [[ems_station]] entry: nothing changes in emergency care; "
            "add one (see docs/scenarios.md) or run ems evaluate without --scenario"
        )
    p, fleet, hist, areas = _inputs(
        region, params, stations, missions, synthetic_missions, risk_areas, seed
    )
    base_fleet = fleet if fleet is not None else default_fleet(region, p)
    other_fleet = scenario_fleet(base_fleet, scenario.ems_stations, p)
    grid = risk_grid(region, p, missions=hist, years=years, risk_areas=areas)
    net = RoadNetwork.for_region(region, "car")
    base = evaluate_ems(region, p, stations=base_fleet, grid=grid, network=net, seed=seed)
    other = evaluate_ems(region, p, stations=other_fleet, grid=grid, network=net, seed=seed)
    keys = ["line", "urgencies", "minutes", "risk_class"]
    b = base.decision.set_index(keys)
    o = other.decision.set_index(keys).reindex(b.index)
    decision = pd.DataFrame(
        {
            "target_share": b["target_share"],
            "missions": b["missions"],
            "share_before": b["share_within"],
            "share_after": o["share_within"],
            "change_pp": (o["share_within"] - b["share_within"]) * 100.0,
            "met_before": b["met"],
            "met_after": o["met"],
        }
    ).reset_index()
    rb, ro = base.resources, other.resources
    resources = pd.DataFrame(
        [
            {
                "year": y,
                "unit_hours_before": rb["unit_hours"],
                "unit_hours_after": ro["unit_hours"],
                "fte_before": rb["fte"],
                "fte_after": ro["fte"],
                "cost_eur_before": rb["cost_eur"],
                "cost_eur_after": ro["cost_eur"],
                "cost_change_eur": ro["cost_eur"] - rb["cost_eur"],
            }
            for y in COST_YEARS
        ]
    )
    before = base_fleet.stations.set_index("station_id")
    after = other_fleet.stations.set_index("station_id")
    changed = []
    for sid in after.index:
        n_after = int(after.loc[sid, [c for c in after.columns if c.startswith("units_")]].sum())
        if sid in before.index:
            cols = [c for c in before.columns if c.startswith("units_")]
            n_before = int(before.loc[sid, cols].sum())
        else:
            n_before = 0
        bcounts = before.loc[sid] if sid in before.index else None
        same = bcounts is not None and all(
            int(bcounts.get(c, 0)) == int(after.loc[sid, c])
            for c in after.columns
            if c.startswith("units_")
        )
        if not same:
            changed.append(
                {
                    "station_id": sid,
                    "name": str(after.loc[sid, "name"]),
                    "units_before": n_before,
                    "units_after": n_after,
                    "new": sid not in before.index,
                }
            )
    stations_changed = pd.DataFrame(
        changed, columns=["station_id", "name", "units_before", "units_after", "new"]
    )
    return EmsComparison(base, other, scenario, decision, resources, stations_changed)


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
    from ..ems import evaluate_ems

    p, fleet, hist, areas = _inputs(
        region, params, stations, missions, synthetic_missions, risk_areas, seed
    )
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
