"""Inputs and integration points of :func:`~palveluverkko.evaluate.evaluation.evaluate`.

Travel-time matrices aligned to the sites of a scenario (:func:`routing_region`,
:func:`matrices`), the offers matrix, and the calls to the capacity module (:mod:`.capacity`)
and the cost module (:mod:`.costs`).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..region.model import Region
from .scenario import Scenario

if TYPE_CHECKING:
    from ..network import TravelTimes

log = logging.getLogger("palveluverkko.evaluate")

__all__ = [
    "capacity_table",
    "cost_table_of",
    "matrices",
    "offers_matrix",
    "routing_region",
    "union_points",
    "union_sites",
]


def union_sites(base: Region, scen: Region) -> gpd.GeoDataFrame:
    """Base sites then the scenario's new ones (columns shared by both)."""
    new = scen.sites.loc[~scen.sites["site_id"].astype(str).isin(base.sites["site_id"].astype(str))]
    if not len(new):
        return base.sites
    return gpd.GeoDataFrame(pd.concat([base.sites, new], ignore_index=True), crs=base.sites.crs)


def routing_region(region: Region, *scenarios: Scenario) -> Region:
    """``region`` with the new sites of ``scenarios`` added: route travel times on this.

    Matrices computed for it cover every site :func:`evaluate` needs for these scenarios.
    """
    sites = region.sites
    for sc in scenarios:
        sites = union_sites(region.replace(sites=sites), sc.apply(region, validate=False))
    return region.replace(sites=sites)


def _aligned(tt: TravelTimes, cell_ids: np.ndarray, site_ids: np.ndarray, mode: str) -> np.ndarray:
    """``tt.minutes`` with rows in ``cell_ids`` and columns in ``site_ids`` order."""
    tc = np.asarray(tt.cell_ids, dtype=object).astype(str)
    if len(tc) != len(cell_ids) or not (tc == cell_ids).all():
        raise InputError(
            f"travel times ({mode}): cells do not match the region's population layer "
            f"({len(tc)} vs {len(cell_ids)} cells, or another order); recompute the matrix for "
            "this region"
        )
    col = {s: j for j, s in enumerate(np.asarray(tt.site_ids, dtype=object).astype(str))}
    missing = [s for s in site_ids if s not in col]
    if missing:
        raise InputError(
            f"travel times ({mode}): no column for site(s) {', '.join(missing[:10])}; compute "
            "travel times for a region that includes the scenario's new sites, e.g. "
            "travel_times(scenario.apply(region), mode), or let evaluate() compute them"
        )
    return np.asarray(tt.minutes, dtype=np.float64)[:, [col[s] for s in site_ids]]


def offers_matrix(
    site_services: pd.DataFrame, services: tuple[str, ...], site_ids: np.ndarray
) -> np.ndarray:
    col = {s: j for j, s in enumerate(site_ids)}
    out = np.zeros((len(services), len(site_ids)), bool)
    srow = {s: i for i, s in enumerate(services)}
    for sid, svc in zip(
        site_services["site_id"].astype(str), site_services["service"].astype(str), strict=True
    ):
        if sid in col and svc in srow:
            out[srow[svc], col[sid]] = True
    return out


def matrices(
    region: Region,
    union: gpd.GeoDataFrame,
    travel_times: Mapping[str, TravelTimes] | None,
) -> dict[str, np.ndarray]:
    cell_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    site_ids = union["site_id"].astype(str).to_numpy(dtype=object)
    if travel_times is None:
        from ..network import travel_times as compute

        routed = region.replace(sites=union)
        modes = ["car", "walk"] + (["transit"] if region.gtfs and _transit_available() else [])
        log.info("computing travel times for %s", ", ".join(modes))
        travel_times = {m: compute(routed, m) for m in modes}
    if "car" not in travel_times:
        raise InputError(
            "evaluate: travel_times needs a 'car' matrix; add travel_times(region, 'car')"
        )
    return {
        m: _aligned(tt, cell_ids.astype(str), site_ids.astype(str), m)
        for m, tt in travel_times.items()
        if m in ("car", "transit", "walk")
    }


def _transit_available() -> bool:
    """Whether this build has the public-transport router; logs a warning when it has not."""
    if importlib.util.find_spec("palveluverkko.network.transit") is None:
        log.warning("public-transport routing is not available in this build; bus figures left out")
        return False
    return True


def capacity_table(sites: pd.DataFrame, region: Region, method: str) -> pd.DataFrame:
    """Capacity against the access target per open site and service (:mod:`.capacity`)."""
    from .capacity import site_load

    open_rows = sites.loc[sites["status"].isin(["open", "new"])]
    demand = open_rows[["site_id", "service", "contacts_per_week"]].reset_index(drop=True)
    ss = region.site_services[["site_id", "service", "capacity_per_week", "staff_fte"]]
    targets = dict(
        zip(
            region.services["service"].astype(str),
            region.services["access_target_days"].astype(float),
            strict=True,
        )
    )
    return site_load(demand, ss, targets, method=method)  # type: ignore[arg-type]


def cost_table_of(
    base: Region,
    scen: Region,
    travel: pd.DataFrame,
    year: int,
    years: range,
    cells: pd.DataFrame,
) -> pd.DataFrame:
    """Costs per year of the scenario network evaluated in ``year`` (:func:`.costs.cost_table`;
    the scenario takes effect in that year)."""
    from .costs import cost_table

    shares = cells[["cell_id", "service", "share_car", "share_transit", "share_walk", "share_taxi"]]
    return cost_table(
        base,
        scen,
        travel,
        years=years,
        eval_year=year,
        effective_year=year,
        mode_shares=shares,
    )


def union_points(sites: gpd.GeoDataFrame) -> np.ndarray:
    """``(n_sites, 2)`` coordinates of site points."""
    g = sites.geometry
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()]).astype(np.float64)
