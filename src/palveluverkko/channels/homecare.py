"""Home care routed from its bases: daily routes, staff travel, FTE and unserved visits (cores).

Model of a representative weekday
---------------------------------
Each base ``b`` has visits ``V_b`` (its clients' visits of the day, at points), nurses per
shift ``n_{b,s}`` and a drive-time matrix between the base and the visits. Every visit lasts
``d`` (30 min: about 38 min of care a day in about 9 visits a week, THL 2022, DOMAIN.md) and
must start within its window (morning, midday or evening). One PyVRP vehicle type per shift,
with ``n_{b,s}`` vehicles whose time window is the shift, starts and ends at the base. Visits
are optional with a prize that outweighs any route (about 1,000 h of driving), so PyVRP serves
all it can and the visits it cannot serve **with the staff given** are listed, never dropped.
A visit that no nurse could reach and come back from within one shift (drive there, visit,
drive back longer than the shift, or no road) is listed as not reachable and not routed.

Figures per base: staff travel minutes per day and per routed visit, the share of the nurses'
shift time spent driving, and the FTE needed for the visits plus their travel
``(sum of visit and drive hours a day) * 365 / productive hours per FTE-year``, where visits
not served are counted at ``d`` plus the base's mean drive per routed visit (an ESTIMATE).

PyVRP is a heuristic: the routes are feasible when it says so; they are not proven shortest.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .vrp import RoutingParams, RoutingProblem, RoutingResult, VehicleKind, solve_routing

__all__ = [
    "HomeCareParams",
    "HomeCarePlan",
    "Shift",
    "TimeWindow",
    "route_base",
]

log = logging.getLogger("palveluverkko.channels")

PRIZE_S = 3_600_000  # seconds of driving a visit outweighs (1,000 h)


@dataclass(frozen=True)
class Shift:
    """A work shift: ``name`` and its hours in minutes after midnight."""

    name: str
    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_min < self.end_min <= 24 * 60:
            raise InputError(
                f"shift {self.name!r}: need 0 <= start < end <= 1440 minutes; found "
                f"{self.start_min}-{self.end_min}"
            )

    @property
    def minutes(self) -> int:
        """Length of the shift."""
        return self.end_min - self.start_min


@dataclass(frozen=True)
class TimeWindow:
    """A visit window: ``name``, start and end of the *start* of service (minutes after
    midnight) and the share of visits in it."""

    name: str
    start_min: int
    end_min: int
    share: float


@dataclass(frozen=True)
class HomeCareParams:
    """Parameters of home-care routing (defaults and sources per field).

    Attributes
    ----------
    visit_minutes
        Length of a visit: 30 min (derived from THL 2022: about 38 min of care a day in about 9
        visits a week, DOMAIN.md).
    windows
        Visit windows and their shares: morning 07-11 (50 %), midday 11-14 (20 %), evening
        15-20:30 (30 %) (ASSUMPTION: 59 % of clients have a visit a day and 17 % three or more,
        DOMAIN.md; the split by time of day is not published).
    shifts
        Morning 07:00-15:00 and evening 13:00-21:00 (ASSUMPTION, common Finnish practice).
    shift_shares
        Share of a base's nurses on each shift (default 0.7 / 0.3, matching the windows).
    on_duty_per_fte
        Nurses on shift on a given day per FTE: 5/7 working days x 0.88 present (12 % absence,
        ASSUMPTION) = 0.63.
    productive_hours_per_fte_year
        Hours a year an FTE can spend on visits and their travel (1,600; ASSUMPTION).
    cell_size_m
        Side of a population cell; clients are placed uniformly inside it (250 m grid).
    seconds_per_100_visits
        PyVRP time of a base per 100 of its visits (default 0.35 s, at least
        ``min_seconds_per_base`` = 0.2 s): the time grows with the base's size, and the demo
        county's 5,200 visits take about 18 s of routing.
    leg_cutoff_min
        Drive searches between visits stop at this many minutes (default 30); a longer leg is
        driven through the base (an upper bound). A speed/accuracy trade-off of the adapter.
    """

    visit_minutes: float = 30.0
    windows: tuple[TimeWindow, ...] = (
        TimeWindow("aamu", 7 * 60, 11 * 60, 0.5),
        TimeWindow("päivä", 11 * 60, 14 * 60, 0.2),
        TimeWindow("ilta", 15 * 60, 20 * 60 + 30, 0.3),
    )
    shifts: tuple[Shift, ...] = (Shift("aamu", 7 * 60, 15 * 60), Shift("ilta", 13 * 60, 21 * 60))
    shift_shares: tuple[float, ...] = (0.7, 0.3)
    on_duty_per_fte: float = 5.0 / 7.0 * 0.88
    productive_hours_per_fte_year: float = 1600.0
    cell_size_m: float = 250.0
    seconds_per_100_visits: float = 0.35
    min_seconds_per_base: float = 0.2
    leg_cutoff_min: float = 30.0

    def __post_init__(self) -> None:
        if not self.visit_minutes > 0:
            raise InputError(
                f"HomeCareParams.visit_minutes must be > 0; found {self.visit_minutes}"
            )
        shares = np.array([w.share for w in self.windows])
        if not self.windows or (shares < 0).any() or abs(shares.sum() - 1) > 1e-9:
            raise InputError("HomeCareParams.windows: shares must be >= 0 and sum to 1")
        if len(self.shift_shares) != len(self.shifts) or abs(sum(self.shift_shares) - 1) > 1e-9:
            raise InputError("HomeCareParams.shift_shares: one share per shift, summing to 1")
        for w in self.windows:
            if not any(s.start_min <= w.start_min and w.end_min <= s.end_min for s in self.shifts):
                raise InputError(f"HomeCareParams.windows: window {w.name!r} lies in no shift")
        if not (self.on_duty_per_fte > 0 and self.productive_hours_per_fte_year > 0):
            raise InputError("HomeCareParams: on_duty_per_fte and productive hours must be > 0")
        if not (self.seconds_per_100_visits > 0 and self.min_seconds_per_base > 0):
            raise InputError(
                "HomeCareParams.seconds_per_100_visits and min_seconds_per_base must be > 0"
            )

    def seconds_for(self, n_visits: int) -> float:
        """PyVRP time of a base with ``n_visits`` visits."""
        return max(self.min_seconds_per_base, self.seconds_per_100_visits * n_visits / 100.0)

    @property
    def longest_shift_min(self) -> int:
        """Length of the longest shift."""
        return max(s.minutes for s in self.shifts)


def route_base(
    travel_s: np.ndarray,
    early_s: np.ndarray,
    late_s: np.ndarray,
    nurses: np.ndarray,
    params: HomeCareParams,
    *,
    seed: int = 0,
    ids: list[Any] | None = None,
) -> RoutingResult:
    """Routes of one base for a day.

    Parameters
    ----------
    travel_s
        ``(1 + n, 1 + n)`` integer seconds, base first, then the visits.
    early_s, late_s
        ``(n,)`` window for the start of each visit, seconds after midnight.
    nurses
        Nurses on each shift of ``params.shifts``.
    """
    n = len(early_s)
    kinds = tuple(
        VehicleKind(
            name=s.name,
            count=int(k),
            early=s.start_min * 60,
            late=s.end_min * 60,
            max_duration=s.minutes * 60,
        )
        for s, k in zip(params.shifts, nurses, strict=True)
        if k > 0
    )
    if not kinds:
        kinds = (VehicleKind("none", count=1, early=0, late=0, max_duration=0),)
    problem = RoutingProblem(
        duration=travel_s,
        depot_location=np.array([0], dtype=np.int64),
        client_location=np.arange(1, n + 1, dtype=np.int64),
        service=np.full(n, round(params.visit_minutes * 60), dtype=np.int64),
        early=early_s,
        late=late_s,
        required=np.zeros(n, dtype=bool),
        prize=np.full(n, PRIZE_S, dtype=np.int64),
        vehicles=kinds,
        client_ids=ids,
        time_unit="s",
    )
    return solve_routing(problem, RoutingParams(time_limit_s=params.seconds_for(n)), seed=seed)


@dataclass(frozen=True, eq=False)
class HomeCarePlan:
    """Home-care routes of a representative weekday for every base.

    Attributes
    ----------
    visits
        One row per sampled visit: ``visit_id``, ``client_id``, ``cell_id``, ``municipality``,
        ``base_id``, ``x``, ``y``, ``window``, ``tw_early_min``, ``tw_late_min``,
        ``service_min``, ``status`` (``routed`` / ``not_served``), ``reason`` (``""``,
        ``"staff"``: the staff given could not fit it, ``"unreachable"``: no base reaches it
        within a shift, ``"no_road"``: the point cannot be linked to the road data),
        ``route``, ``position``, ``start_min``, ``travel_in_min``.
    routes
        One row per nurse route: ``base_id``, ``route``, ``shift``, ``depart``, ``return``
        (minutes), ``travel_min``, ``service_min``, ``wait_min``, ``n_visits``,
        ``travel_home_min``.
    bases
        Per base: ``base_id``, ``name``, ``nurses`` per shift, ``visits``, ``routed``,
        ``not_served_staff``, ``travel_min_per_day``, ``travel_min_per_visit``,
        ``road_share`` (of the shift time of nurses on duty), ``fte_needed``.
    unreachable
        Per municipality: ``municipality``, ``name``, ``clients`` and daily ``visits`` no base
        reaches within a shift, ``clients_no_road`` and ``visits_no_road`` outside the road
        data (only municipalities with any).
    cells
        Per cell: ``cell_id``, ``service`` (``kotihoito``), ``visits_per_year`` (the demand
        model's home contacts), ``served_per_year``, ``not_served_per_year`` (ESTIMATE: the
        representative day's shares of the cell's base applied to the year).
    figures
        Totals and how they were made (seed, sampling, routing).
    """

    visits: pd.DataFrame
    routes: pd.DataFrame
    bases: pd.DataFrame
    unreachable: pd.DataFrame
    cells: pd.DataFrame
    params: HomeCareParams
    figures: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """A short text of the day's figures."""
        f = self.figures
        return (
            f"home care, representative weekday (seed {f['seed']}): {f['visits']:,} visits from "
            f"{len(self.bases)} bases, {f['routed']:,} routed, {f['not_served_staff']:,} not "
            f"served with the staff given, {f['unreachable']:,} no base reaches within a shift, "
            f"{f['no_road']:,} outside the road data; "
            f"staff travel {f['travel_hours_per_day']:,.1f} h a day, "
            f"{f['travel_min_per_visit']:.1f} min per visit; FTE needed for visits and travel "
            f"{f['fte_needed']:,.1f}. {f['method']}"
        )

    def write(self, out: str | Path) -> Path:
        """Write ``visits.csv``, ``routes.csv``, ``bases.csv``, ``unreachable.csv``,
        ``cells.csv`` and ``plan.json`` to folder ``out`` (atomically)."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        for name in ("visits", "routes", "bases", "unreachable", "cells"):
            getattr(self, name).to_csv(tmp / f"{name}.csv", index=False)
        p = self.params
        meta = {
            "n_visits": len(self.visits),
            "shift": {
                "start_min": min(s.start_min for s in p.shifts),
                "end_min": max(s.end_min for s in p.shifts),
                "max_minutes": p.longest_shift_min,
            },
            "shifts": [[s.name, s.start_min, s.end_min] for s in p.shifts],
            "visit_minutes": p.visit_minutes,
            "figures": self.figures,
        }
        (tmp / "plan.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        return out


@dataclass(frozen=True, eq=False)
class BaseDay:
    """Inputs of one base for :func:`plan_bases`: its id, name, nurses per shift, the visits'
    row indices into the day's visit table and the ``(1 + n, 1 + n)`` drive minutes."""

    base_id: str
    name: str
    nurses: np.ndarray
    rows: np.ndarray
    minutes: np.ndarray


def plan_bases(
    visits: pd.DataFrame,
    days: list[BaseDay],
    params: HomeCareParams,
    *,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Route every base's visits; fill ``visits`` status columns, return (visits, routes, bases).

    ``visits`` needs ``visit_id``, ``tw_early_min``, ``tw_late_min`` and ``status`` (visits
    already ``not_served`` (unreachable, no road) are skipped).
    """
    visits = visits.copy()
    for col, default in (("route", -1), ("position", 0)):
        visits[col] = default
    visits["start_min"] = np.nan
    visits["travel_in_min"] = np.nan
    routes: list[pd.DataFrame] = []
    rows_b: list[dict[str, Any]] = []
    for k, day in enumerate(days):
        rows = day.rows
        reach = visits.loc[rows, "status"].to_numpy() != "not_served"
        rows = rows[reach]
        keep = np.concatenate([[0], np.flatnonzero(reach) + 1])
        mins = day.minutes[np.ix_(keep, keep)]
        secs = np.rint(mins * 60).astype(np.int64)
        np.fill_diagonal(secs, 0)
        early = (visits.loc[rows, "tw_early_min"].to_numpy() * 60).astype(np.int64)
        late = (visits.loc[rows, "tw_late_min"].to_numpy() * 60).astype(np.int64)
        res = route_base(secs, early, late, day.nurses, params, seed=seed)
        v = res.visits.sort_values(["route", "position"])
        idx = rows[v["client"].to_numpy()]
        prev = np.where(v["position"].to_numpy() == 1, 0, np.r_[0, v["client"].to_numpy()[:-1] + 1])
        travel_in = secs[prev, v["client"].to_numpy() + 1] / 60.0
        visits.loc[idx, "status"] = "routed"
        visits.loc[idx, "route"] = v["route"].to_numpy()
        visits.loc[idx, "position"] = v["position"].to_numpy()
        visits.loc[idx, "start_min"] = v["start"].to_numpy() / 60.0
        visits.loc[idx, "travel_in_min"] = travel_in
        left = rows[res.unvisited]
        visits.loc[left, "status"] = "not_served"
        visits.loc[left, "reason"] = "staff"
        r = res.routes.copy()
        last = v.groupby("route")["client"].last()
        home = secs[last.to_numpy() + 1, 0] / 60.0
        frame = pd.DataFrame(
            {
                "base_id": day.base_id,
                "route": r["route"].to_numpy(),
                "shift": r["vehicle_kind"].to_numpy(),
                "depart": r["start"].to_numpy() / 60.0,
                "return": r["end"].to_numpy() / 60.0,
                "travel_min": r["travel"].to_numpy() / 60.0,
                "service_min": r["service"].to_numpy() / 60.0,
                "wait_min": r["wait"].to_numpy() / 60.0,
                "n_visits": r["n_visits"].to_numpy(),
                "travel_home_min": pd.Series(home, index=last.index).reindex(r["route"]).to_numpy(),
            }
        )
        routes.append(frame)
        rows_b.append(_base_row(day, visits, frame, params, int(reach.size)))
        if progress is not None:
            progress(k + 1, len(days))
        log.info("home care base %s: %s", day.base_id, res.summary())
    all_routes = (
        pd.concat(routes, ignore_index=True) if routes else pd.DataFrame(columns=["base_id"])
    )
    bases = pd.DataFrame(rows_b)
    return visits, all_routes, bases


def _base_row(
    day: BaseDay, visits: pd.DataFrame, routes: pd.DataFrame, params: HomeCareParams, n: int
) -> dict[str, Any]:
    mine = visits.loc[day.rows]
    routed = int((mine["status"] == "routed").sum())
    staff = int((mine["reason"] == "staff").sum())
    unreachable = int(mine["reason"].isin(["unreachable", "no_road"]).sum())
    travel = float(routes["travel_min"].sum())
    per_visit = travel / routed if routed else float("nan")
    on_duty = float(sum(k * s.minutes for k, s in zip(day.nurses, params.shifts, strict=True)))
    extra = staff * (params.visit_minutes + (per_visit if routed else 0.0))
    hours = (travel + routed * params.visit_minutes + extra) / 60.0
    return {
        "base_id": day.base_id,
        "name": day.name,
        **{f"nurses_{s.name}": int(k) for s, k in zip(params.shifts, day.nurses, strict=True)},
        "visits": n,
        "routed": routed,
        "not_served_staff": staff,
        "unreachable": unreachable,
        "nurses_used": len(routes),
        "travel_min_per_day": travel,
        "travel_min_per_visit": per_visit,
        "road_share": travel / on_duty if on_duty > 0 else float("nan"),
        "road_share_of_routes": travel / float((routes["return"] - routes["depart"]).sum())
        if len(routes)
        else float("nan"),
        "fte_needed": hours * 365.0 / params.productive_hours_per_fte_year,
    }
