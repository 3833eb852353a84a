r"""Age-band rules: Paavo's 20 bands and Statistics Finland's 3 bands to our six.

Our bands (``region.schema.AGE_BANDS``) are 0-6, 7-17, 18-64, 65-74, 75-84 and 85+.

**Paavo** (postal-code areas) publishes 20 bands 0-2, 3-6, 7-12, 13-15, 16-17, 18-19, 20-24, ...,
80-84, 85+. Their boundaries include ours (7, 18, 65, 75, 85), so the mapping is an exact sum
(:data:`PAAVO_TO_BAND`). Areas under 30 residents are suppressed (``..``): only the total is
given. Such a total :math:`T` is spread over the six bands in proportion to the age structure
:math:`w_b` of the area's municipality, rounded by the largest-remainder rule
(:func:`largest_remainder`) so that the six integers add up to :math:`T` exactly.

**Statistics Finland's grid** publishes 0-14, 15-64 and 65+. The boundaries 15 does not fall on
ours, so each coarse band is split in proportion to the municipality's Paavo structure, with the
13-15 band taken as three equal single years (two thirds below 15, one third 15 and over):

.. math::

    W_{c,b} = \sum_{p} s_p \, f_{p,c} \, [p \to b], \qquad
    n_{i,b} = \mathrm{LR}\big(N_{i,c},\ W_{c,\cdot}\big) \text{ summed over } c,

where :math:`s_p` is the municipality's count in Paavo band :math:`p`, :math:`f_{p,c}` the share of
band :math:`p` inside coarse band :math:`c` (1, 0, or 2/3 and 1/3 for 13-15) and LR the
largest-remainder apportionment. 0-14 feeds 0-6 and 7-17, 15-64 feeds 7-17 and 18-64, 65+ feeds
65-74, 75-84 and 85+ exactly. Each cell's total is conserved exactly.

ASSUMPTION: a cell's age structure within a coarse band is its municipality's. Where the
municipality has nobody in the bands a coarse band feeds, the split is equal over those bands.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..region.schema import AGE_BANDS

PAAVO_BANDS: tuple[str, ...] = (
    "0_2",
    "3_6",
    "7_12",
    "13_15",
    "16_17",
    "18_19",
    "20_24",
    "25_29",
    "30_34",
    "35_39",
    "40_44",
    "45_49",
    "50_54",
    "55_59",
    "60_64",
    "65_69",
    "70_74",
    "75_79",
    "80_84",
    "85_plus",
)
"""Paavo's 20 age bands, as suffixes (``age_0_2`` ... ``age_85_plus``)."""

PAAVO_TO_BAND: dict[str, str] = {
    **dict.fromkeys(("0_2", "3_6"), "0_6"),
    **dict.fromkeys(("7_12", "13_15", "16_17"), "7_17"),
    **dict.fromkeys(PAAVO_BANDS[5:15], "18_64"),
    **dict.fromkeys(("65_69", "70_74"), "65_74"),
    **dict.fromkeys(("75_79", "80_84"), "75_84"),
    "85_plus": "85_plus",
}
"""Each Paavo band -> the one of our bands that contains it (exact: boundaries coincide)."""

COARSE_BANDS: tuple[str, ...] = ("0_14", "15_64", "65_plus")
"""Statistics Finland grid bands."""


def paavo_matrix() -> np.ndarray:
    """(20, 6) 0/1 matrix ``M``: ``M[p, b] = 1`` when Paavo band ``p`` lies in our band ``b``."""
    m = np.zeros((len(PAAVO_BANDS), len(AGE_BANDS)), dtype=np.int64)
    for p, band in enumerate(PAAVO_BANDS):
        m[p, AGE_BANDS.index(PAAVO_TO_BAND[band])] = 1
    return m


def coarse_matrix() -> np.ndarray:
    """(3, 20) share ``f[c, p]`` of Paavo band ``p`` inside coarse band ``c``; columns sum to 1."""
    f = np.zeros((len(COARSE_BANDS), len(PAAVO_BANDS)), dtype=np.float64)
    i13 = PAAVO_BANDS.index("13_15")
    i65 = PAAVO_BANDS.index("65_69")
    f[0, :i13] = 1.0
    f[0, i13] = 2.0 / 3.0  # ages 13 and 14
    f[1, i13] = 1.0 / 3.0  # age 15
    f[1, i13 + 1 : i65] = 1.0
    f[2, i65:] = 1.0
    return f


def collapse_paavo(counts: np.ndarray) -> np.ndarray:
    """Sum (n, 20) Paavo counts into (n, 6) counts in our bands (exact, integer)."""
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[1] != len(PAAVO_BANDS):
        raise InputError(f"expected (n, {len(PAAVO_BANDS)}) Paavo counts, got {counts.shape}")
    return np.asarray(counts @ paavo_matrix())


def largest_remainder(
    totals: np.ndarray, weights: np.ndarray, *, fallback: np.ndarray | None = None
) -> np.ndarray:
    r"""Apportion integer ``totals`` over columns in proportion to ``weights`` (Hamilton's rule).

    Row :math:`i` gets :math:`\lfloor T_i w_{ij} / \sum_j w_{ij} \rfloor` in column :math:`j`, and
    the :math:`T_i - \sum_j \lfloor\cdot\rfloor` units left go one each to the columns with the
    largest fractional parts (ties: the lower column index first). Every row sums to its total
    exactly and no column is negative.

    Parameters
    ----------
    totals
        (n,) non-negative integers.
    weights
        (n, k) non-negative weights, or (k,) shared by every row.
    fallback
        (k,) weights used for rows whose weights sum to zero; default equal weights.

    Returns
    -------
    numpy.ndarray
        (n, k) int64 counts.

    Raises
    ------
    ValueError
        When a total or a weight is negative or not finite.
    """
    t = np.asarray(totals, dtype=np.int64).reshape(-1)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 1:
        w = np.broadcast_to(w, (len(t), len(w)))
    if w.shape[0] != len(t):
        raise InputError(f"{len(t)} totals but {w.shape[0]} rows of weights")
    if (t < 0).any():
        raise InputError(f"totals must be >= 0, found {int(t.min())}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError("weights must be finite and >= 0")
    k = w.shape[1]
    fb = np.ones(k) if fallback is None else np.asarray(fallback, dtype=np.float64)
    w = w.copy()
    zero = w.sum(axis=1) <= 0
    w[zero] = fb
    quota = t[:, None] * (w / w.sum(axis=1, keepdims=True))
    base = np.floor(quota).astype(np.int64)
    left = t - base.sum(axis=1)
    frac = quota - base
    order = np.argsort(-frac, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(len(t), axis=0), axis=1)
    return base + (rank < left[:, None]).astype(np.int64)


def split_coarse(counts: np.ndarray, structure: np.ndarray) -> np.ndarray:
    """Split (n, 3) counts in 0-14 / 15-64 / 65+ into (n, 6) counts in our bands.

    Parameters
    ----------
    counts
        (n, 3) non-negative integer counts per cell.
    structure
        (n, 20) Paavo-band counts of each cell's municipality (the module's rule).

    Returns
    -------
    numpy.ndarray
        (n, 6) int64; each row sums to the row of ``counts`` exactly.
    """
    c = np.asarray(counts, dtype=np.int64)
    s = np.asarray(structure, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != len(COARSE_BANDS):
        raise InputError(f"expected (n, 3) counts in {COARSE_BANDS}, got {c.shape}")
    if s.shape != (len(c), len(PAAVO_BANDS)):
        raise InputError(f"expected ({len(c)}, {len(PAAVO_BANDS)}) structure, got {s.shape}")
    f = coarse_matrix()
    m = paavo_matrix().astype(np.float64)
    out = np.zeros((len(c), len(AGE_BANDS)), dtype=np.int64)
    for ci in range(len(COARSE_BANDS)):
        weights = (s * f[ci]) @ m  # (n, 6)
        feeds = (f[ci] @ m) > 0
        out += largest_remainder(c[:, ci], weights, fallback=feeds.astype(np.float64))
    return out


def fill_suppressed(totals: np.ndarray, structure: np.ndarray) -> np.ndarray:
    """Spread (n,) totals over our six bands by (n, 6) age structures (largest remainder)."""
    return largest_remainder(totals, structure)
