"""RoadNetwork: CSR building, reversal, components, and the roads-layer reader."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.errors import DataWarning, InputError, MissingColumnError, MissingLayerError
from palveluverkko.network import RoadNetwork, shortest_minutes
from palveluverkko.region.examples import tiny_region

CRS = "EPSG:3067"


def roads(
    rows: list[tuple[list[tuple[float, float]], float, bool, str]], **extra: list
) -> gpd.GeoDataFrame:
    """A roads layer from (coordinates, speed_kph, oneway, road_class) rows."""
    return gpd.GeoDataFrame(
        {
            "speed_kph": [r[1] for r in rows],
            "oneway": [r[2] for r in rows],
            "road_class": [r[3] for r in rows],
            **extra,
        },
        geometry=[shapely.LineString(r[0]) for r in rows],
        crs=CRS,
    )


def node_at(net: RoadNetwork, x: float, y: float) -> int:
    """Index of the node at (x, y)."""
    hit = np.flatnonzero((np.abs(net.node_xy - [x, y]) < 1e-6).all(axis=1))
    assert len(hit) == 1, f"no single node at {(x, y)}"
    return int(hit[0])


def minutes_between(net: RoadNetwork, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Shortest minutes from the node at a to the node at b."""
    row = shortest_minutes(net.indptr, net.indices, net.minutes, np.array([node_at(net, *a)]))
    return float(row[0, node_at(net, *b)])


def test_from_edges_keeps_fastest_parallel_and_drops_loops() -> None:
    """Of two parallel edges the faster stays; a self-loop is dropped; CSR rows are right."""
    net = RoadNetwork.from_edges(
        u=np.array([0, 0, 1, 2, 2]),
        v=np.array([1, 1, 2, 2, 0]),
        minutes=np.array([5.0, 3.0, 1.0, 9.0, 2.0]),
        length_m=np.array([50.0, 30.0, 10.0, 90.0, 20.0]),
        node_xy=np.zeros((3, 2)),
        mode="car",
    )
    frame = net.edge_frame()
    assert frame[["u", "v", "minutes", "length_m"]].values.tolist() == [
        [0, 1, 3.0, 30.0],
        [1, 2, 1.0, 10.0],
        [2, 0, 2.0, 20.0],
    ]
    assert net.indptr.tolist() == [0, 1, 2, 3]
    assert (net.n_nodes, net.n_edges) == (3, 3)


def test_from_edges_rejects_bad_input() -> None:
    """Out-of-range nodes and negative times are errors that say what was expected."""
    with pytest.raises(InputError, match=r"must lie in \[0, 2\)"):
        RoadNetwork.from_edges(np.array([0]), np.array([2]), [1.0], [1.0], np.zeros((2, 2)), "car")
    with pytest.raises(InputError, match="must be >= 0"):
        RoadNetwork.from_edges(np.array([0]), np.array([1]), [-1.0], [1.0], np.zeros((2, 2)), "car")


def test_reversed_turns_every_edge() -> None:
    """reversed() holds exactly the edges v -> u with the same minutes and lengths."""
    rng = np.random.default_rng(1)
    u, v = rng.integers(0, 30, 200), rng.integers(0, 30, 200)
    net = RoadNetwork.from_edges(u, v, rng.random(200), rng.random(200), np.zeros((30, 2)), "car")
    fwd = net.edge_frame()
    rev = net.reversed().edge_frame()
    a = sorted(zip(fwd.v, fwd.u, fwd.minutes, fwd.length_m, strict=True))
    b = sorted(zip(rev.u, rev.v, rev.minutes, rev.length_m, strict=True))
    assert a == b
    assert net.reversed() is net.reversed()  # computed once


def test_largest_component_is_strong() -> None:
    """A oneway dead end is outside the largest strongly connected component."""
    # 0 <-> 1 <-> 2 (two-way), 2 -> 3 (oneway into a dead end), 4 <-> 5 apart
    u = np.array([0, 1, 1, 2, 2, 4, 5])
    v = np.array([1, 0, 2, 1, 3, 5, 4])
    net = RoadNetwork.from_edges(u, v, np.ones(7), np.full(7, 100.0), np.zeros((6, 2)), "car")
    assert net.largest_component.tolist() == [True, True, True, False, False, False]
    assert net.component[4] == net.component[5]
    # roads counted once per component: 0-1 and 1-2 (2 x 100 m); 4-5 (100 m)
    assert net.component_length_m[0] == 200.0
    assert net.component_length_m[net.component[4]] == 100.0


def test_oneway_binds_cars_not_walkers() -> None:
    """On a oneway street a car must go round the block; a walker goes straight back."""
    layer = roads(
        [
            ([(0, 0), (100, 0)], 36.0, True, "residential"),  # oneway east
            ([(100, 0), (100, 100), (0, 100), (0, 0)], 36.0, False, "residential"),
        ]
    )
    car = RoadNetwork.from_roads(layer, "car", max_segment_m=None)
    # 36 km/h = 600 m/min: east 100 m = 1/6 min; back west only round the block (300 m)
    assert minutes_between(car, (0, 0), (100, 0)) == pytest.approx(100 / 600)
    assert minutes_between(car, (100, 0), (0, 0)) == pytest.approx(300 / 600)
    walk = RoadNetwork.from_roads(layer, "walk", max_segment_m=None)
    assert minutes_between(walk, (100, 0), (0, 0)) == pytest.approx(100 / 70)  # 4.2 km/h


def test_access_rules_by_class() -> None:
    """Walkers avoid motorways; cars avoid footways; each mode's graph shows it."""
    layer = roads(
        [
            ([(0, 0), (1000, 0)], 100.0, False, "motorway"),
            ([(0, 0), (0, 500), (1000, 500), (1000, 0)], 40.0, False, "residential"),
            ([(0, 0), (500, 0)], 0.0, False, "footway"),
        ]
    )
    car = RoadNetwork.from_roads(layer, "car", max_segment_m=None)
    assert minutes_between(car, (0, 0), (1000, 0)) == pytest.approx(0.6)  # 1 km at 100
    assert "footway" not in set(car.edge_frame().road_class)
    walk = RoadNetwork.from_roads(layer, "walk", max_segment_m=None)
    assert minutes_between(walk, (0, 0), (1000, 0)) == pytest.approx(2000 / 70)
    assert "motorway" not in set(walk.edge_frame().road_class)
    assert minutes_between(walk, (0, 0), (500, 0)) == pytest.approx(500 / 70)


def test_ferry_is_one_edge_with_wait() -> None:
    """A ferry line is one edge end to end: crossing at its speed plus the waiting time."""
    layer = roads(
        [
            ([(0, 0), (100, 0)], 60.0, False, "residential"),
            ([(100, 0), (600, 300), (1100, 0)], 10.0, False, "ferry"),
            ([(1100, 0), (1200, 0)], 60.0, False, "residential"),
        ],
        ferry_wait_min=[None, 15.0, None],
    )
    net = RoadNetwork.from_roads(layer, "car", max_segment_m=None)
    crossing_m = 2 * np.hypot(500, 300)
    ferry = net.edge_frame().query("road_class == 'ferry'")
    assert len(ferry) == 2  # both directions, no node in the middle of the water
    np.testing.assert_allclose(ferry.minutes, crossing_m / (10_000 / 60) + 15.0)
    assert not any((np.abs(net.node_xy - [600, 300]) < 1e-6).all(axis=1))
    walk = RoadNetwork.from_roads(layer.drop(columns="ferry_wait_min"), "walk", max_segment_m=None)
    w = walk.edge_frame().query("road_class == 'ferry'").minutes
    np.testing.assert_allclose(w, crossing_m / (10_000 / 60) + 10.0)  # default wait


def test_bridge_without_shared_vertex_does_not_connect() -> None:
    """Lines that cross without a shared vertex (a bridge) stay unconnected; shared ones join."""
    layer = roads(
        [
            ([(0, 0), (200, 0)], 36.0, False, "residential"),
            ([(100, -100), (100, 100)], 36.0, False, "residential"),  # crosses, no vertex
            ([(200, 0), (200, 100)], 36.0, False, "residential"),  # shares (200, 0)
        ]
    )
    net = RoadNetwork.from_roads(layer, "car", max_segment_m=None)
    assert net.n_nodes == 5
    assert minutes_between(net, (0, 0), (200, 100)) == pytest.approx(300 / 600)
    assert np.isinf(minutes_between(net, (0, 0), (100, 100)))


def test_long_segments_are_cut() -> None:
    """A 1 km segment with max_segment_m=300 becomes 4 pieces of 250 m, same total time."""
    layer = roads([([(0, 0), (1000, 0)], 60.0, True, "primary")])
    net = RoadNetwork.from_roads(layer, "car", max_segment_m=300.0)
    frame = net.edge_frame()
    assert len(frame) == 4
    np.testing.assert_allclose(frame.length_m, 250.0)
    assert minutes_between(net, (0, 0), (1000, 0)) == pytest.approx(1.0)
    assert sorted(net.node_xy[:, 0].tolist()) == [0.0, 250.0, 500.0, 750.0, 1000.0]


def test_motorway_and_ferry_nodes_not_snappable() -> None:
    """Nodes touched only by motorways or ferries cannot take a point's access leg."""
    layer = roads(
        [
            ([(0, 0), (1000, 0)], 100.0, False, "motorway"),
            ([(1000, 0), (2000, 0)], 50.0, False, "residential"),
        ]
    )
    net = RoadNetwork.from_roads(layer, "car", max_segment_m=None)
    assert not net.snappable[node_at(net, 0, 0)]
    assert net.snappable[node_at(net, 1000, 0)]


def test_missing_column_and_unknown_class() -> None:
    """A missing column is named; rows with an unknown class are counted in a warning."""
    layer = roads([([(0, 0), (10, 0)], 50.0, False, "residential")])
    with pytest.raises(MissingColumnError, match="oneway"):
        RoadNetwork.from_roads(layer.drop(columns="oneway"), "car")
    bad = roads(
        [
            ([(0, 0), (10, 0)], 50.0, False, "residential"),
            ([(10, 0), (20, 0)], 50.0, False, "autobahn"),
        ]
    )
    with pytest.warns(DataWarning, match="1 row"):
        net = RoadNetwork.from_roads(bad, "car")
    assert net.length_m.sum() == pytest.approx(20.0)  # both directions of the 10 m road


def test_geographic_crs_rejected() -> None:
    """A roads layer in degrees is refused with the fix (reproject)."""
    layer = roads([([(0, 0), (10, 0)], 50.0, False, "residential")]).set_crs(
        "EPSG:4326", allow_override=True
    )
    with pytest.raises(InputError, match="geographic"):
        RoadNetwork.from_roads(layer, "car")


def test_for_region_without_roads() -> None:
    """A region with neither roads layer nor pbf raises MissingLayerError with the fix."""
    region = tiny_region().replace(roads=None)
    with pytest.raises(MissingLayerError, match="no road network"):
        RoadNetwork.for_region(region, "car")


def test_for_region_builds_a_roads_layer_once_per_mode_and_options() -> None:
    """The same layer, mode and options give the same network (built once); another mode,
    other options or a copy of the layer give another; a collected layer is forgotten."""
    import gc

    from palveluverkko.network import graph

    region = tiny_region()
    car = RoadNetwork.for_region(region, "car")
    assert RoadNetwork.for_region(region.replace(sites=region.sites.iloc[:1]), "car") is car
    assert RoadNetwork.for_region(region, "walk") is not car
    slow = RoadNetwork.for_region(region, "walk", walk_speed_kph=3.0)
    assert slow is not RoadNetwork.for_region(region, "walk")
    assert slow.minutes.sum() > RoadNetwork.for_region(region, "walk").minutes.sum()
    copy = region.replace(roads=region.roads.copy())
    assert RoadNetwork.for_region(copy, "car") is not car
    key = id(copy.roads)
    assert key in graph._BUILT
    del copy
    gc.collect()
    assert key not in graph._BUILT


@st.composite
def road_layers(draw: st.DrawFn) -> gpd.GeoDataFrame:
    """Random grids: 2-6 x 2-6 nodes, random speeds and classes, oneways, missing links."""
    nx_, ny = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    rows = []
    classes = ["residential", "primary", "footway", "motorway", "service"]
    for i in range(nx_):
        for j in range(ny):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= nx_ or j + dj >= ny or (draw(st.booleans()) and draw(st.booleans())):
                    continue
                a, b = (i * 100.0, j * 100.0), ((i + di) * 100.0, (j + dj) * 100.0)
                if draw(st.booleans()):
                    a, b = b, a
                rows.append(
                    (
                        [a, b],
                        draw(st.sampled_from([20.0, 30.0, 50.0, 80.0])),
                        draw(st.booleans()),
                        draw(st.sampled_from(classes)),
                    )
                )
    if not rows:
        rows.append(([(0.0, 0.0), (100.0, 0.0)], 50.0, False, "residential"))
    return roads(rows)


def reference_graph(layer: gpd.GeoDataFrame, mode: str) -> nx.DiGraph:
    """networkx graph built straight from the layer by the documented rules (independent code)."""
    allowed = {
        "car": {"residential", "primary", "motorway", "service"},
        "walk": {"residential", "primary", "footway", "service"},
    }[mode]
    g = nx.DiGraph()
    for geom, speed, oneway, cls in zip(
        layer.geometry, layer.speed_kph, layer.oneway, layer.road_class, strict=True
    ):
        if cls not in allowed:
            continue
        (x0, y0), (x1, y1) = geom.coords
        length = float(np.hypot(x1 - x0, y1 - y0))
        minutes = length / ((speed if mode == "car" else 4.2) * (1000.0 / 60.0))  # as documented
        for a, b in [((x0, y0), (x1, y1))] + (
            [] if oneway and mode == "car" else [((x1, y1), (x0, y0))]
        ):
            if not g.has_edge(a, b) or g[a][b]["weight"] > minutes:
                g.add_edge(a, b, weight=minutes)
    return g


@settings(max_examples=60, deadline=None)
@given(road_layers(), st.sampled_from(["car", "walk"]))
def test_roads_layer_distances_equal_networkx(layer: gpd.GeoDataFrame, mode: str) -> None:
    """Node-to-node times of a roads layer equal networkx on a graph built independently."""
    g = reference_graph(layer, mode)
    if g.number_of_nodes() == 0:
        return
    net = RoadNetwork.from_roads(layer, mode, max_segment_m=None)
    assert net.n_nodes == g.number_of_nodes()
    index = {tuple(xy): i for i, xy in enumerate(net.node_xy.tolist())}
    sources = list(g.nodes)[:4]
    rows = shortest_minutes(
        net.indptr, net.indices, net.minutes, np.array([index[s] for s in sources])
    )
    for row, s in zip(rows, sources, strict=True):
        ref = nx.single_source_dijkstra_path_length(g, s)
        for node, i in index.items():
            assert row[i] == ref.get(node, np.inf)


def test_edge_frame_rebuilds_same_distances(grid_roads: Callable[..., gpd.GeoDataFrame]) -> None:
    """A networkx graph rebuilt from edge_frame() gives the same times as the network itself."""
    net = RoadNetwork.from_roads(
        grid_roads(12, 12, 150.0, seed=3, oneway_share=0.3, drop_share=0.15), "car"
    )
    frame = net.edge_frame()
    g = nx.DiGraph()
    g.add_weighted_edges_from(zip(frame.u, frame.v, frame.minutes, strict=True))
    sources = np.array([0, net.n_nodes // 2, net.n_nodes - 1])
    rows = shortest_minutes(net.indptr, net.indices, net.minutes, sources)
    for row, s in zip(rows, sources, strict=True):
        ref = nx.single_source_dijkstra_path_length(g, int(s))
        expected = np.array([ref.get(v, np.inf) for v in range(net.n_nodes)])
        np.testing.assert_array_equal(row, expected)
