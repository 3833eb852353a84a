"""Builders of the tidy tables of an :class:`~palveluverkko.evaluation.result.Evaluation`.

Kept apart from :mod:`.evaluation` so that each stays short; every function takes arrays and
labels and returns a DataFrame whose columns are documented in ``Evaluation``'s docstring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..region.schema import AGE_BANDS
from .allocation import Allocation, nearest_site
from .equity import inequality

__all__ = [
    "ROAD_CIRCUITY",
    "STATION_KINDS",
    "cells_table",
    "equity_table",
    "municipality_rule",
    "travel_table",
]

ROAD_CIRCUITY = 1.3
"""Road km per straight-line km (ASSUMPTION; typical of Finnish regional road networks, 1.2-1.4).

Used for ``km`` and ``nearest_km`` of the travel table because the travel-time matrices carry no
distances; replace with network distances when the routing module provides them.
"""

STATION_KINDS: frozenset[str] = frozenset(
    {"sote_keskus", "sote_asema", "sote_piste", "sairaala_24h"}
)
"""Kinds that keep station-level services physically in a municipality (Keski-Suomi's rule)."""


def _ids(site_ids: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Site ids of column indices (None where -1), same shape as ``index``."""
    out = np.asarray(site_ids, dtype=object)[np.maximum(index, 0)]
    out[index < 0] = None
    return out


def cells_table(
    cell_ids: np.ndarray,
    municipality: np.ndarray,
    settlement: np.ndarray,
    services: tuple[str, ...],
    site_ids: np.ndarray,
    residents: np.ndarray,
    car_site: np.ndarray,
    car: np.ndarray,
    transit: np.ndarray | None,
    walk: np.ndarray | None,
    alloc: Allocation,
    physical: np.ndarray,
    total: np.ndarray,
    access_2sfca: np.ndarray,
    access_e2sfca: np.ndarray,
    trip: np.ndarray,
) -> pd.DataFrame:
    """One row per cell and service (see ``Evaluation.cells``)."""
    n_s, n_c = car.shape
    res = residents.sum(axis=1)
    old = residents[:, AGE_BANDS.index("75_84")] + residents[:, AGE_BANDS.index("85_plus")]
    unserved = alloc.unserved_share()  # (n_s, n_c)
    nan = np.full((n_s, n_c), np.nan)
    frame = pd.DataFrame(
        {
            "cell_id": np.tile(cell_ids, n_s),
            "municipality": np.tile(municipality, n_s),
            "settlement": np.tile(settlement, n_s),
            "service": np.repeat(np.array(services, dtype=object), n_c),
            "residents": np.tile(res, n_s),
            "residents_75_plus": np.tile(old, n_s),
            "site_id": _ids(site_ids, car_site).ravel(),
            "car_minutes": car.ravel(),
            "transit_minutes": (nan if transit is None else transit).ravel(),
            "walk_minutes": (nan if walk is None else walk).ravel(),
            "trip_minutes": trip.ravel(),
            "contacts_per_year": total.sum(axis=2).T.ravel(),
            "physical_per_year": physical.sum(axis=2).T.ravel(),
            "unserved_per_year": (unserved * physical.sum(axis=2).T).ravel(),
            "access_2sfca": access_2sfca.ravel(),
            "access_e2sfca": access_e2sfca.ravel(),
        }
    )
    for g, name in enumerate(alloc.groups):
        frame[f"share_{name}"] = alloc.share[g].ravel()
    return frame


def equity_table(
    services: tuple[str, ...],
    car: np.ndarray,
    trip: np.ndarray,
    residents: np.ndarray,
    settlement: np.ndarray,
) -> pd.DataFrame:
    """Equity per service and measure (``car`` nearest minutes, ``trip`` mode-mix minutes)."""
    rows = []
    settle = np.asarray(settlement, dtype=object)
    urban = "city" if (settle == "city").any() else "town"
    is_rural = settle == "rural"
    is_urban = settle == urban
    for s, code in enumerate(services):
        for measure, t in (("car", car[s]), ("trip", trip[s])):
            ok = np.isfinite(t)
            w = np.where(ok, residents, 0.0)
            tz = np.where(ok, t, 0.0)
            wt = w * tz

            def mean_of(mask: np.ndarray, w: np.ndarray = w, wt: np.ndarray = wt) -> float:
                ww = float(w[mask].sum())
                return float(wt[mask].sum()) / ww if ww > 0 else float("nan")

            rural = mean_of(is_rural)
            urb = mean_of(is_urban)
            rows.append(
                {
                    "service": code,
                    "measure": measure,
                    "mean_minutes": mean_of(np.ones(len(t), bool)),
                    **inequality(t, w),
                    "rural_mean_minutes": rural,
                    "urban_mean_minutes": urb,
                    "urban_class": urban,
                    "rural_urban_gap_minutes": rural - urb,
                    "unreachable_residents": float(residents[~ok].sum()),
                }
            )
    return pd.DataFrame(rows)


def travel_table(
    cell_ids: np.ndarray,
    municipality: np.ndarray,
    services: tuple[str, ...],
    site_ids: np.ndarray,
    residents: np.ndarray,
    physical: np.ndarray,
    alloc: Allocation,
    cell_xy: np.ndarray,
    site_xy: np.ndarray,
    car_minutes: np.ndarray,
    offers: np.ndarray,
    trip: np.ndarray,
    nearest_car_site: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per cell x band x service for the cost model (see ``Evaluation.travel``).

    ``nearest_car_site``: ``(n_services, n_cells)`` nearest offering site by car when the caller
    has it (:func:`.stages.nearest_by_service`), else found here from ``car_minutes``.
    """
    n_c, n_s, n_b = physical.shape
    car_site = alloc.site_index[0]  # (n_s, n_c)
    car_min = alloc.minutes[0]
    # road km estimate to the car-allocated site and to the nearest offering site by car
    nearest = (
        np.stack([nearest_site(car_minutes, offers[s])[0] for s in range(n_s)])
        if nearest_car_site is None
        else nearest_car_site
    )

    def km(idx: np.ndarray) -> np.ndarray:
        d = np.hypot(
            cell_xy[None, :, 0] - site_xy[np.maximum(idx, 0), 0],
            cell_xy[None, :, 1] - site_xy[np.maximum(idx, 0), 1],
        )
        return np.where(idx >= 0, d / 1000.0 * ROAD_CIRCUITY, np.nan)

    km_alloc = km(car_site)
    km_near = km(nearest)

    def per_row(a: np.ndarray) -> np.ndarray:  # (n_s, n_c) -> rows ordered (cell, band, service)
        return np.repeat(a.T[:, None, :], n_b, axis=1).ravel()

    # categoricals: ~0.8 M rows for a county; strings would cost most of the evaluation's time
    cat = pd.Categorical.from_codes
    muni_codes, muni_labels = pd.factorize(pd.Series(municipality, dtype=object))
    site_codes = np.repeat(car_site.T[:, None, :], n_b, axis=1).ravel()
    return pd.DataFrame(
        {
            "cell_id": cat(np.repeat(np.arange(n_c), n_b * n_s), categories=pd.Index(cell_ids)),
            "municipality": cat(np.repeat(muni_codes, n_b * n_s), categories=muni_labels),
            "band": cat(np.tile(np.repeat(np.arange(n_b), n_s), n_c), categories=list(AGE_BANDS)),
            "service": cat(np.tile(np.arange(n_s), n_c * n_b), categories=list(services)),
            "residents": np.repeat(residents, n_s, axis=1).ravel(),
            "physical_visits_per_year": physical.transpose(0, 2, 1).ravel(),
            "minutes": per_row(trip),
            "car_minutes": per_row(car_min),
            "km": per_row(km_alloc),
            "nearest_km": per_row(km_near),
            "site_id": cat(site_codes, categories=pd.Index(site_ids)),
        }
    )


def municipality_rule(municipalities: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Per municipality: whether it keeps a physical station-level site, and which.

    Columns ``municipality, name, keeps_physical_site, physical_sites`` (site ids, comma-separated)
    and ``physical_site_names``.
    """
    st = sites.loc[sites["kind"].astype(str).isin(STATION_KINDS)]
    rows = []
    for code, name in zip(municipalities["code"].astype(str), municipalities["name"], strict=True):
        mine = st.loc[st["municipality"].astype(str) == code]
        rows.append(
            {
                "municipality": code,
                "name": name,
                "keeps_physical_site": bool(len(mine)),
                "physical_sites": ", ".join(mine["site_id"].astype(str)),
                "physical_site_names": ", ".join(mine["name"].astype(str)),
            }
        )
    return pd.DataFrame(rows)
