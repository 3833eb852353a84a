"""TOML form of a :class:`~palveluverkko.scenario.Scenario`: reading and writing.

The keys are documented in :mod:`palveluverkko.scenario`. Every error names the entry
(``close[2].substitute``), what was found and what is expected.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, ScenarioError
from .model import (
    CAPACITY_RULES,
    CapacityChange,
    ChannelChange,
    Closure,
    Conversion,
    EmsStationChange,
    MobileUnitEntry,
    NewSite,
    Scenario,
)

__all__ = ["scenario_from_toml", "scenario_to_toml"]


def scenario_from_toml(source: str | Path) -> Scenario:
    """Read a scenario from a TOML file path or from TOML text.

    Raises
    ------
    ScenarioError
        When the TOML cannot be parsed or an entry has a missing, unknown or wrong-typed key;
        the message names the entry (e.g. ``close[2].substitute``).
    """
    where = "scenario"
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and source.endswith(".toml")
    ):
        from ..region.checks import read_text

        path = Path(source)
        where = str(path)
        try:
            text = read_text(path, what="scenario file")
        except InputError as exc:
            raise ScenarioError(str(exc)) from exc
    else:
        text = str(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: not valid TOML ({exc}); fix the syntax") from exc
    _check_values(data, where)
    return _from_dict(data, where)


def _check_values(data: dict[str, Any], where: str) -> None:
    """Non-finite and implausible numbers (:func:`palveluverkko.region.checks.
    scenario_value_problems`): errors raise, warnings warn."""
    import warnings

    from ..errors import DataWarning
    from ..region.checks import scenario_value_problems

    problems = scenario_value_problems(data, where)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError("; ".join(str(p) for p in errors[:10]))
    for p in problems:
        warnings.warn(str(p), DataWarning, stacklevel=3)


def scenario_to_toml(scenario: Scenario) -> str:
    """Write the scenario as TOML text that :meth:`from_toml` reads back unchanged."""
    lines = [f"name = {_q(scenario.name)}"]
    if scenario.year is not None:
        lines.append(f"year = {scenario.year}")
    if scenario.description:
        lines.append(f"description = {_q(scenario.description)}")
    for c in scenario.closures:
        lines += ["", "[[close]]", f"site = {_q(c.site)}", f"substitute = {_q(c.substitute)}"]
        lines.append(f"move_capacity = {str(c.move_capacity).lower()}")
    for v in scenario.conversions:
        lines += ["", "[[convert]]", f"site = {_q(v.site)}"]
        if v.kind is not None:
            lines.append(f"kind = {_q(v.kind)}")
        if v.services is not None:
            lines.append("services = [" + ", ".join(_q(s) for s in v.services) + "]")
        if v.capacity_per_week:
            lines.append(f"capacity_per_week = {_inline(v.capacity_per_week)}")
        if v.staff_fte:
            lines.append(f"staff_fte = {_inline(v.staff_fte)}")
        if v.capacity != "follow":
            lines.append(f"capacity = {_q(v.capacity)}")
    for o in scenario.openings:
        lines += ["", "[[open]]", f"site = {_q(o.site)}", f"name = {_q(o.name)}"]
        lines += [f"municipality = {_q(o.municipality)}", f"kind = {_q(o.kind)}"]
        lines += [f"x = {o.x!r}", f"y = {o.y!r}", f"annual_cost_eur = {o.annual_cost_eur!r}"]
        if o.floor_area_m2 is not None:
            lines.append(f"floor_area_m2 = {o.floor_area_m2!r}")
        if o.condition is not None:
            lines.append(f"condition = {o.condition}")
        lines.append(f"investment_need_eur = {o.investment_need_eur!r}")
        if o.lease_end is not None:
            lines.append(f"lease_end = {_q(o.lease_end)}")
        parts = [
            f"{k} = {{ capacity_per_week = {c!r}, staff_fte = {s!r} }}"
            for k, (c, s) in o.services.items()
        ]
        lines.append("services = { " + ", ".join(parts) + " }")
    for k in scenario.capacity_changes:
        lines += ["", "[[capacity]]", f"site = {_q(k.site)}", f"service = {_q(k.service)}"]
        if k.capacity_per_week is not None:
            lines.append(f"capacity_per_week = {k.capacity_per_week!r}")
        if k.staff_fte is not None:
            lines.append(f"staff_fte = {k.staff_fte!r}")
    for ch in scenario.channel_changes:
        lines += ["", "[[channels]]", f"service = {_q(ch.service)}"]
        lines.append(f"digital_share = {ch.digital_share!r}")
        if ch.band is not None:
            lines.append(f"band = {_q(ch.band)}")
    if scenario.mobile_units:
        import tomli_w

        doc = {
            "mobile_unit": [
                {
                    "seed": m.seed,
                    "time_limit_s": m.time_limit_s,
                    "unit": dict(m.unit),
                    **({"stops": dict(m.stops)} if m.stops else {}),
                }
                for m in scenario.mobile_units
            ]
        }
        lines += ["", tomli_w.dumps(doc).rstrip()]
    for st in scenario.ems_stations:
        lines += ["", "[[ems_station]]", f"station = {_q(st.station)}"]
        lines.append(
            "units = { " + ", ".join(f"{_q(k)} = {int(v)}" for k, v in st.units.items()) + " }"
        )
        if st.name is not None:
            lines.append(f"name = {_q(st.name)}")
        if st.x is not None and st.y is not None:
            lines += [f"x = {float(st.x)!r}", f"y = {float(st.y)!r}"]
    if scenario.access_target_days is not None or scenario.travel_time_threshold_min is not None:
        lines += ["", "[policy]"]
        if scenario.access_target_days is not None:
            lines.append(f"access_target_days = {scenario.access_target_days!r}")
        if scenario.travel_time_threshold_min is not None:
            lines.append(f"travel_time_threshold_min = {scenario.travel_time_threshold_min!r}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A TOML basic string: backslash, quote and control characters (line breaks) escaped."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _inline(values: Mapping[str, float]) -> str:
    return "{ " + ", ".join(f"{k} = {float(v)!r}" for k, v in values.items()) + " }"


_TOP_KEYS = {
    "name",
    "year",
    "description",
    "close",
    "convert",
    "open",
    "capacity",
    "channels",
    "mobile_unit",
    "ems_station",
    "policy",
}
_ENTRY_KEYS: dict[str, tuple[set[str], set[str]]] = {
    # table: (required, optional)
    "close": ({"site", "substitute"}, {"move_capacity"}),
    "convert": ({"site"}, {"kind", "services", "capacity_per_week", "staff_fte", "capacity"}),
    "open": (
        {"site", "name", "municipality", "kind", "x", "y", "services"},
        {"annual_cost_eur", "floor_area_m2", "condition", "investment_need_eur", "lease_end"},
    ),
    "capacity": ({"site", "service"}, {"capacity_per_week", "staff_fte"}),
    "channels": ({"service", "digital_share"}, {"band"}),
    "mobile_unit": ({"unit"}, {"stops", "seed", "time_limit_s"}),
    "ems_station": ({"station", "units"}, {"name", "x", "y"}),
    "policy": (set(), {"access_target_days", "travel_time_threshold_min"}),
}


def _keys(where: str, table: str, n: int | None, entry: Any) -> dict[str, Any]:
    label = f"{where}: {table}" + (f"[{n}]" if n is not None else "")
    if not isinstance(entry, dict):
        raise ScenarioError(f"{label}: expected a table, found {type(entry).__name__}")
    required, optional = _ENTRY_KEYS[table]
    unknown = sorted(set(entry) - required - optional)
    if unknown:  # first: a typo of a required key is also a missing key, the typo is the news
        raise ScenarioError(
            f"{label}: unknown key(s) {_suggest(unknown, required | optional)}; expected "
            f"{', '.join(sorted(required | optional))}"
        )
    missing = sorted(required - set(entry))
    if missing:
        raise ScenarioError(f"{label}: key(s) {', '.join(missing)} missing; add them")
    return entry


def _suggest(unknown: list[str], valid: set[str]) -> str:
    """``unknown`` keys, each with the nearest valid key when one is close (``substitue``
    (did you mean ``substitute``?))."""
    out = []
    for key in unknown:
        near = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.6)
        out.append(f"{key} (did you mean {near[0]}?)" if near else key)
    return ", ".join(out)


def _num(label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{label}: expected a number, found {value!r}")
    return float(value)


def _str(label: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ScenarioError(f"{label}: expected a string, found {value!r}; quote it")
    return value


def _list(where: str, data: dict[str, Any], table: str) -> Sequence[Any]:
    value = data.get(table, [])
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: {table} must be an array of tables, written [[{table}]]")
    return value


def _choice(label: str, value: Any, choices: tuple[str, ...]) -> Any:
    if value not in choices:
        raise ScenarioError(
            f"{label}: expected {' or '.join(repr(c) for c in choices)}, found {value!r}"
        )
    return value


def _num_map(label: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{label}: expected a table such as {{ vastaanotto = 100 }}")
    return {str(k): _num(f"{label}.{k}", v) for k, v in value.items()}


def _from_dict(data: dict[str, Any], where: str) -> Scenario:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {_suggest(unknown, _TOP_KEYS)}; "
            f"expected {', '.join(sorted(_TOP_KEYS))}"
        )
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ScenarioError(f"{where}: year must be an integer such as 2027, found {year!r}")
    closures = []
    for n, e in enumerate(_list(where, data, "close")):
        e = _keys(where, "close", n, e)
        label = f"{where}: close[{n}]"
        move = e.get("move_capacity", True)
        if not isinstance(move, bool):
            raise ScenarioError(f"{label}.move_capacity: expected true or false, found {move!r}")
        closures.append(
            Closure(
                _str(f"{label}.site", e["site"]), _str(f"{label}.substitute", e["substitute"]), move
            )
        )
    conversions = []
    for n, e in enumerate(_list(where, data, "convert")):
        e = _keys(where, "convert", n, e)
        label = f"{where}: convert[{n}]"
        services = e.get("services")
        if services is not None:
            if not isinstance(services, list):
                raise ScenarioError(f'{label}.services: expected a list such as ["vastaanotto"]')
            services = tuple(_str(f"{label}.services", s) for s in services)
        conversions.append(
            Conversion(
                _str(f"{label}.site", e["site"]),
                kind=None if "kind" not in e else _str(f"{label}.kind", e["kind"]),
                services=services,
                capacity_per_week=_num_map(
                    f"{label}.capacity_per_week", e.get("capacity_per_week", {})
                ),
                staff_fte=_num_map(f"{label}.staff_fte", e.get("staff_fte", {})),
                capacity=_choice(f"{label}.capacity", e.get("capacity", "follow"), CAPACITY_RULES),
            )
        )
    openings = []
    for n, e in enumerate(_list(where, data, "open")):
        e = _keys(where, "open", n, e)
        label = f"{where}: open[{n}]"
        if not isinstance(e["services"], dict):
            raise ScenarioError(
                f"{label}.services: expected a table such as "
                "{ vastaanotto = { capacity_per_week = 100, staff_fte = 3 } }"
            )
        services_map: dict[str, tuple[float, float]] = {}
        for s, figures in e["services"].items():
            if not isinstance(figures, dict) or set(figures) != {"capacity_per_week", "staff_fte"}:
                raise ScenarioError(
                    f"{label}.services.{s}: expected {{ capacity_per_week = ..., staff_fte = ... }}"
                )
            services_map[str(s)] = (
                _num(f"{label}.services.{s}.capacity_per_week", figures["capacity_per_week"]),
                _num(f"{label}.services.{s}.staff_fte", figures["staff_fte"]),
            )
        cond = e.get("condition", 5)
        if cond is not None and (isinstance(cond, bool) or not isinstance(cond, int)):
            raise ScenarioError(f"{label}.condition: expected an integer 1..5, found {cond!r}")
        openings.append(
            NewSite(
                site=_str(f"{label}.site", e["site"]),
                name=_str(f"{label}.name", e["name"]),
                municipality=_str(f"{label}.municipality", e["municipality"]),
                kind=_str(f"{label}.kind", e["kind"]),
                x=_num(f"{label}.x", e["x"]),
                y=_num(f"{label}.y", e["y"]),
                services=services_map,
                annual_cost_eur=_num(f"{label}.annual_cost_eur", e.get("annual_cost_eur", 0.0)),
                floor_area_m2=None
                if "floor_area_m2" not in e
                else _num(f"{label}.floor_area_m2", e["floor_area_m2"]),
                condition=cond,
                investment_need_eur=_num(
                    f"{label}.investment_need_eur", e.get("investment_need_eur", 0.0)
                ),
                lease_end=None if e.get("lease_end") is None else str(e["lease_end"]),
            )
        )
    caps = []
    for n, e in enumerate(_list(where, data, "capacity")):
        e = _keys(where, "capacity", n, e)
        label = f"{where}: capacity[{n}]"
        caps.append(
            CapacityChange(
                _str(f"{label}.site", e["site"]),
                _str(f"{label}.service", e["service"]),
                None
                if "capacity_per_week" not in e
                else _num(f"{label}.capacity_per_week", e["capacity_per_week"]),
                None if "staff_fte" not in e else _num(f"{label}.staff_fte", e["staff_fte"]),
            )
        )
    channels = []
    for n, e in enumerate(_list(where, data, "channels")):
        e = _keys(where, "channels", n, e)
        label = f"{where}: channels[{n}]"
        channels.append(
            ChannelChange(
                _str(f"{label}.service", e["service"]),
                _num(f"{label}.digital_share", e["digital_share"]),
                None if e.get("band") is None else _str(f"{label}.band", e["band"]),
            )
        )
    mobile = []
    for n, e in enumerate(_list(where, data, "mobile_unit")):
        e = _keys(where, "mobile_unit", n, e)
        label = f"{where}: mobile_unit[{n}]"
        for table in ("unit", "stops"):
            if table in e and not isinstance(e[table], dict):
                raise ScenarioError(
                    f"{label}.{table}: expected a table, written [mobile_unit.{table}]"
                )
        seed = e.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ScenarioError(f"{label}.seed: expected an integer, found {seed!r}")
        mobile.append(
            MobileUnitEntry(
                unit=dict(e["unit"]),
                stops=dict(e.get("stops", {})),
                seed=seed,
                time_limit_s=_num(f"{label}.time_limit_s", e.get("time_limit_s", 3.0)),
            )
        )
    ems = []
    for n, e in enumerate(_list(where, data, "ems_station")):
        e = _keys(where, "ems_station", n, e)
        label = f"{where}: ems_station[{n}]"
        if not isinstance(e["units"], dict):
            raise ScenarioError(
                f"{label}.units: expected a table of counts per shift, such as "
                "{ 24h = 1, day = 1 }"
            )
        units: dict[str, int] = {}
        for shift, count in e["units"].items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ScenarioError(
                    f"{label}.units.{shift}: expected a whole number of units >= 0, found {count!r}"
                )
            units[str(shift)] = count
        if ("x" in e) != ("y" in e):
            raise ScenarioError(f"{label}: give both x and y (a new station), or neither")
        ems.append(
            EmsStationChange(
                station=_str(f"{label}.station", e["station"]),
                units=units,
                name=None if e.get("name") is None else _str(f"{label}.name", e["name"]),
                x=None if "x" not in e else _num(f"{label}.x", e["x"]),
                y=None if "y" not in e else _num(f"{label}.y", e["y"]),
            )
        )
    policy = _keys(where, "policy", None, data.get("policy", {}))
    return Scenario(
        name=_str(f"{where}: name", data.get("name", "Skenaario")),
        year=year,
        description=_str(f"{where}: description", data.get("description", "")),
        closures=tuple(closures),
        conversions=tuple(conversions),
        openings=tuple(openings),
        capacity_changes=tuple(caps),
        channel_changes=tuple(channels),
        mobile_units=tuple(mobile),
        ems_stations=tuple(ems),
        access_target_days=None
        if "access_target_days" not in policy
        else _num(f"{where}: policy.access_target_days", policy["access_target_days"]),
        travel_time_threshold_min=None
        if "travel_time_threshold_min" not in policy
        else _num(
            f"{where}: policy.travel_time_threshold_min", policy["travel_time_threshold_min"]
        ),
    )
