"""evaluate() feeds the capacity and cost models the scenario's demand, sites and travel."""

from __future__ import annotations

import pandas as pd
import pytest

from palveluverkko import Closure, Scenario, evaluate
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region


def test_capacity_and_costs_follow_the_scenario(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """Capacity rows: open sites only, weekly demand conserved, the services' targets; costs
    cover 2025-2030 with the closed site's rent gone (s3 is leased to the end of 2026)."""
    ev = evaluate(tiny, Scenario(closures=(Closure("s3", "s2"),)), travel_times=tiny_tt)
    assert ev.capacity is not None
    assert ev.costs is not None
    cap = ev.capacity
    assert "s3" not in set(cap["site_id"])
    open_rows = ev.sites.loc[ev.sites["status"].isin(["open", "new"])]
    assert cap["contacts_per_week"].sum() == pytest.approx(open_rows["contacts_per_week"].sum())
    targets = dict(zip(cap["service"], cap["access_target_days"], strict=True))
    assert targets == {"vastaanotto": 7.0, "hammashoito": 30.0}
    # s2 got s3's capacity (move_capacity) and its demand
    s2 = cap.set_index(["site_id", "service"]).loc[("s2", "vastaanotto")]
    assert s2["capacity_per_week"] == pytest.approx(190.0)
    assert list(pd.unique(ev.costs["year"])) == list(range(2025, 2031))
    premises = ev.costs.loc[ev.costs["component"] == "premises"].set_index("year")["cost_eur"]
    assert premises[2026] == pytest.approx(740_000.0)  # the lease of s3 still runs
    assert premises[2027] == pytest.approx(700_000.0)
    assert not any("not available" in n for n in ev.notes)
