"""Linking points to the network: nearest usable node, limits, islands, access legs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from palveluverkko.network import RoadNetwork, snap
from palveluverkko.network.linking import ACCESS_SPEED_KPH, REASONS

CRS = "EPSG:3067"


def network(lines: list[tuple[list[tuple[float, float]], str]], mode: str = "car") -> RoadNetwork:
    """A two-way network from (coordinates, road_class) lines at 50 km/h."""
    layer = gpd.GeoDataFrame(
        {
            "speed_kph": [50.0] * len(lines),
            "oneway": [False] * len(lines),
            "road_class": [c for _, c in lines],
        },
        geometry=[shapely.LineString(xy) for xy, _ in lines],
        crs=CRS,
    )
    return RoadNetwork.from_roads(layer, mode, max_segment_m=None)


# main network: a 3 km road; an island road 2 km long at y = 2000; a 50 m stub at y = -600
MAIN = ([(0.0, 0.0), (1000.0, 0.0), (2000.0, 0.0), (3000.0, 0.0)], "residential")
ISLAND = ([(0.0, 2000.0), (1000.0, 2000.0), (2000.0, 2000.0)], "residential")
STUB = ([(1500.0, -600.0), (1550.0, -600.0)], "service")


def test_nearest_node_and_access_time() -> None:
    """A point 300 m off the road links to the nearest node; access at the mode's speed."""
    net = network([MAIN])
    got = snap(net, np.array([[1100.0, 300.0]]))
    assert net.node_xy[got.node[0]].tolist() == [1000.0, 0.0]
    assert got.distance_m[0] == pytest.approx(np.hypot(100, 300))
    assert got.access_minutes[0] == pytest.approx(np.hypot(100, 300) / (20.0 * 1000 / 60))
    assert got.reason[0] == ""
    walk = snap(network([MAIN], "walk"), np.array([[1100.0, 300.0]]))
    assert walk.access_minutes[0] == pytest.approx(np.hypot(100, 300) / 80.0)
    assert ACCESS_SPEED_KPH == {"walk": 4.8, "bike": 15.0, "car": 20.0}


def test_limit_is_inclusive_and_far_points_are_reported() -> None:
    """Exactly at the limit links; beyond it the point is -1 with its reason, inf access."""
    net = network([MAIN])
    got = snap(net, np.array([[1000.0, 1000.0], [1000.0, 1000.5]]))
    assert got.node[0] >= 0
    assert got.node[1] == -1
    assert got.reason[1] == "no_road_within_limit"
    assert np.isinf(got.access_minutes[1])
    assert np.isinf(got.distance_m[1])
    assert got.ok.tolist() == [True, False]


def test_island_without_ferry_is_separate_network() -> None:
    """A point on an island whose road is not connected is unusable, not linked across water."""
    net = network([MAIN, ISLAND])
    # 1,000 m from the main road, 100 m from the island road: nearer the island
    got = snap(net, np.array([[1000.0, 1900.0], [1000.0, 1000.0]]), max_distance_m=2000.0)
    assert got.reason.tolist() == ["separate_network", ""]
    assert got.node[0] == -1
    # the check can be switched off: the point then links to the main network
    off = snap(
        net, np.array([[1000.0, 1900.0]]), max_distance_m=2000.0, min_separate_network_m=np.inf
    )
    assert off.node[0] >= 0
    assert net.largest_component[off.node[0]]


def test_any_component_links_to_the_island() -> None:
    """With any_component the island point links to its own road, the nearest node of all."""
    net = network([MAIN, ISLAND])
    got = snap(net, np.array([[1000.0, 1900.0]]), any_component=True)
    assert net.node_xy[got.node[0]].tolist() == [1000.0, 2000.0]
    assert not net.largest_component[got.node[0]]


def test_island_with_ferry_is_linked() -> None:
    """The same island with a ferry is part of the main network and its points link to it."""
    ferry = ([(1000.0, 0.0), (1000.0, 2000.0)], "ferry")
    net = network([MAIN, ISLAND, ferry])
    got = snap(net, np.array([[1000.0, 1900.0]]), max_distance_m=2000.0)
    assert net.node_xy[got.node[0]].tolist() == [1000.0, 2000.0]


def test_small_fragment_is_skipped() -> None:
    """A 50 m disconnected stub nearer than the main road is noise: the point links to main."""
    net = network([MAIN, STUB])
    got = snap(net, np.array([[1500.0, -590.0]]))
    assert got.reason[0] == ""
    assert net.node_xy[got.node[0]].tolist() in ([1000.0, 0.0], [2000.0, 0.0])


def test_no_snap_to_motorway_only_nodes() -> None:
    """A point beside a motorway links to the nearest ordinary road node instead."""
    motorway = ([(0.0, 500.0), (3000.0, 500.0)], "motorway")
    ramp = ([(3000.0, 0.0), (3000.0, 500.0)], "residential")
    net = network([MAIN, motorway, ramp])
    got = snap(net, np.array([[0.0, 490.0]]))
    assert net.node_xy[got.node[0]].tolist() == [0.0, 0.0]


def test_invalid_points() -> None:
    """Points with NaN coordinates are reported as invalid, others are unaffected."""
    got = snap(network([MAIN]), np.array([[np.nan, 0.0], [10.0, 0.0]]))
    assert got.reason.tolist() == ["invalid_point", ""]
    assert set(REASONS) >= set(got.reason.tolist())


def test_every_reason_is_documented() -> None:
    """Each reason code has a text (they are shown to users)."""
    assert all(REASONS[k] for k in ("invalid_point", "no_road_within_limit", "separate_network"))
