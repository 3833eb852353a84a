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

__all__ = ["RoadParams", "TransitParams"]


def _positive(owner: str, name: str, value: float | None, *, allow_inf: bool = False) -> None:
    if value is None:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if ok and not allow_inf:
        ok = math.isfinite(value)
    if not ok:
        raise InputError(f"{owner}.{name} is {value!r}; expected a finite number above 0")


@dataclass(frozen=True)
class RoadParams:
    """How a road network is built for a mode and how points join it.

    Attributes
    ----------
    walk_speed_kph
        Walking speed on every walkable edge; 4.8 km/h (:data:`.rules.WALK_SPEED_KPH`, a usual
        planning figure; R5 uses 3.6 km/h, Helsinki's travel-time matrix about 4.2 km/h).
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
        Speed of that leg; None = the mode's own (walk 4.8, bike 15, car 20 km/h, :mod:`.linking`).
    min_separate_network_m
        Road length from which a component that is not the largest counts as a separate
        network (an island) rather than a fragment (1,000 m, :mod:`.linking`).
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

    def __post_init__(self) -> None:
        for name in ("walk_speed_kph", "bike_speed_kph", "ferry_speed_kph", "node_tolerance_m"):
            _positive("RoadParams", name, getattr(self, name))
        for name in ("max_segment_m", "access_speed_kph", "max_snap_distance_m"):
            _positive("RoadParams", name, getattr(self, name))
        _positive(
            "RoadParams", "min_separate_network_m", self.min_separate_network_m, allow_inf=True
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

    def snap_options(self) -> dict[str, Any]:
        """Keyword options of :func:`.linking.snap`."""
        return {
            "max_distance_m": self.max_snap_distance_m,
            "access_speed_kph": self.access_speed_kph,
            "min_separate_network_m": self.min_separate_network_m,
        }

    def as_dict(self) -> dict[str, Any]:
        """Every field, for the cache key and ``TravelTimes.parameters``."""
        out = dataclasses.asdict(self)
        if self.speed_overrides_kph is not None:
            out["speed_overrides_kph"] = dict(sorted(self.speed_overrides_kph.items()))
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
