"""Fixed-charge facility location: annual site costs plus a travel cost, optionally under a budget.

.. math::

    \\min \\sum_j f_j y_j + \\tau \\sum_i \\sum_j w_i c_{ij} x_{ij} \\quad\\text{s.t.}\\quad
    \\sum_j x_{ij} = 1\\ \\forall i,\\quad x_{ij} \\le y_j,\\quad
    \\Big[\\sum_j f_j y_j \\le B\\Big],\\quad \\text{site rules},\\quad y \\in \\{0,1\\}^m,

with ``f_j`` the annual cost of site ``j`` (``site_cost_eur``), ``tau`` the cost of one unit of
demand travelling one minute (``eur_per_demand_minute``) and ``B`` an optional budget. The
number of open sites is free. It is solved by the same machinery as the p-median
(:func:`~.pmedian.solve_median_family`): greedy addition, fast interchange with add and drop
moves, a Lagrangian bound whose site subproblem is a sort (or, with a budget, a knapsack
solved by HiGHS), VNS, and the HiGHS MILP when small enough.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..errors import InfeasibleError, InputError
from .heuristics import weighted_costs
from .pmedian import check_reach, solve_median_family
from .problem import FloatArray, LocationProblem, SolveParams, model_rows
from .result import LocationResult, nearest_assignment
from .selection import Selector

__all__ = ["fixed_charge"]


def fixed_charge(
    problem: LocationProblem,
    eur_per_demand_minute: float,
    *,
    budget_eur: float | None = None,
    params: SolveParams | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open the sites minimising annual site cost plus travel cost (see module docstring).

    Parameters
    ----------
    problem
        Cost matrix, demand, site rules and ``site_cost_eur`` (required).
    eur_per_demand_minute
        Value of one unit of demand travelling one minute, EUR (e.g. per contact-minute).
    budget_eur
        Optional cap on the annual cost of the open sites.
    params
        Solver parameters.
    seed
        Seed of the randomised neighbourhood search.

    Returns
    -------
    LocationResult
        ``objective`` in EUR per year (site costs plus travel cost), ``bound`` a proven lower
        bound; every demand point is assigned to its nearest open site.

    Raises
    ------
    InputError
        The problem has no ``site_cost_eur`` or the prices are negative / not finite.
    InfeasibleError
        The budget is below the cheapest set of sites the rules allow, or no affordable set
        lets every demand point reach an open site.
    """
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    if problem.site_cost_eur is None:
        raise InputError(
            "fixed_charge: the problem has no site_cost_eur; pass site_cost_eur to "
            "problem_from_matrix"
        )
    tau = float(eur_per_demand_minute)
    if not (tau >= 0 and math.isfinite(tau)):
        raise InputError(
            f"fixed_charge: eur_per_demand_minute must be finite and >= 0; got "
            f"{eur_per_demand_minute!r}"
        )
    f = np.asarray(problem.site_cost_eur, dtype=np.float64)
    rules = problem.rules
    if budget_eur is not None:
        budget = float(budget_eur)
        cheapest, cheapest_cost = Selector(rules)(f.copy())
        # the selector opens at least one site; that is what every solution needs too
        if cheapest_cost > budget * (1 + 1e-12):
            raise InfeasibleError(
                f"fixed_charge: budget {budget:,.0f} EUR is below the cheapest set of sites the "
                f"rules allow ({cheapest_cost:,.0f} EUR for {int(cheapest.sum())} site(s): "
                "must-open sites, group minimums, at least one site); raise the budget to at "
                f"least {cheapest_cost:,.0f} EUR (--budget) or relax the rules (CLI: fewer "
                "--keep, a lower --per-municipality; Python: must_open, min_open_per_group)"
            )
    else:
        budget = None
    if params.use_sparse(problem.n_demand, problem.n_sites):
        return _fixed_charge_sparse(problem, tau, f, budget, params, t0, seed)
    rows = model_rows(problem, aggregate=params.aggregate_rows)
    D, forbidden, threshold = weighted_costs(rows, scale=tau, site_cost=f)
    out = solve_median_family(
        D,
        forbidden,
        rules,
        count=None,
        site_cost=f,
        budget=budget,
        params=params,
        deadline=deadline,
        rng=np.random.default_rng(seed),
        scale=rows.weight * max(tau, 1e-12),
    )
    check_reach(out.value, threshold, forbidden, rules, count=None, model="fixed_charge")
    open_index = np.flatnonzero(out.open_mask)
    details = dict(
        out.details,
        rows_modelled=rows.n_rows,
        zero_weight_points=rows.n_zero_weight,
        site_cost_eur=float(f[open_index].sum()),
        travel_cost_eur=float(out.value - f[open_index].sum()),
        budget_eur=budget,
    )
    return LocationResult(
        model="fixed_charge",
        sense="min",
        open_index=open_index,
        assignment=nearest_assignment(problem, open_index),
        objective=out.value,
        bound=out.bound,
        seconds=time.perf_counter() - t0,
        method=out.method,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        details=details,
    )


def _fixed_charge_sparse(
    problem: LocationProblem,
    tau: float,
    f: FloatArray,
    budget: float | None,
    params: SolveParams,
    t0: float,
    seed: int,
) -> LocationResult:
    """Fixed charge on the k-nearest sparse form, evaluated on the full matrix."""
    from .median_sparse import SparseModel, exact_nearest, solve_median_sparse, unreachable_error
    from .pmedian import RESERVE_SHARE

    model = SparseModel(problem, params, count=None, scale=tau, site_cost_total=float(f.sum()))
    out = solve_median_sparse(
        model.form,
        problem.rules,
        count=None,
        site_cost=f,
        budget=budget,
        params=params,
        deadline=t0 + (1 - RESERVE_SHARE) * params.time_limit_s,
        rng=np.random.default_rng(seed),
        scale=model.weight * max(tau, 1e-12),
    )
    open_index = np.flatnonzero(out.open_mask)
    assignment, minutes = exact_nearest(problem, open_index)
    keep = model.keep
    bad = keep & ~np.isfinite(minutes)
    if bad.any():
        raise unreachable_error(
            "fixed_charge", None, int(bad.sum()), float(problem.demand[bad].sum())
        )
    site_eur = float(f[open_index].sum())
    travel_eur = tau * float(problem.demand[keep] @ minutes[keep])
    objective = site_eur + travel_eur
    details = dict(
        out.details,
        rows_modelled=model.n_rows,
        zero_weight_points=int((problem.reachable & (problem.demand == 0)).sum()),
        nearest_k=model.k,
        sparse_value=out.value,
        rows_outside_list=model.rows_outside_list(out.open_mask),
        site_cost_eur=site_eur,
        travel_cost_eur=travel_eur,
        budget_eur=budget,
    )
    return LocationResult(
        model="fixed_charge",
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
