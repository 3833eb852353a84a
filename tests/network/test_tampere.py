"""Real data: Tampere's OSM roads and Nysse stops (© OpenStreetMap contributors, ODbL; Tampere
public transport GTFS, CC BY 4.0), from ../shared/data/tampere."""

from __future__ import annotations

import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from palveluverkko.network import RoadNetwork, TransitParams, shortest_minutes, snap

pytestmark = pytest.mark.shared_data

TO_TM35 = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
STATION = (23.7730, 61.4985)  # Tampere railway station
TAYS = (23.8150, 61.5065)  # Tampere University Hospital (TAYS), Kauppi


@pytest.fixture(scope="module")
def tampere(shared_data: Path) -> Path:
    """Folder with tampere.osm.pbf and tampere_gtfs.zip."""
    return shared_data / "tampere"


@pytest.fixture(scope="module")
def car(tampere: Path) -> RoadNetwork:
    """Tampere's car network."""
    return RoadNetwork.from_osm(tampere / "tampere.osm.pbf", "car")


@pytest.fixture(scope="module")
def walk(tampere: Path) -> RoadNetwork:
    """Tampere's walking network."""
    return RoadNetwork.from_osm(tampere / "tampere.osm.pbf", "walk")


@pytest.fixture(scope="module")
def stops_xy(tampere: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Nysse stops and their EPSG:3067 coordinates."""
    with zipfile.ZipFile(tampere / "tampere_gtfs.zip") as z, z.open("stops.txt") as f:
        stops = pd.read_csv(f)
    xy = np.column_stack(TO_TM35.transform(stops.stop_lon.to_numpy(), stops.stop_lat.to_numpy()))
    return stops, xy


def xy_of(lon_lat: tuple[float, float]) -> np.ndarray:
    """EPSG:3067 coordinates of a (lon, lat) point as a (1, 2) array."""
    return np.array([TO_TM35.transform(*lon_lat)])


def test_networks_build(car: RoadNetwork, walk: RoadNetwork) -> None:
    """The car and walk graphs build with the expected order of size, mostly one component."""
    assert 50_000 < car.n_nodes < 100_000
    assert 100_000 < car.n_edges < 200_000
    assert 120_000 < walk.n_nodes < 200_000
    assert car.largest_component.mean() > 0.9
    assert walk.largest_component.mean() > 0.9
    assert walk.length_m.sum() > car.length_m.sum()


def test_every_stop_snaps(walk: RoadNetwork, stops_xy: tuple[pd.DataFrame, np.ndarray]) -> None:
    """Every stop links within 100 m; only Aitolahti's, cut off by the extract's clip, are apart.

    The extract ends at longitude 23.93; the road joining Aitolahti to the city runs outside it,
    so in this file Aitolahti is a separate road system. Its ways leave the extract's box, so it
    is no island: its 10 stops lie beyond the 1 km limit from the main network
    (``no_road_within_limit``; routed by straight line where a cell is there); with
    ``any_component`` they link to their own roads.
    """
    from palveluverkko.network.linking import islands
    from palveluverkko.network.rules import FLAG_CLIPPED

    stops, xy = stops_xy
    got = snap(walk, xy)
    apart = got.reason == "no_road_within_limit"
    assert set(got.reason) <= {"", "no_road_within_limit"}
    assert int(apart.sum()) == 10
    own = snap(walk, xy[apart], any_component=True).node
    aitolahti = np.unique(walk.component[own])
    assert not islands(walk)[aitolahti].any()
    clipped = (walk.flags & FLAG_CLIPPED) != 0  # type: ignore[operator]
    assert np.isin(walk.component[walk.tails[clipped]], aitolahti).any()
    assert (stops.stop_lat[apart] > 61.54).all()
    assert (stops.stop_lon[apart] > 23.86).all()
    assert got.distance_m[got.ok].max() < 100.0
    anywhere = snap(walk, xy, any_component=True)
    assert anywhere.ok.all()
    assert anywhere.distance_m.max() < 100.0


def test_station_to_hospital_spot_checks(car: RoadNetwork, walk: RoadNetwork) -> None:
    """Railway station to TAYS (2.4 km apart): plausible car and walk times, both directions."""
    straight_m = float(np.hypot(*(xy_of(STATION) - xy_of(TAYS))[0]))
    assert straight_m == pytest.approx(2400, rel=0.05)
    times = {}
    for name, net in (("car", car), ("walk", walk)):
        s = snap(net, np.vstack([xy_of(STATION), xy_of(TAYS)]))
        assert s.ok.all()
        there = shortest_minutes(net.indptr, net.indices, net.minutes, s.node[:1])[0, s.node[1]]
        back = shortest_minutes(net.indptr, net.indices, net.minutes, s.node[1:])[0, s.node[0]]
        times[name] = (there, back)
    # by car: 3-12 min through city streets; by foot: between 1.0 and 1.6 x the straight line
    assert all(3.0 < t < 12.0 for t in times["car"])
    assert times["walk"][0] == pytest.approx(times["walk"][1])  # walkers ignore oneways
    assert straight_m / 70 < times["walk"][0] < 1.6 * straight_m / 70  # 70 m/min


def test_car_row_equals_networkx(car: RoadNetwork) -> None:
    """From the station, every node's car time equals networkx on the same Tampere graph."""
    node = int(snap(car, xy_of(STATION)).node[0])
    frame = car.edge_frame()
    g = nx.DiGraph()
    g.add_weighted_edges_from(zip(frame.u, frame.v, frame.minutes, strict=True))
    ref = nx.single_source_dijkstra_path_length(g, node)
    row = shortest_minutes(car.indptr, car.indices, car.minutes, np.array([node]))[0]
    expected = np.full(car.n_nodes, np.inf)
    expected[list(ref)] = list(ref.values())
    np.testing.assert_array_equal(row, expected)
    assert np.isfinite(row[car.largest_component]).all()  # the main component is all reached


def test_oneways_make_car_asymmetric(car: RoadNetwork) -> None:
    """Oneway streets exist and make some car trips differ by direction."""
    assert (car.edge_frame().groupby(["u", "v"]).size() == 1).all()
    rng = np.random.default_rng(0)
    nodes = rng.choice(np.flatnonzero(car.largest_component), 20, replace=False)
    rows = shortest_minutes(car.indptr, car.indices, car.minutes, nodes)[:, nodes]
    assert np.isfinite(rows).all()
    assert not np.allclose(rows, rows.T)


def test_transit_on_nysse_respects_physical_bounds(tampere: Path, walk: RoadNetwork) -> None:
    """All Nysse stops but Aitolahti's 10 (cut off by the extract) link to the walk network;
    door-to-door bus times are at least the straight line at 80 km/h and at most walking."""
    from palveluverkko.network.transit import transit_travel_times
    from palveluverkko.region import GtfsFeed
    from palveluverkko.region.examples import tiny_region

    from .conftest import make_region

    centre = xy_of(STATION)[0]
    gx, gy = np.meshgrid(np.arange(-3000, 3001, 500.0), np.arange(-3000, 3001, 500.0))
    cells = np.column_stack([gx.ravel() + centre[0], gy.ravel() + centre[1]])
    sites = np.vstack([xy_of(STATION), xy_of(TAYS)])
    region = make_region(tiny_region().roads, cells, sites).replace(
        gtfs=(GtfsFeed("nysse", (tampere / "tampere_gtfs.zip").read_bytes()),)
    )
    result = transit_travel_times(
        region, walk_network=walk, params=TransitParams(window=("07:00", "07:30"))
    )
    assert result.parameters["n_stops"] - result.parameters["n_stops_linked"] == 10
    minutes = result.minutes.astype(np.float64)
    straight_m = np.hypot(*(cells[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    assert (minutes >= straight_m / (80_000 / 60) - 1e-6).all()
    walk_only = snap(walk, cells)  # cells in the lakes Näsijärvi and Pyhäjärvi do not link
    assert walk_only.ok.mean() > 0.8
    assert np.isinf(minutes[~walk_only.ok]).all()
    from palveluverkko.network.matrix import road_matrix

    # walking the whole way, within the 180-minute horizon beyond which no trip counts
    walking = road_matrix(walk, walk_only, snap(walk, sites), max_minutes=180.0)
    assert (minutes[walk_only.ok] <= walking[walk_only.ok] + 1e-4).all()
    # the bus helps: across town (over 4 km) most cells reach TAYS faster than on foot
    far = (straight_m[:, 1] > 4000) & walk_only.ok
    assert (minutes[far, 1] < walking[far, 1] - 5).mean() > 0.5
    for q in (10, 90):
        assert q in result.percentiles
    assert (result.percentiles[10] <= result.minutes + 1e-6).all()
    assert (result.minutes <= result.percentiles[90] + 1e-6).all()


@pytest.fixture(scope="module")
def tampere_cells(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    """Tampere's postal areas (Paavo 2017): centre points (EPSG:3067) and residents per km2."""
    import warnings

    from palveluverkko.sources.municipalities import read_municipalities
    from palveluverkko.sources.paavo import read_paavo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        munis, _ = read_municipalities(
            shared_data / "boundaries" / "municipalities_2023.gpkg", codes=["837"]
        )
        pop, _ = read_paavo(
            shared_data / "paavo" / "Population_structure_2017.csv",
            shared_data / "postal_areas" / "postinumerot_geo.json",
            munis,
        )
    residents = pop[[c for c in pop.columns if c.startswith("pop_")]].sum(axis=1).to_numpy()
    centre = pop.geometry.centroid
    xy = np.column_stack([centre.x.to_numpy(), centre.y.to_numpy()])
    return xy, residents / (pop.geometry.area.to_numpy() / 1e6)


def test_every_built_up_cell_reaches_the_network(
    car: RoadNetwork, walk: RoadNetwork, tampere_cells: tuple[np.ndarray, np.ndarray]
) -> None:
    """Every populated postal area of Tampere in a built-up area (>= 200 residents per km2)
    inside the extract (the convex hull of its roads; 33610 Tasanne lies east of it) links to
    the main car and walking networks: none is taken for an island."""
    import shapely

    xy, density = tampere_cells
    for net in (car, walk):
        hull = shapely.convex_hull(shapely.multipoints(net.node_xy))
        built_up = (density >= 200) & shapely.contains_xy(hull, xy[:, 0], xy[:, 1])
        assert built_up.sum() >= 25
        got = snap(net, xy[built_up])
        assert (got.reason == "").all(), got.reason
        assert net.largest_component[got.node].all()


def test_islands_are_real(walk: RoadNetwork) -> None:
    """The walking network's islands are few and far from the main network (Viikinsaari, 358 m
    of lake from the shore), never a component of tunnels or service ways."""
    from palveluverkko.network.linking import _index, islands

    found = np.flatnonzero(islands(walk))
    assert 1 <= len(found) <= 5
    _, tree = _index(walk, False)
    for c in found:
        gap, _ = tree.query(walk.node_xy[walk.component == c])
        assert gap.min() >= 200
        assert walk.component_ordinary_length_m[c] >= 1000
