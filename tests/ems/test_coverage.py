"""Coverage kernels: Larson's factors, the symmetric M/M/N case, and agreement with SimPy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from palveluverkko.ems.coverage import hypercube_week, larson_q
from palveluverkko.ems.params import default_params
from palveluverkko.ems.response import busy_minutes, response_minutes, urgency_mix
from palveluverkko.ems.simulate import draw_missions, simulate_year


@pytest.mark.parametrize(("n", "rho"), [(1, 0.3), (3, 0.2), (8, 0.55), (25, 0.25)])
def test_larson_q_first_factor_is_one(n: int, rho: float) -> None:
    """Q(N, rho, 0) = 1: a given unit is free with probability 1 - rho in M/M/N."""
    assert larson_q(n, rho)[0] == pytest.approx(1.0)


def _erlang_c(n: int, a: float) -> float:
    terms = [a**k / math.factorial(k) for k in range(n)]
    last = a**n / math.factorial(n) * n / (n - a)
    return last / (sum(terms) + last)


def test_identical_units_match_erlang() -> None:
    """Units at one station, one cell: busy fractions sum to the load a; queue is Erlang C."""
    n_units, busy_min, per_year = 3, 60.0, 6000.0
    drive = np.array([[5.0]])
    resp = np.full((1, 1, 4), 5.0)
    busy = np.array([[busy_min]])
    yearly = np.array([[per_year, 0, 0, 0]])
    w = np.full(168, 1 / 168)
    out = hypercube_week(
        resp,
        busy,
        drive,
        np.zeros(n_units, np.int64),
        np.ones((n_units, 168), bool),
        yearly,
        w,
        [(0, 8.0)],
        np.zeros(1, np.int64),
    )
    a = per_year / (365 * 24 * 60) * busy_min
    assert out.busy[0].sum() == pytest.approx(a, rel=1e-4)
    assert out.busy[0][0] > out.busy[0][1] > out.busy[0][2]  # fixed preference order
    assert out.hours[0, 2] == pytest.approx(_erlang_c(n_units, a), rel=1e-3)
    # every non-queued call is within 8 min: share = 1 - P(wait)
    assert out.hypercube[0, 0] == pytest.approx(1 - _erlang_c(n_units, a), rel=1e-4)
    # MEXCLP with 3 covering units: 1 - q^3
    assert out.mexclp[0, 0] == pytest.approx(1 - (a / n_units) ** 3, rel=1e-4)
    assert out.double[0, 0] == pytest.approx(1.0)


def _line_case(seed: int):
    """Three stations on a line, 30 cells between them, two classes, shifts by hour."""
    rng = np.random.default_rng(seed)
    n_cells = 30
    pos = np.linspace(0, 60, n_cells)
    st = np.array([5.0, 30.0, 55.0])
    drive = np.abs(pos[:, None] - st[None, :]) * 0.6 + rng.uniform(0, 2, (n_cells, 3))
    yearly = np.zeros((n_cells, 4))
    yearly[:, :] = rng.uniform(50, 250, (n_cells, 1)) * np.array([0.05, 0.35, 0.4, 0.2])
    cls = (pos > 20).astype(np.int64) + (pos > 45).astype(np.int64)
    unit_station = np.array([0, 1, 1, 2, 1])
    on = np.ones((5, 168), dtype=bool)
    on[4] = default_params().shifts["day"].on_duty()
    return drive, yearly, cls, unit_station, on


@pytest.mark.parametrize("seed", [0, 1])
def test_analytic_agrees_with_simulation_within_3pp(seed: int) -> None:
    """Hypercube shares per class and target equal a SimPy year's within 3 percentage points."""
    p = default_params()
    drive, yearly, cls, unit_station, on = _line_case(seed)
    resp = response_minutes(drive, p)
    busy = busy_minutes(drive, urgency_mix(yearly), p)
    w = p.hour_of_week_weight()
    crit = [(1, 8.0), (1, 15.0), (2, 30.0)]
    out = hypercube_week(resp, busy, drive, unit_station, on, yearly, w, crit, cls)
    minute, cell, urg = draw_missions(yearly, w, seed, days=3 * 365)
    sim = simulate_year(
        minute, cell, urg, drive, resp, unit_station, on, p, seed=seed, days=3 * 365
    )
    for ci, (u, t) in enumerate(crit):
        s = sim.share_within(cls, ("B",) if u == 1 else ("C",), t)
        for k in range(3):
            sel = cls == k
            analytic = (out.hypercube[sel, ci] * yearly[sel, u]).sum() / yearly[sel, u].sum()
            assert abs(analytic - s.loc[k, "mean"]) < 0.03, (ci, k, analytic, s.loc[k, "mean"])
    assert np.abs(sim.busy_fraction() - out.busy.sum(0) / on.sum(1)).max() < 0.03


def _exact_hypercube(order: np.ndarray, lam: np.ndarray, mu: float, n: int, k_max: int = 60):
    """Larson's exact hypercube with an infinite queue (truncated at ``k_max``), by CTMC.

    Returns each unit's busy fraction and each cell's probability of being served by each unit
    without waiting (PASTA: arrivals see the stationary law).
    """
    states = list(range(2**n)) + [("q", k) for k in range(1, k_max + 1)]
    index = {s: i for i, s in enumerate(states)}
    full = 2**n - 1
    size = len(states)
    Q = np.zeros((size, size))
    for s in states:
        i = index[s]
        if isinstance(s, tuple):  # all busy with k waiting
            k = s[1]
            Q[i, index[("q", k + 1)] if k < k_max else i] += lam.sum() if k < k_max else 0
            Q[i, index[("q", k - 1)] if k > 1 else index[full]] += n * mu
            continue
        for c in range(len(lam)):
            free = [j for j in order[c] if not s >> j & 1]
            target = s | 1 << free[0] if free else ("q", 1)
            Q[i, index[target]] += lam[c]
        for j in range(n):
            if s >> j & 1:
                Q[i, index[s & ~(1 << j)]] += mu
    np.fill_diagonal(Q, -Q.sum(axis=1))
    A = np.vstack([Q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    busy = np.zeros(n)
    for s in states:
        if isinstance(s, tuple):
            busy += pi[index[s]]
        else:
            for j in range(n):
                busy[j] += pi[index[s]] * (s >> j & 1)
    served = np.zeros((len(lam), n))
    for s in range(2**n - 1):
        for c in range(len(lam)):
            first = next(j for j in order[c] if not s >> j & 1)
            served[c, first] += pi[index[s]]
    return busy, served


@pytest.mark.parametrize("load", [0.3, 0.6])
def test_larson_approximation_close_to_exact_hypercube(load: float) -> None:
    """Busy fractions and first-choice dispatch shares within 2 pp of the exact hypercube."""
    n, busy_min = 3, 60.0
    # three cells, each nearest to a different station; a unit per station
    drive = np.array([[2.0, 5.0, 9.0], [6.0, 3.0, 7.0], [8.0, 6.5, 1.0]])
    yearly_share = np.array([0.5, 0.3, 0.2])
    lam_per_min = load * n / busy_min * yearly_share  # offered load `load` per unit
    yearly = np.zeros((3, 4))
    yearly[:, 0] = lam_per_min * 365 * 24 * 60
    resp = np.repeat(drive[:, :, None], 4, axis=2)
    busy = np.full((3, 3), busy_min)
    w = np.full(168, 1 / 168)
    # criterion per cell: only its first choice is within reach
    crit = [(0, 2.5), (0, 4.0), (0, 1.5)]
    out = hypercube_week(
        resp,
        busy,
        drive,
        np.arange(3),
        np.ones((3, 168), bool),
        yearly,
        w,
        crit,
        np.zeros(3, np.int64),
    )
    order = np.argsort(drive, axis=1)
    exact_busy, served = _exact_hypercube(order, lam_per_min, 1.0 / busy_min, n)
    assert out.busy[0] == pytest.approx(exact_busy, abs=0.02)
    for c in range(3):
        assert out.hypercube[c, c] == pytest.approx(served[c, order[c, 0]], abs=0.02)
