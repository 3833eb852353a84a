"""Tests of the PyVRP wrapper: tiny instances against brute force, validation, Solomon."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from palveluverkko.channels import RoutingParams, RoutingProblem, VehicleKind, solve_routing
from palveluverkko.channels.solomon import read_solomon
from palveluverkko.errors import InputError

FAST = RoutingParams(time_limit_s=1.0, max_iterations=2000)


def _points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(axis=2)).round().astype(np.int64)
    return xy, d


def _route_cost(d: np.ndarray, order: tuple[int, ...]) -> int:
    path = (0, *order, 0)
    return int(sum(d[a, b] for a, b in itertools.pairwise(path)))


def _tw_feasible(
    d: np.ndarray,
    order: tuple[int, ...],
    early: np.ndarray,
    late: np.ndarray,
    service: int,
    late_depot: int,
) -> bool:
    t, here = 0, 0
    for loc in order:
        t = max(t + d[here, loc], early[loc - 1])
        if t > late[loc - 1]:
            return False
        t += service
        here = loc
    return t + d[here, 0] <= late_depot


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tsp_with_windows_matches_brute_force(seed: int) -> None:
    """One vehicle, six clients with time windows: PyVRP finds the brute-force optimum."""
    _, d = _points(7, seed)
    rng = np.random.default_rng(100 + seed)
    early = rng.integers(0, 150, size=6)
    late = early + 200
    problem = RoutingProblem(
        duration=d,
        depot_location=np.array([0]),
        client_location=np.arange(1, 7),
        service=np.full(6, 5),
        early=early,
        late=late,
        vehicles=(VehicleKind("v", late=1000),),
    )
    best = min(
        (
            _route_cost(d, p)
            for p in itertools.permutations(range(1, 7))
            if _tw_feasible(d, p, early, late, 5, 1000)
        ),
        default=None,
    )
    res = solve_routing(problem, FAST, seed=3)
    assert best is not None
    assert res.feasible
    assert res.objective == best
    assert sorted(res.visits["client"]) == list(range(6))


def test_optional_clients_with_prizes_match_brute_force() -> None:
    """Prize-collecting: the objective equals min over subsets of tour length + lost prizes."""
    _, d = _points(6, 7)
    prize = np.array([10, 200, 30, 250, 5])
    problem = RoutingProblem(
        duration=d,
        depot_location=np.array([0]),
        client_location=np.arange(1, 6),
        service=np.zeros(5, dtype=np.int64),
        required=np.zeros(5, dtype=bool),
        prize=prize,
        vehicles=(VehicleKind("v"),),
    )
    best = np.inf
    for k in range(6):
        for sub in itertools.combinations(range(1, 6), k):
            lost = prize.sum() - sum(prize[i - 1] for i in sub)
            tour = min((_route_cost(d, p) for p in itertools.permutations(sub)), default=0)
            best = min(best, tour + lost)
    res = solve_routing(problem, FAST, seed=1)
    assert res.objective == best
    assert res.unvisited.size == 5 - len(res.visits)


def test_vehicle_kinds_pin_clients_to_their_day() -> None:
    """Two day-vehicles with disjoint windows: each client is served by its day's vehicle."""
    _, d = _points(5, 3)
    day = 1440
    problem = RoutingProblem(
        duration=d,
        depot_location=np.array([0]),
        client_location=np.array([1, 2, 3, 4, 1]),
        service=np.full(5, 30),
        early=np.array([0, 0, day, day, day]),
        late=np.array([600, 600, day + 600, day + 600, day + 600]),
        vehicles=(
            VehicleKind("day 1", early=0, late=700),
            VehicleKind("day 2", early=day, late=day + 700),
        ),
    )
    res = solve_routing(problem, FAST, seed=0)
    assert res.feasible
    kind = dict(zip(res.visits["client"], res.visits["vehicle_kind"], strict=True))
    assert kind == {0: "day 1", 1: "day 1", 2: "day 2", 3: "day 2", 4: "day 2"}
    assert (res.visits["start"] >= problem.early[res.visits["client"]]).all()  # type: ignore[index]


def test_several_depots_and_summary() -> None:
    """Two depots: routes start where their kind says; summary states nothing is proven."""
    _, d = _points(6, 5)
    problem = RoutingProblem(
        duration=d,
        depot_location=np.array([0, 1]),
        client_location=np.arange(2, 6),
        service=np.zeros(4, dtype=np.int64),
        vehicles=(VehicleKind("a", depot=0), VehicleKind("b", depot=1)),
    )
    res = solve_routing(problem, FAST, seed=0)
    dep = dict(zip(res.routes["vehicle_kind"], res.routes["depot"], strict=True))
    assert all(dep[k] == {"a": 0, "b": 1}[k] for k in dep)
    assert "nothing proven" in res.summary()


def test_invalid_inputs_name_the_field() -> None:
    """Float matrices, empty windows and unknown depots are refused with the field named."""
    d = np.zeros((3, 3), dtype=np.int64)
    loc, svc, one = np.array([0]), np.array([1, 2]), np.zeros(2, dtype=np.int64)
    with pytest.raises(InputError, match="duration: expected integers"):
        RoutingProblem(d.astype(float), loc, svc, one, (VehicleKind("v"),))
    with pytest.raises(InputError, match=r"time window .* is empty"):
        RoutingProblem(
            d, loc, svc, one, (VehicleKind("v"),), early=np.array([5, 0]), late=np.array([4, 9])
        )
    with pytest.raises(InputError, match="depot 3 does not exist"):
        RoutingProblem(d, loc, svc, one, (VehicleKind("v", depot=3),))


@pytest.mark.slow
def test_solomon_c101_reaches_best_known() -> None:
    """C101 in 5 s: within 2 % of the best known 827.3 (bench_vrp.py covers R101, RC101)."""
    path = Path(__file__).parents[2] / "benchmarks" / "data" / "solomon" / "C101.txt"
    res = solve_routing(read_solomon(path), RoutingParams(time_limit_s=5.0), seed=1)
    assert res.feasible
    assert res.objective / 10 <= 827.3 * 1.02
    assert res.objective / 10 >= 827.3 - 1e-9  # never below the proven optimum


def test_no_improvement_ends_a_settled_search_before_the_time_limit() -> None:
    """A small TSP settles at once: with no_improvement the solve ends long before its 20 s
    limit, with the brute-force optimum; a bad value is refused."""
    _, d = _points(7, 5)
    problem = RoutingProblem(
        duration=d,
        depot_location=np.array([0]),
        client_location=np.arange(1, 7),
        service=np.zeros(6, dtype=np.int64),
        vehicles=(VehicleKind("v"),),
    )
    best = min(_route_cost(d, p) for p in itertools.permutations(range(1, 7)))
    res = solve_routing(problem, RoutingParams(time_limit_s=20.0, no_improvement=200), seed=3)
    assert res.objective == best
    assert res.seconds < 10.0  # stopped by the criterion, not by the 20 s limit
    with pytest.raises(InputError, match="no_improvement must be >= 1"):
        RoutingParams(no_improvement=0)
