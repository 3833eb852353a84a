"""Capacity-aware overflow allocation: hand-worked case, conservation, capacity respected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.evaluation.overflow import overflow_allocation

INF = np.inf


def test_overflow_by_hand() -> None:
    """Site 0 (cap 100) keeps its closest 100 contacts; the farther piece overflows to site 1."""
    minutes = np.array([[5.0, 20.0], [10.0, 12.0], [3.0, INF]])
    demand = np.array([60.0, 50.0, 30.0])
    p, s, q, over = overflow_allocation(minutes, demand, np.array([100.0, 100.0]))
    flows = {(int(a), int(b)): float(c) for a, b, c in zip(p, s, q, strict=True)}
    # site 0 takes piece 2 (3 min, 30), piece 0 (5 min, 60), then 10 of piece 1 (10 min)
    assert flows == {(2, 0): 30.0, (0, 0): 60.0, (1, 0): 10.0, (1, 1): 40.0}
    assert not over.any()


def test_overflow_beyond_all_capacity() -> None:
    """What no site can take stays at the nearest site, flagged over capacity."""
    _p, s, q, over = overflow_allocation(
        np.array([[1.0, 2.0]]), np.array([50.0]), np.array([10.0, 5.0])
    )
    assert q.sum() == pytest.approx(50.0)
    assert q[over].sum() == pytest.approx(35.0)
    assert set(s[over]) == {0}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_overflow_conserves_and_respects_capacity(seed: int) -> None:
    """Flows sum to the reachable demand; only flagged flows exceed a site's capacity."""
    rng = np.random.default_rng(seed)
    n, k = 30, 5
    minutes = rng.uniform(1, 60, (n, k))
    minutes[rng.random((n, k)) < 0.3] = INF
    minutes[0] = INF  # one piece reaches nothing
    demand = rng.uniform(0, 100, n)
    cap = rng.uniform(0, 600, k)
    p, s, q, over = overflow_allocation(minutes, demand, cap)
    reachable = np.isfinite(minutes).any(axis=1)
    assert q.sum() == pytest.approx(demand[reachable].sum())
    assert np.isfinite(minutes[p, s]).all()
    load = np.bincount(s[~over], weights=q[~over], minlength=k)
    assert (load <= cap + 1e-6).all()
    if over.any():  # overflow only when every reachable site of that piece is full
        for piece in np.unique(p[over]):
            sites = np.flatnonzero(np.isfinite(minutes[piece]))
            assert (load[sites] >= cap[sites] - 1e-6).all()
