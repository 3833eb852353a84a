"""numba kernel of :func:`.allocation.nearest_by_offers`: every service's nearest site in one
pass over the matrix (apart, so importing :mod:`.allocation` compiles nothing)."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["nearest_columns"]


@numba.njit(cache=True, parallel=True)
def nearest_columns(
    minutes: np.ndarray, col_ptr: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each group ``g`` (columns ``cols[col_ptr[g]:col_ptr[g + 1]]``, increasing) and row:
    the first column with the least minutes and those minutes (float64); -1 and ``inf`` where
    every one is ``inf``. Ties go to the lowest column, as ``numpy.argmin``."""
    n = minutes.shape[0]
    n_g = len(col_ptr) - 1
    site = np.full((n_g, n), -1, dtype=np.int64)
    best = np.full((n_g, n), np.inf)
    for i in numba.prange(n):
        for g in range(n_g):
            b = np.inf
            arg = -1
            for q in range(col_ptr[g], col_ptr[g + 1]):
                v = np.float64(minutes[i, cols[q]])
                if v < b:
                    b = v
                    arg = cols[q]
            site[g, i] = arg
            best[g, i] = b
    return site, best
