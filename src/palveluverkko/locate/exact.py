"""Exact models with HiGHS (``highspy``): a small MILP container, the solve call, model builders.

Builders
--------
:func:`assignment_milp` (p-median, capacitated p-median, fixed charge; ``D`` = weighted costs
``w_i c_ij``, only finite entries become variables)

.. math::

    \\min \\sum_{i,j} D_{ij} x_{ij} + \\sum_j f_j y_j \\quad\\text{s.t.}\\quad
    \\sum_j x_{ij} = 1,\\; x_{ij} \\le y_j,\\; [\\textstyle\\sum_j y_j = p],\\;
    [\\textstyle\\sum_i w_i x_{ij} \\le Q_j y_j],\\; [\\textstyle\\sum_j f_j y_j \\le B],

plus the site rules (:class:`~.problem.SiteRules`: fixed bounds on ``y``, group rows
``sum_{j in g} y_j >= min_g``). ``x`` is continuous for uncapacitated models (integral at an
optimum once ``y`` is) and binary with capacities (single source).

:func:`cover_milp` (LSCP, MCLP and the p-center feasibility test) over a boolean coverage matrix
``a_ij = [c_ij <= S]``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ..errors import InputError
from .problem import BoolArray, FloatArray, SiteRules

log = logging.getLogger("palveluverkko.locate")

INF = highspy.kHighsInf


@dataclass
class Milp:
    """A (mixed-integer) linear programme in column form; ``A`` is ``n_rows x n_cols``."""

    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray
    A: sp.csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    maximize: bool = False


@dataclass
class MilpOutcome:
    """What HiGHS returned.

    ``status`` is ``"optimal"`` (within the gap tolerance), ``"infeasible"``, ``"time_limit"``
    or another HiGHS model status in lower case; ``x`` is ``None`` without a feasible solution;
    ``bound`` is the proven dual bound (``objective`` for an LP solved to optimality).
    """

    status: str
    x: FloatArray | None
    objective: float
    bound: float
    seconds: float


def solve_milp(
    model: Milp,
    *,
    time_limit_s: float,
    gap_tolerance: float = 1e-6,
    threads: int = 1,
    start: FloatArray | None = None,
    relax: bool = False,
    stop_at_first_solution: bool = False,
    objective_cutoff: float | None = None,
) -> MilpOutcome:
    """Solve ``model`` with HiGHS under a time limit.

    Parameters
    ----------
    model
        The programme.
    time_limit_s
        HiGHS time limit.
    gap_tolerance
        HiGHS ``mip_rel_gap``.
    threads
        HiGHS threads.
    start
        A feasible (or partial) starting solution handed to HiGHS.
    relax
        Solve the LP relaxation instead.
    stop_at_first_solution
        Stop at the first feasible solution (feasibility tests).
    objective_cutoff
        HiGHS ``objective_bound``: only solutions better than this are searched for; nodes
        whose bound is worse are pruned (a decision test "is there one at most this good?").
    """
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", float(gap_tolerance))
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", 0)
    if stop_at_first_solution:
        h.setOptionValue("mip_max_improving_sols", 1)
    if objective_cutoff is not None:
        h.setOptionValue("objective_bound", float(objective_cutoff))
    lp = highspy.HighsLp()
    n_col = int(model.cost.size)
    n_row = int(model.row_lower.size)
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = np.asarray(model.cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(model.col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(model.col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(model.row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(model.row_upper, dtype=np.float64)
    A = model.A.tocsc()
    A.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    if model.maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    if not relax and model.integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in model.integer.tolist()
        ]
    h.passModel(lp)
    if start is not None and not relax:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=np.float64).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    name = h.modelStatusToString(status).lower().replace(" ", "_")
    is_mip = not relax and bool(model.integer.any())
    if status == highspy.HighsModelStatus.kOptimal:
        name = "optimal"
    elif status == highspy.HighsModelStatus.kInfeasible:
        name = "infeasible"
    elif status == highspy.HighsModelStatus.kTimeLimit:
        name = "time_limit"
    has_x = info.primal_solution_status == highspy.kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_x else None
    objective = float(info.objective_function_value) if has_x else np.nan
    if is_mip:
        bound = float(info.mip_dual_bound)
        if name == "infeasible":
            bound = -INF if model.maximize else INF
    elif name == "optimal":
        bound = objective
    elif name == "infeasible":
        bound = -INF if model.maximize else INF
    else:  # an LP stopped early proves nothing we can read off safely
        bound = INF if model.maximize else -INF
    seconds = time.perf_counter() - t0
    log.debug(
        "HiGHS %s: %d cols, %d rows, status %s, obj %s, bound %s, %.2f s",
        "LP" if not is_mip else "MILP",
        n_col,
        n_row,
        name,
        objective,
        bound,
        seconds,
    )
    return MilpOutcome(name, x, objective, bound, seconds)


# ---------------------------------------------------------------------- shared pieces
def _rule_rows(
    rules: SiteRules, n_cols: int, y_offset: int
) -> tuple[list[sp.coo_matrix], list[FloatArray], list[FloatArray]]:
    """Group-minimum rows over the ``y`` columns."""
    mats: list[sp.coo_matrix] = []
    lo: list[FloatArray] = []
    hi: list[FloatArray] = []
    if not rules.has_groups:
        return mats, lo, hi
    groups = np.flatnonzero(rules.group_min > 0)
    sites = np.flatnonzero(np.isin(rules.group_of_site, groups))
    row_of_group = np.full(rules.group_min.size, -1)
    row_of_group[groups] = np.arange(groups.size)
    rows = row_of_group[rules.group_of_site[sites]]
    mats.append(
        sp.coo_matrix((np.ones(sites.size), (rows, sites + y_offset)), shape=(groups.size, n_cols))
    )
    lo.append(rules.group_min[groups].astype(np.float64))
    hi.append(np.full(groups.size, INF))
    return mats, lo, hi


def _y_bounds(rules: SiteRules) -> tuple[FloatArray, FloatArray]:
    return rules.fixed_open.astype(np.float64), rules.allowed.astype(np.float64)


# ---------------------------------------------------------------------- assignment models
@dataclass
class AssignmentLayout:
    """Where the variables of :func:`assignment_milp` sit: ``y`` first, then ``x`` entries."""

    n_sites: int
    x_row: npt.NDArray[np.intp]
    x_col: npt.NDArray[np.intp]

    def open_mask(self, x: FloatArray) -> BoolArray:
        """Open sites of a solution vector."""
        return np.asarray(x[: self.n_sites] > 0.5)

    def assignment(self, x: FloatArray, n_rows: int) -> npt.NDArray[np.intp]:
        """Site of each row (largest ``x_ij``)."""
        vals = x[self.n_sites :]
        out = np.full(n_rows, -1, dtype=np.intp)
        if vals.size == 0:
            return out
        order = np.lexsort((vals, self.x_row))  # by row, then value ascending
        rows = self.x_row[order]
        last = np.flatnonzero(np.r_[rows[1:] != rows[:-1], True])
        out[rows[last]] = self.x_col[order[last]]
        return out

    def start_vector(self, open_mask: BoolArray, site_of_row: npt.NDArray[np.intp]) -> FloatArray:
        """A solution vector from open sites and an assignment."""
        x = np.zeros(self.n_sites + self.x_row.size)
        x[: self.n_sites] = open_mask
        hit = site_of_row[self.x_row] == self.x_col
        x[self.n_sites :][hit] = 1.0
        return x


def assignment_milp(
    D: FloatArray,
    rules: SiteRules,
    *,
    count: int | None = None,
    site_cost: FloatArray | None = None,
    budget: float | None = None,
    capacity: FloatArray | None = None,
    weight: FloatArray | None = None,
    forbidden: BoolArray | None = None,
) -> tuple[Milp, AssignmentLayout]:
    """The assignment MILP (see the module docstring).

    ``forbidden`` marks entries that get no variable (unreachable pairs); columns that may not
    open never get ``x`` variables either.
    """
    n, m = D.shape
    usable = np.broadcast_to(rules.allowed, (n, m)).copy()
    if forbidden is not None:
        usable &= ~forbidden
    x_row, x_col = np.nonzero(usable)
    k = x_row.size
    n_cols = m + k
    cost = np.concatenate([np.zeros(m) if site_cost is None else site_cost, D[x_row, x_col]])
    lo_y, hi_y = _y_bounds(rules)
    col_lower = np.concatenate([lo_y, np.zeros(k)])
    col_upper = np.concatenate([hi_y, np.ones(k)])
    integer = np.zeros(n_cols, dtype=bool)
    integer[:m] = True
    if capacity is not None:
        integer[m:] = True
    xs = np.arange(k) + m
    mats = [
        # assignment rows: sum_j x_ij = 1
        sp.coo_matrix((np.ones(k), (x_row, xs)), shape=(n, n_cols)),
        # linking rows: x_ij - y_j <= 0
        sp.coo_matrix(
            (
                np.concatenate([np.ones(k), -np.ones(k)]),
                (np.concatenate([np.arange(k), np.arange(k)]), np.concatenate([xs, x_col])),
            ),
            shape=(k, n_cols),
        ),
    ]
    lo = [np.ones(n), np.full(k, -INF)]
    hi = [np.ones(n), np.zeros(k)]
    if count is not None:
        mats.append(sp.coo_matrix((np.ones(m), (np.zeros(m), np.arange(m))), shape=(1, n_cols)))
        lo.append(np.array([float(count)]))
        hi.append(np.array([float(count)]))
    if capacity is not None:
        assert weight is not None
        mats.append(
            sp.coo_matrix(
                (
                    np.concatenate([weight[x_row], -capacity]),
                    (np.concatenate([x_col, np.arange(m)]), np.concatenate([xs, np.arange(m)])),
                ),
                shape=(m, n_cols),
            )
        )
        lo.append(np.full(m, -INF))
        hi.append(np.zeros(m))
    if budget is not None:
        assert site_cost is not None
        mats.append(sp.coo_matrix((site_cost, (np.zeros(m), np.arange(m))), shape=(1, n_cols)))
        lo.append(np.array([-INF]))
        hi.append(np.array([float(budget)]))
    gm, gl, gh = _rule_rows(rules, n_cols, 0)
    A = sp.vstack(mats + gm, format="csc")
    model = Milp(
        cost=cost,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=integer,
        A=A,
        row_lower=np.concatenate(lo + gl),
        row_upper=np.concatenate(hi + gh),
    )
    return model, AssignmentLayout(m, x_row.astype(np.intp), x_col.astype(np.intp))


# ---------------------------------------------------------------------- coverage models
def cover_milp(
    cover: sp.csr_matrix,
    rules: SiteRules,
    *,
    objective: str,
    weight: FloatArray | None = None,
    count: int | None = None,
    max_count: int | None = None,
    site_cost: FloatArray | None = None,
) -> Milp:
    """Coverage models over ``cover`` (rows x sites, 1 where site ``j`` serves row ``i``).

    ``objective="lscp"``: ``min sum_j c_j y_j`` (``c = 1`` or ``site_cost``) with every row
    covered; ``"feasible"``: the same constraints with ``sum_j y_j <= max_count`` and a zero
    objective (a feasibility test); ``"mclp"``: ``max sum_i w_i z_i`` with
    ``z_i <= sum_j a_ij y_j``, ``0 <= z_i <= 1`` and ``sum_j y_j = count``.
    Variables: ``y`` (sites) first, then ``z``.
    """
    n, m = cover.shape
    lo_y, hi_y = _y_bounds(rules)
    A_cov = sp.csr_matrix(cover, dtype=np.float64)
    if objective in ("lscp", "feasible"):
        n_cols = m
        if objective == "lscp" and site_cost is not None:
            cost = np.asarray(site_cost, dtype=np.float64).copy()
        elif objective == "feasible":
            cost = np.zeros(m)  # any feasible solution is optimal: HiGHS stops at the first
        else:
            cost = np.ones(m)
        mats = [A_cov]
        lo = [np.ones(n)]
        hi = [np.full(n, INF)]
        if max_count is not None:
            mats.append(sp.csr_matrix(np.ones((1, m))))
            lo.append(np.array([-INF]))
            hi.append(np.array([float(max_count)]))
        gm, gl, gh = _rule_rows(rules, n_cols, 0)
        return Milp(
            cost=cost,
            col_lower=lo_y,
            col_upper=hi_y,
            integer=np.ones(m, dtype=bool),
            A=sp.vstack([*mats, *gm], format="csc"),
            row_lower=np.concatenate(lo + gl),
            row_upper=np.concatenate(hi + gh),
        )
    if objective != "mclp":
        raise InputError(f"cover_milp: unknown objective {objective!r}")
    assert weight is not None
    assert count is not None
    n_cols = m + n
    link = sp.hstack([-A_cov, sp.identity(n, format="csr")])  # z_i - sum a_ij y_j <= 0
    card = sp.hstack([sp.csr_matrix(np.ones((1, m))), sp.csr_matrix((1, n))])
    gm, gl, gh = _rule_rows(rules, n_cols, 0)
    return Milp(
        cost=np.concatenate([np.zeros(m), weight]),
        col_lower=np.concatenate([lo_y, np.zeros(n)]),
        col_upper=np.concatenate([hi_y, np.ones(n)]),
        integer=np.concatenate([np.ones(m, dtype=bool), np.zeros(n, dtype=bool)]),
        A=sp.vstack([link, card, *gm], format="csc"),
        row_lower=np.concatenate([np.full(n, -INF), [float(count)], *gl]),
        row_upper=np.concatenate([np.zeros(n), [float(count)], *gh]),
        maximize=True,
    )
