"""Tests of the age-band rules (sources.age_bands)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.sources.age_bands import (
    PAAVO_BANDS,
    coarse_matrix,
    collapse_paavo,
    largest_remainder,
    split_coarse,
)


def test_largest_remainder_hand_worked() -> None:
    """10 over weights 1:1:1 gives 4,3,3 (tie to the first); zero weights fall back to equal."""
    out = largest_remainder(np.array([10, 7, 5]), np.array([[1, 1, 1], [0, 0, 0], [1, 2, 7]]))
    # 5 * (0.1, 0.2, 0.7) = 0.5, 1.0, 3.5 -> floors 0,1,3, one left to the first .5
    assert out.tolist() == [[4, 3, 3], [3, 2, 2], [1, 1, 3]]


def test_largest_remainder_rejects_negative_totals() -> None:
    """A negative total is an error, not a silent wrong count."""
    with pytest.raises(ValueError, match="totals must be >= 0"):
        largest_remainder(np.array([-1]), np.array([1.0, 1.0]))


@settings(max_examples=200, deadline=None)
@given(
    totals=st.lists(st.integers(0, 10_000), min_size=1, max_size=8),
    seed=st.integers(0, 2**31 - 1),
    k=st.integers(1, 20),
)
def test_largest_remainder_conserves_and_is_near_quota(
    totals: list[int], seed: int, k: int
) -> None:
    """Rows sum to their totals exactly and every count is within 1 of its exact quota."""
    rng = np.random.default_rng(seed)
    w = rng.random((len(totals), k)) * (rng.random((len(totals), k)) > 0.3)
    out = largest_remainder(np.array(totals), w)
    assert (out.sum(axis=1) == np.array(totals)).all()
    assert (out >= 0).all()
    ws = w.sum(axis=1, keepdims=True)
    ok = ws[:, 0] > 0
    quota = np.array(totals)[:, None] * np.divide(w, ws, out=np.zeros_like(w), where=ws > 0)
    assert (np.abs(out[ok] - quota[ok]) < 1.0).all()


def test_collapse_paavo_sums_exact_bands() -> None:
    """Paavo's 20 bands collapse to ours: 0-2+3-6, 7-12+13-15+16-17, 18-64, 65-74, 75-84, 85+."""
    counts = np.arange(1, 21)[None, :]
    out = collapse_paavo(counts)
    assert out.tolist() == [[1 + 2, 3 + 4 + 5, sum(range(6, 16)), 16 + 17, 18 + 19, 20]]


def test_coarse_matrix_splits_13_15_two_thirds_below_15() -> None:
    """13-15 goes 2/3 to 0-14 and 1/3 to 15-64; every Paavo band is fully allotted."""
    f = coarse_matrix()
    i = PAAVO_BANDS.index("13_15")
    assert f[:, i].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert f.sum(axis=0) == pytest.approx(np.ones(len(PAAVO_BANDS)))


def test_split_coarse_hand_worked() -> None:
    """0-14/15-64/65+ = 10/20/5 with structure 1..20 splits as worked by hand."""
    out = split_coarse(np.array([[10, 20, 5]]), np.arange(1, 21)[None, :])
    # 0-14: 0_6 weight 1+2=3, 7_17 weight 3+4*2/3=5.667 -> 3.46/6.54 -> 3, 7
    # 15-64: 7_17 4/3+5=6.333, 18_64 6+..+15=105 -> 1.14/18.86 -> 1, 19
    # 65+: 16+17=33, 18+19=37, 20 of 90 -> 1.83, 2.06, 1.11 -> 2, 2, 1
    assert out.tolist() == [[3, 8, 19, 2, 2, 1]]


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 30))
def test_split_coarse_conserves_each_cell(seed: int, n: int) -> None:
    """Each cell's 0-14+15-64+65+ total equals its six-band total, even with empty structure."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 500, size=(n, 3))
    structure = rng.integers(0, 50, size=(n, 20)) * (rng.random((n, 20)) > 0.2)
    out = split_coarse(counts, structure)
    assert (out.sum(axis=1) == counts.sum(axis=1)).all()
    assert (out[:, 0] <= counts[:, 0]).all()  # 0-6 only from 0-14
    assert (out[:, 3:].sum(axis=1) == counts[:, 2]).all()  # 65+ exact
