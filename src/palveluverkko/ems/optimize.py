"""Placing units and their shifts among candidate stations (HiGHS MILPs over arrays).

Data (:class:`PlacementProblem`): demand points ``d`` (a 1 km cell and a criterion "urgency
``u`` within ``T`` minutes") with yearly missions ``m_d`` and the candidate stations ``N_d``
within ``T``; periods ``p`` of the week in which a fixed set of shifts is on duty, with the
share ``W_p`` of alarms and a busy fraction ``q_p``; shifts ``k`` with yearly cost ``c_k``.

Maximum expected coverage (MEXCLP, Daskin 1983, with periods and shifts)

.. math::

    \\max \\sum_{d,p} m_d W_p \\sum_{l=1}^{L_d} (1 - q_p) q_p^{l-1} y_{dpl}
    \\quad\\text{s.t.}\\quad
    \\sum_l y_{dpl} \\le \\sum_{s \\in N_d} \\sum_{k \\text{ on in } p} x_{sk},\\;
    \\sum_{s,k} x_{sk} = N,\\;
    x_{sk} \\in \\mathbb{Z}_{\\ge 0},\\; 0 \\le y \\le 1,

plus ``sum_k x_sk >= 1`` for must-keep stations, ``x >= `` fixed units, ``sum_k x_sk <= M``
per station and, where given, ``sum_{s, k on in p} x_sk >= U_p`` units on duty in each period.
Because the weights fall with ``l``, an optimum fills ``y_{dp1}, y_{dp2}, ...`` in order, so
the objective is the expected number of missions that find a unit within reach free
(independent units busy with probability ``q_p``). ``L_d`` is capped where ``q^L`` falls below
``1e-6`` (the truncation loses at most that share of a point's weight).

Least cost meeting the decision: minimise ``sum_{s,k} c_k x_{sk}`` subject to the same
coverage rows and, for each class and target line ``g``, expected covered missions
``>= share_g * sum_{d in g} m_d``.

Both return HiGHS's proven dual bound with the solution (the gap is read from it). The
least-cost model starts HiGHS from a greedy placement (add the unit that covers most of the
remaining shortfall per euro until every target holds, then drop units not needed), so a time
limit still returns a feasible placement with its gap.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InfeasibleError, InputError
from ..locate.exact import Milp, MilpOutcome, solve_milp
from .greedy import greedy_cover, meets, start_vector

__all__ = [
    "PlacementProblem",
    "PlacementResult",
    "coverage_front",
    "expected_coverage",
    "max_expected_coverage",
    "min_cost_cover",
]

log = logging.getLogger("palveluverkko.ems")

L_CAP_TAIL = 1e-6
L_CAP_TAIL_MIN_COST = 1e-4  # coverage left out only makes the least-cost answer safer


@dataclass(frozen=True)
class PlacementProblem:
    """A placement problem over arrays (module docstring).

    Attributes
    ----------
    covers
        ``(n_points, n_stations)`` bool: station within the point's target minutes.
    weight
        ``(n_points,)`` yearly missions of the point.
    group
        ``(n_points,)`` index of the point's class and target line (for targets), ``-1`` none.
    required_share
        ``(n_groups,)`` share of the group's missions to cover (min cost).
    period_weight
        ``(n_periods,)`` share of alarms in each period (sums to 1).
    period_on
        ``(n_periods, n_shifts)`` bool: shift on duty in the period.
    busy
        ``(n_periods,)`` busy fraction ``q_p`` of a unit, or ``(n_points, n_periods)`` the busy
        fraction of the units that would reach each point (a local MEXCLP).
    shift_cost
        ``(n_shifts,)`` yearly cost of one unit on the shift.
    must_keep
        ``(n_stations,)`` bool: at least one unit stays.
    fixed
        ``(n_stations, n_shifts)`` int lower bounds (units that must stay), or None.
    max_per_station
        Most units at one station.
    group_names
        Names of the groups for messages (e.g. ``"A/B 8 min rural"``), or empty.
    min_units_on
        ``(n_periods,)`` fewest units on duty in each period (so that the workload keeps each
        unit's busy fraction at most the ``busy`` assumed), or None.
    """

    covers: np.ndarray
    weight: np.ndarray
    group: np.ndarray
    required_share: np.ndarray
    period_weight: np.ndarray
    period_on: np.ndarray
    busy: np.ndarray
    shift_cost: np.ndarray
    must_keep: np.ndarray
    fixed: np.ndarray | None = None
    max_per_station: int = 3
    group_names: tuple[str, ...] = ()
    min_units_on: np.ndarray | None = None

    def __post_init__(self) -> None:
        n, s = self.covers.shape
        if self.weight.shape != (n,) or self.group.shape != (n,):
            raise InputError("PlacementProblem: weight and group must have one entry per point")
        p, k = self.period_on.shape
        if self.period_weight.shape != (p,) or self.busy.shape not in ((p,), (n, p)):
            raise InputError(
                "PlacementProblem: period_weight needs one entry per period and busy one per "
                "period or per point and period"
            )
        if self.shift_cost.shape != (k,) or self.must_keep.shape != (s,):
            raise InputError("PlacementProblem: shift_cost per shift, must_keep per station")
        if not ((self.busy >= 0) & (self.busy < 1)).all():
            raise InputError(f"PlacementProblem: busy fractions must lie in [0, 1); {self.busy}")
        if self.max_per_station < 1:
            raise InputError("PlacementProblem: max_per_station must be >= 1")

    def busy_matrix(self) -> np.ndarray:
        """``(n_points, n_periods)`` busy fraction per point and period."""
        b = np.asarray(self.busy, dtype=np.float64)
        return (
            np.broadcast_to(b, (self.covers.shape[0], self.period_on.shape[0]))
            if b.ndim == 1
            else b
        )

    @property
    def n_stations(self) -> int:
        """Candidate stations."""
        return int(self.covers.shape[1])

    @property
    def n_shifts(self) -> int:
        """Shift types."""
        return int(self.period_on.shape[1])

    def lower(self) -> np.ndarray:
        """``(n_stations, n_shifts)`` lower bounds of the unit counts."""
        return (
            np.zeros((self.n_stations, self.n_shifts), np.int64)
            if self.fixed is None
            else np.asarray(self.fixed, dtype=np.int64)
        )


@dataclass(frozen=True)
class PlacementResult:
    """A placement: ``counts[s, k]`` units of shift ``k`` at station ``s``.

    ``objective`` is expected covered missions a year (max coverage) or the yearly cost (min
    cost); ``bound`` HiGHS's proven bound on it; ``gap`` their relative difference.
    """

    counts: np.ndarray
    objective: float
    bound: float
    status: str
    seconds: float
    model: str
    details: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """``|objective - bound| / max(|objective|, 1e-9)``."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.inf
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    @property
    def n_units(self) -> int:
        """Units placed."""
        return int(self.counts.sum())

    def summary(self) -> str:
        """Model, status, units, objective, bound, gap and time."""
        return (
            f"{self.model}: {self.status}, {self.n_units} units at "
            f"{int((self.counts.sum(axis=1) > 0).sum())} stations, objective "
            f"{self.objective:.1f}, bound {self.bound:.1f}, gap {self.gap:.2%}, "
            f"{self.seconds:.1f} s"
        )


def expected_coverage(problem: PlacementProblem, counts: np.ndarray) -> np.ndarray:
    """``(n_points,)`` expected covered missions of a placement (the MEXCLP value, untruncated)."""
    x = np.asarray(counts, dtype=np.float64)
    out = np.zeros(problem.covers.shape[0])
    busy = problem.busy_matrix()
    for p in range(problem.period_on.shape[0]):
        on_units = x[:, problem.period_on[p]].sum(axis=1)  # per station
        n_cov = problem.covers.astype(np.float64) @ on_units
        q = busy[:, p]
        out += problem.period_weight[p] * (1.0 - q**n_cov)
    return out * problem.weight


def _aggregate(
    problem: PlacementProblem,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge points with identical cover rows, group and busy fractions:
    (covers, weight, group, busy)."""
    keep = (problem.weight > 0) & problem.covers.any(axis=1)
    cov = problem.covers[keep]
    packed = np.packbits(cov, axis=1)
    busy = np.ascontiguousarray(problem.busy_matrix()[keep], dtype=np.float64)
    key = np.column_stack([packed.astype(np.int64), problem.group[keep], busy.view(np.int64)])
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.ravel()
    weight = np.bincount(inv, weights=problem.weight[keep], minlength=len(uniq))
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inv[::-1]] = np.arange(len(inv))[::-1]
    return cov[first], weight, problem.group[keep][first], busy[first]


def _coverage_block(
    problem: PlacementProblem,
    covers: np.ndarray,
    weight: np.ndarray,
    max_total: int,
    busy: np.ndarray,
    tail: float = L_CAP_TAIL,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Rows ``sum_l y_dpl - sum x <= 0`` and the y columns' objective coefficients.

    Returns (A over [x | y], y objective (expected missions per unit of y), y point index,
    per period the (point, first y column, L) layout).
    """
    n_pts, n_st = covers.shape
    n_sh = problem.n_shifts
    n_x = n_st * n_sh
    rows, cols, vals = [], [], []
    y_obj: list[np.ndarray] = []
    y_point: list[np.ndarray] = []
    layout: list[np.ndarray] = []
    n_cover = covers.sum(axis=1)
    col = n_x
    row = 0
    pt_idx, st_idx = np.nonzero(covers)
    for p in range(problem.period_on.shape[0]):
        q_pt = busy[:, p]
        with np.errstate(divide="ignore"):
            l_cap = np.where(
                q_pt > 0, np.ceil(math.log(tail) / np.log(np.maximum(q_pt, 1e-300))), max_total
            )
        l_cap = np.maximum(l_cap, 1)
        n_l = np.minimum(np.minimum(n_cover * problem.max_per_station, max_total), l_cap)
        n_l = np.maximum(n_l, 1).astype(np.int64)
        starts = col + np.concatenate([[0], np.cumsum(n_l)[:-1]]).astype(np.int64)[:n_pts]
        # y columns: coefficient m_d W_p (1 - q) q^(l-1)
        pt_rep = np.repeat(np.arange(n_pts), n_l)
        l_rep = np.arange(n_l.sum()) - np.repeat(starts - col, n_l)
        q = q_pt[pt_rep]
        coef = weight[pt_rep] * problem.period_weight[p] * (1.0 - q) * q**l_rep
        y_obj.append(coef)
        y_point.append(pt_rep)
        layout.append(np.column_stack([starts, n_l]))
        rows.append(row + pt_rep)
        cols.append(col + np.arange(n_l.sum()))
        vals.append(np.ones(n_l.sum()))
        on_shifts = np.flatnonzero(problem.period_on[p])
        for k in on_shifts:
            rows.append(row + pt_idx)
            cols.append(st_idx * n_sh + k)
            vals.append(-np.ones(pt_idx.size))
        col += int(n_l.sum())
        row += n_pts
    A = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row, col)
    ).tocsr()
    return A, np.concatenate(y_obj), np.concatenate(y_point), layout


def _station_rows(
    problem: PlacementProblem, n_cols: int
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Per station: must_keep <= sum_k x_sk <= max_per_station."""
    n_st, n_sh = problem.n_stations, problem.n_shifts
    r = np.repeat(np.arange(n_st), n_sh)
    c = np.arange(n_st * n_sh)
    A = sp.coo_matrix((np.ones(c.size), (r, c)), shape=(n_st, n_cols)).tocsr()
    lo = problem.must_keep.astype(np.float64)
    hi = np.full(n_st, float(problem.max_per_station))
    return A, lo, hi


def _solve(
    problem: PlacementProblem,
    *,
    model: str,
    n_units: int | None,
    allowed_shifts: np.ndarray | None,
    time_limit_s: float,
    gap: float,
    start_counts: np.ndarray | None = None,
) -> PlacementResult:
    covers, weight, group, busy = _aggregate(problem)
    n_st, n_sh = problem.n_stations, problem.n_shifts
    n_x = n_st * n_sh
    lower = problem.lower().ravel().astype(np.float64)
    upper = np.full(n_x, float(problem.max_per_station))
    if allowed_shifts is not None:
        upper.reshape(n_st, n_sh)[:, ~allowed_shifts] = lower.reshape(n_st, n_sh)[
            :, ~allowed_shifts
        ]
    max_total = n_units if n_units is not None else n_st * problem.max_per_station
    tail = L_CAP_TAIL_MIN_COST if model == "min_cost" else L_CAP_TAIL
    A_cov, y_obj, y_point, layout = _coverage_block(problem, covers, weight, max_total, busy, tail)
    n_y = y_obj.size
    n_cols = n_x + n_y
    A_cov.resize((A_cov.shape[0], n_cols))
    blocks = [A_cov]
    lo = [np.full(A_cov.shape[0], -np.inf)]
    hi = [np.zeros(A_cov.shape[0])]
    A_st, lo_st, hi_st = _station_rows(problem, n_cols)
    blocks.append(A_st)
    lo.append(lo_st)
    hi.append(hi_st)
    if problem.min_units_on is not None:
        on_x = np.tile(problem.period_on.astype(np.float64), (1, n_st))  # (P, S*K) as x's order
        blocks.append(sp.csr_matrix(np.hstack([on_x, np.zeros((on_x.shape[0], n_y))])))
        lo.append(np.asarray(problem.min_units_on, dtype=np.float64))
        hi.append(np.full(on_x.shape[0], np.inf))
    if n_units is not None:
        blocks.append(sp.csr_matrix((np.ones(n_x), (np.zeros(n_x), np.arange(n_x))), (1, n_cols)))
        lo.append(np.array([float(n_units)]))
        hi.append(np.array([float(n_units)]))
    if model == "min_cost":
        groups = np.flatnonzero(problem.required_share >= 0)
        totals = np.bincount(
            problem.group[problem.group >= 0],
            weights=problem.weight[problem.group >= 0],
            minlength=problem.required_share.size,
        )
        g_of_y = group[y_point]
        sel = g_of_y >= 0
        G = sp.coo_matrix(
            (y_obj[sel], (g_of_y[sel], n_x + np.flatnonzero(sel))),
            shape=(problem.required_share.size, n_cols),
        ).tocsr()[groups]
        need = problem.required_share[groups] * totals[groups]
        # rows in shares of each group's missions, costs in units of the dearest shift: HiGHS's
        # simplex stalls on the raw scales (EUR 1e6 against missions 1e-4 .. 1e3)
        row_scale = 1.0 / np.maximum(totals[groups], 1e-9)
        blocks.append(sp.diags(row_scale) @ G)
        lo.append(need * row_scale - 1e-9)
        hi.append(np.full(groups.size, np.inf))
        cost_scale = float(max(problem.shift_cost.max(), 1e-9))
        cost = np.concatenate(
            [np.repeat(problem.shift_cost[None, :], n_st, 0).ravel() / cost_scale, np.zeros(n_y)]
        )
        maximize = False
    else:
        cost_scale = 1.0
        cost = np.concatenate([np.zeros(n_x), y_obj])
        maximize = True
    milp = Milp(
        cost=cost,
        col_lower=np.concatenate([lower, np.zeros(n_y)]),
        col_upper=np.concatenate([upper, np.ones(n_y)]),
        integer=np.concatenate([np.ones(n_x, bool), np.zeros(n_y, bool)]),
        A=sp.vstack(blocks).tocsc(),
        row_lower=np.concatenate(lo),
        row_upper=np.concatenate(hi),
        maximize=maximize,
    )
    start = None
    if model == "min_cost":
        options = [greedy_cover(problem, covers, weight, group, busy), start_counts]
        feasible = [
            c for c in options if c is not None and meets(problem, covers, weight, group, busy, c)
        ]
        if feasible:
            best = min(feasible, key=lambda c: float((c * problem.shift_cost[None, :]).sum()))
            start = start_vector(best, covers, problem, layout, n_cols)
    out = solve_milp(milp, time_limit_s=time_limit_s, gap_tolerance=gap, start=start)
    if out.x is None and start is not None:  # HiGHS kept no solution: the greedy one stands
        out = MilpOutcome(out.status, start, float(cost @ start), out.bound, out.seconds)
    if out.status == "infeasible" or out.x is None:
        raise InfeasibleError(_infeasible_message(problem, model, n_units))
    counts = np.rint(out.x[:n_x]).astype(np.int64).reshape(n_st, n_sh)
    details = {"points": float(covers.shape[0]), "columns": float(n_cols)}
    log.info("ems %s: %s", model, out.status)
    return PlacementResult(
        counts,
        out.objective * cost_scale,
        out.bound * cost_scale,
        out.status,
        out.seconds,
        model,
        details,
    )


def _infeasible_message(problem: PlacementProblem, model: str, n_units: int | None) -> str:
    keep = int(problem.must_keep.sum())
    lower = int(problem.lower().sum())
    if model == "max_coverage":
        return (
            f"placing {n_units} units is infeasible: {keep} must-keep stations and {lower} fixed "
            f"units, at most {problem.max_per_station} per station at "
            f"{problem.n_stations} stations; raise the number of units or relax the rules"
        )
    # the most any placement can cover: every station full with the shift on duty longest
    longest = int(np.argmax(problem.period_weight @ problem.period_on))
    full = np.zeros((problem.n_stations, problem.n_shifts), dtype=np.int64)
    full[:, longest] = problem.max_per_station
    reach = expected_coverage(problem, full)
    worst = []
    for g in np.flatnonzero(problem.required_share >= 0):
        sel = problem.group == g
        tot = problem.weight[sel].sum()
        if tot > 0 and reach[sel].sum() < problem.required_share[g] * tot:
            name = problem.group_names[g] if g < len(problem.group_names) else f"group {g}"
            worst.append(
                f"{name}: at most {reach[sel].sum() / tot:.1%} of "
                f"{problem.required_share[g]:.0%} required"
            )
    return (
        "no placement meets the targets even with "
        f"{problem.max_per_station} round-the-clock units at all {problem.n_stations} candidate "
        f"stations ({'; '.join(worst[:5]) or 'limits of the model'}); add candidate stations "
        "nearer the cells or lower the targets"
    )


def max_expected_coverage(
    problem: PlacementProblem,
    n_units: int,
    *,
    shifts: np.ndarray | None = None,
    time_limit_s: float = 60.0,
    gap: float = 0.005,
) -> PlacementResult:
    """Place ``n_units`` units (of the ``shifts`` allowed, default all) to maximise expected
    covered missions (MEXCLP, module docstring).

    Raises
    ------
    InfeasibleError
        When the rules (must-keep, fixed units, per-station limit) cannot hold ``n_units``.
    """
    if n_units < 0:
        raise InputError(f"n_units must be >= 0; found {n_units}")
    return _solve(
        problem,
        model="max_coverage",
        n_units=int(n_units),
        allowed_shifts=None if shifts is None else np.asarray(shifts, dtype=bool),
        time_limit_s=time_limit_s,
        gap=gap,
    )


def min_cost_cover(
    problem: PlacementProblem,
    *,
    time_limit_s: float = 60.0,
    gap: float = 0.005,
    start: np.ndarray | None = None,
) -> PlacementResult:
    """Least yearly cost of units and shifts whose expected coverage meets every group's share.

    ``start`` (``(n_stations, n_shifts)`` counts, e.g. today's units) is offered to HiGHS
    beside the greedy placement when it meets every constraint; the cheaper one starts.

    Raises
    ------
    InfeasibleError
        Naming the groups that even every candidate fully staffed cannot meet.
    """
    return _solve(
        problem,
        model="min_cost",
        n_units=None,
        allowed_shifts=None,
        time_limit_s=time_limit_s,
        gap=gap,
        start_counts=start,
    )


def coverage_front(
    problem: PlacementProblem,
    units: list[int],
    *,
    shifts: np.ndarray | None = None,
    time_limit_s: float = 60.0,
    gap: float = 0.005,
) -> pd.DataFrame:
    """Units against expected coverage: one MEXCLP per number of units, with its proven bound.

    Returns
    -------
    pandas.DataFrame
        ``units, expected_covered, bound, gap, status, seconds, stations``.
    """
    rows = []
    for n in units:
        r = max_expected_coverage(problem, n, shifts=shifts, time_limit_s=time_limit_s, gap=gap)
        rows.append(
            {
                "units": n,
                "expected_covered": r.objective,
                "bound": r.bound,
                "gap": r.gap,
                "status": r.status,
                "seconds": r.seconds,
                "stations": int((r.counts.sum(axis=1) > 0).sum()),
            }
        )
    return pd.DataFrame(rows)
