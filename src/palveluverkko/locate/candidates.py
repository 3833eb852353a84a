"""New candidate points for a service: read them, make them sites, and turn a result into openings.

A candidate point becomes a *new site* of the region (a :class:`~palveluverkko.evaluate.NewSite`
of an auxiliary scenario) so that travel times are routed to it like to any site and the
location models treat it as one more column. Its figures, stated in the explanation
(ASSUMPTIONS): kind from the caller (default ``sote_asema``); capacity and staff for the
service the median of the region's sites offering it; annual cost the median of the region's
sites of that kind (else of all sites); condition 5 (new). Chosen candidates become
``[[open]]`` entries of the written scenario; the others leave no trace.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..evaluate.scenario import NewSite, Scenario
from ..region import Region

__all__ = ["candidate_sites", "read_candidates", "with_openings"]


def read_candidates(path: str | Path, crs: str) -> gpd.GeoDataFrame:
    """Candidate points from a CSV (``candidate_id`` and ``x, y`` in the region's CRS or
    ``lon, lat``) or a vector file (GeoJSON, GeoPackage; an id column ``candidate_id``).

    Raises
    ------
    InputError
        Naming the file, the row and the column: a missing id or coordinate column, a
        coordinate that is not a number, a duplicate id.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"candidates: no file {path}")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={"candidate_id": str})
        if "candidate_id" not in frame:
            raise InputError(f"{path.name}: no column candidate_id; columns: {list(frame)}")
        if {"x", "y"} <= set(frame):
            xcol, ycol, source_crs = "x", "y", crs
        elif {"lon", "lat"} <= set(frame):
            xcol, ycol, source_crs = "lon", "lat", "EPSG:4326"
        else:
            raise InputError(
                f"{path.name}: give coordinates as columns x, y (in {crs}) or lon, lat"
            )
        for col in (xcol, ycol):
            values = pd.to_numeric(frame[col], errors="coerce")
            bad = np.flatnonzero(values.isna().to_numpy())
            if bad.size:
                raise InputError(
                    f"{path.name}: column {col}, row {int(bad[0]) + 2} (candidate "
                    f"{frame['candidate_id'].iloc[bad[0]]}): {frame[col].iloc[bad[0]]!r} is not a "
                    "number; fix the coordinate"
                )
            frame[col] = values
        gdf = gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(frame[xcol], frame[ycol]), crs=source_crs
        )
    else:
        gdf = gpd.read_file(path)
        if "candidate_id" not in gdf:
            raise InputError(f"{path.name}: no column candidate_id; columns: {list(gdf)}")
        if gdf.crs is None:
            raise InputError(f"{path.name}: the file has no CRS; save it with one")
    gdf["candidate_id"] = gdf["candidate_id"].astype(str)
    dup = gdf["candidate_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"{path.name}: row {row + 2}: candidate_id {gdf['candidate_id'].iloc[row]!r} "
            "appears twice; make the ids unique"
        )
    return gdf.to_crs(crs)


def candidate_sites(
    region: Region, service: str, points: gpd.GeoDataFrame, *, kind: str = "sote_asema"
) -> Scenario:
    """An auxiliary scenario that opens every candidate point as a site offering ``service``.

    Raises
    ------
    InputError
        A point outside every municipality, an id that is already a site id, or a service that
        no site offers (no capacity to copy).
    """
    ss = region.site_services.loc[region.site_services["service"].astype(str) == service]
    if ss.empty:
        raise InputError(f"site_services: no site offers {service!r}; no capacity to copy")
    cap = float(ss["capacity_per_week"].median())
    staff = float(ss["staff_fte"].median())
    sites = region.sites
    costs = pd.to_numeric(sites.loc[sites["kind"] == kind, "annual_cost_eur"], errors="coerce")
    if costs.dropna().empty:
        costs = pd.to_numeric(sites["annual_cost_eur"], errors="coerce")
    cost = float(costs.median()) if not costs.dropna().empty else 0.0
    munis = region.municipalities
    joined = gpd.sjoin(points, munis[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    existing = set(sites["site_id"].astype(str))
    openings = []
    for i, (cid, geom, code) in enumerate(
        zip(joined["candidate_id"], joined.geometry, joined["code"], strict=True)
    ):
        if pd.isna(code):
            raise InputError(
                f"candidates: row {i + 2} (candidate {cid}) at ({geom.x:.0f}, {geom.y:.0f}) lies "
                "outside every municipality of the region; move it or drop it"
            )
        if cid in existing:
            raise InputError(
                f"candidates: row {i + 2}: candidate_id {cid!r} is already a site id; rename it"
            )
        openings.append(
            NewSite(
                site=cid,
                name=str(joined["name"].iloc[i]) if "name" in joined else f"Ehdokas {cid}",
                municipality=str(code),
                kind=kind,
                x=float(geom.x),
                y=float(geom.y),
                services={service: (cap, staff)},
                annual_cost_eur=cost,
            )
        )
    return Scenario(name="candidates", openings=tuple(openings))


def with_openings(scenario: Scenario, candidates: Scenario) -> Scenario:
    """``scenario`` (from :func:`~.region.scenario_from_result` on the region with the
    candidates) with the chosen candidates opened and no entries about the others."""
    new = {o.site: o for o in candidates.openings}
    closed = {c.site for c in scenario.closures} | {c.site for c in scenario.conversions}
    chosen = tuple(o for sid, o in new.items() if sid not in closed)
    return replace(
        scenario,
        closures=tuple(c for c in scenario.closures if c.site not in new),
        conversions=tuple(c for c in scenario.conversions if c.site not in new),
        openings=(*scenario.openings, *chosen),
    )
