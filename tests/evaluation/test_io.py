"""Writing an evaluation: Parquet cell tables, the wide GeoPackage layer, Excel summaries only."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from palveluverkko import evaluate
from palveluverkko.evaluation import Evaluation, write_evaluation
from palveluverkko.evaluation.io import CELL_COLUMNS, PARQUET_TABLES, wide_cells
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region

from .conftest import make_tt, manhattan_minutes


@pytest.fixture
def one_cut_off(tiny: Region) -> dict[str, TravelTimes]:
    """Car and walk on the grid; the first cell reaches no site by car."""
    car = manhattan_minutes(tiny, 60.0)
    car[0, :] = np.inf
    return {
        "car": make_tt(tiny, "car", car),
        "walk": make_tt(tiny, "walk", manhattan_minutes(tiny, 5.0)),
    }


@pytest.fixture
def written(tiny: Region, one_cut_off: dict[str, TravelTimes], tmp_path: Path) -> Evaluation:
    import warnings

    from palveluverkko.errors import UnreachableWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        ev = evaluate(tiny, travel_times=one_cut_off)
    write_evaluation(ev, tmp_path / "out")
    return ev


def test_cells_parquet_keeps_every_row_and_column(
    written: Evaluation, tiny: Region, tmp_path: Path
) -> None:
    """cells.parquet is Evaluation.cells whole (inf kept) with the cell polygons (GeoParquet)."""
    back = gpd.read_parquet(tmp_path / "out" / "cells.parquet")
    assert back.crs is not None
    assert back.crs.to_epsg() == 3067
    assert list(back.columns) == [*written.cells.columns, "geometry"]
    assert (
        len(back) == len(written.cells) == len(tiny.population) * written.cells["service"].nunique()
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.drop(columns="geometry")),
        written.cells,
        check_dtype=False,
    )
    assert np.isinf(back["car_minutes"]).sum() == back["service"].nunique()  # the cut-off cell
    residents = back.groupby("service")["residents"].sum()
    assert np.allclose(residents, tiny.total_population)
    # each row's polygon is its own cell's
    own = tiny.population.set_index("cell_id").geometry
    expected = gpd.GeoSeries(
        own.reindex(back["cell_id"]).to_numpy(), index=back.index, crs=back.crs
    )
    assert back.geometry.geom_equals(expected).all()


def test_geopackage_cells_layer_is_one_feature_per_cell(
    written: Evaluation, tiny: Region, tmp_path: Path
) -> None:
    """The cells layer: a feature per cell, a column per service x figure, NULL for inf."""
    layer = gpd.read_file(tmp_path / "out" / "results.gpkg", layer="cells")
    assert len(layer) == len(tiny.population)
    assert layer["cell_id"].is_unique
    assert np.isclose(layer["residents"].sum(), tiny.total_population)
    services = list(dict.fromkeys(written.cells["service"]))
    figures = [c for c in written.cells.columns if c not in CELL_COLUMNS and c != "service"]
    expected = [
        *CELL_COLUMNS,
        *(f"{s}__{f}" for s in services for f in [*figures, "car_reachable"]),
        "geometry",
    ]
    assert list(layer.columns) == expected
    first = tiny.population["cell_id"].iloc[0]
    row = layer.set_index("cell_id").loc[first]
    for s in services:
        assert not row[f"{s}__car_reachable"]
        assert pd.isna(row[f"{s}__car_minutes"])
    reachable = layer.set_index("cell_id").drop(index=first)
    assert reachable[f"{services[0]}__car_reachable"].all()
    # the values are those of the long table
    long = written.cells.set_index(["cell_id", "service"])
    for s in services:
        got = reachable[f"{s}__car_minutes"].to_numpy()
        want = long.xs(s, level="service")["car_minutes"].reindex(reachable.index).to_numpy()
        assert np.allclose(got, want, equal_nan=True)


def test_excel_and_csv_hold_only_the_summary_tables(written: Evaluation, tmp_path: Path) -> None:
    """Cell tables are Parquet only: no CSV of them, no sheet of them."""
    out = tmp_path / "out"
    sheets = set(load_workbook(out / "results.xlsx", read_only=True).sheetnames)
    assert {"summary", "municipalities", "sites", "capacity", "costs"} <= sheets
    assert not sheets & PARQUET_TABLES
    assert not [p for p in out.glob("*.csv") if p.stem in PARQUET_TABLES]
    travel = pd.read_parquet(out / "travel.parquet")
    assert len(travel) == len(written.travel)
    assert set(travel.columns) == set(written.travel.columns)
    assert len(pd.read_parquet(out / "losers.parquet")) == 0  # the base network loses no one


def test_wide_cells_of_a_cell_missing_for_a_service() -> None:
    """A cell absent for one service has empty figures there and is not reachable."""
    cells = pd.DataFrame(
        {
            "cell_id": ["a", "b", "a"],
            "municipality": ["091", "091", "091"],
            "settlement": ["city", "city", "city"],
            "service": ["x", "x", "y"],
            "residents": [3.0, 4.0, 3.0],
            "residents_75_plus": [1.0, 0.0, 1.0],
            "site_id": ["s1", "s2", "s1"],
            "car_minutes": [5.0, np.inf, 7.0],
            "approximate": [False, True, False],
        }
    )
    wide = wide_cells(cells).set_index("cell_id")
    assert list(wide.index) == ["a", "b"]
    assert wide.loc["b", "x__car_minutes"] == np.inf
    assert not wide.loc["b", "x__car_reachable"]
    assert bool(wide.loc["b", "x__approximate"])
    assert pd.isna(wide.loc["b", "y__car_minutes"])
    assert pd.isna(wide.loc["b", "y__site_id"])
    assert not wide.loc["b", "y__approximate"]
    assert not wide.loc["b", "y__car_reachable"]
    assert wide.loc["a", "y__car_minutes"] == 7.0
    assert wide["residents"].sum() == 7.0


def test_finite_blanks_infinities_and_leaves_the_frame() -> None:
    """inf and -inf become NaN in float columns only; the caller's frame is not changed."""
    from palveluverkko.evaluation.io import _finite

    frame = pd.DataFrame(
        {"a": [1.0, np.inf, -np.inf, np.nan], "b": [1, 2, 3, 4], "c": list("wxyz")}
    )
    out = _finite(frame)
    assert out["a"].isna().tolist() == [False, True, True, True]
    assert out["b"].tolist() == [1, 2, 3, 4]
    assert np.isinf(frame["a"]).sum() == 2
    clean = frame.iloc[[0, 3]]
    assert _finite(clean) is clean  # nothing to replace: no copy
