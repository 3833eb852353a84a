"""Proofs that cost nothing: with whole-number costs the lower bound rounds up to an integer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from palveluverkko.locate import SolveParams, p_median, problem_from_matrix
from palveluverkko.locate.pmedian import integral_costs, round_up


def test_round_up_keeps_near_integers() -> None:
    """41.3 -> 42; 41.9999999999 (float noise) -> 42, not 43; infinities stay."""
    assert round_up(41.3) == 42.0
    assert round_up(41.9999999999) == 42.0
    assert round_up(42.0) == 42.0
    assert round_up(-np.inf) == -np.inf


def test_integrality_is_detected() -> None:
    """Whole costs are integral; a fraction or a fractional site cost is not."""
    d = np.array([[1.0, np.inf], [2.0, 3.0]])
    assert integral_costs(d, None)
    assert not integral_costs(d + 0.5, None)
    assert not integral_costs(d, np.array([1.0, 2.5]))


@pytest.mark.parametrize("seed", range(8))
def test_heuristic_bound_is_whole_and_valid(seed: int) -> None:
    """Without the MILP (method heuristic) the bound on whole-number instances is a whole
    number, never above the brute-force optimum; where it meets the objective the result is
    proven optimal."""
    rng = np.random.default_rng(seed)
    minutes = rng.integers(1, 60, size=(40, 7)).astype(float)
    demand = rng.integers(1, 5, size=40).astype(float)
    prob = problem_from_matrix(minutes, demand)
    p = 3
    best = min(
        float(demand @ minutes[:, list(c)].min(axis=1)) for c in itertools.combinations(range(7), p)
    )
    res = p_median(prob, p, params=SolveParams(method="heuristic", time_limit_s=2.0))
    assert res.bound == np.round(res.bound)
    assert res.bound <= best + 1e-9
    assert res.objective == pytest.approx(best)
    if res.bound == res.objective:
        assert res.status == "optimal"
