"""p-center at national scale: lists within an incumbent radius, packing bound, swap search.

The dense search of :mod:`.pcenter` sorts every entry of the matrix (``np.unique`` over
300 million values) and keeps two sorted copies of it for the swap search (7 GB at 300,000 x
1,000). Here only entries that a better network could use are kept:

1. **Incumbent.** A p-median network on unit weights over the k-nearest form (lazy greedy and
   fast interchange, :mod:`.median_sparse`) gives a radius ``U``: its worst trip, evaluated on
   the full matrix. No better network uses an entry above ``U``.
2. **Lists.** Each row keeps its allowed sites within ``U``, sorted (CSR), at most ``cap`` of them
   (``cap`` keeps memory near :data:`ENTRY_BUDGET` entries); a row with more is marked
   *truncated*. Candidate radii are the distinct listed times from the floor
   ``max_i min_j c_ij`` up to ``U``.
3. **Bound (packing).** Rows whose sets of sites within ``r`` are pairwise disjoint each need
   their own open site, so more such rows than ``p`` minus the must-open sites (rows a must-open
   site serves within ``r`` left out) proves ``r`` infeasible, and so every smaller radius. The
   packing is greedy, rows with the fewest sites first; a truncated row whose list does not
   decide its set at ``r`` is never packed, so every proof is exact. A binary search over the
   radii gives the largest proven-infeasible radius; the bound is the next candidate radius.
   This is the integral dual of the set-cover LP that :mod:`.pcenter` uses and weaker than it;
   its gap is reported as it is.
4. **Primal.** Greedy covers (most uncovered rows first, filled to ``p`` sites under the rules
   by the p-median greedy) by bisection between the bound and the incumbent, then the weighted
   swap search of :mod:`._cover_kernels` on the lists (CSR) lowers the worst trip one candidate
   radius at a time while it finds covers. A cover found on the lists is a cover of the full
   matrix (listed times are true times).

Sites are not swapped afterwards to shorten mean trips (the dense path's polish); the result
says so in its method.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
from numba import njit

from ..errors import InfeasibleError
from ._cover_kernels import swap_cover_search
from ._matrix_kernels import count_within, fill_within, nearest_of
from ._median_kernels import nearest_two_sparse
from .median_sparse import SparseSpace
from .nearest import k_nearest_costs, list_length
from .params import BoolArray, IntArray, MatrixArray, SiteRules, SolveParams
from .problem import LocationProblem, merge_identical_rows
from .result import LocationResult

log = logging.getLogger("palveluverkko.locate")

__all__ = ["p_center_sparse"]

ENTRY_BUDGET = 60_000_000
"""Listed entries kept at most (12 bytes each by row and again by site: about 1.4 GB)."""
START_SHARE = 0.15
"""Share of the time limit for the incumbent (p-median greedy and interchange), counted from
when its k-nearest form is ready and ending by a third of the limit at the latest."""
BOUND_SHARE = 0.25
"""Share of the time limit the packing bound may take (each test is one pass over the lists)."""
SWAP_RADIUS_SHARE = 0.04
"""Share of the time limit the swap search may spend on one candidate radius."""
RESERVE_SHARE = 0.03
"""Share kept for evaluating the result on the full matrix."""


@njit(cache=True)
def _packing(
    indptr: np.ndarray,
    site: np.ndarray,
    cost: np.ndarray,
    truncated: np.ndarray,
    fixed_open: np.ndarray,
    radius: float,
    limit: int,
) -> int:
    """Size of a greedy packing at ``radius`` (rows with disjoint site sets), stopping above
    ``limit``."""
    n = indptr.size - 1
    cnt = np.zeros(n, dtype=np.int64)
    usable = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        a, b = indptr[i], indptr[i + 1]
        c = 0
        fixed = False
        while a + c < b and cost[a + c] <= radius:
            if fixed_open[site[a + c]]:
                fixed = True
            c += 1
        cnt[i] = c
        # a truncated row whose every listed site is within r may have more sites: skip it
        usable[i] = c > 0 and not fixed and not (truncated[i] and a + c == b)
    order = np.argsort(cnt, kind="mergesort")
    used = np.zeros(fixed_open.size, dtype=np.bool_)
    size = 0
    for t in range(n):
        i = order[t]
        if not usable[i]:
            continue
        a = indptr[i]
        free = True
        for e in range(a, a + cnt[i]):
            if used[site[e]]:
                free = False
                break
        if not free:
            continue
        for e in range(a, a + cnt[i]):
            used[site[e]] = True
        size += 1
        if size > limit:
            return size
    return size


@njit(cache=True)
def _greedy_cover(
    site_ptr: np.ndarray,
    site_rows: np.ndarray,
    site_cnt: np.ndarray,
    n_rows: int,
    allowed: np.ndarray,
    start: np.ndarray,
    max_open: int,
) -> tuple[bool, np.ndarray]:
    """Greedy cover from ``start``: open the site serving most uncovered rows (lazy gains)
    until every row is served or ``max_open`` sites are open."""
    m = allowed.size
    S = start.copy()
    covered = np.zeros(n_rows, dtype=np.bool_)
    n_open = 0
    for j in range(m):
        if S[j]:
            n_open += 1
            for q in range(site_cnt[j]):
                covered[site_rows[site_ptr[j] + q]] = True
    n_unc = n_rows - int(covered.sum())
    upper = np.full(m, np.inf)
    stamp = np.full(m, -1, dtype=np.int64)
    step = 0
    while n_unc > 0 and n_open < max_open:
        step += 1
        while True:
            best = -1
            best_v = -1.0
            for j in range(m):
                if allowed[j] and not S[j] and upper[j] > best_v:
                    best, best_v = j, upper[j]
            if best < 0 or stamp[best] == step:
                break
            g = 0
            for q in range(site_cnt[best]):
                if not covered[site_rows[site_ptr[best] + q]]:
                    g += 1
            upper[best] = g
            stamp[best] = step
        if best < 0 or upper[best] <= 0:
            break
        S[best] = True
        n_open += 1
        for q in range(site_cnt[best]):
            r = site_rows[site_ptr[best] + q]
            if not covered[r]:
                covered[r] = True
                n_unc -= 1
    return n_unc == 0, S


@njit(cache=True)
def _count_upto(indptr: np.ndarray, cost: np.ndarray, radius: float) -> np.ndarray:
    """Listed entries within ``radius`` per row (lists are sorted)."""
    n = indptr.size - 1
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        a, b = indptr[i], indptr[i + 1]
        c = 0
        while a + c < b and cost[a + c] <= radius:
            c += 1
        out[i] = c
    return out


class _Lists:
    """Rows' sites within the incumbent radius by row (CSR) and by site (sorted by time)."""

    def __init__(
        self, minutes: MatrixArray, rows: IntArray, rules: SiteRules, radius: float
    ) -> None:
        n = rows.size
        cap = max(64, ENTRY_BUDGET // max(n, 1))
        counts = count_within(minutes, rows, rules.allowed, radius, cap)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=self.indptr[1:])
        self.site, self.cost, self.truncated = fill_within(
            minutes, rows, rules.allowed, radius, self.indptr
        )
        row_of = np.repeat(np.arange(n, dtype=np.int32), counts)
        order = np.lexsort((self.cost, self.site))
        self.site_ptr = np.zeros(rules.n_sites + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.site, minlength=rules.n_sites), out=self.site_ptr[1:])
        self.site_rows = row_of[order]
        self.site_cost = self.cost[order]
        self.cap = cap

    def site_counts(self, radius: float) -> IntArray:
        """Rows within ``radius`` per site (each site's rows are sorted by time)."""
        m = self.site_ptr.size - 1
        out = np.zeros(m, dtype=np.int64)
        for j in range(m):
            a, b = self.site_ptr[j], self.site_ptr[j + 1]
            out[j] = int(np.searchsorted(self.site_cost[a:b], radius, side="right"))
        return out


def p_center_sparse(
    problem: LocationProblem, p: int, params: SolveParams, t0: float
) -> LocationResult:
    """p-center on lists within an incumbent radius (module docstring)."""
    limit = params.time_limit_s
    deadline = t0 + (1 - RESERVE_SHARE) * limit
    rules = problem.rules
    minutes = problem.minutes
    keep = problem.reachable & (problem.demand > 0)
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise InfeasibleError(
            f"no demand to serve: all {problem.n_demand} demand points are unreachable or have "
            "zero weight"
        )
    if params.aggregate_rows and rows.size > 1:
        rows, _ = merge_identical_rows(minutes, rows)
    n = rows.size
    stats: dict[str, Any] = {"rows_modelled": int(n)}
    # 1. incumbent: p-median on unit weights over the k-nearest form; its phase gets its own
    # share of the limit counted from when the form is ready (capped at a third of the limit)
    k = list_length(int(rules.allowed.sum()), p, params.nearest_k)
    form, _ = k_nearest_costs(minutes, rows, np.ones(n), rules.allowed, k)
    space = SparseSpace(form, rules, count=p)
    now = time.perf_counter()
    S = space.greedy(deadline=min(now + 0.6 * START_SHARE * limit, t0 + limit / 3))
    S, _, _ = space.descend(S, deadline=min(now + START_SHARE * limit, t0 + limit / 3))
    # every row needs at least its nearest allowed site: max_i min_j c_ij bounds any radius
    has = np.diff(form.indptr) > 0
    floor = float(form.cost[form.indptr[:-1][has]].max()) if has.any() else 0.0
    fill = space  # fills a cover to p sites (adds only: never lengthens the worst trip)
    radius_of_rows = nearest_of(minutes, np.flatnonzero(S).astype(np.int64))[1][rows]
    U = float(radius_of_rows.max())
    if not np.isfinite(U):
        bad = int((~np.isfinite(radius_of_rows)).sum())
        raise InfeasibleError(
            f"p_center: the best network found with p = {p} open sites leaves {bad} demand "
            "row(s) with no reachable site; raise p, allow more candidates near them, or "
            "exclude them"
        )
    if floor >= U:  # the incumbent meets the floor: optimal, no lists needed
        stats.update(incumbent_radius=U, floor_radius=floor)
        return _result(
            problem,
            S,
            keep,
            floor,
            "p-median start (k-nearest form) meets the floor max_i min_j c_ij; bound: that floor",
            stats,
            params,
            t0,
        )
    # 2. lists within U and the candidate radii
    lists = _Lists(minutes, rows, rules, U)
    radii = np.unique(lists.cost[lists.cost >= floor])
    hi = int(np.searchsorted(radii, U))
    no_other = np.full(n, np.inf)
    stats.update(
        incumbent_radius=U,
        listed_entries=int(lists.site.size),
        truncated_rows=int(lists.truncated.sum()),
        list_cap=int(lists.cap),
        candidate_radii=int(radii.size),
        seconds_to_lists=round(time.perf_counter() - t0, 2),
    )

    def listed_radius(T: BoolArray) -> float:
        """Worst trip of ``T`` from the lists (exact when every row has a listed open site)."""
        _, d1, _ = nearest_two_sparse(lists.indptr, lists.site, lists.cost, no_other, T)
        return float(d1.max())

    def try_greedy(r: float) -> BoolArray | None:
        """A greedy cover within ``r`` filled to ``p`` sites under the rules, or ``None``."""
        ok, C = _greedy_cover(
            lists.site_ptr,
            lists.site_rows,
            lists.site_counts(r),
            n,
            rules.allowed,
            rules.fixed_open,
            p,
        )
        if not ok:
            return None
        T = fill.greedy(deadline=deadline, start=C)
        return T if int(T.sum()) == p and rules.satisfied_by(T) else None

    # 3. bound: packing proofs by binary search (each test one pass over the lists)
    free_slots = p - int(rules.fixed_open.sum())
    lo, b_hi = 0, hi
    tests = 0
    bound_deadline = min(deadline, time.perf_counter() + BOUND_SHARE * limit)
    while lo < b_hi and time.perf_counter() < bound_deadline:
        mid = (lo + b_hi) // 2
        size = _packing(
            lists.indptr,
            lists.site,
            lists.cost,
            lists.truncated,
            rules.fixed_open,
            float(radii[mid]),
            free_slots,
        )
        tests += 1
        if size > free_slots:
            lo = mid + 1
        else:
            b_hi = mid
    stats["packing_tests"] = tests
    # 4. primal: greedy covers by bisection between the bound and the incumbent ...
    g_lo, covers = lo, 0
    while g_lo < hi and time.perf_counter() < deadline:
        mid = (g_lo + hi) // 2
        G = try_greedy(float(radii[mid]))
        if G is None:
            g_lo = mid + 1
        else:
            S, covers = G, covers + 1
            hi = int(np.searchsorted(radii, listed_radius(S)))
    stats["greedy_covers"] = covers
    # ... then the weighted swap search one candidate radius at a time
    weight = np.ones(n, dtype=np.int64)
    group = rules.group_of_site.astype(np.int64)
    group_min = rules.group_min.astype(np.int64)
    steps_total, seed = 0, 0
    while hi > lo and time.perf_counter() < deadline:
        r = float(radii[hi - 1])
        row_cnt = _count_upto(lists.indptr, lists.cost, r)
        if (row_cnt == 0).any():
            break
        site_cnt = lists.site_counts(r)
        weight[:] = 1
        until = min(deadline, time.perf_counter() + SWAP_RADIUS_SHARE * limit)
        found = False
        while time.perf_counter() < until:
            seed += 1
            found, T, steps = swap_cover_search(
                lists.indptr,
                lists.site,
                row_cnt,
                lists.site_ptr,
                lists.site_rows,
                site_cnt,
                S,
                weight,
                rules.allowed,
                rules.fixed_open,
                group,
                group_min,
                20_000,
                seed,
            )
            steps_total += steps
            if found or steps < 20_000:
                break
        if not found:
            break
        S = T
        hi = int(np.searchsorted(radii, listed_radius(S)))
    stats["swap_steps"] = steps_total
    method = (
        f"p-median start (k-nearest form)+greedy covers by bisection ({covers} found)+weighted "
        f"swap search ({steps_total} steps) on lists within the incumbent radius; bound: greedy "
        f"packing proofs ({tests} radius tests); no mean-time polish (national path)"
    )
    return _result(problem, S, keep, float(radii[lo]), method, stats, params, t0)


def _result(
    problem: LocationProblem,
    S: BoolArray,
    keep: BoolArray,
    bound: float,
    method: str,
    stats: dict[str, Any],
    params: SolveParams,
    t0: float,
) -> LocationResult:
    """The result of open set ``S``, its worst trip evaluated on the full matrix."""
    open_index = np.flatnonzero(S)
    assignment, dist = nearest_of(problem.minutes, open_index.astype(np.int64))
    objective = float(dist[keep].max())
    bound = min(bound, objective)
    return LocationResult(
        model="p_center",
        sense="min",
        open_index=open_index,
        assignment=assignment.astype(np.intp),
        objective=objective,
        bound=bound,
        seconds=time.perf_counter() - t0,
        method=method,
        problem=problem,
        gap_tolerance=params.gap_tolerance,
        details=stats,
    )
