"""Road networks from a region's ``roads`` layer (LineStrings with speed, oneway and class).

Every vertex of a road line is a node; lines meet where their vertices coincide (to
``node_tolerance_m``), so crossings without a shared vertex (bridges) do not connect. A ferry
line becomes one edge between its end points, taking ``length / speed + ferry_wait_min`` (the
row's ``ferry_wait_min`` where given). Rules: :mod:`.rules`; building: :mod:`.build`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from ..errors import DataWarning, InputError, MissingColumnError
from ..region.schema import ROAD_CLASSES
from . import rules
from .build import _digest, _parameters, _weld, build_network, roads_layer_digest
from .graph import RoadNetwork

__all__ = ["network_from_roads"]

_FERRY = ROAD_CLASSES.index("ferry")


def network_from_roads(
    roads: gpd.GeoDataFrame,
    mode: str,
    *,
    crs: str | None = None,
    node_tolerance_m: float = 0.01,
    walk_speed_kph: float = rules.WALK_SPEED_KPH,
    bike_speed_kph: float = rules.BIKE_SPEED_KPH,
    ferry_speed_kph: float = rules.FERRY_SPEED_KPH,
    ferry_wait_min: float = rules.FERRY_WAIT_MIN,
    speed_overrides_kph: Mapping[str, float] | None = None,
    max_segment_m: float | None = rules.DEFAULT_MAX_SEGMENT_M,
) -> RoadNetwork:
    """Build a :class:`RoadNetwork` from a roads layer (``RoadNetwork.from_roads`` calls this)."""
    rules.check_mode(mode)
    missing = [c for c in ("speed_kph", "oneway", "road_class") if c not in roads.columns]
    if missing:
        raise MissingColumnError(
            f"roads: column(s) {', '.join(missing)} missing (found: "
            f"{', '.join(map(str, roads.columns))}); expected speed_kph, oneway, road_class"
        )
    if crs is None:
        if roads.crs is None:
            raise InputError("roads: the layer has no CRS; set it (e.g. EPSG:3067)")
        crs = roads.crs.to_string()
    if roads.crs is not None and not roads.crs.is_projected:
        raise InputError(
            f"roads: CRS {roads.crs.to_string()} is geographic; lengths need metres. "
            "Reproject the layer (e.g. to_crs('EPSG:3067'))"
        )
    parameters = _parameters(
        mode,
        walk_speed_kph=walk_speed_kph,
        bike_speed_kph=bike_speed_kph,
        ferry_speed_kph=ferry_speed_kph,
        ferry_wait_min=ferry_wait_min,
        speed_overrides_kph=speed_overrides_kph,
        node_tolerance_m=node_tolerance_m,
        max_segment_m=max_segment_m,
        source="roads",
    )
    digest = _digest(parameters, roads_layer_digest(roads))
    codes = rules.class_codes(roads["road_class"].astype(object).fillna("").to_numpy())
    unknown = codes < 0
    geoms = roads.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if unknown.any() or empty.any():
        warnings.warn(
            f"roads: {int(unknown.sum())} row(s) with an unknown road_class and "
            f"{int(empty.sum())} row(s) without geometry are not used in the {mode} network; "
            "run `palveluverkko validate` to list them",
            DataWarning,
            stacklevel=3,
        )
    usable = rules.class_mask(codes, rules.MODE_CLASSES[mode]) & ~empty
    rows = np.flatnonzero(usable)
    speed_kph = rules.mode_speed_kph(
        mode,
        roads["speed_kph"].to_numpy(dtype=np.float64, na_value=np.nan)[rows],
        codes[rows],
        walk_speed_kph=walk_speed_kph,
        bike_speed_kph=bike_speed_kph,
        ferry_speed_kph=ferry_speed_kph,
        speed_overrides_kph=speed_overrides_kph,
    )
    oneway = roads["oneway"].astype("boolean").fillna(False).to_numpy(dtype=bool)[rows]
    is_ferry = codes[rows] == _FERRY
    if mode not in rules.ONEWAY_MODES:
        oneway = oneway & is_ferry  # walkers ignore oneway streets, not one-way ferries
    wait = np.full(len(rows), float(ferry_wait_min))
    if "ferry_wait_min" in roads.columns:
        own = roads["ferry_wait_min"].to_numpy(dtype=np.float64, na_value=np.nan)[rows]
        wait = np.where(np.isfinite(own), own, wait)

    parts, part_row = shapely.get_parts(geoms[rows], return_index=True)
    part_ferry = is_ferry[part_row]
    # roads: every consecutive vertex pair is a segment
    road_parts = np.flatnonzero(~part_ferry)
    coords, cidx = shapely.get_coordinates(parts[road_parts], return_index=True)
    seg = np.flatnonzero(cidx[1:] == cidx[:-1])
    seg_row = part_row[road_parts][cidx[seg]]
    a_xy, b_xy = coords[seg], coords[seg + 1]
    seg_len = np.hypot(*(b_xy - a_xy).T)
    # ferries: one edge per line part, end to end
    ferry_parts = np.flatnonzero(part_ferry)
    f_row = part_row[ferry_parts]
    fa = shapely.get_coordinates(shapely.get_point(parts[ferry_parts], 0))
    fb = shapely.get_coordinates(shapely.get_point(parts[ferry_parts], -1))
    f_len = shapely.length(parts[ferry_parts])

    tail_xy = np.concatenate([a_xy, fa]).reshape(-1, 2)
    head_xy = np.concatenate([b_xy, fb]).reshape(-1, 2)
    row = np.concatenate([seg_row, f_row]).astype(np.int64)
    length = np.concatenate([seg_len, f_len])
    travel = rules.minutes_from(length, speed_kph[row])
    travel = travel + np.where(is_ferry[row], wait[row], 0.0)
    backward = np.where(oneway[row], np.inf, travel)
    all_xy = np.concatenate([tail_xy, head_xy])
    node_of, node_xy = _weld(all_xy, node_tolerance_m)
    k = len(tail_xy)
    return build_network(
        node_xy,
        node_of[:k],
        node_of[k:],
        length,
        travel,
        backward,
        codes[rows][row],
        mode,
        crs,
        parameters=parameters,
        source_digest=digest,
        max_segment_m=max_segment_m,
    )
