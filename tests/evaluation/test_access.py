"""Indicator tables: the vectorised county/band rows equal the per-group function."""

from __future__ import annotations

import numpy as np
import pytest

from palveluverkko.evaluation.access import indicator_row, indicator_table
from palveluverkko.region.schema import AGE_BANDS


@pytest.mark.parametrize("seed", range(6))
def test_table_rows_equal_indicator_row(seed: int) -> None:
    """County, band and municipality rows equal indicator_row on the same weights."""
    rng = np.random.default_rng(seed)
    n = 200
    car = rng.uniform(0, 60, (2, n))
    car[rng.random((2, n)) < 0.05] = np.inf
    transit = car * 2 + 5
    trip = car * 1.2
    trip[0, :3] = np.nan
    residents = rng.uniform(0, 30, (n, 6)) * (rng.random((n, 6)) < 0.8)
    munis = rng.choice(["901", "902", "903"], n).astype(object)
    table = indicator_table(
        ("a", "b"), car, transit, trip, residents, {"municipality": munis}, AGE_BANDS
    )
    old = residents[:, 4] + residents[:, 5]
    for s, code in enumerate(("a", "b")):
        rows = table.loc[table["service"] == code].set_index(["level", "group"])
        cases = [(("county", ""), residents.sum(axis=1), old, np.ones(n, bool))]
        for b, band in enumerate(AGE_BANDS):
            w75 = residents[:, b] if band in ("75_84", "85_plus") else np.zeros(n)
            cases.append((("band", band), residents[:, b], w75, np.ones(n, bool)))
        m = munis == "902"
        cases.append((("municipality", "902"), residents.sum(axis=1), old, m))
        for key, w, w75, mask in cases:
            expected = indicator_row(
                car[s][mask], transit[s][mask], trip[s][mask], w[mask], w75[mask]
            )
            got = rows.loc[key]
            for col, value in expected.items():
                assert got[col] == pytest.approx(value, rel=1e-12, nan_ok=True), (key, col)
