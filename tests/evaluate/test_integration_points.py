"""The calls evaluate() makes to the capacity and cost modules follow their contracts."""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from palveluverkko.evaluate import Closure, Scenario, evaluate
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region


def test_capacity_and_costs_called_with_contract_frames(
    tiny: Region, tiny_tt: dict[str, TravelTimes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """site_load gets weekly demand of open sites; cost_table gets both regions and travel."""
    calls: dict[str, Any] = {}

    def site_load(
        demand: pd.DataFrame,
        site_services: pd.DataFrame,
        targets: Mapping[str, float],
        *,
        method: str = "analytic",
    ) -> pd.DataFrame:
        calls["site_load"] = (demand, site_services, dict(targets), method)
        return demand.assign(utilisation=0.5)

    def cost_table(
        base: Region, scen: Region, travel: pd.DataFrame, *, years: range, closures: Any
    ) -> pd.DataFrame:
        calls["cost_table"] = (base, scen, travel, years, closures)
        return pd.DataFrame({"year": list(years), "component": "staff", "cost_eur": 1.0})

    cap = types.ModuleType("palveluverkko.evaluate.capacity")
    cap.site_load = site_load  # type: ignore[attr-defined]
    costs = types.ModuleType("palveluverkko.evaluate.costs")
    costs.cost_table = cost_table  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "palveluverkko.evaluate.capacity", cap)
    monkeypatch.setitem(sys.modules, "palveluverkko.evaluate.costs", costs)
    ev = evaluate(tiny, Scenario(closures=(Closure("s3", "s2"),)), travel_times=tiny_tt)
    demand, ss, targets, method = calls["site_load"]
    assert list(demand.columns) == ["site_id", "service", "contacts_per_week"]
    assert "s3" not in set(demand["site_id"])
    assert list(ss.columns) == ["site_id", "service", "capacity_per_week", "staff_fte"]
    assert targets == {"vastaanotto": 7.0, "hammashoito": 30.0}
    assert method == "analytic"
    base, scen, travel, years, closures = calls["cost_table"]
    assert base is tiny
    assert "s3" not in set(scen.sites["site_id"])
    assert closures == {"s3": 2024}
    assert list(years) == list(range(2025, 2031))
    assert {"cell_id", "band", "service", "km", "nearest_km", "site_id"} <= set(travel.columns)
    assert ev.capacity is not None
    assert ev.costs is not None
    assert not any("not available" in n for n in ev.notes)
