"""Synthetic road layers and regions for the road-network tests (seeded, small, hand-checkable)."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region
from palveluverkko.region.schema import AGE_BANDS

CRS = "EPSG:3067"
X0, Y0 = 400_000.0, 6_800_000.0


def make_grid_roads(
    nx_: int,
    ny: int,
    spacing_m: float,
    *,
    seed: int = 0,
    oneway_share: float = 0.0,
    drop_share: float = 0.0,
    speeds: tuple[float, ...] = (30.0, 50.0, 80.0),
    road_class: str = "residential",
    origin: tuple[float, float] = (X0, Y0),
) -> gpd.GeoDataFrame:
    """A grid of two-point road lines; random speeds, some oneways, some lines removed (holes)."""
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(nx_):
        for j in range(ny):
            x, y = origin[0] + i * spacing_m, origin[1] + j * spacing_m
            if i + 1 < nx_:
                lines.append(((x, y), (x + spacing_m, y)))
            if j + 1 < ny:
                lines.append(((x, y), (x, y + spacing_m)))
    arr = np.array(lines)
    keep = rng.random(len(arr)) >= drop_share
    arr = arr[keep]
    flip = rng.random(len(arr)) < 0.5  # oneway direction either way
    arr[flip] = arr[flip][:, ::-1]
    return gpd.GeoDataFrame(
        {
            "speed_kph": rng.choice(np.array(speeds), size=len(arr)),
            "oneway": rng.random(len(arr)) < oneway_share,
            "road_class": [road_class] * len(arr),
        },
        geometry=shapely.linestrings(arr),
        crs=CRS,
    )


def make_region(
    roads: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    sites_xy: np.ndarray,
    *,
    residents: np.ndarray | None = None,
) -> Region:
    """A region with the given roads, population cells and sites (other layers from tiny)."""
    base = tiny_region()
    n = len(cells_xy)
    res = np.full(n, 10, dtype=np.int64) if residents is None else residents
    population = gpd.GeoDataFrame(
        {
            "cell_id": [f"c{i}" for i in range(n)],
            "municipality": ["901"] * n,
            **{f"pop_{b}": (res if b == "18_64" else np.zeros(n, np.int64)) for b in AGE_BANDS},
        },
        geometry=shapely.points(np.asarray(cells_xy, dtype=float)),
        crs=CRS,
    )
    m = len(sites_xy)
    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"s{j}" for j in range(m)],
            "name": [f"Site {j}" for j in range(m)],
            "municipality": ["901"] * m,
            "kind": ["sote_asema"] * m,
            "floor_area_m2": [100.0] * m,
            "condition": pd.array([3] * m, dtype="Int64"),
            "annual_cost_eur": [1.0] * m,
            "lease_end": pd.to_datetime([None] * m).astype("datetime64[ms]"),
            "investment_need_eur": [0.0] * m,
        },
        geometry=shapely.points(np.asarray(sites_xy, dtype=float)),
        crs=CRS,
    )
    return base.replace(population=population, sites=sites, roads=roads, roads_pbf=None)


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every travel-time cache these tests write out of the user's home folder."""
    monkeypatch.setenv("PALVELUVERKKO_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def grid_roads() -> Callable[..., gpd.GeoDataFrame]:
    """Factory of grid road layers (see :func:`make_grid_roads`)."""
    return make_grid_roads


@pytest.fixture
def region_with() -> Callable[..., Region]:
    """Factory of regions from roads, cell and site coordinates (see :func:`make_region`)."""
    return make_region
