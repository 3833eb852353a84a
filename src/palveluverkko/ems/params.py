"""Parameters of emergency care: response, risk classes, targets, missions, service, shifts, costs.

:class:`EmsParams` is validated on construction; :func:`read_params` reads a county's TOML file
over the package defaults (``ems_defaults.toml``, each value with its source or marked
ASSUMPTION), and its errors name the key. :func:`default_params` gives the defaults.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..region.schema import AGE_BANDS

__all__ = [
    "CLASSES",
    "DAYS",
    "HOURS_PER_WEEK",
    "URGENCIES",
    "EmsParams",
    "Shift",
    "Target",
    "default_params",
    "read_params",
]

CLASSES: tuple[str, ...] = ("core_urban", "other_urban", "rural", "other")
"""Risk-area classes of Decree 585/2017, most urban first."""
URGENCIES: tuple[str, ...] = ("A", "B", "C", "D")
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PER_WEEK = 168
WEEKS_PER_YEAR = 365.0 / 7.0


def _err(key: str, found: object, expected: str) -> InputError:
    return InputError(f"ems parameters: {key} must be {expected}; found {found!r}")


def _check_per(
    mapping: Mapping[str, float], keys: tuple[str, ...], name: str, lo: float, hi: float
) -> None:
    if set(mapping) != set(keys):
        raise InputError(
            f"ems parameters: {name} must give exactly {', '.join(keys)}; "
            f"found {', '.join(sorted(mapping)) or 'nothing'}"
        )
    for k, v in mapping.items():
        if not (isinstance(v, int | float) and math.isfinite(v) and lo <= v <= hi):
            raise _err(f"{name}.{k}", v, f"a number in [{lo}, {hi}]")


@dataclass(frozen=True)
class Target:
    """One line of a service-level decision: ``share[class]`` of missions of ``urgencies``
    reached within ``minutes``."""

    urgencies: tuple[str, ...]
    minutes: float
    share: Mapping[str, float]

    def __post_init__(self) -> None:
        bad = [u for u in self.urgencies if u not in URGENCIES]
        if not self.urgencies or bad:
            raise _err("targets.urgency", list(self.urgencies), f"a list of {URGENCIES}")
        if not (self.minutes > 0 and math.isfinite(self.minutes)):
            raise _err("targets.minutes", self.minutes, "a positive number of minutes")
        _check_per(self.share, CLASSES, "targets.share", 0.0, 1.0)

    @property
    def label(self) -> str:
        """``"A/B 8 min"``."""
        return f"{'/'.join(self.urgencies)} {self.minutes:g} min"


@dataclass(frozen=True)
class Shift:
    """A unit shift: on duty in hours ``[start_hour, end_hour)`` of each day in ``days``."""

    name: str
    start_hour: int
    end_hour: int
    days: tuple[str, ...]

    def __post_init__(self) -> None:
        if not (0 <= self.start_hour < self.end_hour <= 24):
            raise _err(
                f"shifts.{self.name}.start_hour/end_hour",
                (self.start_hour, self.end_hour),
                "0 <= start_hour < end_hour <= 24",
            )
        bad = [d for d in self.days if d not in DAYS]
        if not self.days or bad:
            raise _err(f"shifts.{self.name}.days", list(self.days), f"a list of {DAYS}")

    def on_duty(self) -> np.ndarray:
        """``(168,)`` bool: on duty in each hour of the week (Monday 0-1 first)."""
        out = np.zeros(HOURS_PER_WEEK, dtype=bool)
        for d in self.days:
            base = DAYS.index(d) * 24
            out[base + self.start_hour : base + self.end_hour] = True
        return out

    @property
    def hours_per_year(self) -> float:
        """Unit-hours a year of one unit on this shift."""
        return float(self.on_duty().sum()) * WEEKS_PER_YEAR


@dataclass(frozen=True)
class EmsParams:
    """Every parameter of emergency care (values and sources in ``ems_defaults.toml``).

    Build it with :func:`default_params` or :func:`read_params` and vary it with
    ``dataclasses.replace``.

    Attributes
    ----------
    dispatch_delay_min
        From the alarm to the unit acknowledging it (ASSUMPTION 1 min).
    turnout_min, speed_factor
        Per urgency: minutes to wheels rolling; emergency speed over normal car speed.
    settlement_classes
        Population layer ``settlement`` value -> risk class.
    core_urban_min_residents, other_urban_min_residents
        Density rule (residents in the 1 km cell) when a cell has no settlement value.
    targets
        The service-level decision's lines (default Pirkanmaa 2017-18).
    missions_per_1000
        Missions per 1,000 residents a year per class (Pappinen et al. 2018): estimates.
    urgency_share, age_weight, national_age_share
        Split of estimated missions by urgency; relative rate by age band, normalised on the
        national age structure.
    hour_weight, day_weight
        Daily (24) and weekly (7) rhythm of alarms.
    on_scene_min, transport_share, transport_and_handover_min
        What keeps a dispatched unit busy beyond its drives.
    shifts
        Unit shifts by name.
    fte_per_24_7_unit, eur_per_unit_hour
        Staff of a round-the-clock unit (9.3 FTE) and the cost of a unit-hour.
    """

    dispatch_delay_min: float
    turnout_min: Mapping[str, float]
    speed_factor: Mapping[str, float]
    settlement_classes: Mapping[str, str]
    core_urban_min_residents: float
    other_urban_min_residents: float
    targets: tuple[Target, ...]
    missions_per_1000: Mapping[str, float]
    urgency_share: Mapping[str, float]
    age_weight: Mapping[str, float]
    national_age_share: Mapping[str, float]
    hour_weight: tuple[float, ...]
    day_weight: tuple[float, ...]
    on_scene_min: float
    transport_share: float
    transport_and_handover_min: float
    shifts: Mapping[str, Shift]
    fte_per_24_7_unit: float
    eur_per_unit_hour: float

    def __post_init__(self) -> None:
        for name in ("dispatch_delay_min", "on_scene_min", "transport_and_handover_min"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise _err(name, v, "a number of minutes >= 0")
        _check_per(self.turnout_min, URGENCIES, "response.turnout_min", 0.0, 120.0)
        _check_per(self.speed_factor, URGENCIES, "response.speed_factor", 0.1, 5.0)
        bad = {k: v for k, v in self.settlement_classes.items() if v not in CLASSES}
        if bad:
            raise _err("classes.settlement", bad, f"values among {CLASSES}")
        if not (0 <= self.other_urban_min_residents <= self.core_urban_min_residents):
            raise _err(
                "classes.other_urban_min_residents",
                self.other_urban_min_residents,
                f"a number in [0, core_urban_min_residents = {self.core_urban_min_residents}]",
            )
        _check_per(self.missions_per_1000, CLASSES, "missions.per_1000_residents", 0.0, 10_000.0)
        _check_per(self.urgency_share, URGENCIES, "missions.urgency_share", 0.0, 1.0)
        if abs(sum(self.urgency_share.values()) - 1.0) > 1e-6:
            raise _err("missions.urgency_share", dict(self.urgency_share), "shares summing to 1")
        _check_per(self.age_weight, AGE_BANDS, "missions.age_weight", 0.0, 1000.0)
        _check_per(self.national_age_share, AGE_BANDS, "missions.national_age_share", 0.0, 1.0)
        if abs(sum(self.national_age_share.values()) - 1.0) > 1e-3:
            raise _err(
                "missions.national_age_share", dict(self.national_age_share), "shares summing to 1"
            )
        for name, n in (("hour_weight", 24), ("day_weight", 7)):
            w = getattr(self, name)
            if len(w) != n or not all(math.isfinite(x) and x >= 0 for x in w) or sum(w) <= 0:
                raise _err(f"missions.{name}", list(w), f"{n} numbers >= 0, not all zero")
        if not (0.0 <= self.transport_share <= 1.0):
            raise _err("service.transport_share", self.transport_share, "a share in [0, 1]")
        if not self.shifts:
            raise _err("shifts", {}, "at least one shift")
        for key, shift in self.shifts.items():
            if key != shift.name:
                raise _err(f"shifts.{key}", shift.name, f"a Shift named {key!r}")
        if not (self.fte_per_24_7_unit > 0 and self.eur_per_unit_hour >= 0):
            raise _err(
                "resources",
                (self.fte_per_24_7_unit, self.eur_per_unit_hour),
                "fte_per_24_7_unit > 0 and eur_per_unit_hour >= 0",
            )

    # --- derived ----------------------------------------------------------------------------

    def hour_of_week_weight(self) -> np.ndarray:
        """``(168,)`` share of a week's alarms in each hour (sums to 1)."""
        w = np.outer(np.asarray(self.day_weight), np.asarray(self.hour_weight)).ravel()
        return w / w.sum()

    def age_rate_factor(self) -> np.ndarray:
        """``(6,)`` relative mission rate per age band; 1 on average over the national structure."""
        w = np.array([self.age_weight[b] for b in AGE_BANDS], dtype=np.float64)
        s = np.array([self.national_age_share[b] for b in AGE_BANDS], dtype=np.float64)
        return w / float((w * s).sum())

    def response_offset_min(self, urgency: str) -> float:
        """Dispatch delay plus turnout of ``urgency``."""
        return float(self.dispatch_delay_min + self.turnout_min[urgency])

    def fte_per_unit_hour(self) -> float:
        """FTE a year per unit-hour a week-year (9.3 FTE for 8,760 h)."""
        return self.fte_per_24_7_unit / (24.0 * 365.0)


# --- TOML -----------------------------------------------------------------------------------


def _defaults_dict() -> dict[str, Any]:
    text = resources.files("palveluverkko.ems").joinpath("ems_defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def _merge(base: dict[str, Any], over: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``over`` on ``base``; unknown keys are errors (maps of free keys merge, lists replace)."""
    free = {"classes.settlement", "shifts"}
    out = dict(base)
    for key, value in over.items():
        path = f"{where}.{key}" if where else key
        if key not in base and where not in free:
            raise InputError(
                f"ems parameters: unknown key {path!r}; expected one of "
                f"{', '.join(sorted(base))} (see ems_defaults.toml)"
            )
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = _merge(base[key], value, path)
        else:
            out[key] = value
    return out


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise InputError(f"ems parameters: key {path!r} is missing")
        node = node[part]
    return node


def _number(data: Mapping[str, Any], path: str) -> float:
    v = _get(data, path)
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _err(path, v, "a number")
    return float(v)


def _numbers(data: Mapping[str, Any], path: str) -> dict[str, float]:
    v = _get(data, path)
    if not isinstance(v, Mapping):
        raise _err(path, v, "a table of numbers")
    return {str(k): _as_number(f"{path}.{k}", x) for k, x in v.items()}


def _as_number(path: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _err(path, v, "a number")
    return float(v)


def _int(path: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _err(path, v, "an integer")
    return int(v)


def _targets(data: Mapping[str, Any]) -> tuple[Target, ...]:
    raw = _get(data, "targets")
    if not isinstance(raw, list):
        raise _err("targets", raw, "an array of tables [[targets]]")
    out = []
    for i, t in enumerate(raw):
        where = f"targets[{i}]"
        if not isinstance(t, Mapping) or set(t) != {"urgency", "minutes", "share"}:
            raise _err(where, t, "a table with urgency, minutes and share")
        urg = t["urgency"]
        if isinstance(urg, str):
            urg = [urg]
        if not isinstance(urg, list) or not all(isinstance(u, str) for u in urg):
            raise _err(f"{where}.urgency", urg, "a list of urgencies such as ['A', 'B']")
        share = t["share"]
        if not isinstance(share, Mapping):
            raise _err(f"{where}.share", share, "a table class -> share")
        try:
            out.append(
                Target(
                    tuple(urg),
                    _as_number(f"{where}.minutes", t["minutes"]),
                    {str(k): _as_number(f"{where}.share.{k}", v) for k, v in share.items()},
                )
            )
        except InputError as exc:
            raise InputError(str(exc).replace("targets", where, 1)) from None
    return tuple(out)


def _shifts(data: Mapping[str, Any]) -> dict[str, Shift]:
    raw = _get(data, "shifts")
    if not isinstance(raw, Mapping):
        raise _err("shifts", raw, "tables [shifts.NAME]")
    out = {}
    for name, s in raw.items():
        where = f"shifts.{name}"
        if not isinstance(s, Mapping) or set(s) != {"start_hour", "end_hour", "days"}:
            raise _err(where, s, "a table with start_hour, end_hour and days")
        days = s["days"]
        if not isinstance(days, list):
            raise _err(f"{where}.days", days, "a list such as ['mon', 'tue']")
        out[str(name)] = Shift(
            str(name),
            _int(f"{where}.start_hour", s["start_hour"]),
            _int(f"{where}.end_hour", s["end_hour"]),
            tuple(str(d) for d in days),
        )
    return out


def _from_dict(data: Mapping[str, Any]) -> EmsParams:
    settlement = _get(data, "classes.settlement")
    if not isinstance(settlement, Mapping):
        raise _err("classes.settlement", settlement, "a table value -> class")
    hours = _get(data, "missions.hour_weight")
    days = _get(data, "missions.day_weight")
    for path, seq in (("missions.hour_weight", hours), ("missions.day_weight", days)):
        if not isinstance(seq, list):
            raise _err(path, seq, "a list of numbers")
    return EmsParams(
        dispatch_delay_min=_number(data, "response.dispatch_delay_min"),
        turnout_min=_numbers(data, "response.turnout_min"),
        speed_factor=_numbers(data, "response.speed_factor"),
        settlement_classes={str(k): str(v) for k, v in settlement.items()},
        core_urban_min_residents=_number(data, "classes.core_urban_min_residents"),
        other_urban_min_residents=_number(data, "classes.other_urban_min_residents"),
        targets=_targets(data),
        missions_per_1000=_numbers(data, "missions.per_1000_residents"),
        urgency_share=_numbers(data, "missions.urgency_share"),
        age_weight=_numbers(data, "missions.age_weight"),
        national_age_share=_numbers(data, "missions.national_age_share"),
        hour_weight=tuple(_as_number("missions.hour_weight", x) for x in hours),
        day_weight=tuple(_as_number("missions.day_weight", x) for x in days),
        on_scene_min=_number(data, "service.on_scene_min"),
        transport_share=_number(data, "service.transport_share"),
        transport_and_handover_min=_number(data, "service.transport_and_handover_min"),
        shifts=_shifts(data),
        fte_per_24_7_unit=_number(data, "resources.fte_per_24_7_unit"),
        eur_per_unit_hour=_number(data, "resources.eur_per_unit_hour"),
    )


_DEFAULT: EmsParams | None = None


def default_params() -> EmsParams:
    """The package defaults (``ems_defaults.toml``)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _from_dict(_defaults_dict())
    return _DEFAULT


def read_params(path: str | Path | None = None, *, text: str | None = None) -> EmsParams:
    """Read a county's parameter file over the defaults.

    Parameters
    ----------
    path
        A TOML file; keys it leaves out keep their defaults. ``None`` with no ``text`` gives the
        defaults.
    text
        The TOML text itself (instead of ``path``).

    Raises
    ------
    InputError
        The file is not TOML, holds an unknown key, or a value is out of range; the message
        names the key.
    """
    if path is None and text is None:
        return default_params()
    where = str(path) if path is not None else "text"
    try:
        raw = Path(path).read_text("utf-8") if path is not None else str(text)
        data = tomllib.loads(raw)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"ems parameters {where}: cannot read it as TOML ({exc})") from exc
    base = _defaults_dict()
    merged = _merge(base, data, "")
    if "targets" in data:  # a county's decision replaces the example targets entirely
        merged["targets"] = data["targets"]
    return _from_dict(merged)
