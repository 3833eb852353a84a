"""Coverage against the service-level decision: kernels over arrays, hour by hour of the week.

Inputs are arrays: response minutes ``R[c, s, u]`` (cell, station, urgency), the minutes a unit
is busy ``B[c, s]``, each unit's station and hours on duty, yearly missions ``m[c, u]`` and the
share ``w_h`` of alarms in each hour ``h`` of the week. For each hour the on-duty units form one
system; three measures of a criterion "urgency ``u`` within ``T`` minutes" are computed per cell
and averaged over the week with the weights ``w_h``:

Hypercube approximation (Larson 1975; location-specific service times as Jarvis 1985)
    Fixed-preference dispatch: a call from cell ``c`` goes to the nearest (by drive time) free
    on-duty unit, and waits in a queue when all ``N`` are busy. With unit busy fractions
    ``rho_j`` and their mean ``rho``, the unit of rank ``r`` (0-based) in ``c``'s order
    ``j_0, j_1, ...`` serves the call with probability

    .. math::

        P_{c,r} = Q(N, \\rho, r) \\, (1 - \\rho_{j_r}) \\prod_{l < r} \\rho_{j_l},
        \\qquad
        Q(N, \\rho, r) = \\frac{\\sum_{k=r}^{N-1} \\pi_k \\binom{N-r-1}{k-r} / \\binom{N}{k}}
                               {\\rho^r (1 - \\rho)},

    ``pi_k`` the M/M/N probabilities of ``k`` busy units (Erlang), so that ``Q`` makes the
    product exact for identical units. The ``P_{c,r}`` are scaled to sum to ``1 - P_wait``
    (Erlang C); a queued call goes to whichever unit frees first (``1/N`` each). The busy
    fractions solve ``rho_j = sum_c lambda_c sum_r [j_r = j] P_{c,r} B_{c,j}`` (plus the queued
    share) by damped fixed-point iteration, warm-started from the previous hour. Coverage is
    ``sum_r P_{c,r} [R_{c,j_r,u} <= T]``; queued calls count as late (an approximation; the
    queue probability is reported per hour).

MEXCLP (Daskin 1983)
    Expected coverage with a system-wide busy fraction ``q`` (the hour's mean ``rho``):
    ``1 - q^{n_c}``, ``n_c`` the on-duty units within ``T`` of the cell. Also with each unit's
    own ``rho_j``: ``1 - prod_{j covers c} rho_j`` (independent units).

Double coverage (Gendreau, Laporte and Semet 1997, DSM)
    Whether at least one / at least two on-duty units are within ``T`` (geometry only).

Every mission is counted: within target (expected), late, or not reachable (its cell is linked
to no station by road); see :func:`count_missions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .params import WEEKS_PER_YEAR

__all__ = [
    "CoverageArrays",
    "hour_groups",
    "hypercube_week",
    "larson_q",
]

MAX_ITER = 500
TOL = 1e-5
PROB_CUTOFF = 1e-7  # stop walking a cell's preference list when less mass remains


@njit(cache=True)
def _erlang_states(n: int, rho: float) -> np.ndarray:
    """``pi_0 .. pi_{N-1}`` and ``pi_N`` = P(all busy, queue included) of M/M/N, load ``N rho``."""
    a = n * rho
    p = np.empty(n + 1)
    t = 1.0
    p[0] = 1.0
    for k in range(1, n):
        t = t * a / k
        p[k] = t
    p[n] = t * a / n / (1.0 - rho)
    s = p.sum()
    return p / s


@njit(cache=True)
def larson_q(n: int, rho: float) -> np.ndarray:
    """Larson's correction factors ``Q(N, rho, r)``, ``r = 0 .. N-1`` (module docstring)."""
    q = np.ones(n)
    if rho < 1e-12:
        return q
    p = _erlang_states(n, rho)
    for r in range(n):
        s = 0.0
        for k in range(r, n):
            log_ratio = (
                math.lgamma(n - r)
                - math.lgamma(k - r + 1)
                - math.lgamma(n - k)
                - (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1))
            )
            s += p[k] * math.exp(log_ratio)
        denom = rho**r * (1.0 - rho)
        q[r] = s / denom if denom > 1e-280 else q[r - 1]
    return q


@njit(cache=True)
def _dispatch(
    order_c: np.ndarray,
    on: np.ndarray,
    rho: np.ndarray,
    qf: np.ndarray,
    p_wait: float,
    out_units: np.ndarray,
    out_prob: np.ndarray,
) -> int:
    """Dispatch probabilities of one cell by rank; returns the number of ranks written."""
    prod = 1.0
    r = 0
    total = 0.0
    n_on = qf.size
    for idx in range(order_c.size):
        j = order_c[idx]
        if j < 0:
            break
        if not on[j]:
            continue
        p = qf[r] * prod * (1.0 - rho[j])
        out_units[r] = j
        out_prob[r] = p
        total += p
        prod *= rho[j]
        r += 1
        if r >= n_on or prod * qf[min(r, n_on - 1)] < PROB_CUTOFF:
            break
    if total > 0:
        scale = (1.0 - p_wait) / total
        for k in range(r):
            out_prob[k] *= scale
    return r


@njit(cache=True)
def _solve_hour(
    order: np.ndarray,
    busy_min: np.ndarray,
    unit_station: np.ndarray,
    lam: np.ndarray,
    on: np.ndarray,
    rho0: np.ndarray,
    queued_load: np.ndarray,
) -> tuple[np.ndarray, float, float, bool, int]:
    """Busy fractions of one hour's units (fixed point).

    ``queued_load[j]`` is ``sum_c lambda_c B_{c,j}`` (the load if unit ``j`` took every call).
    Returns rho, mean rho, P_wait, overload flag and iterations.
    """
    n_cells, n_units = order.shape
    n_on = 0
    for j in range(n_units):
        if on[j]:
            n_on += 1
    rho = rho0.copy()
    units = np.empty(n_units, dtype=np.int64)
    prob = np.empty(n_units)
    overload = False
    mean = 0.0
    p_wait = 0.0
    it = 0
    for it in range(MAX_ITER):  # noqa: B007 (the count is returned)
        mean = 0.0
        for j in range(n_units):
            if on[j]:
                mean += rho[j]
        mean /= n_on
        if mean >= 0.999:
            mean = 0.999
            overload = True
        qf = larson_q(n_on, mean)
        p_wait = _erlang_states(n_on, mean)[n_on] if mean > 1e-12 else 0.0
        load = np.zeros(n_units)
        for c in range(n_cells):
            if lam[c] <= 0:
                continue
            k = _dispatch(order[c], on, rho, qf, p_wait, units, prob)
            for r in range(k):
                j = units[r]
                load[j] += lam[c] * prob[r] * busy_min[c, unit_station[j]]
        if p_wait > 0:
            for j in range(n_units):
                if on[j]:
                    load[j] += p_wait / n_on * queued_load[j]
        delta = 0.0
        for j in range(n_units):
            if on[j]:
                new = min(load[j], 0.999)
                d = abs(new - rho[j])
                if d > delta:
                    delta = d
                rho[j] = 0.5 * rho[j] + 0.5 * new
        if delta < TOL:
            break
    return rho, mean, p_wait, overload, it + 1


@njit(cache=True)
def _week(
    order: np.ndarray,
    resp: np.ndarray,
    busy_min: np.ndarray,
    unit_station: np.ndarray,
    yearly: np.ndarray,
    rate_w: np.ndarray,
    sum_w: np.ndarray,
    on_groups: np.ndarray,
    crit_u: np.ndarray,
    crit_t: np.ndarray,
    cell_class: np.ndarray,
    n_classes: int,
    bin_width: float,
    n_bins: int,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    n_cells, n_units = order.shape
    n_crit = crit_u.size
    n_urg = yearly.shape[1]
    hyper = np.zeros((n_cells, n_crit))
    mex_sys = np.zeros((n_cells, n_crit))
    mex_unit = np.zeros((n_cells, n_crit))
    single = np.zeros((n_cells, n_crit))
    double = np.zeros((n_cells, n_crit))
    hist = np.zeros((n_classes, n_urg, n_bins + 2))  # last two: beyond range, queued/no unit
    n_groups = rate_w.size
    busy = np.zeros((n_groups, n_units))
    hour_stats = np.zeros((n_groups, 5))  # n_on, mean rho, P_wait, overload, iterations
    per_cell_year = np.zeros(n_cells)
    for c in range(n_cells):
        for u in range(n_urg):
            per_cell_year[c] += yearly[c, u]
    rho = np.zeros(n_units)
    # sum_c m_c B_{c, s(j)} over reachable pairs: the load of unit j if it took every call
    all_load = np.zeros(n_units)
    for c in range(n_cells):
        if per_cell_year[c] > 0:
            for j in range(n_units):
                b = busy_min[c, unit_station[j]]
                if np.isfinite(b):
                    all_load[j] += per_cell_year[c] * b
    units = np.empty(n_units, dtype=np.int64)
    prob = np.empty(n_units)
    prev_w = 0.0
    for h in range(n_groups):
        w = rate_w[h]  # share of the week's alarms in one hour of the group: sets the load
        ws = sum_w[h]  # share of the week's alarms in all hours of the group: weights results
        if w <= 0:
            continue
        on = on_groups[:, h]
        n_on = 0
        for j in range(n_units):
            if on[j]:
                n_on += 1
        hour_stats[h, 0] = n_on
        if n_on == 0:
            for c in range(n_cells):
                for u in range(n_urg):
                    hist[cell_class[c], u, n_bins + 1] += yearly[c, u] * ws
            continue
        lam = per_cell_year * w / (WEEKS_PER_YEAR * 60.0)  # calls per minute in this hour
        # warm start: last hour's busy fractions scaled by the change in alarm rate
        ratio = w / prev_w if prev_w > 0 else 1.0
        for j in range(n_units):
            if on[j]:
                rho[j] = min(rho[j] * ratio, 0.9) if rho[j] > 0 else 0.1
        prev_w = w
        scale = w / (WEEKS_PER_YEAR * 60.0)
        rho, mean, p_wait, overload, its = _solve_hour(
            order, busy_min, unit_station, lam, on, rho, all_load * scale
        )
        hour_stats[h, 4] = its
        hour_stats[h, 1] = mean
        hour_stats[h, 2] = p_wait
        hour_stats[h, 3] = 1.0 if overload else 0.0
        for j in range(n_units):
            busy[h, j] = rho[j] if on[j] else 0.0
        qf = larson_q(n_on, mean)
        for c in range(n_cells):
            k = _dispatch(order[c], on, rho, qf, p_wait, units, prob)
            for r in range(k):
                s = unit_station[units[r]]
                for ci in range(n_crit):
                    if resp[c, s, crit_u[ci]] <= crit_t[ci]:
                        hyper[c, ci] += ws * prob[r]
                for u in range(n_urg):
                    t = resp[c, s, u]
                    b = int(t / bin_width) if t < bin_width * n_bins else n_bins
                    hist[cell_class[c], u, b] += yearly[c, u] * ws * prob[r]
            assigned = 0.0
            for r in range(k):
                assigned += prob[r]
            for u in range(n_urg):
                hist[cell_class[c], u, n_bins + 1] += yearly[c, u] * ws * (1.0 - assigned)
            for ci in range(n_crit):
                n_cov = 0
                prod_unit = 1.0
                for idx in range(n_units):  # response grows with drive: covering units lead
                    j = order[c, idx]
                    if j < 0 or resp[c, unit_station[j], crit_u[ci]] > crit_t[ci]:
                        break
                    if on[j]:
                        n_cov += 1
                        prod_unit *= rho[j]
                if n_cov >= 1:
                    single[c, ci] += ws
                    mex_sys[c, ci] += ws * (1.0 - mean**n_cov)
                    mex_unit[c, ci] += ws * (1.0 - prod_unit)
                if n_cov >= 2:
                    double[c, ci] += ws
    return hyper, mex_sys, mex_unit, single, double, hist, busy, hour_stats


@dataclass(frozen=True)
class CoverageArrays:
    """What :func:`hypercube_week` returns; shares are per cell and criterion over the week.

    Attributes
    ----------
    hypercube, mexclp, mexclp_units, single, double
        ``(n_cells, n_criteria)`` shares of a cell's missions (of the criterion's urgency)
        reached within the criterion's minutes: hypercube approximation, MEXCLP with the
        system-wide busy fraction, MEXCLP with each unit's busy fraction, and the hour-weighted
        share of time with at least one / two on-duty units within reach.
    histogram
        ``(n_classes, 4, n_bins + 2)`` expected yearly missions by response-time bin (the last
        two: beyond the range; queued or no unit on duty).
    busy
        ``(168, n_units)`` busy fraction of each unit in each hour (0 off duty).
    hours
        ``(168, 5)``: units on duty, mean busy fraction, probability that all are busy
        (queue), overload flag (load >= units; fractions capped), fixed-point iterations.
    bin_width
        Minutes per histogram bin.
    """

    hypercube: np.ndarray
    mexclp: np.ndarray
    mexclp_units: np.ndarray
    single: np.ndarray
    double: np.ndarray
    histogram: np.ndarray
    busy: np.ndarray
    hours: np.ndarray
    bin_width: float


def preference_order(drive: np.ndarray, unit_station: np.ndarray) -> np.ndarray:
    """``(n_cells, n_units)`` units by drive time from their station (ties by unit index);
    ``-1`` after the last reachable unit."""
    d = np.asarray(drive, dtype=np.float64)[:, unit_station]
    order = np.argsort(d, axis=1, kind="stable").astype(np.int64)
    reach = np.take_along_axis(np.isfinite(d), order, axis=1)
    order[~reach] = -1
    return order


def hypercube_week(
    resp: np.ndarray,
    busy_min: np.ndarray,
    drive: np.ndarray,
    unit_station: np.ndarray,
    on_week: np.ndarray,
    yearly: np.ndarray,
    hour_weight: np.ndarray,
    criteria: list[tuple[int, float]],
    cell_class: np.ndarray,
    *,
    n_classes: int = 4,
    bin_width: float = 0.5,
    max_minutes: float = 180.0,
    rate_step: float = 0.02,
) -> CoverageArrays:
    """Coverage of every cell and criterion over a week of shifts (module docstring).

    Parameters
    ----------
    resp
        ``(n_cells, n_stations, 4)`` response minutes per urgency (``inf`` unreachable).
    busy_min
        ``(n_cells, n_stations)`` minutes a unit of the station is busy with a mission.
    drive
        ``(n_cells, n_stations)`` drive minutes (the dispatch preference).
    unit_station
        ``(n_units,)`` station of each unit.
    on_week
        ``(n_units, 168)`` bool hours on duty.
    yearly
        ``(n_cells, 4)`` yearly missions per urgency.
    hour_weight
        ``(168,)`` share of alarms in each hour of the week (sums to 1).
    criteria
        ``(urgency index, minutes)`` pairs.
    cell_class
        ``(n_cells,)`` class index (for the histogram).
    rate_step
        Hours with the same units on duty whose alarm rates differ by less than this factor
        share one steady state (:func:`hour_groups`; 0 solves every hour apart). The default
        2 % moves busy fractions by well under a percentage point.
    """
    unit_station = np.ascontiguousarray(unit_station, dtype=np.int64)
    order = preference_order(drive, unit_station)
    group_of_hour, rate_w, sum_w, on_groups = hour_groups(on_week, hour_weight, rate_step)
    crit_u = np.array([c[0] for c in criteria], dtype=np.int64)
    crit_t = np.array([c[1] for c in criteria], dtype=np.float64)
    n_bins = math.ceil(max_minutes / bin_width)
    out = _week(
        order,
        np.ascontiguousarray(resp, dtype=np.float64),
        np.ascontiguousarray(busy_min, dtype=np.float64),
        unit_station,
        np.ascontiguousarray(yearly, dtype=np.float64),
        rate_w,
        sum_w,
        on_groups,
        crit_u,
        crit_t,
        np.ascontiguousarray(cell_class, dtype=np.int64),
        n_classes,
        float(bin_width),
        n_bins,
    )
    hyper, mex_sys, mex_unit, single, double, hist, busy_g, stats_g = out
    return CoverageArrays(
        hyper,
        mex_sys,
        mex_unit,
        single,
        double,
        hist,
        busy_g[group_of_hour],
        stats_g[group_of_hour],
        bin_width=float(bin_width),
    )


def hour_groups(
    on_week: np.ndarray, hour_weight: np.ndarray, rate_step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hours of the week with the same units on duty and alarm rates within a factor
    ``1 + rate_step`` of each other share one steady state.

    Returns the group of each hour, each group's rate (the mean hourly share of its hours),
    its total share and its units on duty ``(n_units, n_groups)``; groups are ordered by duty
    set and rate so that each warm-starts from a similar one.
    """
    w = np.asarray(hour_weight, dtype=np.float64)
    on = np.asarray(on_week, dtype=bool)
    pattern = np.unique(on.T, axis=0, return_inverse=True)[1].ravel()
    level = (
        np.floor(np.log(np.maximum(w, 1e-300)) / np.log1p(rate_step)).astype(np.int64)
        if rate_step > 0
        else np.arange(w.size)
    )
    level[w <= 0] = np.iinfo(np.int64).min
    keys = np.column_stack([pattern, level])
    uniq, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    n = len(uniq)
    sum_w = np.bincount(group, weights=w, minlength=n)
    count = np.bincount(group, minlength=n)
    rate_w = sum_w / np.maximum(count, 1)
    first = np.zeros(n, dtype=np.int64)
    first[group[::-1]] = np.arange(group.size)[::-1]
    return group, rate_w, sum_w, np.ascontiguousarray(on[:, first])
