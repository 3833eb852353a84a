"""p-median: minimise total weighted travel time with ``p`` open sites.

.. math::

    \\min \\sum_i \\sum_j w_i c_{ij} x_{ij} \\quad\\text{s.t.}\\quad
    \\sum_j x_{ij} = 1\\ \\forall i,\\quad x_{ij} \\le y_j,\\quad \\sum_j y_j = p,\\quad
    y_j = 1\\ (j \\in \\text{must open}),\\ y_j = 0\\ (j \\in \\text{must close}),\\quad
    \\sum_{j \\in g} y_j \\ge m_g\\ \\forall g,\\quad y \\in \\{0,1\\}^m,\\ x \\ge 0,

with ``x_ij`` fixed to 0 where ``c_ij = inf``.

Method (:func:`solve_median_family`, shared with the fixed-charge model):

1. greedy addition, then fast interchange to a local optimum (:mod:`.heuristics`);
2. a Lagrangian bound (:mod:`.lagrangian`), whose subproblem solutions are also tried as
   primal solutions; the best is polished by fast interchange;
3. variable neighbourhood search while the gap is above tolerance (at most half the remaining
   time when a MILP may follow);
4. with ``method="exact"``, or ``"auto"`` and a small enough model, the MILP with HiGHS from the
   incumbent, after fixing sites that the Lagrangian bound proves open or closed in every
   better solution.

The result's ``bound`` is the best of the Lagrangian bound and HiGHS's dual bound.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import InfeasibleError
from .exact import assignment_milp, cover_milp, solve_milp
from .heuristics import FamilyOutcome, MoveSpace, greedy, local_search, vns, weighted_costs
from .lagrangian import median_bound, median_evaluator
from .problem import BoolArray, FloatArray, LocationProblem, SiteRules, SolveParams, model_rows
from .result import LocationResult, nearest_assignment
from .selection import Selector

log = logging.getLogger("palveluverkko.locate")

__all__ = ["p_median"]


def _fixings(
    rho_of: Callable[[FloatArray], FloatArray],
    lam: FloatArray,
    rules: SiteRules,
    make_selector: Callable[[SiteRules], Selector],
    upper_bound: float,
) -> SiteRules:
    """Rules tightened by Lagrangian reduced-cost tests.

    A site is fixed closed when forcing it open lifts ``L(lambda)`` above ``UB``, and fixed open
    when forcing it closed does: no solution better than the incumbent can then differ.
    """
    rho = rho_of(lam)
    base = float(lam.sum())
    sel = make_selector(rules)
    y, _ = sel(rho)
    allowed = rules.allowed.copy()
    fixed = rules.fixed_open.copy()
    margin = 1e-9 * max(1.0, abs(upper_bound))
    for j in np.flatnonzero(rules.allowed & ~rules.fixed_open):
        if y[j]:
            trial = replace(rules, allowed=rules.allowed & (np.arange(rules.n_sites) != j))
            if not _feasible_rules(trial):
                fixed[j] = True
                continue
        else:
            trial = replace(rules, fixed_open=rules.fixed_open | (np.arange(rules.n_sites) == j))
        try:
            _, value = make_selector(trial)(rho)
        except (ValueError, RuntimeError):
            continue
        if base + value > upper_bound + margin:
            if y[j]:
                fixed[j] = True
            else:
                allowed[j] = False
    return replace(rules, allowed=allowed, fixed_open=fixed)


def _feasible_rules(rules: SiteRules) -> bool:
    if not rules.group_min.size:
        return True
    avail = np.bincount(
        rules.group_of_site[rules.allowed & (rules.group_of_site >= 0)],
        minlength=rules.group_min.size,
    )
    return bool(np.all(avail >= rules.group_min))


def integral_costs(D: FloatArray, site_cost: FloatArray | None) -> bool:
    """Whether every solution's objective is an integer: the finite (weighted) costs and the
    site costs are whole numbers (as in OR-Library's instances, with unit demand)."""
    finite = D[np.isfinite(D)]
    whole = bool(np.all(finite == np.round(finite)))
    if site_cost is not None:
        whole = whole and bool(np.all(site_cost == np.round(site_cost)))
    return whole


def round_up(bound: float) -> float:
    """A lower bound of an integer objective, rounded up to the next integer (a relative
    tolerance of 1e-9 keeps a bound of 41.9999999999 at 42, not 43)."""
    if not np.isfinite(bound):
        return bound
    return float(np.ceil(bound - 1e-9 * max(1.0, abs(bound))))


def solve_median_family(
    D: FloatArray,
    forbidden: BoolArray,
    rules: SiteRules,
    *,
    count: int | None,
    site_cost: FloatArray | None,
    budget: float | None,
    params: SolveParams,
    deadline: float,
    rng: np.random.Generator,
    scale: FloatArray | None = None,
) -> FamilyOutcome:
    """Heuristic, Lagrangian bound and (optionally) MILP for ``min z(S)`` (see the module doc)."""
    t0 = time.perf_counter()
    total = max(deadline - t0, 1e-3)
    space = MoveSpace(D, rules, count=count, site_cost=site_cost, budget=budget)
    S = greedy(space)
    S, value, moves = local_search(space, S, deadline=deadline)
    details: dict[str, Any] = {"greedy_interchange_value": value, "interchange_moves": moves}

    def make_selector(r: SiteRules) -> Selector:
        return Selector(
            r, count=count, budget=budget, site_cost=site_cost, time_limit_s=max(1.0, 0.05 * total)
        )

    use_milp = params.method == "exact" or (
        params.method == "auto"
        and D.shape[0] * int(rules.allowed.sum()) <= params.exact_max_entries
    )
    # with a MILP to follow, the bound and VNS only need to be good, not final
    lag = median_bound(
        D,
        make_selector(rules),
        site_cost=site_cost,
        upper_bound=value,
        upper_open=S,
        deadline=t0 + 0.6 * total if params.method != "heuristic" else t0 + 0.7 * total,
        max_iterations=min(params.lagrangian_max_iterations, 300)
        if use_milp
        else params.lagrangian_max_iterations,
        gap_tolerance=params.gap_tolerance,
        scale=scale,
    )
    integral = integral_costs(D, site_cost)
    bound = round_up(lag.bound) if integral else lag.bound
    details.update(
        lagrangian_iterations=lag.iterations,
        lagrangian_bound=lag.bound,
        lagrangian_seconds=lag.seconds,
        integral_objective=integral,
    )
    method = ["greedy+fast-interchange"]
    if lag.primal_open is not None and lag.primal_value < np.inf:
        T, tv, _ = local_search(space, lag.primal_open, deadline=deadline)
        if tv < value:
            S, value = T, tv
            method.append("Lagrangian heuristic")

    def gap() -> float:
        return (value - bound) / max(abs(value), 1e-12)

    if gap() > params.gap_tolerance:
        now = time.perf_counter()
        vns_deadline = now + (0.3 if use_milp else 1.0) * max(deadline - now, 0.0)
        target = bound + params.gap_tolerance * abs(bound)
        T, tv, rounds = vns(
            space,
            S,
            value,
            deadline=vns_deadline,
            rng=rng,
            target=target,
            max_rounds=20 if use_milp else 200,
        )
        details["vns_rounds"] = rounds
        method.append("VNS")
        if tv < value:
            S, value = T, tv
    if gap() > params.gap_tolerance and not use_milp and time.perf_counter() < deadline - 0.05:
        # no MILP for this size: the rest of the time goes to the bound, restarted from the
        # multipliers reached and the best network found, instead of returning early
        more = median_bound(
            D,
            make_selector(rules),
            site_cost=site_cost,
            upper_bound=value,
            upper_open=S,
            deadline=deadline,
            max_iterations=params.lagrangian_max_iterations,
            gap_tolerance=params.gap_tolerance,
            lam0=lag.multipliers,
            scale=scale,
        )
        details["lagrangian_restart_iterations"] = more.iterations
        if more.bound > lag.bound:
            bound = max(bound, round_up(more.bound) if integral else more.bound)
            details["lagrangian_bound"] = max(more.bound, lag.bound)
        if more.primal_open is not None and more.primal_value < value:
            T, tv, _ = local_search(space, more.primal_open, deadline=deadline)
            if tv < value:
                S, value = T, tv
    if gap() > params.gap_tolerance and use_milp and time.perf_counter() < deadline:
        evaluate_rho = median_evaluator(D, make_selector(rules), site_cost)[1]
        tight = _fixings(evaluate_rho, lag.multipliers, rules, make_selector, value)
        n_fixed = int(
            (rules.allowed & ~tight.allowed).sum() + (tight.fixed_open & ~rules.fixed_open).sum()
        )
        details["sites_fixed_by_bound"] = n_fixed
        model, layout = assignment_milp(
            D,
            tight,
            count=count,
            site_cost=site_cost,
            budget=budget,
            forbidden=forbidden,
        )
        site_of_row = np.flatnonzero(S)[np.argmin(D[:, S], axis=1)]
        start = layout.start_vector(S, site_of_row)
        out = solve_milp(
            model,
            time_limit_s=deadline - time.perf_counter(),
            gap_tolerance=params.gap_tolerance,
            threads=params.threads,
            start=start,
        )
        details["milp_status"] = out.status
        details["milp_seconds"] = out.seconds
        method.append(f"HiGHS MILP ({out.status})")
        if out.x is not None:
            T = layout.open_mask(out.x)
            tv = space.value(T)
            if tv < value:
                S, value = T, tv
        if out.status == "optimal" or np.isfinite(out.bound):
            milp_bound = round_up(out.bound) if integral else out.bound
            bound = max(bound, min(milp_bound, value))
    bound = min(bound, value)
    desc = "+".join(method) + f"; bound: Lagrangian ({lag.iterations} it.)"
    if "milp_status" in details:
        desc += " / HiGHS dual bound"
    return FamilyOutcome(S, value, bound, desc, details)


def min_cover_count(
    forbidden: BoolArray, rules: SiteRules, *, time_limit_s: float
) -> tuple[int, int]:
    """Proven lower bound and best known count of open sites so that every row reaches one.

    Rows are covered by the sites with a finite (non-forbidden) entry. Returns ``(lower,
    best)``; ``lower == best`` when HiGHS proved it.
    """
    import scipy.sparse as sp

    cover = sp.csr_matrix(~forbidden)
    out = solve_milp(cover_milp(cover, rules, objective="lscp"), time_limit_s=time_limit_s)
    if out.status == "infeasible":
        return rules.n_sites + 1, rules.n_sites + 1
    lower = int(np.ceil(out.bound - 1e-6))
    best = round(out.objective) if out.x is not None else rules.n_sites
    return lower, best


def check_reach(
    value: float,
    threshold: float,
    forbidden: BoolArray,
    rules: SiteRules,
    *,
    count: int | None,
    model: str,
) -> None:
    """Raise :class:`InfeasibleError` when the best solution still uses a forbidden pair.

    Only reached when some rows have ``inf`` entries: the minimum number of sites that gives
    every row a reachable site is computed with HiGHS and reported.
    """
    if value < threshold:
        return
    lower, best = min_cover_count(forbidden, rules, time_limit_s=30.0)
    n_bad = int(forbidden.all(axis=1).sum())
    if count is not None and lower > count:
        raise InfeasibleError(
            f"{model}: with p = {count} open sites some demand cannot reach any open site: "
            f"giving every demand point a reachable site needs at least {lower} sites "
            f"(HiGHS set cover{'' if lower == best else f'; best found {best}'}) under the "
            "site rules; raise p, allow more candidates, or exclude those points "
            f"({n_bad} rows reach no allowed site at all)"
        )
    raise InfeasibleError(
        f"{model}: no solution found in which every demand point reaches an open site "
        f"(a cover needs {lower}..{best} sites); the budget or site rules may forbid it. "
        "Raise the budget or time limit, or relax must_close / the travel-time cut-off"
    )


def p_median(
    problem: LocationProblem,
    p: int,
    *,
    params: SolveParams | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open ``p`` sites minimising total demand-weighted travel time (see module docstring).

    Parameters
    ----------
    problem
        Cost matrix, demand and site rules.
    p
        Number of open sites (must-open sites included).
    params
        Solver parameters (time limit, gap tolerance, method).
    seed
        Seed of the randomised neighbourhood search.

    Returns
    -------
    LocationResult
        ``objective`` is ``sum_i w_i c_i,site(i)`` (demand x minutes); ``bound`` a proven lower
        bound; every demand point is assigned to its nearest open site.

    Raises
    ------
    InfeasibleError
        ``p`` is below the must-open sites plus group minimums or above the sites that may
        open, or ``p`` sites cannot give every demand point a reachable site (the message
        gives the minimum number needed).
    """
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    rules = problem.rules
    rules.check_count(p, model="p_median")
    if params.use_sparse(problem.n_demand, problem.n_sites):
        return _p_median_sparse(problem, int(p), params, t0, seed)
    rows = model_rows(problem, aggregate=params.aggregate_rows)
    D, forbidden, threshold = weighted_costs(rows)
    out = solve_median_family(
        D,
        forbidden,
        rules,
        count=int(p),
        site_cost=None,
        budget=None,
        params=params,
        deadline=deadline,
        rng=np.random.default_rng(seed),
        scale=rows.weight,
    )
    check_reach(out.value, threshold, forbidden, rules, count=int(p), model="p_median")
    open_index = np.flatnonzero(out.open_mask)
    assignment = nearest_assignment(problem, open_index)
    details = dict(out.details, rows_modelled=rows.n_rows, zero_weight_points=rows.n_zero_weight)
    return LocationResult(
        model="p_median",
        sense="min",
        open_index=open_index,
        assignment=assignment,
        objective=out.value,
        bound=out.bound,
        seconds=time.perf_counter() - t0,
        method=out.method,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        details=details,
    )


RESERVE_SHARE = 0.03
"""Share of the time limit kept after the search on the sparse path for evaluating the
solution on the full matrix and assigning every demand point (one pass over ``n x p``)."""


def _p_median_sparse(
    problem: LocationProblem, p: int, params: SolveParams, t0: float, seed: int
) -> LocationResult:
    """p-median on the k-nearest sparse form (:mod:`.nearest`), evaluated on the full matrix."""
    from .median_sparse import SparseModel, exact_nearest, solve_median_sparse, unreachable_error

    limit = params.time_limit_s
    model = SparseModel(problem, params, count=p)
    t_form = time.perf_counter() - t0
    out = solve_median_sparse(
        model.form,
        problem.rules,
        count=p,
        site_cost=None,
        budget=None,
        params=params,
        deadline=t0 + (1 - RESERVE_SHARE) * limit,
        rng=np.random.default_rng(seed),
        scale=model.weight,
    )
    open_index = np.flatnonzero(out.open_mask)
    assignment, minutes = exact_nearest(problem, open_index)
    keep = model.keep
    bad = keep & ~np.isfinite(minutes)
    if bad.any():
        raise unreachable_error("p_median", p, int(bad.sum()), float(problem.demand[bad].sum()))
    objective = float(problem.demand[keep] @ minutes[keep])
    details = dict(
        out.details,
        rows_modelled=model.n_rows,
        zero_weight_points=int((problem.reachable & (problem.demand == 0)).sum()),
        nearest_k=model.k,
        form_seconds=round(t_form, 3),
        sparse_value=out.value,
        rows_outside_list=model.rows_outside_list(out.open_mask),
    )
    return LocationResult(
        model="p_median",
        sense="min",
        open_index=open_index,
        assignment=assignment,
        objective=objective,
        bound=min(out.bound, objective),
        seconds=time.perf_counter() - t0,
        method=out.method,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        details=details,
    )
