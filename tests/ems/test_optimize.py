"""Placement MILPs equal brute force over every placement on hand-made grids."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from palveluverkko.ems.optimize import (
    PlacementProblem,
    coverage_front,
    expected_coverage,
    max_expected_coverage,
    min_cost_cover,
)
from palveluverkko.errors import InfeasibleError


def _problem(seed: int, *, periods: int = 1, n_shifts: int = 1, keep: bool = False):
    rng = np.random.default_rng(seed)
    n_pts, n_st = 9, 5
    covers = rng.random((n_pts, n_st)) < 0.45
    weight = rng.integers(1, 20, n_pts).astype(float)
    group = rng.integers(0, 2, n_pts)
    on = np.ones((periods, n_shifts), dtype=bool)
    if periods > 1 and n_shifts > 1:
        on[1:, 1:] = False  # shift 1 is a day shift: off in the other periods
    must_keep = np.zeros(n_st, dtype=bool)
    if keep:
        must_keep[rng.integers(0, n_st)] = True
    return PlacementProblem(
        covers=covers,
        weight=weight,
        group=group,
        required_share=np.array([0.5, 0.4]),
        period_weight=np.full(periods, 1.0 / periods),
        period_on=on,
        busy=np.linspace(0.2, 0.35, periods),
        shift_cost=np.linspace(100.0, 60.0, n_shifts),
        must_keep=must_keep,
        max_per_station=2,
    )


def _placements(prob: PlacementProblem, n_units: int | None = None):
    m = prob.n_stations * prob.n_shifts
    for combo in itertools.product(range(prob.max_per_station + 1), repeat=m):
        x = np.array(combo).reshape(prob.n_stations, prob.n_shifts)
        if (x.sum(axis=1) > prob.max_per_station).any():
            continue
        if (x.sum(axis=1)[prob.must_keep] < 1).any():
            continue
        if n_units is not None and x.sum() != n_units:
            continue
        yield x


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_units", [1, 2, 4])
def test_mexclp_equals_brute_force(seed: int, n_units: int) -> None:
    """The MEXCLP optimum equals the best expected coverage over all placements of N units."""
    prob = _problem(seed, keep=seed % 2 == 1)
    best = max(expected_coverage(prob, x).sum() for x in _placements(prob, n_units))
    got = max_expected_coverage(prob, n_units, gap=1e-9)
    assert got.objective == pytest.approx(best, rel=1e-6)
    assert expected_coverage(prob, got.counts).sum() == pytest.approx(best, rel=1e-6)
    assert got.bound >= best - 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_min_cost_equals_brute_force_with_periods_and_shifts(seed: int) -> None:
    """Least cost meeting every group's share equals brute force over placements and shifts."""
    prob = _problem(seed, periods=2, n_shifts=2)
    best = np.inf
    for x in _placements(prob):
        cov = expected_coverage(prob, x)
        ok = all(
            cov[prob.group == g].sum()
            >= prob.required_share[g] * prob.weight[prob.group == g].sum() - 1e-9
            for g in range(2)
        )
        if ok:
            best = min(best, float((x * prob.shift_cost[None, :]).sum()))
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError, match="no placement meets the targets"):
            min_cost_cover(prob, gap=1e-9)
        return
    got = min_cost_cover(prob, gap=1e-9)
    assert got.objective == pytest.approx(best)


def test_front_rises_with_units_and_bounds_hold() -> None:
    """More units never cover less, and every bound is at least its objective."""
    prob = _problem(1)
    front = coverage_front(prob, [1, 2, 3], gap=1e-9)
    assert front["expected_covered"].is_monotonic_increasing
    assert (front["bound"] >= front["expected_covered"] - 1e-6).all()


def test_too_many_must_keep_is_infeasible() -> None:
    """Fewer units than must-keep stations is infeasible and the message says why."""
    prob = _problem(0)
    prob = PlacementProblem(**{**prob.__dict__, "must_keep": np.ones(prob.n_stations, bool)})
    with pytest.raises(InfeasibleError, match="placing 2 units is infeasible: 5 must-keep"):
        max_expected_coverage(prob, 2)


@pytest.mark.parametrize("seed", range(4))
def test_local_busy_fractions_equal_brute_force(seed: int) -> None:
    """With a busy fraction per point and period (local MEXCLP) both models equal brute force."""
    base = _problem(seed, periods=2, n_shifts=2)
    rng = np.random.default_rng(100 + seed)
    prob = PlacementProblem(
        **{**base.__dict__, "busy": rng.uniform(0.05, 0.6, (base.covers.shape[0], 2))}
    )
    best = max(expected_coverage(prob, x).sum() for x in _placements(prob, 3))
    got = max_expected_coverage(prob, 3, gap=1e-9)
    assert got.objective == pytest.approx(best, rel=1e-6)
    cheapest = np.inf
    for x in _placements(prob):
        cov = expected_coverage(prob, x)
        if all(
            cov[prob.group == g].sum()
            >= prob.required_share[g] * prob.weight[prob.group == g].sum() - 1e-9
            for g in range(2)
        ):
            cheapest = min(cheapest, float((x * prob.shift_cost[None, :]).sum()))
    if np.isfinite(cheapest):
        assert min_cost_cover(prob, gap=1e-9).objective == pytest.approx(cheapest)


def test_units_on_duty_floor_is_kept() -> None:
    """A floor of units on duty per period raises the least cost to meet it (brute force)."""
    base = _problem(2, periods=2, n_shifts=2)
    prob = PlacementProblem(**{**base.__dict__, "min_units_on": np.array([3.0, 2.0])})
    cheapest = np.inf
    for x in _placements(prob):
        on = prob.period_on.astype(float) @ x.sum(axis=0)
        cov = expected_coverage(prob, x)
        ok = (on >= prob.min_units_on).all() and all(
            cov[prob.group == g].sum()
            >= prob.required_share[g] * prob.weight[prob.group == g].sum() - 1e-9
            for g in range(2)
        )
        if ok:
            cheapest = min(cheapest, float((x * prob.shift_cost[None, :]).sum()))
    got = min_cost_cover(prob, gap=1e-9)
    assert got.objective == pytest.approx(cheapest)
    assert (prob.period_on.astype(float) @ got.counts.sum(axis=0) >= [3, 2]).all()
