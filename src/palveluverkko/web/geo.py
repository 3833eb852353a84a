"""The map's layers as GeoJSON, built once from the region itself (no tile server, no internet),
and the nearest population cell of a point a resident picks.

Polygons and lines are simplified (tolerance in metres of the region's CRS) before they are
reprojected to longitude/latitude; cells are points at their centres with their residents.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

    from ..region.model import Region

log = logging.getLogger("palveluverkko.web")

__all__ = ["LAYERS", "MapLayers"]

LAYERS: tuple[str, ...] = ("municipalities", "water", "roads", "sites", "cells")
"""Layer names the app serves at ``/api/layers/{name}.geojson``."""

MAJOR_ROADS = {"motorway", "trunk", "primary", "secondary", "main", "regional", "ferry"}
"""Road classes drawn on the basemap (the rest only add weight at county scale)."""


def _geojson(gdf: gpd.GeoDataFrame, tolerance_m: float, digits: int = 5) -> str:
    import shapely

    g = gdf.copy()
    if tolerance_m > 0:
        g["geometry"] = g.geometry.simplify(tolerance_m, preserve_topology=True)
    g = g.to_crs(4326)
    g["geometry"] = shapely.set_precision(g.geometry.values, 10**-digits)
    g = g[~g.geometry.is_empty]
    return str(g.to_json(drop_id=True))


@dataclass
class MapLayers:
    """GeoJSON of the region's layers, the sites' table and a cell lookup."""

    region: Region
    _cache: dict[str, str] = field(default_factory=dict)
    _tree: Any = None

    def layer(self, name: str) -> str:
        """The GeoJSON text of layer ``name`` (one of :data:`LAYERS`), built on first use."""
        if name not in self._cache:
            self._cache[name] = self._build(name)
        return self._cache[name]

    def _build(self, name: str) -> str:
        import geopandas as gpd

        from ..region.schema import POPULATION_COLUMNS

        r = self.region
        if name == "municipalities":
            cols = [c for c in ("code", "name", "name_sv") if c in r.municipalities]
            return _geojson(r.municipalities[[*cols, "geometry"]], 100.0)
        if name == "water":
            if r.water is None:
                return _empty()
            return _geojson(r.water[["geometry"]], 100.0)
        if name == "roads":
            if r.roads is None:
                return _empty()
            return _geojson(_merged_roads(r.roads), 50.0, digits=4)
        if name == "sites":
            s = r.sites
            cols = [c for c in ("site_id", "name", "municipality", "kind") if c in s]
            return _geojson(s[[*cols, "geometry"]], 0.0)
        if name == "cells":
            pop = r.population
            residents = pop[list(POPULATION_COLUMNS)].sum(axis=1).astype("int64")
            cells = gpd.GeoDataFrame(
                {"cell": range(len(pop)), "residents": residents.to_numpy()},
                geometry=pop.geometry.centroid.to_numpy(),
                crs=pop.crs,
            )
            return _geojson(cells, 0.0, digits=4)
        raise KeyError(name)

    def sites_table(self) -> list[dict[str, str]]:
        """One row per site: id, name, municipality, kind (the map's sites as a table)."""
        s = self.region.sites
        names = self.region.municipalities.set_index("code")["name"]
        return [
            {
                "site_id": str(row["site_id"]),
                "name": str(row["name"]),
                "municipality": str(names.get(row["municipality"], row["municipality"])),
                "kind": str(row["kind"]),
            }
            for _, row in s.iterrows()
        ]

    def bounds(self) -> list[float]:
        """The region's extent in longitude/latitude: ``[west, south, east, north]``."""
        b = self.region.municipalities.to_crs(4326).total_bounds
        return [round(float(v), 5) for v in b]

    def to_region_xy(self, lon: float, lat: float) -> tuple[float, float]:
        """A longitude/latitude in the region's CRS."""
        from pyproj import Transformer

        t = Transformer.from_crs(4326, self.region.crs, always_xy=True)
        x, y = t.transform(lon, lat)
        return float(x), float(y)

    def nearest_cell(self, x: float, y: float) -> tuple[int, float]:
        """Index of the populated cell nearest to ``(x, y)`` and its distance in metres."""
        if self._tree is None:
            import numpy as np
            from scipy.spatial import cKDTree

            c = self.region.population.geometry.centroid
            self._tree = cKDTree(np.column_stack([c.x.to_numpy(), c.y.to_numpy()]))
        dist, idx = self._tree.query([x, y])
        return int(idx), float(dist)

    def municipality_of(self, x: float, y: float) -> str:
        """Code of the municipality containing ``(x, y)`` ("" outside them)."""
        import shapely

        m = self.region.municipalities
        hit = m[m.geometry.contains(shapely.Point(x, y))]
        return "" if hit.empty else str(hit.iloc[0]["code"])


def _merged_roads(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The major roads (all roads when none is classed major), merged into one multi-line per
    class: a few dozen features instead of thousands of segments (the page draws them faster)."""
    import geopandas as gpd
    import shapely

    if "road_class" in roads:
        major = roads[roads["road_class"].astype(str).isin(MAJOR_ROADS)]
        roads = major if len(major) else roads
        classes = roads["road_class"].astype(str)
    else:
        classes = roads.geometry.geom_type.rename("road_class")
    rows = [
        (str(cls), shapely.line_merge(shapely.union_all(group.geometry.values)))
        for cls, group in roads.groupby(classes.to_numpy())
    ]
    return gpd.GeoDataFrame(
        {"road_class": [c for c, _ in rows]}, geometry=[g for _, g in rows], crs=roads.crs
    )


def _empty() -> str:
    return json.dumps({"type": "FeatureCollection", "features": []})
