"""A scenario's mobile unit, planned and scored by the evaluator with the other channels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from palveluverkko import Closure, Evaluation, Scenario, Study
from palveluverkko.errors import InputError, ScenarioError
from palveluverkko.region.examples import tiny_region
from palveluverkko.scenario import MobileUnitEntry

UNIT = {
    "name": "Terveysbussi",
    "kind": "health_bus",
    "shape": "day_tour",
    "services": ["vastaanotto"],
    "depot_site": "s2",
    "cycle_weeks": 1,
}
STOPS = {
    "candidates": "closed_sites",
    "closed_sites": ["s3"],
    "threshold_min": 30.0,
    "uptake_share": 0.5,
    "beyond_site_min": 0.0,
}


def bus_scenario() -> Scenario:
    """Close s3 (substitute s2) and run a bus that stops at the closed site."""
    return Scenario(
        name="piste ja bussi",
        closures=(Closure("s3", "s2"),),
        mobile_units=(MobileUnitEntry(unit=UNIT, stops=STOPS, seed=1, time_limit_s=1.0),),
    )


def test_mobile_unit_serves_contacts_that_leave_the_sites(tmp_path: Path) -> None:
    """The unit's stops serve contacts that leave the sites' demand; every contact is in one
    channel; its yearly cost enters the cost table; the scenario round-trips through TOML."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    plain = study.evaluate(Scenario(name="vain suljettu", closures=(Closure("s3", "s2"),)))
    with_bus = study.evaluate(bus_scenario())
    ch = with_bus.channels.groupby(["service", "channel"])["contacts_per_year"].sum()
    served = ch[("vastaanotto", "mobile")]
    assert served > 0

    def at_sites(ev: Evaluation) -> float:
        rows = ev.sites["service"] == "vastaanotto"
        return float(ev.sites.loc[rows, "contacts_per_year"].sum())

    assert at_sites(with_bus) == pytest.approx(at_sites(plain) - served, rel=1e-9)
    totals = with_bus.channels.groupby("service")["contacts_per_year"].sum()
    cells = with_bus.cells.groupby("service")["contacts_per_year"].sum()
    pd.testing.assert_series_equal(totals, cells, check_names=False, rtol=1e-12)
    stops = with_bus.mobile_stops
    assert stops["stop_id"].tolist() == ["C-s3"]
    assert stops["served_per_year"].sum() == pytest.approx(served, rel=1e-9)
    # the timetable a resident reads: every visit of the stop with its week, weekday and hours
    tt = with_bus.mobile_timetable
    assert set(tt["stop_id"]) == {"C-s3"}
    assert (tt["shape"] == "day_tour").all()
    assert tt["week"].between(1, 2).all()
    assert tt["weekday"].between(0, 6).all()
    assert (tt["open"] < tt["close"]).all()
    assert tt["open"].str.fullmatch(r"\d\d:\d\d").all()
    assert plain.mobile_timetable.empty
    cost = with_bus.costs.loc[with_bus.costs["component"] == "mobile_units", "cost_eur"]
    assert (cost > 0).all()
    assert (plain.costs.loc[plain.costs["component"] == "mobile_units", "cost_eur"] == 0).all()
    back = Scenario.from_toml(bus_scenario().to_toml())
    assert back.mobile_units == bus_scenario().mobile_units


def test_a_bad_unit_is_named_in_the_scenario() -> None:
    """A unit with an unknown key or service is a scenario error naming the entry."""
    bad = Scenario(mobile_units=(MobileUnitEntry(unit={**UNIT, "colour": "red"}, stops=STOPS),))
    with pytest.raises(ScenarioError, match=r"mobile_unit\[0\].*colour"):
        bad.apply(tiny_region())
    odd = Scenario(
        mobile_units=(MobileUnitEntry(unit={**UNIT, "services": ["nope"]}, stops=STOPS),)
    )
    with pytest.raises(InputError, match="nope"):
        odd.apply(tiny_region())
