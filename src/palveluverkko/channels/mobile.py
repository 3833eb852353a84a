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
from .timetable import WEEKDAYS_FI, allocate, day_tour, rotation
from .unit import MobileUnit

__all__ = [
    "WEEKDAYS_FI",
    "MobileInputs",
    "MobileParams",
    "MobilePlan",
    "allocate",
    "plan_mobile_arrays",
]

log = logging.getLogger("palveluverkko.channels")

TRAVEL_ALLOWANCE_MIN = 20.0
"""Drive minutes assumed per stop visit when sizing a day (ASSUMPTION; PyVRP then decides)."""


@dataclass(frozen=True)
class MobileParams:
    """Solver parameters of a mobile plan.

    Attributes
    ----------
    time_limit_s
        PyVRP time per solve (a day tour runs one or two solves; default 3 s: a two-week
        cycle has a few dozen stop visits).
    stop_time_limit_s
        Time of the stop choice (MCLP).
    no_improvement
        A PyVRP solve also ends after this many iterations without a better tour (the demo's
        20 stop visits settle at once: 2,000 such iterations take about 0.4 s where the time
        limit took 2 s, with the same tour).
    """

    time_limit_s: float = 3.0
    stop_time_limit_s: float = 2.0
    no_improvement: int = 2000

    def __post_init__(self) -> None:
        if not (self.time_limit_s > 0 and self.stop_time_limit_s > 0):
            raise InputError("MobileParams: time limits must be > 0 seconds")
        if self.no_improvement < 1:
            raise InputError(
                f"MobileParams.no_improvement must be >= 1; found {self.no_improvement}"
            )


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
    cand_xy
        ``(n_cand, 2)`` coordinates, only carried to the stops table (for maps), or ``None``.
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
    cand_xy: np.ndarray | None = None


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
                a, b = int(r["first_week"]), int(r["last_week"])
                span = texts.text("weeks" if b > a else "week_one", lang, a=a, b=b)
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
    per = unit.stops.per_municipality
    if per is None:
        per = unit.shape == "rotation"
    groups = None
    if per:
        groups = inp.cand_municipality
        n_groups = len(set(groups))
        if n_groups > p:
            raise InputError(
                f"unit {unit.name!r}: [stops] per_municipality needs a stop in each of "
                f"{n_groups} municipalities with candidates, but at most {p} stops fit "
                "(max_stops, the days of a cycle or rotation_weeks); raise them or set "
                "per_municipality = false"
            )
    problem = problem_from_matrix(
        minutes,
        weight[reach],
        site_ids=inp.cand_ids,
        groups=groups,
        min_open_per_group=1 if per else None,
    )
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
    if chosen.size == 0:
        return np.full(len(inp.cell_minutes), -1, dtype=np.int64)
    sub = inp.cell_minutes[:, chosen]
    best = np.argmin(sub, axis=1)
    ok = sub[np.arange(len(sub)), best] <= threshold
    return np.where(ok, best, -1)


def _per_stop(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum of ``values`` over the cells of each stop (float, also when no cell has one)."""
    ok = owner >= 0
    return np.bincount(owner[ok], values[ok], n).astype(np.float64)


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
    eligible = _per_stop(owner, eligible_cell.sum(axis=1), len(chosen))
    if unit.shape == "day_tour":
        plan = day_tour(unit, inp, chosen, eligible, capacity_visits, params, seed)
    else:
        plan = rotation(unit, inp, chosen, eligible, params, seed)
    stops, timetable, days, served_stop, routing = plan
    keep = stops["stop_index"].to_numpy()  # stops that stayed in the plan (index into chosen)
    dropped = np.setdiff1d(np.arange(len(chosen)), keep)
    if dropped.size:  # their cells go to the nearest stop that remains
        chosen = chosen[keep]
        owner = _assign(inp, chosen, unit.stops.threshold_min)
        eligible_cell = unit.stops.uptake_share * inp.cell_contacts * inp.cell_weight_mask[:, None]
        eligible_cell[owner < 0] = 0.0
        eligible = _per_stop(owner, eligible_cell.sum(axis=1), len(chosen))
    served_stop = np.minimum(np.asarray(served_stop, dtype=np.float64), eligible)
    ratio = np.divide(served_stop, eligible, out=np.zeros_like(eligible), where=eligible > 0)
    share = np.zeros(len(owner))
    share[owner >= 0] = ratio[owner[owner >= 0]]
    served_cell = eligible_cell * share[:, None]
    residents = _per_stop(owner, inp.cell_residents, len(chosen))
    stops = stops.drop(columns="stop_index").reset_index(drop=True)
    if inp.cand_xy is not None:
        stops["x"], stops["y"] = inp.cand_xy[chosen, 0], inp.cand_xy[chosen, 1]
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
    stop = np.full(n_c, "", dtype=object)
    if chosen.size:
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
