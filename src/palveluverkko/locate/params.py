"""Solver parameters and the site rules shared by every model (index form)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import InfeasibleError, InputError

FloatArray = npt.NDArray[np.float64]
MatrixArray = npt.NDArray[np.floating[Any]]
"""A travel-time matrix: float32 (as routed) or float64."""
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

Method = Literal["auto", "heuristic", "exact"]

__all__ = [
    "BoolArray",
    "FloatArray",
    "IntArray",
    "MatrixArray",
    "Method",
    "SiteRules",
    "SolveParams",
]


@dataclass(frozen=True)
class SolveParams:
    """Parameters shared by every solver.

    Attributes
    ----------
    time_limit_s
        Wall-clock limit of one solve, all phases together (heuristic, bound, MILP).
    gap_tolerance
        Relative gap ``|objective - bound| / |objective|`` at which a solution counts as
        optimal and the solver stops.
    method
        ``"heuristic"``: heuristics plus a proven bound (Lagrangian relaxation or LP), never a
        MILP; ``"exact"``: the MILP with HiGHS (started from the heuristic) whatever the size,
        under ``time_limit_s``; ``"auto"``: heuristic and bound first, then the MILP when the gap
        is above ``gap_tolerance`` and the model has at most ``exact_max_entries`` assignment
        entries.
    exact_max_entries
        Size limit for ``"auto"``: demand rows times candidate sites after reduction.
    lagrangian_max_iterations
        Cap on subgradient iterations of a Lagrangian bound.
    aggregate_rows
        Merge demand points whose cost rows are identical (weights summed). It changes no
        objective of the uncapacitated models; the capacitated model never aggregates because
        single sourcing would then bind merged points together.
    threads
        Threads HiGHS may use.
    nearest_k
        Sites kept per demand row in the sparse form of the median models (p-median, fixed
        charge; raised to ``4 x sites / p`` when few sites open, see
        :func:`.nearest.list_length`). Default 50: the issue's "a resident's 20-50 nearest
        candidates cover every sensible assignment", at the upper end; the bound stays valid
        for the full matrix whatever ``k`` is (:mod:`.nearest`).
    sparse_min_entries
        Demand rows times sites from which p-median, fixed charge, MCLP and p-center work on a
        sparse form instead of dense copies (never with ``method="exact"``). Default 2,000,000:
        above it a dense greedy step (three ``n x m`` float64 temporaries) takes tens of
        milliseconds and a p = 500 greedy alone tens of seconds (issue 15: 38-41 s for a 20 s
        limit at 10,000 x 1,000); ``0`` forces the sparse form (tests).
    """

    time_limit_s: float = 60.0
    gap_tolerance: float = 1e-6
    method: Method = "auto"
    exact_max_entries: int = 250_000
    lagrangian_max_iterations: int = 1000
    aggregate_rows: bool = True
    threads: int = 1
    nearest_k: int = 50
    sparse_min_entries: int = 2_000_000

    def use_sparse(self, n_rows: int, n_sites: int) -> bool:
        """Whether a model of this size works on the sparse form (see ``sparse_min_entries``)."""
        return self.method != "exact" and n_rows * n_sites >= self.sparse_min_entries

    def __post_init__(self) -> None:
        if not (self.time_limit_s > 0 and math.isfinite(self.time_limit_s)):
            raise InputError(
                f"SolveParams.time_limit_s must be a positive finite number of seconds; "
                f"found {self.time_limit_s}"
            )
        if not (0 <= self.gap_tolerance < 1):
            raise InputError(
                f"SolveParams.gap_tolerance must lie in [0, 1); found {self.gap_tolerance}"
            )
        if self.method not in ("auto", "heuristic", "exact"):
            raise InputError(
                f"SolveParams.method must be 'auto', 'heuristic' or 'exact'; found {self.method!r}"
            )
        if self.exact_max_entries < 0 or self.lagrangian_max_iterations < 0:
            raise InputError(
                "SolveParams.exact_max_entries and lagrangian_max_iterations must be >= 0; found "
                f"{self.exact_max_entries} and {self.lagrangian_max_iterations}"
            )
        if self.nearest_k < 1 or self.sparse_min_entries < 0:
            raise InputError(
                "SolveParams.nearest_k must be >= 1 and sparse_min_entries >= 0; found "
                f"{self.nearest_k} and {self.sparse_min_entries}"
            )
        if self.threads < 1:
            raise InputError(f"SolveParams.threads must be >= 1; found {self.threads}")


@dataclass(frozen=True, eq=False)
class SiteRules:
    """Site-side constraints in index form, shared by every model.

    Attributes
    ----------
    allowed
        ``(n_sites,)`` sites that may open (not ``must_close``).
    fixed_open
        ``(n_sites,)`` sites that must open.
    group_of_site
        ``(n_sites,)`` group index of each site, ``-1`` for none.
    group_min
        ``(n_groups,)`` minimum number of open sites per group.
    group_labels
        Label of each group index (e.g. municipality codes).
    """

    allowed: BoolArray
    fixed_open: BoolArray
    group_of_site: IntArray
    group_min: IntArray
    group_labels: tuple[Hashable, ...]

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return int(self.allowed.size)

    @property
    def has_groups(self) -> bool:
        """Whether any group minimum is above zero."""
        return bool(self.group_min.size and self.group_min.max() > 0)

    def min_open(self) -> int:
        """Fewest open sites any solution has: must-open sites plus unmet group minimums."""
        need = int(self.fixed_open.sum())
        if self.group_min.size:
            fixed_per_group = np.bincount(
                self.group_of_site[self.fixed_open & (self.group_of_site >= 0)],
                minlength=self.group_min.size,
            )
            need += int(np.maximum(self.group_min - fixed_per_group, 0).sum())
        return need

    def open_count_per_group(self, open_mask: BoolArray) -> IntArray:
        """Number of open sites of each group."""
        sel = open_mask & (self.group_of_site >= 0)
        return np.bincount(self.group_of_site[sel], minlength=self.group_min.size).astype(np.intp)

    def satisfied_by(self, open_mask: BoolArray) -> bool:
        """Whether ``open_mask`` respects must-open, must-close and group minimums."""
        if np.any(open_mask & ~self.allowed) or np.any(self.fixed_open & ~open_mask):
            return False
        return bool(np.all(self.open_count_per_group(open_mask) >= self.group_min))

    def check_count(self, p: int, *, model: str) -> None:
        """Raise :class:`InfeasibleError` unless exactly ``p`` open sites can meet the rules.

        Raises
        ------
        InputError
            ``p`` is not a positive integer.
        InfeasibleError
            ``p`` is below the must-open sites plus group minimums, or above the sites that may
            open.
        """
        if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 1:
            raise InputError(
                f"{model}: p (number of open sites) must be an integer >= 1; got {p!r}"
            )
        need = self.min_open()
        n_allowed = int(self.allowed.sum())
        if p < need:
            raise InfeasibleError(
                f"{model}: p = {p} open sites cannot meet the rules: "
                f"{int(self.fixed_open.sum())} sites must open and group minimums need "
                f"{need - int(self.fixed_open.sum())} more, {need} in all; raise p to {need} or "
                "relax the rules (CLI: fewer --keep, a lower --per-municipality; Python: "
                "must_open, min_open_per_group)"
            )
        if p > n_allowed:
            raise InfeasibleError(
                f"{model}: p = {p} open sites requested but only {n_allowed} of "
                f"{self.n_sites} candidates may open ({self.n_sites - n_allowed} must close); "
                f"lower p to at most {n_allowed} or add candidates"
            )
