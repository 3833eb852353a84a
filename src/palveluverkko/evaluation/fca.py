"""Floating catchment accessibility: 2SFCA (Luo and Wang 2003) and E2SFCA (Luo and Qi 2009).

For demand points ``i`` (cells, population ``P_i``), supply points ``j`` (sites offering the
service, supply ``S_j``, e.g. capacity per week), travel time ``d_ij`` and catchment ``d_0`` (the
service's ``threshold_min``):

.. math::

    R_j = \\frac{S_j}{\\sum_{i: d_{ij} \\le d_0} W(d_{ij}) P_i}, \\qquad
    A_i = \\sum_{j: d_{ij} \\le d_0} W(d_{ij}) R_j,

with ``W = 1`` for 2SFCA and a decreasing weight for E2SFCA. The E2SFCA default is Luo and Qi's
stepped weights on thirds of the catchment (1, 0.68, 0.22 for ``d <= d0/3``, ``<= 2 d0/3``,
``<= d0``), the same as PySAL ``access``'s default ``step_fn({10: 1, 20: 0.68, 30: 0.22})`` for a
30-minute catchment; :func:`gaussian_weights` gives the Gaussian alternative
``W(d) = (exp(-d^2 / (2 s^2)) - exp(-d0^2 / (2 s^2))) / (1 - exp(-d0^2 / (2 s^2)))`` with
``s = d0 / 2`` (ASSUMPTION; falls to 0 at the catchment edge). A site with no demand in its
catchment gets ``R_j = 0`` (it adds nothing), and a cell outside every catchment gets
``A_i = 0``. Values are supply per resident; multiply by 1000 for "per 1000 residents".
Checked against PySAL access 1.1.10 in the tests.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "DENSE_MAX_ENTRIES",
    "STEP_WEIGHTS",
    "catchment_pairs",
    "gaussian_weights",
    "stepped_weights",
    "two_stage_fca",
    "two_stage_fca_pairs",
]

DENSE_MAX_ENTRIES = 50_000_000
"""Cells x sites above which the catchment stage uses the pairs inside the catchment
(:func:`two_stage_fca_pairs`) instead of dense float64 matrices (400 MB each at this size)."""

STEP_WEIGHTS: tuple[tuple[float, float], ...] = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))
"""(upper limit as a share of the catchment, weight): Luo and Qi (2009)."""


def stepped_weights(minutes: np.ndarray, catchment_min: float) -> np.ndarray:
    """E2SFCA stepped weights (:data:`STEP_WEIGHTS`); 0 beyond the catchment or unreachable."""
    out = np.zeros(minutes.shape)
    for limit, w in reversed(STEP_WEIGHTS):
        out = np.where(minutes <= limit * catchment_min, w, out)
    return out


def gaussian_weights(minutes: np.ndarray, catchment_min: float) -> np.ndarray:
    """Gaussian weights falling to 0 at the catchment, ``sigma = catchment / 2`` (ASSUMPTION)."""
    sigma = catchment_min / 2.0
    edge = np.exp(-(catchment_min**2) / (2 * sigma**2))
    with np.errstate(invalid="ignore"):
        w = (np.exp(-(minutes**2) / (2 * sigma**2)) - edge) / (1.0 - edge)
    return np.where(minutes <= catchment_min, w, 0.0)


def two_stage_fca(
    minutes: np.ndarray,
    population: np.ndarray,
    supply: np.ndarray,
    catchment_min: float,
    *,
    weights: Callable[[np.ndarray, float], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """2SFCA (``weights=None``) or E2SFCA scores.

    Parameters
    ----------
    minutes
        ``(n_cells, n_sites)`` travel times (``inf`` unreachable); only the sites that supply.
    population
        ``(n_cells,)`` demand (residents).
    supply
        ``(n_sites,)`` supply (e.g. capacity per week).
    catchment_min
        ``d_0``.
    weights
        ``W(minutes, catchment_min)``, e.g. :func:`stepped_weights`; None = 1 inside.

    Returns
    -------
    (access, ratio)
        ``A_i`` per cell and ``R_j`` per site.
    """
    inside = minutes <= catchment_min
    w = (
        inside.astype(np.float64)
        if weights is None
        else np.where(inside, weights(minutes, catchment_min), 0.0)
    )
    demand = population @ w  # (n_sites,)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(demand > 0, supply / demand, 0.0)
    return w @ ratio, ratio


def catchment_pairs(
    minutes: np.ndarray,
    cols: np.ndarray,
    catchment_min: float,
    weights: Callable[[np.ndarray, float], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs inside the catchment of ``minutes[:, cols]``: ``(cell, column in cols, W)``.

    One pass over the matrix in its own dtype (numba), each entry widened to float64 before the
    comparison (as the dense path compares): memory is the pairs, not the matrix. Pairs come in
    row-major order.
    """
    from ._fca_kernels import pairs_within

    cell, col, d = pairs_within(minutes, np.asarray(cols, dtype=np.int64), float(catchment_min))
    return cell, col, (np.ones(len(d)) if weights is None else weights(d, catchment_min))


def two_stage_fca_pairs(
    cell: np.ndarray,
    site: np.ndarray,
    w: np.ndarray,
    population: np.ndarray,
    supply: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`two_stage_fca` on the pairs inside the catchment (:func:`catchment_pairs`).

    The same formulas; sums are taken pair by pair in row-major order (``numpy.bincount``)
    rather than by a BLAS product, so results agree with the dense path to rounding (about
    1e-15 relative), not bit for bit.
    """
    demand = np.bincount(site, weights=population[cell] * w, minlength=len(supply))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(demand > 0, supply / demand, 0.0)
    access = np.bincount(cell, weights=w * ratio[site], minlength=len(population))
    return access, ratio
