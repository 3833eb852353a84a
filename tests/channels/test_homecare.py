"""Tests of home care: sampled weekday, routes per base, staff limits, what-ifs, placement."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from palveluverkko.channels.adapters import drive_matrix
from palveluverkko.channels.check import check_home_care_plan
from palveluverkko.channels.homecare import HomeCareParams, route_base
from palveluverkko.channels.homecare_region import (
    close_base,
    compare_home_care,
    home_care_bases,
    home_care_seed_spread,
    move_base,
    place_bases,
    plan_home_care,
    sample_visits,
)
from palveluverkko.demand.catalogue import default_services
from palveluverkko.errors import UnknownIdError
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region

FAST = HomeCareParams(seconds_per_100_visits=0.1, min_seconds_per_base=0.1)


def home_care_region(rate_factor: float = 20.0) -> Region:
    """The tiny region with the default kotihoito service (rates x ``rate_factor`` so that a
    day has visits) offered at s1 (10 FTE) and s2 (6 FTE)."""
    r = tiny_region()
    home = default_services().set_index("service").loc[["kotihoito"]].reset_index()
    rate_cols = [c for c in home.columns if c.startswith("rate_")]
    home[rate_cols] = home[rate_cols] * rate_factor
    services = pd.concat([r.services, home[r.services.columns]], ignore_index=True)
    extra = pd.DataFrame(
        {
            "site_id": ["s1", "s2"],
            "service": ["kotihoito", "kotihoito"],
            "capacity_per_week": [100.0, 100.0],
            "staff_fte": [10.0, 6.0],
        }
    )
    return r.replace(
        services=services, site_services=pd.concat([r.site_services, extra], ignore_index=True)
    )


@pytest.fixture(scope="module")
def region() -> Region:
    """:func:`home_care_region` with rates x 20."""
    return home_care_region()


def test_route_base_matches_brute_force_on_one_nurse() -> None:
    """One nurse, five visits without binding windows: PyVRP's travel is the shortest tour."""
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 30, (6, 2))
    secs = (60 * np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).round().astype(np.int64)
    early, late = np.full(5, 7 * 3600), np.full(5, 14 * 3600)
    res = route_base(secs, early, late, np.array([1, 0]), FAST, seed=0)
    best = min(
        sum(secs[a, b] for a, b in itertools.pairwise((0, *p, 0)))
        for p in itertools.permutations(range(1, 6))
    )
    assert res.unvisited.size == 0
    assert int(res.routes["travel"].sum()) == best


def test_sampling_is_seeded_and_unbiased(region: Region) -> None:
    """The same seed gives the same day; the mean over seeds approaches the expected visits."""
    a = sample_visits(region, seed=3)
    b = sample_visits(region, seed=3)
    pd.testing.assert_frame_equal(a, b)
    counts = [len(sample_visits(region, seed=s)) for s in range(40)]
    from palveluverkko.channels.homecare_region import _cell_arrays

    expected = _cell_arrays(region, None)[0].sum() / 365
    assert abs(np.mean(counts) - expected) < 4 * np.sqrt(expected / 40) + 1


def test_plan_passes_the_checker_and_conserves_visits(region: Region, tmp_path: Path) -> None:
    """Every sampled visit is routed or listed; the written plan passes the checker."""
    plan = plan_home_care(region, params=FAST, seed=1)
    plan.write(tmp_path / "hc")
    assert check_home_care_plan(tmp_path / "hc") == []
    assert plan.figures["routed"] + plan.figures["not_served_staff"] + plan.figures[
        "unreachable"
    ] == len(plan.visits)
    c = plan.cells
    assert np.allclose(c["visits_per_year"], c["served_per_year"] + c["not_served_per_year"])


def test_too_few_nurses_lists_the_visits_left(region: Region, tmp_path: Path) -> None:
    """With one nurse per base, visits that do not fit are listed as not served, never lost."""
    plan = plan_home_care(region, nurses={"s1": [1, 0], "s2": [1, 0]}, params=FAST, seed=0)
    left = plan.visits.loc[plan.visits["reason"] == "staff"]
    assert len(left) > 0
    assert (left["status"] == "not_served").all()
    plan.write(tmp_path / "few")
    assert check_home_care_plan(tmp_path / "few") == []


def test_checker_catches_a_lost_visit(region: Region, tmp_path: Path) -> None:
    """Dropping a visit row from the written plan is reported."""
    plan = plan_home_care(region, params=FAST, seed=0)
    plan.write(tmp_path / "x")
    v = pd.read_csv(tmp_path / "x" / "visits.csv")
    v.iloc[1:].to_csv(tmp_path / "x" / "visits.csv", index=False)
    assert any("some are lost" in p for p in check_home_care_plan(tmp_path / "x"))


def test_unreachable_clients_are_named_by_municipality(region: Region) -> None:
    """A base moved 300 km away reaches nobody: every client counts, by municipality."""
    bases = move_base(close_base(home_care_bases(region), "s2"), "s1", 100_000.0, 7_200_000.0)
    plan = plan_home_care(region, bases=bases, params=FAST, seed=0)
    assert (plan.visits["reason"] == "unreachable").all()
    assert set(plan.unreachable["municipality"]) == {"901", "902"}
    assert plan.unreachable["clients"].sum() > 0


def test_what_if_closing_a_base_is_compared(region: Region) -> None:
    """Closing s2 and moving its staff to s1 changes travel; the comparison lists the figures."""
    before = plan_home_care(region, params=FAST, seed=2)
    after = plan_home_care(
        region,
        bases=close_base(home_care_bases(region), "s2", staff_to="s1"),
        params=FAST,
        seed=2,
    )
    table = compare_home_care(before, after)
    row = table.set_index("figure").loc["visits"]
    assert row["before"] == row["after"]  # the same sampled day
    assert table.set_index("figure").loc["travel_hours_per_day", "after"] > 0
    with pytest.raises(UnknownIdError, match="base 'zz'"):
        close_base(home_care_bases(region), "zz")


def test_place_bases_is_the_brute_force_p_median(region: Region) -> None:
    """p = 1 base among the three sites: the p-median picks the visit-weighted best site."""
    chosen = place_bases(region, 1, time_limit_s=5.0)
    from palveluverkko.channels.homecare_region import _cell_arrays

    visits = _cell_arrays(region, None)[0]
    has = visits > 0
    m = drive_matrix(region, region.site_points(), region.cell_points()[has]).minutes
    best = region.sites["site_id"].iloc[int(np.argmin(m @ visits[has]))]
    assert chosen["base_id"].tolist() == [best]
    assert chosen["staff_fte"].sum() == pytest.approx(16.0)


def test_seed_spread_states_the_sampling_error(region: Region) -> None:
    """Two seeds give a mean and a standard deviation of travel per visit for each base."""
    spread = home_care_seed_spread(region, seeds=(0, 1), params=FAST)
    assert set(spread["base_id"]) == {"s1", "s2"}
    assert (spread["travel_min_per_visit_std"].dropna() >= 0).all()
    assert {"travel_min_per_visit_mean", "fte_needed_mean"} <= set(spread.columns)


def test_visits_fall_inside_polygon_cells(region: Region) -> None:
    """With polygon cells (postal areas), every sampled visit lies inside its own polygon."""
    import shapely

    pop = region.population.copy()
    pop["geometry"] = pop.geometry.buffer(1500.0, cap_style="square")
    v = sample_visits(region.replace(population=pop), seed=5)
    poly = pop.set_index("cell_id").geometry
    assert len(v) > 0
    assert all(
        shapely.contains_xy(poly[c], x, y)
        for c, x, y in zip(v["cell_id"], v["x"], v["y"], strict=True)
    )
    assert (v.groupby("cell_id")[["x", "y"]].std().fillna(0).to_numpy() > 0).any()
