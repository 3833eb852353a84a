"""Accessibility indicators: shares within 10/20/30 min, mean, median, p90, worst; losers.

All figures are population-weighted over cells: the weight of a cell is its (projected) residents
in the group asked for (all residents, those 75+, or one age band). Travel time of a cell for a
service is the time to its nearest open site offering the service by that mode (car, transit);
``trip`` is the mode-mix time of the allocation (:mod:`.allocation`). Residents whose cell reaches
no such site count as *not* within any threshold and are reported in ``unreachable_*`` columns;
means and percentiles are over reachable residents only. Percentiles use the inverted weighted
CDF (the smallest time whose cumulative resident share reaches the level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .equity import weighted_quantile

__all__ = ["THRESHOLDS_MIN", "indicator_row", "indicator_table", "losers_table"]

THRESHOLDS_MIN: tuple[int, ...] = (10, 20, 30)


def _share_within(t: np.ndarray, w: np.ndarray, limit: float) -> float:
    total = w.sum()
    return float(w[t <= limit].sum() / total) if total > 0 else float("nan")


def _stats(t: np.ndarray, w: np.ndarray, prefix: str) -> dict[str, float]:
    ok = np.isfinite(t) & (w > 0)
    wo, to = w[ok], t[ok]
    tot = wo.sum()
    return {
        f"mean_{prefix}_minutes": float(wo @ to / tot) if tot > 0 else float("nan"),
        f"median_{prefix}_minutes": weighted_quantile(to, wo, 0.5),
        f"p90_{prefix}_minutes": weighted_quantile(to, wo, 0.9),
        f"worst_{prefix}_minutes": float(to.max()) if len(to) else float("nan"),
        f"unreachable_{prefix}_residents": float(w[~np.isfinite(t)].sum()),
    }


def _stats_sorted(t: np.ndarray, w: np.ndarray, prefix: str) -> dict[str, float]:
    """:func:`_stats` for ``t`` sorted ascending (``inf`` last) and ``w`` in the same order."""
    fin = np.isfinite(t)
    wf = np.where(fin, w, 0.0)
    cum = np.cumsum(wf)
    tot = float(cum[-1]) if len(cum) else 0.0
    out = {
        f"mean_{prefix}_minutes": float(wf @ np.where(fin, t, 0.0) / tot) if tot > 0 else np.nan,
        f"unreachable_{prefix}_residents": float(w[~fin].sum()),
    }
    for name, q in (("median", 0.5), ("p90", 0.9)):
        if tot > 0:
            k = int(np.searchsorted(cum / tot, q - 1e-12, side="left"))
            # skip zero-weight entries so the quantile is a time someone actually has
            while k < len(t) and wf[k] <= 0:
                k += 1
            out[f"{name}_{prefix}_minutes"] = float(t[min(k, len(t) - 1)])
        else:
            out[f"{name}_{prefix}_minutes"] = float("nan")
    pos = np.flatnonzero(wf > 0)
    out[f"worst_{prefix}_minutes"] = float(t[pos[-1]]) if len(pos) else float("nan")
    return out


def indicator_row(
    car: np.ndarray,
    transit: np.ndarray | None,
    trip: np.ndarray,
    residents: np.ndarray,
    residents_75: np.ndarray,
    *,
    orders: dict[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """Indicators of one group of cells (arrays over those cells).

    ``orders`` may give each mode's ascending sort order of its times (reused across groups of
    the same cells, e.g. the age bands).

    Columns: ``residents``, ``residents_75_plus``; ``share_within_{10,20,30}_car`` and
    ``share_75_within_{..}_car``, the same for ``transit`` (NaN without transit times);
    ``mean|median|p90|worst_car_minutes``, ``unreachable_car_residents``, the same for
    ``transit`` and ``trip``.
    """
    row: dict[str, float] = {
        "residents": float(residents.sum()),
        "residents_75_plus": float(residents_75.sum()),
    }
    for mode, t in (("car", car), ("transit", transit), ("trip", trip)):
        if t is None:
            for limit in THRESHOLDS_MIN:
                row[f"share_within_{limit}_{mode}"] = float("nan")
                row[f"share_75_within_{limit}_{mode}"] = float("nan")
            row.update({k: float("nan") for k in _stats(np.zeros(0), np.zeros(0), mode)})
            continue
        order = (
            orders[mode] if orders is not None and mode in orders else np.argsort(t, kind="stable")
        )
        ts = t[order]
        ws = residents[order]
        if mode != "trip":
            w75s = residents_75[order]
            for limit in THRESHOLDS_MIN:
                k = int(np.searchsorted(ts, limit, side="right"))  # NaN/inf sort last
                for key, wv in (("share_within", ws), ("share_75_within", w75s)):
                    tot = float(wv.sum())
                    row[f"{key}_{limit}_{mode}"] = (
                        float(wv[:k].sum()) / tot if tot > 0 else float("nan")
                    )
        row.update(_stats_sorted(ts, ws, mode))
    return row


def indicator_table(
    services: tuple[str, ...],
    car: np.ndarray,
    transit: np.ndarray | None,
    trip: np.ndarray,
    residents: np.ndarray,
    groups: dict[str, np.ndarray],
    bands: tuple[str, ...],
) -> pd.DataFrame:
    """Indicators per service for the county, every group value and every age band.

    Parameters
    ----------
    services
        Service codes (axis 0 of the time arrays).
    car, transit, trip
        ``(n_services, n_cells)`` nearest car and transit minutes, mode-mix trip minutes.
    residents
        ``(n_cells, n_bands)`` residents.
    groups
        ``{"municipality": labels (n_cells,), "settlement": labels, ...}``.
    bands
        Band labels of ``residents``' columns; the last two are counted as 75+.

    Returns
    -------
    pandas.DataFrame
        ``level`` (``county``, a group name, or ``band``), ``group`` (value), ``service``, and
        the columns of :func:`indicator_row`.
    """
    total = residents.sum(axis=1)
    old = residents[:, [bands.index("75_84"), bands.index("85_plus")]].sum(axis=1)
    # county and bands share the cells: one sort per mode, all weight columns at once
    weights = np.column_stack([total, residents])
    weights_75 = np.column_stack(
        [old]
        + [
            residents[:, b] if band in ("75_84", "85_plus") else np.zeros(len(total))
            for b, band in enumerate(bands)
        ]
    )
    labels_of = ["county"] + ["band"] * len(bands)
    groups_of = [""] + list(bands)
    masks = []
    for name, labels in groups.items():
        labels = np.asarray(labels, dtype=object)
        for value in pd.unique(labels):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            masks.append((name, str(value), labels == value))
    rows: list[dict[str, object]] = []
    for s, code in enumerate(services):
        tr = None if transit is None else transit[s]
        cols: list[dict[str, float]] = [
            {"residents": float(w), "residents_75_plus": float(w75)}
            for w, w75 in zip(weights.sum(axis=0), weights_75.sum(axis=0), strict=True)
        ]
        for mode, t in (("car", car[s]), ("transit", tr), ("trip", trip[s])):
            for col, stats in zip(
                cols, _multi_stats(t, weights, weights_75, mode, mode != "trip"), strict=True
            ):
                col.update(stats)
        rows += [
            {"level": lv, "group": g, "service": code, **c}
            for lv, g, c in zip(labels_of[:1], groups_of[:1], cols[:1], strict=True)
        ]
        for name, value, m in masks:
            rows.append(
                {
                    "level": name,
                    "group": value,
                    "service": code,
                    **indicator_row(
                        car[s][m], None if tr is None else tr[m], trip[s][m], total[m], old[m]
                    ),
                }
            )
        rows += [
            {"level": lv, "group": g, "service": code, **c}
            for lv, g, c in zip(labels_of[1:], groups_of[1:], cols[1:], strict=True)
        ]
    return pd.DataFrame(rows)


def _multi_stats(
    t: np.ndarray | None, weights: np.ndarray, weights_75: np.ndarray, mode: str, shares: bool
) -> list[dict[str, float]]:
    """:func:`indicator_row`'s columns of one mode for several weight columns at once."""
    k = weights.shape[1]
    keys = [f"{q}_{mode}_minutes" for q in ("mean", "median", "p90", "worst")]
    keys.append(f"unreachable_{mode}_residents")
    share_keys = [
        f"{key}_{limit}_{mode}"
        for limit in THRESHOLDS_MIN
        for key in ("share_within", "share_75_within")
    ]
    if t is None:
        return [dict.fromkeys(keys + (share_keys if shares else []), float("nan"))] * k
    order = np.argsort(t, kind="stable")
    ts = t[order]
    ws = weights[order]
    n_fin = int(np.isfinite(ts).sum())  # finite times sort first
    out: list[dict[str, float]] = [{} for _ in range(k)]
    if shares:
        w75s = weights_75[order]
        tot, tot75 = ws.sum(axis=0), w75s.sum(axis=0)
        for limit in THRESHOLDS_MIN:
            cut = int(np.searchsorted(ts, limit, side="right"))
            within, within75 = ws[:cut].sum(axis=0), w75s[:cut].sum(axis=0)
            for j in range(k):
                out[j][f"share_within_{limit}_{mode}"] = (
                    float(within[j] / tot[j]) if tot[j] > 0 else float("nan")
                )
                out[j][f"share_75_within_{limit}_{mode}"] = (
                    float(within75[j] / tot75[j]) if tot75[j] > 0 else float("nan")
                )
    wf = ws[:n_fin]
    tf = ts[:n_fin]
    cum = np.cumsum(wf, axis=0)
    unreachable = ws[n_fin:].sum(axis=0)
    for j in range(k):
        total = float(cum[-1, j]) if n_fin else 0.0
        row = out[j]
        row[f"unreachable_{mode}_residents"] = float(unreachable[j])
        if total <= 0:
            for key in keys[:4]:
                row[key] = float("nan")
            continue
        row[f"mean_{mode}_minutes"] = float(wf[:, j] @ tf) / total
        for name, q in (("median", 0.5), ("p90", 0.9)):
            at = int(np.searchsorted(cum[:, j], (q - 1e-12) * total, side="left"))
            row[f"{name}_{mode}_minutes"] = float(tf[min(at, n_fin - 1)])
        row[f"worst_{mode}_minutes"] = float(tf[np.flatnonzero(wf[:, j] > 0)[-1]])
    return out


def losers_table(
    cell_ids: np.ndarray,
    municipality: np.ndarray,
    services: tuple[str, ...],
    site_ids: np.ndarray,
    base_site: np.ndarray,
    base_minutes: np.ndarray,
    new_site: np.ndarray,
    new_minutes: np.ndarray,
    base_transit: np.ndarray | None,
    new_transit: np.ndarray | None,
    residents: np.ndarray,
    residents_75: np.ndarray,
) -> pd.DataFrame:
    """Cells whose nearest site (by car) changes or whose trip gets longer, per service.

    Arrays ``(n_services, n_cells)``: nearest car site column and minutes before/after, and
    nearest transit minutes before/after (or None). ``lost_nearest`` is true when the base nearest
    site no longer offers the service. ``car_minutes_gained`` = after - before (``inf`` when the
    service became unreachable).
    """
    parts = []
    for s, code in enumerate(services):
        lost = (base_site[s] >= 0) & (new_site[s] != base_site[s])
        longer = new_minutes[s] > base_minutes[s] + 1e-9
        t_longer = (
            np.zeros(len(cell_ids), bool)
            if base_transit is None or new_transit is None
            else new_transit[s] > base_transit[s] + 1e-9
        )
        m = (lost | longer | t_longer) & (residents > 0)
        if not m.any():
            continue
        idx = np.flatnonzero(m)
        with np.errstate(invalid="ignore"):
            gained = new_minutes[s][idx] - base_minutes[s][idx]
            t_gained = (
                np.full(len(idx), np.nan)
                if base_transit is None or new_transit is None
                else new_transit[s][idx] - base_transit[s][idx]
            )
        parts.append(
            pd.DataFrame(
                {
                    "cell_id": cell_ids[idx],
                    "municipality": municipality[idx],
                    "service": code,
                    "residents": residents[idx],
                    "residents_75_plus": residents_75[idx],
                    "base_site_id": np.where(
                        base_site[s][idx] >= 0, site_ids[np.maximum(base_site[s][idx], 0)], None
                    ),
                    "site_id": np.where(
                        new_site[s][idx] >= 0, site_ids[np.maximum(new_site[s][idx], 0)], None
                    ),
                    "lost_nearest": lost[idx],
                    "base_car_minutes": base_minutes[s][idx],
                    "car_minutes": new_minutes[s][idx],
                    "car_minutes_gained": gained,
                    "base_transit_minutes": np.full(len(idx), np.nan)
                    if base_transit is None
                    else base_transit[s][idx],
                    "transit_minutes": np.full(len(idx), np.nan)
                    if new_transit is None
                    else new_transit[s][idx],
                    "transit_minutes_gained": t_gained,
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=[
                "cell_id",
                "municipality",
                "service",
                "residents",
                "residents_75_plus",
                "base_site_id",
                "site_id",
                "lost_nearest",
                "base_car_minutes",
                "car_minutes",
                "car_minutes_gained",
                "base_transit_minutes",
                "transit_minutes",
                "transit_minutes_gained",
            ]
        )
    return pd.concat(parts, ignore_index=True)
