"""New candidate points for a service: read them, route to them, turn chosen ones into openings.

Candidate points are :class:`~palveluverkko.network.Destinations` of kind ``candidate``: travel
times are routed to them beside the region's sites (``to=``), and the location models treat each
as one more column (:func:`.region.service_problem` with ``candidates=``). A chosen candidate
becomes an ``[[open]]`` entry (:class:`~palveluverkko.scenario.NewSite`) of the written
scenario; the others leave no trace. Its figures come from the file's optional columns
``name``, ``capacity_per_week``, ``staff_fte`` and ``annual_cost_eur`` where a row gives them;
where it does not (ASSUMPTIONS, counted by :func:`candidate_sites`): capacity and staff for the
service the median of the region's sites offering it, annual cost the median of the region's
sites of the candidate kind (else of all sites). Kind from the caller (default
``sote_asema``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..network.types import Destinations
from ..region.model import Region
from ..scenario import NewSite

log = logging.getLogger("palveluverkko.locate")

__all__ = ["FIGURE_COLUMNS", "CandidateSet", "candidate_set", "read_candidates"]

#: Optional numeric columns of a candidate file; an empty cell takes the region's median.
FIGURE_COLUMNS = ("capacity_per_week", "staff_fte", "annual_cost_eur")


def read_candidates(path: str | Path, crs: str) -> gpd.GeoDataFrame:
    """Candidate points from a CSV (``candidate_id`` and ``x, y`` in the region's CRS or
    ``lon, lat``) or a vector file (GeoJSON, GeoPackage; an id column ``candidate_id``).

    Optional columns: ``name`` and the :data:`FIGURE_COLUMNS` (empty = the region's median).

    Raises
    ------
    InputError
        Naming the file, the row and the column: a missing id or coordinate column, a
        coordinate or figure that is not a number, a negative figure, a point without
        geometry, a duplicate id.
    """
    path = Path(path)
    is_csv = path.suffix.lower() == ".csv"
    if not path.is_file():
        raise InputError(f"candidates: no file {path}")
    if is_csv:
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
        for i, geom in enumerate(gdf.geometry):
            if geom is None or geom.is_empty or geom.geom_type != "Point":
                kind = "no geometry" if geom is None or geom.is_empty else geom.geom_type
                raise InputError(
                    f"{path.name}: {_where(is_csv, i)} (candidate "
                    f"{gdf['candidate_id'].iloc[i]}): {kind}; each candidate must be a point"
                )
    for col in FIGURE_COLUMNS:
        if col not in gdf:
            continue
        raw = gdf[col]
        values = pd.to_numeric(raw, errors="coerce")
        blank = raw.isna() | raw.astype(str).str.strip().isin(["", "nan", "None"])
        bad = np.flatnonzero(((values.isna() & ~blank) | (values < 0)).to_numpy())
        if bad.size:
            r = int(bad[0])
            raise InputError(
                f"{path.name}: column {col}, {_where(is_csv, r)} (candidate "
                f"{gdf['candidate_id'].iloc[r]}): {raw.iloc[r]!r} is not a number of at least 0; "
                "fix it or leave the cell empty for the region's median"
            )
        gdf[col] = values
    gdf["candidate_id"] = gdf["candidate_id"].astype(str)
    dup = gdf["candidate_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"{path.name}: {_where(is_csv, row)}: candidate_id {gdf['candidate_id'].iloc[row]!r} "
            "appears twice; make the ids unique"
        )
    out = gdf.to_crs(crs)
    out.attrs["source"] = path.name
    out.attrs["is_csv"] = is_csv
    return out


def _where(is_csv: bool, i: int) -> str:
    """How a user finds record ``i``: the line of a CSV (header is line 1) or the feature."""
    return f"row {i + 2}" if is_csv else f"feature {i + 1}"


@dataclass(frozen=True, eq=False)
class CandidateSet:
    """Candidate points of one service, with the figures a new site there would have.

    Attributes
    ----------
    service, kind
        The service they would offer and their site kind.
    sites
        One :class:`~palveluverkko.scenario.NewSite` per candidate (its opening if chosen).
    assumed
        Per figure column, how many candidates took the region's median (the file left it
        empty or had no such column).
    """

    service: str
    kind: str
    sites: tuple[NewSite, ...]
    assumed: Mapping[str, int] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        """Candidate ids."""
        return tuple(o.site for o in self.sites)

    @property
    def destinations(self) -> Destinations:
        """The candidates as destinations of kind ``candidate`` (to route travel times to)."""
        return Destinations.from_points(
            self.ids,
            [(o.x, o.y) for o in self.sites],
            kind="candidate",
            municipality=[o.municipality for o in self.sites],
        )

    def figure(self, column: str) -> np.ndarray:
        """``capacity_per_week``, ``staff_fte`` or ``annual_cost_eur`` of every candidate."""
        if column == "annual_cost_eur":
            return np.array([o.annual_cost_eur for o in self.sites], dtype=np.float64)
        k = {"capacity_per_week": 0, "staff_fte": 1}[column]
        return np.array([o.services[self.service][k] for o in self.sites], dtype=np.float64)

    def openings(self, chosen: Collection[str]) -> tuple[NewSite, ...]:
        """The openings of the chosen candidates, in candidate order."""
        wanted = {str(s) for s in chosen}
        return tuple(o for o in self.sites if o.site in wanted)

    def labels(self) -> dict[str, str]:
        """Candidate id -> ``"id name"`` for lists a reader sees."""
        return {o.site: f"{o.site} {o.name}" for o in self.sites}


def candidate_set(
    region: Region,
    service: str,
    points: gpd.GeoDataFrame,
    *,
    kind: str = "sote_asema",
) -> CandidateSet:
    """Every candidate point as a possible new site offering ``service``.

    Raises
    ------
    InputError
        A point outside every municipality, an id that is already a site id, or a service that
        no site offers (no capacity to copy).
    """
    assumed: dict[str, int] = {}
    ss = region.site_services.loc[region.site_services["service"].astype(str) == service]
    if ss.empty:
        raise InputError(f"site_services: no site offers {service!r}; no capacity to copy")
    sites = region.sites
    costs = pd.to_numeric(sites.loc[sites["kind"] == kind, "annual_cost_eur"], errors="coerce")
    if costs.dropna().empty:
        costs = pd.to_numeric(sites["annual_cost_eur"], errors="coerce")
    median = {
        "capacity_per_week": float(ss["capacity_per_week"].median()),
        "staff_fte": float(ss["staff_fte"].median()),
        "annual_cost_eur": float(costs.median()) if not costs.dropna().empty else 0.0,
    }
    munis = region.municipalities
    joined = gpd.sjoin(points, munis[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    existing = set(sites["site_id"].astype(str))
    source = str(points.attrs.get("source", "candidates"))
    is_csv = bool(points.attrs.get("is_csv", True))
    openings = []
    for i, (cid, geom, code) in enumerate(
        zip(joined["candidate_id"], joined.geometry, joined["code"], strict=True)
    ):
        if pd.isna(code):
            raise InputError(
                f"{source}: {_where(is_csv, i)} (candidate {cid}) at ({geom.x:.0f}, "
                f"{geom.y:.0f}) lies outside every municipality of the region; move it or drop it"
            )
        if cid in existing:
            raise InputError(
                f"{source}: {_where(is_csv, i)}: candidate_id {cid!r} is already a site id; "
                "rename it"
            )
        fig = {}
        for col, default in median.items():
            given = joined[col].iloc[i] if col in joined else math.nan
            fig[col] = float(given) if pd.notna(given) else default
            if pd.isna(given):
                assumed[col] = assumed.get(col, 0) + 1
        name = joined["name"].iloc[i] if "name" in joined else None
        openings.append(
            NewSite(
                site=cid,
                name=str(name) if isinstance(name, str) and name.strip() else f"Ehdokas {cid}",
                municipality=str(code),
                kind=kind,
                x=float(geom.x),
                y=float(geom.y),
                services={service: (fig["capacity_per_week"], fig["staff_fte"])},
                annual_cost_eur=fig["annual_cost_eur"],
            )
        )
    for col, n in assumed.items():
        log.info(
            "%d of %d candidate(s) have no %s; the median %g of the region's sites is used",
            n,
            len(openings),
            col,
            median[col],
        )
    return CandidateSet(service=service, kind=kind, sites=tuple(openings), assumed=assumed)
