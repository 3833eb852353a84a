"""Plausibility bounds and plain-value checks at the input boundary (region/checks.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from palveluverkko.errors import InputError
from palveluverkko.region.checks import (
    population_problems,
    read_text,
    scenario_value_problems,
    value_problem,
)
from palveluverkko.region.limits import COLUMN_BOUNDS, POPULATION_LIMITS, Bound

DOCS = Path(__file__).resolve().parents[2] / "docs" / "region-format.md"


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        (math.nan, "error"),
        (math.inf, "error"),
        (-math.inf, "error"),
        (0.0, "error"),  # exclusive minimum
        (-1.0, "error"),
        (800.0, "error"),
        (500.0, "warning"),
        (7.0, None),
        (True, "error"),
        ("7", "error"),
    ],
)
def test_value_problem_by_hand(value: object, severity: str | None) -> None:
    """A value outside a bound is an error, beyond its warning limit a warning, else nothing."""
    bound = Bound("days", min_exclusive=True, maximum=730.0, warn_above=366.0)
    problem = value_problem(value, bound, layer="f", column="k")
    assert (problem.severity if problem else None) == severity
    if problem is not None and severity == "error" and isinstance(value, float):
        assert "730" in problem.message or "finite" in problem.message or "> 0" in problem.message


def test_value_problem_whole_numbers() -> None:
    """A fraction where a whole number is due is an error naming the value."""
    problem = value_problem(2.5, Bound("years", maximum=10), layer="f", column="k", integer=True)
    assert problem is not None
    assert "2.5" in problem.message


def test_scenario_values_found_wherever_they_are() -> None:
    """nan/inf and out-of-range numbers of a scenario document are named by their path."""
    doc = {
        "name": "x",
        "year": 2027,
        "policy": {"access_target_days": 0, "travel_time_threshold_min": math.nan},
        "open": [
            {
                "x": math.nan,
                "y": 6.9e6,
                "condition": 2.5,
                "services": {"vastaanotto": {"capacity_per_week": math.inf, "staff_fte": 3}},
            }
        ],
        "convert": [{"capacity_per_week": {"neuvola": -4.0}}],
        "channels": [{"digital_share": 1.5}],
        "other": {"free": math.inf},
    }
    found = {p.column for p in scenario_value_problems(doc, "s.toml")}
    assert found == {
        "policy.access_target_days",
        "policy.travel_time_threshold_min",
        "open[0].x",
        "open[0].condition",
        "open[0].services.vastaanotto.capacity_per_week",
        "convert[0].capacity_per_week.neuvola",
        "channels[0].digital_share",
        "other.free",
    }
    assert scenario_value_problems({"name": "ok", "year": 2027, "open": [{"x": 4e5}]}) == []


def test_read_text_names_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    """A Latin-1 file is an InputError naming the file and the byte; a BOM is dropped."""
    bad = tmp_path / "s.toml"
    bad.write_bytes('name = "Äänekoski"\n'.encode("latin-1"))
    with pytest.raises(InputError, match=r"s\.toml: not UTF-8 text \(byte 8"):
        read_text(bad, what="scenario")
    good = tmp_path / "g.toml"
    good.write_bytes(b"\xef\xbb\xbfname = 1\n")
    assert read_text(good, what="scenario") == "name = 1\n"
    with pytest.raises(InputError, match="cannot be read"):
        read_text(tmp_path / "missing.toml", what="scenario")


def test_population_limits_against_brute_force() -> None:
    """Per-cell errors and warnings and the regional total match a row-by-row count."""
    rng = np.random.default_rng(3)
    n = 15  # fewer than the rows listed one by one
    counts = rng.integers(0, 400_000, size=(n, 6)).astype(np.float64)
    counts[:5] = rng.integers(0, 1_500, size=(5, 6))
    is_point = rng.random(n) < 0.5
    area = rng.uniform(0.01, 5.0, n)
    labels = np.array([f"c{i}" for i in range(n)], dtype=object)
    problems = population_problems(counts, labels, is_point=is_point, area_km2=area)
    totals = counts.sum(axis=1)
    lim = POPULATION_LIMITS
    expect_error = {f"c{i}" for i in range(n) if totals[i] > lim.cell_error}
    expect_warn = {
        f"c{i}"
        for i in range(n)
        if totals[i] <= lim.cell_error
        and (
            (is_point[i] and totals[i] > lim.point_cell_warning)
            or (not is_point[i] and totals[i] / area[i] > lim.polygon_density_warning_per_km2)
        )
    }
    assert expect_error
    assert expect_warn
    assert {p.row for p in problems if p.severity == "error" and p.row} == expect_error
    assert {p.row for p in problems if p.severity == "warning"} == expect_warn
    in_all = [p for p in problems if p.row == "" and "in all" in p.message]
    assert bool(in_all) == (totals.sum() > lim.total_error)


def test_docs_list_every_column_limit() -> None:
    """docs/region-format.md names every bounded column with its error limit."""
    text = DOCS.read_text("utf-8")
    for (_, column), bound in COLUMN_BOUNDS.items():
        name = column if not column.startswith("rate_") else "rate_*"
        assert name in text, column
        limit = f"{bound.maximum:,.0f}" if bound.maximum >= 1 else str(bound.maximum)
        assert limit in text, (column, limit)
