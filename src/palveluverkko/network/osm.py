"""Road networks from OpenStreetMap ``.osm.pbf`` files (© OpenStreetMap contributors, ODbL).

pyosmium reads the ``highway=*`` and ``route=ferry`` ways with their node locations once per file
(cached by path, size and modification time, so building car and walk networks from one file
parses it once); the tag rules of :mod:`.rules` then decide, vectorised over ways, which ways a
mode may use, in which direction and how fast. Chosen by measurement over pyrosm: on the Tampere
extract (29,836 ways, 211,787 way nodes) pyosmium reads everything in about 0.5 s and leaves tag
logic to us; the whole car graph (parse, rules, CSR, components) takes about 1.1 s. pyrosm's
driving network took 1.25 s to give GeoDataFrames still to be turned into a graph, with its
own fixed filters (measured 2026-11-23, 2-core machine).

Tag rules (see :mod:`.rules` for speeds):

* class: ``highway`` (a ``schema.ROAD_CLASSES`` value; others such as ``construction``,
  ``proposed``, ``platform``, ``corridor`` are not routable); ``route=ferry`` gives ``ferry``;
  ``area=yes`` ways are not routable.
* access: the most specific tag present decides (car: ``motorcar``, ``motor_vehicle``,
  ``vehicle``, ``access``; walk: ``foot``, ``access``; bike: ``bicycle``, ``vehicle``,
  ``access``); values in :data:`.rules.DENY_VALUES` forbid. Bicycles use footways, pedestrian
  streets, steps and bridleways only where ``bicycle`` allows it.
* ``motorroad=yes`` forbids walking and cycling.
* oneway (cars and bicycles): ``oneway=yes|true|1`` forward, ``-1|reverse`` backward;
  implied on ``junction=roundabout|circular`` and ``highway=motorway`` unless ``oneway=no``;
  ``oneway=reversible|alternating`` is not routable by car. Bicycles ride both ways where
  ``oneway:bicycle=no`` or ``cycleway=opposite*``.
* car speed: ``maxspeed`` (:func:`.rules.parse_maxspeed`), else the class default.
* ferries: one edge per way from its first to its last node; crossing time from ``duration``
  (``HH:MM``, ``HH:MM:SS`` or minutes) where given, else at ``ferry_speed_kph``; plus
  ``ferry_wait_min``.
* flags for linking (:mod:`.rules`, "Edge flags"): underground where ``tunnel`` is set and is
  not ``no`` or ``building_passage``, or ``layer`` is below 0; restricted where the deciding
  access tag is one of :data:`.rules.RESTRICTED_VALUES` (e.g. ``access=destination``); clipped
  where a way leaves the extract: next to a node without location (a cut extract), or at a node
  outside the bounding box of the file's header (an extract with whole ways).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from ..errors import InputError, NetworkError
from ..region.schema import ROAD_CLASSES
from . import rules
from .build import _digest, _parameters, build_network, file_digest
from .graph import RoadNetwork

log = logging.getLogger("palveluverkko.network")

__all__ = ["OsmWays", "network_from_osm", "read_osm_ways"]

TAG_KEYS: tuple[str, ...] = (
    "highway",
    "route",
    "area",
    "maxspeed",
    "oneway",
    "oneway:bicycle",
    "cycleway",
    "junction",
    "access",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "foot",
    "bicycle",
    "motorroad",
    "duration",
    "tunnel",
    "layer",
)
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0"}
_REVERSE = {"-1", "reverse"}
_MODE_ACCESS_KEYS: dict[str, tuple[str, ...]] = {
    "car": ("motorcar", "motor_vehicle", "vehicle", "access"),
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
}


@dataclass(frozen=True, eq=False)
class OsmWays:
    """Routable ways of an OSM file: node references with locations, and their tags.

    A way with nodes lacking a location (outside a clipped extract) is cut there into pieces,
    each a row here (``way_id`` repeats).

    ``refs[starts[w]:starts[w + 1]]`` are the node ids of way ``w`` and ``lon``/``lat`` their
    locations (degrees, WGS84). ``tags`` has one row per way and the :data:`TAG_KEYS` columns
    (``None`` where absent).
    """

    way_id: np.ndarray
    starts: np.ndarray
    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    tags: pd.DataFrame
    digest: str
    cut: np.ndarray | None = None  # bool per ref: the way leaves the extract here (clipped)

    @property
    def n_ways(self) -> int:
        """Number of ways."""
        return len(self.way_id)


def read_osm_ways(path: str | Path) -> OsmWays:
    """Read the ``highway`` and ``route=ferry`` ways of an ``.osm.pbf`` file (cached per file).

    Raises
    ------
    InputError
        If the file does not exist or cannot be read as OSM data.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"OSM file {path} does not exist; give the path of an .osm.pbf file")
    stat = path.stat()
    return _read_cached(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=2)
def _read_cached(path: str, size: int, mtime_ns: int) -> OsmWays:
    import osmium

    way_ids: list[int] = []
    counts: list[int] = []
    refs: list[int] = []
    xs: list[int] = []
    ys: list[int] = []
    tag_rows: list[tuple[str | None, ...]] = []
    cut: list[int] = []
    missing_locations = 0
    try:
        processor = (
            osmium.FileProcessor(path, osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway", "route"))
        )
        for way in processor:
            tags = way.tags
            if "highway" not in tags and tags.get("route") != "ferry":
                continue
            row = tuple(tags.get(k) for k in TAG_KEYS)
            n_before = len(refs)
            pending_cut = False
            for node in way.nodes:  # type: ignore[union-attr]
                location = node.location
                if not location.valid():
                    # a node outside a clipped extract: the way is cut into pieces there
                    missing_locations += 1
                    if refs and len(refs) > n_before:
                        cut.append(len(refs) - 1)
                    pending_cut = True
                    if len(refs) > n_before:
                        way_ids.append(way.id)
                        counts.append(len(refs) - n_before)
                        tag_rows.append(row)
                        n_before = len(refs)
                    continue
                if pending_cut:
                    cut.append(len(refs))
                    pending_cut = False
                refs.append(node.ref)
                xs.append(location.x)
                ys.append(location.y)
            if len(refs) > n_before:
                way_ids.append(way.id)
                counts.append(len(refs) - n_before)
                tag_rows.append(row)
    except RuntimeError as exc:
        raise InputError(f"OSM file {path} could not be read: {exc}") from exc
    if missing_locations:
        log.warning(
            "%s: %d way node(s) have no location (clipped extract); ways are cut there",
            path,
            missing_locations,
        )
    lon = np.asarray(xs, dtype=np.float64) * 1e-7
    lat = np.asarray(ys, dtype=np.float64) * 1e-7
    cut_at = np.isin(np.arange(len(refs)), np.asarray(cut, dtype=np.int64))
    box = _header_box(path)
    if box is not None:
        # an extract cut with whole ways keeps the nodes of a way beyond its box: there the way
        # leaves the data, and its links to the rest are outside it
        west, south, east, north = box
        cut_at |= (lon < west) | (lon > east) | (lat < south) | (lat > north)
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(np.asarray(counts, dtype=np.int64), out=starts[1:])
    log.info("%s: %d routable ways, %d way nodes", path, len(way_ids), len(refs))
    return OsmWays(
        way_id=np.asarray(way_ids, dtype=np.int64),
        starts=starts,
        refs=np.asarray(refs, dtype=np.int64),
        lon=lon,
        lat=lat,
        tags=pd.DataFrame(tag_rows, columns=list(TAG_KEYS), dtype=object),
        digest=file_digest(Path(path)),
        cut=cut_at,
    )


def _header_box(path: str) -> tuple[float, float, float, float] | None:
    """The bounding box the file's header declares (west, south, east, north), or None."""
    import osmium

    try:
        reader = osmium.io.Reader(path, osmium.osm.osm_entity_bits.NOTHING)
        try:
            box = reader.header().box()
        finally:
            reader.close()
    except RuntimeError:
        return None
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


def _values(tags: pd.DataFrame, key: str) -> np.ndarray:
    return tags[key].fillna("").astype(str).str.strip().str.lower().to_numpy(dtype=object)


def _isin(values: np.ndarray, options: set[str] | frozenset[str]) -> np.ndarray:
    return np.isin(values, list(options))


@dataclass(frozen=True)
class WayRules:
    """Per-way routing decisions for one mode (arrays of length ``n_ways``)."""

    road_class: np.ndarray  # int8 code into ROAD_CLASSES, -1 = not routable
    usable: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    speed_kph: np.ndarray  # nan for ferries with a duration
    duration_min: np.ndarray  # ferry crossing time from the duration tag, nan if absent
    flags: np.ndarray  # uint8 rules.FLAG_UNDERGROUND | rules.FLAG_RESTRICTED


def way_rules(
    tags: pd.DataFrame,
    mode: str,
    *,
    walk_speed_kph: float = rules.WALK_SPEED_KPH,
    bike_speed_kph: float = rules.BIKE_SPEED_KPH,
    ferry_speed_kph: float = rules.FERRY_SPEED_KPH,
    speed_overrides_kph: Mapping[str, float] | None = None,
) -> WayRules:
    """Apply the tag rules (module docstring) to every way for ``mode``, vectorised."""
    rules.check_mode(mode)
    highway = _values(tags, "highway")
    route = _values(tags, "route")
    cls = np.where((highway == "") & (route == "ferry"), "ferry", highway)
    codes = rules.class_codes(cls.astype(str))
    usable = rules.class_mask(codes, rules.MODE_CLASSES[mode])
    usable &= ~_isin(_values(tags, "area"), _YES)
    # access: the most specific present tag decides
    decided = np.zeros(len(tags), dtype=bool)
    denied = np.zeros(len(tags), dtype=bool)
    allowed = np.zeros(len(tags), dtype=bool)
    restricted = np.zeros(len(tags), dtype=bool)
    for key in _MODE_ACCESS_KEYS[mode]:
        value = _values(tags, key)
        present = (value != "") & ~decided
        denied |= present & _isin(value, rules.DENY_VALUES)
        allowed |= present & _isin(value, rules.ALLOW_VALUES)
        restricted |= present & _isin(value, rules.RESTRICTED_VALUES)
        decided |= present
    usable &= ~denied
    if mode == "bike":
        needs_permission = rules.class_mask(codes, {"footway", "pedestrian", "steps", "bridleway"})
        usable |= needs_permission & allowed & ~_isin(_values(tags, "area"), _YES)
    if mode in ("walk", "bike"):
        usable &= ~_isin(_values(tags, "motorroad"), _YES)
    # direction
    oneway = _values(tags, "oneway")
    junction = _values(tags, "junction")
    forward = np.ones(len(tags), dtype=bool)
    backward = np.ones(len(tags), dtype=bool)
    is_ferry = codes == ROAD_CLASSES.index("ferry")
    if mode in rules.ONEWAY_MODES:
        implied = (_isin(junction, {"roundabout", "circular"}) | (highway == "motorway")) & ~_isin(
            oneway, _NO | _REVERSE
        )
        fwd_only = _isin(oneway, _YES) | implied
        bwd_only = _isin(oneway, _REVERSE)
        if mode == "bike":
            contraflow = (_values(tags, "oneway:bicycle") == "no") | pd.Series(
                _values(tags, "cycleway")
            ).str.startswith("opposite").to_numpy(dtype=bool)
            fwd_only &= ~contraflow
            bwd_only &= ~contraflow
        if mode == "car":
            usable &= ~_isin(oneway, {"reversible", "alternating"})
        backward &= ~fwd_only
        forward &= ~bwd_only
    else:  # walkers ignore oneway streets but not one-way ferries
        backward &= ~(is_ferry & _isin(oneway, _YES))
        forward &= ~(is_ferry & _isin(oneway, _REVERSE))
    # speed
    road_speed = (
        rules.parse_maxspeeds(tags["maxspeed"].to_numpy(dtype=object))
        if mode == "car"
        else np.full(len(tags), math.nan)
    )
    speed = rules.mode_speed_kph(
        mode,
        np.where(is_ferry, math.nan, road_speed),
        codes,
        walk_speed_kph=walk_speed_kph,
        bike_speed_kph=bike_speed_kph,
        ferry_speed_kph=ferry_speed_kph,
        speed_overrides_kph=speed_overrides_kph,
    )
    duration = np.array([_parse_duration_min(v) for v in tags["duration"].to_numpy(dtype=object)])
    tunnel = _values(tags, "tunnel")
    layer = pd.to_numeric(pd.Series(_values(tags, "layer")), errors="coerce").to_numpy()
    underground = (~_isin(tunnel, {"", "no", "building_passage"})) | (layer < 0)
    flags = np.where(underground, rules.FLAG_UNDERGROUND, 0) | np.where(
        restricted, rules.FLAG_RESTRICTED, 0
    )
    return WayRules(
        codes,
        usable,
        forward,
        backward,
        speed,
        np.where(is_ferry, duration, np.nan),
        flags.astype(np.uint8),
    )


_HMS = re.compile(r"^\s*(\d+):(\d{1,2})(?::(\d{1,2}))?\s*$")


def _parse_duration_min(value: object) -> float:
    """OSM ``duration`` in minutes: ``"HH:MM"``, ``"HH:MM:SS"`` or a number of minutes."""
    if not isinstance(value, str):
        return math.nan
    match = _HMS.match(value)
    if match:
        h, m, s = match.groups()
        return int(h) * 60 + int(m) + (int(s) / 60 if s else 0.0)
    try:
        minutes = float(value)
    except ValueError:
        return math.nan
    return minutes if minutes > 0 else math.nan


def haversine_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres on a sphere of radius :data:`EARTH_RADIUS_M`."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def network_from_osm(
    path: Path,
    mode: str,
    *,
    crs: str = "EPSG:3067",
    walk_speed_kph: float = rules.WALK_SPEED_KPH,
    bike_speed_kph: float = rules.BIKE_SPEED_KPH,
    ferry_speed_kph: float = rules.FERRY_SPEED_KPH,
    ferry_wait_min: float = rules.FERRY_WAIT_MIN,
    speed_overrides_kph: Mapping[str, float] | None = None,
    max_segment_m: float | None = rules.DEFAULT_MAX_SEGMENT_M,
) -> RoadNetwork:
    """Build a :class:`RoadNetwork` from an ``.osm.pbf`` (``RoadNetwork.from_osm`` calls this)."""
    rules.check_mode(mode)
    ways = read_osm_ways(path)
    parameters = _parameters(
        mode,
        walk_speed_kph=walk_speed_kph,
        bike_speed_kph=bike_speed_kph,
        ferry_speed_kph=ferry_speed_kph,
        ferry_wait_min=ferry_wait_min,
        speed_overrides_kph=speed_overrides_kph,
        max_segment_m=max_segment_m,
        source="osm",
    )
    decided = way_rules(
        ways.tags,
        mode,
        walk_speed_kph=walk_speed_kph,
        bike_speed_kph=bike_speed_kph,
        ferry_speed_kph=ferry_speed_kph,
        speed_overrides_kph=speed_overrides_kph,
    )
    counts = np.diff(ways.starts)
    way_of = np.repeat(np.arange(ways.n_ways), counts)
    # segments between consecutive way nodes
    same_way = way_of[:-1] == way_of[1:] if len(way_of) else np.empty(0, dtype=bool)
    seg = np.flatnonzero(same_way)
    seg_way = way_of[seg]
    seg_len = haversine_m(ways.lon[seg], ways.lat[seg], ways.lon[seg + 1], ways.lat[seg + 1])
    is_ferry = decided.road_class == ROAD_CLASSES.index("ferry")
    road_seg = decided.usable[seg_way] & ~is_ferry[seg_way]
    # ferries: one edge per way, first to last node, full length
    ferry_ways = np.flatnonzero(decided.usable & is_ferry & (counts >= 2))
    way_len = np.bincount(seg_way, weights=seg_len, minlength=ways.n_ways)
    f_tail = ways.starts[ferry_ways]
    f_head = ways.starts[ferry_ways + 1] - 1
    f_len = way_len[ferry_ways]
    crossing = np.where(
        np.isfinite(decided.duration_min[ferry_ways]),
        decided.duration_min[ferry_ways],
        rules.minutes_from(f_len, decided.speed_kph[ferry_ways]),
    )

    tail_ref = np.concatenate([seg[road_seg], f_tail])
    head_ref = np.concatenate([seg[road_seg] + 1, f_head])
    way = np.concatenate([seg_way[road_seg], ferry_ways])
    length = np.concatenate([seg_len[road_seg], f_len])
    travel = np.concatenate(
        [
            rules.minutes_from(seg_len[road_seg], decided.speed_kph[seg_way[road_seg]]),
            crossing + ferry_wait_min,
        ]
    )
    if len(way) == 0:
        raise NetworkError(
            f"{path}: no way is usable by {mode} ({ways.n_ways} highway/ferry ways read); "
            "is this a road extract?"
        )
    forward = np.where(decided.forward[way], travel, np.inf)
    backward = np.where(decided.backward[way], travel, np.inf)
    # nodes: OSM ids compacted; coordinates projected once per node
    ids, first, inverse = np.unique(ways.refs, return_index=True, return_inverse=True)
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = transformer.transform(ways.lon[first], ways.lat[first])
    node_xy = np.column_stack([x, y]).astype(np.float64)
    log.info("%s: %d OSM nodes on routable ways", path, len(ids))
    return build_network(
        node_xy,
        inverse[tail_ref],
        inverse[head_ref],
        length,
        forward,
        backward,
        decided.road_class[way],
        mode,
        crs,
        parameters=parameters,
        source_digest=_digest(parameters, ways.digest),
        max_segment_m=max_segment_m,
        flags=_edge_flags(decided.flags[way], ways.cut, tail_ref, head_ref),
    )


def _edge_flags(
    way_flags: np.ndarray, cut: np.ndarray | None, tail_ref: np.ndarray, head_ref: np.ndarray
) -> np.ndarray:
    """The way's flags, plus :data:`.rules.FLAG_CLIPPED` where a segment ends at a cut."""
    flags = np.asarray(way_flags, dtype=np.uint8).copy()
    if cut is not None and cut.any():
        clipped = cut[tail_ref] | cut[head_ref]
        flags[clipped] |= np.uint8(rules.FLAG_CLIPPED)
    return flags
