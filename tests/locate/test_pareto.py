"""Cost-access trade-off over the number of open sites."""

from __future__ import annotations

import numpy as np
import pytest

from palveluverkko.errors import InputError
from palveluverkko.locate import p_median, pareto_front, problem_from_matrix
from palveluverkko.locate.pareto import _efficient


def test_efficient_marks_non_dominated() -> None:
    """A point that is costlier and worse than another is dominated; ties are not."""
    cost = np.array([1.0, 2.0, 3.0, 2.0])
    bad = np.array([5.0, 3.0, 4.0, 3.0])
    assert _efficient(cost, bad).tolist() == [True, True, False, True]


def test_front_over_p() -> None:
    """Each row is the p-median for its p; mean time falls as p rises; costs are summed."""
    rng = np.random.default_rng(5)
    minutes = rng.uniform(1, 40, (30, 6))
    demand = rng.integers(1, 9, 30)
    cost = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    prob = problem_from_matrix(minutes, demand, site_cost_eur=cost)
    frame = pareto_front(prob, [1, 2, 3], threshold_minutes=15.0)
    assert frame["p"].tolist() == [1, 2, 3]
    assert np.all(np.diff(frame["mean_minutes"].to_numpy()) <= 1e-9)
    for row in frame.itertuples():
        res = p_median(prob, int(row.p))
        assert row.objective == pytest.approx(res.objective)
        idx = [int(s) for s in row.open_sites]
        assert row.annual_cost_eur == pytest.approx(cost[idx].sum())
        assert 0 <= row.share_within <= 1
    worst = pareto_front(prob, [1, 3], access="worst")
    assert worst["max_minutes"].iloc[1] <= worst["max_minutes"].iloc[0]


def test_share_needs_threshold() -> None:
    """access='share' without a threshold is an input error."""
    prob = problem_from_matrix(np.ones((2, 2)), [1, 1])
    with pytest.raises(InputError, match="threshold_minutes"):
        pareto_front(prob, [1], access="share")
