"""The swap search of the p-center's primal side finds valid covers (brute force)."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from palveluverkko.locate.params import SiteRules
from palveluverkko.locate.pcenter import SwapSearch


def _rules(rng: np.random.Generator, m: int, grouped: bool) -> SiteRules:
    allowed = rng.random(m) < 0.85
    allowed[:2] = True
    fixed = allowed & (rng.random(m) < 0.15)
    groups = rng.integers(-1, 2, m) if grouped else np.full(m, -1)
    groups[:2] = [0, 1] if grouped else -1
    return SiteRules(
        allowed=allowed,
        fixed_open=fixed,
        group_of_site=groups,
        group_min=np.array([1, 1]) if grouped else np.zeros(0, dtype=int),
        group_labels=(0, 1) if grouped else (),
    )


def _best_radius(R: np.ndarray, rules: SiteRules, p: int) -> float:
    """Brute force: the least worst cost over every rule-abiding set of ``p`` sites."""
    best = np.inf
    for S in itertools.combinations(np.flatnonzero(rules.allowed), p):
        mask = np.zeros(rules.n_sites, dtype=bool)
        mask[list(S)] = True
        if rules.satisfied_by(mask):
            best = min(best, float(R[:, mask].min(axis=1).max()))
    return best


@pytest.mark.parametrize("seed", range(20))
def test_swap_search_reaches_the_brute_force_radius(seed: int) -> None:
    """From a rule-abiding start, the search finds a cover at the optimal radius, and every
    cover it returns keeps the count and the rules and serves every row within the radius."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(6, 16)), int(rng.integers(4, 9))
    R = rng.uniform(1, 50, (n, m)).round(1)
    rules = _rules(rng, m, grouped=bool(seed % 2))
    p = int(min(rules.allowed.sum(), max(rules.min_open(), rng.integers(1, 4))))
    r = _best_radius(R, rules, p)
    # a rule-abiding start: must-open sites, one site for each group short of its minimum
    start = rules.fixed_open.copy()
    for g, need in enumerate(rules.group_min):
        if rules.open_count_per_group(start)[g] < need:
            start[np.flatnonzero(rules.allowed & (rules.group_of_site == g))[0]] = True
    search = SwapSearch(R, rules, seed=seed)
    start = search.fill(start, p)
    assert start.sum() == p
    assert rules.satisfied_by(start)
    S = search.find(r, start, max_steps=20_000, deadline=time.perf_counter() + 30)
    assert S is not None
    assert S.sum() == p
    assert rules.satisfied_by(S)
    assert R[:, S].min(axis=1).max() <= r
    # below the optimum there is no cover, and the search never claims one
    below = np.unique(R)[np.unique(R) < r]
    if below.size:
        assert search.find(float(below[-1]), start, max_steps=2_000, deadline=np.inf) is None
