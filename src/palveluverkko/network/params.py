"""Parameters of routing, validated where made: :class:`RoadParams`, :class:`TransitParams`.

Each field is documented with its default and the default's source; every field enters the
travel-time cache key (:mod:`.cache`) and is recorded in ``TravelTimes.parameters``, so a report
can quote what produced a matrix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from . import rules

__all__ = ["SETTLEMENT_CLASSES", "RoadParams", "StraightLineParams", "TransitParams"]

SETTLEMENT_CLASSES: tuple[str, ...] = ("city", "town", "village", "rural")
"""Settlement classes of population cells (the ``settlement`` column; the demo county's own)."""


def _positive(owner: str, name: str, value: float | None, *, allow_inf: bool = False) -> None:
    if value is None:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if ok and not allow_inf:
        ok = math.isfinite(value)
    if not ok:
        raise InputError(f"{owner}.{name} is {value!r}; expected a finite number above 0")


def _settlement_table(owner: str, name: str, table: Mapping[str, float]) -> dict[str, float]:
    wanted = (*SETTLEMENT_CLASSES, "unknown")
    missing = [c for c in wanted if c not in table]
    extra = [c for c in table if c not in wanted]
    if missing or extra:
        raise InputError(
            f"{owner}.{name}: give a value for each of {', '.join(wanted)}; "
            + (f"missing {missing}" if missing else f"unknown {extra}")
        )
    out = {c: table[c] for c in wanted}
    for c, value in out.items():
        _positive(owner, f"{name}[{c!r}]", value)
    return out


@dataclass(frozen=True)
class StraightLineParams:
    """The straight-line estimate used where no road network reaches (:mod:`.straight_line`).

    A trip from cell ``i`` to destination ``j`` takes ``t0 + circuity * d_ij / v``: the
    straight-line distance times a circuity factor at the mode's speed (car: by the settlement
    class of the cell, plus a fixed terminal time ``t0``; walk and bike: :class:`RoadParams`'
    ``walk_speed_kph`` and ``bike_speed_kph``, no terminal time). Calibrated on Tampere's OSM
    roads against network times (``benchmarks/bench_straight_line.py`` prints the factors and
    the error); results that use it are marked approximate.

    Attributes
    ----------
    car_circuity
        Road distance over straight-line distance by car: 1.33 (Tampere: median over 1,748
        cell-to-site and cell-to-cell pairs of the shortest road distance over the straight
        line, 10th-90th percentile 1.14-1.87; the usual 1.2-1.4 of road networks).
    walk_circuity
        The same on the walking network, also used for bike: 1.23 (Tampere, median of 1,920
        pairs, 1.11-1.59).
    car_terminal_min
        Minutes added to every car trip: 3.5 (Tampere: the least-squares fit of
        ``t0 + 1.33 d / v`` to network times; it stands for the slow ends of a trip - yard,
        streets, access legs - that make short trips slower per km than long ones).
    car_speed_kph
        Car speed along the road by settlement class of the trip's cell: city 70, town 70 km/h
        (Tampere with ``car_terminal_min``: 72 km/h for both classes, 69 km/h fitted jointly;
        free-flow speeds as the network uses), village 70 km/h (ASSUMPTION: one village cell
        on Tampere's roads, too few to calibrate), rural 75 km/h (ASSUMPTION: not calibrated -
        Tampere has one rural cell on its roads - trips outside built-up areas run mostly on
        roads with the 80 km/h general limit, Tieliikennelaki 729/2018 §33), unknown 70 km/h.
    density_per_km2
        Residents per km2 of a cell's polygon from which it counts as city, town or village when
        the population has no ``settlement`` column: city 1,000, town 200, village 20, else rural
        (ASSUMPTION, a documented rule for Paavo postal areas; point cells without a
        ``settlement`` are ``unknown``).
    """

    car_circuity: float = 1.33
    walk_circuity: float = 1.23
    car_terminal_min: float = 3.5
    car_speed_kph: Mapping[str, float] = field(
        default_factory=lambda: {
            "city": 70.0,
            "town": 70.0,
            "village": 70.0,
            "rural": 75.0,
            "unknown": 70.0,
        }
    )
    density_per_km2: Mapping[str, float] = field(
        default_factory=lambda: {"city": 1000.0, "town": 200.0, "village": 20.0}
    )

    def __post_init__(self) -> None:
        for name in ("car_circuity", "walk_circuity"):
            value = getattr(self, name)
            _positive("StraightLineParams", name, value)
            if value < 1:
                raise InputError(
                    f"StraightLineParams.{name} is {value}; a road is never shorter than the "
                    "straight line: give a factor >= 1 (e.g. 1.3)"
                )
        object.__setattr__(
            self,
            "car_speed_kph",
            _settlement_table("StraightLineParams", "car_speed_kph", self.car_speed_kph),
        )
        limits = dict(self.density_per_km2)
        if set(limits) != {"city", "town", "village"}:
            raise InputError(
                f"StraightLineParams.density_per_km2 has keys {sorted(limits)}; give city, town "
                "and village (residents per km2 from which a cell counts as that class)"
            )
        for c, value in limits.items():
            _positive("StraightLineParams", f"density_per_km2[{c!r}]", value)
        if not limits["city"] >= limits["town"] >= limits["village"]:
            raise InputError(
                f"StraightLineParams.density_per_km2 {limits}: expected city >= town >= village"
            )
        object.__setattr__(
            self, "density_per_km2", {c: float(limits[c]) for c in ("city", "town", "village")}
        )
        if not (
            isinstance(self.car_terminal_min, int | float)
            and math.isfinite(self.car_terminal_min)
            and self.car_terminal_min >= 0
        ):
            raise InputError(
                f"StraightLineParams.car_terminal_min is {self.car_terminal_min!r}; expected "
                "minutes >= 0"
            )

    def circuity(self, mode: str) -> float:
        """The circuity factor of a road mode (bike uses the walking one)."""
        return self.car_circuity if mode == "car" else self.walk_circuity

    def terminal_min(self, mode: str) -> float:
        """Minutes added to every trip of a road mode (car only)."""
        return self.car_terminal_min if mode == "car" else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Every field, for the cache key and ``TravelTimes.parameters``."""
        return {
            "car_circuity": self.car_circuity,
            "walk_circuity": self.walk_circuity,
            "car_terminal_min": self.car_terminal_min,
            "car_speed_kph": dict(self.car_speed_kph),
            "density_per_km2": dict(self.density_per_km2),
        }


@dataclass(frozen=True)
class RoadParams:
    """How a road network is built for a mode and how points join it.

    Attributes
    ----------
    walk_speed_kph
        Walking speed on every walkable edge and on the walk's access leg;
        :data:`.rules.WALK_SPEED_KPH` (its docstring gives the choice and the sources; the
        report can quote :data:`.rules.WALK_SPEED_SOURCE`).
    walk_speed_75_plus_kph
        Optional slower walking speed of residents aged 75 and over: None (everybody walks at
        ``walk_speed_kph``) by default; :data:`.rules.WALK_SPEED_75_PLUS_KPH` = 3.0 km/h is the
        suggested value. :meth:`for_band` gives the parameters to route a band's walking matrix.
    bike_speed_kph
        Cycling speed; 15 km/h (:data:`.rules.BIKE_SPEED_KPH`, an everyday utility cyclist).
    ferry_speed_kph
        Speed on a ferry line; 10 km/h (Finnish road ferries).
    ferry_wait_min
        Wait at a ferry where the data give none; 10 min (half of a 20-minute headway).
    speed_overrides_kph
        Car speed per road class, replacing the defaults of :data:`.rules.DEFAULT_CAR_SPEED_KPH`.
    node_tolerance_m
        Vertices of a ``roads`` layer closer than this are one node (0.01 m; grid rounding). Not
        used with an OSM file, whose nodes have ids.
    max_segment_m
        Longer segments get intermediate nodes so that points link near where they are
        (100 m, :data:`.rules.DEFAULT_MAX_SEGMENT_M`); None keeps the vertices.
    max_snap_distance_m
        Farthest straight-line leg from a point to the network (1,000 m); farther points are
        unreachable and listed.
    access_speed_kph
        Speed of that leg; None = the mode's own (walk and bike at ``walk_speed_kph`` and
        ``bike_speed_kph``, car 20 km/h, :mod:`.linking`).
    min_separate_network_m
        Length of ordinary road (surface, public, not a service way) from which a component
        that is not the largest can be a separate network (an island) rather than a fragment
        (1,000 m, :mod:`.linking`).
    min_island_gap_m
        A component with no ferry or water between it and the main network is an island only
        when its nearest node lies at least this far from the main network (200 m,
        :mod:`.linking`); nearer, the gap is taken as a missing link in the data.
    straight_line
        The straight-line estimate used where the region has no road network or a point lies
        outside it (:class:`StraightLineParams`); None turns it off (such points are then
        unreachable, as before).
    """

    walk_speed_kph: float = rules.WALK_SPEED_KPH
    bike_speed_kph: float = rules.BIKE_SPEED_KPH
    ferry_speed_kph: float = rules.FERRY_SPEED_KPH
    ferry_wait_min: float = rules.FERRY_WAIT_MIN
    speed_overrides_kph: Mapping[str, float] | None = None
    node_tolerance_m: float = 0.01
    max_segment_m: float | None = rules.DEFAULT_MAX_SEGMENT_M
    max_snap_distance_m: float = 1000.0
    access_speed_kph: float | None = None
    min_separate_network_m: float = 1000.0
    min_island_gap_m: float = 200.0
    walk_speed_75_plus_kph: float | None = None
    straight_line: StraightLineParams | None = field(default_factory=StraightLineParams)

    def __post_init__(self) -> None:
        for name in ("walk_speed_kph", "bike_speed_kph", "ferry_speed_kph", "node_tolerance_m"):
            _positive("RoadParams", name, getattr(self, name))
        for name in (
            "max_segment_m",
            "access_speed_kph",
            "max_snap_distance_m",
            "walk_speed_75_plus_kph",
        ):
            _positive("RoadParams", name, getattr(self, name))
        _positive(
            "RoadParams", "min_separate_network_m", self.min_separate_network_m, allow_inf=True
        )
        if not (isinstance(self.min_island_gap_m, int | float) and self.min_island_gap_m >= 0):
            raise InputError(
                f"RoadParams.min_island_gap_m is {self.min_island_gap_m!r}; expected metres >= 0"
            )
        if self.straight_line is not None and not isinstance(
            self.straight_line, StraightLineParams
        ):
            raise InputError(
                f"RoadParams.straight_line is a {type(self.straight_line).__name__}; give "
                "StraightLineParams(...) or None"
            )
        if not (math.isfinite(self.ferry_wait_min) and self.ferry_wait_min >= 0):
            raise InputError(
                f"RoadParams.ferry_wait_min is {self.ferry_wait_min!r}; expected minutes >= 0"
            )
        for road_class, speed in (self.speed_overrides_kph or {}).items():
            _positive("RoadParams", f"speed_overrides_kph[{road_class!r}]", speed)

    def network_options(self, *, osm: bool) -> dict[str, Any]:
        """Keyword options of ``RoadNetwork.from_osm`` (``osm``) or ``from_roads``."""
        out: dict[str, Any] = {
            "walk_speed_kph": self.walk_speed_kph,
            "bike_speed_kph": self.bike_speed_kph,
            "ferry_speed_kph": self.ferry_speed_kph,
            "ferry_wait_min": self.ferry_wait_min,
            "speed_overrides_kph": None
            if self.speed_overrides_kph is None
            else dict(self.speed_overrides_kph),
            "max_segment_m": self.max_segment_m,
        }
        if not osm:
            out["node_tolerance_m"] = self.node_tolerance_m
        return out

    def snap_options(self, mode: str | None = None) -> dict[str, Any]:
        """Keyword options of :func:`.linking.snap` for ``mode``.

        Walkers and cyclists reach the network at their own speed (``walk_speed_kph``,
        ``bike_speed_kph``) unless ``access_speed_kph`` is set.
        """
        access = self.access_speed_kph
        if access is None and mode == "walk":
            access = self.walk_speed_kph
        elif access is None and mode == "bike":
            access = self.bike_speed_kph
        return {
            "max_distance_m": self.max_snap_distance_m,
            "access_speed_kph": access,
            "min_separate_network_m": self.min_separate_network_m,
            "min_island_gap_m": self.min_island_gap_m,
        }

    def for_band(self, band: str) -> RoadParams:
        """These parameters for residents of age ``band`` (one of ``schema.AGE_BANDS``): the
        bands 75-84 and 85+ walk at ``walk_speed_75_plus_kph`` when it is set; every other band,
        and every band when it is None, gets these parameters unchanged.

        Route a band's walking matrix with ``travel_times(region, "walk",
        params=params.for_band("75_84"))``.
        """
        from ..region.schema import AGE_BANDS

        if band not in AGE_BANDS:
            raise InputError(
                f"RoadParams.for_band: band {band!r} unknown; expected one of "
                f"{', '.join(AGE_BANDS)}"
            )
        if self.walk_speed_75_plus_kph is None or band not in ("75_84", "85_plus"):
            return self
        return dataclasses.replace(
            self, walk_speed_kph=self.walk_speed_75_plus_kph, walk_speed_75_plus_kph=None
        )

    def as_dict(self) -> dict[str, Any]:
        """Every field, for the cache key and ``TravelTimes.parameters``."""
        out = dataclasses.asdict(self)
        if self.speed_overrides_kph is not None:
            out["speed_overrides_kph"] = dict(sorted(self.speed_overrides_kph.items()))
        out["straight_line"] = None if self.straight_line is None else self.straight_line.as_dict()
        return out


def _clock_s(owner: str, value: str) -> int:
    parts = str(value).split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) == 2:
        numbers.append(0)
    if len(numbers) != 3 or not (0 <= numbers[1] < 60 and 0 <= numbers[2] < 60):
        raise InputError(f"{owner}: time {value!r} is not HH:MM; write e.g. 07:00")
    h, m, s = numbers
    return h * 3600 + m * 60 + s


@dataclass(frozen=True)
class TransitParams:
    """How public-transport travel times are computed (:mod:`.transit`).

    Like r5py's ``TravelTimeMatrix``, every departure minute of ``window`` is a trip; the matrix
    holds the median over them and ``percentiles`` the chosen others.

    Attributes
    ----------
    date
        Service day (ISO date or ``datetime.date``); None = the Tuesday with the most trips in the
        feeds (a normal weekday, :func:`.transit.default_date`).
    window
        First and last departure minute, ``("07:00", "09:00")`` (morning trips to care).
    percentiles
        Percentiles besides the median: (10, 25, 75, 90).
    max_minutes_horizon
        Trips longer than this count as not possible unless walking is shorter (180 min).
    max_minutes
        Cutoff in minutes, e.g. 120 as for national runs: a percentile above it is ``inf``
        (not reported), so each destination's search stops there and touches only the cells
        that reach it within the cutoff. Times at or under it are the same as without one.
        None (default): no cutoff beyond ``max_minutes_horizon``. Not 120 by default because
        the allocation sends a cell with no finite transit time by taxi (Kela): on the demo
        county 120 would move 3,121 cells' trips of over 2 h by bus to taxi and raise the Kela
        total from 7.79 to 10.00 M EUR.
    max_rounds
        At most this many vehicles in a trip (6).
    access_stops
        Stops a cell may walk to (its 8 nearest).
    max_access_minutes
        Longest walk to or from a stop (20 min).
    max_transfer_minutes
        Longest walk between stops at a transfer (10 min; no extra change time, a documented
        simplification).
    walk
        The walking network and linking (:class:`RoadParams`).
    """

    date: dt.date | str | None = None
    window: tuple[str, str] = ("07:00", "09:00")
    percentiles: tuple[int, ...] = (10, 25, 75, 90)
    max_minutes_horizon: float = 180.0
    max_minutes: float | None = None
    max_rounds: int = 6
    access_stops: int = 8
    max_access_minutes: float = 20.0
    max_transfer_minutes: float = 10.0
    walk: RoadParams = field(default_factory=RoadParams)

    def __post_init__(self) -> None:
        if isinstance(self.date, str):
            try:
                object.__setattr__(self, "date", dt.date.fromisoformat(self.date))
            except ValueError:
                raise InputError(
                    f"TransitParams.date {self.date!r} is not an ISO date; write e.g. 2025-10-07"
                ) from None
        object.__setattr__(self, "window", tuple(self.window))
        object.__setattr__(self, "percentiles", tuple(int(q) for q in self.percentiles))
        if len(self.window) != 2:
            raise InputError(
                f"TransitParams.window {self.window!r}: give (first, last), e.g. ('07:00', '09:00')"
            )
        start, end = (_clock_s("TransitParams.window", w) for w in self.window)
        if end <= start:
            raise InputError(
                f"TransitParams.window {self.window}: ends before it starts; e.g. 07:00-09:00"
            )
        bad = [q for q in self.percentiles if not 0 < q < 100]
        if bad:
            raise InputError(f"TransitParams.percentiles {bad}: give percents between 1 and 99")
        for name in ("max_minutes_horizon", "max_access_minutes", "max_transfer_minutes"):
            _positive("TransitParams", name, getattr(self, name))
        _positive("TransitParams", "max_minutes", self.max_minutes)
        for name in ("max_rounds", "access_stops"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"TransitParams.{name} is {value!r}; expected an integer >= 1")

    @property
    def window_s(self) -> tuple[int, int]:
        """The window in seconds after midnight."""
        first, last = self.window
        return _clock_s("TransitParams.window", first), _clock_s("TransitParams.window", last)

    def as_dict(self) -> dict[str, Any]:
        """Every field, for the cache key and ``TravelTimes.parameters``."""
        out = dataclasses.asdict(self)
        out["date"] = None if self.date is None else str(self.date)
        out["window"] = list(self.window)
        out["percentiles"] = list(self.percentiles)
        out["walk"] = self.walk.as_dict()
        return out
