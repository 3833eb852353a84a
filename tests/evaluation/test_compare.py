"""compare(): council-page figures; writing GeoPackage, CSV and Excel."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from palveluverkko import Closure, Scenario, compare, evaluate
from palveluverkko.evaluation import write_comparison
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region

from .conftest import make_tt, manhattan_minutes


@pytest.fixture
def with_transit(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> dict[str, TravelTimes]:
    """Car, walk, and a bus at 30 km/h that does not reach s2 at all."""
    bus = manhattan_minutes(tiny, 30.0) + 10.0
    bus[:, 1] = np.inf
    return {**tiny_tt, "transit": make_tt(tiny, "transit", bus)}


def test_compare_closure(tiny: Region, with_transit: dict[str, TravelTimes]) -> None:
    """Closing s3 with substitute s2: 45 residents (10 aged 75+) lose their site; no bus to s2."""
    base = evaluate(tiny, travel_times=with_transit)
    other = evaluate(
        tiny, Scenario(name="B", closures=(Closure("s3", "s2"),)), travel_times=with_transit
    )
    cmp = compare(base, other)
    a = cmp.affected.set_index("service").loc["vastaanotto"]
    assert a["residents_losing_nearest"] == 45.0
    assert a["residents_75_losing_nearest"] == 10.0
    assert a["mean_car_minutes_gained"] == pytest.approx(10.0)
    sub = cmp.substitutes.iloc[0]
    assert sub["site_id"] == "s3"
    assert sub["substitute_id"] == "s2"
    assert sub["residents"] == 45.0
    assert sub["substitute_car_minutes"] == 12.0
    assert sub["residents_no_transit_to_substitute"] == 45.0
    assert np.isnan(sub["substitute_transit_minutes"])
    acc = cmp.access.set_index(["service", "indicator"])
    assert acc.at[("vastaanotto", "mean_car_minutes"), "change"] == pytest.approx(45 * 10 / 1555)
    assert cmp.municipality_rule["scenario_keeps"].all()
    head = cmp.headline.set_index("figure")
    assert head.at["vastaanotto:residents_losing_nearest", "scenario"] == 45.0
    assert "vastaanotto:residents_losing_nearest" in cmp.summary()


def test_write_outputs(tiny: Region, with_transit: dict[str, TravelTimes], tmp_path: Path) -> None:
    """GeoPackage layers, CSVs and Excel workbooks are written and read back."""
    base = evaluate(tiny, travel_times=with_transit)
    other = evaluate(
        tiny, Scenario(name="B", closures=(Closure("s3", "s2"),)), travel_times=with_transit
    )
    files = write_comparison(compare(base, other), tmp_path)
    assert (tmp_path / "comparison.xlsx") in files
    cells = gpd.read_file(tmp_path / "scenario" / "results.gpkg", layer="cells")
    assert len(cells) == len(tiny.population)  # one feature per cell, a column per service
    assert cells.crs.to_epsg() == 3067
    assert cells[[c for c in cells.columns if c.endswith("__car_reachable")]].all(axis=None)
    sites = gpd.read_file(tmp_path / "scenario" / "results.gpkg", layer="sites")
    assert "closed" in set(sites["status"])
    munis = gpd.read_file(tmp_path / "base" / "results.gpkg", layer="municipalities")
    assert set(munis.geom_type) == {"Polygon"}
    head = pd.read_csv(tmp_path / "comparison_headline.csv")
    assert "municipalities_without_physical_site" in set(head["figure"])
    sheets = pd.read_excel(tmp_path / "base" / "results.xlsx", sheet_name=None)
    assert {"summary", "municipalities", "sites", "equity"} <= set(sheets)
    assert Scenario.from_toml(tmp_path / "scenario" / "scenario.toml").name == "B"
