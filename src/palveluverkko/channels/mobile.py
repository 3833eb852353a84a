"""Mobile units: choosing stops and building their timetable (cores on arrays).

Stops
-----
Given candidate stops ``j``, cells ``i`` with weights ``w_i`` (the unit's contacts per year
that its residents could bring to a stop) and drive times ``t_ij``, the stops are the ``p``
candidates of a maximal covering location problem (:func:`palveluverkko.locate.mclp`):
maximise ``sum_i w_i [min_{j open} t_ij <= T]``. Each cell then belongs to its nearest open stop
within ``T``; a stop's eligible contacts are ``E_j = u * sum_{i -> j} w_i`` (``u`` the
uptake share).

Day tours (periodic VRP)
------------------------
A cycle has ``D`` operating days (weekdays x weeks). Stop ``j`` needs
``f_j = min(D, ceil(E_j / (C * v)))`` visits per cycle (``C`` cycles a year, ``v`` contacts a
visit can take); when ``sum f_j`` exceeds the visits that fit (``D`` times the visits a day
holds) the visits are shared in proportion to demand (largest remainder, at least one each).
Visit ``k`` of ``f_j`` is pinned to the days ``[floor(kD/f), floor((k+1)D/f))`` so repeat
visits spread over the cycle, and PyVRP gets one vehicle type per operating day whose time
window is that day's hours (absolute time over the cycle): a visit's window reaches only its
days, so its vehicle is one of those days. Visits are optional with a prize that outweighs any
detour; stops that get fewer visits than planned are re-planned with the visits they got
(evenly spread again, all required), so a stop in the timetable always gets its planned
frequency. PyVRP is a heuristic: a feasible timetable is found, its optimality is not proven.

Rotations
---------
Dental units stay weeks or months at a stop (DOMAIN.md). The ``rotation_weeks`` are shared
among the stops in proportion to ``E_j`` (largest remainder, at least one week each), the
order is a shortest tour through them (PyVRP, one vehicle), and a stop serves
``min(E_j * weeks_j / 52, capacity of its weeks)``.

Contacts are conserved: per cell and service, ``served + not_served = eligible`` and the cells'
``contacts_per_year`` minus ``served`` remain with the sites.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..locate import mclp, problem_from_matrix
from ..locate.params import SolveParams
from . import texts
from .unit import MobileUnit, _hhmm
from .vrp import RoutingParams, RoutingProblem, RoutingResult, VehicleKind, solve_routing

__all__ = [
    "WEEKDAYS_FI",
    "MobileInputs",
    "MobileParams",
    "MobilePlan",
    "allocate",
    "plan_mobile_arrays",
]

log = logging.getLogger("palveluverkko.channels")

WEEKDAYS_FI = ("ma", "ti", "ke", "to", "pe", "la", "su")
DAY_S = 86_400
PRIZE = 10_000_000  # metres: a visit outweighs a 10,000 km detour
TRAVEL_ALLOWANCE_MIN = 20.0
"""Drive minutes assumed per stop visit when sizing a day (ASSUMPTION; PyVRP then decides)."""


@dataclass(frozen=True)
class MobileParams:
    """Solver parameters of a mobile plan.

    Attributes
    ----------
    time_limit_s
        PyVRP time per solve (a day tour runs one or two solves).
    stop_time_limit_s
        Time of the stop choice (MCLP).
    """

    time_limit_s: float = 4.0
    stop_time_limit_s: float = 3.0

    def __post_init__(self) -> None:
        if not (self.time_limit_s > 0 and self.stop_time_limit_s > 0):
            raise InputError("MobileParams: time limits must be > 0 seconds")


@dataclass(frozen=True, eq=False)
class MobileInputs:
    """Arrays a mobile plan needs (the Region adapter builds them).

    Attributes
    ----------
    cell_ids, cell_municipality, cell_residents
        ``(n_cells,)`` labels, municipality codes and residents.
    services
        Service codes of the columns of ``cell_contacts``.
    cell_contacts
        ``(n_cells, n_services)`` contacts per year of the unit's services that could come to a
        stop (physical and mobile channels).
    cell_weight_mask
        ``(n_cells,)`` cells that count for the unit (e.g. far from a site).
    cand_ids, cand_names, cand_municipality
        ``(n_cand,)`` candidate stops.
    cell_minutes
        ``(n_cells, n_cand)`` drive minutes, ``inf`` beyond the threshold or unreachable.
    travel_minutes, travel_km
        ``(1 + n_cand, 1 + n_cand)`` between the depot (index 0) and the candidates.
    """

    cell_ids: np.ndarray
    cell_municipality: np.ndarray
    cell_residents: np.ndarray
    services: tuple[str, ...]
    cell_contacts: np.ndarray
    cell_weight_mask: np.ndarray
    cand_ids: np.ndarray
    cand_names: np.ndarray
    cand_municipality: np.ndarray
    cell_minutes: np.ndarray
    travel_minutes: np.ndarray
    travel_km: np.ndarray


@dataclass(frozen=True, eq=False)
class MobilePlan:
    """A mobile unit's stops and timetable.

    Attributes
    ----------
    unit
        The unit.
    stops
        One row per chosen stop: ``stop_id``, ``name``, ``municipality``, ``residents_within``,
        ``eligible_per_year``, ``served_per_year``, ``visits_needed`` and ``visits_per_cycle``
        (day tour) or ``weeks`` and ``first_week`` (rotation).
    timetable
        What a resident reads. Day tour: ``stop_id``, ``stop_name``, ``week``, ``weekday``
        (0 = Monday), ``weekday_fi``, ``arrive``, ``open``, ``close``, ``services``, ``day``
        (0-based cycle day), ``visit`` (1-based of the stop). Rotation: ``stop_id``,
        ``stop_name``, ``first_week``, ``last_week``, weekdays, ``open``, ``close``, ``services``.
    days
        Day tour: per used day ``day``, ``week``, ``weekday``, ``depart``, ``return``
        (minutes after midnight), ``km``, ``drive_minutes``. Rotation: the moves.
    cells
        Per cell and service: ``cell_id``, ``service``, ``stop_id`` (or empty),
        ``contacts_per_year``, ``eligible``, ``served``, ``not_served``.
    travel_minutes
        Depot-and-stops drive minutes (depot first), for the checker.
    figures
        ``km_per_year``, ``hours_per_year``, ``days_per_year``, ``cost_eur_per_year``,
        ``contacts_served_per_year``, ``contacts_not_served_per_year`` (eligible, not served),
        ``residents_within`` and ``objective`` with ``routing`` (what PyVRP proved: nothing).
    """

    unit: MobileUnit
    stops: pd.DataFrame
    timetable: pd.DataFrame
    days: pd.DataFrame
    cells: pd.DataFrame
    travel_minutes: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """A short text with the unit's figures."""
        f = self.figures
        return (
            f"{self.unit.name} ({self.unit.shape}): {len(self.stops)} stops, "
            f"{f['days_per_year']:.0f} operating days, {f['km_per_year']:,.0f} km and "
            f"{f['hours_per_year']:,.0f} h a year, {f['cost_eur_per_year']:,.0f} EUR a year; "
            f"{f['contacts_served_per_year']:,.0f} contacts served a year, "
            f"{f['contacts_not_served_per_year']:,.0f} eligible ones not served; "
            f"{f['residents_within']:,.0f} residents within "
            f"{self.unit.stops.threshold_min:g} min of a stop. {f['routing']}"
        )

    def write(self, out: str | Path) -> Path:
        """Write the plan to folder ``out`` (atomically: built beside it, then renamed).

        Files: ``stops.csv``, ``timetable.csv``, ``days.csv``, ``cells.csv``,
        ``travel_minutes.csv`` and ``plan.json`` (the unit's rules and the figures), which
        :func:`palveluverkko.channels.check.check_mobile_plan` re-reads.
        """
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        self.stops.to_csv(tmp / "stops.csv", index=False)
        self.timetable.to_csv(tmp / "timetable.csv", index=False)
        self.days.to_csv(tmp / "days.csv", index=False)
        self.cells.to_csv(tmp / "cells.csv", index=False)
        self.travel_minutes.to_csv(tmp / "travel_minutes.csv")
        u = self.unit
        meta = {
            "unit": {
                "name": u.name,
                "kind": u.kind,
                "shape": u.shape,
                "services": list(u.services),
                "day_start_min": u.day_start_min,
                "day_end_min": u.day_end_min,
                "weekdays": list(u.weekdays),
                "cycle_weeks": u.cycle_weeks,
                "rotation_weeks": u.rotation_weeks,
                "visit_minutes": u.visit_minutes,
                "threshold_min": u.stops.threshold_min,
            },
            "figures": dict(self.figures.items()),
        }
        (tmp / "plan.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
        for lang in ("fi", "sv", "en"):
            (tmp / f"timetable_{lang}.txt").write_text(self.timetable_text(lang), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        return out

    def timetable_text(self, lang: str = "fi") -> str:
        """The timetable as a resident reads it (stop, weekday, hours, services) in ``lang``."""
        u = self.unit
        tt = self.timetable
        lines: list[str] = []
        if u.shape == "day_tour":
            lines.append(texts.text("timetable_title", lang, unit=u.name, weeks=u.cycle_weeks))
            for week, rows in tt.groupby("week", sort=True):
                lines.append("")
                lines.append(texts.text("week", lang, n=int(week)))
                for _, r in rows.sort_values(["day", "open"]).iterrows():
                    lines.append(
                        f"  {texts.weekday(int(r['weekday']), lang)} {r['open']}-{r['close']}  "
                        f"{r['stop_name']} ({r['stop_id']}): {r['services']}"
                    )
        else:
            lines.append(texts.text("rotation_title", lang, unit=u.name, weeks=u.rotation_weeks))
            days = " ".join(texts.weekday(d, lang) for d in sorted(u.weekdays))
            for _, r in tt.iterrows():
                span = texts.text("weeks", lang, a=int(r["first_week"]), b=int(r["last_week"]))
                lines.append(
                    f"  {span}: {r['stop_name']} ({r['stop_id']}), {days} "
                    f"{r['open']}-{r['close']}: {r['services']}"
                )
        if tt.empty:
            lines.append(texts.text("no_stops", lang))
        return "\n".join(lines) + "\n"

    def service_totals(self) -> pd.DataFrame:
        """Per service: contacts per year, eligible, served and not served (conservation)."""
        return self.cells.groupby("service", as_index=False)[
            ["contacts_per_year", "eligible", "served", "not_served"]
        ].sum()


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


def _choose_stops(inp: MobileInputs, unit: MobileUnit, p: int, params: MobileParams) -> np.ndarray:
    weight = inp.cell_contacts.sum(axis=1) * inp.cell_weight_mask
    reach = np.isfinite(inp.cell_minutes).any(axis=1) & (weight > 0)
    if not reach.any():
        raise InputError(
            f"unit {unit.name!r}: no resident with demand for {', '.join(inp.services)} lies "
            f"within {unit.stops.threshold_min:g} min of a candidate stop; add candidates or "
            "raise [stops] threshold_min"
        )
    minutes = np.where(np.isfinite(inp.cell_minutes[reach]), inp.cell_minutes[reach], 1e6)
    problem = problem_from_matrix(minutes, weight[reach], site_ids=inp.cand_ids)
    p = min(p, problem.n_sites)
    res = mclp(
        problem,
        unit.stops.threshold_min,
        p,
        params=SolveParams(time_limit_s=params.stop_time_limit_s, method="heuristic"),
    )
    log.info("mobile stops: %s", res.method)
    return np.sort(res.open_index)


def _assign(inp: MobileInputs, chosen: np.ndarray, threshold: float) -> np.ndarray:
    """Index into ``chosen`` of each cell's nearest chosen stop within ``threshold``, or -1."""
    sub = inp.cell_minutes[:, chosen]
    best = np.argmin(sub, axis=1)
    ok = sub[np.arange(len(sub)), best] <= threshold
    return np.where(ok, best, -1)


def plan_mobile_arrays(
    unit: MobileUnit, inp: MobileInputs, params: MobileParams | None = None, *, seed: int = 0
) -> MobilePlan:
    """Choose stops and build the timetable of ``unit`` (module docstring).

    Raises
    ------
    InputError
        No demand within reach of any candidate.
    """
    params = params or MobileParams()
    n_cand = len(inp.cand_ids)
    if unit.shape == "day_tour":
        per_day = max(1, int(unit.day_minutes // (unit.visit_minutes + TRAVEL_ALLOWANCE_MIN)))
        capacity_visits = unit.days_per_cycle * per_day
        p = min(unit.stops.max_stops, capacity_visits, n_cand)
    else:
        p = min(unit.stops.max_stops, unit.rotation_weeks, n_cand)
    chosen = _choose_stops(inp, unit, p, params)
    owner = _assign(inp, chosen, unit.stops.threshold_min)
    eligible_cell = unit.stops.uptake_share * inp.cell_contacts * inp.cell_weight_mask[:, None]
    eligible_cell[owner < 0] = 0.0
    eligible = np.bincount(owner[owner >= 0], eligible_cell[owner >= 0].sum(axis=1), len(chosen))
    if unit.shape == "day_tour":
        plan = _day_tour(unit, inp, chosen, eligible, capacity_visits, params, seed)
    else:
        plan = _rotation(unit, inp, chosen, eligible, params, seed)
    stops, timetable, days, served_stop, routing = plan
    keep = stops["stop_index"].to_numpy()  # stops that stayed in the plan (index into chosen)
    dropped = np.setdiff1d(np.arange(len(chosen)), keep)
    if dropped.size:  # their cells go to the nearest stop that remains
        chosen = chosen[keep]
        owner = _assign(inp, chosen, unit.stops.threshold_min)
        eligible_cell = unit.stops.uptake_share * inp.cell_contacts * inp.cell_weight_mask[:, None]
        eligible_cell[owner < 0] = 0.0
        eligible = np.bincount(
            owner[owner >= 0], eligible_cell[owner >= 0].sum(axis=1), len(chosen)
        )
    served_stop = np.minimum(served_stop, eligible)
    ratio = np.divide(served_stop, eligible, out=np.zeros_like(eligible), where=eligible > 0)
    served_cell = eligible_cell * np.where(owner >= 0, ratio[np.maximum(owner, 0)], 0.0)[:, None]
    residents = np.bincount(owner[owner >= 0], inp.cell_residents[owner >= 0], len(chosen))
    stops = stops.drop(columns="stop_index").reset_index(drop=True)
    stops["residents_within"] = residents
    stops["eligible_per_year"] = eligible
    stops["served_per_year"] = served_stop
    cells = _cells_frame(inp, chosen, owner, eligible_cell, served_cell)
    figures = _figures(unit, days, stops, cells, routing)
    order = np.concatenate([[0], chosen + 1])
    tm = pd.DataFrame(
        inp.travel_minutes[np.ix_(order, order)],
        index=["depot", *inp.cand_ids[chosen]],
        columns=["depot", *inp.cand_ids[chosen]],
    )
    return MobilePlan(unit, stops, timetable, days, cells, tm, figures)


def _cells_frame(
    inp: MobileInputs,
    chosen: np.ndarray,
    owner: np.ndarray,
    eligible_cell: np.ndarray,
    served_cell: np.ndarray,
) -> pd.DataFrame:
    n_c, n_s = inp.cell_contacts.shape
    stop = np.where(owner >= 0, inp.cand_ids[chosen][np.maximum(owner, 0)], "")
    frame = pd.DataFrame(
        {
            "cell_id": np.repeat(inp.cell_ids, n_s),
            "service": np.tile(np.array(inp.services, dtype=object), n_c),
            "stop_id": np.repeat(stop.astype(object), n_s),
            "contacts_per_year": inp.cell_contacts.ravel(),
            "eligible": eligible_cell.ravel(),
            "served": served_cell.ravel(),
        }
    )
    frame["not_served"] = frame["eligible"] - frame["served"]
    return frame


def _figures(
    unit: MobileUnit,
    days: pd.DataFrame,
    stops: pd.DataFrame,
    cells: pd.DataFrame,
    routing: str,
) -> dict[str, Any]:
    if unit.shape == "day_tour":
        per_year = unit.cycles_per_year
        n_days = len(days) * per_year
        km = float(days["km"].sum()) * per_year
        hours = float((days["return"] - days["depart"]).sum()) / 60.0 * per_year
    else:
        n_days = unit.operating_weeks_per_year * len(unit.weekdays)
        km = float(days["km"].sum()) * 52.0 / unit.rotation_weeks
        hours = n_days * unit.day_minutes / 60.0
    return {
        "days_per_year": n_days,
        "km_per_year": km,
        "hours_per_year": hours,
        "staff_hours_per_year": hours * unit.staff,
        "cost_eur_per_year": n_days * unit.cost_eur_per_day + km * unit.cost_eur_per_km,
        "contacts_served_per_year": float(cells["served"].sum()),
        "contacts_not_served_per_year": float(cells["not_served"].sum()),
        "residents_within": float(stops["residents_within"].sum()),
        "routing": routing,
    }


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
    return problem, np.asarray(stop_of), np.asarray(visit_no)


def _day_tour(
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
    rp = RoutingParams(time_limit_s=params.time_limit_s)
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


def _rotation(
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
        RoutingParams(time_limit_s=min(params.time_limit_s, 2.0)),
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
