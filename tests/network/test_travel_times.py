"""travel_times: hand-worked values, networkx reference, cutoff, k nearest, cache, unreachable."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import palveluverkko.network as network_pkg
from palveluverkko.errors import InputError, UnreachableWarning
from palveluverkko.network import (
    Destinations,
    RoadNetwork,
    RoadParams,
    TransitParams,
    TravelTimes,
    snap,
    travel_times,
)
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region

from .conftest import X0, Y0, make_grid_roads, make_region

# the submodule (the package attribute of the same name is the function)
tt_module = importlib.import_module("palveluverkko.network.routing")


def reference_matrix(region: Region, mode: str) -> np.ndarray:
    """The matrix by networkx on the same graph and links: fl32((d + cell access) + site access)."""
    net = RoadNetwork.for_region(region, mode)
    cells = snap(net, region.cell_points())
    sites = snap(net, region.site_points())
    frame = net.edge_frame()
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    g.add_weighted_edges_from(zip(frame.v, frame.u, frame.minutes, strict=True))  # reversed
    out = np.full((len(cells), len(sites)), np.inf, dtype=np.float32)
    for j in np.flatnonzero(sites.ok):
        dist = nx.single_source_dijkstra_path_length(g, int(sites.node[j]))
        for i in np.flatnonzero(cells.ok):
            d = dist.get(int(cells.node[i]), np.inf)
            out[i, j] = (d + cells.access_minutes[i]) + sites.access_minutes[j]
    return out


def random_region(seed: int, n_cells: int = 60, n_sites: int = 6) -> Region:
    """A 15 x 15 grid (200 m) with oneways and holes, random cells and sites over it."""
    rng = np.random.default_rng(seed)
    roads = make_grid_roads(15, 15, 200.0, seed=seed, oneway_share=0.3, drop_share=0.2)
    cells = rng.uniform([X0 - 300, Y0 - 300], [X0 + 3100, Y0 + 3100], (n_cells, 2))
    sites = rng.uniform([X0, Y0], [X0 + 2800, Y0 + 2800], (n_sites, 2))
    return make_region(roads, cells, sites)


def quiet(region: Region, mode: str = "car", **kwargs: object) -> TravelTimes:
    """travel_times without cache, with unreachable warnings allowed."""
    with _MaybeWarns():
        return travel_times(region, mode, use_cache=False, **kwargs)  # type: ignore[arg-type]


class _MaybeWarns:
    """Context manager that tolerates UnreachableWarning only."""

    def __enter__(self) -> None:
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", UnreachableWarning)

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


def test_tiny_region_car_by_hand() -> None:
    """Tiny region, car: 1 km access at 20 km/h (3 min) + Manhattan road km at 60 km/h (1/min)."""
    tt = travel_times(tiny_region(), "car", use_cache=False)
    # c0 (1,1) km -> s1 (4,4): 3 min access, then from (1,0) 3 + 4 km = 7 min: 10
    # c5 (19,1) -> s3 (18,2): 3 + from (19,0): 1 + 2 km = 6
    expected = np.array(
        [
            [10, 20, 22],
            [6, 14, 22],
            [6, 10, 18],
            [10, 6, 14],
            [18, 8, 12],
            [22, 16, 6],
        ],
        dtype=np.float32,
    )
    np.testing.assert_allclose(tt.minutes, expected, rtol=1e-6)
    assert tt.minutes.dtype == np.float32
    assert tt.cell_ids.tolist() == [f"c{i}" for i in range(6)]
    assert tt.site_ids.tolist() == ["s1", "s2", "s3"]
    assert tt.percentiles == {}
    assert len(tt.unreachable) == 0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["car", "walk", "bike"]))
def test_matrix_equals_networkx_exactly(seed: int, mode: str) -> None:
    """On random grids with oneways and holes the matrix equals networkx's, bit for bit."""
    region = random_region(seed)
    got = quiet(region, mode)
    np.testing.assert_array_equal(got.minutes, reference_matrix(region, mode))


def test_max_minutes_masks_exactly() -> None:
    """With max_minutes the matrix is the full one with every entry above the cutoff set to inf."""
    region = random_region(5)
    full = quiet(region).minutes
    cut = quiet(region, max_minutes=6.0).minutes
    np.testing.assert_array_equal(cut, np.where(full <= 6.0, full, np.inf))


@pytest.mark.parametrize("k", [1, 3])
def test_k_nearest_matches_full_matrix(k: int) -> None:
    """The k form keeps exactly each cell's k smallest times (to float32 rounding), others inf."""
    region = random_region(11, n_sites=8)
    full = quiet(region).minutes
    knn = quiet(region, k=k).minutes
    assert (np.isfinite(knn).sum(axis=1) == np.minimum(k, np.isfinite(full).sum(axis=1))).all()
    best = np.sort(full, axis=1)[:, :k]
    got = np.sort(knn, axis=1)[:, :k]
    np.testing.assert_allclose(got, best, rtol=1e-6)
    kept = np.isfinite(knn)
    np.testing.assert_allclose(knn[kept], full[kept], rtol=1e-6)


def test_nearest_and_to_frame() -> None:
    """nearest() gives each cell's best sites in order; to_frame lists the finite pairs."""
    tt = travel_times(tiny_region(), "car", use_cache=False)
    idx, minutes = tt.nearest(2)
    assert idx[0].tolist() == [0, 1]
    np.testing.assert_allclose(minutes[0], [10, 20])
    frame = tt.to_frame(max_minutes=10)
    assert len(frame) == int((tt.minutes <= 10).sum())
    assert frame.columns.tolist() == ["cell_id", "destination_id", "minutes"]
    assert set(frame.query("cell_id == 'c2'").destination_id) == {"s1", "s2"}


def test_unreachable_cells_counted_with_residents() -> None:
    """With the straight-line fallback off, a cell 5 km from any road is inf, listed with its
    residents, and a warning counts it."""
    roads = make_grid_roads(5, 5, 200.0)
    region = make_region(
        roads,
        np.array([[X0 + 100, Y0 + 100], [X0 + 5000, Y0 + 5000]]),
        np.array([[X0, Y0]]),
        residents=np.array([7, 42]),
    )
    with pytest.warns(UnreachableWarning, match=r"1 cell\(s\) with 42 residents"):
        tt = travel_times(region, "walk", use_cache=False, params=RoadParams(straight_line=None))
    assert np.isfinite(tt.minutes[0, 0])
    assert np.isinf(tt.minutes[1]).all()
    assert tt.unreachable.to_dict("records") == [
        {"cell_id": "c1", "municipality": "901", "residents": 42, "reason": "no_road_within_limit"}
    ]


def test_unreachable_site_is_reported() -> None:
    """With the fallback off, a site that cannot be linked gives an inf column and a warning
    naming it."""
    roads = make_grid_roads(5, 5, 200.0)
    region = make_region(roads, np.array([[X0, Y0]]), np.array([[X0, Y0], [X0 + 9000, Y0]]))
    with pytest.warns(UnreachableWarning, match=r"1 destination\(s\).*s1 \(no_road_within_limit\)"):
        tt = travel_times(region, "car", use_cache=False, params=RoadParams(straight_line=None))
    assert np.isinf(tt.minutes[:, 1]).all()
    assert tt.unreachable_destinations.destination_id.tolist() == ["s1"]
    assert tt.unreachable_destinations.kind.tolist() == ["site"]


def island_region(with_ferry: bool) -> Region:
    """A 10 x 5 mainland grid; a 4 x 4 island grid 700 m north (all 50 km/h); maybe a ferry."""
    main = make_grid_roads(10, 5, 200.0, speeds=(50.0,))
    island = make_grid_roads(4, 4, 200.0, speeds=(50.0,), origin=(X0, Y0 + 1500.0))
    parts = [main, island]
    if with_ferry:
        ferry = gpd.GeoDataFrame(
            {
                "speed_kph": [12.0],
                "oneway": [False],
                "road_class": ["ferry"],
                "ferry_wait_min": [8.0],
            },
            geometry=[shapely.LineString([(X0 + 400, Y0 + 800), (X0 + 400, Y0 + 1500)])],
            crs=main.crs,
        )
        parts.append(ferry)
    roads = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=main.crs)
    # the cell is on the island, 900 m from the nearest mainland node: within the 1 km limit
    return make_region(roads, np.array([[X0 + 400, Y0 + 1700]]), np.array([[X0 + 400, Y0 + 400]]))


def test_island_without_ferry_is_unreachable() -> None:
    """A cell on an island without a ferry is unreachable (separate network), not linked across."""
    with pytest.warns(UnreachableWarning, match="separate_network"):
        tt = travel_times(island_region(False), "car", use_cache=False)
    assert tt.unreachable.reason.tolist() == ["separate_network"]
    assert np.isinf(tt.minutes).all()


def test_island_with_ferry_adds_crossing_and_wait() -> None:
    """With a ferry: 200 + 400 m of road at 50 km/h + 700 m at 12 km/h + 8 min wait."""
    tt = travel_times(island_region(True), "car", use_cache=False)
    assert len(tt.unreachable) == 0
    expected = 600 / (50_000 / 60) + 700 / (12_000 / 60) + 8.0
    assert tt.minutes[0, 0] == pytest.approx(expected, rel=1e-6)


def test_cache_hit_and_invalidation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repeat call reads the cache; moving a site or changing a road recomputes."""
    region = random_region(2)
    first = quiet_cached(region, tmp_path)
    assert len(list((tmp_path / "travel_times").glob("car-*.npz"))) == 1

    def boom(*args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("recomputed although cached")

    monkeypatch.setattr(tt_module, "road_matrix", boom)
    again = quiet_cached(region, tmp_path)
    np.testing.assert_array_equal(again.minutes, first.minutes)
    assert again.digest == first.digest
    assert again.cell_ids.tolist() == first.cell_ids.tolist()
    pd.testing.assert_frame_equal(again.unreachable, first.unreachable)
    monkeypatch.undo()
    moved_sites = region.sites.copy()
    moved_sites.geometry = moved_sites.geometry.translate(10.0, 0.0)
    moved = quiet_cached(region.replace(sites=moved_sites), tmp_path)
    assert moved.digest != first.digest
    slower = region.roads.copy()
    slower.loc[0, "speed_kph"] = 5.0
    assert quiet_cached(region.replace(roads=slower), tmp_path).digest not in {
        first.digest,
        moved.digest,
    }
    assert quiet_cached(region, tmp_path, max_minutes=5.0).digest != first.digest
    assert len(list((tmp_path / "travel_times").glob("car-*.npz"))) == 4


def quiet_cached(region: Region, folder: Path, **kwargs: object) -> TravelTimes:
    """travel_times with the cache in ``folder``."""
    with _MaybeWarns():
        return travel_times(region, "car", cache_dir=folder, **kwargs)  # type: ignore[arg-type]


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PALVELUVERKKO_CACHE_DIR chooses the default cache folder."""
    monkeypatch.setenv("PALVELUVERKKO_CACHE_DIR", str(tmp_path / "env"))
    travel_times(tiny_region(), "walk")
    assert len(list((tmp_path / "env" / "travel_times").glob("walk-*.npz"))) == 1


def test_progress_reports_completion() -> None:
    """The progress callback ends with done == total > 0."""
    calls: list[tuple[int, int]] = []
    travel_times(tiny_region(), "car", use_cache=False, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1][0] == calls[-1][1] > 0


def test_bad_arguments() -> None:
    """Unknown modes, k < 1 and negative cutoffs are errors that name the choices; options are
    the fields of the parameter dataclasses (an unknown one is a TypeError there)."""
    region = tiny_region()
    with pytest.raises(InputError, match="mode 'boat' is unknown"):
        travel_times(region, "boat", use_cache=False)
    with pytest.raises(TypeError, match="speed_limit"):
        RoadParams(speed_limit=3)  # type: ignore[call-arg]
    with pytest.raises(InputError, match="k must be >= 1"):
        travel_times(region, "car", use_cache=False, k=0)
    with pytest.raises(InputError, match="max_minutes must be >= 0"):
        travel_times(region, "car", use_cache=False, max_minutes=-1)


def test_options_change_result() -> None:
    """Mode options reach the network and the links (slower walking, longer access)."""
    region = tiny_region()
    base = travel_times(region, "walk", use_cache=False).minutes
    slow = travel_times(
        region,
        "walk",
        use_cache=False,
        params=RoadParams(walk_speed_kph=2.1, access_speed_kph=2.1),
    )
    np.testing.assert_allclose(slow.minutes, base * 2, rtol=1e-6)  # half of 4.2 km/h


def test_transit_is_delegated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """mode='transit' calls transit_travel_times with the walk network; k and the cache apply."""
    region = tiny_region()
    seen: dict[str, object] = {}

    def fake(
        region: Region,
        *,
        walk_network: RoadNetwork,
        to: Destinations,
        params: TransitParams,
        progress: object = None,
    ) -> TravelTimes:
        seen["mode"] = walk_network.mode
        seen["date"] = str(params.date)
        n, m = len(region.population), len(region.sites)
        minutes = np.arange(n * m, dtype=np.float32).reshape(n, m)
        return TravelTimes(
            mode="transit",
            minutes=minutes,
            cell_ids=region.population.cell_id.to_numpy(dtype=object),
            to=to,
            percentiles={10: minutes - 1, 90: minutes + 1},
            parameters={"departure": "08:00"},
        )

    module = types.ModuleType("palveluverkko.network.transit")
    module.transit_travel_times = fake  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "palveluverkko.network.transit", module)
    monkeypatch.setattr(network_pkg, "transit", module, raising=False)
    params = TransitParams(date="2021-10-05")
    tt = travel_times(region, "transit", k=1, cache_dir=tmp_path, params=params)
    assert seen == {"mode": "walk", "date": "2021-10-05"}
    assert np.isfinite(tt.minutes).sum(axis=1).tolist() == [1] * 6
    assert tt.minutes[:, 0].tolist() == [0, 3, 6, 9, 12, 15]
    assert sorted(tt.percentiles) == [10, 90]
    assert tt.parameters["departure"] == "08:00"
    again = travel_times(region, "transit", k=1, cache_dir=tmp_path, params=params)
    assert again.digest == tt.digest
    np.testing.assert_array_equal(again.percentiles[90], tt.percentiles[90])
    assert (
        travel_times(
            region, "transit", k=1, cache_dir=tmp_path, params=TransitParams(date="2021-10-06")
        ).digest
        != tt.digest
    )


def test_shape_checked() -> None:
    """A TravelTimes whose matrix does not match its ids is refused."""
    with pytest.raises(InputError, match=r"expected \(n_cells, n_destinations\) = \(2, 1\)"):
        TravelTimes(
            "car",
            np.zeros((1, 1), np.float32),
            np.array(["a", "b"]),
            Destinations.from_points(["s"], [[0.0, 0.0]]),
        )


def test_nearest_sites_compact_form() -> None:
    """nearest_sites gives the same k nearest (index and time) as the full matrix's nearest()."""
    from palveluverkko.network.matrix import nearest_sites

    region = random_region(4, n_sites=7)
    full = quiet(region)
    net = RoadNetwork.for_region(region, "car")
    cells, sites = snap(net, region.cell_points()), snap(net, region.site_points())
    site_of, minutes = nearest_sites(net, cells, sites, 2)
    ref_idx, ref_min = full.nearest(2)
    np.testing.assert_allclose(minutes, ref_min, rtol=1e-6)
    unique_best = np.isfinite(ref_min[:, 1]) & (ref_min[:, 1] - ref_min[:, 0] > 1e-3)
    np.testing.assert_array_equal(site_of[unique_best], ref_idx[unique_best])
    assert (site_of[~cells.ok] == -1).all()


def test_slower_walkers_of_75_plus() -> None:
    """The 75+ walking matrix (RoadParams.for_band) is the default one scaled by 4.2 / 3.0:
    every leg, access included, is walked at the band's speed."""
    region = tiny_region()
    params = RoadParams(walk_speed_75_plus_kph=3.0)
    base = travel_times(region, "walk", use_cache=False, params=params)
    old = travel_times(region, "walk", use_cache=False, params=params.for_band("85_plus"))
    np.testing.assert_allclose(old.minutes, base.minutes * 4.2 / 3.0, rtol=1e-5)
    assert old.parameters["params"]["walk_speed_kph"] == 3.0
    assert base.parameters["params"]["walk_speed_75_plus_kph"] == 3.0
