"""A feasible starting placement for the least-cost model, and checks of a placement.

:func:`greedy_cover` adds the unit (station and shift) that covers most of the remaining
shortfall per euro until every group's share holds and enough units are on duty in every
period, then drops units the targets do not need. :func:`meets` checks every row of the model;
:func:`start_vector` writes a placement as the MILP's columns for HiGHS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from .optimize import PlacementProblem

__all__ = ["greedy_cover", "group_coverage", "meets", "start_vector"]


def group_coverage(
    problem: PlacementProblem,
    covers: sp.csr_matrix,
    weight: np.ndarray,
    group: np.ndarray,
    busy: np.ndarray,
    counts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected covered missions per group of a placement, and ``n[d, p]`` covering units."""
    on_units = counts.astype(np.float64) @ problem.period_on.T.astype(np.float64)  # (S, P)
    n_cov = covers @ on_units  # (D, P)
    q = busy
    cov = weight * ((1.0 - q**n_cov) * problem.period_weight[None, :]).sum(axis=1)
    n_groups = problem.required_share.size
    sel = group >= 0
    return np.bincount(group[sel], weights=cov[sel], minlength=n_groups), n_cov


def greedy_cover(
    problem: PlacementProblem,
    covers_b: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    busy: np.ndarray,
) -> np.ndarray | None:
    """A placement meeting every group's share: add the unit with the most deficit covered per
    euro until none is left, then drop units the targets do not need (None when stuck)."""
    covers = sp.csr_matrix(covers_b.astype(np.float64))
    cover_t = covers.T.tocsr()
    n_groups = problem.required_share.size
    sel = problem.group >= 0
    totals = np.bincount(problem.group[sel], weights=problem.weight[sel], minlength=n_groups)
    need = np.where(problem.required_share >= 0, problem.required_share * totals, 0.0)
    counts = problem.lower().copy()
    longest = int(np.argmax(problem.period_weight @ problem.period_on))
    for st in np.flatnonzero(problem.must_keep & (counts.sum(axis=1) == 0)):
        counts[st, longest] = 1
    onehot = np.zeros((group.size, n_groups))
    onehot[group >= 0, group[group >= 0]] = 1.0
    for _ in range(problem.n_stations * problem.max_per_station):
        got, n_cov = group_coverage(problem, covers, weight, group, busy, counts)
        deficit = np.maximum(need - got, 0.0)
        if deficit.sum() <= 1e-9 * max(need.sum(), 1.0):
            break
        q = busy
        best, best_score = None, 0.0
        for k in range(problem.n_shifts):
            marginal = np.zeros(group.size)
            for p in np.flatnonzero(problem.period_on[:, k]):
                marginal += problem.period_weight[p] * q[:, p] ** n_cov[:, p] * (1.0 - q[:, p])
            gain = cover_t @ (onehot * (weight * marginal)[:, None])  # (S, G)
            score = np.minimum(gain, deficit[None, :]).sum(axis=1) / max(
                problem.shift_cost[k], 1e-9
            )
            score[counts.sum(axis=1) >= problem.max_per_station] = -1.0
            s_best = int(np.argmax(score))
            if score[s_best] > best_score:
                best, best_score = (s_best, k), float(score[s_best])
        if best is None:
            return None
        counts[best] += 1
    min_on = (
        np.zeros(problem.period_on.shape[0])
        if problem.min_units_on is None
        else np.asarray(problem.min_units_on, dtype=np.float64)
    )
    per_period = problem.period_on.astype(np.float64)
    while True:  # enough units on duty in every period: the cheapest shift, the busiest station
        short = np.flatnonzero(per_period @ counts.sum(axis=0) < min_on - 1e-9)
        if short.size == 0:
            break
        shifts_on = np.flatnonzero(problem.period_on[int(short[0])])
        k_add = int(shifts_on[np.argmin(problem.shift_cost[shifts_on])])
        room = counts.sum(axis=1) < problem.max_per_station
        if not room.any():
            return None
        load = cover_t @ weight
        load[~room] = -1.0
        counts[int(np.argmax(load)), k_add] += 1
    got, _ = group_coverage(problem, covers, weight, group, busy, counts)
    if (got < need - 1e-9 * np.maximum(need, 1.0)).any():
        return None
    lower = problem.lower()
    order = np.argsort(-problem.shift_cost)
    for k in order:
        for st in np.flatnonzero(counts[:, k] > lower[:, k]):
            counts[st, k] -= 1
            keep_ok = not (problem.must_keep[st] and counts[st].sum() == 0)
            enough = (per_period @ counts.sum(axis=0) >= min_on - 1e-9).all()
            got, _ = group_coverage(problem, covers, weight, group, busy, counts)
            if not keep_ok or not enough or (got < need - 1e-9 * np.maximum(need, 1.0)).any():
                counts[st, k] += 1
    return counts


def meets(
    problem: PlacementProblem,
    covers_b: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    busy: np.ndarray,
    counts: np.ndarray,
) -> bool:
    """Whether a placement meets every row of the least-cost model."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.shape != (problem.n_stations, problem.n_shifts):
        return False
    per_station = counts.sum(axis=1)
    if (counts < problem.lower()).any() or (per_station > problem.max_per_station).any():
        return False
    if (per_station[problem.must_keep] < 1).any():
        return False
    if problem.min_units_on is not None:
        on = problem.period_on.astype(np.float64) @ counts.sum(axis=0)
        if (on < np.asarray(problem.min_units_on) - 1e-9).any():
            return False
    covers = sp.csr_matrix(covers_b.astype(np.float64))
    got, _ = group_coverage(problem, covers, weight, group, busy, counts)
    sel = problem.group >= 0
    totals = np.bincount(
        problem.group[sel], weights=problem.weight[sel], minlength=problem.required_share.size
    )
    need = np.where(problem.required_share >= 0, problem.required_share * totals, 0.0)
    return bool((got >= need - 1e-9 * np.maximum(need, 1.0)).all())


def start_vector(
    counts: np.ndarray,
    covers: np.ndarray,
    problem: PlacementProblem,
    layout: list[np.ndarray],
    n_cols: int,
) -> np.ndarray:
    """The MILP columns of a placement: ``x`` and the canonical ``y`` (first levels filled)."""
    x = np.zeros(n_cols)
    x[: counts.size] = counts.ravel()
    on_units = counts.astype(np.float64) @ problem.period_on.T.astype(np.float64)
    n_cov = covers.astype(np.float64) @ on_units
    for p, lay in enumerate(layout):
        starts, n_l = lay[:, 0], lay[:, 1]
        fill = np.minimum(n_cov[:, p].astype(np.int64), n_l)
        for d in np.flatnonzero(fill > 0):
            x[starts[d] : starts[d] + fill[d]] = 1.0
    return x
