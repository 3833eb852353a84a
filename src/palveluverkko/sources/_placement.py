"""Place features in municipality polygons (shared by importers)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def municipality_index(geometry: gpd.GeoSeries, municipalities: gpd.GeoDataFrame) -> np.ndarray:
    """Index (row of ``municipalities``) of each feature's municipality, or -1 when none.

    A point goes to the polygon containing it (on a shared border the first in layer order).
    A polygon goes to the municipality holding the largest part of its area (an area straddling
    a border goes where most of it lies); a polygon overlapping no municipality gets -1.
    """
    geom = geometry.to_numpy()
    out = np.full(len(geom), -1, dtype=np.int64)
    valid = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    if not valid.any() or len(municipalities) == 0:
        return out
    mgeom = municipalities.geometry.to_numpy()
    tree = shapely.STRtree(mgeom)
    idx = np.flatnonzero(valid)
    src, hit = tree.query(geom[idx], predicate="intersects")
    is_poly = np.isin(shapely.get_type_id(geom[idx][src]), [3, 6])
    score = np.zeros(len(src))
    if is_poly.any():
        score[is_poly] = shapely.area(
            shapely.intersection(
                shapely.make_valid(geom[idx][src[is_poly]]), shapely.make_valid(mgeom[hit[is_poly]])
            )
        )
    # Best score per feature; ties (points: all 0) resolved by layer order.
    order = np.lexsort((hit, -score, src))
    src, hit = src[order], hit[order]
    first = np.unique(src, return_index=True)[1]
    out[idx[src[first]]] = hit[first]
    return out
