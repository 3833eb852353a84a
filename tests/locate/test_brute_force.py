"""Every model equals brute force over all open sets on tiny instances, with site rules."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.errors import InfeasibleError, UnreachableWarning
from palveluverkko.locate import (
    LocationProblem,
    capacitated_p_median,
    fixed_charge,
    lscp,
    mclp,
    p_center,
    p_median,
    problem_from_matrix,
)

TOL = 1e-7


def open_sets(prob: LocationProblem, size: int | None = None) -> Iterator[np.ndarray]:
    """Every open mask that respects the site rules (of ``size`` sites when given)."""
    m = prob.n_sites
    sizes = [size] if size is not None else range(1, m + 1)
    for k in sizes:
        for combo in itertools.combinations(range(m), k):
            mask = np.zeros(m, dtype=bool)
            mask[list(combo)] = True
            if prob.rules.satisfied_by(mask):
                yield mask


def served_rows(prob: LocationProblem) -> np.ndarray:
    """Rows the models serve: reachable with positive weight."""
    return prob.reachable & (prob.demand > 0)


def random_problem(seed: int, *, n: int = 7, m: int = 5, inf_share: float = 0.0) -> Any:
    """A random tiny instance with integer minutes (many ties) and random site rules."""
    rng = np.random.default_rng(seed)
    while True:
        minutes = rng.integers(0, 25, (n, m)).astype(float)
        if inf_share:
            minutes[rng.random((n, m)) < inf_share] = np.inf
        demand = rng.integers(0, 6, n).astype(float)
        demand[0] = max(demand[0], 1.0)
        kwargs: dict[str, Any] = {}
        if rng.random() < 0.5:
            kwargs["groups"] = rng.choice(["g1", "g2"], m).tolist()
            kwargs["min_open_per_group"] = 1
        sites = rng.permutation(m)
        if rng.random() < 0.4:
            kwargs["must_open"] = [int(sites[0])]
        if rng.random() < 0.4:
            kwargs["must_close"] = [int(sites[1])]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnreachableWarning)
                return problem_from_matrix(
                    minutes,
                    demand,
                    site_cost_eur=rng.integers(10, 80, m).astype(float),
                    capacity=rng.integers(5, 20, m).astype(float),
                    **kwargs,
                )
        except InfeasibleError:
            continue  # the drawn rules are unmeetable; draw again


def median_value(prob: LocationProblem, mask: np.ndarray) -> float:
    """Total weighted travel time of the served rows to their nearest open site."""
    rows = served_rows(prob)
    near = prob.minutes[rows][:, mask].min(axis=1)
    if not np.isfinite(near).all():
        return np.inf
    return float((prob.demand[rows] * near).sum())


SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_p_median_equals_brute_force(seed: int) -> None:
    """p-median: the objective equals the brute-force optimum and the bound does not exceed it."""
    prob = random_problem(seed, inf_share=0.15 if seed % 3 == 0 else 0.0)
    for p in range(1, prob.n_sites + 1):
        best = min((median_value(prob, s) for s in open_sets(prob, p)), default=np.inf)
        if not np.isfinite(best):
            with pytest.raises(InfeasibleError):
                p_median(prob, p)
            continue
        res = p_median(prob, p)
        assert res.objective == pytest.approx(best, abs=TOL)
        assert res.bound <= best + TOL
        assert res.n_open == p
        assert prob.rules.satisfied_by(res.open_mask)
        assert median_value(prob, res.open_mask) == pytest.approx(res.objective, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_p_center_equals_brute_force(seed: int) -> None:
    """p-center: the worst time equals brute force and the bound is proven (not above it)."""
    prob = random_problem(seed, inf_share=0.15 if seed % 3 == 0 else 0.0)
    rows = served_rows(prob)
    for p in range(1, prob.n_sites + 1):
        best = min(
            (float(prob.minutes[rows][:, s].min(axis=1).max()) for s in open_sets(prob, p)),
            default=np.inf,
        )
        if not np.isfinite(best):
            with pytest.raises(InfeasibleError):
                p_center(prob, p)
            continue
        res = p_center(prob, p)
        assert res.objective == pytest.approx(best, abs=TOL)
        assert res.bound <= best + TOL
        assert res.n_open == p
        assert res.max_minutes == pytest.approx(best, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_equals_brute_force(seed: int) -> None:
    """MCLP: covered demand equals brute force; the upper bound is not below it."""
    prob = random_problem(seed)
    threshold = 8.0
    for p in range(1, prob.n_sites + 1):
        values = [
            float(prob.demand[(prob.minutes[:, s] <= threshold).any(axis=1)].sum())
            for s in open_sets(prob, p)
        ]
        if not values:
            with pytest.raises(InfeasibleError):
                mclp(prob, threshold, p)
            continue
        res = mclp(prob, threshold, p)
        assert res.objective == pytest.approx(max(values), abs=TOL)
        assert res.bound >= max(values) - TOL
        assert res.share_within() * prob.demand[prob.reachable].sum() == pytest.approx(
            max(values), abs=TOL
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_equals_brute_force(seed: int) -> None:
    """LSCP: fewest sites (and least cost) equal brute force, or a stated infeasibility."""
    prob = random_problem(seed)
    rows = served_rows(prob)
    threshold = 12.0
    covering = [s for s in open_sets(prob) if (prob.minutes[rows][:, s] <= threshold).any(1).all()]
    if not (prob.minutes[rows][:, prob.rules.allowed] <= threshold).any(axis=1).all():
        with pytest.raises(InfeasibleError, match="no candidate site within 12 min"):
            lscp(prob, threshold)
        return
    res = lscp(prob, threshold)
    assert res.objective == min(int(s.sum()) for s in covering)
    assert res.bound <= res.objective
    assert res.max_minutes <= threshold
    assert prob.site_cost_eur is not None
    cheapest = min(float(prob.site_cost_eur[s].sum()) for s in covering)
    res_cost = lscp(prob, threshold, minimize="cost")
    assert res_cost.model == "lscp_cost"
    assert res_cost.objective == pytest.approx(cheapest)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("budget", [None, 120.0])
def test_fixed_charge_equals_brute_force(seed: int, budget: float | None) -> None:
    """Fixed charge (with and without a budget) equals brute force over every rule-abiding set."""
    prob = random_problem(seed)
    assert prob.site_cost_eur is not None
    f = prob.site_cost_eur
    tau = 0.7
    values = [
        float(f[s].sum()) + tau * median_value(prob, s)
        for s in open_sets(prob)
        if budget is None or f[s].sum() <= budget
    ]
    if not values:
        with pytest.raises(InfeasibleError, match="budget 120 EUR is below"):
            fixed_charge(prob, tau, budget_eur=budget)
        return
    res = fixed_charge(prob, tau, budget_eur=budget)
    assert res.objective == pytest.approx(min(values), abs=1e-6)
    assert res.bound <= min(values) + 1e-6
    if budget is not None:
        assert res.annual_cost_eur <= budget


def capacitated_brute(prob: LocationProblem, p: int) -> float:
    """Best single-source assignment within capacity over every open set of ``p`` sites."""
    assert prob.capacity is not None
    rows = np.flatnonzero(served_rows(prob))
    w = prob.demand[rows]
    best = np.inf
    for s in open_sets(prob, p):
        cols = np.flatnonzero(s)
        for choice in itertools.product(cols, repeat=rows.size):
            a = np.asarray(choice)
            load = np.bincount(a, weights=w, minlength=prob.n_sites)
            if (load <= prob.capacity + 1e-9).all():
                best = min(best, float((w * prob.minutes[rows, a]).sum()))
    return best


@pytest.mark.parametrize("seed", range(15))
def test_capacitated_equals_brute_force(seed: int) -> None:
    """Capacitated p-median equals brute force over sets and assignments, loads within capacity."""
    prob = random_problem(seed, n=6, m=4)
    assert prob.capacity is not None
    for p in (1, 2, 3):
        if not any(True for _ in open_sets(prob, p)):
            continue
        best = capacitated_brute(prob, p)
        if not np.isfinite(best):
            with pytest.raises(InfeasibleError):
                capacitated_p_median(prob, p)
            continue
        res = capacitated_p_median(prob, p)
        assert res.objective == pytest.approx(best, abs=TOL)
        assert res.bound <= best + TOL
        assert (res.site_load() <= prob.capacity + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(
    minutes=st.lists(st.lists(st.integers(0, 9), min_size=4, max_size=4), min_size=1, max_size=6),
    data=st.data(),
)
def test_p_median_property(minutes: list[list[int]], data: st.DataObject) -> None:
    """For any small integer matrix the p-median result is optimal and its bound proven."""
    mat = np.asarray(minutes, dtype=float)
    demand = data.draw(st.lists(st.integers(1, 5), min_size=len(minutes), max_size=len(minutes)))
    p = data.draw(st.integers(1, 4))
    prob = problem_from_matrix(mat, demand)
    res = p_median(prob, p)
    best = min(median_value(prob, s) for s in open_sets(prob, p))
    assert res.bound <= res.objective + TOL
    assert res.objective == pytest.approx(best, abs=TOL)
