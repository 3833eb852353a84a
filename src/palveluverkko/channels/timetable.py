"""Timetables of mobile units: periodic day tours with PyVRP and rotations (see :mod:`.mobile`).

Cores on arrays: they receive the chosen stops (indices into the candidates), their eligible
contacts a year and the drive matrices, and return the stops, timetable and day tables.
"""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError
from .unit import MobileUnit, _hhmm
from .vrp import RoutingParams, RoutingProblem, RoutingResult, VehicleKind, solve_routing

if TYPE_CHECKING:
    from .mobile import MobileInputs, MobileParams

__all__ = ["DAY_S", "WEEKDAYS_FI", "allocate", "day_tour", "rotation"]

log = logging.getLogger("palveluverkko.channels")

WEEKDAYS_FI = ("ma", "ti", "ke", "to", "pe", "la", "su")
DAY_S = 86_400
PRIZE = 10_000_000  # metres: a visit outweighs a 10,000 km detour


def allocate(total: int, weights: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Share ``total`` units among items by ``weights`` (largest remainder), each between 1 and
    ``cap``; fewer when the caps bind. ``total`` must be at least ``len(weights)``."""
    n = len(weights)
    out = np.ones(n, dtype=np.int64)
    cap = np.asarray(cap, dtype=np.int64)
    left = total - n
    w = np.asarray(weights, dtype=np.float64)
    while left > 0:
        room = out < cap
        if not room.any():
            break
        share = np.where(room, w, 0.0)
        if share.sum() <= 0:
            share = room.astype(np.float64)
        ideal = out + left * share / share.sum()
        floor = np.minimum(np.floor(ideal).astype(np.int64), cap)
        add = floor - out
        if add.sum() == 0:  # hand out one by one by the largest remainder
            order = np.argsort(-(ideal - out) * room, kind="stable")
            add = np.zeros(n, dtype=np.int64)
            add[order[: min(left, int(room.sum()))]] = 1
            add = np.minimum(add, cap - out)
        out += add
        left -= int(add.sum())
    return out


# --- day tours ------------------------------------------------------------------------------


def _cycle_days(unit: MobileUnit) -> list[tuple[int, int]]:
    """(week, weekday) of each operating day of the cycle, in order."""
    return [(w, d) for w in range(unit.cycle_weeks) for d in sorted(unit.weekdays)]


def _tour_problem(
    unit: MobileUnit, inp: MobileInputs, chosen: np.ndarray, freq: np.ndarray, required: bool
) -> tuple[RoutingProblem, np.ndarray, np.ndarray]:
    days = _cycle_days(unit)
    D = len(days)
    start = [(w * 7 + d) * DAY_S + unit.day_start_min * 60 for w, d in days]
    end = [(w * 7 + d) * DAY_S + unit.day_end_min * 60 for w, d in days]
    service = round(unit.visit_minutes * 60)
    stop_of, visit_no, early, late = [], [], [], []
    for j, f in enumerate(freq):
        for k in range(int(f)):
            d0, d1 = (k * D) // f, ((k + 1) * D) // f
            stop_of.append(j)
            visit_no.append(k + 1)
            early.append(start[d0])
            late.append(end[d1 - 1] - service)
    order = np.concatenate([[0], chosen + 1])
    secs = np.rint(inp.travel_minutes[np.ix_(order, order)] * 60)
    metres = np.rint(inp.travel_km[np.ix_(order, order)] * 1000)
    np.fill_diagonal(secs, 0.0)
    np.fill_diagonal(metres, 0.0)
    if not (np.isfinite(secs).all() and np.isfinite(metres).all()):
        raise InputError(
            f"unit {unit.name!r}: a chosen stop cannot be reached from the depot by road; "
            "move the depot or the stop"
        )
    fixed = (
        round(unit.cost_eur_per_day / unit.cost_eur_per_km * 1000)
        if (unit.cost_eur_per_km > 0)
        else 0
    )
    vehicles = tuple(
        VehicleKind(
            name=str(c),
            early=start[c],
            late=end[c],
            max_duration=end[c] - start[c],
            fixed_cost=fixed,
        )
        for c in range(D)
    )
    n = len(stop_of)
    problem = RoutingProblem(
        duration=secs.astype(np.int64),
        distance=metres.astype(np.int64),
        depot_location=np.array([0], dtype=np.int64),
        client_location=np.asarray(stop_of, dtype=np.int64) + 1,
        service=np.full(n, service, dtype=np.int64),
        early=np.asarray(early, dtype=np.int64),
        late=np.asarray(late, dtype=np.int64),
        required=np.full(n, required),
        prize=np.full(n, 0 if required else PRIZE, dtype=np.int64),
        vehicles=vehicles,
        time_unit="s",
    )
    return problem, np.asarray(stop_of, dtype=np.int64), np.asarray(visit_no, dtype=np.int64)


def day_tour(
    unit: MobileUnit,
    inp: MobileInputs,
    chosen: np.ndarray,
    eligible: np.ndarray,
    capacity_visits: int,
    params: MobileParams,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray, str]:
    D = unit.days_per_cycle
    per_cycle = eligible / unit.cycles_per_year
    need = np.clip(np.ceil(per_cycle / unit.contacts_per_visit), 1, D).astype(np.int64)
    freq = allocate(max(capacity_visits, len(chosen)), per_cycle, need)
    rp = RoutingParams(time_limit_s=params.time_limit_s, no_improvement=params.no_improvement)
    problem, stop_of, _ = _tour_problem(unit, inp, chosen, freq, required=False)
    res = solve_routing(problem, rp, seed=seed)
    got = np.bincount(stop_of[res.visits["client"].to_numpy()], minlength=len(chosen))
    solves = 1
    if (got != freq).any():  # re-plan with the visits each stop got, evenly spread, required
        keep = np.flatnonzero(got > 0)
        problem2, stop2, _ = _tour_problem(unit, inp, chosen[keep], got[keep], required=True)
        res2 = solve_routing(problem2, rp, seed=seed)
        solves += 1
        if res2.feasible:
            res, stop_of, chosen_idx, freq_used = res2, keep[stop2], keep, got[keep]
        else:
            chosen_idx, freq_used = keep, got[keep]
            log.warning(
                "mobile: the evenly spread re-plan was infeasible; kept the first plan, whose "
                "repeat visits may be unevenly spaced"
            )
    else:
        chosen_idx, freq_used = np.arange(len(chosen)), freq
    served = np.zeros(len(chosen))
    served[chosen_idx] = np.minimum(
        eligible[chosen_idx], freq_used * unit.contacts_per_visit * unit.cycles_per_year
    )
    timetable, days = _tour_tables(unit, inp, chosen, res, stop_of)
    stops = pd.DataFrame(
        {
            "stop_index": chosen_idx,
            "stop_id": inp.cand_ids[chosen][chosen_idx],
            "name": inp.cand_names[chosen][chosen_idx],
            "municipality": inp.cand_municipality[chosen][chosen_idx],
            "visits_needed": need[chosen_idx],
            "visits_per_cycle": freq_used,
        }
    )
    routing = (
        f"Timetable by PyVRP ({solves} solve(s), {res.seconds:.1f} s last; a heuristic: "
        "feasible, optimality not proven)."
    )
    return stops, timetable, days, served[chosen_idx], routing


def _tour_tables(
    unit: MobileUnit,
    inp: MobileInputs,
    chosen: np.ndarray,
    res: RoutingResult,
    stop_of: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = _cycle_days(unit)
    v = res.visits.sort_values(["vehicle_kind", "start"], key=_numeric_kind)
    stop_idx = chosen[stop_of[v["client"].to_numpy()]]
    day = v["vehicle_kind"].astype(int).to_numpy()
    week = np.array([days[c][0] for c in day], dtype=np.int64)
    wday = np.array([days[c][1] for c in day], dtype=np.int64)
    t0 = (week * 7 + wday) * DAY_S
    start_min = (v["start"].to_numpy() - t0) / 60.0
    end_min = (v["end"].to_numpy() - t0) / 60.0
    services = ", ".join(unit.services)
    timetable = pd.DataFrame(
        {
            "stop_id": inp.cand_ids[stop_idx],
            "stop_name": inp.cand_names[stop_idx],
            "week": week + 1,
            "weekday": wday,
            "weekday_fi": [WEEKDAYS_FI[d] for d in wday],
            "arrive": [_hhmm(round(m)) for m in start_min],
            "open": [_hhmm(round(m + unit.setup_minutes_per_stop)) for m in start_min],
            "close": [_hhmm(round(m)) for m in end_min],
            "services": services,
            "day": day,
        }
    ).sort_values(["day", "arrive"], kind="stable")
    timetable["visit"] = timetable.groupby("stop_id").cumcount() + 1
    r = res.routes
    rday = r["vehicle_kind"].astype(int).to_numpy()
    rweek = np.array([days[c][0] for c in rday], dtype=np.int64)
    rwd = np.array([days[c][1] for c in rday], dtype=np.int64)
    base = (rweek * 7 + rwd) * DAY_S
    out_days = pd.DataFrame(
        {
            "day": rday,
            "week": rweek + 1,
            "weekday": rwd,
            "depart": (r["start"].to_numpy() - base) / 60.0,
            "return": (r["end"].to_numpy() - base) / 60.0,
            "km": r["distance"].to_numpy() / 1000.0,
            "drive_minutes": r["travel"].to_numpy() / 60.0,
        }
    ).sort_values("day", kind="stable")
    return timetable.reset_index(drop=True), out_days.reset_index(drop=True)


def _numeric_kind(col: pd.Series) -> pd.Series:
    return col.astype(int) if col.name == "vehicle_kind" else col


# --- rotations ------------------------------------------------------------------------------


def rotation(
    unit: MobileUnit,
    inp: MobileInputs,
    chosen: np.ndarray,
    eligible: np.ndarray,
    params: MobileParams,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray, str]:
    weeks = allocate(unit.rotation_weeks, eligible, np.full(len(chosen), unit.rotation_weeks))
    order = np.concatenate([[0], chosen + 1])
    secs = np.rint(inp.travel_minutes[np.ix_(order, order)] * 60)
    metres = np.rint(inp.travel_km[np.ix_(order, order)] * 1000)
    np.fill_diagonal(secs, 0.0)
    np.fill_diagonal(metres, 0.0)
    if not (np.isfinite(secs).all() and np.isfinite(metres).all()):
        raise InputError(f"unit {unit.name!r}: a chosen stop cannot be reached by road")
    tour = solve_routing(
        RoutingProblem(
            duration=secs.astype(np.int64),
            distance=metres.astype(np.int64),
            depot_location=np.array([0], dtype=np.int64),
            client_location=np.arange(1, len(chosen) + 1, dtype=np.int64),
            service=np.zeros(len(chosen), dtype=np.int64),
            vehicles=(VehicleKind("move"),),
        ),
        RoutingParams(
            time_limit_s=min(params.time_limit_s, 2.0), no_improvement=params.no_improvement
        ),
        seed=seed,
    )
    seq = tour.visits.sort_values("position")["client"].to_numpy()
    first = np.zeros(len(chosen), dtype=np.int64)
    first[seq] = np.concatenate([[0], np.cumsum(weeks[seq])[:-1]]) + 1
    op_share = unit.operating_weeks_per_year / 52.0
    per_week = len(unit.weekdays) * (unit.day_minutes - unit.setup_minutes_per_stop)
    capacity = weeks * op_share * per_week / unit.minutes_per_contact * (52.0 / unit.rotation_weeks)
    served = np.minimum(eligible, capacity)  # a year's demand against a year's capacity
    days_txt = ", ".join(WEEKDAYS_FI[d] for d in sorted(unit.weekdays))
    timetable = pd.DataFrame(
        {
            "stop_id": inp.cand_ids[chosen][seq],
            "stop_name": inp.cand_names[chosen][seq],
            "first_week": first[seq],
            "last_week": first[seq] + weeks[seq] - 1,
            "weekdays_fi": days_txt,
            "open": _hhmm(unit.day_start_min),
            "close": _hhmm(unit.day_end_min),
            "services": ", ".join(unit.services),
        }
    )
    loc = np.concatenate([[0], seq + 1, [0]])
    km = inp.travel_km[np.ix_(order, order)]
    moves = pd.DataFrame(
        {
            "from": ["depot", *inp.cand_ids[chosen][seq]],
            "to": [*inp.cand_ids[chosen][seq], "depot"],
            "km": [km[a, b] for a, b in itertools.pairwise(loc)],
        }
    )
    stops = pd.DataFrame(
        {
            "stop_index": np.arange(len(chosen)),
            "stop_id": inp.cand_ids[chosen],
            "name": inp.cand_names[chosen],
            "municipality": inp.cand_municipality[chosen],
            "weeks": weeks,
            "first_week": first,
        }
    )
    routing = "Rotation order by PyVRP (a heuristic shortest tour; optimality not proven)."
    return stops, timetable, moves, served, routing
