"""Heuristics for median-type objectives: greedy, fast interchange, variable neighbourhood search.

The objective of an open set ``S`` over a weighted cost matrix ``D`` (rows = demand, columns =
sites, ``D_ij = w_i c_ij``; forbidden pairs carry a penalty larger than any feasible total, see
:func:`weighted_costs`) and optional site costs ``f`` is

.. math::

    z(S) = \\sum_i \\min_{j \\in S} D_{ij} + \\sum_{j \\in S} f_j .

Fast interchange (Whitaker 1983; Resende and Werneck 2007) evaluates every swap at once from
each row's nearest open site ``phi_i``, its cost ``d1_i`` and the second-nearest cost ``d2_i``:

.. math::

    \\Delta(r \\to f) = \\underbrace{\\textstyle\\sum_{i: \\phi_i = r} (d2_i - d1_i)}_{loss(r)}
      - \\underbrace{\\textstyle\\sum_i \\max(0, d1_i - D_{if})}_{gain(f)}
      - \\underbrace{\\textstyle\\sum_{i: \\phi_i = r}
        \\max(0, d2_i - \\max(D_{if}, d1_i))}_{extra(r, f)}
      + f_f - f_r .

``gain`` and ``loss`` are vectors and ``extra`` a sparse-times-dense product, so one pass over
all swaps costs ``O(n_rows x n_closed)`` in numpy. Add and drop moves (free number of sites)
use ``gain`` and ``loss`` alone. Every move respects the site rules (must-open, must-close,
group minimums) and, when given, a budget on ``sum f_j``.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .problem import BoolArray, FloatArray, IntArray, Rows, SiteRules

log = logging.getLogger("palveluverkko.locate")


class SparseLike(Protocol):
    """What a move needs of a search space besides the open set (dense or sparse form)."""

    rules: SiteRules
    count: int | None
    site_cost: FloatArray | None
    budget: float | None

    def _cost(self, idx: IntArray) -> FloatArray: ...

    def value(self, open_mask: BoolArray) -> float: ...

    def descend(self, open_mask: BoolArray, *, deadline: float) -> tuple[BoolArray, float, int]: ...


@dataclass
class FamilyOutcome:
    """Open set, value (in ``D`` units, site costs included), bound and how they were found."""

    open_mask: BoolArray
    value: float
    bound: float
    method: str
    details: dict[str, Any] = field(default_factory=dict)


def weighted_costs(
    rows: Rows, *, scale: float = 1.0, site_cost: FloatArray | None = None
) -> tuple[FloatArray, BoolArray, float]:
    """Weighted costs ``scale * w_i * minutes_ij`` with a penalty on forbidden (``inf``) pairs.

    The penalty of a forbidden pair in row ``i`` is ``P + scale * w_i * (c_max + 1)`` with
    ``P = scale * W * c_max + sum_j f_j``, more than any solution without forbidden pairs can
    cost. So every heuristic prefers a feasible solution, and the penalised problem is a
    relaxation of the true one: a lower bound for it is a lower bound for the true problem.

    Returns
    -------
    D, forbidden, threshold
        Costs, forbidden mask, and the value at or above which a solution uses a forbidden pair.
    """
    mins = rows.minutes
    forbidden = ~np.isfinite(mins)
    finite_max = float(mins[~forbidden].max()) if (~forbidden).any() else 1.0
    w = rows.weight * scale
    D = mins * w[:, None]
    threshold = np.inf
    if forbidden.any():
        extra = 0.0 if site_cost is None else float(site_cost.sum())
        threshold = float(w.sum() * finite_max + extra) * (1 + 1e-9) + 1.0
        pen = threshold + w * (finite_max + 1.0)
        D[forbidden] = np.broadcast_to(pen[:, None], D.shape)[forbidden]
    return np.ascontiguousarray(D), forbidden, threshold


def total_cost(D: FloatArray, open_idx: IntArray, site_cost: FloatArray | None = None) -> float:
    """``z(S)``: assignment cost to the nearest open site plus site costs."""
    value = float(D[:, open_idx].min(axis=1).sum())
    if site_cost is not None:
        value += float(site_cost[open_idx].sum())
    return value


def nearest_two(
    D: FloatArray, open_idx: IntArray, big: float
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Nearest open column, its cost and the second-nearest cost (``big`` with one site)."""
    sub = D[:, open_idx]
    n = sub.shape[0]
    if open_idx.size == 1:
        return np.full(n, open_idx[0], dtype=np.intp), sub[:, 0].copy(), np.full(n, big)
    part = np.argpartition(sub, 1, axis=1)[:, :2]
    r = np.arange(n)
    a = sub[r, part[:, 0]]
    b = sub[r, part[:, 1]]
    first = np.where(a <= b, part[:, 0], part[:, 1])
    return open_idx[first], np.minimum(a, b), np.maximum(a, b)


@dataclass
class MoveSpace:
    """Everything a move needs besides the open set."""

    D: FloatArray
    rules: SiteRules
    count: int | None = None
    site_cost: FloatArray | None = None
    budget: float | None = None

    def __post_init__(self) -> None:
        self.big = float(self.D.max()) * 2.0 + 1.0
        self.m = self.D.shape[1]

    def value(self, open_mask: BoolArray) -> float:
        """``z(S)``."""
        return total_cost(self.D, np.flatnonzero(open_mask), self.site_cost)

    def _cost(self, idx: IntArray) -> FloatArray:
        if self.site_cost is None:
            return np.zeros(idx.size)
        return self.site_cost[idx]

    def descend(self, open_mask: BoolArray, *, deadline: float) -> tuple[BoolArray, float, int]:
        """Fast interchange to a local optimum (:func:`local_search`)."""
        return local_search(self, open_mask, deadline=deadline)


def greedy(
    space: MoveSpace, start: BoolArray | None = None, *, deadline: float = math.inf
) -> BoolArray:
    """Greedy addition from the must-open sites (or ``start``).

    Each step opens the site with the largest net saving, restricted to groups still short of
    their minimum when the remaining slots are needed for them. With a fixed ``count`` it stops
    at ``count`` sites; otherwise when no site saves more than it costs (or the budget is spent).
    After ``deadline`` the savings are no longer recomputed: the remaining steps rank sites by
    the savings last computed, so a solution that meets the rules still comes back at once.
    """
    rules = space.rules
    D = space.D
    S = rules.fixed_open.copy() if start is None else start.copy()
    d1 = D[:, np.flatnonzero(S)].min(axis=1) if S.any() else np.full(D.shape[0], space.big)
    spent = float(space._cost(np.flatnonzero(S)).sum())
    last = np.zeros(space.m)
    while True:
        n_open = int(S.sum())
        if space.count is not None and n_open >= space.count:
            break
        cand = rules.allowed & ~S
        deficit = np.maximum(rules.group_min - rules.open_count_per_group(S), 0)
        need = int(deficit.sum())
        short_group = np.zeros(space.m, dtype=bool)
        if need:
            short = np.flatnonzero(deficit > 0)
            short_group = np.isin(rules.group_of_site, short)
        slots = (space.count - n_open) if space.count is not None else None
        if need and (slots is None or slots <= need):
            cand &= short_group
        if space.budget is not None and space.site_cost is not None:
            cand &= spent + space.site_cost <= space.budget * (1 + 1e-12)
        idx = np.flatnonzero(cand)
        if idx.size == 0:
            break
        if time.perf_counter() >= deadline:
            gain = last[idx]
        elif n_open == 0:
            # nothing open yet: every row costs ``big``; pick the cheapest single site
            gain = -(D[:, idx].sum(axis=0) + space._cost(idx))
        else:
            gain = np.maximum(d1[:, None] - D[:, idx], 0.0).sum(axis=0) - space._cost(idx)
        last[idx] = gain
        k = int(np.argmax(gain))
        if space.count is None and n_open > 0 and not need and gain[k] <= 0:
            break
        j = int(idx[k])
        S[j] = True
        spent += float(space._cost(np.array([j]))[0])
        d1 = np.minimum(d1, D[:, j])
    return S


def _sum_by_group(E: FloatArray, group: npt.NDArray[np.intp], n_groups: int) -> FloatArray:
    """``out[k] = E[group == k].sum(axis=0)`` (sorted segments; no sparse matrix to build)."""
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out = np.zeros((n_groups, E.shape[1]))
    full = counts > 0
    if full.any():
        out[full] = np.add.reduceat(E[order], starts[full], axis=0)
    return out


def best_move(
    space: MoveSpace | SparseLike,
    S: BoolArray,
    open_idx: IntArray,
    closed: IntArray,
    loss: FloatArray,
    gain: FloatArray,
    extra: FloatArray | None,
) -> tuple[float, tuple[str, int, int] | None]:
    """The best swap (and, with a free count, add or drop) from the interchange terms.

    ``loss`` per open site, ``gain`` per closed site, ``extra`` per (open, closed) pair (see
    the module docstring); every move respects the site rules and the budget. Returns the
    change of the objective and the move (``None`` when no move is allowed).
    """
    rules = space.rules
    group = rules.group_of_site
    cost_open = space._cost(open_idx)
    counts = rules.open_count_per_group(S)
    removable = ~rules.fixed_open[open_idx]
    g_open = group[open_idx]
    tight = np.zeros(open_idx.size, dtype=bool)
    has_g = g_open >= 0
    tight[has_g] = counts[g_open[has_g]] <= rules.group_min[g_open[has_g]]
    spent = float(cost_open.sum())
    best_delta = 0.0
    best: tuple[str, int, int] | None = None
    if closed.size:
        cost_closed = space._cost(closed)
        if open_idx.size and removable.any() and extra is not None:
            delta = (loss - cost_open)[:, None] - gain[None, :] - extra + cost_closed[None, :]
            valid = np.broadcast_to(removable[:, None], delta.shape).copy()
            if tight.any():
                same = g_open[:, None] == group[closed][None, :]
                valid &= ~tight[:, None] | same
            if space.budget is not None:
                valid &= spent - cost_open[:, None] + cost_closed[None, :] <= space.budget * (
                    1 + 1e-12
                )
            delta = np.where(valid, delta, np.inf)
            flat = int(np.argmin(delta))
            r, c = divmod(flat, closed.size)
            if delta[r, c] < best_delta:
                best_delta = float(delta[r, c])
                best = ("swap", int(open_idx[r]), int(closed[c]))
        if space.count is None:
            add = cost_closed - gain
            if space.budget is not None:
                add = np.where(spent + cost_closed <= space.budget * (1 + 1e-12), add, np.inf)
            c = int(np.argmin(add))
            if add[c] < best_delta:
                best_delta = float(add[c])
                best = ("add", -1, int(closed[c]))
    if space.count is None and open_idx.size > 1:
        drop = np.where(removable & ~tight, loss - cost_open, np.inf)
        r = int(np.argmin(drop))
        if drop[r] < best_delta:
            best_delta = float(drop[r])
            best = ("drop", int(open_idx[r]), -1)
    return best_delta, best


def apply_move(S: BoolArray, move: tuple[str, int, int]) -> BoolArray:
    """A copy of ``S`` with the move made."""
    _, r, f = move
    T = S.copy()
    if r >= 0:
        T[r] = False
    if f >= 0:
        T[f] = True
    return T


def local_search(
    space: MoveSpace, open_mask: BoolArray, *, deadline: float
) -> tuple[BoolArray, float, int]:
    """Best-improvement fast interchange (plus add/drop without a fixed count) to a local optimum.

    Returns the open mask, its value and the number of moves made.
    """
    rules = space.rules
    D = space.D
    S = open_mask.copy()
    value = space.value(S)
    moves = 0
    while time.perf_counter() < deadline:
        open_idx = np.flatnonzero(S)
        closed = np.flatnonzero(rules.allowed & ~S)
        phi, d1, d2 = nearest_two(D, open_idx, space.big)
        pos = np.searchsorted(open_idx, phi)
        loss = np.bincount(pos, weights=d2 - d1, minlength=open_idx.size).astype(np.float64)
        gain = np.zeros(0)
        extra = None
        if closed.size:
            Dc = D[:, closed]
            gain = np.maximum(d1[:, None] - Dc, 0.0).sum(axis=0)
            if open_idx.size and (~rules.fixed_open[open_idx]).any():
                E = np.maximum(d2[:, None] - np.maximum(Dc, d1[:, None]), 0.0)
                extra = _sum_by_group(E, pos, open_idx.size)
        best_delta, best = best_move(space, S, open_idx, closed, loss, gain, extra)
        tol = 1e-10 * max(1.0, abs(value))
        if best is None or best_delta > -tol:
            break
        T = apply_move(S, best)
        new_value = space.value(T)
        if new_value >= value - tol:  # rounding in the delta formula; stop rather than cycle
            break
        S, value = T, new_value
        moves += 1
    return S, value, moves


def perturb(
    space: MoveSpace | SparseLike, open_mask: BoolArray, k: int, rng: np.random.Generator
) -> BoolArray:
    """``k`` random moves that keep the rules (swaps; with a free count also adds and drops)."""
    rules = space.rules
    S = open_mask.copy()
    for _ in range(k):
        counts = rules.open_count_per_group(S)
        open_idx = np.flatnonzero(S & ~rules.fixed_open)
        closed = np.flatnonzero(rules.allowed & ~S)
        if space.budget is not None and space.site_cost is not None:
            spent = float(space.site_cost[S].sum())
        kinds = ["swap"]
        if space.count is None:
            kinds += ["add", "drop"]
        kind = kinds[int(rng.integers(len(kinds)))]
        if kind in ("swap", "drop"):
            if open_idx.size == 0:
                continue
            r = int(open_idx[rng.integers(open_idx.size)])
            g = rules.group_of_site[r]
            is_tight = g >= 0 and counts[g] <= rules.group_min[g]
            if kind == "drop":
                if is_tight or S.sum() <= 1:
                    continue
                S[r] = False
                continue
            ok = closed
            if is_tight:
                ok = ok[rules.group_of_site[ok] == g]
            if space.budget is not None and space.site_cost is not None:
                ok = ok[spent - space.site_cost[r] + space.site_cost[ok] <= space.budget]
            if ok.size == 0:
                continue
            S[r] = False
            S[int(ok[rng.integers(ok.size)])] = True
        else:
            ok = closed
            if space.budget is not None and space.site_cost is not None:
                ok = ok[spent + space.site_cost[ok] <= space.budget]
            if ok.size == 0:
                continue
            S[int(ok[rng.integers(ok.size)])] = True
    return S


def vns(
    space: MoveSpace | SparseLike,
    open_mask: BoolArray,
    value: float,
    *,
    deadline: float,
    rng: np.random.Generator,
    target: float = -np.inf,
    k_max: int = 5,
    max_rounds: int = 200,
) -> tuple[BoolArray, float, int]:
    """Variable neighbourhood search (Hansen and Mladenović 1997) around a local optimum.

    Shake with ``k`` random moves, descend with :func:`local_search`; accept improvements and
    restart at ``k = 1``, else grow ``k`` up to ``k_max`` and wrap. Stops at ``deadline``, at
    ``max_rounds`` shakes without improvement, or when ``value <= target``.
    """
    best, best_value = open_mask.copy(), value
    k, idle, rounds = 1, 0, 0
    while time.perf_counter() < deadline and idle < max_rounds and best_value > target:
        trial = perturb(space, best, k, rng)
        trial, trial_value, _ = space.descend(trial, deadline=deadline)
        rounds += 1
        if trial_value < best_value - 1e-10 * max(1.0, abs(best_value)):
            best, best_value, k, idle = trial, trial_value, 1, 0
        else:
            idle += 1
            k = k + 1 if k < k_max else 1
    return best, best_value, rounds
