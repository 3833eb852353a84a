"""Region adapters of the channels: drive times between arbitrary points on the road network.

This is the one place where the channels touch geometry. :func:`drive_matrix` links points to
the road network of a mode (:func:`palveluverkko.network.snap`) and runs the network's
Dijkstra kernels (:func:`palveluverkko.network.shortest_minutes_to`):

.. math::

    t_{ij} = a_i + d(n_i, n_j) + a_j, \\qquad
    \\ell_{ij} = \\text{shortest road length from } n_i \\text{ to } n_j + \\text{access legs},

with ``a`` the straight-line access legs and ``n`` the snapped nodes. The length is that of the
*shortest* path, not of the fastest one, so ``km`` is an ESTIMATE (a lower bound of the fastest
path's length). Points that cannot be linked get ``inf`` and are counted by the callers.

The lead will switch this to the routing API (``travel_times(region, mode, to=Destinations)``)
when it lands; the channel cores only see the returned arrays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..network import RoadNetwork, shortest_minutes_to, snap
from ..region.model import Region

__all__ = ["DriveMatrix", "drive_matrix", "road_network"]

log = logging.getLogger("palveluverkko.channels")


def road_network(region: Region, mode: str = "car") -> RoadNetwork:
    """The region's road network of ``mode`` (build it once and pass it to :func:`drive_matrix`)."""
    return RoadNetwork.for_region(region, mode)


@dataclass(frozen=True)
class DriveMatrix:
    """Drive times and lengths from origins to destinations.

    Attributes
    ----------
    minutes
        ``(n_from, n_to)`` float64; ``inf`` where unlinked, unreachable or beyond the cutoff.
    km
        ``(n_from, n_to)`` ESTIMATE of the road length (shortest path by length), or ``None``.
    from_ok, to_ok
        Which points could be linked to the network.
    """

    minutes: np.ndarray
    km: np.ndarray | None
    from_ok: np.ndarray
    to_ok: np.ndarray


def drive_matrix(
    region: Region,
    from_xy: np.ndarray,
    to_xy: np.ndarray,
    *,
    mode: str = "car",
    cutoff_minutes: float = np.inf,
    with_km: bool = False,
    network: RoadNetwork | None = None,
) -> DriveMatrix:
    """Drive times (and optionally lengths) between points by road (module docstring).

    Parameters
    ----------
    region
        Region whose road network is used.
    from_xy, to_xy
        ``(n, 2)`` coordinates in the region's CRS.
    mode
        ``car`` (home-care staff and mobile units drive), ``walk`` or ``bike``.
    cutoff_minutes
        Network distances above it are ``inf`` (faster searches).
    with_km
        Also compute the road lengths (a second search on lengths).
    network
        A network to reuse instead of building the region's.
    """
    net = network if network is not None else road_network(region, mode)
    a = snap(net, np.asarray(from_xy, dtype=np.float64).reshape(-1, 2))
    b = snap(net, np.asarray(to_xy, dtype=np.float64).reshape(-1, 2))
    minutes = np.full((len(a), len(b)), np.inf)
    km = np.full((len(a), len(b)), np.inf) if with_km else None
    fo, to = np.flatnonzero(a.ok), np.flatnonzero(b.ok)
    if fo.size and to.size:
        src, src_of = np.unique(a.node[fo], return_inverse=True)  # one search per node
        dst, dst_of = np.unique(b.node[to], return_inverse=True)
        g = net
        if len(src) > len(dst):  # fewer searches backwards from the destinations
            g, src, dst = net.reversed(), dst, src
        core = shortest_minutes_to(
            g.indptr, g.indices, g.minutes, src, dst, cutoff=cutoff_minutes, prepared=g.prepared
        )
        if g is not net:
            core = core.T
        core = core[np.ix_(src_of, dst_of)]
        minutes[np.ix_(fo, to)] = core + a.access_minutes[fo, None] + b.access_minutes[None, to]
        if km is not None:
            length = shortest_minutes_to(g.indptr, g.indices, g.length_m, src, dst)
            if g is not net:
                length = length.T
            length = length[np.ix_(src_of, dst_of)]
            legs = a.distance_m[fo, None] + b.distance_m[None, to]
            km[np.ix_(fo, to)] = (length + legs) / 1000.0
    n_bad = int((~a.ok).sum() + (~b.ok).sum())
    if n_bad:
        log.info("drive_matrix: %d point(s) could not be linked to the %s network", n_bad, mode)
    return DriveMatrix(minutes=minutes, km=km, from_ok=a.ok, to_ok=b.ok)
