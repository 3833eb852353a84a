"""Linking points (population cells, sites, stops) to the road network of a mode.

Rule
----
A point is linked to the nearest *snappable* node (one touched by a road other than a
motorway, motorway link or ferry) of the network's largest strongly connected component, in a
straight line; the access leg takes

.. math::

    t_\\text{access} = \\frac{d_\\text{straight}}{v_\\text{access}}, \\qquad
    v_\\text{access} = \\text{ACCESS_SPEED_KPH[mode]} \\cdot 1000 / 60 \\ \\text{m/min},

with :data:`ACCESS_SPEED_KPH` = walk 4.8, bike 15 and car 20 km/h (the driveway or yard to
the public road; the same as the ``service`` road default), overridable per call.

A point is *not usable* (``node = -1``), and its ``reason`` says why, when

* ``"invalid_point"``: its coordinates are missing or not finite;
* ``"no_road_within_limit"``: no snappable node of the largest component lies within
  ``max_distance_m`` (default 1 km);
* ``"separate_network"``: its nearest snappable node of *any* component lies in another
  component with at least ``min_separate_network_m`` of road (default 1 km) - an island without
  a ferry, or a road system that does not connect to the main network. Linking such a point
  across the water to the main network would invent a crossing; smaller fragments (a dangling
  driveway) are treated as noise and skipped in favour of the main network.

Callers count these points and report them; nothing is dropped.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from ..errors import InputError
from .graph import RoadNetwork

__all__ = ["ACCESS_SPEED_KPH", "REASONS", "Snapped", "snap"]

ACCESS_SPEED_KPH: dict[str, float] = {"walk": 4.8, "bike": 15.0, "car": 20.0}
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
        Road length from which another component counts as a separate network (``inf``
        disables the check).
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
        ACCESS_SPEED_KPH.get(network.mode, 4.8) if access_speed_kph is None else access_speed_kph
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
    big = network.component_length_m >= min_separate_network_m
    other = other[big[network.component[other]]]
    if len(other):
        d_other, _ = cKDTree(network.node_xy[other]).query(points, distance_upper_bound=bound)
        separate = np.isfinite(d_other) & (d_other < d_main)
        node[idx[separate]] = -1
        distance[idx[separate]] = np.inf
        reason[idx[separate]] = "separate_network"
    access = np.where(node >= 0, distance / (speed * 1000.0 / 60.0), np.inf)
    return Snapped(node, distance, access, reason)


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
