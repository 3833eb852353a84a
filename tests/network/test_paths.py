"""Shortest-path kernels against hand-worked answers, networkx and scipy."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from palveluverkko.network import k_nearest_sources, shortest_minutes, shortest_minutes_to
from palveluverkko.network.paths import prepare_graph

INF = np.inf


def csr(n: int, edges: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of a directed graph given as (u, v, w) triples (no parallel edges)."""
    u = np.array([e[0] for e in edges], dtype=np.int64)
    v = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    order = np.lexsort((v, u))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    return indptr, v[order].astype(np.int32), w[order]


# 0 -> 1 (1), 1 -> 2 (2), 0 -> 2 (5), 2 -> 3 (1), 3 -> 0 (1), 4 isolated
HAND = csr(5, [(0, 1, 1.0), (1, 2, 2.0), (0, 2, 5.0), (2, 3, 1.0), (3, 0, 1.0)])


def test_hand_made_graph_rows() -> None:
    """Distances on a 5-node directed graph match the answers worked by hand."""
    got = shortest_minutes(*HAND, np.array([0, 2, 4]))
    expected = np.array(
        [
            [0.0, 1.0, 3.0, 4.0, INF],
            [2.0, 3.0, 0.0, 1.0, INF],
            [INF, INF, INF, INF, 0.0],
        ]
    )
    np.testing.assert_array_equal(got, expected)


def test_cutoff_hides_far_nodes() -> None:
    """With cutoff 3 the nodes at 4 minutes become inf; the node at exactly 3 stays."""
    got = shortest_minutes(*HAND, np.array([0]), cutoff=3.0)
    np.testing.assert_array_equal(got, [[0.0, 1.0, 3.0, INF, INF]])


def test_targets_gathered_with_repeats() -> None:
    """shortest_minutes_to returns the requested columns, repeated targets included."""
    got = shortest_minutes_to(*HAND, np.array([0, 3]), np.array([3, 3, 1, 4]))
    np.testing.assert_array_equal(got, [[4.0, 4.0, 1.0, INF], [0.0, 0.0, 2.0, INF]])


def test_negative_weight_rejected() -> None:
    """A negative edge weight is an error naming the minimum found."""
    indptr, indices, w = HAND
    with pytest.raises(ValueError, match=r"weights must be >= 0; found minimum -1"):
        shortest_minutes(indptr, indices, w - 2.0, np.array([0]))


def test_source_out_of_range_rejected() -> None:
    """A source index beyond the node count is an error naming the valid range."""
    with pytest.raises(ValueError, match=r"sources must be node indices in \[0, 5\)"):
        shortest_minutes(*HAND, np.array([7]))


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]]]:
    """Random directed graphs up to 25 nodes, weights with few distinct values (ties) and zeros."""
    n = draw(st.integers(1, 25))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
            max_size=80,
            unique=True,
        )
    )
    weights = draw(
        st.lists(
            st.one_of(st.sampled_from([0.0, 0.1, 0.7, 1.0, 2.5]), st.floats(0, 100)),
            min_size=len(pairs),
            max_size=len(pairs),
        )
    )
    return n, [(u, v, w) for (u, v), w in zip(pairs, weights, strict=True) if u != v]


@settings(max_examples=150, deadline=None)
@given(random_graphs(), st.data())
def test_rows_equal_networkx_exactly(graph: tuple[int, list], data: st.DataObject) -> None:
    """Every distance equals networkx's Dijkstra bit for bit (inf where networkx finds no path)."""
    n, edges = graph
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    sources = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5)))
    got = shortest_minutes(*csr(n, edges), sources)
    for row, s in zip(got, sources, strict=True):
        ref = nx.single_source_dijkstra_path_length(g, int(s))
        expected = np.array([ref.get(v, INF) for v in range(n)])
        np.testing.assert_array_equal(row, expected)


@settings(max_examples=100, deadline=None)
@given(random_graphs(), st.floats(0, 50), st.data())
def test_targets_and_cutoff_equal_masked_rows(
    graph: tuple[int, list], cutoff: float, data: st.DataObject
) -> None:
    """shortest_minutes_to with a cutoff equals the full rows gathered and masked above cutoff."""
    n, edges = graph
    arrays = csr(n, edges)
    sources = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4)))
    targets = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8)))
    full = shortest_minutes(*arrays, sources)[:, targets]
    got = shortest_minutes_to(*arrays, sources, targets, cutoff=cutoff)
    np.testing.assert_array_equal(got, np.where(full <= cutoff, full, INF))


@settings(max_examples=100, deadline=None)
@given(random_graphs(), st.integers(1, 4), st.data())
def test_k_nearest_equals_brute_force(graph: tuple[int, list], k: int, data: st.DataObject) -> None:
    """The k labels of every node are the k smallest offset + distance over distinct sources."""
    n, edges = graph
    arrays = csr(n, edges)
    m = data.draw(st.integers(1, 6))
    nodes = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    offsets = np.array(data.draw(st.lists(st.floats(0, 10), min_size=m, max_size=m)))
    src, minutes = k_nearest_sources(*arrays, nodes, k, source_offsets=offsets)
    dist = shortest_minutes(*arrays, nodes) + offsets[:, None]  # (sources, nodes)
    expected = np.sort(dist, axis=0)[:k].T
    kk = min(k, m)
    np.testing.assert_allclose(minutes[:, :kk], expected[:, :kk], rtol=1e-12, atol=1e-12)
    assert np.isinf(minutes[:, kk:]).all()
    # each reported source really is at the reported distance, and sources are distinct
    for v in range(n):
        found = src[v][src[v] >= 0]
        assert len(set(found.tolist())) == len(found)
        np.testing.assert_allclose(dist[found, v], minutes[v, : len(found)], rtol=1e-12)


def test_k_nearest_respects_cutoff() -> None:
    """Labels farther than the cutoff are dropped (-1, inf)."""
    src, minutes = k_nearest_sources(*HAND, np.array([0, 2]), 2, cutoff=1.5)
    assert src[1].tolist() == [0, -1]
    np.testing.assert_array_equal(minutes[1], [1.0, INF])
    assert src[2].tolist() == [1, -1]  # source 1 sits on node 2


def test_large_random_graph_equals_scipy() -> None:
    """On a random 3,000-node graph the rows equal scipy.sparse.csgraph.dijkstra exactly."""
    rng = np.random.default_rng(7)
    n, m = 3000, 12000
    a = sp.csr_matrix(
        (rng.random(m) * 5, (rng.integers(0, n, m), rng.integers(0, n, m))), shape=(n, n)
    )
    a.sum_duplicates()
    a.setdiag(0)
    a.eliminate_zeros()
    sources = rng.integers(0, n, 40)
    got = shortest_minutes(a.indptr.astype(np.int64), a.indices, a.data, sources)
    np.testing.assert_array_equal(got, dijkstra(a, indices=sources))


@st.composite
def road_like_graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]]]:
    """Core graphs whose edges are cut into chains (two-way or oneway), plus pure cycles."""
    n_core = draw(st.integers(1, 8))
    edges: list[tuple[int, int, float]] = []
    n = n_core
    weight = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 10))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_core - 1), st.integers(0, n_core - 1)),
            max_size=12,
            unique=True,
        )
    )
    for a, b in pairs:
        length = draw(st.integers(0, 5))  # pass-through nodes on the way
        path = [a, *range(n, n + length), b]
        n += length
        if a == b and length < 2:
            continue  # a loop needs at least two nodes in between
        two_way = draw(st.booleans())
        for x, y in itertools.pairwise(path):
            edges.append((x, y, draw(weight)))
            if two_way:
                edges.append((y, x, draw(weight)))
    for _ in range(draw(st.integers(0, 2))):  # pure cycles: every node passes through
        size = draw(st.integers(3, 5))
        ring = list(range(n, n + size))
        n += size
        two_way = draw(st.booleans())
        for x, y in zip(ring, ring[1:] + ring[:1], strict=True):
            edges.append((x, y, draw(weight)))
            if two_way:
                edges.append((y, x, draw(weight)))
    # drop duplicate (u, v) pairs, keeping the first
    seen: set[tuple[int, int]] = set()
    unique = []
    for u, v, w in edges:
        if (u, v) not in seen and u != v:
            seen.add((u, v))
            unique.append((u, v, w))
    return n, unique


@settings(max_examples=300, deadline=None)
@given(road_like_graphs(), st.one_of(st.just(np.inf), st.floats(0, 20)), st.data())
def test_chains_equal_networkx_exactly(
    graph: tuple[int, list], cutoff: float, data: st.DataObject
) -> None:
    """On chain-heavy graphs (sources inside chains too, cutoffs mid-chain) rows equal networkx."""
    n, edges = graph
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    sources = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6)))
    got = shortest_minutes(*csr(n, edges), sources, cutoff=cutoff)
    for row, s in zip(got, sources, strict=True):
        ref = nx.single_source_dijkstra_path_length(g, int(s))
        expected = np.array([ref.get(v, INF) for v in range(n)])
        np.testing.assert_array_equal(row, np.where(expected <= cutoff, expected, INF))


def test_prepared_graph_finds_chains() -> None:
    """A two-way road of 5 nodes has 2 core ends and 3 pass-through nodes, reused by queries."""
    edges = [(i, i + 1, 1.0) for i in range(4)] + [(i + 1, i, 2.0) for i in range(4)]
    arrays = csr(5, edges)
    graph = prepare_graph(*arrays)
    assert graph.n_core == 2
    got = shortest_minutes(*arrays, np.array([2]), prepared=graph)
    np.testing.assert_array_equal(got, [[4.0, 2.0, 0.0, 1.0, 2.0]])
