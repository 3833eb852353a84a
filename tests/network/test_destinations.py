"""Routing to any destination: Destinations, TravelTimeSet, route() and travel_times(to=...)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from palveluverkko.errors import InputError, UnknownIdError, UnreachableWarning
from palveluverkko.network import (
    Destinations,
    RoadNetwork,
    RoadParams,
    TransitParams,
    TravelTimeSet,
    available_modes,
    route,
    snap,
    travel_times,
)
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region

from .conftest import X0, Y0, make_grid_roads, make_region


def scipy_matrix(region: Region, mode: str, xy: np.ndarray) -> np.ndarray:
    """Cells to points by scipy's Dijkstra on the same graph and links:
    fl32((d + cell access) + point access), d from the point backwards."""
    net = RoadNetwork.for_region(region, mode)
    cells = snap(net, region.cell_points())
    points = snap(net, xy)
    frame = net.edge_frame()
    graph = csr_matrix(
        (frame.minutes.to_numpy(), (frame.v.to_numpy(), frame.u.to_numpy())),
        shape=(net.n_nodes, net.n_nodes),
    )
    out = np.full((len(cells), len(points)), np.inf, dtype=np.float32)
    ok = np.flatnonzero(points.ok)
    dist = dijkstra(graph, directed=True, indices=points.node[ok])
    for col, j in enumerate(ok):
        for i in np.flatnonzero(cells.ok):
            d = dist[col, cells.node[i]]
            out[i, j] = (d + cells.access_minutes[i]) + points.access_minutes[j]
    return out


def grid_region(seed: int) -> tuple[Region, np.ndarray]:
    """A 12 x 12 grid with oneways and holes; random cells, sites and other points."""
    rng = np.random.default_rng(seed)
    roads = make_grid_roads(12, 12, 200.0, seed=seed, oneway_share=0.3, drop_share=0.15)
    cells = rng.uniform([X0 - 200, Y0 - 200], [X0 + 2400, Y0 + 2400], (40, 2))
    sites = rng.uniform([X0, Y0], [X0 + 2200, Y0 + 2200], (4, 2))
    points = rng.uniform([X0, Y0], [X0 + 2200, Y0 + 2200], (7, 2))
    return make_region(roads, cells, sites), points


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("mode", ["car", "walk"])
def test_travel_times_to_any_points_equal_scipy(seed: int, mode: str) -> None:
    """travel_times(region, mode, to=Destinations(...)) routes to points that are not sites and
    equals scipy's Dijkstra on them, bit for bit."""
    region, points = grid_region(seed)
    to = Destinations.from_points([f"p{k}" for k in range(len(points))], points, kind="point")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        got = travel_times(region, mode, to=to, use_cache=False)
    assert got.destination_ids.tolist() == [f"p{k}" for k in range(7)]
    assert got.to.kinds.tolist() == ["point"] * 7
    np.testing.assert_array_equal(got.minutes, scipy_matrix(region, mode, points))


def test_routing_in_parts_equals_routing_at_once() -> None:
    """Sites and extra points routed apart and joined equal one routing to both."""
    region, points = grid_region(5)
    sites = Destinations.of_sites(region)
    extra = Destinations.from_points(["a", "b"], points[:2], kind="mobile_stop")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        both = route(region, sites.union(extra), modes=["car", "walk"], use_cache=False)
        first = route(region, sites, modes=["car", "walk"], use_cache=False)
        second = route(region, extra, modes=["car", "walk"], use_cache=False)
    joined = first.join(second)
    assert joined.to.ids.tolist() == both.to.ids.tolist()
    for mode in ("car", "walk"):
        np.testing.assert_array_equal(joined[mode].minutes, both[mode].minutes)
    picked = both.select(["b", "s0"])
    assert picked.to.ids.tolist() == ["b", "s0"]
    assert picked.to.kinds.tolist() == ["mobile_stop", "site"]
    np.testing.assert_array_equal(picked["car"].minutes[:, 1], both["car"].minutes[:, 0])


def test_route_owns_the_mode_rule() -> None:
    """route() computes car and walk, plus transit only when the region has GTFS feeds."""
    region = tiny_region()
    assert available_modes(region) == ("car", "walk")
    routed = route(region, use_cache=False)
    assert isinstance(routed, TravelTimeSet)
    assert routed.modes == ("car", "walk")
    assert routed.to.ids.tolist() == ["s1", "s2", "s3"]
    with pytest.raises(InputError, match="no GTFS feed"):
        route(region, modes=["transit"], use_cache=False)


def test_destinations_are_checked() -> None:
    """Duplicate ids, non-finite points, unknown kinds and an id at two points are refused."""
    with pytest.raises(InputError, match="appear more than once"):
        Destinations.from_points(["a", "a"], [[0, 0], [1, 1]])
    with pytest.raises(InputError, match="finite"):
        Destinations.from_points(["a"], [[np.nan, 0]])
    with pytest.raises(InputError, match="kind"):
        Destinations.from_points(["a"], [[0, 0]], kind="helipad")
    a = Destinations.from_points(["a"], [[0, 0]])
    with pytest.raises(InputError, match="two points"):
        a.union(Destinations.from_points(["a"], [[5, 0]]))
    assert len(a.union(Destinations.from_points(["a", "b"], [[0, 0], [1, 1]]))) == 2
    with pytest.raises(UnknownIdError, match="no column for zz"):
        a.index_of(["zz"])


def test_travel_time_set_aligns_and_names_missing_modes() -> None:
    """Modes over other destinations are refused; a missing mode is named."""
    region = tiny_region()
    car = travel_times(region, "car", use_cache=False)
    walk = travel_times(
        region, "walk", to=Destinations.of_sites(region).subset(["s2", "s1"]), use_cache=False
    )
    with pytest.raises(InputError, match="other destinations"):
        TravelTimeSet({"car": car, "walk": walk})
    with pytest.raises(UnknownIdError, match="no 'transit' matrix"):
        TravelTimeSet({"car": car})["transit"]


def test_parameters_are_validated_and_typed() -> None:
    """Parameter dataclasses check themselves; a mode gets the parameters of its kind."""
    with pytest.raises(InputError, match="walk_speed_kph"):
        RoadParams(walk_speed_kph=0)
    with pytest.raises(InputError, match="window"):
        TransitParams(window=("09:00", "07:00"))
    with pytest.raises(InputError, match="ISO date"):
        TransitParams(date="5.10.2021")
    with pytest.raises(InputError, match="must be RoadParams"):
        travel_times(tiny_region(), "car", params=TransitParams(), use_cache=False)
    with pytest.raises(InputError, match="must be TransitParams"):
        travel_times(tiny_region(), "transit", params=RoadParams(), use_cache=False)
