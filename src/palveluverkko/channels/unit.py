"""A mobile unit (dental bus, vaccination bus, health bus) and its TOML file.

Example ``unit.toml`` (every key but ``name`` and ``services`` has a default)::

    [unit]
    name = "Terveysbussi"
    kind = "health_bus"            # free label: dental_bus, vaccination_bus, health_bus ...
    shape = "day_tour"             # "day_tour" (stops of a few hours) or "rotation"
    services = ["vastaanotto"]
    depot_site = "S002"            # or depot_x / depot_y in the region's CRS
    day_start = "08:00"
    day_end = "16:00"
    weekdays = [0, 1, 2, 3, 4]     # 0 = Monday
    cycle_weeks = 2                # 1-4: the timetable repeats after this many weeks
    minutes_per_contact = 20.0
    setup_minutes_per_stop = 20.0
    stop_hours = 2.5               # day tour: length of one stop visit
    rotation_weeks = 52            # rotation: weeks over which the unit tours the stops
    cost_eur_per_day = 1200.0
    cost_eur_per_km = 1.2
    staff = 3.0                    # staff on board (FTE while operating)

    [stops]
    candidates = "population_centres"   # or "closed_sites" or "given"
    n_candidates = 60
    closed_sites = ["S040"]             # with candidates = "closed_sites"
    max_stops = 12
    threshold_min = 30.0                # residents within it of a stop are "served by" it
    uptake_share = 0.3
    beyond_site_min = 0.0               # only cells farther than this from a site count
    per_municipality = true             # a stop in every municipality (default: rotations)
    points = [{name = "Kylätalo", x = 430000.0, y = 6900000.0}]   # with candidates = "given"

Defaults are ASSUMPTIONS (DOMAIN.md: days, stops and costs of mobile units are not published).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["CANDIDATE_KINDS", "SHAPES", "MobileUnit", "StopRules", "read_unit"]

SHAPES = ("day_tour", "rotation")
CANDIDATE_KINDS = ("population_centres", "closed_sites", "given")


@dataclass(frozen=True)
class StopRules:
    """How stops are chosen (``[stops]`` of the unit file).

    Attributes
    ----------
    candidates
        ``"population_centres"`` (generated at the most populated places, at least
        ``min_spacing_km`` apart), ``"closed_sites"`` (at ``closed_sites``) or ``"given"``
        (``points``).
    n_candidates
        Candidate stops generated at population centres (default 60, the issue's benchmark).
    closed_sites
        Site ids whose locations are candidates.
    points
        Given candidates: ``(name, x, y)``.
    max_stops
        Most stops the unit serves (default 12: one to two stops per operating day of a
        two-week cycle; ASSUMPTION).
    threshold_min
        Drive time within which a resident counts as served by a stop (default 30 min, the
        usual policy threshold).
    uptake_share
        Share of the physical (and mobile-channel) contacts of the unit's services by residents
        within the threshold that would use the stop (default 0.3; ASSUMPTION, no source).
    beyond_site_min
        Only residents farther than this from the nearest site offering the service count
        (0 = everyone; e.g. 15 to aim the unit at those far from a site).
    min_spacing_km
        Minimum spacing of generated candidates (default 3 km).
    per_municipality
        At least one stop in every municipality that has a candidate (default: yes for
        rotations, which move between municipalities (DOMAIN.md), no for day tours).
    """

    candidates: str = "population_centres"
    n_candidates: int = 60
    closed_sites: tuple[str, ...] = ()
    points: tuple[tuple[str, float, float], ...] = ()
    max_stops: int = 12
    threshold_min: float = 30.0
    uptake_share: float = 0.3
    beyond_site_min: float = 0.0
    min_spacing_km: float = 3.0
    per_municipality: bool | None = None

    def __post_init__(self) -> None:
        where = "[stops]"
        _choice(self.candidates, CANDIDATE_KINDS, f"{where} candidates")
        _positive(self.n_candidates, f"{where} n_candidates")
        _positive(self.max_stops, f"{where} max_stops")
        _positive(self.threshold_min, f"{where} threshold_min")
        if not 0 < self.uptake_share <= 1:
            raise InputError(f"{where} uptake_share must lie in (0, 1]; found {self.uptake_share}")
        if self.beyond_site_min < 0 or self.min_spacing_km < 0:
            raise InputError(f"{where} beyond_site_min and min_spacing_km must be >= 0")
        if self.candidates == "closed_sites" and not self.closed_sites:
            raise InputError(f'{where} candidates = "closed_sites" needs closed_sites = [ids]')
        if self.candidates == "given" and not self.points:
            raise InputError(f'{where} candidates = "given" needs points = [{{name, x, y}}]')


@dataclass(frozen=True)
class MobileUnit:
    """A mobile unit; see the module docstring for the file and each field's default.

    Attributes
    ----------
    name, kind
        Label and kind (``dental_bus``, ``vaccination_bus``, ``health_bus`` ...).
    shape
        ``"day_tour"`` or ``"rotation"`` (DOMAIN.md: both occur in Finland).
    services
        Service codes the unit offers.
    depot_site, depot_xy
        Where the unit starts and ends each day (a site id, or coordinates).
    day_start_min, day_end_min
        Operating hours per day, minutes after midnight (default 08:00-16:00; ASSUMPTION).
    weekdays
        Operating weekdays, 0 = Monday (default Monday-Friday).
    cycle_weeks
        Weeks after which a day-tour timetable repeats (1-4; default 2).
    minutes_per_contact
        Staff minutes per contact (default 20; ASSUMPTION).
    setup_minutes_per_stop
        Setting up and packing at each stop visit (default 20; ASSUMPTION).
    stop_hours
        Day tour: hours a stop visit is open (default 2.5, so that two stops fit an 8-hour day;
        vaccination buses kept stops of a few hours, DOMAIN.md).
    rotation_weeks
        Rotation: weeks over which the unit tours its stops once (default 52).
    operating_weeks_per_year
        Weeks a year the unit runs (default 46: holidays and maintenance; ASSUMPTION).
    cost_eur_per_day, cost_eur_per_km
        Cost of an operating day (staff, vehicle) and per km driven (defaults 1,200 and 1.2;
        ASSUMPTIONS: not published, DOMAIN.md).
    staff
        Staff on board (FTE while operating; default 3).
    stops
        The stop rules.
    """

    name: str
    services: tuple[str, ...]
    kind: str = "health_bus"
    shape: str = "day_tour"
    depot_site: str | None = None
    depot_xy: tuple[float, float] | None = None
    day_start_min: int = 8 * 60
    day_end_min: int = 16 * 60
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    cycle_weeks: int = 2
    minutes_per_contact: float = 20.0
    setup_minutes_per_stop: float = 20.0
    stop_hours: float = 2.5
    rotation_weeks: int = 52
    operating_weeks_per_year: float = 46.0
    cost_eur_per_day: float = 1200.0
    cost_eur_per_km: float = 1.2
    staff: float = 3.0
    stops: StopRules = field(default_factory=StopRules)

    def __post_init__(self) -> None:
        w = "[unit]"
        if not self.name:
            raise InputError(f"{w} name is empty; give the unit a name")
        if not self.services:
            raise InputError(f'{w} services is empty; list service codes, e.g. ["hammashoito"]')
        _choice(self.shape, SHAPES, f"{w} shape")
        if (self.depot_site is None) == (self.depot_xy is None):
            raise InputError(f"{w} give exactly one of depot_site or depot_x/depot_y")
        if not 0 <= self.day_start_min < self.day_end_min <= 24 * 60:
            raise InputError(
                f"{w} day_start/day_end: need 00:00 <= start < end <= 24:00; found "
                f"{_hhmm(self.day_start_min)}-{_hhmm(self.day_end_min)}"
            )
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise InputError(f"{w} weekdays must be a non-empty list of 0-6; found {self.weekdays}")
        if len(set(self.weekdays)) != len(self.weekdays):
            raise InputError(f"{w} weekdays has repeats: {self.weekdays}")
        if not 1 <= self.cycle_weeks <= 4:
            raise InputError(f"{w} cycle_weeks must be 1-4; found {self.cycle_weeks}")
        for name in ("minutes_per_contact", "stop_hours", "operating_weeks_per_year"):
            _positive(getattr(self, name), f"{w} {name}")
        for name in ("setup_minutes_per_stop", "cost_eur_per_day", "cost_eur_per_km", "staff"):
            if not getattr(self, name) >= 0:
                raise InputError(f"{w} {name} must be >= 0; found {getattr(self, name)}")
        _positive(self.rotation_weeks, f"{w} rotation_weeks")
        visit = self.setup_minutes_per_stop + 60 * self.stop_hours
        if self.shape == "day_tour" and visit > self.day_minutes:
            raise InputError(
                f"{w} stop_hours {self.stop_hours} + setup {self.setup_minutes_per_stop} min "
                f"= {visit:.0f} min exceed the day of {self.day_minutes} min; shorten the stop"
            )

    @property
    def day_minutes(self) -> int:
        """Operating minutes per day."""
        return self.day_end_min - self.day_start_min

    @property
    def days_per_cycle(self) -> int:
        """Operating days in one cycle."""
        return len(self.weekdays) * self.cycle_weeks

    @property
    def cycles_per_year(self) -> float:
        """Day-tour cycles in a year of operating weeks."""
        return self.operating_weeks_per_year / self.cycle_weeks

    @property
    def visit_minutes(self) -> float:
        """A stop visit on a day tour: setup plus open hours."""
        return self.setup_minutes_per_stop + 60.0 * self.stop_hours

    @property
    def contacts_per_visit(self) -> float:
        """Contacts one day-tour stop visit can take."""
        return 60.0 * self.stop_hours / self.minutes_per_contact


def _choice(value: str, choices: tuple[str, ...], where: str) -> None:
    if value not in choices:
        raise InputError(f"{where} must be one of {', '.join(choices)}; found {value!r}")


def _positive(value: float, where: str) -> None:
    if not (isinstance(value, int | float) and value > 0 and math.isfinite(value)):
        raise InputError(f"{where} must be a positive number; found {value!r}")


def _hhmm(minutes: float) -> str:
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


def _minutes(value: Any, where: str) -> int:
    if isinstance(value, str) and len(value.split(":")) == 2:
        h, m = value.split(":")
        if h.isdigit() and m.isdigit() and int(m) < 60:
            return int(h) * 60 + int(m)
    raise InputError(f'{where} must be a time "HH:MM"; found {value!r}')


_UNIT_KEYS = {f.name for f in fields(MobileUnit)} - {"stops", "depot_xy", "day_start_min"}
_UNIT_KEYS = (_UNIT_KEYS - {"day_end_min"}) | {"depot_x", "depot_y", "day_start", "day_end"}
_STOP_KEYS = {f.name for f in fields(StopRules)}


def unit_from_dict(doc: dict[str, Any], *, source: str = "unit.toml") -> MobileUnit:
    """A :class:`MobileUnit` from the parsed TOML ``doc`` (errors name the key)."""
    if "unit" not in doc or not isinstance(doc["unit"], dict):
        raise InputError(f"{source}: the [unit] table is missing; start the file with [unit]")
    u = dict(doc["unit"])
    unknown = sorted(set(u) - _UNIT_KEYS)
    if unknown:
        raise InputError(
            f"{source}: [unit] has unknown key(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(_UNIT_KEYS))}"
        )
    s = dict(doc.get("stops", {}))
    unknown = sorted(set(s) - _STOP_KEYS)
    if unknown:
        raise InputError(
            f"{source}: [stops] has unknown key(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(_STOP_KEYS))}"
        )
    if "name" not in u or "services" not in u:
        raise InputError(f"{source}: [unit] needs name and services")
    points = []
    for k, p in enumerate(s.pop("points", [])):
        try:
            points.append((str(p.get("name", f"stop {k + 1}")), float(p["x"]), float(p["y"])))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(
                f"{source}: [stops] points[{k}] needs numbers x and y; found {p!r}"
            ) from exc
    try:
        stop_args: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in s.items()
        }
        stops = StopRules(
            **stop_args,
            points=tuple(points),
        )
        depot_xy = None
        if "depot_x" in u or "depot_y" in u:
            depot_xy = (float(u.pop("depot_x")), float(u.pop("depot_y")))
        start = _minutes(u.pop("day_start", "08:00"), f"{source}: [unit] day_start")
        end = _minutes(u.pop("day_end", "16:00"), f"{source}: [unit] day_end")
        for key in ("services", "weekdays"):
            if key in u:
                if not isinstance(u[key], list):
                    raise InputError(f"{source}: [unit] {key} must be a list; found {u[key]!r}")
                u[key] = tuple(u[key])
        return MobileUnit(**u, depot_xy=depot_xy, day_start_min=start, day_end_min=end, stops=stops)
    except KeyError as exc:
        raise InputError(f"{source}: [unit] needs both depot_x and depot_y ({exc})") from exc
    except TypeError as exc:
        raise InputError(f"{source}: a value has the wrong type: {exc}") from exc
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from exc


def read_unit(path: str | Path) -> MobileUnit:
    """Read and validate a unit file (see the module docstring).

    Raises
    ------
    InputError
        The file is not TOML, or a key is unknown, missing or invalid (the message names it).
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc
    return unit_from_dict(doc, source=str(path))
