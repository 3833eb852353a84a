"""Emergency care in a scenario: ``[[ems_station]]`` entries change today's fleet; today and the
scenario are scored on the same grid, with the decision and the resources before and after."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.ems import default_fleet, default_params, evaluate_ems
from palveluverkko.errors import InputError, ScenarioError
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region
from palveluverkko.scenario import EmsStationChange, Scenario
from palveluverkko.study.ems import COST_YEARS, ems_compare, scenario_fleet

SCENARIO = """
name = "Ensihoito: yksi yksikkö pois, uusi asema"

[[ems_station]]
station = "s2"
units = { 24h = 0 }

[[ems_station]]
station = "e9"
name = "Uusi asema"
units = { 24h = 1 }
x = 446000.0
y = 6906000.0
"""


def test_toml_round_trip_and_checks() -> None:
    """The entry reads and writes back unchanged; a count that is not whole, half a point and a
    station named twice are refused with the entry named."""
    sc = Scenario.from_toml(SCENARIO)
    assert sc.ems_stations == (
        EmsStationChange("s2", {"24h": 0}),
        EmsStationChange("e9", {"24h": 1}, name="Uusi asema", x=446000.0, y=6906000.0),
    )
    assert Scenario.from_toml(sc.to_toml()) == sc
    sc.check(tiny_region())
    with pytest.raises(ScenarioError, match=r"ems_station\[0\]\.units\.24h"):
        Scenario.from_toml('[[ems_station]]\nstation = "s1"\nunits = { 24h = 1.5 }\n')
    with pytest.raises(ScenarioError, match="both x and y"):
        Scenario.from_toml('[[ems_station]]\nstation = "n"\nunits = { 24h = 1 }\nx = 1.0\n')
    twice = Scenario.from_toml(
        '[[ems_station]]\nstation = "s1"\nunits = { 24h = 1 }\n'
        '[[ems_station]]\nstation = "s1"\nunits = { day = 0 }\n'
    )
    with pytest.raises(ScenarioError, match="named twice"):
        twice.check(tiny_region())
    far = Scenario.from_toml(
        '[[ems_station]]\nstation = "n"\nunits = { 24h = 1 }\nx = 0.0\ny = 0.0\n'
    )
    with pytest.raises(ScenarioError, match="outside the region"):
        far.check(tiny_region())


def test_scenario_fleet_changes_only_what_it_names() -> None:
    """s2 loses its 24 h unit, s1 keeps its units, e9 opens with one; an unknown station without
    a point and an unknown shift are refused."""
    p = default_params()
    fleet = default_fleet(tiny_region(), p)
    sc = Scenario.from_toml(SCENARIO)
    after = scenario_fleet(fleet, sc.ems_stations, p).stations.set_index("station_id")
    before = fleet.stations.set_index("station_id")
    assert after.loc["s2", "units_24h"] == 0
    pd.testing.assert_series_equal(after.loc["s1"], before.loc["s1"])
    assert after.loc["e9", "units_24h"] == 1
    assert after.loc["e9", "units_day"] == 0
    assert after.loc["e9", "name"] == "Uusi asema"
    with pytest.raises(InputError, match="not a station of today's fleet"):
        scenario_fleet(fleet, (EmsStationChange("nope", {"24h": 1}),), p)
    with pytest.raises(InputError, match="unknown"):
        scenario_fleet(fleet, (EmsStationChange("s1", {"night": 1}),), p)


def test_compare_scores_both_fleets_on_one_grid() -> None:
    """The comparison's shares equal two independent evaluations; missions are the same on both
    sides; resources follow the unit count (one 24 h unit out, one in: equal cost)."""
    region = tiny_region()
    sc = Scenario.from_toml(SCENARIO)
    cmp = ems_compare(region, sc)
    p = default_params()
    fleet = scenario_fleet(default_fleet(region, p), sc.ems_stations, p)
    ref = evaluate_ems(region, p, stations=fleet)
    np.testing.assert_allclose(
        cmp.decision["share_after"].to_numpy(), ref.decision["share_within"].to_numpy()
    )
    np.testing.assert_allclose(
        cmp.decision["missions"].to_numpy(), cmp.other.decision["missions"].to_numpy()
    )
    assert list(cmp.resources["year"]) == list(COST_YEARS)
    assert cmp.resources["cost_change_eur"].abs().max() < 1e-6
    assert set(cmp.stations["station_id"]) == {"s2", "e9"}
    table = cmp.decision_table("fi")
    assert any("nyt" in c for c in table.columns)
    assert any("skenaario" in c for c in table.columns)
    with pytest.raises(InputError, match="no \\[\\[ems_station\\]\\]"):
        ems_compare(region, Scenario())


def test_cli_scenario(tmp_path: Path) -> None:
    """ems evaluate --scenario writes the comparison and prints costs before and after."""
    pkg = write_region(tiny_region(), tmp_path / "tiny")
    s = tmp_path / "s.toml"
    s.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "ems"
    result = CliRunner().invoke(
        app, ["ems", "evaluate", str(pkg), "--scenario", str(s), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    comparison = pd.read_csv(out / "comparison.csv")
    assert {"share_before", "share_after", "change_pp"} <= set(comparison.columns)
    assert (out / "resources.csv").exists()
    assert (out / "scenario_decision.csv").exists()
    assert "EUR/yr" in result.output
