"""The 1 km risk-area grid: aggregation, classes, estimated and recorded missions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely

from palveluverkko.ems.grid import classify_by_density, read_risk_areas, risk_grid
from palveluverkko.ems.params import URGENCIES, default_params
from palveluverkko.errors import InputError, ValidationError
from palveluverkko.region.examples import X0, Y0, tiny_region
from palveluverkko.region.schema import POPULATION_COLUMNS


def _region_with(points: list[tuple[float, float]], residents: list[list[int]], settle: list):
    r = tiny_region()
    pop = r.population.iloc[[0] * len(points)].reset_index(drop=True).copy()
    pop["cell_id"] = [f"p{i}" for i in range(len(points))]
    for j, col in enumerate(POPULATION_COLUMNS):
        pop[col] = [row[j] for row in residents]
    pop["settlement"] = settle
    pop = pop.set_geometry(shapely.points(np.array(points) + [X0, Y0]), crs=r.crs)
    return r.replace(population=pop)


def test_residents_conserved_by_band() -> None:
    """Every resident of every age band lands in exactly one 1 km cell."""
    r = tiny_region()
    g = risk_grid(r, default_params())
    for col in POPULATION_COLUMNS:
        assert g.cells[col].sum() == r.population[col].sum()
    assert g.cells["residents"].sum() == r.total_population


def test_aggregation_by_floor_and_most_urban_class() -> None:
    """Points in one km square merge; the cell takes the most urban class of populated parts."""
    r = _region_with(
        [(100, 100), (900, 900), (1100, 100), (2500, 2500)],
        [[1, 1, 1, 1, 1, 1], [0, 0, 5, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 3, 0, 0, 0]],
        ["rural", "city", "city", "village"],
    )
    g = risk_grid(r, default_params())
    c = g.cells.set_index("cell_id")
    ix, iy = int(X0 // 1000), int(Y0 // 1000)
    first = c.loc[f"1km_{ix}_{iy}"]
    assert first["residents"] == 11
    assert first["risk_class"] == "core_urban"
    # a city cell without residents counts as `other`
    assert c.loc[f"1km_{ix + 1}_{iy}"]["risk_class"] == "other"
    assert c.loc[f"1km_{ix + 2}_{iy + 2}"]["risk_class"] == "other_urban"
    assert set(c["class_source"]) == {"settlement"}
    # routing point: residents-weighted mean of the populated points
    assert first["x"] == pytest.approx(X0 + (6 * 100 + 5 * 900) / 11)


def test_density_rule_without_settlement() -> None:
    """Without settlement values, residents per km2 decide the class (documented thresholds)."""
    p = default_params()
    got = classify_by_density(np.array([0, 1, 199, 200, 1499, 1500]), p)
    assert got.tolist() == [3, 2, 2, 1, 1, 0]
    r = tiny_region()
    r = r.replace(population=r.population.drop(columns=["settlement"]))
    g = risk_grid(r, p)
    assert set(g.cells["class_source"]) == {"density"}


def test_unknown_settlement_value_is_named() -> None:
    """A settlement value with no class raises an error naming it and the fix."""
    r = _region_with([(100, 100)], [[1, 1, 1, 1, 1, 1]], ["suburb"])
    with pytest.raises(InputError, match=r"'suburb' have no risk class.*\[classes\.settlement\]"):
        risk_grid(r, default_params())


def test_estimated_missions_follow_the_formula() -> None:
    """Estimated missions = class rate x age-weighted residents x urgency share (hand check)."""
    p = dataclasses.replace(
        default_params(),
        age_weight=dict.fromkeys(default_params().age_weight, 1.0),
    )
    r = _region_with([(100, 100)], [[0, 0, 1000, 0, 0, 0]], ["rural"])
    g = risk_grid(r, p)
    assert g.missions_estimated
    expected = [116.8 * p.urgency_share[u] for u in URGENCIES]
    assert g.missions()[0] == pytest.approx(expected)


def test_history_counts_every_mission_and_opens_other_cells() -> None:
    """Missions are counted per cell and urgency over the years; one off the grid opens `other`."""
    r = tiny_region()
    x1, y1 = r.cell_points()[1]
    hist = pd.DataFrame(
        {
            "urgency": ["A", "B", "B", "D"],
            "time": pd.to_datetime(
                ["2024-01-01 10:00", "2024-06-01 03:00", "2025-12-31 23:00", "2025-01-01 12:00"]
            ),
            "x": [x1, x1, X0 + 7_500, np.nan],
            "y": [y1, y1, Y0 + 7_500, np.nan],
            "cell_id": ["", "", "", "c0"],
        }
    )
    g = risk_grid(r, default_params(), missions=hist)
    assert g.missions_source == "history"
    assert g.years == pytest.approx(731 / 365)
    assert g.missions().sum() * g.years == pytest.approx(4)
    other = g.cells[g.cells["risk_class"] == "other"]
    assert len(other) == 1
    assert other["residents"].sum() == 0
    assert other["missions_B"].sum() * g.years == pytest.approx(1)
    assert g.hour_of_week.sum() == pytest.approx(1.0)


def test_risk_area_file_overrides_classes(tmp_path) -> None:
    """A county's file sets the classes of the cells it names, by code, Finnish name or number."""
    r = tiny_region()
    g0 = risk_grid(r, default_params())
    ids = g0.cells["cell_id"].tolist()
    f = tmp_path / "areas.csv"
    f.write_text(f"cell_id;risk_class\n{ids[0]};ydintaajama\n{ids[1]};4\n1km_1_1;rural\n")
    areas = read_risk_areas(f)
    g = risk_grid(r, default_params(), risk_areas=areas)
    c = g.cells.set_index("cell_id")
    assert c.loc[ids[0], "risk_class"] == "core_urban"
    assert c.loc[ids[1], "risk_class"] == "other"
    assert set(c.loc[[ids[0], ids[1]], "class_source"]) == {"file"}
    assert (c.loc[ids[2:], "class_source"] == "settlement").all()


def test_risk_area_file_bad_rows_named(tmp_path) -> None:
    """Unknown classes and bad points are named with their file line."""
    f = tmp_path / "areas.csv"
    f.write_text("x,y,risk_class\n431000,6901000,city\n,,1\n")
    with pytest.raises(ValidationError, match="2 error") as info:
        read_risk_areas(f)
    assert {(p.row, p.column) for p in info.value.problems} == {("2", "risk_class"), ("3", "x, y")}
