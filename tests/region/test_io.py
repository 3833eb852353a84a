"""Writing and reading region packages keeps every value."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from palveluverkko import GtfsFeed, Policy, Region, RegionMeta, read_region, write_region
from palveluverkko.errors import ValidationError
from palveluverkko.region import CostParams
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.schema import POPULATION_COLUMNS

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=20)
counts = st.integers(
    min_value=0, max_value=800
)  # within the plausibility bounds (region/checks.py)
money = st.floats(min_value=0, max_value=4e8, allow_nan=False)  # below the warning limit
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)))


def assert_region_equal(a: Region, b: Region) -> None:
    for name in (
        "municipalities",
        "population",
        "sites",
        "site_services",
        "services",
        "projection",
        "roads",
        "water",
    ):
        left, right = getattr(a, name), getattr(b, name)
        assert (left is None) == (right is None), name
        if left is not None:
            assert_frame_equal(
                pd.DataFrame(left).reset_index(drop=True),
                pd.DataFrame(right).reset_index(drop=True),
                check_like=True,
                obj=name,
            )
    assert (a.name, a.crs, a.base_year, a.policy, a.meta, a.costs) == (
        b.name,
        b.crs,
        b.base_year,
        b.policy,
        b.meta,
        b.costs,
    )
    assert [(f.name, f.data) for f in a.gtfs] == [(f.name, f.data) for f in b.gtfs]


@st.composite
def regions(draw: st.DrawFn) -> Region:
    """The tiny region with drawn values in every column type the format has."""
    base = tiny_region()
    n_cells, n_sites = len(base.population), len(base.sites)
    pop = base.population.copy()
    for column in POPULATION_COLUMNS:
        pop[column] = np.array(draw(st.lists(counts, min_size=n_cells, max_size=n_cells)))
    pop[POPULATION_COLUMNS[2]] += 1  # never all zero
    pop["settlement"] = pd.Series(
        draw(st.lists(st.one_of(st.none(), text), min_size=n_cells, max_size=n_cells)),
        dtype="str",
    )
    pop["broadband_mbps"] = draw(
        st.lists(
            st.one_of(st.just(np.nan), st.floats(0, 1e4, allow_nan=False)),
            min_size=n_cells,
            max_size=n_cells,
        )
    )
    pop["extra_note"] = pd.Series(
        draw(st.lists(text, min_size=n_cells, max_size=n_cells)), dtype="str"
    )
    sites = base.sites.copy()
    sites["name"] = pd.Series(draw(st.lists(text, min_size=n_sites, max_size=n_sites)), dtype="str")
    sites["condition"] = pd.array(
        draw(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=n_sites, max_size=n_sites)),
        dtype="Int64",
    )
    sites["annual_cost_eur"] = draw(st.lists(money, min_size=n_sites, max_size=n_sites))
    sites["lease_end"] = pd.to_datetime(
        pd.Series(draw(st.lists(dates, min_size=n_sites, max_size=n_sites)), dtype=object)
    ).astype("datetime64[ms]")
    munis = base.municipalities.copy()
    munis["name_sv"] = pd.Series(
        draw(st.lists(st.one_of(st.none(), text), min_size=2, max_size=2)), dtype="str"
    )
    roads = base.roads
    assert roads is not None
    roads = roads.copy()
    roads["oneway"] = np.array(
        draw(st.lists(st.booleans(), min_size=len(roads), max_size=len(roads)))
    )
    projection = pd.DataFrame(
        {
            "municipality": ["901", "902"],
            "year": [2025, 2030],
            "band": ["75_84", "85_plus"],
            "factor": draw(st.lists(st.floats(0, 3, allow_nan=False), min_size=2, max_size=2)),
        }
    )
    return base.replace(
        name=draw(text.filter(lambda s: s.strip() != "")),
        population=pop,
        sites=sites,
        municipalities=munis,
        roads=roads,
        projection=projection,
        policy=Policy(
            access_target_days=draw(st.floats(1, 365, allow_nan=False)),
            travel_time_threshold_min=draw(st.floats(1, 120, allow_nan=False)),
            one_physical_site_per_municipality=draw(st.booleans()),
        ),
        meta=RegionMeta(
            synthetic=draw(st.booleans()),
            description=draw(text),
            credits=tuple(draw(st.lists(text, max_size=3))),
        ),
        gtfs=(GtfsFeed("feed", draw(st.binary(min_size=1, max_size=64))),),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(region=regions())
def test_write_read_round_trip_keeps_every_value(region: Region) -> None:
    """write_region then read_region returns equal layers, metadata, policy and feeds."""
    with tempfile.TemporaryDirectory() as folder:
        write_region(region, Path(folder) / "r")
        back = read_region(Path(folder) / "r")
    assert_region_equal(region, back)


def test_round_trip_of_the_tiny_region(tmp_path: Path) -> None:
    """The example region survives a round trip unchanged, twice."""
    region = tiny_region()
    once = read_region(write_region(region, tmp_path / "a"))
    twice = read_region(write_region(once, tmp_path / "b"))
    assert_region_equal(region, once)
    assert_region_equal(once, twice)
    assert "SYNTHETIC" in (tmp_path / "a" / "region.toml").read_text()


def test_costs_round_trip_and_reach_the_cost_table(tmp_path: Path) -> None:
    """[costs] values survive writing and reading; only those changed are written."""
    costs = CostParams(
        staff_eur_per_fte_year=70_000.0,
        kela_services=("vastaanotto",),
        investment_due_after_years={1: 2, 2: 4},
        investment_years=30,
    )
    path = write_region(tiny_region().replace(costs=costs), tmp_path / "r")
    toml = (path / "region.toml").read_text("utf-8")
    assert "[costs]" in toml
    assert "car_eur_per_km" not in toml  # a default is not written
    assert read_region(path).costs == costs
    plain = write_region(tiny_region(), tmp_path / "plain")
    assert "[costs]" not in (plain / "region.toml").read_text("utf-8")


def test_write_refuses_an_invalid_region(tmp_path: Path) -> None:
    """A region with errors is not written."""
    region = tiny_region()
    pop = region.population.copy()
    pop.loc[0, "pop_0_6"] = -5
    with pytest.raises(ValidationError, match=r"population\.pop_0_6 \[row c0\]"):
        write_region(region.replace(population=pop), tmp_path / "bad")
    assert not (tmp_path / "bad" / "region.toml").exists()


def test_write_refuses_to_overwrite_when_asked(tmp_path: Path) -> None:
    """overwrite=False keeps an existing package."""
    write_region(tiny_region(), tmp_path / "r")
    with pytest.raises(FileExistsError, match="already holds a region package"):
        write_region(tiny_region(), tmp_path / "r", overwrite=False)


def test_points_and_polygons_both_allowed_for_cells(tmp_path: Path) -> None:
    """Population cells may be polygons (e.g. postal areas); totals survive the round trip."""
    region = tiny_region()
    pop = region.population.copy()
    pop["geometry"] = shapely.buffer(pop.geometry.to_numpy(), 125, cap_style="square")
    back = read_region(write_region(region.replace(population=pop), tmp_path / "poly"))
    assert back.total_population == region.total_population
    assert (back.population.geometry.geom_type == "Polygon").all()
