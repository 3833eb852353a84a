"""Median-type heuristics and Lagrangian bound on the sparse form, with a deadline everywhere.

The same method as :func:`.pmedian.solve_median_family` (greedy, fast interchange, Lagrangian
bound with its primal heuristic, variable neighbourhood search) on a
:class:`.nearest.NearestCosts`, where each pass costs the listed entries it needs instead of
``n_rows x n_sites``:

* greedy addition with lazy gains (Minoux 1978): only the best candidate's gain is recomputed,
  from its column, until the best is fresh; after the deadline the last gains rank the rest;
* fast interchange (Whitaker 1983; Resende and Werneck 2007) with ``gain`` and ``extra`` from
  one walk over each row's list up to its second-nearest open site;
* the Lagrangian bound ``L(lambda)`` of :mod:`.lagrangian` with ``rho_j`` summed over listed
  entries below ``lambda_i``. Every multiplier is capped at ``other_i`` so that unlisted sites
  add nothing to ``rho``: the bound is exact for the sparse problem, and since the sparse
  problem only lowers costs (k-nearest) or keeps them (coverage), it is a valid lower bound for
  the full problem. The cap binds only where a row's best ``lambda`` would exceed the cost of
  its ``(k+1)``-th site; ``details["capped_multipliers"]`` counts such rows at the best
  multipliers (zero: the sparse form cost the bound nothing there).

No MILP runs on this path (a national MILP has hundreds of millions of columns); the dense path
keeps it for small models.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np

from ..errors import InfeasibleError
from ._matrix_kernels import nearest_of
from ._median_kernels import (
    lagrangian_count,
    lagrangian_rho,
    lazy_best,
    nearest_two_sparse,
    open_site,
    open_value,
    swap_terms,
)
from .heuristics import FamilyOutcome, apply_move, best_move, vns
from .lagrangian import LagrangianOutcome, subgradient
from .nearest import NearestCosts, k_nearest_costs, list_length
from .params import BoolArray, FloatArray, IntArray, SiteRules, SolveParams
from .problem import LocationProblem, merge_identical_rows
from .selection import Selector

log = logging.getLogger("palveluverkko.locate")

__all__ = ["SparseModel", "SparseSpace", "exact_nearest", "solve_median_sparse"]


class SparseSpace:
    """Moves and values of a median-type model over a sparse form."""

    def __init__(
        self,
        form: NearestCosts,
        rules: SiteRules,
        *,
        count: int | None = None,
        site_cost: FloatArray | None = None,
        budget: float | None = None,
    ) -> None:
        self.form = form
        self.rules = rules
        self.count = count
        self.site_cost = site_cost
        self.budget = budget
        self.m = form.n_sites
        self.moves = 0

    def _cost(self, idx: IntArray) -> FloatArray:
        if self.site_cost is None:
            return np.zeros(idx.size)
        return self.site_cost[idx]

    def value(self, open_mask: BoolArray) -> float:
        """Objective of ``open_mask`` on the sparse form (site costs included)."""
        f = self.form
        value = float(open_value(f.indptr, f.site, f.cost, f.other, open_mask))
        return value + float(self._cost(np.flatnonzero(open_mask)).sum())

    def greedy(self, *, deadline: float, start: BoolArray | None = None) -> BoolArray:
        """Greedy addition with lazy gains (the rules as :func:`.heuristics.greedy`)."""
        rules = self.rules
        f = self.form
        S = rules.fixed_open.copy() if start is None else start.copy()
        d1 = f.other.copy()
        for j0 in np.flatnonzero(S):
            open_site(f.col_indptr, f.col_row, f.col_cost, d1, int(j0))
        site_cost = np.zeros(self.m) if self.site_cost is None else self.site_cost
        # today's gains (one pass): exact bounds to start the lazy search, and the ranking
        # used once the deadline has passed
        f_rows = np.repeat(np.arange(f.n_rows), np.diff(f.indptr))
        upper = (
            np.bincount(
                f.site, weights=np.maximum(d1[f_rows] - f.cost, 0.0), minlength=self.m
            ).astype(np.float64)
            - site_cost
        )
        del f_rows
        stamp = np.full(self.m, -1, dtype=np.int64)
        spent = float(site_cost[S].sum())
        step = 0
        while True:
            n_open = int(S.sum())
            if self.count is not None and n_open >= self.count:
                break
            cand = rules.allowed & ~S
            deficit = np.maximum(rules.group_min - rules.open_count_per_group(S), 0)
            need = int(deficit.sum())
            slots = (self.count - n_open) if self.count is not None else None
            if need and (slots is None or slots <= need):
                cand &= np.isin(rules.group_of_site, np.flatnonzero(deficit > 0))
            if self.budget is not None and self.site_cost is not None:
                cand &= spent + self.site_cost <= self.budget * (1 + 1e-12)
            if not cand.any():
                break
            if time.perf_counter() < deadline:
                step += 1  # a new step: every bound is stale
                j = int(
                    lazy_best(
                        upper, stamp, step, cand, f.col_indptr, f.col_row, f.col_cost, d1, site_cost
                    )
                )
            else:  # out of time: rank by the last gains, no recomputation
                j = int(np.flatnonzero(cand)[np.argmax(upper[cand])])
            if self.count is None and n_open > 0 and not need and upper[j] <= 0:
                break
            S[j] = True
            spent += float(site_cost[j])
            open_site(f.col_indptr, f.col_row, f.col_cost, d1, j)
        return S

    def descend(self, open_mask: BoolArray, *, deadline: float) -> tuple[BoolArray, float, int]:
        """Best-improvement fast interchange (add/drop with a free count) to a local optimum."""
        f = self.form
        rules = self.rules
        S = open_mask.copy()
        value = self.value(S)
        moves = 0
        while time.perf_counter() < deadline:
            open_idx = np.flatnonzero(S)
            closed = np.flatnonzero(rules.allowed & ~S)
            phi, d1, d2 = nearest_two_sparse(f.indptr, f.site, f.cost, f.other, S)
            pos_open = np.full(self.m, -1, dtype=np.int64)
            pos_open[open_idx] = np.arange(open_idx.size)
            pos_closed = np.full(self.m, -1, dtype=np.int64)
            pos_closed[closed] = np.arange(closed.size)
            served = phi >= 0
            loss = np.bincount(
                pos_open[phi[served]], weights=(d2 - d1)[served], minlength=open_idx.size
            ).astype(np.float64)
            gain, extra = swap_terms(
                f.indptr,
                f.site,
                f.cost,
                phi,
                d1,
                d2,
                pos_open,
                pos_closed,
                open_idx.size,
                closed.size,
            )
            delta, move = best_move(self, S, open_idx, closed, loss, gain, extra[: open_idx.size])
            tol = 1e-10 * max(1.0, abs(value))
            if move is None or delta > -tol:
                break
            T = apply_move(S, move)
            new_value = self.value(T)
            if new_value >= value - tol:
                break
            S, value = T, new_value
            moves += 1
        self.moves += moves
        return S, value, moves


def sparse_median_bound(
    space: SparseSpace,
    selector: Selector,
    *,
    upper_bound: float,
    upper_open: BoolArray,
    deadline: float,
    max_iterations: int,
    gap_tolerance: float,
    scale: FloatArray | None = None,
) -> LagrangianOutcome:
    """Lagrangian bound over the sparse form, multipliers capped at ``other`` (module doc)."""
    f = space.form
    site_cost = space.site_cost

    def evaluate(lam: FloatArray) -> tuple[float, FloatArray, BoolArray]:
        rho = lagrangian_rho(f.indptr, f.site, f.cost, lam, f.n_sites)
        if site_cost is not None:
            rho = rho + site_cost
        y, sel_value = selector(rho)
        g = 1.0 - lagrangian_count(f.indptr, f.site, f.cost, lam, y)
        return float(lam.sum()) + sel_value, g, y

    _, lam0, _ = nearest_two_sparse(f.indptr, f.site, f.cost, f.other, upper_open)
    return subgradient(
        evaluate,
        lam0,
        upper_bound=upper_bound,
        deadline=deadline,
        max_iterations=max_iterations,
        gap_tolerance=gap_tolerance,
        primal=space.value,
        scale=scale,
        upper=f.other,
    )


def solve_median_sparse(
    form: NearestCosts,
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
    """Greedy, fast interchange, Lagrangian bound and VNS on the sparse form (module doc).

    Shares of the time left: greedy and the first descent until 35 % of it, the bound until
    75 %, then VNS to the deadline. Each phase stops at its own deadline with what it has.
    """
    t0 = time.perf_counter()
    total = max(deadline - t0, 1e-3)
    space = SparseSpace(form, rules, count=count, site_cost=site_cost, budget=budget)
    S = space.greedy(deadline=t0 + 0.25 * total)
    t_greedy = time.perf_counter() - t0
    S, value, moves = space.descend(S, deadline=t0 + 0.35 * total)
    details: dict[str, Any] = {
        "sparse_form": "coverage" if form.exact else "k-nearest",
        "sparse_entries": int(form.site.size),
        "sparse_mb": round(form.nbytes / 1e6, 1),
        "greedy_seconds": round(t_greedy, 3),
        "greedy_interchange_value": value,
        "interchange_moves": moves,
    }
    selector = Selector(
        rules, count=count, budget=budget, site_cost=site_cost, time_limit_s=max(1.0, 0.05 * total)
    )
    lag = sparse_median_bound(
        space,
        selector,
        upper_bound=value,
        upper_open=S,
        deadline=t0 + 0.75 * total,
        max_iterations=params.lagrangian_max_iterations,
        gap_tolerance=params.gap_tolerance,
        scale=scale,
    )
    bound = lag.bound
    capped = int((lag.multipliers >= form.other * (1 - 1e-12)).sum()) if not form.exact else 0
    details.update(
        lagrangian_iterations=lag.iterations,
        lagrangian_bound=lag.bound,
        lagrangian_seconds=lag.seconds,
        capped_multipliers=capped,
    )
    method = ["lazy greedy+fast-interchange (sparse form)"]
    if lag.primal_open is not None and lag.primal_value < math.inf:
        T, tv, _ = space.descend(lag.primal_open, deadline=deadline)
        if tv < value:
            S, value = T, tv
            method.append("Lagrangian heuristic")

    def gap() -> float:
        return (value - bound) / max(abs(value), 1e-12)

    if gap() > params.gap_tolerance and time.perf_counter() < deadline:
        target = bound + params.gap_tolerance * abs(bound)
        T, tv, rounds = vns(
            space, S, value, deadline=deadline, rng=rng, target=target, max_rounds=200
        )
        details["vns_rounds"] = rounds
        method.append("VNS")
        if tv < value:
            S, value = T, tv
    bound = min(bound, value)
    desc = "+".join(method) + f"; bound: Lagrangian on the sparse form ({lag.iterations} it.)"
    return FamilyOutcome(S, value, bound, desc, details)


class SparseModel:
    """The sparse k-nearest form of a problem's modelled rows, and how rows map back.

    Attributes
    ----------
    form, threshold
        See :func:`.nearest.k_nearest_costs`.
    keep
        ``(n_demand,)`` demand points in the model (reachable, positive weight).
    weight
        ``(n_rows,)`` summed demand of each (merged) row.
    n_rows
        Rows after merging identical ones.
    """

    def __init__(
        self,
        problem: LocationProblem,
        params: SolveParams,
        *,
        count: int | None,
        scale: float = 1.0,
        site_cost_total: float = 0.0,
    ) -> None:
        rules = problem.rules
        self.keep = problem.reachable & (problem.demand > 0)
        idx = np.flatnonzero(self.keep)
        if idx.size == 0:
            raise InfeasibleError(
                f"no demand to serve: all {problem.n_demand} demand points are unreachable or "
                "have zero weight"
            )
        weight = problem.demand[idx]
        if params.aggregate_rows and idx.size > 1:
            first, inverse = merge_identical_rows(problem.minutes, idx)
            weight = np.bincount(inverse, weights=weight, minlength=first.size).astype(np.float64)
            idx = first
        self.weight = np.asarray(weight, dtype=np.float64)
        self.n_rows = int(idx.size)
        k = list_length(int(rules.allowed.sum()), count, params.nearest_k)
        self.k = k
        self.form, self.threshold = k_nearest_costs(
            problem.minutes,
            idx,
            self.weight,
            rules.allowed,
            k,
            scale=scale,
            site_cost_total=site_cost_total,
        )

    def rows_outside_list(self, open_mask: BoolArray) -> int:
        """Rows whose nearest open site is not on their list (0: sparse value = full value)."""
        f = self.form
        phi, _, _ = nearest_two_sparse(f.indptr, f.site, f.cost, f.other, open_mask)
        return int((phi < 0).sum())


def exact_nearest(problem: LocationProblem, open_index: IntArray) -> tuple[IntArray, FloatArray]:
    """Nearest open site of every demand point on the full matrix (``-1``/``inf`` if none)."""
    best, minutes = nearest_of(problem.minutes, np.asarray(open_index, dtype=np.int64))
    return best.astype(np.intp), minutes


def unreachable_error(model: str, p: int | None, n_bad: int, demand_bad: float) -> InfeasibleError:
    """The open sites leave demand points with no reachable site (sparse path)."""
    what = f"with p = {p} open sites" if p is not None else "with the best affordable sites"
    return InfeasibleError(
        f"{model}: {what} {n_bad} demand point(s) (demand {demand_bad:g}) reach no open site; "
        "raise p (or the budget), allow more candidates near them, or exclude them "
        "(unreachable='exclude' removes only points that reach no candidate at all)"
    )
