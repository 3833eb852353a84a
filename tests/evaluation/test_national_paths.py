"""The national-size paths of evaluate (row blocks, catchment pairs, no float64 copies) give the
same evaluation as the small-size paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from palveluverkko import evaluate
from palveluverkko.evaluation import costs, figures
from palveluverkko.network.types import TravelTimes
from palveluverkko.region import Region


def test_national_paths_equal_the_small_ones(
    tiny: Region, tiny_tt: dict[str, TravelTimes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of 3 rows for costs and 2SFCA from catchment pairs: every table equal (the
    2SFCA/E2SFCA columns to 1e-12, their sums taken in another order)."""
    small = evaluate(tiny, travel_times=tiny_tt)
    monkeypatch.setattr(costs, "_COST_BLOCK", 3)
    monkeypatch.setattr(figures, "DENSE_MAX_ENTRIES", 0)
    big = evaluate(tiny, travel_times=tiny_tt)
    fca_cols = [c for c in small.cells.columns if "sfca" in c]
    assert fca_cols
    pd.testing.assert_frame_equal(
        small.cells.drop(columns=fca_cols), big.cells.drop(columns=fca_cols), check_exact=True
    )
    pd.testing.assert_frame_equal(
        small.cells[fca_cols], big.cells[fca_cols], check_exact=False, rtol=1e-12
    )
    assert (small.cells[fca_cols].to_numpy() > 0).any()
    for name in ("costs", "capacity", "summary_table", "municipalities", "travel"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(big, name), check_exact=True)


def test_matrices_are_not_copied(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """The evaluation reads the routed float32 matrices in place (read-only), no float64 copy."""
    ev = evaluate(tiny, travel_times=tiny_tt)
    car = ev.matrices["car"]
    assert car.dtype == np.float32
    assert np.shares_memory(car, tiny_tt["car"].minutes)
    assert not car.flags.writeable
    assert tiny_tt["car"].minutes.flags.writeable  # the caller's array is untouched


def test_nearest_by_offers_equals_numpy_argmin() -> None:
    """The one-pass kernel picks numpy's argmin (first of equals) per service; -1 and inf where
    no offering site is reachable; float32 and float64 matrices alike."""
    from palveluverkko.evaluation.allocation import nearest_by_offers

    rng = np.random.default_rng(3)
    minutes = np.round(rng.uniform(0, 20, size=(500, 9))).astype(np.float32)  # many ties
    minutes[rng.random(minutes.shape) < 0.3] = np.inf
    offers = rng.random((4, 9)) < 0.5
    offers[3] = False
    for m in (minutes, minutes.astype(np.float64)):
        site, best = nearest_by_offers(m, offers)
        for s in range(3):
            cols = np.flatnonzero(offers[s])
            arg = np.argmin(m[:, cols], axis=1)
            want_t = m[np.arange(len(m)), cols[arg]].astype(np.float64)
            want_i = np.where(np.isfinite(want_t), cols[arg], -1)
            assert np.array_equal(site[s], want_i)
            assert np.array_equal(best[s], want_t)
        assert (site[3] == -1).all()
        assert np.isinf(best[3]).all()
        assert (site[:3] == -1).any()
