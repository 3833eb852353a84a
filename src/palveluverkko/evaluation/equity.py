"""Equity of population-weighted travel times: Gini, Theil, Palma, worst-off 10 %, rural-urban gap.

For travel times ``x_i`` with weights (residents) ``w_i``, ``W = sum w``, ``mu = sum w x / W``:

.. math::

    G = \\frac{\\sum_i \\sum_j w_i w_j |x_i - x_j|}{2 W^2 \\mu}, \\qquad
    T = \\frac{1}{W} \\sum_i w_i \\frac{x_i}{\\mu} \\ln \\frac{x_i}{\\mu} \\; (0 \\ln 0 = 0),

Palma = share of all person-minutes borne by the 10 % of residents with the longest trips divided
by the share borne by the 40 % with the shortest (residents split at the quantile fractionally, so
a cell may count partly in a group). Worst-off 10 %: mean minutes of the 10 % with the longest
trips. Rural-urban gap: mean minutes of ``rural`` residents minus those of ``city`` (and of
``town`` when the region has no city), by the ``settlement`` column.

Unreachable (``inf``) residents cannot enter these sums; callers report them separately.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gini", "palma", "theil", "top_share_mean", "weighted_quantile"]


def _clean(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    ok = np.isfinite(x) & (w > 0)
    return x[ok], w[ok]


def gini(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted Gini coefficient (NaN when no weight or a zero mean)."""
    x, w = _clean(x, w)
    total = w.sum()
    if total <= 0:
        return float("nan")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    mu = float(w @ x) / total
    if mu <= 0:
        return float("nan")
    # sum_i sum_j w_i w_j |x_i - x_j| = 2 sum_i w_i x_i (W_below_i - W_above_i)
    cum = np.cumsum(w)
    below = cum - w
    above = total - cum
    s = 2.0 * float(np.sum(w * x * (below - above)))
    return s / (2.0 * total**2 * mu)


def theil(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted Theil T index (NaN when no weight or a zero mean)."""
    x, w = _clean(x, w)
    total = w.sum()
    if total <= 0:
        return float("nan")
    mu = float(w @ x) / total
    if mu <= 0:
        return float("nan")
    r = x / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float(w @ terms) / total


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """Smallest ``x`` whose cumulative weight share reaches ``q`` (inverted CDF; NaN if empty)."""
    x, w = _clean(x, w)
    if w.sum() <= 0:
        return float("nan")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum = np.cumsum(w) / w.sum()
    k = int(np.searchsorted(cum, q - 1e-12, side="left"))
    return float(x[min(k, len(x) - 1)])


def _slice_sum(x: np.ndarray, w: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """Weight and weighted sum of x of the residents between weight shares lo and hi (sorted)."""
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    total = w.sum()
    start = np.concatenate([[0.0], np.cumsum(w)[:-1]]) / total
    end = np.cumsum(w) / total
    part = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None) * total
    return float(part.sum()), float(part @ x)


def top_share_mean(x: np.ndarray, w: np.ndarray, share: float = 0.1) -> float:
    """Mean ``x`` of the ``share`` of weight with the largest ``x`` (fractional split)."""
    x, w = _clean(x, w)
    if w.sum() <= 0:
        return float("nan")
    weight, s = _slice_sum(x, w, 1.0 - share, 1.0)
    return s / weight if weight > 0 else float("nan")


def palma(x: np.ndarray, w: np.ndarray) -> float:
    """Share of person-minutes of the top 10 % over that of the bottom 40 % (NaN if undefined)."""
    x, w = _clean(x, w)
    if w.sum() <= 0:
        return float("nan")
    _, top = _slice_sum(x, w, 0.9, 1.0)
    _, bottom = _slice_sum(x, w, 0.0, 0.4)
    return top / bottom if bottom > 0 else float("nan")


def inequality(x: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Gini, Theil, Palma and the worst-off 10 % mean in one sort (same values as the functions)."""
    x, w = _clean(x, w)
    nan = float("nan")
    total = float(w.sum())
    if total <= 0:
        return {"gini": nan, "theil": nan, "palma": nan, "worst10_mean_minutes": nan}
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    mu = float(w @ x) / total
    cum = np.cumsum(w)
    below = cum - w
    g = (
        2.0 * float(np.sum(w * x * (below - (total - cum)))) / (2.0 * total**2 * mu)
        if mu > 0
        else nan
    )
    if mu > 0:
        r = x / mu
        with np.errstate(divide="ignore", invalid="ignore"):
            t = float(w @ np.where(r > 0, r * np.log(r), 0.0)) / total
    else:
        t = nan
    start, end = below / total, cum / total

    def part(lo: float, hi: float) -> tuple[float, float]:
        p = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None) * total
        return float(p.sum()), float(p @ x)

    top_w, top = part(0.9, 1.0)
    _, bottom = part(0.0, 0.4)
    return {
        "gini": g,
        "theil": t,
        "palma": top / bottom if bottom > 0 else nan,
        "worst10_mean_minutes": top / top_w if top_w > 0 else nan,
    }
