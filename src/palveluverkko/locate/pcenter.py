"""p-center: minimise the worst travel time with ``p`` open sites.

.. math::

    \\min r \\quad\\text{s.t.}\\quad \\min_{j \\in S} c_{ij} \\le r\\ \\forall i: w_i > 0,
    \\quad |S| = p,\\quad S \\text{ respects the site rules}.

Demand points with zero weight are ignored (an empty cell sets no worst case); weights play
no other role. The optimum is one of the distinct finite costs ``c_ij``, so the solver
searches the sorted costs ``r_1 < r_2 < ...`` (Minieka 1970; Daskin 2000): ``r`` is feasible
iff the set-cover problem

.. math::

    \\sum_j [c_{ij} \\le r] y_j \\ge 1\\ \\forall i, \\qquad \\sum_j y_j \\le p, \\qquad
    \\text{site rules}

has a solution. The search has two sides.

*Primal*: greedy covers by bisection give a first network; then a weighted swap search
(:class:`SwapSearch`, after the row weighting local search of Gao, Weise and Li 2015 for set
cover) looks for ``p`` sites covering every row within the next smaller candidate radius, from
the current network, and repeats while it finds one (at most :data:`SWAP_SHARE` of the time).

*Bound*: a binary search with the LP relaxation of the set cover over all rows (more than
``p`` fractional sites at radius ``r`` proves ``r`` infeasible, and the fractional cover
number falls as ``r`` grows) gives a lower bound in at most 30 % of the time limit. Then exact
tests, each probing :data:`PROBE` of the open bracket above the proven bound (proofs get
harder towards the optimum, so the cheap ones are banked first): each test reduces the set
cover by dominance and solves it with HiGHS by row generation (Contardo, Iori and Kramer 2019):
start from the rows farthest from the incumbent, solve, add the rows the solution leaves
uncovered, repeat. The row subset persists across radii. A subset of rows is a relaxation, so
"infeasible" on a subset is a proof; "feasible" is only accepted once every row is covered. A
test that times out proves nothing and caps the later probes below it.

On continuous travel times the exact side is the hard one: on a 30 x 30 grid graph with
p = 50 and a best network of radius 5.88, the set-cover LP needs 47.3 sites at 5.8 and 48.7
at 5.7; a proof that 50 sites do not suffice there is out of reach in seconds (HiGHS, 60 s
per radius, proves 5.64 but leaves its bound at 50 from 5.66 on; CP-SAT with 8 workers, 30 s,
ends at 48 at 5.8). The result then carries the LP bound, and its gap says so.

``bound`` is the smallest candidate radius above every radius proven infeasible (at least
``max_i min_j c_ij``); ``objective`` is the worst travel time of the best solution. After the
search the solution is filled up to exactly ``p`` sites and improved for the demand-weighted
mean travel time without raising the worst one (fast interchange on costs where every pair
above the radius is forbidden): among networks with the best worst case it prefers short
everyday trips.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ._cover_kernels import swap_cover_search
from .coverage import greedy_cover
from .exact import MilpOutcome, cover_milp, solve_milp
from .heuristics import MoveSpace, greedy, local_search, weighted_costs
from .problem import (
    BoolArray,
    FloatArray,
    IntArray,
    LocationProblem,
    MatrixArray,
    Rows,
    SiteRules,
    SolveParams,
    model_rows,
)
from .result import LocationResult, nearest_assignment

log = logging.getLogger("palveluverkko.locate")

__all__ = ["p_center"]

POLISH_SHARE = 0.05
"""Share of the time limit kept for the mean-time polish after the radius search."""
FIND_SHARE = 0.3
"""Share of a radius test's time spent looking for a cover before minimising the count."""
SWAP_SHARE = 0.25
"""Share of the time limit for the swap-search descent of the worst trip (primal side)."""
SWAP_WORK = 120_000_000
"""Work (swap steps x sites per row x rows per site) spent on one radius before the descent
stops there (300,000 steps when each row has 20 sites and each site 20 rows) ..."""
SWAP_RADIUS_SHARE = 0.04
"""... or this share of the time limit, whichever comes first."""
PROBE = 0.25
"""Exact tests probe this far (share of the open bracket) above the proven bound."""


def _radius(R: MatrixArray, S: BoolArray) -> float:
    return float(R[:, S].min(axis=1).max())


def reduce_cover(cov: BoolArray, rules: SiteRules) -> tuple[IntArray, IntArray]:
    """Rows and columns of a set-cover instance that suffice (dominance reduction).

    ``cov[i, j]``: site ``j`` serves row ``i``. Rows served by a must-open site are dropped
    (always covered); a row whose set of serving sites contains another row's set is dropped
    (covering that row covers it); equal rows keep one. A site whose served rows are a subset of
    another allowed site's is dropped when it is not must-open and the other site can stand in
    for it under the rules (no group, or the same group); equal sites keep the first. Every
    cover of the reduced instance with ``k`` sites is a cover of the whole with at most ``k``
    sites (the reduced sites are a subset), and every cover of the whole maps to one of the
    reduced instance of no more sites, so the minimum cover number is unchanged.
    Returns the kept row and column indices.
    """
    cols = np.flatnonzero(rules.allowed)
    fixed = rules.fixed_open[cols]
    rows = np.flatnonzero(~cov[:, cols[fixed]].any(axis=1)) if fixed.any() else np.arange(len(cov))
    group = rules.group_of_site
    for _ in range(8):
        before = (rows.size, cols.size)
        B = cov[np.ix_(rows, cols)]
        # identical rows: keep the first of each pattern
        _, first = np.unique(np.packbits(B, axis=1), axis=0, return_index=True)
        rows = rows[np.sort(first)]
        if rows.size <= 4_000:
            B = cov[np.ix_(rows, cols)].astype(np.float32)
            size = B.sum(axis=1)
            sub = size[:, None] - 0.5 <= (B @ B.T)  # sub[k, i]: rows(k) within rows(i)
            np.fill_diagonal(sub, False)
            rows = rows[~sub.any(axis=0)]  # no equal rows remain, so sub is strict
        B = cov[np.ix_(rows, cols)].astype(np.float32)
        size = B.sum(axis=0)
        sub = size[:, None] - 0.5 <= (B.T @ B)  # sub[j, k]: site j's rows within site k's
        np.fill_diagonal(sub, False)
        g = group[cols]
        can = (g[:, None] < 0) | (g[:, None] == g[None, :])  # k may stand in for j
        equal = sub & sub.T
        idx = np.arange(cols.size)
        drop_by = sub & can & (~equal | ~can.T | (idx[None, :] < idx[:, None]))
        drop = drop_by.any(axis=1) & ~rules.fixed_open[cols]
        cols = cols[~drop]
        if (rows.size, cols.size) == before:
            break
    return rows, cols


class SwapSearch:
    """Covers of ``p`` sites at any radius by weighted swap search (the primal side).

    Holds each row's allowed sites and each site's rows sorted by cost, so that the cover at a
    radius is a prefix of every list; :func:`~._cover_kernels.swap_cover_search` does the
    search. Only checked covers come back; ``None`` proves nothing.
    """

    CHUNK = 20_000

    def __init__(self, R: MatrixArray, rules: SiteRules, seed: int = 0) -> None:
        Ra = np.where(rules.allowed[None, :], R, np.inf)
        order = np.argsort(Ra, axis=1, kind="stable")
        self.row_sites = order.astype(np.int32)
        self.row_cost = np.take_along_axis(Ra, order, axis=1)
        order = np.argsort(Ra.T, axis=1, kind="stable")
        self.site_rows = order.astype(np.int32)
        self.site_cost = np.take_along_axis(Ra.T, order, axis=1)
        self.row_ptr = np.arange(Ra.shape[0], dtype=np.int64) * Ra.shape[1]
        self.site_ptr = np.arange(Ra.shape[1], dtype=np.int64) * Ra.shape[0]
        self.R = Ra
        self.rules = rules
        self.group = rules.group_of_site.astype(np.int64)
        self.group_min = rules.group_min.astype(np.int64)
        self.seed = seed
        self.steps = 0

    def fill(self, S: BoolArray, p: int) -> BoolArray:
        """``S`` (meeting the rules, at most ``p`` sites) filled to ``p`` sites, farthest first."""
        S = S.copy()
        dist = self.R[:, S].min(axis=1) if S.any() else np.full(self.R.shape[0], np.inf)
        while int(S.sum()) < p:
            free = np.flatnonzero(self.rules.allowed & ~S)
            if free.size == 0:
                break  # p is checked against the allowed sites before; never reached
            far = int(np.argmax(dist))
            j = int(free[np.argmin(self.R[far, free])])
            S[j] = True
            dist = np.minimum(dist, self.R[:, j])
        return S

    def find(
        self, r: float, start: BoolArray, *, max_steps: int, deadline: float
    ) -> BoolArray | None:
        """A cover within ``r`` with as many sites as ``start``, or ``None`` if none was found."""
        row_cnt = (self.row_cost <= r).sum(axis=1).astype(np.int64)
        if (row_cnt == 0).any():
            return None
        site_cnt = (self.site_cost <= r).sum(axis=1).astype(np.int64)
        weight = np.ones(row_cnt.size, dtype=np.int64)
        S = start.copy()
        done = 0
        while done < max_steps and time.perf_counter() < deadline:
            self.seed += 1
            chunk = min(self.CHUNK, max_steps - done)
            found, S, steps = swap_cover_search(
                self.row_ptr,
                self.row_sites.reshape(-1),
                row_cnt,
                self.site_ptr,
                self.site_rows.reshape(-1),
                site_cnt,
                S,
                weight,
                self.rules.allowed,
                self.rules.fixed_open,
                self.group,
                self.group_min,
                chunk,
                self.seed,
            )
            done += steps
            if found:
                self.steps += done
                return S
            if steps < chunk:
                break  # no swap is possible under the rules
        self.steps += done
        return None

    def descend(
        self, radii: FloatArray, S: BoolArray, hi: int, p: int, deadline: float, per_radius: float
    ) -> tuple[BoolArray, int]:
        """Lower the worst trip of ``S`` one candidate radius at a time while covers are found.

        Each radius gets at most :data:`SWAP_WORK` work and ``per_radius`` seconds.
        """
        S = self.fill(S, p)
        while hi > 0 and time.perf_counter() < deadline:
            until = min(deadline, time.perf_counter() + per_radius)
            r = float(radii[hi - 1])
            work = max(float((self.row_cost <= r).mean() * (self.site_cost <= r).mean()), 1e-9)
            steps = int(SWAP_WORK / (work * self.R.shape[0] * self.R.shape[1]))
            T = self.find(r, S, max_steps=max(steps, 1_000), deadline=until)
            if T is None:
                break
            S = T
            hi = int(np.searchsorted(radii, _radius(self.R, S)))
        return S, hi


def cover_test(
    R: MatrixArray,
    r: float,
    rules: SiteRules,
    p: int,
    *,
    time_limit_s: float,
    threads: int,
    stats: dict[str, int],
    find_first: bool = True,
) -> tuple[str, BoolArray | None]:
    """Whether at most ``p`` sites (under the rules) serve every row of ``R`` within ``r``.

    Returns ``("feasible", S)``, ``("infeasible", None)`` (proven) or ``("unknown", None)``
    (time limit). Tries a greedy cover first; then reduces the set cover by dominance
    (:func:`reduce_cover`), proves infeasibility by the LP relaxation when even fractionally
    more than ``p`` sites are needed, and otherwise solves the minimum cover (LSCP) with HiGHS:
    a cover of at most ``p`` sites answers yes, a dual bound above ``p`` answers no. With
    ``find_first`` a share of the time first looks for any cover of at most ``p`` sites
    (quicker when one exists; pointless for a radius expected to be infeasible).
    """
    cov = r >= R
    if not (cov & rules.allowed[None, :]).any(axis=1).all():
        return "infeasible", None
    S = greedy_cover(cov, rules, max_count=p)
    if S is not None:
        stats["greedy"] += 1
        return "feasible", S
    if time_limit_s <= 0:
        return "unknown", None
    rows, cols = reduce_cover(cov, rules)
    sub_rules = SiteRules(
        allowed=rules.allowed[cols],
        fixed_open=rules.fixed_open[cols],
        group_of_site=rules.group_of_site[cols],
        group_min=rules.group_min,
        group_labels=rules.group_labels,
    )
    cover = sp.csr_matrix(cov[np.ix_(rows, cols)])
    stats["reduced_rows"] = stats.get("reduced_rows", 0) + int(rows.size)
    model = cover_milp(cover, sub_rules, objective="lscp")
    lp = solve_milp(model, time_limit_s=time_limit_s, relax=True, threads=threads)
    stats["lp"] += 1
    if lp.status == "infeasible" or (lp.status == "optimal" and lp.bound > p + 1e-6):
        return "infeasible", None  # even fractionally more than p sites are needed
    out = MilpOutcome("not_run", None, np.nan, np.nan, 0.0)
    if find_first:  # first look for a cover of at most p sites (HiGHS stops at the first)
        out = solve_milp(
            cover_milp(cover, sub_rules, objective="feasible", max_count=p),
            time_limit_s=FIND_SHARE * time_limit_s,
            threads=threads,
            stop_at_first_solution=True,
        )
        stats["milp"] += 1
        if out.status == "infeasible":
            return "infeasible", None
    if out.x is None:  # ... else minimise the number of sites: its dual bound is the proof
        share = (1 - FIND_SHARE) if find_first else 1.0
        out = solve_milp(model, time_limit_s=share * time_limit_s, threads=threads)
        stats["milp"] += 1
        if out.status == "infeasible" or out.bound > p + 1e-6:
            return "infeasible", None
        if out.x is None or out.objective > p + 1e-6:
            return "unknown", None
    assert out.x is not None
    S = np.zeros(rules.n_sites, dtype=bool)
    S[cols[out.x[: cols.size] > 0.5]] = True
    return "feasible", S


def _fill_and_polish(
    rows: Rows, rules: SiteRules, S: BoolArray, radius: float, p: int, deadline: float
) -> BoolArray:
    """Fill ``S`` to ``p`` sites and improve mean travel keeping every trip within ``radius``."""
    capped = Rows(
        minutes=np.where(rows.minutes <= radius, rows.minutes, np.inf),
        weight=rows.weight,
        row_of_demand=rows.row_of_demand,
        n_zero_weight=rows.n_zero_weight,
    )
    D, _, threshold = weighted_costs(capped)
    space = MoveSpace(D, rules, count=p)
    T = greedy(space, start=S)
    T, value, _ = local_search(space, T, deadline=deadline)
    if value >= threshold or _radius(rows.minutes, T) > radius:
        return S  # the polish must never lengthen the worst trip
    return T


def p_center(
    problem: LocationProblem,
    p: int,
    *,
    params: SolveParams | None = None,
    seed: int = 0,
) -> LocationResult:
    """Open ``p`` sites minimising the worst travel time (see module docstring).

    Parameters
    ----------
    problem
        Cost matrix, demand and site rules.
    p
        Number of open sites (must-open sites included).
    params
        Solver parameters.
    seed
        Unused (the search is deterministic); kept for a uniform signature.

    Returns
    -------
    LocationResult
        ``objective`` is the worst travel time (minutes) over demand points with positive
        weight, ``bound`` a proven lower bound (one of the distinct travel times).

    Raises
    ------
    InfeasibleError
        ``p`` does not fit the site rules, or ``p`` sites cannot give every demand point a
        reachable site.
    """
    del seed
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + (1.0 - POLISH_SHARE) * params.time_limit_s  # the polish gets the rest
    rules = problem.rules
    rules.check_count(p, model="p_center")
    p = int(p)
    if params.use_sparse(problem.n_demand, problem.n_sites):
        from .pcenter_sparse import p_center_sparse

        return p_center_sparse(problem, p, params, t0)
    rows = model_rows(problem, aggregate=params.aggregate_rows)
    R = rows.minutes
    Ra = np.where(rules.allowed[None, :], R, np.inf)
    floor = float(Ra.min(axis=1).max())
    finite = Ra[np.isfinite(Ra)]
    radii = np.unique(finite[finite >= floor])
    stats = {
        "greedy": 0,
        "lp": 0,
        "milp": 0,
        "tests": 0,
        "rounds": 0,
        "subset_rows": 0,
        "timeouts": 0,
    }
    # cheap upper bound: the smallest radius at which a greedy cover fits into p sites
    lo, hi = 0, radii.size - 1
    best: BoolArray | None = greedy_cover(radii[hi] >= R, rules, max_count=p)
    if best is None:
        from .pmedian import check_reach

        check_reach(math.inf, 0.0, ~np.isfinite(R), rules, count=p, model="p_center")
        # a cover exists (check_reach did not raise) but greedy missed it: ask HiGHS
        status, best = cover_test(
            R,
            float(radii[hi]),
            rules,
            p,
            time_limit_s=max(deadline - time.perf_counter(), 1.0),
            threads=params.threads,
            stats=stats,
        )
        if best is None:
            raise SolverError(
                f"p_center: no cover with {p} sites found in time ({status}); give more time "
                "(--time-limit) or more sites"
            )
    hi = int(np.searchsorted(radii, _radius(R, best)))
    g_lo, g_hi = lo, hi
    while g_lo < g_hi:
        mid = (g_lo + g_hi) // 2
        S = greedy_cover(radii[mid] >= R, rules, max_count=p)
        if S is None:
            g_lo = mid + 1
        else:
            g_hi = int(np.searchsorted(radii, _radius(R, S)))
            best, hi = S, g_hi
    # primal: swap search lowers the worst trip one candidate radius at a time
    swap = SwapSearch(R, rules)
    best, hi = swap.descend(
        radii,
        best,
        hi,
        p,
        t0 + SWAP_SHARE * params.time_limit_s,
        per_radius=SWAP_RADIUS_SHARE * params.time_limit_s,
    )
    stats["swap_steps"] = swap.steps
    # lower bound from the LP relaxation of the set cover over all rows: the fractional
    # cover number falls as the radius grows, so a binary search finds the largest radius
    # that needs more than p fractional sites; every radius up to it is infeasible
    a_lp, b_lp = lo, hi
    lp_deadline = time.perf_counter() + 0.3 * params.time_limit_s
    while a_lp < b_lp and time.perf_counter() < lp_deadline:
        mid = (a_lp + b_lp) // 2
        lp = solve_milp(
            cover_milp(sp.csr_matrix(radii[mid] >= R), rules, objective="lscp"),
            time_limit_s=max(lp_deadline - time.perf_counter(), 0.1),
            relax=True,
            threads=params.threads,
        )
        stats["lp"] += 1
        if lp.status == "infeasible" or (lp.status == "optimal" and lp.bound > p + 1e-6):
            a_lp = mid + 1
            lo = max(lo, a_lp)
        elif lp.status == "optimal":
            b_lp = mid
        else:
            break
    # exact tests, each by row generation (a cover of a row subset that fails on all rows
    # adds the rows it misses; a subset that cannot be covered proves the radius infeasible
    # for all rows). The proofs get harder towards the optimum, so each test probes a
    # quarter of the open bracket above the proven bound and banks what it proves; a test
    # that times out caps the bracket from above for the proofs that follow.
    dist = R[:, best].min(axis=1)
    in_subset = np.zeros(R.shape[0], dtype=bool)
    in_subset[np.argsort(-dist, kind="stable")[: min(R.shape[0], p + 1)]] = True
    rounds = 0
    top = hi  # lowest radius whose test timed out, else the incumbent's
    while lo < min(top, hi) and time.perf_counter() < deadline:
        top = min(top, hi)
        target = radii[lo] + PROBE * (radii[top] - radii[lo])
        mid = min(max(int(np.searchsorted(radii, target, side="right")) - 1, lo), top - 1)
        r = float(radii[mid])
        stats["tests"] += 1
        verdict = "unknown"
        while time.perf_counter() < deadline:
            rounds += 1
            status, S_sub = cover_test(
                R[in_subset],
                r,
                rules,
                p,
                time_limit_s=max(0.5, 0.35 * (deadline - time.perf_counter())),
                threads=params.threads,
                stats=stats,
                find_first=False,
            )
            if status != "feasible":
                verdict = status
                break
            assert S_sub is not None
            dist = R[:, S_sub].min(axis=1)
            far = np.flatnonzero(dist > r)
            if far.size == 0:
                verdict = "feasible"
                best = S_sub
                break
            # add the missed rows, farthest first, a bounded number per round
            far = far[np.argsort(-dist[far], kind="stable")[: max(10, p)]]
            in_subset[far] = True
        if verdict == "infeasible":
            lo = max(lo, mid + 1)  # every radius up to mid is infeasible too
        elif verdict == "feasible":
            hi = min(mid, int(np.searchsorted(radii, _radius(R, best))))
        else:  # timed out: proofs above mid are out of reach; the bound stays
            stats["timeouts"] += 1
            top = mid
        log.debug(
            "p-center: bracket [%.4g, %.4g], %d rows", radii[lo], radii[hi], int(in_subset.sum())
        )
    lower, upper = float(radii[lo]), float(radii[hi])
    subset = np.flatnonzero(in_subset)
    stats["rounds"] = rounds
    stats["subset_rows"] = int(subset.size)
    hi = int(np.searchsorted(radii, upper))
    proven_radius = lower
    radius = float(radii[hi])
    S = _fill_and_polish(rows, rules, best, radius, p, t0 + params.time_limit_s)
    open_index = np.flatnonzero(S)
    assignment = nearest_assignment(problem, open_index)
    objective = _radius(R, S)
    bound = proven_radius
    details: dict[str, Any] = dict(
        stats, candidate_radii=int(radii.size), rows_modelled=rows.n_rows
    )
    method = (
        f"greedy-cover search+weighted swap search ({stats['swap_steps']} steps)+row "
        f"generation ({stats['rounds']} rounds, "
        f"{stats['subset_rows']} rows; {stats['tests']} radius tests, {stats['milp']} HiGHS "
        "set-cover MILPs)+mean-time polish; bound: set-cover LP relaxation / row-subset MILP proofs"
    )
    return LocationResult(
        model="p_center",
        sense="min",
        open_index=open_index,
        assignment=assignment,
        objective=objective,
        bound=min(bound, objective),
        seconds=time.perf_counter() - t0,
        method=method,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        details=details,
    )
