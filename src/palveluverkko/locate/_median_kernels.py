"""Numba kernels of the median-type heuristics and bound over the sparse form.

The sparse form (:class:`.nearest.NearestCosts`) keeps for each row ``i`` a list of sites
sorted by weighted cost ``D_ij`` (CSR: ``indptr``, ``site``, ``cost``) and one cost
``other_i`` for every site outside the list, with ``D_ij <= other_i`` on the list. The cost of
row ``i`` under open set ``S`` is that of the first open site of its list, else ``other_i``.
Each kernel walks a row's list only as far as the sort order lets a term be non-zero, so a
pass costs far less than the ``n_rows x n_sites`` of the dense form.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def nearest_two_sparse(
    indptr: np.ndarray, site: np.ndarray, cost: np.ndarray, other: np.ndarray, is_open: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``phi`` (first open site of each list, ``-1`` if none), ``d1`` and ``d2`` costs.

    ``d1`` is the cost of ``phi`` (``other`` without one), ``d2`` that of the second open site
    of the list (``other`` without one).
    """
    n = other.size
    phi = np.full(n, -1, dtype=np.int64)
    d1 = other.copy()
    d2 = other.copy()
    for i in prange(n):
        found = 0
        for e in range(indptr[i], indptr[i + 1]):
            j = site[e]
            if is_open[j]:
                if found == 0:
                    phi[i] = j
                    d1[i] = cost[e]
                    found = 1
                else:
                    d2[i] = cost[e]
                    break
    return phi, d1, d2


@njit(cache=True)
def swap_terms(
    indptr: np.ndarray,
    site: np.ndarray,
    cost: np.ndarray,
    phi: np.ndarray,
    d1: np.ndarray,
    d2: np.ndarray,
    pos_open: np.ndarray,
    pos_closed: np.ndarray,
    n_open: int,
    n_closed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``gain`` per closed site and ``extra`` per (open, closed) pair of fast interchange.

    ``gain[f] = sum_i max(0, d1_i - D_if)``, ``extra[r, f] = sum_{i: phi_i = r} max(0, d2_i -
    max(D_if, d1_i))``; ``pos_open[j]`` / ``pos_closed[j]`` give a site's position among the open
    / closed candidates (``-1`` otherwise). Sites outside a row's list cost ``other_i >= d2_i``
    and add nothing.
    """
    gain = np.zeros(n_closed)
    extra = np.zeros((max(n_open, 1), n_closed))
    for i in range(phi.size):
        a = d1[i]
        b = d2[i]
        r = pos_open[phi[i]] if phi[i] >= 0 else -1
        limit = b if r >= 0 else a
        for e in range(indptr[i], indptr[i + 1]):
            c = cost[e]
            if c >= limit:
                break
            f = pos_closed[site[e]]
            if f < 0:
                continue
            if c < a:
                gain[f] += a - c
                if r >= 0:
                    extra[r, f] += b - a
            elif r >= 0:
                extra[r, f] += b - c
    return gain, extra


@njit(cache=True, parallel=True)
def open_value(
    indptr: np.ndarray, site: np.ndarray, cost: np.ndarray, other: np.ndarray, is_open: np.ndarray
) -> float:
    """``sum_i`` cost of the first open site of row ``i``'s list (``other_i`` without one)."""
    n = other.size
    vals = np.empty(n)
    for i in prange(n):
        v = other[i]
        for e in range(indptr[i], indptr[i + 1]):
            if is_open[site[e]]:
                v = cost[e]
                break
        vals[i] = v
    return vals.sum()


@njit(cache=True)
def column_gain(
    col_indptr: np.ndarray, col_row: np.ndarray, col_cost: np.ndarray, d1: np.ndarray, j: int
) -> float:
    """``sum_i max(0, d1_i - D_ij)`` over the rows listing site ``j``."""
    g = 0.0
    for e in range(col_indptr[j], col_indptr[j + 1]):
        diff = d1[col_row[e]] - col_cost[e]
        if diff > 0:
            g += diff
    return g


@njit(cache=True)
def lazy_best(
    upper: np.ndarray,
    stamp: np.ndarray,
    step: int,
    cand: np.ndarray,
    col_indptr: np.ndarray,
    col_row: np.ndarray,
    col_cost: np.ndarray,
    d1: np.ndarray,
    site_cost: np.ndarray,
) -> int:
    """The candidate with the largest net gain by lazy evaluation (Minoux 1978).

    ``upper[j]`` holds gains from earlier steps; gains only fall as sites open, so they bound
    today's. The best bound is recomputed until the best is fresh (``stamp[j] == step``).
    Returns ``-1`` when no site is a candidate.
    """
    m = upper.size
    while True:
        best = -1
        best_v = -np.inf
        for j in range(m):
            if cand[j] and (best < 0 or upper[j] > best_v):
                best = j
                best_v = upper[j]
        if best < 0:
            return -1
        if stamp[best] == step:
            return best
        upper[best] = column_gain(col_indptr, col_row, col_cost, d1, best) - site_cost[best]
        stamp[best] = step


@njit(cache=True)
def open_site(
    col_indptr: np.ndarray, col_row: np.ndarray, col_cost: np.ndarray, d1: np.ndarray, j: int
) -> None:
    """``d1 <- min(d1, D[:, j])`` over the rows listing site ``j`` (in place)."""
    for e in range(col_indptr[j], col_indptr[j + 1]):
        i = col_row[e]
        if col_cost[e] < d1[i]:
            d1[i] = col_cost[e]


@njit(cache=True, parallel=True)
def lagrangian_rho(
    indptr: np.ndarray, site: np.ndarray, cost: np.ndarray, lam: np.ndarray, n_sites: int
) -> np.ndarray:
    """``rho_j = sum_i min(0, D_ij - lambda_i)`` over the list entries (rows in 64 blocks)."""
    n = lam.size
    blocks = 64
    part = np.zeros((blocks, n_sites))
    size = (n + blocks - 1) // blocks
    for b in prange(blocks):
        for i in range(b * size, min(n, (b + 1) * size)):
            li = lam[i]
            for e in range(indptr[i], indptr[i + 1]):
                c = cost[e]
                if c >= li:
                    break
                part[b, site[e]] += c - li
    return part.sum(axis=0)


@njit(cache=True, parallel=True)
def lagrangian_count(
    indptr: np.ndarray, site: np.ndarray, cost: np.ndarray, lam: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """``sum_j [D_ij < lambda_i] y_j`` per row (the subgradient is one minus it)."""
    n = lam.size
    out = np.zeros(n)
    for i in prange(n):
        li = lam[i]
        k = 0
        for e in range(indptr[i], indptr[i + 1]):
            if cost[e] >= li:
                break
            if y[site[e]]:
                k += 1
        out[i] = k
    return out
