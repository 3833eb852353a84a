"""Numba kernel: find a set cover with exactly ``p`` sites by weighted swap search.

The p-center's primal side is a decision problem: do ``p`` sites cover every row within a
radius? This kernel answers "yes" constructively by local search in the style of the row
weighting local search for unicost set cover (Gao, Weise and Li 2015, *An efficient local
search heuristic with row weighting for the unicost set covering problem*, EJOR 246): keep
``p`` open sites, and at each step swap one open site for one closed site so as to minimise
the weight of the rows left uncovered; every step raises the weight of each uncovered row by
one, so rows that stay uncovered pull the search towards them (breakout). Must-open sites are
never removed, must-close sites never added, and a swap never takes a group below its minimum.

The kernel only ever returns covers it has checked; "not found" proves nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def swap_cover_search(
    row_ptr: np.ndarray,
    row_sites: np.ndarray,
    row_cnt: np.ndarray,
    site_ptr: np.ndarray,
    site_rows: np.ndarray,
    site_cnt: np.ndarray,
    start: np.ndarray,
    weight: np.ndarray,
    allowed: np.ndarray,
    fixed: np.ndarray,
    group: np.ndarray,
    group_min: np.ndarray,
    max_steps: int,
    seed: int,
) -> tuple[bool, np.ndarray, int]:
    """Swap search for a cover of every row by the sites open in ``start`` (same count).

    ``row_sites[row_ptr[i]:row_ptr[i] + row_cnt[i]]``: the allowed sites that serve row ``i``
    (each row's sites sorted by cost, so that one sorted array serves every radius);
    ``site_rows[site_ptr[j]:site_ptr[j] + site_cnt[j]]``: the rows site ``j`` serves (CSR; a
    dense ``(n, m)`` array is the case ``row_ptr = arange(n) * m``). ``start`` must respect the
    rules. ``weight``
    (one per row, at least 1) is updated in place, so that a search can continue in chunks.
    Returns (found, open mask, steps taken); the mask is the best state seen (fewest uncovered
    rows). Fewer steps than ``max_steps`` without a cover means no swap was possible (every
    open site is must-open or its group's last).
    """
    np.random.seed(seed)  # noqa: NPY002 (numba supports only the legacy global generator)
    n_rows = row_cnt.size
    n_sites = site_cnt.size
    is_open = start.copy()
    count = np.zeros(n_rows, dtype=np.int32)
    for j in range(n_sites):
        if is_open[j]:
            for k in range(site_cnt[j]):
                count[site_rows[site_ptr[j] + k]] += 1
    n_groups = group_min.size
    gcount = np.zeros(max(n_groups, 1), dtype=np.int64)
    for j in range(n_sites):
        if is_open[j] and group[j] >= 0:
            gcount[group[j]] += 1
    unc = np.empty(n_rows, dtype=np.int64)  # uncovered rows, with their positions
    pos = np.full(n_rows, -1, dtype=np.int64)
    n_unc = 0
    for i in range(n_rows):
        if count[i] == 0:
            unc[n_unc] = i
            pos[i] = n_unc
            n_unc += 1
    best = is_open.copy()
    best_unc = n_unc
    if n_unc == 0:
        return True, best, 0
    stamp = np.zeros(n_sites, dtype=np.int64)
    credit = np.zeros(n_sites, dtype=np.int64)
    opened = np.empty(n_sites, dtype=np.int64)
    swappable = np.zeros(max(n_groups, 1), dtype=np.bool_)
    last_added = -1
    last_removed = -1
    for step in range(1, max_steps + 1):
        # which groups an added site may enter: a swap needs an open site to leave that is
        # neither must-open nor its group's last (unless the added site joins that group)
        free_any = False
        swappable[:] = False
        for j in range(n_sites):
            if is_open[j] and not fixed[j]:
                gj = group[j]
                if gj < 0 or gcount[gj] > group_min[gj]:
                    free_any = True
                else:
                    swappable[gj] = True
        # add: the best closed site serving a random uncovered row (any uncovered row if no
        # site of that row can swap in)
        a = -1
        first = np.random.randint(n_unc)  # noqa: NPY002 (numba: legacy generator)
        for tabu in (True, False):  # re-adding the site removed last only as a last resort
            for shift in range(n_unc):
                i = unc[(first + shift) % n_unc]
                a_gain = -1
                for k in range(row_cnt[i]):
                    j = row_sites[row_ptr[i] + k]
                    if is_open[j] or not allowed[j]:
                        continue
                    if not free_any and (group[j] < 0 or not swappable[group[j]]):
                        continue
                    if tabu and j == last_removed:
                        continue
                    g = 0
                    for q in range(site_cnt[j]):
                        r = site_rows[site_ptr[j] + q]
                        if count[r] == 0:
                            g += weight[r]
                    if g > a_gain or (g == a_gain and stamp[j] < stamp[a]):
                        a, a_gain = j, g
                if a >= 0:
                    break
            if a >= 0:
                break
        if a < 0:
            return False, best, step
        # rows that only one open site serves and that ``a`` serves too stay served
        # when that site goes
        for q in range(site_cnt[a]):
            r = site_rows[site_ptr[a] + q]
            if count[r] == 1:
                for k in range(row_cnt[r]):
                    u = row_sites[row_ptr[r] + k]
                    if is_open[u]:
                        credit[u] += weight[r]
                        break
        # remove: the open site whose loss is least, never a must-open site or a group's last
        n_open = 0
        for j in range(n_sites):
            if is_open[j]:
                opened[n_open] = j
                n_open += 1
        b = -1
        b_loss = np.int64(0)
        for tabu_pass in range(2):  # the site added last is removed only if nothing else can go
            for t in range(n_open):
                j = opened[t]
                if fixed[j] or (j == last_added) != (tabu_pass == 1):
                    continue
                gj = group[j]
                if gj >= 0 and gcount[gj] - 1 + (1 if group[a] == gj else 0) < group_min[gj]:
                    continue
                loss = -credit[j]
                for q in range(site_cnt[j]):
                    r = site_rows[site_ptr[j] + q]
                    if count[r] == 1:
                        loss += weight[r]
                if b < 0 or loss < b_loss or (loss == b_loss and stamp[j] < stamp[b]):
                    b, b_loss = j, loss
            if b >= 0:
                break
        for t in range(n_open):
            credit[opened[t]] = 0
        if b < 0:
            return False, best, step
        # apply the swap
        is_open[a] = True
        stamp[a] = step
        if group[a] >= 0:
            gcount[group[a]] += 1
        for q in range(site_cnt[a]):
            r = site_rows[site_ptr[a] + q]
            count[r] += 1
            if count[r] == 1:  # leaves the uncovered list
                last = unc[n_unc - 1]
                unc[pos[r]] = last
                pos[last] = pos[r]
                pos[r] = -1
                n_unc -= 1
        is_open[b] = False
        stamp[b] = step
        if group[b] >= 0:
            gcount[group[b]] -= 1
        for q in range(site_cnt[b]):
            r = site_rows[site_ptr[b] + q]
            count[r] -= 1
            if count[r] == 0:
                unc[n_unc] = r
                pos[r] = n_unc
                n_unc += 1
        last_added, last_removed = a, b
        if n_unc < best_unc:
            best_unc = n_unc
            best[:] = is_open
            if n_unc == 0:
                return True, best, step
        for t in range(n_unc):
            weight[unc[t]] += 1
    return False, best, max_steps
