"""Equity measures against hand-worked values and replicated-weight equivalents."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.evaluation.equity import (
    gini,
    inequality,
    palma,
    theil,
    top_share_mean,
    weighted_quantile,
)


def test_gini_by_hand() -> None:
    """Equal times give 0; one of four residents bearing all travel gives 0.75."""
    assert gini(np.array([5.0, 5.0, 5.0]), np.ones(3)) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 1.0]), np.ones(4)) == pytest.approx(0.75)


def test_theil_by_hand() -> None:
    """Theil of (1, 3): mean 2, T = (0.5 ln 0.5 + 1.5 ln 1.5)/2."""
    expected = (0.5 * np.log(0.5) + 1.5 * np.log(1.5)) / 2
    assert theil(np.array([1.0, 3.0]), np.ones(2)) == pytest.approx(expected)


def test_palma_and_worst_by_hand() -> None:
    """Ten residents with times 1..10: top 10 % bears 10, bottom 40 % bears 1+2+3+4."""
    x = np.arange(1.0, 11.0)
    assert palma(x, np.ones(10)) == pytest.approx(10 / 10)
    assert top_share_mean(x, np.ones(10), 0.1) == pytest.approx(10.0)
    assert top_share_mean(x, np.ones(10), 0.2) == pytest.approx(9.5)
    assert weighted_quantile(x, np.ones(10), 0.5) == 5.0


def test_unreachable_left_out() -> None:
    """Infinite times do not enter the measures."""
    assert gini(np.array([1.0, 1.0, np.inf]), np.ones(3)) == pytest.approx(0.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 100), st.integers(1, 5)), min_size=2, max_size=12))
def test_weights_equal_replication(data: list[tuple[float, int]]) -> None:
    """Integer weights give the same Gini, Theil and Palma as repeating each value."""
    x = np.array([d[0] for d in data])
    w = np.array([d[1] for d in data], dtype=float)
    xr = np.repeat(x, w.astype(int))
    one = np.ones(len(xr))
    assert gini(x, w) == pytest.approx(gini(xr, one), abs=1e-9)
    assert theil(x, w) == pytest.approx(theil(xr, one), abs=1e-9)
    assert palma(x, w) == pytest.approx(palma(xr, one), rel=1e-9)
    # brute-force Gini
    diff = np.abs(xr[:, None] - xr[None, :]).sum()
    assert gini(x, w) == pytest.approx(diff / (2 * len(xr) ** 2 * xr.mean()), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 100), st.floats(0.1, 50)), min_size=1, max_size=30))
def test_inequality_equals_the_single_measures(data: list[tuple[float, float]]) -> None:
    """The one-sort inequality() gives the same values as gini, theil, palma, top_share_mean."""
    x = np.array([d[0] for d in data])
    w = np.array([d[1] for d in data])
    both = inequality(x, w)
    for key, value in (
        ("gini", gini(x, w)),
        ("theil", theil(x, w)),
        ("palma", palma(x, w)),
        ("worst10_mean_minutes", top_share_mean(x, w, 0.1)),
    ):
        assert both[key] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True)
