"""Tests of mobile units: the unit file, sharing visits, stop choice, timetables, checker."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from palveluverkko.channels.check import check_mobile_plan
from palveluverkko.channels.mobile import MobileInputs, MobileParams, allocate, plan_mobile_arrays
from palveluverkko.channels.mobile_region import plan_mobile
from palveluverkko.channels.unit import read_unit, unit_from_dict
from palveluverkko.errors import InputError
from palveluverkko.region.examples import X0, Y0, tiny_region

FAST = MobileParams(time_limit_s=0.5, stop_time_limit_s=1.0)


def _synthetic(seed: int = 0, n_cells: int = 40, n_cand: int = 8) -> MobileInputs:
    rng = np.random.default_rng(seed)
    cell_xy = rng.uniform(0, 60, (n_cells, 2))  # km; 1 km = 1 minute
    cand_xy = rng.uniform(0, 60, (n_cand, 2))
    pts = np.vstack([[30.0, 30.0], cand_xy])
    between = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    cell_min = np.hypot(*(cell_xy[:, None] - cand_xy[None]).transpose(2, 0, 1))
    return MobileInputs(
        cell_ids=np.array([f"c{i}" for i in range(n_cells)], dtype=object),
        cell_municipality=np.array(["001"] * n_cells, dtype=object),
        cell_residents=rng.integers(10, 500, n_cells).astype(float),
        services=("vastaanotto", "hammashoito"),
        cell_contacts=rng.uniform(0, 400, (n_cells, 2)),
        cell_weight_mask=np.ones(n_cells, dtype=bool),
        cand_ids=np.array([f"M{k}" for k in range(n_cand)], dtype=object),
        cand_names=np.array([f"Stop {k}" for k in range(n_cand)], dtype=object),
        cand_municipality=np.array(["001"] * n_cand, dtype=object),
        cell_minutes=np.where(cell_min <= 15, cell_min, np.inf),
        travel_minutes=between,
        travel_km=between,
    )


UNIT = {"name": "Bussi", "services": ["vastaanotto", "hammashoito"], "depot_x": 0, "depot_y": 0}


def test_allocate_shares_by_weight_within_caps() -> None:
    """Largest-remainder sharing: totals, caps and at least one each hold; order follows weight."""
    rng = np.random.default_rng(1)
    for _ in range(50):
        n = int(rng.integers(1, 8))
        w = rng.uniform(0, 10, n)
        cap = rng.integers(1, 6, n)
        total = int(rng.integers(n, 30))
        out = allocate(total, w, cap)
        assert (out >= 1).all()
        assert (out <= cap).all()
        assert out.sum() == min(total, int(cap.sum()))
    assert list(allocate(10, np.array([3.0, 1.0, 1.0]), np.array([10, 10, 10]))) == [6, 2, 2]


def test_day_tour_on_arrays_passes_the_checker(tmp_path: Path) -> None:
    """A two-week day tour on synthetic arrays: written, re-read, every check holds."""
    unit = unit_from_dict({"unit": {**UNIT, "cycle_weeks": 2}, "stops": {"max_stops": 5}})
    plan = plan_mobile_arrays(unit, _synthetic(), FAST, seed=0)
    plan.write(tmp_path / "plan")
    assert check_mobile_plan(tmp_path / "plan") == []
    assert len(plan.timetable) == plan.stops["visits_per_cycle"].sum()
    totals = plan.service_totals()
    assert np.allclose(totals["eligible"], totals["served"] + totals["not_served"])
    assert plan.figures["cost_eur_per_year"] > 0


def test_checker_finds_a_broken_timetable(tmp_path: Path) -> None:
    """Removing a visit and stretching a day are both caught by the checker."""
    unit = unit_from_dict({"unit": UNIT, "stops": {"max_stops": 4}})
    plan = plan_mobile_arrays(unit, _synthetic(2), FAST, seed=0)
    broken = dataclasses.replace(
        plan,
        timetable=plan.timetable.iloc[1:],
        days=plan.days.assign(**{"return": plan.days["return"] + 120}),
    )
    broken.write(tmp_path / "bad")
    problems = check_mobile_plan(tmp_path / "bad")
    assert any("visits in the timetable" in p for p in problems)
    assert any("outside the hours" in p for p in problems)


def test_rotation_on_arrays_passes_the_checker(tmp_path: Path) -> None:
    """A rotation shares the weeks among the stops without overlap; the checker agrees."""
    unit = unit_from_dict(
        {"unit": {**UNIT, "shape": "rotation", "rotation_weeks": 20}, "stops": {"max_stops": 4}}
    )
    plan = plan_mobile_arrays(unit, _synthetic(3), FAST, seed=0)
    plan.write(tmp_path / "rot")
    assert check_mobile_plan(tmp_path / "rot") == []
    assert plan.stops["weeks"].sum() == 20


def test_plan_mobile_on_the_tiny_region(tmp_path: Path) -> None:
    """Given stops in the tiny region: cells within the threshold are served; totals conserve."""
    region = tiny_region()
    unit = unit_from_dict(
        {
            "unit": {"name": "Bussi", "services": ["vastaanotto"], "depot_site": "s1"},
            "stops": {
                "candidates": "given",
                "points": [
                    {"name": "Kylä A", "x": X0 + 3000, "y": Y0 + 3000},
                    {"name": "Kylä B", "x": X0 + 17000, "y": Y0 + 7000},
                ],
            },
        }
    )
    plan = plan_mobile(region, unit, params=FAST)
    plan.write(tmp_path / "tiny")
    assert check_mobile_plan(tmp_path / "tiny") == []
    assert plan.stops["residents_within"].sum() <= region.total_population
    assert plan.cells["served"].sum() == pytest.approx(plan.stops["served_per_year"].sum())


def test_unit_file_errors_name_the_key(tmp_path: Path) -> None:
    """Unknown keys, bad times and a bad cycle are refused naming the key."""
    path = tmp_path / "unit.toml"
    path.write_text('[unit]\nname = "B"\nservices = ["x"]\ndepot_site = "s1"\ncolour = 1\n')
    with pytest.raises(InputError, match=r"unknown key\(s\) colour"):
        read_unit(path)
    path.write_text('[unit]\nname = "B"\nservices = ["x"]\ndepot_site = "s1"\nday_start = "8"\n')
    with pytest.raises(InputError, match="day_start must be a time"):
        read_unit(path)
    with pytest.raises(InputError, match="cycle_weeks must be 1-4"):
        unit_from_dict({"unit": {**UNIT, "cycle_weeks": 6}})
    with pytest.raises(InputError, match=r"\[stops\] uptake_share"):
        unit_from_dict({"unit": UNIT, "stops": {"uptake_share": 2}})


def test_rotation_puts_a_stop_in_every_municipality(tmp_path: Path) -> None:
    """Rotations default to one stop per municipality; too few stops allowed is refused."""
    inp = _synthetic(5, n_cand=9)
    inp = dataclasses.replace(
        inp, cand_municipality=np.array(["001", "002", "003"] * 3, dtype=object)
    )
    unit = unit_from_dict(
        {"unit": {**UNIT, "shape": "rotation", "rotation_weeks": 12}, "stops": {"max_stops": 3}}
    )
    plan = plan_mobile_arrays(unit, inp, FAST, seed=0)
    assert sorted(plan.stops["municipality"]) == ["001", "002", "003"]
    plan.write(tmp_path / "rot")
    assert check_mobile_plan(tmp_path / "rot") == []
    small = unit_from_dict(
        {"unit": {**UNIT, "shape": "rotation", "rotation_weeks": 12}, "stops": {"max_stops": 2}}
    )
    with pytest.raises(InputError, match="per_municipality needs a stop in each of 3"):
        plan_mobile_arrays(small, inp, FAST, seed=0)


def test_a_depot_too_far_gives_an_empty_checked_plan(tmp_path: Path) -> None:
    """When no stop visit fits a day (depot 10 h away), the plan has no stops, says so, and
    the cells keep all their contacts (nothing served, nothing lost)."""
    inp = _synthetic(6)
    far = inp.travel_minutes.copy()
    far[0, 1:] += 600.0
    far[1:, 0] += 600.0
    inp = dataclasses.replace(inp, travel_minutes=far, travel_km=far)
    plan = plan_mobile_arrays(unit_from_dict({"unit": UNIT}), inp, FAST, seed=0)
    assert plan.stops.empty
    assert plan.timetable.empty
    assert plan.cells["served"].sum() == 0
    assert "Ei pysäkkejä" in plan.timetable_text("fi")
    plan.write(tmp_path / "empty")
    assert check_mobile_plan(tmp_path / "empty") == []
