"""The result of a location model: open sites, assignment, objective, proven bound and gap."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InputError
from ._matrix_kernels import nearest_of
from .problem import BoolArray, FloatArray, IntArray, LocationProblem

__all__ = ["LocationResult"]

MODEL_OBJECTIVES: dict[str, str] = {
    "p_median": "total weighted travel time (demand x minutes)",
    "p_center": "worst travel time of any served demand point (minutes)",
    "mclp": "demand within the threshold",
    "lscp": "number of open sites",
    "lscp_cost": "annual cost of the open sites (EUR)",
    "capacitated_p_median": "total weighted travel time (demand x minutes), single source",
    "fixed_charge": "annual site cost plus travel cost (EUR)",
}


def relative_gap(objective: float, bound: float) -> float:
    """``|objective - bound| / |objective|``; 0 when both are 0, ``inf`` when only bound is."""
    diff = abs(objective - bound)
    if diff <= 1e-12 * max(1.0, abs(objective)):
        return 0.0
    if abs(objective) < 1e-300:
        return math.inf
    return diff / abs(objective)


@dataclass(frozen=True, eq=False)
class LocationResult:
    """Solution of a location model with its proven bound.

    Attributes
    ----------
    model
        ``"p_median"``, ``"p_center"``, ``"mclp"``, ``"lscp"``, ``"lscp_cost"``,
        ``"capacitated_p_median"`` or ``"fixed_charge"``.
    sense
        ``"min"`` or ``"max"`` (MCLP); ``bound`` is a lower bound on the optimum for ``"min"``
        and an upper bound for ``"max"``.
    open_sites
        Ids of the open sites, in column order.
    open_index
        Column indices of the open sites.
    assignment
        ``(n_demand,)`` column index of the site serving each demand point; ``-1`` when no open
        site is reachable (unreachable points, or points an MCLP solution leaves unserved).
    minutes
        ``(n_demand,)`` travel time to the assigned site, ``inf`` where ``assignment == -1``.
    objective
        Objective value of the solution (see :data:`MODEL_OBJECTIVES`).
    bound
        Proven bound on the optimal objective (``-inf``/``inf`` when none is known).
    gap
        ``|objective - bound| / |objective|``.
    seconds
        Wall-clock time of the solve.
    method
        How the solution and the bound were found.
    status
        ``"optimal"`` when ``gap <= gap_tolerance``, else ``"feasible"``.
    threshold_minutes
        Service threshold of coverage models (``None`` otherwise).
    details
        Model-specific figures (iterations, MILP status, ...).
    """

    model: str
    sense: Literal["min", "max"]
    open_index: IntArray
    assignment: IntArray
    objective: float
    bound: float
    seconds: float
    method: str
    problem: LocationProblem = field(repr=False)
    gap_tolerance: float = 1e-6
    threshold_minutes: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    minutes: FloatArray = field(init=False, repr=False)
    gap: float = field(init=False)
    status: str = field(init=False)

    def __post_init__(self) -> None:
        minutes = assigned_minutes(self.problem, self.assignment)
        gap = relative_gap(self.objective, self.bound)
        object.__setattr__(self, "minutes", minutes)
        object.__setattr__(self, "gap", gap)
        object.__setattr__(self, "status", "optimal" if gap <= self.gap_tolerance else "feasible")
        for arr in (self.open_index, self.assignment, minutes):
            arr.flags.writeable = False

    # ------------------------------------------------------------------ derived figures
    @property
    def open_sites(self) -> tuple[Hashable, ...]:
        """Ids of the open sites."""
        assert self.problem.site_ids is not None
        return tuple(self.problem.site_ids[self.open_index].tolist())

    @property
    def open_mask(self) -> BoolArray:
        """``(n_sites,)`` open sites as a mask."""
        mask = np.zeros(self.problem.n_sites, dtype=bool)
        mask[self.open_index] = True
        return mask

    @property
    def n_open(self) -> int:
        """Number of open sites."""
        return int(self.open_index.size)

    @property
    def served(self) -> BoolArray:
        """Demand points with an assigned site."""
        return self.assignment >= 0

    @property
    def n_unreachable(self) -> int:
        """Demand points excluded because no site that may open is reachable."""
        return self.problem.n_unreachable

    @property
    def unreachable_demand(self) -> float:
        """Weight of the excluded demand points."""
        return self.problem.unreachable_demand

    @property
    def mean_minutes(self) -> float:
        """Demand-weighted mean travel time over served demand."""
        return mean_minutes(self.problem, self.assignment, self.minutes)

    @property
    def max_minutes(self) -> float:
        """Worst travel time of any served demand point with positive weight."""
        return max_minutes(self.problem, self.assignment, self.minutes)

    def share_within(self, threshold_minutes: float | None = None) -> float:
        """Share of all demand served within the threshold (default: the model's); demand that
        reaches no site counts as not within."""
        t = self.threshold_minutes if threshold_minutes is None else threshold_minutes
        if t is None:
            raise InputError("share_within: give threshold_minutes (this model has none)")
        return share_within(self.problem, self.assignment, self.minutes, t)

    @property
    def annual_cost_eur(self) -> float:
        """Sum of ``site_cost_eur`` over open sites (``nan`` without site costs)."""
        cost = self.problem.site_cost_eur
        return math.nan if cost is None else float(cost[self.open_index].sum())

    def site_load(self) -> FloatArray:
        """``(n_sites,)`` demand assigned to each site."""
        a = self.assignment
        ok = a >= 0
        load = np.bincount(a[ok], weights=self.problem.demand[ok], minlength=self.problem.n_sites)
        return load.astype(np.float64)

    # ------------------------------------------------------------------ exports
    def summary(self) -> str:
        """A few lines: model, sites, objective, bound, gap, method, exclusions."""
        what = MODEL_OBJECTIVES.get(self.model, "objective")
        kind = "upper" if self.sense == "max" else "lower"
        lines = [
            f"{self.model}: {self.n_open} open site(s) of {self.problem.n_sites}; "
            f"status {self.status}",
            f"  objective {self.objective:.6g} ({what})",
            f"  proven {kind} bound {self.bound:.6g}, gap {100 * self.gap:.4g} %",
            f"  mean {self.mean_minutes:.2f} min, worst {self.max_minutes:.2f} min"
            + (
                f", {100 * self.share_within():.2f} % of demand within "
                f"{self.threshold_minutes:g} min"
                if self.threshold_minutes is not None
                else ""
            ),
            f"  method {self.method}; {self.seconds:.2f} s",
        ]
        if self.problem.site_cost_eur is not None:
            lines.append(f"  annual cost of open sites {self.annual_cost_eur:,.0f} EUR")
        if self.n_unreachable:
            lines.append(
                f"  excluded: {self.n_unreachable} demand point(s) that reach no site "
                f"(demand {self.unreachable_demand:g}); means and the worst trip leave them out, "
                "shares within a threshold count them as not within"
            )
        unserved = int(((self.assignment < 0) & self.problem.reachable).sum())
        if unserved:
            lines.append(f"  {unserved} reachable demand point(s) reach no open site")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per demand point: ``demand_id``, ``demand``, ``site_id``, ``minutes``.

        ``site_id`` is missing (``None``) for unserved points; ``reachable`` says whether the
        point was modelled at all; ``within`` is added for coverage models.
        """
        assert self.problem.site_ids is not None
        site = np.full(self.assignment.size, None, dtype=object)
        ok = self.served
        site[ok] = self.problem.site_ids[self.assignment[ok]]
        frame = pd.DataFrame(
            {
                "demand_id": self.problem.demand_ids,
                "demand": self.problem.demand,
                "site_id": site,
                "minutes": self.minutes,
                "reachable": self.problem.reachable,
            }
        )
        if self.threshold_minutes is not None:
            frame["within"] = ok & (self.minutes <= self.threshold_minutes)
        return frame

    def sites_frame(self) -> pd.DataFrame:
        """One row per candidate site: ``site_id``, ``open``, ``load`` and, when known,
        ``capacity``, ``site_cost_eur`` and ``group``."""
        p = self.problem
        frame = pd.DataFrame(
            {"site_id": p.site_ids, "open": self.open_mask, "load": self.site_load()}
        )
        if p.capacity is not None:
            frame["capacity"] = p.capacity
        if p.site_cost_eur is not None:
            frame["site_cost_eur"] = p.site_cost_eur
        if p.site_groups is not None:
            frame["group"] = p.site_groups
        frame["must_open"] = p.rules.fixed_open
        frame["must_close"] = ~p.rules.allowed
        return frame


def assigned_minutes(problem: LocationProblem, assignment: IntArray) -> FloatArray:
    """``(n_demand,)`` travel time to the assigned site, ``inf`` where ``assignment == -1``."""
    minutes = np.full(assignment.size, np.inf)
    ok = assignment >= 0
    minutes[ok] = problem.minutes[np.flatnonzero(ok), assignment[ok]]
    return minutes


def mean_minutes(problem: LocationProblem, assignment: IntArray, minutes: FloatArray) -> float:
    """Demand-weighted mean of ``minutes`` over served demand (``nan`` without any)."""
    served = assignment >= 0
    w = problem.demand[served]
    total = float(w.sum())
    if total <= 0:
        return math.nan
    return float((w * minutes[served]).sum() / total)


def max_minutes(problem: LocationProblem, assignment: IntArray, minutes: FloatArray) -> float:
    """Worst of ``minutes`` over served demand points with positive weight (``nan`` without)."""
    sel = (assignment >= 0) & (problem.demand > 0)
    return float(minutes[sel].max()) if sel.any() else math.nan


def share_within(
    problem: LocationProblem, assignment: IntArray, minutes: FloatArray, threshold: float
) -> float:
    """Share of all demand served within ``threshold`` minutes: demand that reaches no site
    (excluded from the model as unreachable) counts as not within, so that a headline never
    leaves residents out."""
    total = float(problem.demand.sum())
    inside = float(problem.demand[(assignment >= 0) & (minutes <= threshold)].sum())
    return inside / total if total > 0 else math.nan


def nearest_assignment(problem: LocationProblem, open_index: npt.ArrayLike) -> IntArray:
    """Column of the nearest open site for every demand point, ``-1`` when none is reachable."""
    cols = np.asarray(open_index, dtype=np.int64)
    out = np.full(problem.n_demand, -1, dtype=np.intp)
    if cols.size == 0:
        return out
    best, _ = nearest_of(problem.minutes, cols)  # no copy of minutes[:, cols]
    out[:] = best
    return out
