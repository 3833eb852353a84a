"""The sparse form of median-type costs: each row's nearest sites and one floor for the rest.

At national scale (300,000 cells x 1,000 sites) the dense weighted matrix is 2.4 GB in float64
and every heuristic pass over it costs seconds. A resident's nearest open site is nearly always
among their few dozen nearest candidates, so the median models keep, for each row ``i``, the
``k`` nearest candidate sites that may open, sorted, with weighted costs ``D_ij``, and one cost
``other_i`` that every other site is charged:

* **k-nearest** (p-median, fixed charge): ``other_i`` is the ``(k+1)``-th smallest cost of the
  row, so ``other_i <= D_ij`` for every site outside the list. The sparse problem is therefore
  a *relaxation* of the full one (costs only lowered), and every lower bound on it is a lower
  bound on the full problem. Its value equals the full value for every open set in which each
  row has an open site on its list; the solvers evaluate their final solution on the full matrix
  and report the rows served outside their list (``rows_outside_list``; zero means the sparse
  and the full objective agree on it).
* **coverage** (MCLP as a median problem): the list is the sites within the threshold (cost 0)
  and ``other_i = w_i`` is exact: nothing is lost.

A row whose finite entries all fit on its list charges ``other_i`` = the forbidden-pair penalty
of :func:`.heuristics.weighted_costs`, exactly as the dense form does.

Memory is ``O(n_rows x k)``: 12 bytes per entry and the transposed copy for the greedy
(another 12), so 300,000 x 50 takes 360 MB.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._matrix_kernels import k_nearest_rows, max_finite
from .params import BoolArray, FloatArray, IntArray, MatrixArray

log = logging.getLogger("palveluverkko.locate")

__all__ = ["NearestCosts", "coverage_costs", "k_nearest_costs", "list_length"]


@dataclass(frozen=True, eq=False)
class NearestCosts:
    """Median costs in sparse form (see the module docstring).

    Attributes
    ----------
    indptr, site, cost
        CSR rows: ``site[indptr[i]:indptr[i+1]]`` are row ``i``'s listed sites (int32) sorted by
        ``cost`` (float64, weighted).
    other
        ``(n_rows,)`` cost of every site outside the row's list.
    n_sites
        Number of candidate sites (columns of the full problem).
    exact
        ``True`` when ``other`` is the exact cost of every unlisted site (coverage); ``False``
        when it is only a floor (k-nearest).
    col_indptr, col_row, col_cost
        The same entries by site (CSC), for the greedy's column gains.
    """

    indptr: npt.NDArray[np.int64]
    site: npt.NDArray[np.int32]
    cost: FloatArray
    other: FloatArray
    n_sites: int
    exact: bool
    col_indptr: npt.NDArray[np.int64]
    col_row: npt.NDArray[np.int32]
    col_cost: FloatArray

    @classmethod
    def from_lists(
        cls,
        count: IntArray,
        sites: IntArray,
        costs: FloatArray,
        other: FloatArray,
        n_sites: int,
        *,
        exact: bool,
    ) -> NearestCosts:
        """From padded ``(n_rows, k)`` lists with ``count[i]`` entries used in row ``i``."""
        n = count.size
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(count, out=indptr[1:])
        used = np.arange(sites.shape[1])[None, :] < count[:, None]
        return cls.from_csr(indptr, sites[used], costs[used], other, n_sites, exact=exact)

    @classmethod
    def from_csr(
        cls,
        indptr: IntArray,
        site: IntArray,
        cost: FloatArray,
        other: FloatArray,
        n_sites: int,
        *,
        exact: bool,
    ) -> NearestCosts:
        """From CSR rows whose entries are sorted by cost within each row."""
        n = indptr.size - 1
        site32 = np.asarray(site, dtype=np.int32)
        cost = np.asarray(cost, dtype=np.float64)
        rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr))
        order = np.argsort(site32, kind="stable")
        col_indptr = np.zeros(n_sites + 1, dtype=np.int64)
        np.cumsum(np.bincount(site32, minlength=n_sites), out=col_indptr[1:])
        return cls(
            indptr=np.asarray(indptr, dtype=np.int64),
            site=site32,
            cost=cost,
            other=np.asarray(other, dtype=np.float64),
            n_sites=n_sites,
            exact=exact,
            col_indptr=col_indptr,
            col_row=rows[order],
            col_cost=cost[order],
        )

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.other.size)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(
            a.nbytes
            for a in (
                self.indptr,
                self.site,
                self.cost,
                self.other,
                self.col_indptr,
                self.col_row,
                self.col_cost,
            )
        )


def list_length(n_allowed: int, count: int | None, k: int) -> int:
    """Sites per row: ``k``, raised to ``4 x n_allowed / p`` when few sites open, at most all.

    With ``p`` of ``m`` sites open a row meets an open site every ``m / p`` places of its list
    on average; four times that leaves a row without an open listed site rarely.
    """
    want = k if count is None else max(k, math.ceil(4 * n_allowed / max(count, 1)))
    return int(min(n_allowed, want))


def k_nearest_costs(
    minutes: MatrixArray,
    rows: IntArray,
    weight: FloatArray,
    allowed: BoolArray,
    k: int,
    *,
    scale: float = 1.0,
    site_cost_total: float = 0.0,
) -> tuple[NearestCosts, float]:
    """The k-nearest sparse form of ``scale * weight_i * minutes[rows[i], j]``.

    Returns the form and ``threshold``: a solution whose value reaches it uses a forbidden
    (``inf``) pair (same penalty rule as :func:`.heuristics.weighted_costs`).
    """
    count, sites, times, next_time = k_nearest_rows(
        minutes, np.asarray(rows, dtype=np.int64), allowed, int(k)
    )
    # the penalty of a forbidden pair needs the largest finite cost any solution may use
    c_max = _max_finite(minutes, rows, allowed)
    w = np.asarray(weight, dtype=np.float64) * scale
    threshold = float(w.sum() * c_max + site_cost_total) * (1 + 1e-9) + 1.0
    penalty = threshold + w * (c_max + 1.0)
    other = np.where(np.isfinite(next_time), w * next_time, penalty)
    costs = times * w[:, None]
    form = NearestCosts.from_lists(count, sites, costs, other, minutes.shape[1], exact=False)
    log.debug("k-nearest form: %d rows x k = %d, %.0f MB", rows.size, k, form.nbytes / 1e6)
    return form, threshold


def _max_finite(minutes: MatrixArray, rows: IntArray, allowed: BoolArray) -> float:
    value = float(max_finite(minutes, np.asarray(rows, dtype=np.int64), allowed))
    return value if np.isfinite(value) else 1.0


def coverage_costs(patterns: BoolArray, weight: FloatArray) -> NearestCosts:
    """MCLP as a sparse median form: covering sites cost 0, every other site ``w_i`` (exact)."""
    n, m = patterns.shape
    rr, cc = np.nonzero(patterns)  # row-major: each row's sites in column order
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rr, minlength=n), out=indptr[1:])
    return NearestCosts.from_csr(indptr, cc, np.zeros(cc.size), weight, m, exact=True)
