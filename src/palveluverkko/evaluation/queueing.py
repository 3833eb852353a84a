"""Queueing model of appointment booking: the wait until an appointment and the access target.

The model (ASSUMPTION, one for every service; each method below computes exactly this process or
says how it approximates it)
--------------------------------------------------------------------------------------------------
Time runs in working days, 5 per week. A site-service has ``c`` appointment slots per working day,
``c = max(1, round(capacity_per_week / 5))``; requests arrive as a Poisson process of ``lam``
per working day (``lam = c * rho`` with ``rho = contacts_per_week / capacity_per_week``, so the
rounding of ``c`` keeps the utilisation exact). Requests are booked first come, first served into
the first free slot, from the next working day on (``lag = 1``), or from the same day for
services whose access target is under one day (``lag = 0``: emergency care). Let ``R_d`` be the
appointments already booked ahead at the start of day ``d`` and ``A_d`` the requests of day
``d``:

.. math::

    R_{d+1} = \\max(R_d + A_d - c,\\ 0).

A request of day ``d`` finds ``R_d`` appointments plus ``J`` earlier requests of the same day
ahead of it; ``J`` has the law of the requests before a uniform time of the day,
``P(J = j) = P(A > j) / lam``. Its wait in working days is

.. math::

    W = \\lceil (R + J + 1) / c \\rceil - 1 + \\text{lag},

and in calendar days ``W * 7 / 5`` (a working day is 7/5 calendar days on average). The share
seen within an access target of ``T`` calendar days is ``P(W <= floor(T * 5 / 7))``.

Methods
-------
``rho < 1`` (a steady state exists):
    *exact*: the stationary law of the chain from its balance equations, a banded linear system
    (``scipy.linalg.solve_banded``) on states ``0 .. N`` with ``N`` set by the tail
    ``P(R > x) ~ exp(-theta x)``, ``theta`` the Cramér root of ``lam (e^theta - 1) = c theta``,
    so that the cut mass is below 1e-15. Used while the system is small (``c`` up to a few
    hundred slots a day at moderate load).
    *diffusion* (only when the system is too large to solve, about ``rho > 0.999`` with hundreds
    of slots a day): ``R`` geometric with the exact tail ``exp(-theta)`` (the heavy-traffic
    limit of the chain; Kingman).
``rho >= 1`` (no steady state; the book grows by ``lam - c`` a day):
    the figures are averaged over the requests of one year (260 working days) from an empty
    book (every day of the first four weeks, then one day a week), ``R_d`` taken as a
    reflected Brownian motion with drift ``lam - c`` and variance
    ``lam`` per day (Harrison 1985, its distribution in closed form) and ``J`` as ``lam * U``
    with ``U`` uniform (Gauss-Legendre over ``U``). ``steady_state`` is then False.
*simulation*: :func:`simulate_wait`, a SimPy discrete-event simulation of the same process, one
    event per request. The tests check the analytic figures against it and against a
    brute-force chain.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, optimize, special, stats

from ..errors import InputError

log = logging.getLogger("palveluverkko.evaluation")

__all__ = [
    "CALENDAR_PER_WORKING_DAY",
    "HORIZON_WORKING_DAYS",
    "QueueResult",
    "analytic_wait",
    "booking_lag",
    "simulate_wait",
    "slots_per_day",
]

WORKING_DAYS_PER_WEEK = 5
CALENDAR_PER_WORKING_DAY = 7.0 / 5.0
HORIZON_WORKING_DAYS = 260
"""One year of working days: the horizon of the figures of an overloaded site."""
EXACT_MAX_WORK = 1.0e9
"""Largest banded solve (states x band x band) done exactly; above it the diffusion law."""
_TAIL_LOG = 36.0  # exp(-36) ~ 2e-16: where the state space is cut
_LEGENDRE = np.polynomial.legendre.leggauss(8)
_DAY_STRIDE = 5  # the overloaded book is sampled once a week (its law changes slowly)


@dataclass(frozen=True)
class QueueResult:
    """Wait of a request in the booking queue.

    Attributes
    ----------
    expected_wait_days
        Mean wait until the appointment, calendar days.
    share_within_target
        Share of requests whose appointment is within the access target.
    steady_state
        True when ``rho < 1``; False: averaged over one year from an empty book.
    method
        ``exact``, ``diffusion``, ``overload`` (reflected Brownian motion, one year) or
        ``simulation``.
    wait_pmf_working_days
        ``pmf[k]``: probability that the wait is ``k`` working days.
    """

    expected_wait_days: float
    share_within_target: float
    steady_state: bool
    method: str
    wait_pmf_working_days: NDArray[np.float64]


def slots_per_day(capacity_per_week: float) -> int:
    """Appointment slots per working day: ``max(1, round(capacity_per_week / 5))``."""
    return max(1, round(capacity_per_week / WORKING_DAYS_PER_WEEK))


def booking_lag(access_target_days: float) -> int:
    """0 (same-day booking) when the access target is under one day, else 1 (next working day)."""
    return 0 if access_target_days < 1.0 else 1


def _target_working_days(access_target_days: float) -> int:
    return math.floor(access_target_days / CALENDAR_PER_WORKING_DAY + 1e-9)


def _check(contacts_per_week: float, capacity_per_week: float, access_target_days: float) -> None:
    if not (capacity_per_week > 0 and math.isfinite(capacity_per_week)):
        raise InputError(
            f"capacity_per_week={capacity_per_week!r}: expected a finite value > 0 (a site-service "
            "without capacity has no queue; site_load reports it as 'no_capacity')"
        )
    if not (contacts_per_week >= 0 and math.isfinite(contacts_per_week)):
        raise InputError(f"contacts_per_week={contacts_per_week!r}: expected a finite value >= 0")
    if not (access_target_days >= 0 and math.isfinite(access_target_days)):
        raise InputError(
            f"access_target_days={access_target_days!r}: expected a finite number of days >= 0"
        )


@dataclass(frozen=True)
class _Queue:
    """The model's figures of one site-service (see the module docstring)."""

    lag: int
    c: int
    rho: float
    lam: float
    target: int

    @classmethod
    def of(cls, contacts: float, capacity: float, target_days: float, lag: int | None) -> _Queue:
        _check(contacts, capacity, target_days)
        c = slots_per_day(capacity)
        rho = contacts / capacity
        return cls(
            lag=booking_lag(target_days) if lag is None else int(lag),
            c=c,
            rho=rho,
            lam=rho * c,
            target=_target_working_days(target_days),
        )

    def alone(self, method: str) -> QueueResult:
        """Without other requests: the first slot, ``lag`` working days on."""
        pmf = np.zeros(self.lag + 1)
        pmf[self.lag] = 1.0
        return _result(pmf, self.target, True, method)


def _poisson(lam: float) -> NDArray[np.float64]:
    """Poisson pmf on ``0 .. K-1`` with the tail beyond ``K`` below 1e-16."""
    k = int(lam + 14.0 * math.sqrt(lam) + 25.0)
    return np.asarray(stats.poisson.pmf(np.arange(k), lam), dtype=np.float64)


def _same_day_ahead(arr: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    """Law of ``J``: ``P(J = j) = P(A > j) / lam``."""
    j = np.clip(1.0 - np.cumsum(arr), 0.0, None) / lam
    return np.asarray(j / j.sum(), dtype=np.float64)


def cramer_theta(lam: float, c: int) -> float:
    """Positive root of ``lam (e^theta - 1) = c theta`` (``lam < c``): the tail rate of ``R``."""

    def f(t: float) -> float:
        return lam * math.expm1(t) - c * t

    hi = 1.0
    while f(hi) <= 0.0:
        hi *= 2.0
    lo = min(1e-9, hi / 2)
    if f(lo) >= 0.0:  # so close to rho = 1 that the root is below lo
        return 2.0 * (c - lam) / lam
    return float(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-12))


def _stationary_exact(arr: NDArray[np.float64], c: int, theta: float) -> NDArray[np.float64]:
    """Stationary law of ``R`` from the balance equations (banded; ``pi_0`` fixed to 1)."""
    k = len(arr)
    n_states = int(c + k + math.ceil(_TAIL_LOG / theta))
    n = n_states - 1  # unknowns pi_1 .. pi_{N-1}
    lower, upper = max(k - 1 - c, 0), c
    ab = np.zeros((lower + upper + 1, n))
    # M[j, i] = delta_ij - P(A = j - i + c) for states j, i >= 1; offset d = i - j
    for d in range(-lower, upper + 1):
        a = c - d
        value = (arr[a] if 0 <= a < k else 0.0) * -1.0 + (1.0 if d == 0 else 0.0)
        if value == 0.0:
            continue
        lo_col, hi_col = max(0, d), min(n, n + d)
        ab[upper - d, lo_col:hi_col] = value
    rhs = np.zeros(n)
    m = max(0, min(n, k - c - 1))
    rhs[:m] = arr[c + 1 : c + 1 + m]  # pi_0 * P(A = j + c), j = 1 .. m
    x = linalg.solve_banded((lower, upper), ab, rhs, check_finite=False)
    pi = np.concatenate([[1.0], np.clip(x, 0.0, None)])
    return np.asarray(pi / pi.sum(), dtype=np.float64)


def _stationary_diffusion(theta: float) -> NDArray[np.float64]:
    q = math.exp(-theta)
    n = math.ceil(_TAIL_LOG / theta) + 1
    pi = (1.0 - q) * q ** np.arange(n)
    return np.asarray(pi / pi.sum(), dtype=np.float64)


def _wait_from_ahead(
    r_pmf: NDArray[np.float64], j_pmf: NDArray[np.float64], c: int, lag: int
) -> NDArray[np.float64]:
    """Law of ``W = ceil((R + J + 1) / c) - 1 + lag`` in working days."""
    s = np.convolve(r_pmf, j_pmf) if len(r_pmf) * len(j_pmf) < 4e6 else _fftconv(r_pmf, j_pmf)
    s = np.clip(s, 0.0, None)
    position = np.arange(len(s)) + 1
    days = -(-position // c) - 1 + lag
    w = np.bincount(days, weights=s)
    return np.asarray(w / w.sum(), dtype=np.float64)


def _fftconv(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    from scipy.signal import fftconvolve

    return np.asarray(fftconvolve(a, b), dtype=np.float64)


def _rbm_cdf(m: NDArray[np.float64], t: NDArray[np.float64], mu: float, var: float) -> NDArray:
    """``P(R_t <= m)`` of a reflected Brownian motion from 0 (drift ``mu``, variance ``var``)."""
    sd = np.sqrt(var * t)
    a = special.ndtr((m - mu * t) / sd)
    log_b = 2.0 * mu * m / var + special.log_ndtr((-m - mu * t) / sd)
    out = a - np.exp(np.minimum(log_b, 0.0))
    return np.where(m < 0.0, 0.0, np.clip(out, 0.0, 1.0))


MAX_WAIT_WORKING_DAYS = 10 * 250
"""Longest wait the overload model resolves (10 years of working days); longer waits are
counted as this long (their share within the target is 0 either way)."""


def _overload_wait(lam: float, c: int, lag: int) -> NDArray[np.float64]:
    """Wait law averaged over the requests of one year from an empty book (``lam >= c``)."""
    mu, var, horizon = lam - c, lam, HORIZON_WORKING_DAYS
    # every day of the first four weeks (the book fills), then one day a week standing for five
    early = np.arange(20, dtype=np.float64)
    late = np.arange(20, horizon, _DAY_STRIDE, dtype=np.float64) + (_DAY_STRIDE - 1) / 2.0
    days = np.concatenate([early, late]) + 0.5
    day_weight = np.concatenate([np.ones(len(early)), np.full(len(late), float(_DAY_STRIDE))])
    day_weight /= day_weight.sum()
    top = mu * horizon + 10.0 * math.sqrt(var * horizon) + lam + c + 1.0
    # waits beyond MAX_WAIT_WORKING_DAYS are counted there (the last bin): a capacity typo of
    # 1 a week against 2,000 requests would otherwise make gigabyte arrays
    w_max = min(math.ceil(top / c) + 2, MAX_WAIT_WORKING_DAYS)
    w = np.arange(w_max + 1, dtype=np.float64)
    nodes, weights = _LEGENDRE
    u = (nodes + 1.0) / 2.0
    # P(W <= w) = P(R + J + 1 <= (w + 1 - lag) c), J ~ lam U; continuity correction +0.5
    m = (w[None, :, None] + 1 - lag) * c - 1.0 - lam * u[None, None, :] + 0.5
    cdf = _rbm_cdf(m, days[:, None, None], mu, var)  # (days, w, nodes)
    cdf = ((cdf * (weights / 2.0)[None, None, :]).sum(axis=2) * day_weight[:, None]).sum(axis=0)
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    cdf[-1] = 1.0
    pmf = np.diff(np.concatenate([[0.0], cdf]))
    return np.asarray(pmf, dtype=np.float64)


def analytic_wait(
    contacts_per_week: float,
    capacity_per_week: float,
    access_target_days: float,
    *,
    lag: int | None = None,
    exact_max_work: float = EXACT_MAX_WORK,
) -> QueueResult:
    """Wait in the booking queue (see the module docstring for the model and the methods).

    Parameters
    ----------
    contacts_per_week
        Requests per week (>= 0).
    capacity_per_week
        Appointment slots per week (> 0).
    access_target_days
        Access target, calendar days.
    lag
        0 same-day booking, 1 from the next working day; default :func:`booking_lag`.
    exact_max_work
        Size above which the steady state uses the diffusion law instead of the exact solve.

    Returns
    -------
    QueueResult
    """
    q = _Queue.of(contacts_per_week, capacity_per_week, access_target_days, lag)
    lag, c, rho, lam, target = q.lag, q.c, q.rho, q.lam, q.target
    if lam == 0.0:
        return q.alone("exact")
    if rho >= 1.0:
        return _result(_overload_wait(lam, c, lag), target, False, "overload")
    arr = _poisson(lam)
    j_pmf = _same_day_ahead(arr, lam)
    theta = cramer_theta(lam, c)
    n_states = c + len(arr) + _TAIL_LOG / theta
    lower = max(len(arr) - 1 - c, 0)
    if n_states * (lower + 1) * (lower + c + 1) <= exact_max_work:
        r_pmf, method = _stationary_exact(arr, c, theta), "exact"
    else:
        r_pmf, method = _stationary_diffusion(theta), "diffusion"
    return _result(_wait_from_ahead(r_pmf, j_pmf, c, lag), target, True, method)


def _result(pmf: NDArray[np.float64], target: int, steady: bool, method: str) -> QueueResult:
    mean_wd = float((np.arange(len(pmf)) * pmf).sum())
    share = float(pmf[: target + 1].sum())
    return QueueResult(
        expected_wait_days=mean_wd * CALENDAR_PER_WORKING_DAY,
        share_within_target=min(max(share, 0.0), 1.0),
        steady_state=steady,
        method=method,
        wait_pmf_working_days=pmf,
    )


def simulate_wait(
    contacts_per_week: float,
    capacity_per_week: float,
    access_target_days: float,
    *,
    lag: int | None = None,
    requests: int = 200_000,
    warmup_days: int = 500,
    seed: int = 0,
) -> QueueResult:
    """SimPy discrete-event simulation of the booking process (one event per request).

    Requests arrive with exponential gaps (``lam`` per working day) and are booked first come,
    first served into the first free slot from ``today + lag``. With ``rho < 1`` one long run:
    the first ``warmup_days`` are discarded and about ``requests`` requests are counted. With
    ``rho >= 1`` the one-year run from an empty book is repeated until about ``requests``
    requests are counted, matching :func:`analytic_wait`'s figure.
    """
    import simpy

    q = _Queue.of(contacts_per_week, capacity_per_week, access_target_days, lag)
    lag, c, rho, lam, target = q.lag, q.c, q.rho, q.lam, q.target
    if lam == 0.0:
        return q.alone("simulation")
    steady = rho < 1.0
    rng = np.random.default_rng(seed)
    counts = np.zeros(64, dtype=np.int64)
    if steady:
        runs, horizon, skip = 1, warmup_days + max(1, int(requests / lam)), warmup_days
    else:
        runs = max(1, int(requests / (lam * HORIZON_WORKING_DAYS)))
        horizon, skip = HORIZON_WORKING_DAYS, 0
    for _ in range(runs):
        env = simpy.Environment()
        book = {"day": 0, "used": 0}  # the first day with a free slot and its slots used
        waits: list[int] = []

        def arrivals(
            env: simpy.Environment, book: dict[str, int] = book, waits: list[int] = waits
        ) -> Generator[simpy.events.Event, None, None]:
            while True:
                yield env.timeout(float(rng.exponential(1.0 / lam)))
                today = int(env.now)
                if book["day"] < today + lag:
                    book["day"], book["used"] = today + lag, 0
                if today >= skip:
                    waits.append(book["day"] - today)
                book["used"] += 1
                if book["used"] == c:
                    book["day"], book["used"] = book["day"] + 1, 0

        env.process(arrivals(env))
        env.run(until=horizon)
        got = np.bincount(np.asarray(waits, dtype=np.int64))
        if len(got) > len(counts):
            counts = np.pad(counts, (0, len(got) - len(counts)))
        counts[: len(got)] += got
    pmf = counts.astype(np.float64) / max(int(counts.sum()), 1)
    return _result(pmf, target, steady, "simulation")
