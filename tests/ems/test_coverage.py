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
