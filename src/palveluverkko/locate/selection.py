"""The site-selection subproblem of every Lagrangian bound.

Given a score per site, choose the open sites that minimise the total score under the site
rules:

.. math::

    \\min_y \\sum_j s_j y_j \\quad\\text{s.t.}\\quad y_j = 1\\ (j \\in \\text{must open}),\\;
    y_j = 0\\ (j \\in \\text{must close}),\\; \\sum_{j \\in g} y_j \\ge m_g,\\;
    [\\textstyle\\sum_j y_j = p],\\; [\\textstyle\\sum_j f_j y_j \\le B],\\; \\sum_j y_j \\ge 1.

Without a budget the groups are disjoint lower bounds on a cardinality constraint, so a greedy
choice is optimal: the must-open sites, then the cheapest sites of each group short of its
minimum, then the cheapest remaining sites up to ``p`` (or every remaining site with a negative
score when ``p`` is free). With a budget the problem is a knapsack and goes to HiGHS.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from .exact import INF, Milp, solve_milp
from .problem import BoolArray, FloatArray, IntArray, SiteRules


class Selector:
    """Solves the selection subproblem repeatedly for one set of rules."""

    def __init__(
        self,
        rules: SiteRules,
        *,
        count: int | None = None,
        budget: float | None = None,
        site_cost: FloatArray | None = None,
        time_limit_s: float = 10.0,
    ) -> None:
        self.rules = rules
        self.count = count
        self.budget = budget
        self.site_cost = site_cost
        self.time_limit_s = time_limit_s
        self._groups: list[tuple[int, IntArray]] = []
        if rules.has_groups:
            for g in np.flatnonzero(rules.group_min > 0):
                sites = np.flatnonzero((rules.group_of_site == g) & rules.allowed)
                self._groups.append((int(g), sites))

    def __call__(self, score: FloatArray) -> tuple[BoolArray, float]:
        """Open-site mask for ``score`` and a proven lower bound on the optimal total score.

        Without a budget the mask is optimal and the bound is its score.
        """
        if self.budget is not None:
            return self._milp(score)
        chosen = self._greedy(score)
        return chosen, float(score[chosen].sum())

    def _greedy(self, score: FloatArray) -> BoolArray:
        rules = self.rules
        chosen = rules.fixed_open.copy()
        if self._groups:
            counts = rules.open_count_per_group(chosen)
            for g, sites in self._groups:
                short = int(rules.group_min[g] - counts[g])
                if short <= 0:
                    continue
                cand = sites[~chosen[sites]]
                if short >= cand.size:
                    chosen[cand] = True
                else:
                    pick = np.argpartition(score[cand], short - 1)[:short]
                    chosen[cand[pick]] = True
        free = np.flatnonzero(rules.allowed & ~chosen)
        if self.count is not None:
            need = self.count - int(chosen.sum())
            if need > 0:
                if need >= free.size:
                    chosen[free] = True
                else:
                    pick = np.argpartition(score[free], need - 1)[:need]
                    chosen[free[pick]] = True
            return chosen
        chosen[free[score[free] < 0]] = True
        if not chosen.any():
            chosen[free[int(np.argmin(score[free]))]] = True
        return chosen

    def _milp(self, score: FloatArray) -> tuple[BoolArray, float]:
        rules = self.rules
        m = rules.n_sites
        assert self.site_cost is not None
        assert self.budget is not None
        rows = [sp.csr_matrix(self.site_cost.reshape(1, -1)), sp.csr_matrix(np.ones((1, m)))]
        lo = [np.array([-INF]), np.array([1.0 if self.count is None else float(self.count)])]
        hi = [np.array([self.budget]), np.array([INF if self.count is None else float(self.count)])]
        if self._groups:
            g_rows = np.zeros((len(self._groups), m))
            for k, (g, sites) in enumerate(self._groups):
                g_rows[k, sites] = 1.0
                lo.append(np.array([float(rules.group_min[g])]))
                hi.append(np.array([INF]))
            rows.append(sp.csr_matrix(g_rows))
        model = Milp(
            cost=np.asarray(score, dtype=np.float64),
            col_lower=rules.fixed_open.astype(np.float64),
            col_upper=rules.allowed.astype(np.float64),
            integer=np.ones(m, dtype=bool),
            A=sp.vstack(rows, format="csc"),
            row_lower=np.concatenate(lo),
            row_upper=np.concatenate(hi),
        )
        out = solve_milp(model, time_limit_s=self.time_limit_s, gap_tolerance=1e-9)
        if out.x is None:
            raise SolverError(
                f"site selection under the budget found no solution ({out.status}) although the "
                "budget was checked to admit one"
            )
        chosen = np.asarray(out.x > 0.5)
        return chosen, min(float(score[chosen].sum()), out.bound)
