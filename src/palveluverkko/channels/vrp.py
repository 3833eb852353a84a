"""A small wrapper over PyVRP: routing problems on integer matrices, solved with a time limit.

Formulation
-----------
Locations ``0..L-1`` carry an integer duration matrix ``T`` and distance matrix ``D`` (any
integer units; the palveluverkko channels use **seconds** and **metres**). Depots and clients sit
at locations (several clients may share one location: repeat visits of a mobile stop). A
vehicle type ``k`` has ``n_k`` vehicles that start and end at its depot, may work only inside
``[early_k, late_k]`` and for at most ``max_duration_k``; a client ``i`` has a service duration
``s_i``, a time window ``[a_i, b_i]`` for the *start* of service, an optional demand, and is
either required or optional with a prize ``p_i``. PyVRP minimises

.. math::

    \\sum_{r} \\big(c^D_{k(r)} D(r) + c^T_{k(r)} T(r) + f_{k(r)}\\big)
    + \\sum_{i \\text{ optional, not visited}} p_i

over feasible route sets (every required client visited once, windows, shifts, capacity).

What it proves: **nothing**. PyVRP is an iterated local search heuristic: the objective is that
of a feasible solution when ``feasible`` is true, with no lower bound and no optimality claim.
Quality is measured on Solomon's instances in ``benchmarks/bench_vrp.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InputError

__all__ = [
    "UNBOUNDED",
    "RoutingParams",
    "RoutingProblem",
    "RoutingResult",
    "VehicleKind",
    "solve_routing",
]

log = logging.getLogger("palveluverkko.channels")

UNBOUNDED = 2**40
"""An integer that stands for "no limit" (far below PyVRP's own maximum, safe in sums)."""

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class VehicleKind:
    """A group of identical vehicles (a PyVRP vehicle type).

    Attributes
    ----------
    name
        Label kept in the result (e.g. ``"day 3"`` or a base id).
    depot
        Index into :attr:`RoutingProblem.depot_location` where the vehicles start and end.
    count
        Vehicles available.
    early, late
        The vehicles may leave at ``early`` at the earliest and must be back by ``late``.
    max_duration
        Longest route (leaving to returning), e.g. a shift.
    capacity
        Load limit, or ``None`` for no load dimension.
    fixed_cost, distance_cost, duration_cost
        Objective weights: per used vehicle, per distance unit, per duration unit.
    """

    name: str
    depot: int = 0
    count: int = 1
    early: int = 0
    late: int = UNBOUNDED
    max_duration: int = UNBOUNDED
    capacity: int | None = None
    fixed_cost: int = 0
    distance_cost: int = 1
    duration_cost: int = 0

    def __post_init__(self) -> None:
        if self.count < 1:
            raise InputError(f"vehicle kind {self.name!r}: count must be >= 1; found {self.count}")
        if not 0 <= self.early <= self.late:
            raise InputError(
                f"vehicle kind {self.name!r}: need 0 <= early <= late; found "
                f"early={self.early}, late={self.late}"
            )
        if self.max_duration < 0 or min(self.fixed_cost, self.distance_cost) < 0:
            raise InputError(f"vehicle kind {self.name!r}: durations and costs must be >= 0")


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """Immutable data of a routing problem on integer matrices (see the module docstring).

    Attributes
    ----------
    duration
        ``(L, L)`` travel durations between locations, integers >= 0, in ``time_unit``.
    distance
        ``(L, L)`` travel distances (integers >= 0); ``None`` = the durations.
    depot_location
        ``(n_depots,)`` location of each depot.
    client_location
        ``(n_clients,)`` location of each client (repeats allowed).
    service
        ``(n_clients,)`` service duration of each client.
    early, late
        ``(n_clients,)`` window for the start of service; default ``0`` and unbounded.
    required
        ``(n_clients,)`` whether each client must be visited; default all.
    prize
        ``(n_clients,)`` prize of each optional client (lost when not visited).
    demand
        ``(n_clients,)`` load of each client, with vehicles' ``capacity``; or ``None``.
    vehicles
        The vehicle kinds.
    client_ids
        Labels of the clients in the results (default ``0..n-1``).
    time_unit
        ``"s"`` (seconds, the channels' unit), ``"min"`` or ``"dimacs"`` (tenths, Solomon).
    """

    duration: IntArray
    depot_location: IntArray
    client_location: IntArray
    service: IntArray
    vehicles: tuple[VehicleKind, ...]
    distance: IntArray | None = None
    early: IntArray | None = None
    late: IntArray | None = None
    required: BoolArray | None = None
    prize: IntArray | None = None
    demand: IntArray | None = None
    client_ids: Sequence[Any] | None = None
    time_unit: Literal["s", "min", "dimacs"] = "s"

    def __post_init__(self) -> None:
        dur = _int_matrix(self.duration, "duration")
        n_loc = dur.shape[0]
        dist = dur if self.distance is None else _int_matrix(self.distance, "distance")
        if dist.shape != dur.shape:
            raise InputError(f"distance: expected shape {dur.shape}; found {dist.shape}")
        for name, mat in (("duration", dur), ("distance", dist)):
            if np.diagonal(mat).any():
                raise InputError(
                    f"{name}: the diagonal must be zero (a location to itself); found "
                    f"{np.diagonal(mat).max()}; set it with numpy.fill_diagonal"
                )
        dep = _int_vector(self.depot_location, "depot_location")
        loc = _int_vector(self.client_location, "client_location")
        for name, arr in (("depot_location", dep), ("client_location", loc)):
            if arr.size and (arr.min() < 0 or arr.max() >= n_loc):
                raise InputError(f"{name}: locations must lie in [0, {n_loc}); found {arr}")
        if dep.size == 0:
            raise InputError("depot_location: at least one depot is needed")
        n = loc.size
        set_ = object.__setattr__
        set_(self, "duration", dur)
        set_(self, "distance", dist)
        set_(self, "depot_location", dep)
        set_(self, "client_location", loc)
        set_(self, "service", _per_client(self.service, n, 0, "service"))
        set_(self, "early", _per_client(self.early, n, 0, "early"))
        set_(self, "late", _per_client(self.late, n, UNBOUNDED, "late"))
        set_(self, "prize", _per_client(self.prize, n, 0, "prize"))
        req = np.ones(n, dtype=bool) if self.required is None else np.asarray(self.required)
        if req.shape != (n,):
            raise InputError(f"required: expected {n} values; found shape {req.shape}")
        set_(self, "required", req.astype(bool))
        if self.demand is not None:
            set_(self, "demand", _per_client(self.demand, n, 0, "demand"))
        bad = np.flatnonzero(self.early > self.late)  # type: ignore[operator]
        if bad.size:
            raise InputError(
                f"client {self.ids[bad[0]]!r}: time window [{self.early[bad[0]]}, "  # type: ignore[index]
                f"{self.late[bad[0]]}] is empty; early must be <= late"  # type: ignore[index]
            )
        if not self.vehicles:
            raise InputError("vehicles: at least one vehicle kind is needed")
        for v in self.vehicles:
            if not 0 <= v.depot < dep.size:
                raise InputError(
                    f"vehicle kind {v.name!r}: depot {v.depot} does not exist ({dep.size} depots)"
                )
        if self.client_ids is not None and len(self.client_ids) != n:
            raise InputError(f"client_ids: expected {n} labels; found {len(self.client_ids)}")

    @property
    def n_clients(self) -> int:
        """Number of clients (visits)."""
        return int(self.client_location.size)

    @property
    def ids(self) -> list[Any]:
        """Client labels."""
        return list(range(self.n_clients)) if self.client_ids is None else list(self.client_ids)


def _int_matrix(value: npt.ArrayLike, name: str) -> IntArray:
    arr = np.asarray(value)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name}: expected a square matrix; found shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputError(
            f"{name}: expected integers (e.g. seconds); found dtype {arr.dtype}; round first"
        )
    if arr.size and arr.min() < 0:
        raise InputError(f"{name}: values must be >= 0; found {arr.min()}")
    return arr.astype(np.int64)


def _int_vector(value: npt.ArrayLike, name: str) -> IntArray:
    arr = np.asarray(value)
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise InputError(f"{name}: expected a 1-D integer array; found {arr.dtype} {arr.shape}")
    return arr.astype(np.int64)


def _per_client(value: npt.ArrayLike | None, n: int, default: int, name: str) -> IntArray:
    if value is None:
        return np.full(n, default, dtype=np.int64)
    arr = np.asarray(value)
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values (one per client); found shape {arr.shape}")
    arr = _int_vector(arr, name)
    if arr.size and arr.min() < 0:
        raise InputError(f"{name}: values must be >= 0; found {arr.min()}")
    return arr


@dataclass(frozen=True)
class RoutingParams:
    """Parameters of :func:`solve_routing`.

    Attributes
    ----------
    time_limit_s
        Wall-clock limit of PyVRP's search (default 10 s, the Solomon benchmark's budget).
    max_iterations
        Optional cap on PyVRP iterations (makes a run independent of machine speed).
    no_improvement
        Optional: stop after this many iterations without a better solution (PyVRP's
        ``NoImprovement``); a small problem then ends when its search has settled, not at the
        time limit, and the same seed gives the same routes on any machine.
    """

    time_limit_s: float = 10.0
    max_iterations: int | None = None
    no_improvement: int | None = None

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise InputError(
                f"RoutingParams.time_limit_s must be > 0 seconds; found {self.time_limit_s}"
            )
        if self.max_iterations is not None and self.max_iterations < 1:
            raise InputError(
                f"RoutingParams.max_iterations must be >= 1; found {self.max_iterations}"
            )
        if self.no_improvement is not None and self.no_improvement < 1:
            raise InputError(
                f"RoutingParams.no_improvement must be >= 1; found {self.no_improvement}"
            )


@dataclass(frozen=True, eq=False)
class RoutingResult:
    """Routes found by PyVRP (a heuristic: no bound, no optimality proof).

    Attributes
    ----------
    objective
        PyVRP's cost of the best solution (module docstring).
    feasible
        Whether that solution meets every constraint (required clients, windows, shifts, load).
    visits
        One row per visit: ``route``, ``vehicle_kind``, ``position`` (1-based), ``client``
        (index), ``client_id``, ``location``, ``start`` (service start), ``end``, ``wait``.
    routes
        One row per route: ``route``, ``vehicle_kind``, ``depot``, ``start``, ``end``,
        ``duration``, ``travel``, ``service``, ``wait``, ``distance``, ``n_visits``.
    unvisited
        Client indices not visited (optional ones skipped; required ones when infeasible).
    seconds
        Wall time of the solve.
    method
        What ran and what it proves.
    """

    objective: float
    feasible: bool
    visits: pd.DataFrame
    routes: pd.DataFrame
    unvisited: IntArray
    seconds: float
    problem: RoutingProblem = field(repr=False)
    method: str = "PyVRP 0.14.1 iterated local search (heuristic; no bound, nothing proven)"

    @property
    def distance(self) -> int:
        """Total distance of the routes."""
        return int(self.routes["distance"].sum()) if len(self.routes) else 0

    @property
    def duration(self) -> int:
        """Total duration of the routes (travel, service and waiting)."""
        return int(self.routes["duration"].sum()) if len(self.routes) else 0

    def summary(self) -> str:
        """One paragraph: objective, routes, visits, unvisited, time, what is proven."""
        unit = self.problem.time_unit
        n_req = int(self.problem.required[self.unvisited].sum())  # type: ignore[index]
        return (
            f"objective {self.objective:,.0f} ({'feasible' if self.feasible else 'INFEASIBLE'}); "
            f"{len(self.routes)} routes, {len(self.visits)} visits, distance {self.distance:,}, "
            f"duration {self.duration:,} {unit}; {self.unvisited.size} clients not visited "
            f"({n_req} of them required); {self.seconds:.1f} s. {self.method}."
        )


def to_pyvrp(problem: RoutingProblem) -> Any:
    """The PyVRP 0.14 ``ProblemData`` of ``problem`` (depots first, then clients)."""
    import pyvrp

    n_loc = problem.duration.shape[0]
    locations = [pyvrp.Location(float(i), 0.0) for i in range(n_loc)]
    depots = [pyvrp.Depot(int(loc)) for loc in problem.depot_location]
    has_load = problem.demand is not None
    clients = []
    for i in range(problem.n_clients):
        clients.append(
            pyvrp.Client(
                int(problem.client_location[i]),
                delivery=[int(problem.demand[i])] if has_load else [],  # type: ignore[index]
                service_duration=int(problem.service[i]),
                tw_early=int(problem.early[i]),  # type: ignore[index]
                tw_late=int(problem.late[i]),  # type: ignore[index]
                prize=int(problem.prize[i]),  # type: ignore[index]
                required=bool(problem.required[i]),  # type: ignore[index]
            )
        )
    kinds = []
    for v in problem.vehicles:
        cap = [v.capacity if v.capacity is not None else UNBOUNDED] if has_load else []
        kinds.append(
            pyvrp.VehicleType(
                v.count,
                capacity=cap,
                start_depot=v.depot,
                end_depot=v.depot,
                fixed_cost=v.fixed_cost,
                tw_early=v.early,
                tw_late=v.late,
                shift_duration=v.max_duration,
                unit_distance_cost=v.distance_cost,
                unit_duration_cost=v.duration_cost,
                name=v.name,
            )
        )
    matrices: tuple[Any, Any] = [problem.distance], [problem.duration]
    return pyvrp.ProblemData(locations, clients, depots, kinds, *matrices)


def solve_routing(
    problem: RoutingProblem, params: RoutingParams | None = None, *, seed: int = 0
) -> RoutingResult:
    """Solve ``problem`` with PyVRP under ``params`` (seeded: the same seed and iteration cap
    give the same routes).

    Returns
    -------
    RoutingResult
        Routes as tables; ``feasible`` False when PyVRP found no feasible solution in time.
    """
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

    params = params or RoutingParams()
    t0 = time.perf_counter()
    data = to_pyvrp(problem)
    criteria: list[Any] = [MaxRuntime(params.time_limit_s)]
    if params.max_iterations is not None:
        criteria.append(MaxIterations(params.max_iterations))
    if params.no_improvement is not None:
        criteria.append(NoImprovement(params.no_improvement))
    stop: Any = criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)
    if problem.n_clients == 0:
        return _empty_result(problem, t0)
    res = pyvrp.solve(data, stop, seed=seed, collect_stats=False, display=False)
    best = res.best
    visits, routes = _tables(problem, best)
    seen = np.zeros(problem.n_clients, dtype=bool)
    seen[visits["client"].to_numpy(dtype=np.int64)] = True
    out = RoutingResult(
        objective=float(res.cost()) if best.is_feasible() else float("inf"),
        feasible=bool(best.is_feasible()),
        visits=visits,
        routes=routes,
        unvisited=np.flatnonzero(~seen),
        seconds=time.perf_counter() - t0,
        problem=problem,
    )
    log.info("routing: %s", out.summary())
    return out


def _empty_result(problem: RoutingProblem, t0: float) -> RoutingResult:
    visits, routes = _tables(problem, None)
    return RoutingResult(
        objective=0.0,
        feasible=True,
        visits=visits,
        routes=routes,
        unvisited=np.zeros(0, dtype=np.int64),
        seconds=time.perf_counter() - t0,
        problem=problem,
    )


VISIT_COLUMNS = (
    "route",
    "vehicle_kind",
    "position",
    "client",
    "client_id",
    "location",
    "start",
    "end",
    "wait",
)
ROUTE_COLUMNS = (
    "route",
    "vehicle_kind",
    "depot",
    "start",
    "end",
    "duration",
    "travel",
    "service",
    "wait",
    "distance",
    "n_visits",
)


def _tables(problem: RoutingProblem, solution: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = problem.ids
    vrows: list[dict[str, Any]] = []
    rrows: list[dict[str, Any]] = []
    for r, route in enumerate([] if solution is None else solution.routes()):
        kind = problem.vehicles[route.vehicle_type()]
        pos = 0
        for act in route.schedule():
            if not act.is_client():
                continue
            pos += 1
            c = int(act.idx)
            vrows.append(
                {
                    "route": r,
                    "vehicle_kind": kind.name,
                    "position": pos,
                    "client": c,
                    "client_id": ids[c],
                    "location": int(problem.client_location[c]),
                    "start": int(act.start_time),
                    "end": int(act.end_time),
                    "wait": int(act.wait_duration),
                }
            )
        rrows.append(
            {
                "route": r,
                "vehicle_kind": kind.name,
                "depot": int(route.start_depot()),
                "start": int(route.start_time()),
                "end": int(route.end_time()),
                "duration": int(route.duration()),
                "travel": int(route.travel_duration()),
                "service": int(route.service_duration()),
                "wait": int(route.wait_duration()),
                "distance": int(route.distance()),
                "n_visits": pos,
            }
        )
    visits = pd.DataFrame(vrows, columns=list(VISIT_COLUMNS))
    routes = pd.DataFrame(rrows, columns=list(ROUTE_COLUMNS))
    for frame, cols in ((visits, VISIT_COLUMNS), (routes, ROUTE_COLUMNS)):
        for col in cols:
            if col not in ("vehicle_kind", "client_id"):
                frame[col] = frame[col].astype(np.int64)
    return visits, routes
