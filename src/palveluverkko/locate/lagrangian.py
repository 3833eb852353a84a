"""Lagrangian lower bounds by subgradient optimisation.

Median-type models (p-median, fixed charge) relax the assignment constraints
``sum_j x_ij = 1`` with multipliers ``lambda_i``:

.. math::

    L(\\lambda) = \\sum_i \\lambda_i + \\min_{y \\in Y} \\sum_j y_j \\rho_j(\\lambda), \\qquad
    \\rho_j(\\lambda) = f_j + \\sum_i \\min(0, D_{ij} - \\lambda_i),

where ``Y`` holds the site rules (count, groups, must-open/close, budget) and the minimum over
``Y`` is the selection subproblem (:mod:`.selection`). Every ``L(lambda)`` is a lower bound on
the optimum (weak duality); its maximum equals the LP-relaxation bound of the strong
formulation. A subgradient is ``g_i = 1 - sum_j [D_ij < lambda_i] y_j``.

Multipliers move by preconditioned Polyak steps ``lambda <- lambda + t s g`` (elementwise) with
``t = alpha (UB - L) / sum_i s_i g_i^2`` and ``s`` the row weights; ``alpha`` starts at 2
and halves after 20 iterations without a better bound (Held, Wolfe and Crowder
1974; Beasley 1993). Every ``y`` the subproblem returns is itself a feasible open set, so the
loop also evaluates it as a primal solution (a Lagrangian heuristic) and tightens ``UB``.

The capacitated model uses the uncapacitated bound of this module (dropping capacities is a
relaxation) and the LP relaxation (see
:mod:`.capacitated`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .heuristics import total_cost
from .problem import BoolArray, FloatArray
from .selection import Selector

log = logging.getLogger("palveluverkko.locate")

#: ``lambda -> (L(lambda), subgradient, y)``
Evaluate = Callable[[FloatArray], tuple[float, FloatArray, BoolArray]]


@dataclass
class LagrangianOutcome:
    """Best bound, its multipliers, and the best primal open set met on the way."""

    bound: float
    multipliers: FloatArray
    iterations: int
    best_y: BoolArray
    primal_open: BoolArray | None = None
    primal_value: float = np.inf
    seconds: float = 0.0
    history: list[float] = field(default_factory=list)


def subgradient(
    evaluate: Evaluate,
    lam0: FloatArray,
    *,
    upper_bound: float,
    deadline: float,
    max_iterations: int,
    gap_tolerance: float,
    primal: Callable[[BoolArray], float] | None = None,
    alpha0: float = 2.0,
    patience: int = 20,
    alpha_min: float = 1e-4,
    scale: FloatArray | None = None,
    upper: FloatArray | None = None,
) -> LagrangianOutcome:
    """Maximise ``L`` by subgradient steps; see the module docstring.

    ``primal(y)`` returns the objective of open set ``y`` (``inf`` when infeasible) and lets
    ``UB`` improve; ``scale`` (per multiplier) preconditions the step; ``upper`` caps every
    multiplier (a projection: each ``L(lambda)`` stays a valid bound).
    """
    t0 = time.perf_counter()
    lam = np.array(lam0, dtype=np.float64)
    if upper is not None:
        np.minimum(lam, upper, out=lam)
    best_bound = -np.inf
    best_lam = lam.copy()
    best_y: BoolArray | None = None
    ub = float(upper_bound)
    primal_open: BoolArray | None = None
    primal_value = np.inf
    seen: set[bytes] = set()
    alpha = alpha0
    idle = 0
    it = 0
    history: list[float] = []
    while it < max_iterations and time.perf_counter() < deadline:
        it += 1
        value, g, y = evaluate(lam)
        history.append(value)
        if primal is not None:
            key = np.packbits(y).tobytes()
            if key not in seen:
                seen.add(key)
                pv = primal(y)
                if pv < primal_value:
                    primal_value, primal_open = pv, y.copy()
                if pv < ub:
                    ub = pv
        if best_y is None or value > best_bound + 1e-12 * max(1.0, abs(best_bound)):
            best_bound, best_lam, best_y = value, lam.copy(), y.copy()
            idle = 0
        else:
            idle += 1
            if idle >= patience:
                alpha *= 0.5
                idle = 0
                lam = best_lam.copy()  # restart from the best multipliers
                if alpha < alpha_min:
                    break
                continue
        if ub - best_bound <= gap_tolerance * max(abs(ub), 1e-12):
            break
        direction = g if scale is None else g * scale
        norm = float(g @ direction)
        if norm <= 0:  # a zero subgradient: L(lambda) is the optimum
            break
        t = alpha * (ub - value) / norm
        lam = lam + t * direction
        if upper is not None:
            np.minimum(lam, upper, out=lam)
    assert best_y is not None or it == 0
    if best_y is None:
        best_y = np.zeros(0, dtype=bool)
    return LagrangianOutcome(
        bound=best_bound,
        multipliers=best_lam,
        iterations=it,
        best_y=best_y,
        primal_open=primal_open,
        primal_value=primal_value,
        seconds=time.perf_counter() - t0,
        history=history,
    )


def median_evaluator(
    D: FloatArray, selector: Selector, site_cost: FloatArray | None = None
) -> tuple[Evaluate, Callable[[FloatArray], FloatArray]]:
    """``evaluate`` for median-type models and a function returning ``rho(lambda)``."""

    def rho_of(lam: FloatArray) -> FloatArray:
        R = D - lam[:, None]
        np.minimum(R, 0.0, out=R)
        rho = R.sum(axis=0)
        if site_cost is not None:
            rho = rho + site_cost
        return rho

    def evaluate(lam: FloatArray) -> tuple[float, FloatArray, BoolArray]:
        rho = rho_of(lam)
        y, sel_value = selector(rho)
        value = float(lam.sum()) + sel_value
        idx = np.flatnonzero(y)
        g = 1.0 - (D[:, idx] < lam[:, None]).sum(axis=1)
        return value, g, y

    return evaluate, rho_of


def median_bound(
    D: FloatArray,
    selector: Selector,
    *,
    site_cost: FloatArray | None,
    upper_bound: float,
    upper_open: BoolArray,
    deadline: float,
    max_iterations: int,
    gap_tolerance: float,
    lam0: FloatArray | None = None,
    scale: FloatArray | None = None,
) -> LagrangianOutcome:
    """Lagrangian bound of a median-type model, started from the costs of ``upper_open``.

    ``scale`` (the row weights) preconditions the steps: multiplier ``i`` moves by
    ``t w_i g_i``, so rows of small and large demand converge alike; on county-size instances
    this reaches a given gap in a fraction of the iterations of the plain step.
    """
    evaluate, _ = median_evaluator(D, selector, site_cost)
    if lam0 is None:
        lam0 = D[:, np.flatnonzero(upper_open)].min(axis=1)

    def primal(y: BoolArray) -> float:
        return total_cost(D, np.flatnonzero(y), site_cost)

    out = subgradient(
        evaluate,
        lam0,
        upper_bound=upper_bound,
        deadline=deadline,
        max_iterations=max_iterations,
        gap_tolerance=gap_tolerance,
        primal=primal,
        scale=scale,
    )
    log.debug(
        "Lagrangian: bound %.6g after %d iterations (%.2f s), best primal %.6g",
        out.bound,
        out.iterations,
        out.seconds,
        out.primal_value,
    )
    return out
