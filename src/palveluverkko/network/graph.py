"""The road network of one travel mode as a directed graph in compact arrays (CSR).

:class:`RoadNetwork` is what every router in palveluverkko reads: road travel times
(:mod:`.travel_times`) and the walking legs of transit (:mod:`.transit`, another module).

Contract (stable; other modules code against it)
------------------------------------------------
``RoadNetwork`` is a frozen dataclass with

* ``mode``: ``"car"``, ``"walk"`` or ``"bike"``; ``crs``: the CRS of ``node_xy``
  (e.g. ``"EPSG:3067"``);
* ``node_xy``: ``(n_nodes, 2)`` float64 coordinates in ``crs``;
* ``indptr`` ``(n_nodes + 1,)`` int64, ``indices`` ``(n_edges,)`` int32: the out-edges of node
  ``u`` go to ``indices[indptr[u]:indptr[u + 1]]``;
* ``minutes`` and ``length_m``: ``(n_edges,)`` float64 per edge;
* ``road_class``: ``(n_edges,)`` int8, index into ``schema.ROAD_CLASSES`` (-1 unknown);
* ``snappable``: ``(n_nodes,)`` bool, nodes a point may be linked to (touched by a road that is
  not a motorway, a ferry or underground);
* ``flags``: ``(n_edges,)`` uint8 bits per edge, :data:`.rules.FLAG_UNDERGROUND` (``tunnel``,
  ``layer`` below 0) and :data:`.rules.FLAG_RESTRICTED` (``access=destination|private|...``),
  from OSM tags (0 for a ``roads`` layer or hand-made graphs);
* ``source_digest``: SHA-256 of the inputs and build parameters (empty for hand-made graphs);
* ``parameters``: the build parameters (speeds, ferry wait, ...).

and ``n_nodes``, ``n_edges``, ``edge_frame()``, ``reversed()``, ``largest_component`` (bool mask
of the largest strongly connected component), ``component`` (component label per node).

Constructors: :meth:`RoadNetwork.from_edges` (plain arrays; keeps node numbering),
:meth:`RoadNetwork.from_roads` (a region's ``roads`` layer), :meth:`RoadNetwork.from_osm`
(an ``.osm.pbf``, see :mod:`.osm`) and :meth:`RoadNetwork.for_region`.

Building rules (documented in :mod:`.rules`): speeds per mode and class, oneway, access,
ferries as one edge per crossing with the waiting time added. Parallel edges between the same
two nodes keep the fastest; self-loops are dropped; nodes that no usable edge touches are
dropped and the rest renumbered in a space-filling-curve (Morton) order, which keeps nearby nodes
near each other in memory and speeds up searches (:mod:`.build`).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import InputError, MissingLayerError
from ..region.schema import ROAD_CLASSES
from . import rules
from .paths import PreparedGraph, prepare_graph

if TYPE_CHECKING:
    import geopandas as gpd

    from ..region.model import Region

log = logging.getLogger("palveluverkko.network")

__all__ = ["RoadNetwork"]


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road graph of one travel mode in CSR arrays; see the module docstring."""

    mode: str
    crs: str
    node_xy: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    minutes: np.ndarray
    length_m: np.ndarray
    road_class: np.ndarray | None = None
    snappable: np.ndarray | None = None
    source_digest: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    flags: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.node_xy)
        m = len(self.indices)
        if self.road_class is None:
            object.__setattr__(self, "road_class", np.full(m, -1, dtype=np.int8))
        if self.flags is None:
            object.__setattr__(self, "flags", np.zeros(m, dtype=np.uint8))
        if self.snappable is None:
            object.__setattr__(self, "snappable", np.ones(n, dtype=bool))
        problems = []
        if self.indptr.shape != (n + 1,):
            problems.append(
                f"indptr has {len(self.indptr)} entries, expected n_nodes + 1 = {n + 1}"
            )
        elif self.indptr[0] != 0 or self.indptr[-1] != m:
            problems.append(f"indptr must run from 0 to n_edges = {m}")
        for name in ("minutes", "length_m", "road_class", "flags"):
            if len(getattr(self, name)) != m:
                problems.append(f"{name} has {len(getattr(self, name))} values, expected {m}")
        if len(self.snappable) != n:  # type: ignore[arg-type]
            problems.append(f"snappable has {len(self.snappable)} values, expected {n}")  # type: ignore[arg-type]
        if m and (self.indices.min() < 0 or self.indices.max() >= n):
            problems.append(f"indices must lie in [0, {n})")
        if m and not (self.minutes.min() >= 0):
            problems.append(f"minutes must be >= 0 (found {self.minutes.min()})")
        if problems:
            raise InputError("RoadNetwork arrays are inconsistent: " + "; ".join(problems))

    # --- sizes and views ----------------------------------------------------------------------

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.indices)

    @property
    def tails(self) -> np.ndarray:
        """Start node of each edge (int64), the CSR row index expanded."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))

    def edge_frame(self) -> pd.DataFrame:
        """Every directed edge: ``u``, ``v``, ``length_m``, ``minutes``, ``road_class``.

        Enough to rebuild the graph elsewhere (e.g. networkx) and check any result.
        """
        classes = np.array([*ROAD_CLASSES, ""], dtype=object)
        codes = self.road_class.astype(np.int64)  # type: ignore[union-attr]
        return pd.DataFrame(
            {
                "u": self.tails,
                "v": self.indices.astype(np.int64),
                "length_m": self.length_m,
                "minutes": self.minutes,
                "road_class": classes[np.where(codes < 0, len(ROAD_CLASSES), codes)],
            }
        )

    def reversed(self) -> RoadNetwork:
        """The same network with every edge turned around (for distances *to* a node)."""
        return self._reversed

    @cached_property
    def _reversed(self) -> RoadNetwork:
        u = self.tails
        order = np.lexsort((u, self.indices))
        v_sorted = self.indices[order].astype(np.int64)
        indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(v_sorted, minlength=self.n_nodes), out=indptr[1:])
        return RoadNetwork(
            mode=self.mode,
            crs=self.crs,
            node_xy=self.node_xy,
            indptr=indptr,
            indices=u[order].astype(np.int32),
            minutes=self.minutes[order],
            length_m=self.length_m[order],
            road_class=self.road_class[order],  # type: ignore[index]
            snappable=self.snappable,
            source_digest=self.source_digest + ":reversed" if self.source_digest else "",
            parameters=self.parameters,
            flags=self.flags[order],  # type: ignore[index]
        )

    @cached_property
    def prepared(self) -> PreparedGraph:
        """The graph with its pass-through chains found, for the path kernels (computed once)."""
        return prepare_graph(self.indptr, self.indices, self.minutes)

    @cached_property
    def component(self) -> np.ndarray:
        """Strongly connected component label of each node (0 = the largest), int64."""
        if self.n_nodes == 0:
            return np.empty(0, dtype=np.int64)
        graph = csr_matrix(
            (np.ones(self.n_edges, dtype=np.int8), self.indices, self.indptr),
            shape=(self.n_nodes, self.n_nodes),
        )
        _, labels = connected_components(graph, directed=True, connection="strong")
        sizes = np.bincount(labels)
        # relabel by decreasing size so that 0 is the largest (ties: lowest original label)
        rank = np.empty_like(sizes)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
        return rank[labels].astype(np.int64)

    @property
    def largest_component(self) -> np.ndarray:
        """Bool mask of nodes in the largest strongly connected component."""
        return self.component == 0

    @cached_property
    def component_length_m(self) -> np.ndarray:
        """Road length of each component (index = label), each road counted once.

        An edge counts for the component holding both its ends; a two-way road (two directed
        edges) counts once.
        """
        comp = self.component
        n_comp = int(comp.max()) + 1 if comp.size else 0
        u, v = self.tails, self.indices.astype(np.int64)
        same = comp[u] == comp[v]
        a, b = np.minimum(u, v)[same], np.maximum(u, v)[same]
        key = a * max(self.n_nodes, 1) + b
        _, first = np.unique(key, return_index=True)
        return np.bincount(comp[a[first]], weights=self.length_m[same][first], minlength=n_comp)

    @cached_property
    def component_ordinary_length_m(self) -> np.ndarray:
        """Length of *ordinary* road of each component (index = label): roads on the surface,
        open to the public and not service ways (no :data:`.rules.FLAG_UNDERGROUND` or
        :data:`.rules.FLAG_RESTRICTED` flag, class not ``service``), each counted once.

        A component made of tunnels, private or ``access=destination`` roads and service ways
        has none, and is never taken for an island (:mod:`.linking`).
        """
        comp = self.component
        n_comp = int(comp.max()) + 1 if comp.size else 0
        u, v = self.tails, self.indices.astype(np.int64)
        service = ROAD_CLASSES.index("service")
        hidden = rules.FLAG_UNDERGROUND | rules.FLAG_RESTRICTED
        ordinary = (
            (comp[u] == comp[v]) & (self.flags & hidden == 0) & (self.road_class != service)  # type: ignore[operator]
        )
        a, b = np.minimum(u, v)[ordinary], np.maximum(u, v)[ordinary]
        key = a * max(self.n_nodes, 1) + b
        _, first = np.unique(key, return_index=True)
        return np.bincount(comp[a[first]], weights=self.length_m[ordinary][first], minlength=n_comp)

    def __repr__(self) -> str:
        return (
            f"RoadNetwork(mode={self.mode!r}, crs={self.crs!r}, n_nodes={self.n_nodes}, "
            f"n_edges={self.n_edges})"
        )

    # --- constructors ---------------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        u: np.ndarray,
        v: np.ndarray,
        minutes: np.ndarray,
        length_m: np.ndarray,
        node_xy: np.ndarray,
        mode: str,
        crs: str = "EPSG:3067",
        *,
        road_class: np.ndarray | None = None,
        snappable: np.ndarray | None = None,
        source_digest: str = "",
        parameters: Mapping[str, Any] | None = None,
        flags: np.ndarray | None = None,
    ) -> RoadNetwork:
        """Build from plain directed edge arrays, keeping the node numbering of ``node_xy``.

        Self-loops are dropped; of parallel edges ``u -> v`` the fastest is kept.

        Parameters
        ----------
        u, v
            Tail and head node index of each directed edge, in ``[0, len(node_xy))``.
        minutes, length_m
            Travel time and length of each edge (>= 0).
        node_xy
            ``(n_nodes, 2)`` coordinates in ``crs``.
        mode, crs
            Travel mode and coordinate reference system.
        road_class
            Optional int8 class code per edge (index into ``schema.ROAD_CLASSES``).
        snappable
            Optional bool per node; all nodes by default.
        flags
            Optional uint8 bits per edge (:data:`.rules.FLAG_UNDERGROUND`,
            :data:`.rules.FLAG_RESTRICTED`); 0 by default.

        Raises
        ------
        InputError
            If the arrays disagree in length, a node index is out of range or a time is < 0.
        """
        node_xy = np.ascontiguousarray(node_xy, dtype=np.float64).reshape(-1, 2)
        n = len(node_xy)
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        minutes = np.asarray(minutes, dtype=np.float64)
        length_m = np.asarray(length_m, dtype=np.float64)
        codes = (
            np.full(len(u), -1, dtype=np.int8)
            if road_class is None
            else np.asarray(road_class, dtype=np.int8)
        )
        bits = np.zeros(len(u), dtype=np.uint8) if flags is None else np.asarray(flags, np.uint8)
        sizes = {len(x) for x in (u, v, minutes, length_m, codes, bits)}
        if len(sizes) != 1:
            raise InputError(
                "edge arrays u, v, minutes, length_m, road_class, flags must have equal lengths; "
                f"found {len(u)}, {len(v)}, {len(minutes)}, {len(length_m)}, {len(codes)}, "
                f"{len(bits)}"
            )
        if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
            raise InputError(f"edge node indices must lie in [0, {n}) (n = len(node_xy))")
        if len(u) and not (np.nanmin(minutes) >= 0):
            raise InputError(f"edge minutes must be >= 0 and not NaN; found {minutes.min()}")
        keep = u != v
        u, v, minutes, length_m, codes, bits = (
            u[keep],
            v[keep],
            minutes[keep],
            length_m[keep],
            codes[keep],
            bits[keep],
        )
        key = u * max(n, 1) + v
        order = np.lexsort((minutes, key))
        key = key[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        order = order[first]
        n_parallel = int((~first).sum())
        if n_parallel or (~keep).any():
            log.debug(
                "from_edges: dropped %d self-loop(s) and %d slower parallel edge(s)",
                int((~keep).sum()),
                n_parallel,
            )
        u, v = u[order], v[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
        return cls(
            mode=mode,
            crs=crs,
            node_xy=node_xy,
            indptr=indptr,
            indices=v.astype(np.int32),
            minutes=minutes[order],
            length_m=length_m[order],
            road_class=codes[order],
            snappable=None if snappable is None else np.asarray(snappable, dtype=bool),
            source_digest=source_digest,
            parameters=dict(parameters or {}),
            flags=bits[order],
        )

    @classmethod
    def from_roads(
        cls,
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
        """Build the network of ``mode`` from a region's ``roads`` layer.

        Every vertex of a road line is a node; lines meet where their vertices coincide (to
        ``node_tolerance_m``), so crossings without a shared vertex (bridges) do not connect.
        A ferry line becomes one edge between its end points, taking
        ``length / speed + ferry_wait_min`` (the row's ``ferry_wait_min`` where given).

        Parameters
        ----------
        roads
            GeoDataFrame with LineString/MultiLineString geometry in a projected CRS (metres)
            and columns ``speed_kph``, ``oneway`` (bool), ``road_class`` (``schema.ROAD_CLASSES``)
            and optionally ``ferry_wait_min``.
        mode
            ``"car"``, ``"walk"`` or ``"bike"``.
        crs
            CRS name to record; by default that of ``roads``.
        node_tolerance_m
            Vertices closer than this (grid rounding) are one node.
        walk_speed_kph, bike_speed_kph, ferry_speed_kph, ferry_wait_min, speed_overrides_kph
            Speeds and waits (see :mod:`.rules`).
        max_segment_m
            Longer road segments are cut into pieces with nodes between (see
            :func:`build_network`); ``None`` keeps the vertices as they are.

        Raises
        ------
        MissingColumnError
            If a required column is missing.
        InputError
            If the mode is not a road mode or the layer has no projected CRS.
        """
        from .roads import network_from_roads

        return network_from_roads(
            roads,
            mode,
            crs=crs,
            node_tolerance_m=node_tolerance_m,
            walk_speed_kph=walk_speed_kph,
            bike_speed_kph=bike_speed_kph,
            ferry_speed_kph=ferry_speed_kph,
            ferry_wait_min=ferry_wait_min,
            speed_overrides_kph=speed_overrides_kph,
            max_segment_m=max_segment_m,
        )

    @classmethod
    def from_osm(
        cls,
        path: str | Path,
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
        """Build the network of ``mode`` from an OpenStreetMap ``.osm.pbf`` file.

        Reads ``highway=*`` and ``route=ferry`` ways with pyosmium and applies the rules of
        :mod:`.rules` to their tags (``maxspeed``, ``oneway``, ``junction``, ``access``,
        ``foot``, ``bicycle``, ``motor_vehicle``, ``motorroad``, ``duration``). OSM node ids are
        not kept; lengths are great-circle lengths. Options as in :meth:`from_roads`.
        Data: © OpenStreetMap contributors, ODbL.

        Raises
        ------
        InputError
            If the file does not exist or holds no usable way for the mode.
        """
        from .osm import network_from_osm

        return network_from_osm(
            Path(path),
            mode,
            crs=crs,
            walk_speed_kph=walk_speed_kph,
            bike_speed_kph=bike_speed_kph,
            ferry_speed_kph=ferry_speed_kph,
            ferry_wait_min=ferry_wait_min,
            speed_overrides_kph=speed_overrides_kph,
            max_segment_m=max_segment_m,
        )

    @classmethod
    def for_region(cls, region: Region, mode: str, **options: Any) -> RoadNetwork:
        """The network of ``mode`` for a region: its ``roads_pbf`` if set, else its ``roads`` layer.

        ``options`` go to :meth:`from_osm` or :meth:`from_roads`. A network built from a
        ``roads`` layer is kept while that layer lives and given again for the same mode and
        options (routing, the transit walk legs and the mobile units of today's network and of
        each scenario share one region's roads; a region's layers are not changed in place).

        Raises
        ------
        MissingLayerError
            If the region has neither a ``roads.osm.pbf`` nor a ``roads`` layer.
        """
        if region.roads_pbf is not None:
            return cls.from_osm(region.roads_pbf, mode, crs=region.crs, **options)
        if region.roads is not None:
            return _built_from_roads(region.roads, mode, region.crs, options)
        raise MissingLayerError(
            f"region {region.name!r} has no road network: no roads layer and no roads.osm.pbf; "
            'add a roads layer to region.gpkg or set [files] roads = "roads.osm.pbf"'
        )


_BUILT: dict[int, tuple[weakref.ref[Any], dict[tuple[str, str, str], RoadNetwork]]] = {}
"""Networks built from a roads layer, by ``id`` of the layer (a DataFrame cannot be hashed);
an entry goes when its layer is collected."""
_BUILT_LOCK = threading.Lock()


def _built_from_roads(
    roads: gpd.GeoDataFrame, mode: str, crs: str, options: Mapping[str, Any]
) -> RoadNetwork:
    """:meth:`RoadNetwork.from_roads`, once per roads layer (while it lives), mode and options."""
    key = (mode, str(crs), repr(sorted(options.items())))
    with _BUILT_LOCK:
        ref, networks = _BUILT.get(id(roads), (None, {}))
        known = networks.get(key) if ref is not None and ref() is roads else None
    if known is not None:
        return known
    network = RoadNetwork.from_roads(roads, mode, crs=crs, **options)
    with _BUILT_LOCK:
        ref, networks = _BUILT.get(id(roads), (None, {}))
        if ref is None or ref() is not roads:
            networks = {}
            _BUILT[id(roads)] = (weakref.ref(roads), networks)
            weakref.finalize(roads, _forget, id(roads))
        networks[key] = network
    return network


def _forget(key: int) -> None:
    with _BUILT_LOCK:
        _BUILT.pop(key, None)
