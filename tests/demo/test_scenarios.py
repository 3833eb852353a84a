"""The demo's example scenario: which sites close, their substitutes, the channel change."""

from __future__ import annotations

import pytest

from palveluverkko.demo.scenarios import example_scenario
from palveluverkko.errors import ScenarioError
from palveluverkko.region import Region
from palveluverkko.region.examples import tiny_region


def test_closes_the_worst_condition_sites_with_valid_substitutes(demo: Region) -> None:
    """The condition-1 sites close; each substitute stays open and offers all their services."""
    scenario = example_scenario(demo)
    worst = set(demo.sites.loc[demo.sites["condition"] == 1, "site_id"].astype(str))
    closed = {c.site for c in scenario.closures}
    assert closed == worst
    assert len(closed) == 3
    offers = demo.site_services.groupby("site_id")["service"].agg(set)
    kinds = demo.sites.set_index("site_id")["kind"]
    municipality = demo.sites.set_index("site_id")["municipality"]
    for c in scenario.closures:
        assert c.substitute not in closed
        assert offers[c.site] <= offers[c.substitute]
        assert kinds[c.site] != "sairaala_24h"
        assert municipality[c.site] == municipality[c.substitute]
    assert scenario.channel_changes[0].service == "vastaanotto"
    assert scenario.channel_changes[0].digital_share == pytest.approx(0.55)
    scenario.check(demo)  # the evaluator accepts it


def test_without_a_possible_substitute_raises_naming_the_site() -> None:
    """When no other site offers a closed site's services the error names that site."""
    region = tiny_region()
    sites = region.sites.copy()
    lone = str(sites["site_id"].iloc[-1])
    sites["condition"] = [1 if s == lone else 5 for s in sites["site_id"].astype(str)]
    ss = region.site_services
    lone_services = set(ss.loc[ss["site_id"] == lone, "service"])
    # no other site offers any of the lone site's services any more
    ss = ss.loc[(ss["site_id"] == lone) | ~ss["service"].isin(lone_services)]
    region = region.replace(sites=sites, site_services=ss)
    with pytest.raises(ScenarioError, match=lone):
        example_scenario(region, n_close=1)
