"""Straight-line estimates where no road network reaches: formula by hand, settlement classes,
partial extracts, regions without roads, limits, cache and marking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from palveluverkko.errors import (
    ApproximationWarning,
    InputError,
    MissingLayerError,
    UnreachableWarning,
)
from palveluverkko.network import Destinations, RoadParams, travel_times
from palveluverkko.network.params import StraightLineParams
from palveluverkko.network.straight_line import (
    settlement_classes,
    straight_line_minutes,
    straight_line_speeds,
)
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region

from .conftest import X0, Y0, make_grid_roads, make_region


def no_roads(region: Region) -> Region:
    """The region without any road network."""
    return region.replace(roads=None, roads_pbf=None)


def test_formula_by_hand() -> None:
    """3 km at circuity 1.3 and 39 km/h is 3.9 km / 0.65 km/min = 6 minutes (plus a terminal
    time where given)."""
    got = straight_line_minutes(
        np.array([[0.0, 0.0], [0.0, 0.0]]),
        np.array([[3000.0, 0.0], [0.0, 0.0]]),
        np.array([39.0, 4.8]),
        1.3,
    )
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [[6.0, 0.0], [3900 / 80.0, 0.0]], rtol=1e-6)
    late = straight_line_minutes(np.zeros((1, 2)), np.array([[3000.0, 0.0]]), [39.0], 1.3, 2.5)
    assert late[0, 0] == pytest.approx(8.5)


def test_params_are_validated() -> None:
    """Circuity below 1, a missing settlement speed and unordered densities are refused."""
    with pytest.raises(InputError, match="never shorter than the straight line"):
        StraightLineParams(car_circuity=0.9)
    with pytest.raises(InputError, match="missing \\['rural'\\]"):
        StraightLineParams(car_speed_kph={"city": 1, "town": 1, "village": 1, "unknown": 1})
    with pytest.raises(InputError, match="city >= town >= village"):
        StraightLineParams(density_per_km2={"city": 10.0, "town": 200.0, "village": 20.0})
    with pytest.raises(InputError, match="car_terminal_min"):
        StraightLineParams(car_terminal_min=-1.0)
    with pytest.raises(InputError, match="StraightLineParams"):
        RoadParams(straight_line={"car_circuity": 1.3})  # type: ignore[arg-type]


def test_settlement_from_column_else_density_else_unknown() -> None:
    """The settlement column wins; polygons get a class by residents per km2; points without
    a class are unknown."""
    region = tiny_region()
    assert settlement_classes(region, StraightLineParams()).tolist() == list(
        region.population["settlement"]
    )
    pop = region.population.drop(columns="settlement")
    n = len(pop)
    assert set(settlement_classes(region.replace(population=pop), StraightLineParams())) == {
        "unknown"
    }
    # squares sized to give 5,000, 500, 50, 5 ... residents per km2
    residents = pop.filter(like="pop_").sum(axis=1).to_numpy()
    side = np.sqrt(residents / np.array([5000.0, 500.0, 50.0, 5.0, 5000.0, 5.0][:n]) * 1e6)
    xy = region.cell_points()
    pop["geometry"] = [
        shapely.box(x - s / 2, y - s / 2, x + s / 2, y + s / 2)
        for (x, y), s in zip(xy, side, strict=True)
    ]
    got = settlement_classes(region.replace(population=pop), StraightLineParams())
    assert got.tolist() == ["city", "town", "village", "rural", "city", "rural"][:n]
    pop["settlement"] = ["rural"] + [None] * (n - 1)
    got = settlement_classes(region.replace(population=pop), StraightLineParams())
    assert got[0] == "rural"
    assert got[1] == "town"


def test_region_without_roads_is_estimated_everywhere() -> None:
    """No roads layer and no pbf: every pair is circuity x distance / speed by settlement (car)
    or walking speed, flagged no_road_network, with a warning counting residents."""
    region = no_roads(tiny_region())
    pop = region.population.copy()
    pop["settlement"] = ["city", "town", "village", "rural", None, "rural"][: len(pop)]
    region = region.replace(population=pop)
    line = StraightLineParams()
    for mode, speeds, t0 in (
        ("car", [70.0, 70.0, 70.0, 75.0, 70.0, 75.0][: len(pop)], 3.5),
        ("walk", [4.2] * len(pop), 0.0),
    ):
        with pytest.warns(ApproximationWarning, match=f"{len(pop)} cell\\(s\\)"):
            tt = travel_times(region, mode, use_cache=False)
        d = np.hypot(
            *(region.cell_points()[:, None, :] - region.site_points()[None]).transpose(2, 0, 1)
        )
        expected = t0 + d * line.circuity(mode) / (np.array(speeds)[:, None] * 1000 / 60)
        np.testing.assert_allclose(tt.minutes, expected, rtol=1e-6)
        assert tt.parameters["approximate"] is True
        assert tt.parameters["road_source"] == "none"
        assert tt.approximate_mask().all()
        assert tt.is_approximate
        assert set(tt.approximate["reason"]) == {"no_road_network"}
        assert tt.approximate["residents"].sum() == region.total_population
        assert len(tt.unreachable) == 0


def test_fallback_off_without_roads_raises() -> None:
    """RoadParams(straight_line=None) on a region without roads: MissingLayerError with a fix."""
    with pytest.raises(MissingLayerError, match="straight-line fallback is off"):
        travel_times(
            no_roads(tiny_region()), "car", use_cache=False, params=RoadParams(straight_line=None)
        )


def partial_region() -> Region:
    """A 1 km road grid; cell c0 on it, c1 5 km away; site s0 on it, s1 9 km away."""
    roads = make_grid_roads(6, 6, 200.0)
    return make_region(
        roads,
        np.array([[X0 + 100, Y0 + 100], [X0 + 5000, Y0 + 5000]]),
        np.array([[X0, Y0], [X0 + 9000, Y0]]),
        residents=np.array([7, 42]),
    )


def test_partial_extract_estimates_rows_and_columns_outside() -> None:
    """A cell outside the extract gets an estimated row, a site outside an estimated column;
    the pair inside is routed; only the estimated pairs are marked."""
    region = partial_region()
    with pytest.warns(ApproximationWarning, match=r"1 cell\(s\) with 42 residents and 1 dest"):
        tt = travel_times(region, "walk", use_cache=False)
    with pytest.warns(UnreachableWarning):
        routed = travel_times(
            region, "walk", use_cache=False, params=RoadParams(straight_line=None)
        )
    xy, sxy = region.cell_points(), region.site_points()
    d = np.hypot(*(xy[:, None, :] - sxy[None]).transpose(2, 0, 1))
    expected = d * 1.23 / (4.2 * 1000 / 60)
    np.testing.assert_allclose(tt.minutes[1], expected[1], rtol=1e-6)
    np.testing.assert_allclose(tt.minutes[:, 1], expected[:, 1], rtol=1e-6)
    assert tt.minutes[0, 0] == routed.minutes[0, 0] < 5  # the pair on the network is routed
    assert tt.approximate_mask().tolist() == [[False, True], [True, True]]
    assert tt.approximate.to_dict("records") == [
        {"cell_id": "c1", "municipality": "901", "residents": 42, "reason": "outside_road_network"}
    ]
    assert tt.approximate_destinations["destination_id"].tolist() == ["s1"]
    assert len(tt.unreachable) == 0
    assert len(tt.unreachable_destinations) == 0
    assert tt.select(["s0"]).approximate_destinations.empty


def test_islands_are_not_estimated() -> None:
    """A cell on an island (separate network) stays unreachable even in an estimated column:
    a straight line would invent a crossing."""
    from .test_travel_times import island_region

    region = island_region(False)
    sites = Destinations.of_sites(region).union(
        Destinations.from_points(["far"], [(X0 + 20_000.0, Y0)], kind="point")
    )
    with pytest.warns(UnreachableWarning), pytest.warns(ApproximationWarning):
        tt = travel_times(region, "car", to=sites, use_cache=False)
    assert tt.unreachable["reason"].tolist() == ["separate_network"]
    assert np.isinf(tt.minutes).all()


def test_limits_apply_to_estimates() -> None:
    """max_minutes and k cut the estimated entries exactly as they would a full matrix."""
    region = partial_region()
    with pytest.warns(ApproximationWarning):
        full = travel_times(region, "car", use_cache=False)
    with pytest.warns(ApproximationWarning):
        cut = travel_times(region, "car", use_cache=False, max_minutes=10.0)
    np.testing.assert_array_equal(cut.minutes, np.where(full.minutes <= 10.0, full.minutes, np.inf))
    with pytest.warns(ApproximationWarning):
        one = travel_times(region, "car", use_cache=False, k=1)
    assert (np.isfinite(one.minutes).sum(axis=1) == 1).all()
    np.testing.assert_array_equal(one.minutes.min(axis=1), full.minutes.min(axis=1))


def test_cache_keeps_the_marks(tmp_path: Path) -> None:
    """A cached matrix comes back with the same estimates and approximate tables."""
    region = partial_region()
    with pytest.warns(ApproximationWarning):
        first = travel_times(region, "car", cache_dir=tmp_path)
    with pytest.warns(ApproximationWarning):
        again = travel_times(region, "car", cache_dir=tmp_path)
    np.testing.assert_array_equal(first.minutes, again.minutes)
    assert again.approximate.equals(first.approximate)
    assert again.approximate_destinations.equals(first.approximate_destinations)
    assert again.parameters["approximate"] is True
    other = RoadParams(straight_line=StraightLineParams(walk_circuity=1.5))
    with pytest.warns(ApproximationWarning):
        assert (
            travel_times(region, "walk", cache_dir=tmp_path, params=other).digest
            != travel_times(region, "walk", cache_dir=tmp_path).digest
        )


def test_speeds_by_mode() -> None:
    """Walking and cycling use the RoadParams speeds; car the settlement table."""
    region = tiny_region()
    params = RoadParams(walk_speed_kph=4.2, bike_speed_kph=12.0)
    assert (straight_line_speeds(region, "walk", params) == 4.2).all()
    assert (straight_line_speeds(region, "bike", params) == 12.0).all()
    with pytest.raises(InputError, match="road modes"):
        straight_line_speeds(region, "transit", params)
