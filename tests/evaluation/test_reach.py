"""Digital reach, one-contact packages and staff before and after, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from palveluverkko import ChannelChange, Closure, Scenario, evaluate
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region


def with_broadband(tiny: Region) -> Region:
    """The tiny region with slow lines in its east (municipality 902)."""
    pop = tiny.population.copy()
    pop["broadband_mbps"] = np.where(pop["municipality"] == "902", 5.0, 300.0)
    return tiny.replace(population=pop)


def test_digital_reach_adds_up_and_names_who_is_kept_out(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """The digital table sums to the channel split; slow lines and old age keep contacts from
    the digital channel (they go to the sites); raising the share raises remote staff."""
    region = with_broadband(tiny)
    ev = evaluate(region, None, travel_times=tiny_tt)
    d = ev.digital
    per_service = d.groupby("service")["digital_per_year"].sum()
    summary = ev.summary_table.set_index("service")["digital_per_year"]
    pd.testing.assert_series_equal(
        per_service.sort_index(), summary.sort_index(), check_names=False, rtol=1e-12
    )
    assert set(d["broadband_class"]) == {">=100", "<10"}
    slow = d.loc[d["broadband_class"] == "<10", "kept_by_broadband_per_year"].sum()
    fast = d.loc[d["broadband_class"] == ">=100", "kept_by_broadband_per_year"].sum()
    assert slow > 0
    assert fast == pytest.approx(0.0, abs=1e-9)
    old = d.loc[d["band"] == "85_plus", "kept_by_age_per_year"].sum()
    young = d.loc[d["band"] == "18_64", "kept_by_age_per_year"].sum()
    assert old > 0
    assert young == pytest.approx(0.0, abs=1e-9)
    more = evaluate(
        region,
        Scenario(channel_changes=(ChannelChange("vastaanotto", 0.7),)),
        travel_times=tiny_tt,
    )
    assert more.digital["remote_staff_fte"].sum() > d["remote_staff_fte"].sum()
    cost = more.costs.loc[more.costs["component"] == "digital_staff", "cost_eur"]
    assert (cost > 0).all()


def test_one_contact_package_by_hand(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """In the tiny region only s1 offers the whole package (outpatient and dental): the county
    row's shares are those of the car time to s1, and share_nearest_full is the residents whose
    nearest outpatient site is s1."""
    ev = evaluate(tiny, None, travel_times=tiny_tt)
    p = ev.packages.set_index(["level", "group"])
    county = p.loc[("county", "")]
    to_s1 = tiny_tt["car"].minutes[:, 0].astype(float)
    residents = ev.cells.loc[ev.cells["service"] == "vastaanotto", "residents"].to_numpy()
    assert county["share_within_30_car"] == pytest.approx(
        residents[to_s1 <= 30].sum() / residents.sum()
    )
    near = ev.cells.loc[ev.cells["service"] == "vastaanotto", "site_id"].to_numpy() == "s1"
    assert county["share_nearest_full"] == pytest.approx(residents[near].sum() / residents.sum())
    assert county["package"] == "vastaanotto+hammashoito"


def test_staff_before_and_after(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """A closure that moves capacity moves the closed site's staff to the substitute: per site
    the change is stated and the total is conserved."""
    ev = evaluate(tiny, Scenario(closures=(Closure("s3", "s2"),)), travel_times=tiny_tt)
    staff = ev.staff.set_index("site_id")
    assert staff.at["s3", "staff_fte_scenario"] == 0.0
    assert staff.at["s3", "staff_fte_change"] == -1.0
    assert staff.at["s2", "staff_fte_change"] == 1.0
    assert staff["staff_fte_change"].sum() == pytest.approx(0.0)


def test_one_roof_counts_sites_within_the_radius() -> None:
    """A dental clinic 300 m from an outpatient site makes both a full-package place; one
    700 m away does not (PACKAGE_RADIUS_M = 500 m); a site offering all of it alone counts."""
    from palveluverkko.evaluation.reach import PACKAGE_RADIUS_M, _full_package

    assert PACKAGE_RADIUS_M == 500.0
    # services (outpatient, dental) x sites: a outpatient, b dental 300 m east, c dental 700 m
    # west of a, d both
    offers = np.array([[True, False, False, True], [False, True, True, True]])
    xy = np.array([[0.0, 0.0], [300.0, 0.0], [-700.0, 0.0], [5000.0, 0.0]])
    assert _full_package(offers, xy).tolist() == [True, True, False, True]
    assert _full_package(offers[:, :0], xy[:0]).tolist() == []
