"""Scenario.apply split by kind of entry: each applier alone, and their order."""

from __future__ import annotations

import pytest

from palveluverkko import CapacityChange, ChannelChange, Closure, Conversion, Scenario
from palveluverkko.errors import ScenarioError
from palveluverkko.region.examples import tiny_region
from palveluverkko.scenario.apply import (
    APPLIERS,
    Work,
    apply_capacity_changes,
    apply_channel_changes,
    apply_closures,
    apply_conversions,
)


def figures(work: Work, site: str, service: str) -> tuple[float, float]:
    row = work.site_services.loc[work.rows_of(site, service)].iloc[0]
    return float(row["capacity_per_week"]), float(row["staff_fte"])


def test_order_of_the_appliers() -> None:
    """Openings first (others may refer to new sites), conversions before closures (a
    substitute may be given a service), policy last."""
    assert [name for name, _ in APPLIERS] == [
        "open",
        "convert",
        "capacity",
        "close",
        "channels",
        "mobile_unit",
        "ems_station",
        "policy",
    ]


def test_closure_alone_moves_capacity_to_the_substitute() -> None:
    """apply_closures removes the site and adds its capacity and staff to the substitute's."""
    region = tiny_region()
    sc = Scenario(closures=(Closure("s3", "s2"),))
    work = Work.of(region, sc)
    apply_closures(sc, work)
    assert "s3" not in set(work.sites["site_id"])
    assert figures(work, "s2", "vastaanotto") == (190.0, 6.0)


def test_conversion_then_capacity_alone() -> None:
    """A conversion that adds a service needs its figures; a capacity change then sets them."""
    region = tiny_region()
    sc = Scenario(
        conversions=(
            Conversion(
                "s2",
                services=("vastaanotto", "hammashoito"),
                capacity_per_week={"hammashoito": 30.0},
                staff_fte={"hammashoito": 1.0},
            ),
        ),
        capacity_changes=(CapacityChange("s2", "hammashoito", capacity_per_week=45.0),),
    )
    work = Work.of(region, sc)
    apply_conversions(sc, work)
    assert figures(work, "s2", "hammashoito") == (30.0, 1.0)
    apply_capacity_changes(sc, work)
    assert figures(work, "s2", "hammashoito") == (45.0, 1.0)


def test_channel_change_alone_and_its_checks() -> None:
    """A digital share for all bands replaces the catalogue's; a share above 1 is refused."""
    region = tiny_region()
    sc = Scenario(channel_changes=(ChannelChange("vastaanotto", 0.6),))
    work = Work.of(region, sc)
    apply_channel_changes(sc, work)
    svc = work.services.set_index("service")
    assert svc.at["vastaanotto", "digital_share"] == 0.6
    bad = Scenario(channel_changes=(ChannelChange("vastaanotto", 1.5),))
    with pytest.raises(ScenarioError, match=r"outside 0\.\.1"):
        apply_channel_changes(bad, Work.of(region, bad))


def test_apply_equals_the_appliers_in_order() -> None:
    """Scenario.apply gives the layers the appliers build one after another."""
    region = tiny_region()
    sc = Scenario(
        closures=(Closure("s3", "s2"),),
        capacity_changes=(CapacityChange("s1", "vastaanotto", staff_fte=13.0),),
    )
    work = Work.of(region, sc)
    for _, applier in APPLIERS:
        applier(sc, work)
    out = sc.apply(region)
    assert out.site_services.equals(work.site_services)
    assert out.sites["site_id"].tolist() == work.sites["site_id"].tolist()
