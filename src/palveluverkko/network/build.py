"""Turning road segments into a compact :class:`~.graph.RoadNetwork`, shared by both readers.

Segments are cut to at most ``max_segment_m`` (so that points link close to where they meet a
road), coinciding vertices welded, unused nodes dropped, the rest renumbered along a Morton
curve (nearby nodes near in memory), and digests of sources and parameters computed for the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from . import rules
from .graph import RoadNetwork

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger("palveluverkko.network")

__all__ = ["build_network", "file_digest", "roads_layer_digest"]


def build_network(
    node_xy: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    length_m: np.ndarray,
    minutes_forward: np.ndarray,
    minutes_backward: np.ndarray,
    road_class: np.ndarray,
    mode: str,
    crs: str,
    *,
    parameters: Mapping[str, Any],
    source_digest: str,
    max_segment_m: float | None = None,
    flags: np.ndarray | None = None,
) -> RoadNetwork:
    """Turn road segments into a compact :class:`RoadNetwork` (shared by both readers).

    Each segment ``tail -- head`` gives a forward edge where ``minutes_forward`` is finite and a
    backward edge where ``minutes_backward`` is finite. Segments longer than ``max_segment_m``
    (except motorways and ferries) are cut into equal pieces with new nodes on the straight line
    between their ends, so that points link to a node at most ``max_segment_m / 2`` along the
    road from where they meet it. Nodes no edge uses are dropped, the rest renumbered in Morton
    order; a node is snappable when an edge touches it that is not a motorway, a ferry or
    underground (``flags``, uint8 per segment, :data:`.rules.FLAG_UNDERGROUND` etc.; 0 when None).
    """
    flags = np.zeros(len(tail), dtype=np.uint8) if flags is None else np.asarray(flags, np.uint8)
    if max_segment_m is not None and np.isfinite(max_segment_m):
        node_xy, tail, head, length_m, minutes_forward, minutes_backward, road_class, flags = (
            _densify(
                node_xy,
                tail,
                head,
                length_m,
                minutes_forward,
                minutes_backward,
                road_class,
                float(max_segment_m),
                flags,
            )
        )
    fwd = np.isfinite(minutes_forward)
    bwd = np.isfinite(minutes_backward)
    u = np.concatenate([tail[fwd], head[bwd]]).astype(np.int64)
    v = np.concatenate([head[fwd], tail[bwd]]).astype(np.int64)
    minutes = np.concatenate([minutes_forward[fwd], minutes_backward[bwd]])
    length = np.concatenate([length_m[fwd], length_m[bwd]])
    codes = np.concatenate([road_class[fwd], road_class[bwd]]).astype(np.int8)
    bits = np.concatenate([flags[fwd], flags[bwd]]).astype(np.uint8)
    used, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    xy = node_xy[used]
    order = _morton_order(xy)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    new = rank[inverse]
    u, v = new[: len(u)], new[len(u) :]
    xy = xy[order]
    snap_edge = ~rules.class_mask(codes, rules.NO_SNAP_CLASSES) & (
        bits & rules.FLAG_UNDERGROUND == 0
    )
    snappable = np.zeros(len(xy), dtype=bool)
    snappable[u[snap_edge]] = True
    snappable[v[snap_edge]] = True
    network = RoadNetwork.from_edges(
        u,
        v,
        minutes,
        length,
        xy,
        mode,
        crs,
        road_class=codes,
        snappable=snappable,
        source_digest=source_digest,
        parameters=parameters,
        flags=bits,
    )
    log.info(
        "%s network: %d nodes, %d edges (%d in the largest component)",
        mode,
        network.n_nodes,
        network.n_edges,
        int(network.largest_component.sum()),
    )
    return network


def _densify(
    node_xy: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    length_m: np.ndarray,
    forward: np.ndarray,
    backward: np.ndarray,
    codes: np.ndarray,
    max_segment_m: float,
    flags: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Cut segments longer than ``max_segment_m`` into ``ceil(length / max)`` equal pieces."""
    if not max_segment_m > 0:
        raise InputError(f"max_segment_m must be > 0 (or None); found {max_segment_m}")
    pieces = np.maximum(1, np.ceil(length_m / max_segment_m)).astype(np.int64)
    pieces[rules.class_mask(codes, rules.NO_SNAP_CLASSES)] = 1
    if (pieces == 1).all():
        return node_xy, tail, head, length_m, forward, backward, codes, flags
    seg = np.repeat(np.arange(len(pieces)), pieces)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    j = np.arange(len(seg)) - first  # piece number within its segment
    p = pieces[seg]
    # interior points j = 1 .. p-1 of each cut segment get new node ids
    inner = j > 0
    n0 = len(node_xy)
    new_id = np.full(len(seg), -1, dtype=np.int64)
    new_id[inner] = n0 + np.arange(int(inner.sum()))
    frac = (j[inner] / p[inner])[:, None]
    a, b = node_xy[tail[seg[inner]]], node_xy[head[seg[inner]]]
    xy = np.concatenate([node_xy, a + (b - a) * frac])
    start = np.where(inner, new_id, tail[seg])
    end = np.empty(len(seg), dtype=np.int64)
    last = j == p - 1
    end[last] = head[seg[last]]
    end[~last] = new_id[np.flatnonzero(~last) + 1]
    return (
        xy,
        start,
        end,
        length_m[seg] / p,
        forward[seg] / p,
        backward[seg] / p,
        codes[seg],
        flags[seg],
    )


def _weld(xy: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Merge coordinates equal after rounding to ``tolerance_m``: (node of each row, node xy)."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64), np.empty((0, 2))
    key = np.round(xy / tolerance_m).astype(np.int64)
    order = np.lexsort((key[:, 1], key[:, 0]))
    k = key[order]
    new_group = np.ones(len(k), dtype=bool)
    new_group[1:] = (k[1:] != k[:-1]).any(axis=1)
    group = np.cumsum(new_group) - 1
    node_of = np.empty(len(xy), dtype=np.int64)
    node_of[order] = group
    return node_of, xy[order[new_group]]


def _morton_order(xy: np.ndarray) -> np.ndarray:
    """Order of points along a Z-order (Morton) curve on a 2^16 x 2^16 grid over their extent."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    lo = xy.min(axis=0)
    span = np.maximum(xy.max(axis=0) - lo, 1e-9)
    q = ((xy - lo) / span * 65535.0).astype(np.uint64)

    def spread(x: np.ndarray) -> np.ndarray:
        x = x & np.uint64(0xFFFF)
        x = (x | (x << np.uint64(8))) & np.uint64(0x00FF00FF)
        x = (x | (x << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        x = (x | (x << np.uint64(2))) & np.uint64(0x33333333)
        x = (x | (x << np.uint64(1))) & np.uint64(0x55555555)
        return x

    code = spread(q[:, 0]) | (spread(q[:, 1]) << np.uint64(1))
    return np.argsort(code, kind="stable")


def _parameters(mode: str, **values: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"mode": mode}
    for name, value in values.items():
        params[name] = dict(sorted(value.items())) if isinstance(value, Mapping) else value
    return params


def _digest(parameters: Mapping[str, Any], source: str) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    h.update(source.encode())
    return h.hexdigest()


def roads_layer_digest(roads: gpd.GeoDataFrame) -> str:
    """SHA-256 of a roads layer's geometry (WKB), CRS and routing columns."""
    h = hashlib.sha256()
    h.update(str(roads.crs).encode())
    wkb = shapely.to_wkb(roads.geometry.to_numpy(), output_dimension=2)
    h.update(b"".join(w if w is not None else b"-" for w in wkb))
    for col in ("speed_kph", "oneway", "road_class", "ferry_wait_min"):
        if col in roads.columns:
            h.update(col.encode())
            h.update(pd.util.hash_pandas_object(roads[col], index=False).to_numpy().tobytes())
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
