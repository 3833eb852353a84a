"""Numba kernels over a dense travel-time matrix that never copy it.

A national matrix (300,000 cells x 1,000 sites) is 1.2 GB in float32; a fancy index such as
``minutes[:, cols]`` or a float64 copy doubles or triples that. These kernels read the matrix in
place, row by row, in either float32 or float64 (numba compiles one version per dtype):

* :func:`scan_matrix`: NaN and negative entries (count and first position) and which rows reach
  an allowed column, in one pass;
* :func:`row_hashes` and :func:`same_as`: merge identical rows by a 64-bit hash checked entry by
  entry (a hash collision never merges different rows);
* :func:`nearest_of`: each row's nearest column among given columns and its time;
* :func:`k_nearest_rows`: each row's ``k`` nearest allowed columns, sorted, and the time of the
  next one (the floor of every column outside the list).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def scan_matrix(minutes: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(stats, reachable)``: stats = [n_nan, nan_i, nan_j, n_neg, neg_i, neg_j] (-1 = none).

    ``reachable[i]``: row ``i`` has a finite entry in an allowed column.
    """
    n, m = minutes.shape
    stats = np.array([0, -1, -1, 0, -1, -1], dtype=np.int64)
    reachable = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        for j in range(m):
            v = minutes[i, j]
            if np.isnan(v):
                if stats[0] == 0:
                    stats[1] = i
                    stats[2] = j
                stats[0] += 1
            elif v < 0:
                if stats[3] == 0:
                    stats[4] = i
                    stats[5] = j
                stats[3] += 1
            elif allowed[j] and v < np.inf:
                reachable[i] = True
    return stats, reachable


@njit(cache=True, parallel=True)
def row_hashes(minutes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """FNV-1a style 64-bit hash of the bit pattern of each selected row."""
    out = np.empty(rows.size, dtype=np.uint64)
    m = minutes.shape[1]
    for k in prange(rows.size):
        h = np.uint64(14695981039346656037)
        row = minutes[rows[k]]
        for j in range(m):
            v = row[j]
            if np.isfinite(v) and abs(v) < 1e12:
                b = np.uint64(np.int64(v * 1048576.0))
            else:
                b = np.uint64(0x7FF0)
            h = (h ^ b) * np.uint64(1099511628211)
            h ^= h >> np.uint64(29)
        out[k] = h
    return out


@njit(cache=True)
def same_as(minutes: np.ndarray, rows: np.ndarray, rep: np.ndarray) -> np.ndarray:
    """``ok[k]``: row ``rows[k]`` equals row ``rep[k]`` entry by entry."""
    ok = np.ones(rows.size, dtype=np.bool_)
    m = minutes.shape[1]
    for k in range(rows.size):
        a = minutes[rows[k]]
        b = minutes[rep[k]]
        if rows[k] == rep[k]:
            continue
        for j in range(m):
            if a[j] != b[j]:
                ok[k] = False
                break
    return ok


@njit(cache=True, parallel=True)
def nearest_of(minutes: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest column among ``cols`` (``-1`` when all are ``inf``) and its time."""
    n = minutes.shape[0]
    best = np.full(n, -1, dtype=np.int64)
    value = np.full(n, np.inf)
    for i in prange(n):
        row = minutes[i]
        b = -1
        v = np.inf
        for c in cols:
            x = row[c]
            if x < v:
                v = x
                b = c
        best[i] = b
        value[i] = v
    return best, value


@njit(cache=True, parallel=True)
def k_nearest_rows(
    minutes: np.ndarray, rows: np.ndarray, allowed: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` nearest allowed finite columns of each selected row, nearest first.

    Returns ``(count, cols, times, next_time)``: ``count[r]`` entries of ``cols[r]`` and
    ``times[r]`` are used (fewer than ``k`` when fewer columns are finite); ``next_time[r]`` is
    the smallest time of an allowed column outside the list (``inf`` when none is finite).
    Ties are broken by column index, so the lists are deterministic.
    """
    n = rows.size
    m = minutes.shape[1]
    cols = np.full((n, k), -1, dtype=np.int32)
    times = np.full((n, k), np.inf)
    count = np.zeros(n, dtype=np.int32)
    next_time = np.full(n, np.inf)
    for r in prange(n):
        row = minutes[rows[r]]
        c = 0
        # insertion into a sorted buffer of k + 1 (the extra one is the floor of the rest)
        buf_t = np.full(k + 1, np.inf)
        buf_j = np.full(k + 1, -1, dtype=np.int64)
        for j in range(m):
            if not allowed[j]:
                continue
            v = row[j]
            if not (v < np.inf):
                continue
            if c == k + 1 and v >= buf_t[k]:
                continue
            pos = c if c < k + 1 else k
            while pos > 0 and buf_t[pos - 1] > v:
                buf_t[pos] = buf_t[pos - 1]
                buf_j[pos] = buf_j[pos - 1]
                pos -= 1
            buf_t[pos] = v
            buf_j[pos] = j
            if c < k + 1:
                c += 1
        used = min(c, k)
        count[r] = used
        for q in range(used):
            cols[r, q] = buf_j[q]
            times[r, q] = buf_t[q]
        if c == k + 1:
            next_time[r] = buf_t[k]
    return count, cols, times, next_time


@njit(cache=True, parallel=True)
def max_finite(minutes: np.ndarray, rows: np.ndarray, allowed: np.ndarray) -> float:
    """Largest finite entry of the selected rows in allowed columns (``-inf`` when none)."""
    best = np.full(rows.size, -np.inf)
    m = minutes.shape[1]
    for k in prange(rows.size):
        row = minutes[rows[k]]
        b = -np.inf
        for j in range(m):
            v = row[j]
            if allowed[j] and v < np.inf and v > b:
                b = v
        best[k] = b
    return best.max() if rows.size else -np.inf


@njit(cache=True, parallel=True)
def count_within(
    minutes: np.ndarray, rows: np.ndarray, allowed: np.ndarray, radius: float, cap: int
) -> np.ndarray:
    """Allowed columns within ``radius`` per selected row, at most ``cap``."""
    out = np.zeros(rows.size, dtype=np.int64)
    m = minutes.shape[1]
    for k in prange(rows.size):
        row = minutes[rows[k]]
        c = 0
        for j in range(m):
            if allowed[j] and row[j] <= radius:
                c += 1
        out[k] = min(c, cap)
    return out


@njit(cache=True, parallel=True)
def fill_within(
    minutes: np.ndarray,
    rows: np.ndarray,
    allowed: np.ndarray,
    radius: float,
    indptr: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR of each row's allowed columns within ``radius``, nearest first, cut at its slot.

    ``indptr`` (from :func:`count_within`) gives each row's slot; a row with more columns
    within the radius keeps its nearest ones and is marked ``truncated``.
    """
    m = minutes.shape[1]
    site = np.empty(indptr[-1], dtype=np.int32)
    cost = np.empty(indptr[-1])
    truncated = np.zeros(rows.size, dtype=np.bool_)
    for k in prange(rows.size):
        row = minutes[rows[k]]
        c = 0
        for j in range(m):
            if allowed[j] and row[j] <= radius:
                c += 1
        vals = np.empty(c)
        cols = np.empty(c, dtype=np.int64)
        c = 0
        for j in range(m):
            if allowed[j] and row[j] <= radius:
                vals[c] = row[j]
                cols[c] = j
                c += 1
        order = np.argsort(vals, kind="mergesort")
        a = indptr[k]
        size = indptr[k + 1] - a
        truncated[k] = c > size
        for q in range(size):
            site[a + q] = cols[order[q]]
            cost[a + q] = vals[order[q]]
    return site, cost, truncated
