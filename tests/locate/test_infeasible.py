"""Infeasible inputs raise errors that state the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from palveluverkko.errors import InfeasibleError, InputError
from palveluverkko.locate import (
    capacitated_p_median,
    fixed_charge,
    lscp,
    mclp,
    p_center,
    p_median,
    problem_from_matrix,
)

MINUTES = np.array([[1.0, 5.0, 9.0], [4.0, 2.0, 8.0], [7.0, 6.0, 3.0]])


def test_capacity_below_demand() -> None:
    """Total capacity of the p largest sites below demand: the message gives both totals."""
    prob = problem_from_matrix(MINUTES, [5, 5, 5], capacity=[6.0, 6.0, 6.0])
    with pytest.raises(
        InfeasibleError,
        match=r"total demand 15 exceeds the capacity of the 2 "
        r"largest sites the rules allow \(12\)",
    ):
        capacitated_p_median(prob, 2)


def test_demand_point_larger_than_every_site() -> None:
    """A point larger than every site it reaches cannot be single-sourced: stated with sizes."""
    prob = problem_from_matrix(MINUTES, [1, 9, 1], capacity=[8.0, 8.0, 8.0])
    with pytest.raises(InfeasibleError, match=r"first: demand 9, largest reachable capacity 8"):
        capacitated_p_median(prob, 3)


def test_single_sourcing_infeasible_proven_by_highs() -> None:
    """Capacity totals suffice but no single-source split fits: HiGHS proves it."""
    prob = problem_from_matrix(MINUTES, [3, 3, 3], capacity=[4.5, 4.5, 4.5])
    with pytest.raises(InfeasibleError, match="capacitated_p_median"):
        capacitated_p_median(prob, 2)


def test_capacitated_needs_capacity() -> None:
    """Without capacities the capacitated model refuses to run and says what to pass."""
    with pytest.raises(InputError, match="pass capacity"):
        capacitated_p_median(problem_from_matrix(MINUTES, [1, 1, 1]), 2)


def test_lscp_threshold_nobody_can_meet() -> None:
    """A threshold below every point's nearest site: count, distances and the feasible minimum."""
    prob = problem_from_matrix(MINUTES + 10, [1, 2, 3])
    with pytest.raises(
        InfeasibleError,
        match=r"3 demand point\(s\) \(demand 6\) have no candidate site within 5 min: their "
        r"nearest candidate that may open is 11.0..13.0 min away; the smallest threshold every "
        r"point can meet is 13.0 min",
    ):
        lscp(prob, 5.0)


def test_p_below_must_open_and_group_minimums() -> None:
    """p smaller than must-open sites plus group minimums: the message gives the minimum p."""
    prob = problem_from_matrix(
        MINUTES, [1, 1, 1], groups=["a", "b", "c"], min_open_per_group=1, must_open=[0]
    )
    with pytest.raises(InfeasibleError, match=r"p = 2 .* 3 in all; raise p to 3"):
        p_median(prob, 2)
    with pytest.raises(InfeasibleError, match="raise p to 3"):
        p_center(prob, 1)
    with pytest.raises(InfeasibleError, match="raise p to 3"):
        mclp(prob, 4.0, 2)


def test_p_above_allowed_sites() -> None:
    """p above the sites that may open is refused with the count of must-close sites."""
    prob = problem_from_matrix(MINUTES, [1, 1, 1], must_close=[2])
    with pytest.raises(InfeasibleError, match=r"only 2 of 3 candidates may open \(1 must close\)"):
        p_median(prob, 3)


def test_p_too_small_to_reach_everyone() -> None:
    """When p sites cannot give every point a reachable site, the minimum count is stated."""
    minutes = np.array([[1.0, np.inf], [np.inf, 1.0]])
    prob = problem_from_matrix(minutes, [1, 1])
    with pytest.raises(InfeasibleError, match=r"needs at least 2 sites"):
        p_median(prob, 1)
    with pytest.raises(InfeasibleError, match=r"needs at least 2 sites"):
        p_center(prob, 1)


def test_budget_below_cheapest_rule_set() -> None:
    """A budget below the must-open and group minimum costs is refused with both amounts."""
    prob = problem_from_matrix(
        MINUTES, [1, 1, 1], site_cost_eur=[100.0, 200.0, 300.0], must_open=[1]
    )
    with pytest.raises(InfeasibleError, match=r"budget 150 EUR is below .* \(200 EUR for 1 site"):
        fixed_charge(prob, 1.0, budget_eur=150.0)


def test_invalid_p_and_threshold() -> None:
    """Non-integer p and a negative threshold are input errors."""
    prob = problem_from_matrix(MINUTES, [1, 1, 1])
    with pytest.raises(InputError, match="integer >= 1"):
        p_median(prob, 0)
    with pytest.raises(InputError, match="threshold_minutes must be finite"):
        mclp(prob, -1.0, 1)
