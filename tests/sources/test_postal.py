"""Tests of postal-area population (sources.postal) on tiny inline areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.errors import DataWarning, InputError
from palveluverkko.sources.age_bands import PAAVO_BANDS
from palveluverkko.sources.postal import PAAVO_COLUMNS, population_from_postal
from palveluverkko.sources.report import ImportReport

X0, Y0 = 430_000.0, 6_900_000.0


def _munis() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["901", "902"], "name": ["Alakylä", "Yläkylä"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 10_000, Y0 + 10_000),
            shapely.box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000),
        ],
        crs="EPSG:3067",
    )


def _areas() -> gpd.GeoDataFrame:
    a = np.zeros((4, 20))
    a[0] = 10.0  # 200 residents, 10 in each band
    a[1, :] = 0.0
    a[1, PAAVO_BANDS.index("85_plus")] = 30.0
    a[2] = np.nan  # suppressed, total 20
    a[3] = 5.0  # straddles: named Alakylä, mostly in Yläkylä
    frame = gpd.GeoDataFrame(
        {
            "pno": ["00100", "00200", "00300", "00400"],
            "kunta": ["Alakylä", "Yläkylä", "Alakylä", "Alakylä"],
            "pop_total": [200.0, 30.0, 20.0, 100.0],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 5_000, Y0 + 5_000),
            shapely.box(X0 + 12_000, Y0, X0 + 15_000, Y0 + 5_000),
            shapely.box(X0, Y0 + 5_000, X0 + 5_000, Y0 + 10_000),
            shapely.box(X0 + 9_000, Y0 + 5_000, X0 + 19_000, Y0 + 10_000),
        ],
        crs="EPSG:3067",
    )
    for j, col in enumerate(PAAVO_COLUMNS):
        frame[col] = a[:, j]
    return frame


def test_suppressed_area_gets_municipality_structure_and_exact_total() -> None:
    """A suppressed area's 20 gets Alakylä's structure (areas 1 and 4), rounded to sum 20."""
    report = ImportReport("t")
    pop = population_from_postal(_areas(), _munis(), report=report)
    row = pop.set_index("cell_id").loc["00300"]
    # Alakylä complete areas: 10 + 5 per band = 15 per band, equal weights over 20 bands ->
    # 1 per Paavo band -> 0_6: 2, 7_17: 3, 18_64: 10, 65_74: 2, 75_84: 2, 85+: 1
    assert [int(row[c]) for c in pop.columns if c.startswith("pop_")] == [2, 3, 10, 2, 2, 1]
    assert report.total_before == report.total_after == 350
    assert (
        report.corrected[
            "suppressed age bands filled from the municipality's age structure (total kept)"
        ]
        == 1
    )


def test_straddling_area_kept_by_name_and_reported_or_moved() -> None:
    """An area named Alakylä, 90 % in Yläkylä, stays by name (warned); moves by geometry."""
    report = ImportReport("t")
    pop = population_from_postal(_areas(), _munis(), report=report)
    assert pop.set_index("cell_id").at["00400", "municipality"] == "901"
    assert any(p.row == "00400" and "most of its area" in p.message for p in report.problems)
    report2 = ImportReport("t")
    pop2 = population_from_postal(_areas(), _munis(), report=report2, placement="geometry")
    assert pop2.set_index("cell_id").at["00400", "municipality"] == "902"
    assert report2.n_corrected == 2


def test_area_without_total_is_dropped_counted_and_warned() -> None:
    """An area with no total cannot be placed: dropped, counted, DataWarning, problem names it."""
    areas = _areas()
    areas.loc[1, "pop_total"] = np.nan
    report = ImportReport("t")
    with pytest.warns(DataWarning, match="1 postal areas left out"):
        pop = population_from_postal(areas, _munis(), report=report)
    assert len(pop) == 3
    assert report.dropped == {"area without a usable total population": 1}
    assert report.problems[0].row == "00200"
    assert "30 residents" in report.problems[0].message


def test_unplaceable_area_is_an_error_naming_it() -> None:
    """An area far outside every municipality with an unknown name raises with its code."""
    areas = _areas()
    areas.loc[1, "kunta"] = "Muualla"
    areas.loc[1, "geometry"] = shapely.box(0, 0, 10, 10)
    with pytest.raises(InputError, match=r"00200.*no municipality polygon"):
        population_from_postal(areas, _munis(), report=ImportReport("t"))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_population_conserved_under_random_suppression(seed: int) -> None:
    """Random suppressed or inconsistent bands never change any area's total."""
    rng = np.random.default_rng(seed)
    areas = _areas()
    n = len(areas)
    bands = rng.integers(0, 40, size=(n, 20)).astype(float)
    bands[rng.random((n, 20)) < 0.3] = np.nan
    totals = rng.integers(0, 900, size=n).astype(float)
    for j, col in enumerate(PAAVO_COLUMNS):
        areas[col] = bands[:, j]
    areas["pop_total"] = totals
    report = ImportReport("t")
    pop = population_from_postal(areas, _munis(), report=report)
    per_area = pop[[c for c in pop.columns if c.startswith("pop_")]].sum(axis=1).to_numpy()
    assert (per_area == totals.astype(int)).all()
    assert report.conserved
