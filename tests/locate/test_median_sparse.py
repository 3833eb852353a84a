"""The sparse path of p-median, fixed charge and MCLP against brute force and the dense path."""

from __future__ import annotations

import itertools
import time
import warnings
from typing import Any

import numpy as np
import pytest

from palveluverkko.errors import InfeasibleError, InputError, UnreachableWarning
from palveluverkko.locate import (
    LocationProblem,
    SolveParams,
    fixed_charge,
    mclp,
    p_center,
    p_median,
    problem_from_matrix,
)
from palveluverkko.locate._matrix_kernels import k_nearest_rows, nearest_of
from palveluverkko.locate.median_sparse import SparseModel, SparseSpace
from palveluverkko.locate.problem import merge_identical_rows

TOL = 1e-7
SPARSE = SolveParams(sparse_min_entries=0, time_limit_s=10.0)


def random_problem(seed: int, *, n: int = 14, m: int = 7, inf_share: float = 0.0) -> Any:
    """A random small instance with integer minutes (ties), duplicate rows and site rules."""
    rng = np.random.default_rng(seed)
    while True:
        minutes = rng.integers(0, 30, (n, m)).astype(np.float32)
        minutes[n // 2] = minutes[0]  # a duplicate row to merge
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
                    minutes, demand, site_cost_eur=rng.integers(10, 80, m).astype(float), **kwargs
                )
        except InfeasibleError:
            continue


def open_sets(prob: LocationProblem, size: int | None = None) -> list[np.ndarray]:
    """Every open mask that respects the site rules (of ``size`` sites when given)."""
    m = prob.n_sites
    out = []
    for k in [size] if size is not None else range(1, m + 1):
        for combo in itertools.combinations(range(m), k):
            mask = np.zeros(m, dtype=bool)
            mask[list(combo)] = True
            if prob.rules.satisfied_by(mask):
                out.append(mask)
    return out


def median_value(prob: LocationProblem, mask: np.ndarray) -> float:
    """Total weighted travel time of the served rows to their nearest open site."""
    rows = prob.reachable & (prob.demand > 0)
    near = np.asarray(prob.minutes[rows][:, mask], dtype=np.float64).min(axis=1)
    if not np.isfinite(near).all():
        return np.inf
    return float((prob.demand[rows] * near).sum())


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 50])
def test_sparse_p_median_equals_brute_force(seed: int, k: int) -> None:
    """Sparse p-median (short and full lists): brute-force optimum, bound never above it."""
    prob = random_problem(seed, inf_share=0.15 if seed % 3 == 0 else 0.0)
    params = SolveParams(sparse_min_entries=0, nearest_k=k, time_limit_s=30.0)
    for p in range(1, prob.n_sites + 1):
        best = min((median_value(prob, s) for s in open_sets(prob, p)), default=np.inf)
        if not np.isfinite(best):
            with pytest.raises(InfeasibleError):
                p_median(prob, p, params=params)
            continue
        res = p_median(prob, p, params=params)
        assert res.details["sparse_form"] == "k-nearest"
        assert res.objective == pytest.approx(best, rel=1e-9)
        assert res.bound <= best * (1 + 1e-9)
        assert res.n_open == p
        assert prob.rules.satisfied_by(res.open_mask)
        assert median_value(prob, res.open_mask) == pytest.approx(res.objective, rel=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_sparse_fixed_charge_equals_brute_force(seed: int) -> None:
    """Sparse fixed charge equals brute force over every rule-abiding set; bound below it."""
    prob = random_problem(seed)
    assert prob.site_cost_eur is not None
    f = prob.site_cost_eur
    values = [float(f[s].sum()) + 0.7 * median_value(prob, s) for s in open_sets(prob)]
    res = fixed_charge(prob, 0.7, params=SPARSE)
    assert res.details["sparse_form"] == "k-nearest"
    assert res.objective == pytest.approx(min(values), rel=1e-9)
    assert res.bound <= min(values) * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_sparse_mclp_equals_brute_force(seed: int) -> None:
    """Sparse MCLP (exact coverage form): covered demand equals brute force, bound above it."""
    prob = random_problem(seed)
    threshold = 8.0
    for p in range(1, prob.n_sites + 1):
        values = [
            float(prob.demand[(prob.minutes[:, s] <= threshold).any(axis=1)].sum())
            for s in open_sets(prob, p)
        ]
        if not values:
            continue
        res = mclp(prob, threshold, p, params=SPARSE)
        assert res.details["sparse_form"] == "coverage"
        assert res.objective == pytest.approx(max(values), abs=TOL)
        assert res.bound >= max(values) - TOL


def test_sparse_bound_is_valid_with_short_lists() -> None:
    """With 1-site lists on 300 x 40 the bound stays below the dense path's proven optimum."""
    rng = np.random.default_rng(3)
    xy, s = rng.uniform(0, 50, (300, 2)), rng.uniform(0, 50, (40, 2))
    minutes = np.hypot(*(xy[:, None] - s[None]).transpose(2, 0, 1))
    prob = problem_from_matrix(minutes, rng.integers(1, 9, 300).astype(float))
    exact = p_median(prob, 38, params=SolveParams(method="exact", exact_max_entries=10**6))
    assert exact.status == "optimal"
    res = p_median(prob, 38, params=SolveParams(sparse_min_entries=0, nearest_k=1))
    assert res.details["nearest_k"] == 5  # raised to 4 m / p
    assert res.bound <= exact.objective * (1 + 1e-9)
    assert res.objective >= exact.objective * (1 - 1e-9)
    assert res.objective == pytest.approx(median_value(prob, res.open_mask), rel=1e-9)


def test_sparse_p_median_matches_dense_on_a_county_sized_case() -> None:
    """On 2,000 x 60 the sparse and dense paths reach the same objective within 0.01 %."""
    rng = np.random.default_rng(7)
    towns = rng.uniform(0, 80, (12, 2))
    xy = towns[rng.integers(0, 12, 2000)] + rng.normal(0, 6, (2000, 2))
    s = xy[rng.choice(2000, 60, replace=False)]
    minutes = np.hypot(*(xy[:, None] - s[None]).transpose(2, 0, 1)).astype(np.float32)
    prob = problem_from_matrix(minutes, rng.integers(1, 30, 2000).astype(float))
    dense = p_median(prob, 15, params=SolveParams(time_limit_s=20.0, gap_tolerance=1e-4))
    sparse = p_median(
        prob, 15, params=SolveParams(time_limit_s=20.0, gap_tolerance=1e-4, sparse_min_entries=0)
    )
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-4)
    assert sparse.bound <= dense.objective * (1 + 1e-9)
    assert sparse.gap <= 1e-3
    assert sparse.details["rows_outside_list"] == 0


def test_sparse_greedy_after_its_deadline_still_meets_the_rules() -> None:
    """A greedy started past its deadline still returns p sites that meet the group rules."""
    prob = random_problem(5, n=40, m=12)
    params = SolveParams(sparse_min_entries=0)
    model = SparseModel(prob, params, count=6)
    space = SparseSpace(model.form, prob.rules, count=6)
    S = space.greedy(deadline=time.perf_counter() - 1.0)
    assert int(S.sum()) == 6
    assert prob.rules.satisfied_by(S)


def test_merge_identical_rows_groups_like_unique() -> None:
    """Hash-based row merging groups exactly the identical rows, numbered by first appearance."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 4, (30, 3)).astype(np.float32)
    base[rng.random((30, 3)) < 0.2] = np.inf
    rows = np.arange(30)
    first, inverse = merge_identical_rows(base, rows)
    _, ref_inverse = np.unique(base, axis=0, return_inverse=True)
    ref_inverse = ref_inverse.reshape(-1)
    for a in range(30):
        for b in range(30):
            assert (inverse[a] == inverse[b]) == (ref_inverse[a] == ref_inverse[b])
    assert np.array_equal(np.sort(first), first)  # first appearances in order
    assert np.array_equal(base[first[inverse]], base)


def test_k_nearest_rows_matches_a_sort() -> None:
    """The k nearest allowed finite columns and the next time equal a full sort."""
    rng = np.random.default_rng(1)
    minutes = rng.uniform(0, 10, (50, 20))
    minutes[rng.random((50, 20)) < 0.3] = np.inf
    allowed = rng.random(20) < 0.8
    count, cols, times, nxt = k_nearest_rows(minutes, np.arange(50), allowed, 4)
    for i in range(50):
        vals = np.where(allowed, minutes[i], np.inf)
        order = np.argsort(vals, kind="stable")
        finite = order[np.isfinite(vals[order])]
        assert count[i] == min(4, finite.size)
        assert np.array_equal(cols[i, : count[i]], finite[: count[i]])
        assert np.allclose(times[i, : count[i]], vals[finite[: count[i]]])
        want = vals[finite[4]] if finite.size > 4 else np.inf
        assert nxt[i] == want
    best, value = nearest_of(minutes, np.array([0, 3, 7]))
    sub = minutes[:, [0, 3, 7]]
    assert np.array_equal(value, sub.min(axis=1))
    ok = np.isfinite(sub.min(axis=1))
    assert np.array_equal(best[ok], np.array([0, 3, 7])[np.argmin(sub, axis=1)][ok])
    assert (best[~ok] == -1).all()


@pytest.fixture(scope="module")
def compiled_kernels() -> None:
    """Compile the numba kernels of the sparse path once, outside the timed solves: the first
    call's compilation (seconds on a loaded machine) would eat a test's time limit."""
    prob = random_problem(0)
    p_center(prob, 2, params=SPARSE)
    p_median(prob, 2, params=SPARSE)


@pytest.mark.usefixtures("compiled_kernels")
@pytest.mark.parametrize("seed", range(12))
def test_sparse_p_center_equals_brute_force(seed: int) -> None:
    """Sparse p-center: worst trip equals brute force; the packing bound never exceeds it."""
    prob = random_problem(seed)
    rows = prob.reachable & (prob.demand > 0)
    for p in range(1, prob.n_sites + 1):
        values = [float(prob.minutes[rows][:, s].min(axis=1).max()) for s in open_sets(prob, p)]
        if not values or not np.isfinite(min(values)):
            continue
        res = p_center(prob, p, params=SPARSE)
        assert res.bound <= min(values) + TOL
        assert res.objective == pytest.approx(min(values), abs=TOL)
        assert res.n_open == p
        assert prob.rules.satisfied_by(res.open_mask)


def test_sparse_p_center_proves_a_clustered_plane() -> None:
    """On 3,000 clustered points x 120 sites the packing bound and the swap search meet
    the dense path's optimum or bracket it."""
    rng = np.random.default_rng(11)
    towns = rng.uniform(0, 100, (15, 2))
    xy = towns[rng.integers(0, 15, 3000)] + rng.normal(0, 5, (3000, 2))
    s = xy[rng.choice(3000, 120, replace=False)]
    minutes = np.hypot(*(xy[:, None] - s[None]).transpose(2, 0, 1)).astype(np.float32)
    prob = problem_from_matrix(minutes, np.ones(3000))
    dense = p_center(prob, 20, params=SolveParams(time_limit_s=30.0))
    sparse = p_center(prob, 20, params=SPARSE)
    assert sparse.bound <= dense.objective + TOL
    assert dense.bound <= sparse.objective + TOL
    assert sparse.objective == pytest.approx(sparse.max_minutes)


def test_problem_keeps_a_float32_matrix_without_copying_it() -> None:
    """A float32 matrix is used in place (read-only view); the caller's array stays writable."""
    minutes = np.arange(12, dtype=np.float32).reshape(4, 3)
    prob = problem_from_matrix(minutes, np.ones(4))
    assert prob.minutes.dtype == np.float32
    assert np.shares_memory(prob.minutes, minutes)
    assert not prob.minutes.flags.writeable
    assert minutes.flags.writeable
    ints = problem_from_matrix(np.arange(12).reshape(4, 3), np.ones(4))
    assert ints.minutes.dtype == np.float64
    bad = minutes.copy()
    bad[1, 2] = np.nan
    with pytest.raises(InputError, match=r"NaN entries \(first at demand row 1, site column 2"):
        problem_from_matrix(bad, np.ones(4))
