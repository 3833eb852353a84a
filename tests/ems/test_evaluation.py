"""evaluate_ems and optimize_ems on the tiny region: every mission counted, cells named."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely

from palveluverkko.ems import (
    default_fleet,
    default_params,
    evaluate_ems,
    optimize_ems,
    read_stations,
    synthetic_missions,
)
from palveluverkko.ems.params import Target
from palveluverkko.errors import InfeasibleError
from palveluverkko.region.examples import X0, Y0, tiny_region


def _region_with_far_cell():
    """The tiny region plus one populated cell 25 km from any road."""
    r = tiny_region()
    far = r.population.iloc[[0]].copy()
    far["cell_id"] = "far"
    far = far.set_geometry(shapely.points([[X0 + 45_000, Y0 + 5_000]]), crs=r.crs)
    return r.replace(population=pd.concat([r.population, far], ignore_index=True))


def test_every_mission_counted_and_unreachable_named() -> None:
    """Per class, urgency and line: missions = within + late + not reachable; far cell named."""
    r = _region_with_far_cell()
    ev = evaluate_ems(r, default_params())
    m = ev.missions
    assert np.allclose(m["missions"], m["within"] + m["late"] + m["not_reachable"])
    assert (m[["within", "late", "not_reachable"]] >= -1e-9).all().all()
    far_km = f"1km_{int((X0 + 45_000) // 1000)}_{int((Y0 + 5_000) // 1000)}"
    assert ev.unreachable["cell_id"].tolist() == [far_km]
    far_missions = ev.grid.cells.set_index("cell_id").loc[far_km, "missions_B"]
    b = m[(m["urgency"] == "B") & (m["line"] == 0)]
    assert b["not_reachable"].sum() == pytest.approx(far_missions)
    assert far_km in ev.summary()


def test_decision_table_and_resources() -> None:
    """The decision table has one row per class; resources follow shifts and 9.3 FTE."""
    r = tiny_region()
    p = default_params()
    ev = evaluate_ems(r, p)
    table = ev.decision_table("fi")
    assert table.iloc[:, 0].tolist() == [
        "Ydintaajama",
        "Muu taajama",
        "Asuttu maaseutu",
        "Muu alue",
    ]
    assert table.shape[1] == 1 + 2 * len(p.targets)
    f = default_fleet(r, p)
    hours = 2 * 8760 + 1 * 12 * 365  # s1: 24h + day, s2: 24h
    assert f.unit_hours_per_year(p) == pytest.approx(hours)
    assert ev.resources["fte"] == pytest.approx(hours / 8760 * 9.3)


def test_simulated_history_is_compared() -> None:
    """With a history and simulate=True, the comparison covers every class with missions."""
    r = tiny_region()
    hist = synthetic_missions(r, 1)
    ev = evaluate_ems(r, default_params(), missions=hist, simulate=True, seed=2)
    assert ev.grid.missions_source == "history"
    assert ev.comparison is not None
    assert ev.simulation is not None
    assert len(ev.simulation.missions) == len(hist)
    assert set(ev.comparison["risk_class"]) <= {"core_urban", "other_urban", "rural", "other"}


def test_optimize_keeps_must_keep_and_reports_bound(tmp_path) -> None:
    """Placing one unit with a must-keep station puts it there; the bound is proven."""
    r = tiny_region()
    p = default_params()
    f = tmp_path / "st.csv"
    f.write_text(
        f"station_id,name,x,y,units_24h\nA,Alfa,{X0 + 4000},{Y0 + 4000},1\n"
        f"B,Beta,{X0 + 12000},{Y0 + 6000},1\nC,Gamma,{X0 + 18000},{Y0 + 2000},0\n"
    )
    stations = read_stations(f, p)
    opt = optimize_ems(r, p, n_units=1, candidates=stations, stations=stations, must_keep=["C"])
    assert opt.chosen()["station_id"].tolist() == ["C"]
    assert opt.result.bound >= opt.result.objective - 1e-6
    free = optimize_ems(r, p, n_units=1, candidates=stations, stations=stations, front=[1, 2])
    assert free.result.objective >= opt.result.objective - 1e-9
    assert free.front is not None
    assert free.front["expected_covered"].is_monotonic_increasing


def test_percentiles_analytic_and_simulated() -> None:
    """Per class and urgency, analytic and simulated medians agree within 1.5 min (tiny region)."""
    r = tiny_region()
    ev = evaluate_ems(r, default_params(), simulate=True, seed=3)
    pc = ev.percentiles
    assert {"analytic_median", "simulated_median", "analytic_p90", "simulated_p90"} <= set(pc)
    big = pc[pc["missions"] > 20]
    assert len(big) > 0
    assert (big["analytic_median"] - big["simulated_median"]).abs().max() < 1.5
    assert (big["analytic_p90"] >= big["analytic_median"]).all()


def test_least_cost_keeping_today_is_verified_and_no_dearer() -> None:
    """Least cost keeping today's level meets it in the hypercube check, at most today's cost."""
    r = tiny_region()
    p = default_params()
    ev = evaluate_ems(r, p)
    keep = ev.params_keeping_today(margin=0.01)
    opt = optimize_ems(r, keep, n_units=None, candidates=5, time_limit_s=20)
    assert opt.verification is not None
    last = opt.verification[opt.verification["round"] == opt.verification["round"].max()]
    assert last["met"].all()
    assert opt.result.objective <= ev.resources["cost_eur"] + 1e-6


def test_unreachable_targets_name_line_and_class() -> None:
    """Least cost with targets no placement can meet says which line and class fall short."""
    r = tiny_region()
    p = default_params()
    strict = dataclasses.replace(
        p,
        targets=(
            Target(
                ("A", "B"), 2.0, dict.fromkeys(("core_urban", "other_urban", "rural", "other"), 1.0)
            ),
        ),
    )
    with pytest.raises(InfeasibleError, match=r"A/B 2 min \w+: at most"):
        optimize_ems(r, strict, candidates=5, time_limit_s=10)
