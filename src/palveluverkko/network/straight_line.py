"""Straight-line travel-time estimates where no road network reaches: the fallback of
:func:`.routing.travel_times`.

Rule
----
A trip from cell ``i`` to destination ``j`` by a road mode takes

.. math::

    \\hat T_{ij} = t_0 + \\frac{k_\\text{mode} \\, \\lVert x_i - x_j \\rVert}{v_i}
    \\cdot \\frac{60}{1000} \\ \\text{min},

with ``k`` the circuity factor of the mode (road distance over straight-line distance), ``t0``
a terminal time (car only: the slow ends of a trip) and ``v_i`` the speed: by car the speed of
the cell's settlement class
(:attr:`.params.StraightLineParams.car_speed_kph`), on foot or by bike
:attr:`.params.RoadParams.walk_speed_kph` / ``bike_speed_kph`` (walking speed does not depend on
where one lives). Defaults and their sources are in :class:`.params.StraightLineParams`;
``benchmarks/bench_straight_line.py`` measures the factors on Tampere and the error of the
estimate against network times.

Settlement class of a cell: its ``settlement`` column where that is one of
:data:`.params.SETTLEMENT_CLASSES`; else, for a cell with a polygon, its residents per km2
against :attr:`.params.StraightLineParams.density_per_km2`; else ``unknown``.

When it is used
---------------
* The region has no road network (no ``roads`` layer and no ``roads.osm.pbf``): every cell and
  destination; reason ``no_road_network``.
* A cell or destination lies farther than ``max_snap_distance_m`` from the main network (outside
  a partial extract, or far from any road): its whole row or column is estimated, also where the
  other end is on the network; reason ``outside_road_network``. A row is thus one method
  throughout, so the ranking of destinations for a cell (nearest site, allocation) never mixes a
  network time with an estimate for the same cell; the estimate is the one whose error the
  benchmark measures, while "to the network's edge, then the network" would add an uncalibrated
  leg whose direction (the nearest edge node may lie away from the destination) is arbitrary.
* Points on an island (``separate_network``) are *not* estimated: a straight line would invent a
  crossing. They stay unreachable, as do ``invalid_point`` ones.

Every estimated pair is marked: ``TravelTimes.parameters["approximate"]``, the tables
``TravelTimes.approximate`` (cells, with residents) and ``approximate_destinations``, and
:meth:`.types.TravelTimes.approximate_mask`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from .params import SETTLEMENT_CLASSES, RoadParams, StraightLineParams

if TYPE_CHECKING:
    from ..region.model import Region

__all__ = [
    "APPROXIMATE_REASONS",
    "settlement_classes",
    "straight_line_minutes",
    "straight_line_speeds",
]

APPROXIMATE_REASONS: dict[str, str] = {
    "no_road_network": "the region has no road network: straight-line estimate",
    "outside_road_network": "farther than the snapping limit from the road network (outside the "
    "road extract): straight-line estimate",
}


def straight_line_minutes(
    origin_xy: np.ndarray,
    destination_xy: np.ndarray,
    speed_kph: np.ndarray,
    circuity: float,
    terminal_min: float = 0.0,
) -> np.ndarray:
    """The ``(n_origins, n_destinations)`` float32 matrix of estimated minutes.

    Parameters
    ----------
    origin_xy, destination_xy
        ``(n, 2)`` and ``(m, 2)`` coordinates in metres.
    speed_kph
        ``(n,)`` speed of each origin's trips, km/h (> 0).
    circuity
        Road distance over straight-line distance (>= 1).
    terminal_min
        Minutes added to every trip.
    """
    a = np.asarray(origin_xy, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(destination_xy, dtype=np.float64).reshape(-1, 2)
    v = np.asarray(speed_kph, dtype=np.float64).reshape(-1)
    if len(v) != len(a):
        raise InputError(f"straight_line_minutes: {len(v)} speeds for {len(a)} origins")
    if len(v) and not (v > 0).all():
        raise InputError("straight_line_minutes: every speed must be > 0 km/h")
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return (terminal_min + d * circuity / (v[:, None] * (1000.0 / 60.0))).astype(np.float32)


def settlement_classes(region: Region, params: StraightLineParams) -> np.ndarray:
    """Settlement class of each cell (object array): its ``settlement`` where known, else by
    residents per km2 of its polygon, else ``unknown`` (module docstring)."""
    pop = region.population
    n = len(pop)
    out = np.full(n, "unknown", dtype=object)
    if "settlement" in pop.columns:
        given = pop["settlement"].astype(object).to_numpy()
        known = np.isin(given, list(SETTLEMENT_CLASSES))
        out[known] = given[known]
    else:
        known = np.zeros(n, dtype=bool)
    area_km2 = pop.geometry.area.to_numpy(dtype=np.float64) / 1e6
    polygon = area_km2 > 0
    todo = ~known & polygon
    if todo.any():
        from .types import residents_per_cell

        density = residents_per_cell(region)[todo] / area_km2[todo]
        limits = params.density_per_km2
        cls = np.full(int(todo.sum()), "rural", dtype=object)
        cls[density >= limits["village"]] = "village"
        cls[density >= limits["town"]] = "town"
        cls[density >= limits["city"]] = "city"
        out[todo] = cls
    return out


def straight_line_speeds(
    region: Region, mode: str, params: RoadParams, settlement: np.ndarray | None = None
) -> np.ndarray:
    """``(n_cells,)`` speed of each cell's estimated trips by ``mode``, km/h."""
    line = params.straight_line or StraightLineParams()
    n = len(region.population)
    if mode == "walk":
        return np.full(n, params.walk_speed_kph)
    if mode == "bike":
        return np.full(n, params.bike_speed_kph)
    if mode != "car":
        raise InputError(f"straight-line estimates are for road modes; found mode {mode!r}")
    classes = settlement_classes(region, line) if settlement is None else settlement
    table = line.car_speed_kph
    return np.array([table[c] for c in classes], dtype=np.float64)
