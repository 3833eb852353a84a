"""Booking-queue model: exact chain vs brute force, analytic vs SimPy, hand-worked edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from palveluverkko.errors import InputError
from palveluverkko.evaluation.queueing import (
    analytic_wait,
    booking_lag,
    cramer_theta,
    simulate_wait,
    slots_per_day,
)


def _brute_force_wait(lam: float, c: int, lag: int, n: int = 400) -> np.ndarray:
    """The wait law from a dense transition matrix iterated to convergence (independent code)."""
    arr = stats.poisson.pmf(np.arange(80), lam)
    p = np.zeros((n, n))
    for r in range(n):
        for a, pa in enumerate(arr):
            p[r, min(max(r + a - c, 0), n - 1)] += pa
    pi = np.zeros(n)
    pi[0] = 1.0
    for _ in range(5000):
        pi = pi @ p
    j = np.array([(1.0 - stats.poisson.cdf(k, lam)) / lam for k in range(80)])
    w = np.zeros(n + 200)
    for r in range(n):
        for k in range(80):
            w[math.ceil((r + k + 1) / c) - 1 + lag] += pi[r] * j[k]
    return w


@pytest.mark.parametrize(("weekly", "capacity"), [(3.5, 5.0), (16.0, 20.0), (46.0, 50.0)])
def test_exact_law_equals_brute_force_chain(weekly: float, capacity: float) -> None:
    """The banded stationary solve gives the same wait law as iterating the dense chain."""
    res = analytic_wait(weekly, capacity, 7.0)
    c = slots_per_day(capacity)
    ref = _brute_force_wait(weekly / capacity * c, c, lag=1)
    got = res.wait_pmf_working_days
    assert res.method == "exact"
    assert np.abs(got - ref[: len(got)]).max() < 1e-9
    assert ref[len(got) :].sum() < 1e-9


def test_zero_demand_waits_the_booking_lag() -> None:
    """Alone in the book, a request gets the next working day (7/5 calendar days), all in target."""
    res = analytic_wait(0.0, 10.0, 7.0)
    assert res.expected_wait_days == pytest.approx(1.4)
    assert res.share_within_target == 1.0
    same_day = analytic_wait(0.0, 10.0, 0.5)
    assert same_day.expected_wait_days == 0.0
    assert same_day.share_within_target == 1.0


def test_same_day_booking_for_targets_under_a_day() -> None:
    """Emergency-care targets (< 1 day) book the same day; a wait of one day misses the target."""
    assert booking_lag(0.5) == 0
    assert booking_lag(1.0) == 1
    low = analytic_wait(10.0, 100.0, 0.5)
    assert low.share_within_target > 0.999
    next_day = analytic_wait(10.0, 100.0, 7.0)
    assert next_day.expected_wait_days - low.expected_wait_days == pytest.approx(1.4, abs=1e-9)


def test_cramer_root_solves_its_equation() -> None:
    """theta solves lam (e^theta - 1) = c theta and approaches 2(c - lam)/lam near full load."""
    for lam, c in ((5.0, 10), (95.0, 100), (0.5, 1)):
        t = cramer_theta(lam, c)
        assert lam * math.expm1(t) == pytest.approx(c * t, rel=1e-9)
    assert cramer_theta(99.9, 100) == pytest.approx(2 * 0.1 / 99.9, rel=0.01)


@pytest.mark.parametrize("rho", [0.5, 0.9])
@pytest.mark.parametrize("capacity", [10.0, 50.0])
def test_steady_state_agrees_with_simpy(rho: float, capacity: float) -> None:
    """The SimPy simulation of the same booking process matches the exact stationary figures."""
    a = analytic_wait(rho * capacity, capacity, 7.0)
    s = simulate_wait(rho * capacity, capacity, 7.0, requests=100_000, seed=3)
    assert a.steady_state
    assert s.steady_state
    assert s.expected_wait_days == pytest.approx(a.expected_wait_days, rel=0.03)
    assert s.share_within_target == pytest.approx(a.share_within_target, abs=0.02)


@pytest.mark.parametrize(("rho", "capacity"), [(1.05, 25.0), (1.3, 100.0), (2.0, 40.0)])
def test_overload_year_agrees_with_simpy(rho: float, capacity: float) -> None:
    """Overloaded: the reflected-Brownian one-year figures match SimPy's one-year runs."""
    a = analytic_wait(rho * capacity, capacity, 14.0)
    s = simulate_wait(rho * capacity, capacity, 14.0, requests=150_000, seed=5)
    assert not a.steady_state
    assert not s.steady_state
    assert a.method == "overload"
    assert s.expected_wait_days == pytest.approx(a.expected_wait_days, rel=0.05)
    assert s.share_within_target == pytest.approx(a.share_within_target, abs=0.03)


def test_diffusion_law_is_close_to_exact_near_full_load() -> None:
    """The heavy-traffic law (used only for very large systems) is near the exact one."""
    exact = analytic_wait(970.0, 1000.0, 7.0)
    diffusion = analytic_wait(970.0, 1000.0, 7.0, exact_max_work=0.0)
    assert exact.method == "exact"
    assert diffusion.method == "diffusion"
    assert diffusion.expected_wait_days == pytest.approx(exact.expected_wait_days, rel=0.05)


def test_wait_grows_and_share_falls_with_load() -> None:
    """Mean wait rises and the share within target falls as utilisation rises through 1."""
    res = [analytic_wait(r * 20, 20.0, 7.0) for r in (0.3, 0.6, 0.9, 0.98, 1.1, 1.5)]
    waits = [x.expected_wait_days for x in res]
    shares = [x.share_within_target for x in res]
    assert waits == sorted(waits)
    assert shares == sorted(shares, reverse=True)
    assert all(abs(x.wait_pmf_working_days.sum() - 1.0) < 1e-9 for x in res)


def test_bad_inputs_raise_with_the_value() -> None:
    """Capacity 0, negative demand and a negative target are refused, naming the value."""
    with pytest.raises(InputError, match=r"capacity_per_week=0\.0"):
        analytic_wait(5.0, 0.0, 7.0)
    with pytest.raises(InputError, match="contacts_per_week=-1"):
        analytic_wait(-1, 10.0, 7.0)
    with pytest.raises(InputError, match="access_target_days=-2"):
        simulate_wait(1.0, 10.0, -2)
