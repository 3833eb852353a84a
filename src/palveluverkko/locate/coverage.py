"""Coverage models: LSCP (fewest sites that serve everyone within ``S``) and MCLP (most demand
within ``S`` with ``p`` sites).

With ``a_ij = [c_ij <= S]`` (``inf`` never covers):

LSCP (Toregas et al. 1971), optionally weighting sites by their annual cost ``f_j``:

.. math::

    \\min \\sum_j f_j y_j \\quad\\text{s.t.}\\quad \\sum_j a_{ij} y_j \\ge 1\\ \\forall i,
    \\quad\\text{site rules},\\quad y \\in \\{0,1\\}^m \\qquad (f_j = 1 \\text{ counts sites}).

MCLP (Church and ReVelle 1974):

.. math::

    \\max \\sum_i w_i z_i \\quad\\text{s.t.}\\quad z_i \\le \\sum_j a_{ij} y_j,\\quad
    \\sum_j y_j = p,\\quad \\text{site rules},\\quad 0 \\le z_i \\le 1,\\ y \\in \\{0,1\\}^m.

Rows with the same coverage pattern are merged (weights summed) before solving; with few
candidates a county's 15,000 cells collapse to a few hundred patterns. MCLP is the p-median
of the costs ``D_ij = w_i [c_ij > S]`` (uncovered demand), so it shares the greedy, fast
interchange, VNS and Lagrangian bound of :mod:`.pmedian`; its exact model is the compact MILP
above. LSCP uses a greedy cover (most newly covered rows per unit cost), redundant-site removal,
the LP bound (rounded up for counts) and the MILP with HiGHS.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ..errors import InfeasibleError, InputError
from ._matrix_kernels import nearest_of
from .exact import cover_milp, solve_milp
from .heuristics import MoveSpace, greedy, local_search, vns
from .lagrangian import median_bound
from .problem import (
    BoolArray,
    FloatArray,
    IntArray,
    LocationProblem,
    SiteRules,
    SolveParams,
)
from .result import LocationResult, nearest_assignment
from .selection import Selector

log = logging.getLogger("palveluverkko.locate")

__all__ = ["greedy_cover", "lscp", "mclp"]


def _check_threshold(threshold_minutes: float, model: str) -> float:
    t = float(threshold_minutes)
    if not (t >= 0 and math.isfinite(t)):
        raise InputError(
            f"{model}: threshold_minutes must be finite and >= 0; got {threshold_minutes!r}"
        )
    return t


def merge_patterns(cover: BoolArray, weight: FloatArray) -> tuple[BoolArray, FloatArray, IntArray]:
    """Merge rows with identical coverage patterns; returns patterns, summed weights, inverse."""
    packed = np.packbits(cover, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    merged = np.bincount(inverse, weights=weight, minlength=first.size).astype(np.float64)
    return cover[first], merged, inverse.astype(np.intp)


def coverage_patterns(problem: LocationProblem, threshold: float) -> tuple[BoolArray, FloatArray]:
    """Distinct coverage patterns of the modelled rows and their summed demand.

    Rows are the reachable points with positive weight; the pattern of a row marks the sites
    within ``threshold``. Built in blocks of rows as packed bits (no copy of the matrix), so a
    national matrix needs ``n x m / 8`` bytes here. Patterns come in sorted order (as
    :func:`merge_patterns`).
    """
    idx = np.flatnonzero(problem.reachable & (problem.demand > 0))
    if idx.size == 0:
        raise InfeasibleError(
            f"no demand to serve: all {problem.n_demand} demand points are unreachable or have "
            "zero weight"
        )
    m = problem.n_sites
    packed = np.empty((idx.size, (m + 7) // 8), dtype=np.uint8)
    block = max(1, 4_000_000 // m)
    for a in range(0, idx.size, block):
        packed[a : a + block] = np.packbits(
            problem.minutes[idx[a : a + block]] <= threshold, axis=1
        )
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    weight = np.bincount(inverse.reshape(-1), weights=problem.demand[idx], minlength=first.size)
    patterns = np.unpackbits(packed[first], axis=1, count=m).astype(bool)
    return patterns, weight.astype(np.float64)


def _mclp_sparse(
    problem: LocationProblem,
    patterns: BoolArray,
    weight: FloatArray,
    t: float,
    p: int,
    params: SolveParams,
    t0: float,
    seed: int,
) -> LocationResult:
    """MCLP as a median problem on the exact coverage form (:func:`.nearest.coverage_costs`)."""
    from .median_sparse import solve_median_sparse
    from .nearest import coverage_costs
    from .pmedian import RESERVE_SHARE

    total = float(weight.sum())
    form = coverage_costs(patterns, weight)
    out = solve_median_sparse(
        form,
        problem.rules,
        count=p,
        site_cost=None,
        budget=None,
        params=params,
        deadline=t0 + (1 - RESERVE_SHARE) * params.time_limit_s,
        rng=np.random.default_rng(seed),
        scale=weight,
    )
    open_index = np.flatnonzero(out.open_mask)
    covered = float(weight[patterns[:, out.open_mask].any(axis=1)].sum())
    details = dict(out.details, patterns=int(patterns.shape[0]), sparse_value=out.value)
    return LocationResult(
        model="mclp",
        sense="max",
        open_index=open_index,
        assignment=nearest_assignment(problem, open_index),
        objective=covered,
        bound=max(total - out.bound, covered),
        seconds=time.perf_counter() - t0,
        method=out.method,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        threshold_minutes=t,
        details=details,
    )


def greedy_cover(
    cover: BoolArray,
    rules: SiteRules,
    *,
    site_cost: FloatArray | None = None,
    max_count: int | None = None,
) -> BoolArray | None:
    """A cover of every row under the site rules, or ``None`` when greedy finds none.

    Starts from the must-open sites, adds the site covering most uncovered rows (per unit of
    ``site_cost`` when given), keeps room for unmet group minimums, fills those minimums with
    the cheapest group sites, then drops redundant sites (costliest first).
    """
    n, m = cover.shape
    S = rules.fixed_open.copy()
    A = cover.astype(np.float32)
    unc = ~cover[:, S].any(axis=1) if S.any() else np.ones(n, dtype=bool)
    cost = np.ones(m) if site_cost is None else np.asarray(site_cost, dtype=np.float64)
    while unc.any():
        deficit = np.maximum(rules.group_min - rules.open_count_per_group(S), 0)
        need = int(deficit.sum())
        cand = rules.allowed & ~S
        if max_count is not None:
            slots = max_count - int(S.sum())
            if slots <= 0:
                return None
            if need and slots <= need:
                cand &= np.isin(rules.group_of_site, np.flatnonzero(deficit > 0))
        idx = np.flatnonzero(cand)
        if idx.size == 0:
            return None
        gain = unc.astype(np.float32) @ A[:, idx]
        if not gain.max() > 0:
            return None
        with np.errstate(divide="ignore"):
            score = np.where(gain > 0, gain / np.maximum(cost[idx], 1e-12), -1.0)
        j = int(idx[int(np.argmax(score))])
        S[j] = True
        unc &= ~cover[:, j]
    # group minimums
    deficit = np.maximum(rules.group_min - rules.open_count_per_group(S), 0)
    for g in np.flatnonzero(deficit > 0):
        cand_g = np.flatnonzero((rules.group_of_site == g) & rules.allowed & ~S)
        S[cand_g[np.argsort(cost[cand_g], kind="stable")[: int(deficit[g])]]] = True
    if max_count is not None and S.sum() > max_count:
        return None
    return drop_redundant(cover, rules, S, cost)


def drop_redundant(cover: BoolArray, rules: SiteRules, S: BoolArray, cost: FloatArray) -> BoolArray:
    """Close open sites (costliest first) whose rows stay covered and whose group stays full."""
    S = S.copy()
    times = cover[:, S].sum(axis=1)  # how often each row is covered
    for j in np.flatnonzero(S)[np.argsort(-cost[S], kind="stable")]:
        if rules.fixed_open[j]:
            continue
        g = rules.group_of_site[j]
        if g >= 0 and rules.open_count_per_group(S)[g] <= rules.group_min[g]:
            continue
        rows = cover[:, j]
        if np.all(times[rows] >= 2):
            S[j] = False
            times[rows] -= 1
    return S


def _unserved_error(problem: LocationProblem, threshold: float, model: str) -> InfeasibleError:
    allowed = np.flatnonzero(problem.rules.allowed).astype(np.int64)
    _, nearest = nearest_of(problem.minutes, allowed)  # one pass, no copy of the matrix
    modelled = problem.reachable & (problem.demand > 0)
    bad_points = modelled & (nearest > threshold)
    weight = float(problem.demand[bad_points].sum())
    return InfeasibleError(
        f"{model}: {int(bad_points.sum())} demand point(s) (demand {weight:g}) have no candidate "
        f"site within {threshold:g} min: their nearest candidate that may open is "
        f"{float(nearest[bad_points].min()):.1f}..{float(nearest[bad_points].max()):.1f} min "
        f"away; the smallest threshold every point can meet is "
        f"{float(nearest[modelled].max()):.1f} min. Raise the threshold, add candidates near "
        "them, or use mclp to maximise coverage instead"
    )


def lscp(
    problem: LocationProblem,
    threshold_minutes: float,
    *,
    minimize: Literal["sites", "cost"] = "sites",
    params: SolveParams | None = None,
    seed: int = 0,
) -> LocationResult:
    """Fewest sites (or least annual site cost) so that all demand is within the threshold.

    Parameters
    ----------
    problem
        Cost matrix, demand and site rules.
    threshold_minutes
        Service threshold ``S``.
    minimize
        ``"sites"`` (count) or ``"cost"`` (sum of ``site_cost_eur``).
    params
        Solver parameters.
    seed
        Unused (the method is deterministic); kept for a uniform signature.

    Returns
    -------
    LocationResult
        ``objective`` is the number of open sites (model ``"lscp"``) or their annual cost
        (``"lscp_cost"``); demand points are assigned to their nearest open site.

    Raises
    ------
    InfeasibleError
        Some demand point has no candidate within the threshold (the message gives how many,
        how far their nearest candidates are, and the smallest feasible threshold).
    """
    del seed
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    t = _check_threshold(threshold_minutes, "lscp")
    if minimize not in ("sites", "cost"):
        raise InputError(f"lscp: minimize must be 'sites' or 'cost'; got {minimize!r}")
    if minimize == "cost" and problem.site_cost_eur is None:
        raise InputError("lscp: minimize='cost' needs site_cost_eur in the problem")
    rules = problem.rules
    patterns, _ = coverage_patterns(problem, t)  # packed bits by blocks: no dense copy
    coverable = (patterns & rules.allowed[None, :]).any(axis=1)
    if not coverable.all():
        raise _unserved_error(problem, t, "lscp")
    cost = None if minimize == "sites" else problem.site_cost_eur
    costs = np.ones(problem.n_sites) if cost is None else cost
    S = greedy_cover(patterns, rules, site_cost=cost)
    details: dict[str, Any] = {"patterns": int(patterns.shape[0])}
    method = ["greedy cover"]
    if S is None:  # cannot happen when every row is coverable; kept as a guard
        raise InfeasibleError("lscp: the greedy cover failed although every row is coverable")
    value = float(costs[S].sum())
    model = cover_milp(sp.csr_matrix(patterns), rules, objective="lscp", site_cost=cost)
    lp = solve_milp(
        model,
        time_limit_s=max(deadline - time.perf_counter(), 0.1),
        relax=True,
        threads=params.threads,
    )
    bound = lp.bound if np.isfinite(lp.bound) else 0.0
    if cost is None:
        bound = math.ceil(bound - 1e-6)
    details["lp_bound"] = lp.bound
    use_milp = params.method == "exact" or (
        params.method == "auto" and patterns.size <= params.exact_max_entries
    )
    if (value - bound) > params.gap_tolerance * value and use_milp:
        out = solve_milp(
            model,
            time_limit_s=max(deadline - time.perf_counter(), 0.1),
            gap_tolerance=params.gap_tolerance,
            threads=params.threads,
            start=S.astype(np.float64),
        )
        details["milp_status"] = out.status
        method.append(f"HiGHS MILP ({out.status})")
        if out.x is not None:
            T = out.x > 0.5
            if float(costs[T].sum()) < value:
                S, value = T, float(costs[T].sum())
        if np.isfinite(out.bound):
            b = math.ceil(out.bound - 1e-6) if cost is None else out.bound
            bound = max(bound, b)
    bound = min(bound, value)
    open_index = np.flatnonzero(S)
    desc = (
        "+".join(method)
        + "; bound: LP relaxation"
        + (" / HiGHS dual bound" if "milp_status" in details else "")
    )
    return LocationResult(
        model="lscp" if cost is None else "lscp_cost",
        sense="min",
        open_index=open_index,
        assignment=nearest_assignment(problem, open_index),
        objective=value,
        bound=float(bound),
        seconds=time.perf_counter() - t0,
        method=desc,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        threshold_minutes=t,
        details=details,
    )


def mclp(
    problem: LocationProblem,
    threshold_minutes: float,
    p: int,
    *,
    params: SolveParams | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open ``p`` sites maximising the demand within the threshold.

    Parameters
    ----------
    problem
        Cost matrix, demand and site rules.
    threshold_minutes
        Service threshold ``S``.
    p
        Number of open sites (must-open sites included).
    params
        Solver parameters.
    seed
        Seed of the randomised neighbourhood search.

    Returns
    -------
    LocationResult
        ``sense="max"``: ``objective`` is the covered demand and ``bound`` a proven upper bound.
        Every demand point is assigned to its nearest open site (also when outside the
        threshold; ``to_frame()`` marks ``within``).

    Raises
    ------
    InfeasibleError
        ``p`` does not fit the site rules.
    """
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    t = _check_threshold(threshold_minutes, "mclp")
    rules = problem.rules
    rules.check_count(p, model="mclp")
    patterns, weight = coverage_patterns(problem, t)
    total = float(weight.sum())
    if params.use_sparse(patterns.shape[0], problem.n_sites):
        return _mclp_sparse(problem, patterns, weight, t, int(p), params, t0, seed)
    D = np.where(patterns, 0.0, weight[:, None])  # uncovered demand
    space = MoveSpace(D, rules, count=int(p))
    S = greedy(space)
    S, value, _ = local_search(space, S, deadline=deadline)
    use_milp = params.method == "exact" or (
        params.method == "auto" and patterns.size <= params.exact_max_entries
    )
    # with a MILP to follow, the bound and VNS only need to be good, not final
    lag = median_bound(
        D,
        Selector(rules, count=int(p)),
        site_cost=None,
        upper_bound=value,
        upper_open=S,
        deadline=t0 + 0.5 * params.time_limit_s,
        max_iterations=min(params.lagrangian_max_iterations, 30)
        if use_milp
        else params.lagrangian_max_iterations,
        gap_tolerance=params.gap_tolerance,
        scale=weight,
    )
    bound = lag.bound
    method = ["greedy+fast-interchange"]
    if lag.primal_open is not None:
        T, tv, _ = local_search(space, lag.primal_open, deadline=deadline)
        if tv < value:
            S, value = T, tv
            method.append("Lagrangian heuristic")
    details: dict[str, Any] = {
        "patterns": int(patterns.shape[0]),
        "lagrangian_iterations": lag.iterations,
    }

    def gap() -> float:
        return (value - bound) / max(total - value, 1e-12)

    if gap() > params.gap_tolerance:
        now = time.perf_counter()
        vns_deadline = now + (0.3 if use_milp else 1.0) * max(deadline - now, 0.0)
        target = bound + params.gap_tolerance * (total - bound)
        T, tv, rounds = vns(
            space,
            S,
            value,
            deadline=vns_deadline,
            rng=np.random.default_rng(seed),
            target=target,
            max_rounds=3 if use_milp else 200,
        )
        details["vns_rounds"] = rounds
        method.append("VNS")
        if tv < value:
            S, value = T, tv
    bound_desc = f"Lagrangian ({lag.iterations} it.)"
    if gap() > params.gap_tolerance and use_milp and time.perf_counter() < deadline:
        model = cover_milp(
            sp.csr_matrix(patterns), rules, objective="mclp", weight=weight, count=int(p)
        )
        start = np.concatenate(
            [S.astype(np.float64), patterns[:, S].any(axis=1).astype(np.float64)]
        )
        out = solve_milp(
            model,
            time_limit_s=max(deadline - time.perf_counter(), 0.1),
            gap_tolerance=params.gap_tolerance,
            threads=params.threads,
            start=start,
        )
        details["milp_status"] = out.status
        method.append(f"HiGHS MILP ({out.status})")
        if out.x is not None:
            T = out.x[: problem.n_sites] > 0.5
            tv = space.value(T)
            if tv < value:
                S, value = T, tv
        if np.isfinite(out.bound):
            bound = max(bound, total - out.bound)
        bound_desc += " / HiGHS dual bound"
    bound = min(bound, value)
    open_index = np.flatnonzero(S)
    return LocationResult(
        model="mclp",
        sense="max",
        open_index=open_index,
        assignment=nearest_assignment(problem, open_index),
        objective=total - value,
        bound=total - bound,
        seconds=time.perf_counter() - t0,
        method="+".join(method) + "; bound: " + bound_desc,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        threshold_minutes=t,
        details=details,
    )
