"""The cells x sites matrix from linked points: the numerical core of :func:`.travel_times`.

For cell ``i`` linked to node ``a_i`` with access time ``c_i`` and site ``j`` linked to node
``b_j`` with access time ``s_j`` (:mod:`.linking`),

.. math::

    T_{ij} = \\operatorname{fl32}\\big((d(a_i, b_j) + c_i) + s_j\\big),

``d`` the shortest-path time on the network, from one search per distinct site node on the
reversed graph (gathering only the cells' nodes). See :mod:`.travel_times` for ``max_minutes``
and ``k``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..errors import InputError
from .graph import RoadNetwork
from .linking import Snapped
from .paths import k_nearest_sources, shortest_minutes_to

__all__ = ["Progress", "nearest_sites", "road_matrix"]

Progress = Callable[[int, int], None]


def road_matrix(
    network: RoadNetwork,
    cells: Snapped,
    sites: Snapped,
    *,
    max_minutes: float | None = None,
    k: int | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """The ``(n_cells, n_sites)`` float32 matrix from linked cells and sites (module docstring).

    The numerical core of :func:`travel_times`, usable on any network and points.
    """
    n_cells, n_sites = len(cells), len(sites)
    out = np.full((n_cells, n_sites), np.inf, dtype=np.float32)
    cell_rows = np.flatnonzero(cells.ok)
    site_cols = np.flatnonzero(sites.ok)
    limit = math.inf if max_minutes is None else float(max_minutes)
    if len(cell_rows) == 0 or len(site_cols) == 0:
        if progress is not None:
            progress(0, 0)
        return out
    if k is not None:
        site_of, minutes = nearest_sites(network, cells, sites, k, max_minutes=max_minutes)
        rr, kk = np.nonzero(site_of >= 0)
        out[rr, site_of[rr, kk]] = minutes[rr, kk]
        if progress is not None:
            progress(len(site_cols), len(site_cols))
        return out
    reverse = network.reversed()
    cell_nodes = cells.node[cell_rows]
    cell_access = cells.access_minutes[cell_rows]
    unique_nodes, inverse = np.unique(sites.node[site_cols], return_inverse=True)
    # the least access time among the sites at each node bounds the graph search
    node_access = np.full(len(unique_nodes), np.inf)
    np.minimum.at(node_access, inverse, sites.access_minutes[site_cols])
    total_sources = len(unique_nodes)
    batch = max(8, math.ceil(total_sources / 20))
    done = 0
    if progress is not None:
        progress(0, total_sources)
    for start in range(0, total_sources, batch):
        stop = min(start + batch, total_sources)
        cutoff = (
            limit - float(node_access[start:stop].min()) if max_minutes is not None else math.inf
        )
        graph = shortest_minutes_to(
            reverse.indptr,
            reverse.indices,
            reverse.minutes,
            unique_nodes[start:stop],
            cell_nodes,
            cutoff=cutoff,
            prepared=reverse.prepared,
        )
        with_cell = graph.T + cell_access[:, None]  # (cells, batch nodes)
        in_batch = np.flatnonzero((inverse >= start) & (inverse < stop))
        cols = site_cols[in_batch]
        block = with_cell[:, inverse[in_batch] - start] + sites.access_minutes[cols][None, :]
        if max_minutes is not None:
            block[block > limit] = np.inf
        out[np.ix_(cell_rows, cols)] = block
        done = stop
        if progress is not None:
            progress(done, total_sources)
    return out


def nearest_sites(
    network: RoadNetwork,
    cells: Snapped,
    sites: Snapped,
    k: int,
    *,
    max_minutes: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's ``k`` nearest sites without a full matrix: memory ``n_cells x k``.

    One multi-label Dijkstra from all sites on the reversed graph
    (:func:`.paths.k_nearest_sources`), each site starting at its node with its access time;
    a cell's time is ``(s_j + d) + c_i``.

    Returns
    -------
    (site, minutes)
        ``(n_cells, k)`` int64 site index (-1 where fewer than ``k`` sites are within reach)
        and float32 minutes (``inf`` there), nearest first.
    """
    if k < 1:
        raise InputError(f"k must be >= 1; found {k}")
    site_of = np.full((len(cells), k), -1, dtype=np.int64)
    minutes = np.full((len(cells), k), np.inf, dtype=np.float32)
    cell_rows = np.flatnonzero(cells.ok)
    site_cols = np.flatnonzero(sites.ok)
    if len(cell_rows) == 0 or len(site_cols) == 0:
        return site_of, minutes
    limit = math.inf if max_minutes is None else float(max_minutes)
    reverse = network.reversed()
    kk = min(k, len(site_cols))
    lab_src, lab_min = k_nearest_sources(
        reverse.indptr,
        reverse.indices,
        reverse.minutes,
        sites.node[site_cols],
        kk,
        source_offsets=sites.access_minutes[site_cols],
        cutoff=limit,
    )
    cell_nodes = cells.node[cell_rows]
    src = lab_src[cell_nodes]
    total = lab_min[cell_nodes] + cells.access_minutes[cell_rows][:, None]
    keep = (src >= 0) & (total <= limit)
    site_of[cell_rows, :kk] = np.where(keep, site_cols[np.maximum(src, 0)], -1)
    minutes[cell_rows, :kk] = np.where(keep, total, np.inf)
    return site_of, minutes
