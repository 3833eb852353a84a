"""numba kernel of :func:`.fca.catchment_pairs` (apart, so importing :mod:`.fca` compiles
nothing)."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["pairs_within"]


@numba.njit(cache=True)
def pairs_within(
    minutes: np.ndarray, cols: np.ndarray, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, position in cols, minutes as float64)`` of the entries ``<= limit``, row-major."""
    n = minutes.shape[0]
    count = 0
    for i in range(n):
        for c in range(len(cols)):
            if np.float64(minutes[i, cols[c]]) <= limit:
                count += 1
    rows = np.empty(count, dtype=np.int64)
    where = np.empty(count, dtype=np.int64)
    values = np.empty(count, dtype=np.float64)
    k = 0
    for i in range(n):
        for c in range(len(cols)):
            v = np.float64(minutes[i, cols[c]])
            if v <= limit:
                rows[k] = i
                where[k] = c
                values[k] = v
                k += 1
    return rows, where, values
