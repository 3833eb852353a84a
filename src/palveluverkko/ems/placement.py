"""Placing units of a region among candidate stations: :func:`optimize_ems`.

The adapter from a Region to the MILPs of :mod:`.optimize`; the CLI only calls it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InfeasibleError, InputError
from ..network import RoadNetwork
from ..region.model import Region
from .evaluation import criteria, evaluate_ems
from .fleet import Fleet, candidate_stations, default_fleet
from .grid import RiskGrid, risk_grid
from .optimize import (
    PlacementProblem,
    PlacementResult,
    coverage_front,
    max_expected_coverage,
    min_cost_cover,
)
from .params import CLASSES, HOURS_PER_WEEK, EmsParams, default_params
from .response import DriveTimes, busy_minutes, drive_minutes, response_minutes, urgency_mix

__all__ = ["EmsOptimization", "optimize_ems"]

log = logging.getLogger("palveluverkko.ems")


@dataclass(frozen=True)
class EmsOptimization:
    """A placement of units among candidate stations and what it gives.

    Attributes
    ----------
    result
        The MILP's result (objective, proven bound, gap).
    fleet
        The chosen fleet (candidate stations with their unit counts; stations without units
        kept in the table).
    front
        Units against expected coverage with bounds (when asked).
    busy
        The busy fraction per period used by the model.
    total_weight
        Yearly missions-criteria the objective can cover at most.
    verification
        Least cost: per attempt (busy level, local refinement), line and class the target, the
        hypercube share of that attempt's placement (``met``), its cost and units.
    """

    result: PlacementResult
    fleet: Fleet
    front: pd.DataFrame | None
    busy: np.ndarray
    total_weight: float
    verification: pd.DataFrame | None = None

    def chosen(self) -> pd.DataFrame:
        """Stations with at least one unit."""
        st = self.fleet.stations
        return st[self.fleet.counts().sum(axis=1) > 0].reset_index(drop=True)

    def summary(self) -> str:
        """The result, the stations chosen and the share of the coverage objective reached."""
        r = self.result
        share = r.objective / self.total_weight if r.model == "max_coverage" else math.nan
        head = r.summary()
        if r.model == "max_coverage":
            head += f"; expected coverage {share:.1%} of missions-criteria"
        if self.verification is not None:
            ok = self.verification.groupby("round")["met"].all()
            head += f"; hypercube check of {len(ok)} attempt(s): " + (
                "the chosen placement meets every target"
                if ok.any()
                else "none meets every target (the last is shown)"
            )
        return head + f"; {self.fleet.summary()}"


def _hypercube_check(
    region: Region,
    params: EmsParams,
    grid: RiskGrid,
    cand: Fleet,
    drive: DriveTimes,
    shift_names: Sequence[str],
    counts: np.ndarray,
    period_of_hour: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a placement with the hypercube approximation.

    Returns the share within target per line and class (NaN without missions), each
    candidate station's mean unit busy fraction (NaN without units) and each period's busy
    level relative to the week's mean.
    """
    full = np.zeros((len(cand.stations), len(cand.shift_names)), dtype=np.int64)
    for k, s in enumerate(shift_names):
        full[:, cand.shift_names.index(s)] = counts[:, k]
    used = np.flatnonzero(full.sum(axis=1) > 0)
    fleet = Fleet(cand.stations.iloc[used].reset_index(drop=True)).with_counts(full[used])
    ev = evaluate_ems(region, params, stations=fleet, grid=grid, drive=drive.subset(used))
    shares = ev.decision["share_within"].to_numpy(dtype=np.float64)  # lines x CLASSES order
    station_busy = np.full(len(cand.stations), np.nan)
    per_station = ev.units.groupby("station")["busy_fraction"].mean()
    station_busy[used[per_station.index.to_numpy()]] = per_station.to_numpy()
    hourly = ev.hours["mean_busy"].to_numpy()
    mean = hourly[hourly > 0].mean() if (hourly > 0).any() else 1.0
    n_p = int(period_of_hour.max()) + 1
    level = np.array([hourly[period_of_hour == k].mean() / mean for k in range(n_p)])
    return shares, station_busy, level


def _local_busy(
    covers: np.ndarray, station_busy: np.ndarray, level: np.ndarray, default: float
) -> np.ndarray:
    """``(n_points, n_periods)``: the mean busy fraction of the staffed stations that reach each
    point, times the period's level (``default`` where no staffed station reaches it)."""
    staffed = np.isfinite(station_busy)
    c = covers[:, staffed].astype(np.float64)
    n = c.sum(axis=1)
    local = np.where(n > 0, c @ station_busy[staffed] / np.maximum(n, 1), default)
    return np.clip(local[:, None] * level[None, :], 0.02, 0.95)


def _least_cost_verified(
    solve: Callable[[np.ndarray, float], PlacementResult],
    levels: np.ndarray,
    check: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
    local: Callable[[np.ndarray, np.ndarray], np.ndarray],
    required: np.ndarray,
    refine: bool,
) -> tuple[PlacementResult, pd.DataFrame]:
    """For each busy level ``b``: solve with busy fraction ``b`` everywhere (and enough units on
    duty to keep the mean below ``b``), check with the hypercube; when a target falls short,
    solve once more with each point's local busy fraction from the check (never below ``b``).
    Keep the cheapest placement that meets every target (else the last one)."""
    rows = []
    best: PlacementResult | None = None
    res: PlacementResult | None = None
    attempt = 0
    last_error: InfeasibleError | None = None
    for b in levels:
        busy: np.ndarray = np.asarray([b])
        tries = 2 if refine else 1
        for t in range(tries):
            try:
                res = solve(busy, float(b))
            except InfeasibleError as exc:
                log.info("ems least cost: infeasible at busy level %.3f", b)
                last_error = exc
                break
            got, station_busy, level = check(res.counts)
            short = np.where(np.isnan(got), 0.0, required - got)
            met = bool((short <= 1e-9).all())
            for gi in range(required.size):
                rows.append(
                    {
                        "round": attempt,
                        "busy_level": float(b),
                        "local_busy": t > 0,
                        "line": gi // len(CLASSES),
                        "risk_class": CLASSES[gi % len(CLASSES)],
                        "target_share": required[gi],
                        "hypercube_share": got[gi],
                        "met": bool(short[gi] <= 1e-9),
                        "cost_eur": res.objective,
                        "units": res.n_units,
                    }
                )
            attempt += 1
            if met:
                if best is None or res.objective < best.objective:
                    best = res
                break
            busy = np.maximum(local(station_busy, level), b)
    if best is None and res is None:
        raise last_error or InfeasibleError("no placement was found at any busy level")
    chosen = best if best is not None else res
    assert chosen is not None
    return chosen, pd.DataFrame(rows)


def _periods(
    params: EmsParams, shift_names: Sequence[str], hour_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Periods of the week with one set of shifts on duty: (on (P, K), alarm share, period of
    each hour)."""
    masks = np.vstack([params.shifts[s].on_duty() for s in shift_names]).T  # (168, K)
    keys, inv = np.unique(masks, axis=0, return_inverse=True)
    weight = np.bincount(inv.ravel(), weights=hour_w, minlength=len(keys))
    return keys.astype(bool), weight, inv.ravel()


def optimize_ems(
    region: Region,
    params: EmsParams | None = None,
    *,
    n_units: int | None = None,
    candidates: Fleet | int = 100,
    stations: Fleet | None = None,
    shifts: Sequence[str] | None = None,
    must_keep: Sequence[str] = (),
    max_per_station: int = 3,
    front: Sequence[int] = (),
    missions: pd.DataFrame | None = None,
    grid: RiskGrid | None = None,
    drive: DriveTimes | None = None,
    network: RoadNetwork | None = None,
    time_limit_s: float = 60.0,
    gap: float = 0.005,
    busy: float | None = None,
    max_busy: float = 0.3,
    busy_levels: int = 3,
    refine_local: bool = True,
) -> EmsOptimization:
    """Place units among candidate stations.

    With ``n_units``: maximise expected coverage (MEXCLP) of the decision's criteria with that
    many units of the allowed ``shifts`` (default ``("24h",)``). Without: the least yearly cost
    of units and shifts (all shifts of the parameters) whose expected coverage meets every
    class's target share. The workload (busy minutes of each mission served from its nearest
    candidate) sets the busy fraction: for ``n_units`` units it is workload / ``n_units``
    (Daskin); for least cost see ``busy_levels``.

    Parameters
    ----------
    candidates
        Candidate stations, or how many to build with :func:`~.fleet.candidate_stations`
        (starting with the fleet's stations).
    stations
        Today's stations and units (default :func:`~.fleet.default_fleet`): they lead the
        candidates, and their units start the least-cost iteration.
    must_keep
        Station ids that keep at least one unit (added to the candidates' ``must_keep``).
    max_per_station
        Most units at one station (raised to today's largest station when that is more).
    front
        Numbers of units for a front of expected coverage with proven bounds.
    busy
        A fixed busy fraction instead of the workload rule.
    max_busy
        Least cost: the highest busy fraction allowed in any period (ASSUMPTION 0.3; Finnish
        units are typically busy 20-35 % of their time).
    busy_levels, refine_local
        Least cost: MEXCLP counts a point covered with the chance that not every unit within
        reach is busy, with one busy fraction ``b``. The model is solved for ``busy_levels``
        values of ``b`` from today's level (the workload over today's units on duty) to
        ``max_busy``, each with enough units on duty in every period to keep the mean busy
        fraction at most ``b``; every placement is checked with the hypercube approximation
        (:func:`~.evaluation.evaluate_ems`); when a target falls short and ``refine_local``,
        the model is solved once more with each point's local busy fraction from the check
        (the busy centres). The cheapest placement that meets every target is kept;
        ``verification`` lists every attempt.
    """
    p = params or default_params()
    g = grid if grid is not None else risk_grid(region, p, missions=missions)
    f0 = (stations if stations is not None else default_fleet(region, p)).check(p)
    cand = (
        candidates
        if isinstance(candidates, Fleet)
        else candidate_stations(region, g, p, int(candidates), fleet=f0)
    )
    cand = cand.check(p)
    keep = cand.stations["must_keep"].to_numpy(bool).copy()
    ids = cand.stations["station_id"].astype(str).tolist()
    unknown = [s for s in must_keep if s not in ids]
    if unknown:
        raise InputError(
            f"must-keep station(s) {', '.join(unknown)} are not among the candidates; "
            "give ids of the stations table"
        )
    keep |= np.isin(ids, list(must_keep))
    if len(f0.stations):
        max_per_station = max(max_per_station, int(f0.counts().sum(axis=1).max()))
    if drive is None:
        drive = drive_minutes(region, cand.xy(), g.xy(), network=network)
    y = g.missions()
    resp = response_minutes(drive.minutes, p)
    bm = busy_minutes(drive.minutes, urgency_mix(y), p)
    nearest_busy = np.where(np.isfinite(bm).any(axis=1), bm.min(axis=1, initial=np.inf), 0.0)
    nearest_busy[~np.isfinite(nearest_busy)] = 0.0
    load_per_hour = (y.sum(axis=1) * nearest_busy).sum() / (365.0 * 24.0 * 60.0)  # busy units
    shift_names = list(p.shifts) if n_units is None else list(shifts or ("24h",))
    bad = [s for s in shift_names if s not in p.shifts]
    if bad:
        raise InputError(f"shift(s) {', '.join(bad)} unknown; expected {', '.join(p.shifts)}")
    period_on, period_w, period_of_hour = _periods(p, shift_names, g.hour_of_week)
    crit = criteria(p)
    cls = g.class_index()
    covers = np.vstack([resp[:, :, u] <= t for u, t, _ in crit])
    weight = np.concatenate([y[:, u] for u, _, _ in crit])
    group = np.concatenate([line * len(CLASSES) + cls for _, _, line in crit])
    required = np.array([t.share[c] for t in p.targets for c in CLASSES])
    hours_per_period = np.bincount(period_of_hour, minlength=len(period_w))
    # alarms per hour relative to the mean, per period: the load is higher in busy hours
    rate_factor = np.where(hours_per_period > 0, period_w / np.maximum(hours_per_period, 1), 0) * (
        HOURS_PER_WEEK
    )
    shift_cost = np.array([p.shifts[s].hours_per_year * p.eur_per_unit_hour for s in shift_names])

    def problem(q: np.ndarray, min_on: np.ndarray | None = None) -> PlacementProblem:
        return PlacementProblem(
            covers=covers.astype(bool),
            weight=weight,
            group=group,
            required_share=required,
            period_weight=period_w,
            period_on=period_on,
            busy=q,
            shift_cost=shift_cost,
            must_keep=keep,
            max_per_station=max_per_station,
            group_names=tuple(f"{t.label} {c}" for t in p.targets for c in CLASSES),
            min_units_on=min_on,
        )

    def q_for(units_on: np.ndarray) -> np.ndarray:
        if busy is not None:
            return np.full(len(period_w), float(busy))
        return np.clip(load_per_hour * rate_factor / np.maximum(units_on, 1), 0.0, 0.95)

    fr = None
    res: PlacementResult | None = None
    verification: pd.DataFrame | None = None
    if front:  # each number of units with its own busy fraction (Daskin's q falls with N)
        parts = [
            coverage_front(
                problem(q_for(np.full(len(period_w), float(n)))),
                [n],
                time_limit_s=time_limit_s,
                gap=gap,
            )
            for n in front
        ]
        fr = pd.concat(parts, ignore_index=True)
        fr["share"] = fr["expected_covered"] / float(weight.sum())
        fr["bound_share"] = fr["bound"] / float(weight.sum())
    if n_units is not None:
        q = q_for(np.full(len(period_w), float(n_units)))
        res = max_expected_coverage(problem(q), n_units, time_limit_s=time_limit_s, gap=gap)
    else:
        if not 0 < max_busy < 1:
            raise InputError(f"max_busy must lie in (0, 1); found {max_busy}")
        # the busiest hour of each period sets its fewest units on duty
        hourly_w = g.hour_of_week * HOURS_PER_WEEK  # alarms per hour relative to the mean
        peak = np.array([hourly_w[period_of_hour == k].max() for k in range(len(period_w))])
        # today's units on the candidates (matched by station id), a starting point for HiGHS
        today = np.zeros((len(cand.stations), len(shift_names)), dtype=np.int64)
        row_of = {sid: i for i, sid in enumerate(ids)}
        for sid, row in zip(f0.stations["station_id"].astype(str), f0.counts(), strict=True):
            if sid in row_of:
                for k, s in enumerate(shift_names):
                    if s in f0.shift_names:
                        today[row_of[sid], k] = row[f0.shift_names.index(s)]
        # busy levels from today's (the workload over today's units on duty) up to max_busy
        units_today = period_on.astype(np.float64) @ today.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            today_busy = float(
                np.average(
                    np.clip(load_per_hour * rate_factor / np.maximum(units_today, 1.0), 0.0, 1.0),
                    weights=period_w,
                )
            )
        low = float(np.clip(today_busy, 0.02, max_busy))
        levels = (
            np.array([float(busy)])
            if busy is not None
            else np.unique(np.round(np.linspace(low, max_busy, max(busy_levels, 1)), 4))
        )

        def solve_at(q_now: np.ndarray, level: float) -> PlacementResult:
            q_arr = (
                np.full(len(period_w), float(q_now[0]))
                if q_now.size == 1
                else np.asarray(q_now, dtype=np.float64)
            )
            min_on = np.ceil(load_per_hour * peak / level - 1e-9)
            return min_cost_cover(
                problem(q_arr, min_on), time_limit_s=time_limit_s, gap=gap, start=today
            )

        res, verification = _least_cost_verified(
            solve_at,
            levels,
            lambda counts: _hypercube_check(
                region, p, g, cand, drive, shift_names, counts, period_of_hour
            ),
            lambda station_busy, level: _local_busy(covers, station_busy, level, max_busy),
            required,
            refine_local,
        )
        q = levels
    if res is None:  # pragma: no cover (one branch always solves)
        raise RuntimeError("no placement was solved")
    counts = np.zeros((len(cand.stations), len(cand.shift_names)), dtype=np.int64)
    for k, s in enumerate(shift_names):
        counts[:, cand.shift_names.index(s)] = res.counts[:, k]
    chosen = cand.with_counts(counts)
    total = float(weight.sum() * np.sum(period_w))
    return EmsOptimization(res, chosen, fr, q, total, verification)
