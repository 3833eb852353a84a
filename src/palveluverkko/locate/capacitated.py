"""Capacitated p-median with single sourcing: every demand point goes whole to one site.

.. math::

    \\min \\sum_{i,j} w_i c_{ij} x_{ij} \\quad\\text{s.t.}\\quad \\sum_j x_{ij} = 1,\\quad
    \\sum_i w_i x_{ij} \\le Q_j y_j,\\quad x_{ij} \\le y_j,\\quad \\sum_j y_j = p,\\quad
    \\text{site rules},\\quad x, y \\in \\{0,1\\}.

Method
------
* Primal: an assignment of demand to a fixed open set by regret (rows with the largest
  difference between their best and second-best open site first, each to the cheapest site
  with room), improved by shift moves; open sets from the uncapacitated p-median and from the
  largest-capacity sites, improved by swap moves evaluated with a full reassignment (a plain,
  exact evaluation: the capacitated assignment has no cheap swap formula).
* Bound: the best of the uncapacitated p-median bound (a relaxation: dropping capacities) and
  the LP relaxation of the MILP above solved with HiGHS.
* Exact: the MILP with HiGHS (binary ``x``) when ``method="exact"`` or ``"auto"`` and small.

Rows are never merged: single sourcing binds the points of a merged row together.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import InfeasibleError, InputError
from .exact import assignment_milp, solve_milp
from .heuristics import weighted_costs
from .pmedian import solve_median_family
from .problem import BoolArray, FloatArray, IntArray, LocationProblem, SolveParams, model_rows
from .result import LocationResult, nearest_assignment
from .selection import Selector

log = logging.getLogger("palveluverkko.locate")

__all__ = ["capacitated_p_median"]


def assign_with_capacity(
    D: FloatArray, weight: FloatArray, capacity: FloatArray, open_idx: IntArray
) -> tuple[IntArray | None, float]:
    """Regret assignment of rows to the open sites within capacity, then shift moves.

    Returns the site column of each row and the total cost, or ``(None, inf)`` when the
    regret rule leaves a row without room (the open set may still be feasible).
    """
    n = D.shape[0]
    sub = D[:, open_idx]
    order_cols = np.argsort(sub, axis=1)
    if open_idx.size > 1:
        srt = np.take_along_axis(sub, order_cols[:, :2], axis=1)
        regret = srt[:, 1] - srt[:, 0]
    else:
        regret = np.zeros(n)
    rest = capacity[open_idx].astype(np.float64).copy()
    site = np.full(n, -1, dtype=np.intp)
    forbidden_cost = np.isinf(sub)
    for i in np.argsort(-regret, kind="stable"):
        for k in order_cols[i]:
            if forbidden_cost[i, k]:
                break
            if rest[k] >= weight[i] - 1e-9:
                site[i] = k
                rest[k] -= weight[i]
                break
        if site[i] < 0:
            return None, np.inf
    # shift moves: move a row to a cheaper open site with room, best saving first
    improved = True
    rows = np.arange(n)
    while improved:
        improved = False
        cur = sub[rows, site]
        room = rest[None, :] >= weight[:, None] - 1e-9
        saving = np.where(room, cur[:, None] - sub, 0.0)
        i, k = np.unravel_index(int(np.argmax(saving)), saving.shape)
        if saving[i, k] > 1e-9 * max(1.0, float(cur.sum())):
            rest[site[i]] += weight[i]
            rest[k] -= weight[i]
            site[i] = k
            improved = True
    return open_idx[site], float(sub[rows, site].sum())


def capacitated_p_median(
    problem: LocationProblem,
    p: int,
    *,
    params: SolveParams | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open ``p`` sites and assign each demand point whole to one of them within capacity.

    Parameters
    ----------
    problem
        Cost matrix, demand, site rules and ``capacity`` (same unit as demand; required).
    p
        Number of open sites.
    params
        Solver parameters.
    seed
        Seed of the uncapacitated start's neighbourhood search.

    Returns
    -------
    LocationResult
        ``objective`` is ``sum_i w_i c_i,site(i)`` under capacities, ``bound`` a proven lower
        bound; ``assignment`` is the capacitated one (not always the nearest open site).

    Raises
    ------
    InputError
        The problem has no ``capacity``.
    InfeasibleError
        The ``p`` largest sites the rules allow hold less than the total demand, a demand point
        is larger than every site it can reach, or no capacity-feasible assignment was found.
    """
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    if problem.capacity is None:
        raise InputError(
            "capacitated_p_median: the problem has no capacity; pass capacity to "
            "problem_from_matrix (same unit as demand)"
        )
    rules = problem.rules
    rules.check_count(p, model="capacitated_p_median")
    p = int(p)
    cap = np.asarray(problem.capacity, dtype=np.float64)
    rows = model_rows(problem, aggregate=False)
    w = rows.weight
    total = float(w.sum())
    biggest, neg = Selector(rules, count=p)(-cap)
    if -neg < total * (1 - 1e-12):
        raise InfeasibleError(
            f"capacitated_p_median: total demand {total:g} exceeds the capacity of the {p} "
            f"largest sites the rules allow ({-neg:g}); raise p, raise capacities or allow "
            "larger sites"
        )
    reach_cap = np.where(np.isfinite(rows.minutes) & rules.allowed[None, :], cap[None, :], 0.0)
    too_big = w > reach_cap.max(axis=1) * (1 + 1e-12)
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        raise InfeasibleError(
            f"capacitated_p_median: {int(too_big.sum())} demand point(s) are larger than every "
            f"site they can reach (first: demand {w[i]:g}, largest reachable capacity "
            f"{reach_cap[i].max():g}); single sourcing cannot serve them. Raise capacities or "
            "split the demand"
        )
    D, forbidden, _ = weighted_costs(rows)
    D = np.where(forbidden, np.inf, D)
    Dp, forb_p, _ = weighted_costs(rows)
    unc = solve_median_family(
        Dp,
        forb_p,
        rules,
        count=p,
        site_cost=None,
        budget=None,
        params=replace(params, method="heuristic"),
        deadline=t0 + 0.25 * params.time_limit_s,
        rng=np.random.default_rng(seed),
        scale=w,
    )
    bound = unc.bound
    details: dict[str, Any] = {"uncapacitated_bound": unc.bound, "uncapacitated_value": unc.value}
    best_site: IntArray | None = None
    best_value = np.inf
    best_open: BoolArray | None = None
    for first in (unc.open_mask, biggest):
        site, value = assign_with_capacity(D, w, cap, np.flatnonzero(first))
        if site is not None and value < best_value:
            best_site, best_value, best_open = site, value, first.copy()
    method = ["regret assignment"]
    # swap local search with full re-evaluation
    if best_open is not None:
        moves = 0
        improved = True
        while improved and time.perf_counter() < t0 + 0.6 * params.time_limit_s:
            improved = False
            counts = rules.open_count_per_group(best_open)
            for r in np.flatnonzero(best_open & ~rules.fixed_open):
                g = rules.group_of_site[r]
                tight = g >= 0 and counts[g] <= rules.group_min[g]
                for f in np.flatnonzero(rules.allowed & ~best_open):
                    if tight and rules.group_of_site[f] != g:
                        continue
                    T = best_open.copy()
                    T[r], T[f] = False, True
                    site, value = assign_with_capacity(D, w, cap, np.flatnonzero(T))
                    if site is not None and value < best_value - 1e-9 * max(1.0, best_value):
                        best_site, best_value, best_open = site, value, T
                        moves += 1
                        improved = True
                        break
                if improved or time.perf_counter() > t0 + 0.6 * params.time_limit_s:
                    break
        details["swap_moves"] = moves
        method.append("swap search")
    model, layout = assignment_milp(
        np.where(forbidden, 0.0, D), rules, count=p, capacity=cap, weight=w, forbidden=forbidden
    )
    remaining = deadline - time.perf_counter()
    if remaining > 0:
        lp = solve_milp(model, time_limit_s=0.5 * remaining, relax=True, threads=params.threads)
        details["lp_status"] = lp.status
        if np.isfinite(lp.bound):
            bound = max(bound, lp.bound)
    use_milp = params.method == "exact" or (
        params.method == "auto"
        and D.shape[0] * int(rules.allowed.sum()) <= params.exact_max_entries
    )
    gap = (best_value - bound) / max(abs(best_value), 1e-12) if np.isfinite(best_value) else np.inf
    if use_milp and gap > params.gap_tolerance and time.perf_counter() < deadline:
        start: FloatArray | None = None
        if best_open is not None and best_site is not None:
            start = layout.start_vector(best_open, best_site)
        out = solve_milp(
            model,
            time_limit_s=deadline - time.perf_counter(),
            gap_tolerance=params.gap_tolerance,
            threads=params.threads,
            start=start,
        )
        details["milp_status"] = out.status
        method.append(f"HiGHS MILP ({out.status})")
        if out.status == "infeasible":
            raise InfeasibleError(
                f"capacitated_p_median: HiGHS proves that no {p} sites can serve all demand "
                f"({total:g}) single-sourced within capacity; raise p or capacities"
            )
        if out.x is not None and out.objective < best_value:
            best_open = layout.open_mask(out.x)
            best_site = layout.assignment(out.x, D.shape[0])
            best_value = float(out.objective)
        if np.isfinite(out.bound):
            bound = max(bound, out.bound)
    if best_open is None or best_site is None:
        raise InfeasibleError(
            f"capacitated_p_median: no capacity-feasible assignment of demand {total:g} to {p} "
            f"sites was found in {params.time_limit_s:g} s (largest {p} sites hold {-neg:g}); "
            "raise the time limit, p or capacities"
        )
    open_index = np.flatnonzero(best_open)
    assignment = nearest_assignment(problem, open_index)  # zero-weight points: nearest open
    modelled = rows.row_of_demand >= 0
    assignment[modelled] = best_site[rows.row_of_demand[modelled]]
    bound = min(bound, best_value)
    return LocationResult(
        model="capacitated_p_median",
        sense="min",
        open_index=open_index,
        assignment=assignment,
        objective=best_value,
        bound=bound,
        seconds=time.perf_counter() - t0,
        method="+".join(method)
        + "; bound: uncapacitated Lagrangian / LP relaxation"
        + (" / HiGHS dual bound" if "milp_status" in details else ""),
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        details=details,
    )
