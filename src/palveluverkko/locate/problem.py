"""Location problems: the data of a location-allocation model, its rules, and solve parameters.

A :class:`LocationProblem` holds a cost matrix of travel ``minutes`` from demand points (rows,
e.g. population cells) to candidate sites (columns), the demand weight of every point (e.g.
physical contacts per year), and the rules every model respects:

* ``must_open`` sites are open in every solution, ``must_close`` sites in none;
* per-group minimums: with a group label per site (e.g. the municipality code) and
  ``min_open_per_group`` (e.g. ``1``: every municipality keeps a site), every solution opens at
  least that many sites of each group;
* optional per-site ``capacity`` (same unit as demand) and annual ``site_cost_eur``.

Unreachable demand
------------------
``inf`` in ``minutes`` means "cannot be reached". An assignment to such an entry is forbidden in
every model. A demand point that reaches no site that may open (every entry ``inf`` or
``must_close``) can be served by no solution; with ``unreachable="exclude"`` (the default) such
points are **excluded**, counted (``n_unreachable``, ``unreachable_demand``, listed in
``unreachable_ids``), announced with an :class:`~palveluverkko.errors.UnreachableWarning` and
reported again in every result; with ``unreachable="error"`` they raise
:class:`~palveluverkko.errors.InfeasibleError`. Excluding is the default because one island cell
without a ferry link should not stop a county-wide optimisation; the count never disappears.

Demand points with zero weight do not change any objective; the solvers drop them from the
model and assign them afterwards to their nearest open site (so they appear in results).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import InfeasibleError, InputError, UnknownIdError, UnreachableWarning
from ._matrix_kernels import row_hashes, same_as, scan_matrix
from .params import BoolArray, FloatArray, IntArray, MatrixArray, Method, SiteRules, SolveParams

log = logging.getLogger("palveluverkko.locate")

__all__ = [
    "BoolArray",
    "FloatArray",
    "IntArray",
    "LocationProblem",
    "MatrixArray",
    "Method",
    "SiteRules",
    "SolveParams",
    "as_matrix",
    "merge_identical_rows",
    "problem_from_matrix",
]


def _as_site_mask(
    value: Iterable[Hashable] | npt.ArrayLike | None,
    site_ids: npt.NDArray[Any],
    index: Mapping[Hashable, int],
    name: str,
) -> BoolArray:
    """A boolean site mask from ``None``, a boolean mask or an iterable of site ids."""
    n = site_ids.size
    if value is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(value)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(
                f"{name}: a boolean mask must have one entry per site ({n}); found shape "
                f"{arr.shape}"
            )
        return arr.copy()
    mask = np.zeros(n, dtype=bool)
    unknown = []
    for sid in list(value):  # type: ignore[arg-type]
        j = index.get(sid)  # type: ignore[arg-type]
        if j is None:
            unknown.append(sid)
        else:
            mask[j] = True
    if unknown:
        raise UnknownIdError(
            f"{name}: {len(unknown)} site id(s) not among the candidate sites: "
            f"{unknown[:10]!r}; use ids from site_ids (or candidate_ids)"
        )
    return mask


def as_matrix(value: npt.ArrayLike) -> MatrixArray:
    """A read-only view of a travel-time matrix, float32 or float64, copied only if it must be.

    A float32 or float64 array is not copied (a national matrix is 1.2 GB in float32); other
    dtypes become float64. The view is read-only; the caller's own array is left as it was and
    must not be changed while a problem uses it.
    """
    arr = np.asarray(value)
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    view = arr.view()
    view.flags.writeable = False
    return view


def _is_no_group(label: object) -> bool:
    return label is None or (isinstance(label, float) and math.isnan(label)) or label == ""


@dataclass(frozen=True, eq=False)
class LocationProblem:
    """Immutable data of a location-allocation model over a cost matrix.

    Build it with :func:`problem_from_matrix` (or directly with the same arguments); every
    input is validated once here, so the solvers trust it.

    Attributes
    ----------
    minutes
        ``(n_demand, n_sites)`` travel time in minutes, ``inf`` = unreachable; float32 or
        float64 as given (other dtypes become float64). It is not copied: a float32 matrix of
        300,000 cells x 1,000 sites stays 1.2 GB; do not change the array afterwards.
    demand
        ``(n_demand,)`` weight of each demand point (e.g. contacts per year), ``>= 0``.
    site_ids, demand_ids
        Identifiers of the columns and rows (defaults ``0..n-1``).
    site_groups
        ``(n_sites,)`` group label of each site (``None`` = no group), or ``None``.
    min_open_per_group
        Minimum open sites per group label (an ``int`` applies to every label).
    must_open, must_close
        ``(n_sites,)`` boolean masks (ids are accepted and converted).
    capacity
        ``(n_sites,)`` capacity in demand units, or ``None``.
    site_cost_eur
        ``(n_sites,)`` annual cost of keeping each site open, or ``None``.
    unreachable
        ``"exclude"`` (count, warn, report) or ``"error"``; see the module docstring.
    reachable
        ``(n_demand,)`` derived: demand points that reach at least one site that may open.
    """

    minutes: MatrixArray
    demand: FloatArray
    site_ids: npt.NDArray[Any] | None = None
    demand_ids: npt.NDArray[Any] | None = None
    site_groups: npt.NDArray[Any] | None = None
    min_open_per_group: int | Mapping[Hashable, int] | None = None
    must_open: BoolArray | Iterable[Hashable] | None = None
    must_close: BoolArray | Iterable[Hashable] | None = None
    capacity: FloatArray | None = None
    site_cost_eur: FloatArray | None = None
    unreachable: Literal["exclude", "error"] = "exclude"
    reachable: BoolArray = field(init=False, repr=False)
    rules: SiteRules = field(init=False, repr=False)

    def __post_init__(self) -> None:
        minutes = as_matrix(self.minutes)
        if minutes.ndim != 2 or minutes.shape[0] == 0 or minutes.shape[1] == 0:
            raise InputError(
                f"minutes: expected a 2-D matrix (demand points x sites) with at least one row "
                f"and one column; found shape {minutes.shape}"
            )
        n, m = minutes.shape
        demand = np.array(self.demand, dtype=np.float64).reshape(-1)
        if demand.shape != (n,):
            raise InputError(
                f"demand: expected one weight per demand point ({n}); found {demand.size}"
            )
        bad = ~np.isfinite(demand) | (demand < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"demand: {int(bad.sum())} weights are negative, NaN or infinite (first "
                f"{demand[i]} at row {i}); weights are finite and >= 0"
            )
        site_ids = np.arange(m) if self.site_ids is None else np.asarray(self.site_ids, object)
        if site_ids.shape != (m,):
            raise InputError(f"site_ids: expected {m} ids (one per column); found {site_ids.size}")
        index = {sid: j for j, sid in enumerate(site_ids.tolist())}
        if len(index) != m:
            seen: set[Hashable] = set()
            dup = [s for s in site_ids.tolist() if s in seen or seen.add(s)]  # type: ignore[func-returns-value]
            raise InputError(f"site_ids: duplicate ids {dup[:10]!r}; each site needs its own id")
        demand_ids = np.arange(n) if self.demand_ids is None else np.asarray(self.demand_ids)
        if demand_ids.shape != (n,):
            raise InputError(f"demand_ids: expected {n} ids (one per row); found {demand_ids.size}")
        must_open = _as_site_mask(self.must_open, site_ids, index, "must_open")
        must_close = _as_site_mask(self.must_close, site_ids, index, "must_close")
        both = must_open & must_close
        if both.any():
            raise InputError(
                f"must_open and must_close share {int(both.sum())} site(s): "
                f"{site_ids[both][:10].tolist()!r}; a site cannot be both"
            )
        stats, reachable = scan_matrix(minutes, ~must_close)
        if stats[0]:
            raise InputError(
                f"minutes: {int(stats[0])} NaN entries (first at demand row {int(stats[1])}, "
                f"site column {int(stats[2])}); mark unreachable pairs with inf, not NaN"
            )
        if stats[3]:
            i, j = int(stats[4]), int(stats[5])
            raise InputError(
                f"minutes: {int(stats[3])} negative travel times (first {minutes[i, j]} at "
                f"demand row {i}, site column {j}); travel times are >= 0"
            )
        capacity = self._site_vector(self.capacity, m, "capacity")
        site_cost = self._site_vector(self.site_cost_eur, m, "site_cost_eur")
        groups, group_of_site, group_min, labels = self._groups(m, site_ids)

        # groups whose minimum cannot be met by the sites allowed to open
        allowed = ~must_close
        if group_min.size:
            avail = np.bincount(
                group_of_site[allowed & (group_of_site >= 0)], minlength=len(labels)
            )
            short = np.flatnonzero(avail < group_min)
            if short.size:
                g = int(short[0])
                raise InfeasibleError(
                    f"min_open_per_group: group {labels[g]!r} needs {int(group_min[g])} open "
                    f"site(s) but has only {int(avail[g])} candidate(s) that may open "
                    f"({len(short)} group(s) short in all); add candidates to it, lower its "
                    "minimum or remove sites of it from must_close"
                )

        n_out = int((~reachable).sum())
        if n_out:
            w_out = float(demand[~reachable].sum())
            ids = demand_ids[~reachable][:5].tolist()
            text = (
                f"{n_out} of {n} demand points (demand {w_out:g} of {float(demand.sum()):g}) "
                f"reach no site that may open (all entries inf or must_close), e.g. {ids!r}"
            )
            if self.unreachable == "error":
                raise InfeasibleError(
                    text + "; fix the travel-time matrix (links, ferries) or pass "
                    "unreachable='exclude' to leave them out and count them"
                )
            if self.unreachable != "exclude":
                raise InputError(
                    f"unreachable must be 'exclude' or 'error'; found {self.unreachable!r}"
                )
            warnings.warn(
                text + "; they are excluded from the model and counted in every result",
                UnreachableWarning,
                stacklevel=3,
            )
        if not reachable.any():
            raise InfeasibleError(
                f"no demand point reaches any site that may open ({n} points, {m} sites); "
                "check the travel-time matrix and must_close"
            )
        for name, arr in (
            ("minutes", minutes),
            ("demand", demand),
            ("must_open", must_open),
            ("must_close", must_close),
            ("reachable", reachable),
        ):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        for name, opt in (("capacity", capacity), ("site_cost_eur", site_cost)):
            if opt is not None:
                opt.flags.writeable = False
            object.__setattr__(self, name, opt)
        object.__setattr__(self, "site_ids", site_ids)
        object.__setattr__(self, "demand_ids", demand_ids)
        object.__setattr__(self, "site_groups", groups)
        rules = SiteRules(
            allowed=allowed,
            fixed_open=must_open.copy(),
            group_of_site=group_of_site,
            group_min=group_min,
            group_labels=labels,
        )
        object.__setattr__(self, "rules", rules)

    @staticmethod
    def _site_vector(value: npt.ArrayLike | None, m: int, name: str) -> FloatArray | None:
        if value is None:
            return None
        arr = np.array(value, dtype=np.float64).reshape(-1)
        if arr.shape != (m,):
            raise InputError(f"{name}: expected one value per site ({m}); found {arr.size}")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{name}: {int(bad.sum())} values are negative or not finite (first {arr[j]} at "
                f"site column {j}); expected finite values >= 0"
            )
        return arr

    def _groups(
        self, m: int, site_ids: npt.NDArray[Any]
    ) -> tuple[npt.NDArray[Any] | None, IntArray, IntArray, tuple[Hashable, ...]]:
        if self.site_groups is None:
            if self.min_open_per_group not in (None, 0) and not (
                isinstance(self.min_open_per_group, Mapping) and not self.min_open_per_group
            ):
                raise InputError(
                    "min_open_per_group is set but site_groups is not; give a group label per "
                    "site (e.g. the municipality code)"
                )
            return None, np.full(m, -1, dtype=np.intp), np.zeros(0, dtype=np.intp), ()
        groups = np.asarray(self.site_groups, dtype=object)
        if groups.shape != (m,):
            raise InputError(
                f"site_groups: expected one group label per site ({m}); found {groups.size}"
            )
        labels: list[Hashable] = []
        lookup: dict[Hashable, int] = {}
        group_of_site = np.full(m, -1, dtype=np.intp)
        for j, label in enumerate(groups.tolist()):
            if _is_no_group(label):
                continue
            if label not in lookup:
                lookup[label] = len(labels)
                labels.append(label)
            group_of_site[j] = lookup[label]
        group_min = np.zeros(len(labels), dtype=np.intp)
        spec = self.min_open_per_group
        if isinstance(spec, Mapping):
            unknown = [k for k in spec if k not in lookup]
            if unknown:
                raise UnknownIdError(
                    f"min_open_per_group: group(s) {unknown[:10]!r} have no site; known groups: "
                    f"{labels[:10]!r}"
                )
            for k, v in spec.items():
                group_min[lookup[k]] = self._check_min(v, k)
        elif spec is not None:
            group_min[:] = self._check_min(spec, "every group")
        return groups, group_of_site, group_min, tuple(labels)

    @staticmethod
    def _check_min(value: object, where: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise InputError(
                f"min_open_per_group[{where!r}]: expected an integer >= 0; found {value!r}"
            )
        return int(value)

    # ------------------------------------------------------------------ derived facts
    @property
    def n_demand(self) -> int:
        """Number of demand points (rows)."""
        return int(self.minutes.shape[0])

    @property
    def n_sites(self) -> int:
        """Number of candidate sites (columns)."""
        return int(self.minutes.shape[1])

    @property
    def n_unreachable(self) -> int:
        """Demand points excluded because they reach no site that may open."""
        return int((~self.reachable).sum())

    @property
    def unreachable_demand(self) -> float:
        """Total weight of the excluded demand points."""
        return float(self.demand[~self.reachable].sum())

    @property
    def unreachable_ids(self) -> npt.NDArray[Any]:
        """Ids of the excluded demand points."""
        assert self.demand_ids is not None
        return self.demand_ids[~self.reachable]

    def site_index(self, ids: Iterable[Hashable]) -> IntArray:
        """Column indices of the given site ids.

        Raises
        ------
        UnknownIdError
            An id is not a candidate site.
        """
        assert self.site_ids is not None
        index = {sid: j for j, sid in enumerate(self.site_ids.tolist())}
        out = []
        for sid in ids:
            if sid not in index:
                raise UnknownIdError(f"site id {sid!r} is not a candidate site")
            out.append(index[sid])
        return np.asarray(out, dtype=np.intp)


def problem_from_matrix(
    minutes: npt.ArrayLike,
    demand: npt.ArrayLike,
    site_ids: Sequence[Hashable] | npt.ArrayLike | None = None,
    *,
    demand_ids: Sequence[Hashable] | npt.ArrayLike | None = None,
    groups: Sequence[Hashable] | npt.ArrayLike | None = None,
    min_open_per_group: int | Mapping[Hashable, int] | None = None,
    site_cost_eur: npt.ArrayLike | None = None,
    capacity: npt.ArrayLike | None = None,
    must_open: Iterable[Hashable] | npt.ArrayLike | None = None,
    must_close: Iterable[Hashable] | npt.ArrayLike | None = None,
    candidate_minutes: npt.ArrayLike | None = None,
    candidate_ids: Sequence[Hashable] | npt.ArrayLike | None = None,
    candidate_groups: Sequence[Hashable] | npt.ArrayLike | None = None,
    candidate_cost_eur: npt.ArrayLike | None = None,
    candidate_capacity: npt.ArrayLike | None = None,
    unreachable: Literal["exclude", "error"] = "exclude",
) -> LocationProblem:
    """Build a :class:`LocationProblem` from a travel-time matrix and demand weights.

    This is the adapter from ``TravelTimes.minutes`` (cells x sites, float32, ``inf`` where
    unreachable) and the demand model (contacts per cell): existing sites are the columns of
    ``minutes``; optional new candidate points come as a second matrix ``candidate_minutes``
    (cells x candidates) and are appended after them.

    Parameters
    ----------
    minutes
        ``(n_cells, n_sites)`` travel time to the existing sites, minutes.
    demand
        ``(n_cells,)`` demand per cell (e.g. physical contacts per year).
    site_ids
        Ids of the existing sites.
    demand_ids
        Ids of the cells (e.g. ``cell_id``).
    groups
        Group label per existing site (e.g. municipality code); ``None`` = no group.
    min_open_per_group
        Minimum open sites per group: an ``int`` for every group (``1``: every municipality
        keeps a site) or a mapping label -> minimum.
    site_cost_eur
        Annual cost per existing site (fixed-charge model, budgets, Pareto fronts).
    capacity
        Capacity per existing site, in demand units (capacitated p-median).
    must_open, must_close
        Site ids (or boolean masks over all columns) that must stay open / must close.
    candidate_minutes, candidate_ids, candidate_groups, candidate_cost_eur, candidate_capacity
        The same for new candidate points; ``candidate_ids`` is required with
        ``candidate_minutes``; cost and capacity are required when the existing sites have
        them.
    unreachable
        ``"exclude"`` or ``"error"`` for demand points that reach no site that may open.

    Returns
    -------
    LocationProblem

    Raises
    ------
    InputError
        Shapes, ids or values are inconsistent (the message names which).
    InfeasibleError
        A group minimum cannot be met, or (with ``unreachable="error"``) demand is unreachable.
    """
    mins = as_matrix(minutes)
    if mins.ndim != 2:
        raise InputError(
            f"minutes: expected a 2-D matrix (cells x sites); found shape {mins.shape}"
        )
    m0 = mins.shape[1]
    ids = np.arange(m0).astype(object) if site_ids is None else np.asarray(site_ids, dtype=object)
    grp = None if groups is None else np.asarray(groups, dtype=object)
    cost = None if site_cost_eur is None else np.asarray(site_cost_eur, dtype=np.float64)
    cap = None if capacity is None else np.asarray(capacity, dtype=np.float64)
    if candidate_minutes is not None:
        cand = as_matrix(candidate_minutes)
        if cand.ndim != 2 or cand.shape[0] != mins.shape[0]:
            raise InputError(
                f"candidate_minutes: expected shape ({mins.shape[0]}, n_candidates) (same cells "
                f"as minutes); found {cand.shape}"
            )
        k = cand.shape[1]
        if candidate_ids is None:
            raise InputError("candidate_ids: required with candidate_minutes (one id per column)")
        cids = np.asarray(candidate_ids, dtype=object)
        if cids.shape != (k,):
            raise InputError(f"candidate_ids: expected {k} ids; found {cids.size}")
        mins = np.hstack([mins, cand])  # the common dtype (float32 only if both are)
        ids = np.concatenate([ids, cids])
        if grp is not None or candidate_groups is not None:
            g0 = np.full(m0, None, dtype=object) if grp is None else grp
            g1 = (
                np.full(k, None, dtype=object)
                if candidate_groups is None
                else np.asarray(candidate_groups, dtype=object)
            )
            if g0.shape != (m0,) or g1.shape != (k,):
                raise InputError(
                    f"groups / candidate_groups: expected {m0} and {k} labels; found "
                    f"{g0.size} and {g1.size}"
                )
            grp = np.concatenate([g0, g1])
        cost = _stack_optional(cost, candidate_cost_eur, m0, k, "site_cost_eur")
        cap = _stack_optional(cap, candidate_capacity, m0, k, "capacity")
    return LocationProblem(
        minutes=mins,
        demand=np.asarray(demand, dtype=np.float64),
        site_ids=ids,
        demand_ids=None if demand_ids is None else np.asarray(demand_ids),
        site_groups=grp,
        min_open_per_group=min_open_per_group,
        must_open=must_open,  # type: ignore[arg-type]
        must_close=must_close,  # type: ignore[arg-type]
        capacity=cap,
        site_cost_eur=cost,
        unreachable=unreachable,
    )


def _stack_optional(
    base: FloatArray | None, extra: npt.ArrayLike | None, m0: int, k: int, name: str
) -> FloatArray | None:
    if base is None and extra is None:
        return None
    if base is None or extra is None:
        missing = f"candidate_{name.removeprefix('site_')}" if extra is None else name
        raise InputError(
            f"{missing}: required because the {'existing sites' if extra is None else 'candidates'}"
            f" have {name}; give it for both or neither"
        )
    b = np.asarray(base, dtype=np.float64).reshape(-1)
    e = np.asarray(extra, dtype=np.float64).reshape(-1)
    if b.size != m0 or e.size != k:
        raise InputError(f"{name}: expected {m0} + {k} values; found {b.size} + {e.size}")
    return np.concatenate([b, e])


@dataclass(frozen=True, eq=False)
class Rows:
    """Demand rows as the solvers see them: reachable, positive weight, optionally merged.

    Attributes
    ----------
    minutes
        ``(n_rows, n_sites)`` minutes, ``inf`` kept (forbidden assignment).
    weight
        ``(n_rows,)`` summed demand of each row.
    row_of_demand
        ``(n_demand,)`` row of each original demand point, ``-1`` when not modelled
        (unreachable or zero weight).
    n_zero_weight
        Reachable demand points left out because their weight is zero.
    """

    minutes: MatrixArray
    weight: FloatArray
    row_of_demand: IntArray
    n_zero_weight: int

    @property
    def n_rows(self) -> int:
        """Number of modelled rows."""
        return int(self.weight.size)


def model_rows(problem: LocationProblem, *, aggregate: bool) -> Rows:
    """The rows a solver models: reachable points with positive weight, optionally merged.

    Merging identical rows (``aggregate=True``) sums their weights: for the uncapacitated
    models every point of a merged row takes the same site in some optimal solution, so no
    objective changes.
    """
    keep = problem.reachable & (problem.demand > 0)
    n_zero = int((problem.reachable & (problem.demand == 0)).sum())
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        raise InfeasibleError(
            f"no demand to serve: all {problem.n_demand} demand points are unreachable or have "
            "zero weight"
        )
    weight = problem.demand[idx]
    row_of = np.full(problem.n_demand, -1, dtype=np.intp)
    if aggregate and idx.size > 1:
        first, inverse = merge_identical_rows(problem.minutes, idx)
        if first.size < idx.size:
            log.debug("merged %d identical demand rows into %d", idx.size, first.size)
            weight = np.bincount(inverse, weights=weight, minlength=first.size).astype(np.float64)
            row_of[idx] = inverse
            return Rows(np.ascontiguousarray(problem.minutes[first]), weight, row_of, n_zero)
    row_of[idx] = np.arange(idx.size)
    return Rows(np.ascontiguousarray(problem.minutes[idx]), weight, row_of, n_zero)


def merge_identical_rows(minutes: MatrixArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Groups of identical rows among ``minutes[rows]``, in order of first appearance.

    Returns ``(first, inverse)``: ``first[g]`` is the matrix row that represents group ``g``,
    ``inverse[k]`` the group of ``rows[k]``. Rows are grouped by a 64-bit hash and then checked
    entry by entry against their group's first row, so a hash collision never merges different
    rows (such a row keeps a group of its own). Time ``O(n x m)`` without a copy of the matrix,
    where ``np.unique(axis=0)`` sorted a float64 copy (17 s at 100,000 x 1,000).
    """
    rows = np.asarray(rows, dtype=np.int64)
    h = row_hashes(minutes, rows)
    _, first_pos, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    ok = same_as(minutes, rows, rows[first_pos[inverse]])
    if not ok.all():  # a hash collision: such rows get a group of their own
        bad = np.flatnonzero(~ok)
        inverse[bad] = first_pos.size + np.arange(bad.size)
        first_pos = np.concatenate([first_pos, bad])
    # number the groups in order of first appearance
    order = np.argsort(first_pos, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rows[first_pos[order]].astype(np.intp), rank[inverse].astype(np.intp)
