"""Dominance reduction of set covers keeps the minimum cover number (brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from palveluverkko.locate.params import SiteRules
from palveluverkko.locate.pcenter import reduce_cover


def _min_cover(cov: np.ndarray, rules: SiteRules, cols: np.ndarray) -> float:
    """Fewest sites among ``cols`` covering every row, with must-open sites and group minimums."""
    fixed = [j for j in cols if rules.fixed_open[j]]
    free = [j for j in cols if not rules.fixed_open[j]]
    for k in range(len(free) + 1):
        for extra in itertools.combinations(free, k):
            S = np.array(fixed + list(extra), dtype=int)
            if not cov[:, S].any(axis=1).all():
                continue
            counts = np.bincount(
                rules.group_of_site[S][rules.group_of_site[S] >= 0], minlength=len(rules.group_min)
            )
            if (counts >= rules.group_min).all():
                return float(len(S))
    return float("inf")


@pytest.mark.parametrize("seed", range(25))
def test_reduced_cover_has_the_same_minimum(seed: int) -> None:
    """On random covers with must-open sites, closed sites and groups the minimum is kept."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(4, 12)), int(rng.integers(3, 8))
    cov = rng.random((n, m)) < rng.uniform(0.2, 0.6)
    allowed = rng.random(m) < 0.85
    fixed = allowed & (rng.random(m) < 0.15)
    groups = rng.integers(-1, 2, m) if seed % 2 else np.full(m, -1)
    group_min = np.array([1, 1]) if seed % 2 else np.zeros(0, dtype=int)
    rules = SiteRules(
        allowed=allowed,
        fixed_open=fixed,
        group_of_site=groups,
        group_min=group_min,
        group_labels=tuple(range(len(group_min))),
    )
    rows, cols = reduce_cover(cov, rules)
    full = _min_cover(cov, rules, np.flatnonzero(allowed))
    reduced = _min_cover(cov[rows][:, :], rules, cols)
    assert reduced == full
    assert rules.fixed_open[np.flatnonzero(fixed)].all()
    assert set(np.flatnonzero(fixed)) <= set(cols.tolist())
