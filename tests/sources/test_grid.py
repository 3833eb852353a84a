"""Tests of the population-grid importer (0-14 / 15-64 / 65+ split into our six bands)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.errors import DataWarning
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.schema import POPULATION_COLUMNS
from palveluverkko.sources.grid import population_from_grid
from palveluverkko.sources.postal import PAAVO_COLUMNS

X0, Y0 = 430_000.0, 6_900_000.0


def _structure(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        [np.full(20, values[0]), np.full(20, values[1])],
        index=["901", "902"],
        columns=list(PAAVO_COLUMNS),
    )


def _grid(totals: list[float], bands: list[list[float]], xs: list[float]) -> gpd.GeoDataFrame:
    b = np.array(bands, dtype=float)
    return gpd.GeoDataFrame(
        {
            "grd_id": [f"g{i}" for i in range(len(totals))],
            "vaesto": totals,
            "ika_0_14": b[:, 0],
            "ika_15_64": b[:, 1],
            "ika_65_": b[:, 2],
        },
        geometry=[shapely.box(X0 + x, Y0, X0 + x + 1000, Y0 + 1000) for x in xs],
        crs="EPSG:3067",
    )


def test_hidden_bands_and_outside_cell_hand_worked() -> None:
    """A -1 cell gets its total by structure; a cell east of both municipalities goes to 902."""
    grid = _grid([100, 9, 30], [[15, 60, 25], [-1, -1, -1], [5, 20, 5]], [0, 12_000, 25_000])
    pop, report = population_from_grid(grid, tiny_region().municipalities, _structure([1, 1]))
    assert pop["municipality"].tolist() == ["901", "902", "902"]
    assert report.total_before == report.total_after == 139
    # Uniform structure: 0-14 holds 3 2/3 Paavo bands, 15-64 11 1/3, 65+ 5; 9 residents ->
    # 1.65, 5.1, 2.25 -> 2, 5, 2 (the unit left goes to the largest fraction, 0-14).
    # 0-14 = 2 over 0_6 (2 bands) / 7_17 (1 2/3): 1.09, 0.91 -> 1, 1.
    # 15-64 = 5 over 7_17 (1 1/3) / 18_64 (10): 0.59, 4.41 -> 1, 4.
    # 65+ = 2 over 2 / 2 / 1 bands: 0.8, 0.8, 0.4 -> 1, 1, 0.
    row = pop.set_index("cell_id").loc["g1", list(POPULATION_COLUMNS)].to_numpy()
    assert row.tolist() == [1, 2, 4, 1, 1, 0]
    assert report.corrected == {
        "cell in no municipality polygon, placed in the nearest": 1,
        "hidden age bands filled from the municipality's structure (total kept)": 1,
    }


def test_cell_without_total_is_counted_and_warned() -> None:
    """A cell with no total is dropped with a DataWarning and named in the report."""
    grid = _grid([100, np.nan], [[15, 60, 25], [1, 1, 1]], [0, 1000])
    with pytest.warns(DataWarning, match="1 grid cells left out"):
        pop, report = population_from_grid(grid, tiny_region().municipalities, _structure([1, 2]))
    assert len(pop) == 1
    assert report.problems[0].row == "g1"


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 25))
def test_grid_conserves_population(seed: int, n: int) -> None:
    """Whatever is hidden or inconsistent, every cell's total is kept exactly."""
    rng = np.random.default_rng(seed)
    totals = rng.integers(0, 400, size=n).astype(float)
    bands = rng.integers(-1, 200, size=(n, 3)).astype(float)
    xs = rng.uniform(-3000, 22_000, size=n).tolist()
    grid = _grid(totals.tolist(), bands.tolist(), xs)
    structure = _structure([float(rng.integers(0, 3)), float(rng.integers(1, 3))])
    pop, report = population_from_grid(grid, tiny_region().municipalities, structure)
    per_cell = pop[list(POPULATION_COLUMNS)].sum(axis=1).to_numpy()
    assert (per_cell == totals.astype(int)).all()
    assert report.conserved


def test_keski_suomi_structure_from_gpkg(shared_data: Path) -> None:
    """With KS's 2018 municipal structure, a 65+ count is split exactly over 65-74/75-84/85+."""
    path = shared_data / "regions" / "keski_suomi.gpkg"
    munis = gpd.read_file(path, layer="municipalities")
    structure = munis.set_index("kunta")[[f"{c}_2018" for c in PAAVO_COLUMNS]]
    structure.columns = list(PAAVO_COLUMNS)
    m = munis.rename(columns={"kunta": "code"})[["code", "geometry"]]
    centre = m.loc[m["code"] == "179"].geometry.iloc[0].representative_point()
    cell = gpd.GeoDataFrame(
        {"grd_id": ["c"], "vaesto": [1000], "ika_0_14": [0], "ika_15_64": [0], "ika_65_": [1000]},
        geometry=[centre.buffer(100)],
        crs=m.crs,
    )
    pop, _ = population_from_grid(cell, m, structure)
    j = munis.set_index("kunta").loc["179"]
    old = np.array([j[f"age_{b}_2018"] for b in ("65_69", "70_74", "75_79", "80_84", "85_plus")])
    expect = np.array([old[:2].sum(), old[2:4].sum(), old[4]]) / old.sum() * 1000
    got = pop.loc[0, ["pop_65_74", "pop_75_84", "pop_85_plus"]].to_numpy(dtype=float)
    assert got.sum() == 1000
    assert np.abs(got - expect).max() < 1.0
