"""Shortest-path kernels on a CSR graph: arrays and integer indices in, minutes out.

The graph is given in compressed sparse row form: the out-edges of node ``u`` are
``indices[indptr[u]:indptr[u + 1]]`` with non-negative ``weights`` at the same positions.

Every kernel is Dijkstra's algorithm, compiled with numba. :func:`shortest_minutes` and
:func:`shortest_minutes_to` run in parallel over sources (``prange``) and queue only the graph's
*core* nodes in an indexed 4-ary heap, walking chains of pass-through nodes (road geometry)
instead (:mod:`._kernels`; :func:`prepare_graph` finds the chains once per graph). For a
source ``s`` they compute

.. math::

    d(s, v) = \\min_{P: s \\to v} \\sum_{e \\in P} w_e

as the unique fixed point of ``d(v) = min_u (d(u) + w(u, v))``, ``d(s) = 0``. Because every
final value is one floating-point addition of a final predecessor value and an edge weight,
results are bit-for-bit those of any other correct Dijkstra that adds in the same way
(networkx's ``single_source_dijkstra_path_length`` does); the tests check exact equality.

* :func:`shortest_minutes` gives full rows ``(len(sources), n_nodes)``.
* :func:`shortest_minutes_to` gathers only the ``targets``: the form used for the cells x sites
  matrix, with sources = site nodes on the reversed graph.
* :func:`k_nearest_sources` is a single multi-label Dijkstra that gives every node its ``k``
  nearest distinct sources (each with an initial offset): for large inputs where only the
  nearest few sites matter. A node keeps at most one label per source and at most ``k`` labels;
  a label (source ``s``, node ``v``) is only final when popped, and a source among the ``k``
  nearest of ``v`` is among the ``k`` nearest of every node on its shortest path to ``v`` (any
  ``k`` sources nearer to such a node would also be nearer to ``v``), so pruning at ``k`` labels
  per node is exact. Its cost is about ``k`` single-source searches.

A ``cutoff`` (minutes) stops a search once the nearest unsettled node is farther; nodes beyond
it are ``inf``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numba import njit

from ..errors import InputError
from . import _kernels

__all__ = [
    "PreparedGraph",
    "k_nearest_sources",
    "prepare_graph",
    "shortest_minutes",
    "shortest_minutes_to",
]

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class PreparedGraph:
    """A CSR graph with its pass-through chains found (see :mod:`._kernels`); reusable.

    Build it once with :func:`prepare_graph` when running many queries on one graph.
    """

    n_nodes: int
    arrays: tuple[np.ndarray, ...]

    @property
    def n_core(self) -> int:
        """Nodes the heap works on (the rest are walked along chains)."""
        return int(self.arrays[0].sum())


def prepare_graph(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray) -> PreparedGraph:
    """Find the pass-through chains of a CSR graph once, for repeated searches.

    Raises
    ------
    ValueError
        If the CSR arrays are inconsistent or a weight is negative.
    """
    n = _check_csr(indptr, indices, weights)
    arrays = _kernels.chain_structure(
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(indices, dtype=np.int64),
        np.ascontiguousarray(weights, dtype=np.float64),
    )
    return PreparedGraph(n, tuple(arrays))


def _run(
    graph: PreparedGraph, sources: np.ndarray, cutoff: float, targets: np.ndarray
) -> np.ndarray:
    kernel = cast(Callable[..., np.ndarray], _kernels.rows)
    return kernel(*graph.arrays, sources, float(cutoff), targets, _n_chunks(sources.size))


def _check_csr(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray) -> int:
    n = indptr.size - 1
    if n >= 2**31 - 1:
        raise InputError(f"graphs of up to 2**31 - 2 nodes are supported; found {n}")
    if n < 0 or indptr[0] != 0 or indptr[-1] != indices.size or indices.size != weights.size:
        raise InputError(
            "CSR arrays are inconsistent: expected indptr[0] == 0, indptr[-1] == len(indices) "
            f"== len(weights); found indptr[-1]={indptr[-1] if n >= 0 else None}, "
            f"len(indices)={indices.size}, len(weights)={weights.size}"
        )
    if weights.size and not (weights.min() >= 0):
        raise InputError(f"edge weights must be >= 0; found minimum {weights.min()}")
    return n


def _check_nodes(nodes: np.ndarray, n: int, what: str) -> np.ndarray:
    nodes = np.ascontiguousarray(nodes, dtype=np.int64)
    if nodes.size and (nodes.min() < 0 or nodes.max() >= n):
        raise InputError(
            f"{what} must be node indices in [0, {n}); found {nodes.min()}..{nodes.max()}"
        )
    return nodes


def _n_chunks(n_sources: int) -> int:
    import numba

    return max(1, min(n_sources, numba.get_num_threads() * 4))


def shortest_minutes(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    *,
    cutoff: float = np.inf,
    prepared: PreparedGraph | None = None,
) -> np.ndarray:
    """Shortest-path distance from each source to every node.

    Parameters
    ----------
    indptr, indices, weights
        The graph in CSR form (``weights`` >= 0, e.g. minutes).
    sources
        Source node indices (int); one output row each.
    cutoff
        Distances above ``cutoff`` are reported as ``inf`` (and not searched).
    prepared
        The same graph from :func:`prepare_graph`, to skip finding its chains again.

    Returns
    -------
    numpy.ndarray
        ``(len(sources), n_nodes)`` float64; ``inf`` where a node is unreachable.

    Raises
    ------
    ValueError
        If the CSR arrays are inconsistent, a weight is negative or a source is out of range.
    """
    graph = prepared if prepared is not None else prepare_graph(indptr, indices, weights)
    n = graph.n_nodes
    sources = _check_nodes(sources, n, "sources")
    if sources.size == 0:
        return np.empty((0, n), dtype=np.float64)
    return _run(graph, sources, cutoff, np.empty(0, dtype=np.int64))


def shortest_minutes_to(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    cutoff: float = np.inf,
    prepared: PreparedGraph | None = None,
) -> np.ndarray:
    """Shortest-path distance from each source to each target (only targets are kept).

    Memory is ``len(sources) x len(targets)``; a source's search stops at the cutoff.

    Parameters
    ----------
    indptr, indices, weights
        The graph in CSR form.
    sources, targets
        Node indices; targets may repeat (each occurrence gets its column).
    cutoff
        Distances above ``cutoff`` are ``inf``.
    prepared
        The same graph from :func:`prepare_graph`.

    Returns
    -------
    numpy.ndarray
        ``(len(sources), len(targets))`` float64.
    """
    graph = prepared if prepared is not None else prepare_graph(indptr, indices, weights)
    sources = _check_nodes(sources, graph.n_nodes, "sources")
    targets = _check_nodes(targets, graph.n_nodes, "targets")
    if sources.size == 0 or targets.size == 0:
        return np.full((sources.size, targets.size), np.inf)
    return _run(graph, sources, cutoff, targets)


@njit(cache=True)
def _heap_push(
    hd: Array, hn: Array, hs: Array, size: int, d: float, node: int, src: int
) -> tuple[Array, Array, Array, int]:
    if size == hd.size:
        new = hd.size * 2
        hd2 = np.empty(new, dtype=hd.dtype)
        hn2 = np.empty(new, dtype=hn.dtype)
        hs2 = np.empty(new, dtype=hs.dtype)
        hd2[:size] = hd[:size]
        hn2[:size] = hn[:size]
        hs2[:size] = hs[:size]
        hd, hn, hs = hd2, hn2, hs2
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if hd[parent] > d:
            hd[i] = hd[parent]
            hn[i] = hn[parent]
            hs[i] = hs[parent]
            i = parent
        else:
            break
    hd[i] = d
    hn[i] = node
    hs[i] = src
    return hd, hn, hs, size + 1


@njit(cache=True)
def _heap_pop(hd: Array, hn: Array, hs: Array, size: int) -> tuple[float, int, int, int]:
    d, node, src = hd[0], hn[0], hs[0]
    size -= 1
    if size > 0:
        ld, ln, ls = hd[size], hn[size], hs[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and hd[c + 1] < hd[c]:
                c += 1
            if hd[c] < ld:
                hd[i] = hd[c]
                hn[i] = hn[c]
                hs[i] = hs[c]
                i = c
            else:
                break
        hd[i] = ld
        hn[i] = ln
        hs[i] = ls
    return d, node, src, size


@njit(cache=True)
def _k_nearest(
    indptr: Array,
    indices: Array,
    weights: Array,
    source_nodes: Array,
    source_offsets: Array,
    k: int,
    cutoff: float,
) -> tuple[Array, Array]:
    n = indptr.size - 1
    lab_src = np.full((n, k), -1, dtype=np.int64)
    lab_min = np.full((n, k), np.inf)
    count = np.zeros(n, dtype=np.int64)
    cap = max(16, source_nodes.size * 2)
    hd = np.empty(cap, dtype=np.float64)
    hn = np.empty(cap, dtype=np.int64)
    hs = np.empty(cap, dtype=np.int64)
    size = 0
    for s in range(source_nodes.size):
        if source_offsets[s] <= cutoff:
            hd, hn, hs, size = _heap_push(hd, hn, hs, size, source_offsets[s], source_nodes[s], s)
    while size > 0:
        d, u, s, size = _heap_pop(hd, hn, hs, size)
        if d > cutoff:
            break
        cu = count[u]
        if cu >= k:
            continue
        seen = False
        for j in range(cu):
            if lab_src[u, j] == s:
                seen = True
                break
        if seen:
            continue
        lab_src[u, cu] = s
        lab_min[u, cu] = d
        count[u] = cu + 1
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if count[v] >= k:
                continue
            nd = d + weights[e]
            if nd > cutoff:
                continue
            # skip if v already holds s
            dup = False
            for j in range(count[v]):
                if lab_src[v, j] == s:
                    dup = True
                    break
            if not dup:
                hd, hn, hs, size = _heap_push(hd, hn, hs, size, nd, v, s)
    return lab_src, lab_min


def k_nearest_sources(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source_nodes: np.ndarray,
    k: int,
    *,
    source_offsets: np.ndarray | None = None,
    cutoff: float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest distinct sources of every node, in one multi-label Dijkstra.

    Source ``s`` starts at node ``source_nodes[s]`` with distance ``source_offsets[s]`` (e.g. its
    access leg); several sources may share a node. For each node ``v`` the result lists the
    sources ``s`` with the ``k`` smallest ``offset_s + d(source_nodes[s], v)``, nearest first.
    Ties between sources at the ``k``-th place are broken arbitrarily; the distances are exact
    up to the order of floating-point additions (offset first).

    Parameters
    ----------
    indptr, indices, weights
        The graph in CSR form. To get distances *to* the sources, pass the reversed graph.
    source_nodes
        Node of each source.
    k
        Labels per node (>= 1).
    source_offsets
        Initial distance of each source; zeros by default.
    cutoff
        Labels above ``cutoff`` are not kept.

    Returns
    -------
    (source, minutes)
        ``(n_nodes, k)`` int64 source index (-1 where fewer than ``k`` sources reach the node)
        and float64 distance (``inf`` there).
    """
    n = _check_csr(indptr, indices, weights)
    if k < 1:
        raise InputError(f"k must be >= 1; found {k}")
    source_nodes = _check_nodes(source_nodes, n, "source_nodes")
    offsets = (
        np.zeros(source_nodes.size)
        if source_offsets is None
        else np.ascontiguousarray(source_offsets, dtype=np.float64)
    )
    if offsets.shape != source_nodes.shape:
        raise InputError(
            f"source_offsets has {offsets.size} values for {source_nodes.size} sources"
        )
    lab_src, lab_min = _k_nearest(
        indptr,
        indices,
        np.ascontiguousarray(weights, dtype=np.float64),
        source_nodes,
        offsets,
        int(k),
        float(cutoff),
    )
    return lab_src, lab_min
