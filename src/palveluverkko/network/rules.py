"""Travel rules of the road network: speeds per road class, ``maxspeed`` parsing, mode access.

Defined once here so that the OSM reader (:mod:`.osm`) and the ``roads`` layer reader
(:mod:`.graph`) give the same answer for the same road.

Speeds
------
Car edges use the road's own speed: ``speed_kph`` of the ``roads`` layer, or the parsed OSM
``maxspeed`` tag. Where neither is known, :data:`DEFAULT_CAR_SPEED_KPH` gives a default per
highway class. The defaults follow Finnish general limits (Tieliikennelaki 729/2018 §33: 80 km/h
outside and 50 km/h inside built-up areas unless signed otherwise; motorways are signed 120 km/h
in summer and 100 km/h in winter) and typical signed limits of each class; they are free-flow
speeds with no congestion or junction delay (a documented, deliberate choice: a county's matrices
compare places with each other, and a uniform factor would not change any ranking).

Walking is 4.2 km/h on every usable edge (:data:`WALK_SPEED_KPH`, see "Walking speed") and
cycling 15 km/h (:data:`BIKE_SPEED_KPH`, an everyday utility cyclist). Oneway streets bind cars
and bicycles, not walkers.

Walking speed
-------------
The default is 4.2 km/h (70 m/min), the walking speed of the Helsinki Region Travel Time Matrix
(Tenkanen & Toivonen 2020, Digital Geography Lab, University of Helsinki): a Finnish reference
built for exactly this use (door-to-door accessibility in Finnish cities). It lies between
R5/r5py's default 3.6 km/h and the 4.8 km/h (80 m/min) of free walking that palveluverkko used
until 2026-12; our walking network has no waits at crossings or lights, which a speed below free
walking absorbs, and the residents who walk to care are older than average. Residents aged 75
and over can be given a slower speed, :data:`WALK_SPEED_75_PLUS_KPH` = 3.0 km/h (older people
walk at about 3 km/h; an option, :attr:`.params.RoadParams.walk_speed_75_plus_kph`, off by
default). :data:`WALK_SPEED_SOURCE` states the default in fi, sv and en for reports.

What the change from 4.8 to 4.2 km/h moved in the demo county (seed 0, today's network,
``vastaanotto``): by public transport 57.4 % of residents within 30 min (61.2 % at 4.8), 33.1 %
within 20 min (40.2 %), 35,025 residents with no stop within the 20-minute walk (28,988); the
mode-mix trip 12.1 min on average (11.8). Car figures do not change.

Ferries
-------
A ferry crossing takes ``length_m / FERRY_SPEED_KPH`` (10 km/h: Finnish road ferries, *lossit*,
cross at 5-6 knots) or, in OSM, the ``duration`` tag when given, plus a waiting time
(``ferry_wait_min``, default :data:`FERRY_WAIT_MIN` = 10 min, i.e. half of a 20-minute headway).
The waiting time is added once per crossing: a ferry line becomes a single edge between its end
points.

Access
------
* car: motorway .. road, living_street, service; not track, paths or footways; not ``access=no``
  or ``private`` unless a motor-vehicle tag allows it; not ``motor_vehicle``/``motorcar``/
  ``vehicle`` = no.
* walk: every class except motorway, motorway_link and roads tagged ``motorroad=yes``
  (moottoriliikennetie); not ``foot=no``; not ``access=no``/``private`` unless ``foot`` allows it.
* bike: like walk, but not ``footway``, ``pedestrian``, ``steps`` or ``bridleway`` unless
  ``bicycle`` allows it, and not ``bicycle=no``.
* ferries carry every mode unless the mode's own tag (``motor_vehicle``, ``foot``, ``bicycle``)
  says ``no``.

Snapping never lands on motorways, motorway links or ferries (:data:`NO_SNAP_CLASSES`): nobody
enters a motorway from the roadside. Nor on underground roads (:data:`FLAG_UNDERGROUND`:
``tunnel`` other than ``no`` or ``building_passage``, or ``layer`` below 0): nobody enters a
tunnel from the building above it.

Edge flags
----------
OSM ways carry bits that the linking rule reads (:mod:`.linking`): :data:`FLAG_UNDERGROUND`
and :data:`FLAG_RESTRICTED` (a usable way whose ``access`` or mode tag is one of
:data:`RESTRICTED_VALUES`, e.g. ``access=destination`` or ``private`` with ``foot=yes``). A
component made only of such ways, or of ``service`` ways, is never an island; nor is one with a
:data:`FLAG_CLIPPED` edge (a way cut by the edge of the extract continues outside it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np

from ..errors import InputError
from ..region.schema import ROAD_CLASSES

ROAD_MODES: tuple[str, ...] = ("car", "walk", "bike")

WALK_SPEED_KPH = 4.2
WALK_SPEED_75_PLUS_KPH = 3.0
WALK_SPEED_SOURCE: dict[str, str] = {
    "fi": "Kävelynopeus 4,2 km/h (70 m/min, pääkaupunkiseudun saavutettavuusmatriisin arvo; "
    "R5 käyttää 3,6 km/h)",
    "sv": "Gånghastighet 4,2 km/h (70 m/min, som i huvudstadsregionens restidsmatris; "
    "R5 använder 3,6 km/h)",
    "en": "Walking speed 4.2 km/h (70 m/min, as in the Helsinki Region Travel Time Matrix; "
    "R5 uses 3.6 km/h)",
}
"""The default walking speed and its source, in each language (for reports)."""
BIKE_SPEED_KPH = 15.0
FERRY_SPEED_KPH = 10.0
FERRY_WAIT_MIN = 10.0
# Longer road segments are cut into pieces, so that points link within half of it (build.py).
DEFAULT_MAX_SEGMENT_M = 100.0

# Free-flow default car speed per highway class when the road carries no speed, km/h.
DEFAULT_CAR_SPEED_KPH: dict[str, float] = {
    "motorway": 100.0,  # signed 120 summer / 100 winter; the lower bound all year
    "motorway_link": 60.0,
    "trunk": 80.0,  # general limit outside built-up areas
    "trunk_link": 50.0,
    "primary": 80.0,
    "primary_link": 50.0,
    "secondary": 60.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,  # general limit inside built-up areas
    "tertiary_link": 40.0,
    "unclassified": 40.0,
    "residential": 40.0,  # residential areas are commonly signed 40 or 30
    "living_street": 20.0,  # pihakatu: 20 km/h by law
    "service": 20.0,
    "track": 20.0,
    "road": 40.0,
    "pedestrian": 10.0,
    "footway": 10.0,
    "cycleway": 10.0,
    "path": 10.0,
    "steps": 5.0,
    "bridleway": 10.0,
    "ferry": FERRY_SPEED_KPH,
}

CAR_CLASSES = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
        "ferry",
    }
)
WALK_CLASSES = frozenset(ROAD_CLASSES) - {"motorway", "motorway_link"}
BIKE_CLASSES = WALK_CLASSES - {"footway", "pedestrian", "steps", "bridleway"}
MODE_CLASSES: dict[str, frozenset[str]] = {
    "car": CAR_CLASSES,
    "walk": WALK_CLASSES,
    "bike": BIKE_CLASSES,
}
NO_SNAP_CLASSES = frozenset({"motorway", "motorway_link", "ferry"})
# Bits of RoadNetwork.flags (per edge).
FLAG_UNDERGROUND = 1
FLAG_RESTRICTED = 2
FLAG_CLIPPED = 4  # the way was cut here by the edge of the extract (a node without location)
# Access values that keep a way out of the public network for linking (not for routing).
RESTRICTED_VALUES = frozenset(
    {
        "destination",
        "private",
        "customers",
        "delivery",
        "permit",
        "agricultural",
        "forestry",
        "emergency",
        "no",
    }
)
# Modes bound by oneway restrictions.
ONEWAY_MODES = frozenset({"car", "bike"})

# Values of OSM access-like tags.
ALLOW_VALUES = frozenset(
    {"yes", "designated", "permissive", "destination", "customers", "official"}
)
DENY_VALUES = frozenset(
    {"no", "private", "agricultural", "forestry", "delivery", "emergency", "use_sidepath"}
)

# Zone values of ``maxspeed`` used in Finland (km/h).
MAXSPEED_ZONES: dict[str, float] = {
    "fi:urban": 50.0,
    "fi:rural": 80.0,
    "fi:motorway": 120.0,
    "fi:trunk": 100.0,
    "fi:living_street": 20.0,
    "fi:pedestrian_zone": 6.0,
    "walk": 6.0,
    "living_street": 20.0,
}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")
MPH_TO_KPH = 1.609344


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is a road mode; raise :class:`InputError` naming the choices."""
    if mode not in ROAD_MODES:
        raise InputError(
            f"mode {mode!r} is not a road mode; expected one of {', '.join(ROAD_MODES)} "
            "(transit is routed by travel_times(region, mode='transit'))"
        )
    return mode


def parse_maxspeed(value: object) -> float:
    """Parse an OSM ``maxspeed`` value into km/h; ``nan`` when it gives no usable number.

    Understood: plain numbers (``"50"``), units (``"30 mph"``, ``"50 km/h"``), Finnish zones
    (``"FI:urban"`` = 50, ``"FI:rural"`` = 80, ``"FI:motorway"`` = 120,
    ``"FI:living_street"`` = 20),
    ``"walk"`` = 6, and several values separated by ``;`` or ``|`` (lanes, times of day), of which
    the lowest is taken. ``"none"``, ``"signals"``, ``"variable"`` and anything else give ``nan``
    so that the class default applies.

    Examples
    --------
    >>> parse_maxspeed("50;80")
    50.0
    >>> round(parse_maxspeed("30 mph"), 2)
    48.28
    >>> parse_maxspeed("FI:rural")
    80.0
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, int | float):
        return float(value) if value > 0 else math.nan
    speeds = []
    for part in re.split(r"[;|]", str(value)):
        text = part.strip().lower()
        if text in MAXSPEED_ZONES:
            speeds.append(MAXSPEED_ZONES[text])
            continue
        match = _NUMBER.match(text)
        if match:
            speed = float(match.group(1))
            if match.group(2) == "mph":
                speed *= MPH_TO_KPH
            if speed > 0:
                speeds.append(speed)
    return min(speeds) if speeds else math.nan


def parse_maxspeeds(values: Iterable[object]) -> np.ndarray:
    """Vectorised :func:`parse_maxspeed`: each distinct value is parsed once."""
    values = list(values)
    cache: dict[object, float] = {}
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        key = v if isinstance(v, str) else repr(v)
        if key not in cache:
            cache[key] = parse_maxspeed(v)
        out[i] = cache[key]
    return out


def default_car_speed_kph(road_class: np.ndarray) -> np.ndarray:
    """Default car speed for each road class (``nan`` for classes without one)."""
    table = np.array([DEFAULT_CAR_SPEED_KPH.get(c, math.nan) for c in ROAD_CLASSES])
    codes = class_codes(road_class)
    out = np.full(codes.shape, math.nan)
    known = codes >= 0
    out[known] = table[codes[known]]
    return out


def class_codes(road_class: np.ndarray | Iterable[object]) -> np.ndarray:
    """Index of each value in ``schema.ROAD_CLASSES`` as int8; -1 for unknown values."""
    lookup = {c: i for i, c in enumerate(ROAD_CLASSES)}
    arr = np.asarray(list(road_class) if not isinstance(road_class, np.ndarray) else road_class)
    uniques, inverse = np.unique(arr.astype(str), return_inverse=True)
    codes = np.array([lookup.get(u, -1) for u in uniques], dtype=np.int8)
    return codes[inverse].reshape(arr.shape) if len(arr) else np.empty(0, dtype=np.int8)


def class_mask(codes: np.ndarray, classes: Iterable[str]) -> np.ndarray:
    """Boolean mask of ``codes`` (from :func:`class_codes`) that belong to ``classes``."""
    wanted = np.array([c in set(classes) for c in ROAD_CLASSES] + [False])
    return wanted[np.where(codes < 0, len(ROAD_CLASSES), codes)]


def mode_speed_kph(
    mode: str,
    road_speed_kph: np.ndarray,
    road_class_codes: np.ndarray,
    *,
    walk_speed_kph: float = WALK_SPEED_KPH,
    bike_speed_kph: float = BIKE_SPEED_KPH,
    ferry_speed_kph: float = FERRY_SPEED_KPH,
    speed_overrides_kph: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Travel speed of ``mode`` on each road, km/h.

    Car: the road's own speed where it is > 0, else the class default (``speed_overrides_kph``
    replaces defaults per class). Walk and bike: the mode's speed, but never faster than a ferry
    on ferries. Ferries without a speed cross at ``ferry_speed_kph``.
    """
    is_ferry = road_class_codes == ROAD_CLASSES.index("ferry")
    if mode == "car":
        table = dict(DEFAULT_CAR_SPEED_KPH)
        table["ferry"] = ferry_speed_kph
        if speed_overrides_kph:
            unknown = set(speed_overrides_kph) - set(ROAD_CLASSES)
            if unknown:
                raise InputError(
                    f"speed_overrides_kph: unknown road class(es) {sorted(unknown)}; "
                    f"expected some of {', '.join(ROAD_CLASSES)}"
                )
            table.update({k: float(v) for k, v in speed_overrides_kph.items()})
        defaults = np.array([table.get(c, math.nan) for c in ROAD_CLASSES] + [math.nan])
        fallback = defaults[np.where(road_class_codes < 0, len(ROAD_CLASSES), road_class_codes)]
        speed = np.asarray(road_speed_kph, dtype=np.float64)
        return np.where(speed > 0, speed, fallback)
    own = walk_speed_kph if mode == "walk" else bike_speed_kph
    speed = np.full(road_class_codes.shape, own, dtype=np.float64)
    road = np.asarray(road_speed_kph, dtype=np.float64)
    ferry_speed = np.where(road > 0, road, ferry_speed_kph)
    speed[is_ferry] = ferry_speed[is_ferry]
    return speed


def minutes_from(length_m: np.ndarray, speed_kph: np.ndarray) -> np.ndarray:
    """Travel time in minutes of ``length_m`` at ``speed_kph``.

    ``minutes = length_m / (speed_kph * 1000 / 60)``; the divisor is metres per minute.
    """
    return np.asarray(length_m, dtype=np.float64) / (np.asarray(speed_kph) * (1000.0 / 60.0))
