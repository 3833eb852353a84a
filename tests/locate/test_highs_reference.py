"""Heuristic plus bound against HiGHS optima (scipy.optimize.milp, an independent formulation)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from palveluverkko.locate import SolveParams, mclp, p_center, p_median, problem_from_matrix

HEURISTIC = SolveParams(method="heuristic", time_limit_s=20)


def instance(seed: int, n: int = 120, m: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean minutes between random demand points and candidates, random weights."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 50, (n, 2))
    cand = rng.uniform(0, 50, (m, 2))
    minutes = np.round(np.linalg.norm(pts[:, None] - cand[None], axis=2), 2)
    return minutes, rng.integers(1, 50, n).astype(float)


def highs_p_median(minutes: np.ndarray, w: np.ndarray, p: int) -> float:
    """Optimal p-median value: x_ij assignment, y_j open, x_ij <= y_j, sum y = p."""
    n, m = minutes.shape
    nx = n * m
    c = np.concatenate([(w[:, None] * minutes).ravel(), np.zeros(m)])
    assign = sp.hstack([sp.kron(sp.eye(n), np.ones((1, m))), sp.csr_matrix((n, m))])
    link = sp.hstack([sp.eye(nx), -sp.kron(np.ones((n, 1)), sp.eye(m))])
    card = sp.hstack([sp.csr_matrix((1, nx)), np.ones((1, m))])
    cons = [
        LinearConstraint(assign, 1, 1),
        LinearConstraint(link, -np.inf, 0),
        LinearConstraint(card, p, p),
    ]
    integrality = np.concatenate([np.zeros(nx), np.ones(m)])
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(0, 1))
    assert res.status == 0
    return float(res.fun)


def highs_mclp(minutes: np.ndarray, w: np.ndarray, threshold: float, p: int) -> float:
    """Optimal MCLP value: max sum w_i z_i, z_i <= sum_j a_ij y_j, sum y = p."""
    n, m = minutes.shape
    a = (minutes <= threshold).astype(float)
    c = np.concatenate([np.zeros(m), -w])
    link = sp.hstack([-sp.csr_matrix(a), sp.eye(n)])
    card = sp.hstack([np.ones((1, m)), sp.csr_matrix((1, n))])
    cons = [LinearConstraint(link, -np.inf, 0), LinearConstraint(card, p, p)]
    integrality = np.concatenate([np.ones(m), np.zeros(n)])
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(0, 1))
    assert res.status == 0
    return float(-res.fun)


def highs_p_center(minutes: np.ndarray, p: int) -> float:
    """Optimal p-center value: min r, sum_j c_ij x_ij <= r, x_ij <= y_j, sum y = p."""
    n, m = minutes.shape
    nx = n * m
    c = np.zeros(nx + m + 1)
    c[-1] = 1.0
    assign = sp.hstack([sp.kron(sp.eye(n), np.ones((1, m))), sp.csr_matrix((n, m + 1))])
    link = sp.hstack([sp.eye(nx), -sp.kron(np.ones((n, 1)), sp.eye(m)), sp.csr_matrix((nx, 1))])
    card = sp.hstack([sp.csr_matrix((1, nx)), np.ones((1, m)), sp.csr_matrix((1, 1))])
    radius = sp.hstack(
        [
            sp.block_diag([minutes[i][None, :] for i in range(n)]),
            sp.csr_matrix((n, m)),
            -np.ones((n, 1)),
        ]
    )
    cons = [
        LinearConstraint(assign, 1, 1),
        LinearConstraint(link, -np.inf, 0),
        LinearConstraint(card, p, p),
        LinearConstraint(radius, -np.inf, 0),
    ]
    integrality = np.concatenate([np.zeros(nx), np.ones(m), [0]])
    ub = np.concatenate([np.ones(nx + m), [np.inf]])
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(0, ub))
    assert res.status == 0
    return float(res.fun)


@pytest.mark.slow
def test_p_median_heuristic_matches_highs_mostly() -> None:
    """The heuristic equals HiGHS's optimum in most cases and never beats it or its own bound."""
    equal = 0
    total = 0
    for seed in range(8):
        minutes, w = instance(seed)
        prob = problem_from_matrix(minutes, w)
        for p in (3, 6):
            opt = highs_p_median(minutes, w, p)
            res = p_median(prob, p, params=HEURISTIC, seed=seed)
            assert res.bound <= opt * (1 + 1e-9)
            assert res.objective >= opt * (1 - 1e-9)
            assert res.bound <= res.objective
            assert res.gap <= 0.02
            equal += res.objective <= opt * (1 + 1e-7)
            total += 1
    assert equal >= 0.8 * total


def test_p_median_exact_method_proves_optimum() -> None:
    """method='exact' returns HiGHS's optimum with a zero gap."""
    minutes, w = instance(42, n=80, m=12)
    opt = highs_p_median(minutes, w, 4)
    res = p_median(problem_from_matrix(minutes, w), 4, params=SolveParams(method="exact"))
    assert res.objective == pytest.approx(opt, rel=1e-7)
    assert res.status == "optimal"


@pytest.mark.slow
def test_mclp_matches_highs() -> None:
    """MCLP covered demand equals HiGHS's optimum; the upper bound is not below it."""
    for seed in range(5):
        minutes, w = instance(seed)
        prob = problem_from_matrix(minutes, w)
        for p in (2, 5):
            opt = highs_mclp(minutes, w, 12.0, p)
            res = mclp(prob, 12.0, p)
            assert res.objective == pytest.approx(opt, rel=1e-9)
            assert res.bound >= opt * (1 - 1e-9)


@pytest.mark.slow
def test_p_center_matches_highs() -> None:
    """p-center worst time equals HiGHS's optimum on mid-size instances."""
    for seed in range(3):
        minutes, w = instance(seed, n=60, m=12)
        prob = problem_from_matrix(minutes, w)
        for p in (2, 4):
            opt = highs_p_center(minutes, p)
            res = p_center(prob, p)
            # minutes have two decimals: distinct values differ by >= 0.01, HiGHS's
            # feasibility tolerance moves its optimum by ~1e-6
            assert res.objective == pytest.approx(opt, abs=1e-4)
            assert res.bound <= opt + 1e-4
