"""Plausibility bounds and checks of plain values at the input boundary.

Every number a region package or a scenario brings in is checked here against a :class:`Bound`:
non-finite values (``nan``, ``inf``) are always errors; values outside the *error* range are
impossible (an error naming the limit); values beyond the *warning* limit are possible but
suspicious (a warning naming the limit). The limits are documented one by one (``source``) and
listed for users in ``docs/region-format.md``; those marked ASSUMPTION are ours, chosen far outside
anything a Finnish county holds so that a real package never trips them.

The functions take plain values (numbers, mappings parsed from TOML, columns as arrays) and
return :class:`~palveluverkko.errors.Problem` s, so that any reader (region package, scenario
file, web form) can call them:

- :func:`column_problems` checks a layer column against :data:`COLUMN_BOUNDS`;
- :func:`population_problems` checks residents per cell and in all;
- :func:`value_problem` checks one plain value (``[policy]``, ``[costs]``, a scenario entry);
- :func:`scenario_value_problems` checks every number of a parsed scenario document;
- :func:`read_text` reads a text file as UTF-8, raising a clear :class:`InputError` otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError, Problem
from .columns import MAX_LISTED, row_labels
from .schema import LAYERS, POPULATION_COLUMNS, RATE_COLUMNS, Layer

__all__ = [
    "COLUMN_BOUNDS",
    "POLICY_BOUNDS",
    "POPULATION_LIMITS",
    "SCENARIO_BOUNDS",
    "Bound",
    "column_problems",
    "population_problems",
    "read_text",
    "scenario_value_problems",
    "table_problems",
    "value_problem",
]


@dataclass(frozen=True)
class Bound:
    """The plausible range of one kind of value.

    Attributes
    ----------
    unit
        What the value counts, shown in messages (``"contacts per week"``).
    minimum, maximum
        Outside this range the value is an error (``nan`` and ``inf`` always are).
    min_exclusive
        Whether ``minimum`` itself is an error too (a target of 0 days).
    warn_above
        Above this (and up to ``maximum``) the value is a warning; None for no warning.
    source
        Why the limits are where they are (shown in the docs, not in messages).
    """

    unit: str
    minimum: float = 0.0
    maximum: float = math.inf
    min_exclusive: bool = False
    warn_above: float | None = None
    source: str = ""

    def describe(self) -> str:
        """The accepted range in words, e.g. ``'> 0 and at most 730 days'``."""
        low = f"{'> ' if self.min_exclusive else '>= '}{_fmt(self.minimum)}"
        if math.isinf(self.maximum):
            return f"{low} {self.unit}"
        return f"{low} and at most {_fmt(self.maximum)} {self.unit}"

    def severity(self, value: float) -> str | None:
        """``"error"``, ``"warning"`` or None for ``value``."""
        if not math.isfinite(value) or value > self.maximum:
            return "error"
        if value < self.minimum or (self.min_exclusive and value == self.minimum):
            return "error"
        if self.warn_above is not None and value > self.warn_above:
            return "warning"
        return None


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:g}"


_RATE = Bound(
    "contacts per person-year",
    maximum=1_000.0,
    warn_above=200.0,
    source="ASSUMPTION: 1,000 a year is about three contacts every day; the highest default rate "
    "is home care for 85+ at 117 a year (demand/catalogue.py)",
)
_MONEY = Bound(
    "euros",
    maximum=1e10,
    warn_above=5e8,
    source="ASSUMPTION: 10 billion euros exceeds the yearly budget of any wellbeing services "
    "county (the largest, HUS, about 3 billion); half a billion for one site is suspicious",
)

COLUMN_BOUNDS: dict[tuple[str, str], Bound] = {
    **{("services", c): _RATE for c in RATE_COLUMNS},
    ("services", "threshold_min"): Bound(
        "minutes",
        min_exclusive=True,
        maximum=1_440.0,
        warn_above=240.0,
        source="a travel-time threshold above a day (1,440 min) means nothing; above 4 hours is "
        "suspicious (ASSUMPTION)",
    ),
    ("services", "access_target_days"): Bound(
        "days",
        min_exclusive=True,
        maximum=730.0,
        warn_above=366.0,
        source="the law allows at most three months for adults (DOMAIN.md); two years is the "
        "error limit, more than a year a warning (ASSUMPTION)",
    ),
    ("site_services", "capacity_per_week"): Bound(
        "contacts per week",
        maximum=1_000_000.0,
        warn_above=20_000.0,
        source="ASSUMPTION: all of Finland's primary care is about half a million visits a week; "
        "the demo county's largest site-service has 4,600",
    ),
    ("site_services", "staff_fte"): Bound(
        "FTE",
        maximum=50_000.0,
        warn_above=2_000.0,
        source="ASSUMPTION: HUS, the largest employer in Finnish health care, has about 27,000 "
        "staff in all",
    ),
    ("sites", "floor_area_m2"): Bound(
        "m²",
        maximum=1_000_000.0,
        warn_above=200_000.0,
        source="ASSUMPTION: Finland's largest hospital campuses are some 100,000-200,000 m²",
    ),
    ("sites", "annual_cost_eur"): _MONEY,
    ("sites", "investment_need_eur"): _MONEY,
    ("roads", "speed_kph"): Bound(
        "km/h",
        min_exclusive=True,
        maximum=300.0,
        warn_above=130.0,
        source="Finland's highest speed limit is 120 km/h (Traficom); above 300 km/h is no road",
    ),
    ("roads", "ferry_wait_min"): Bound(
        "minutes",
        maximum=1_440.0,
        warn_above=240.0,
        source="a ferry that runs less than once a day is no road link (ASSUMPTION)",
    ),
    ("population", "broadband_mbps"): Bound(
        "Mbit/s",
        maximum=100_000.0,
        source="100 Gbit/s exceeds any connection offered to homes (ASSUMPTION)",
    ),
    ("projection", "factor"): Bound(
        "times the base year's population",
        maximum=100.0,
        warn_above=3.0,
        source="ASSUMPTION: no Finnish municipality has tripled within a projection's horizon "
        "(Statistics Finland's projections move by a few per cent a year)",
    ),
}
"""Bounds of layer columns by (layer, column). Lower limits of 0 (negative residents, rates,
costs) are reported by :mod:`.validate` in its own words; here are the upper limits, the warning
limits and the exclusive lower limits."""
_MINIMUM_HERE = {("roads", "ferry_wait_min")}
"""Columns whose lower limit is checked here (validate.py checks the others in its own words)."""
MIN_CAPACITY_PER_WEEK = 1.0
"""A capacity between 0 and 1 contact a week is an error: the booking queue has at least one slot
a working day (evaluate/queueing.py), so such a figure is a typo for 0 or for a larger number."""


@dataclass(frozen=True)
class PopulationLimits:
    """Limits of residents per cell and in all (sources in the field docs)."""

    cell_error: float = 1_000_000.0
    """A cell holding more residents than any Finnish municipality but Helsinki (about 680,000)
    is an error (ASSUMPTION; it also keeps the evaluation's memory bounded)."""
    point_cell_warning: float = 5_000.0
    """A point cell (a 250 m grid cell) with more than 5,000 residents is suspicious: Finland's
    densest 250 m cells, in inner Helsinki, hold about 2,500 (ASSUMPTION)."""
    polygon_density_warning_per_km2: float = 80_000.0
    """A polygon cell denser than 80,000 residents per km² (5,000 per 250 m cell) is suspicious."""
    total_error: float = 6_000_000.0
    """A region with more residents than Finland (5.6 million, Statistics Finland 2024) is an
    error."""


POPULATION_LIMITS = PopulationLimits()

POLICY_BOUNDS: dict[str, Bound] = {
    "access_target_days": COLUMN_BOUNDS[("services", "access_target_days")],
    "travel_time_threshold_min": COLUMN_BOUNDS[("services", "threshold_min")],
    "base_year": Bound(
        "(a year)", minimum=1900.0, maximum=2100.0, source="population data from 1900 to 2100"
    ),
}
"""Bounds of ``region.toml`` values (``[policy]`` and ``base_year``)."""

COST_BOUND = Bound(
    "euros (or a rate)",
    maximum=1e7,
    source="ASSUMPTION: no unit cost of [costs] (per FTE-year, per km, per trip) reaches "
    "ten million euros",
)
COST_BOUNDS: dict[str, Bound] = {
    "interest_rate": Bound("(a yearly rate, 0.03 = 3 %)", maximum=1.0, source="100 % a year"),
    "investment_years": Bound("years", minimum=1.0, maximum=200.0, source="ASSUMPTION"),
}
"""Bounds of ``[costs]`` keys other than :data:`COST_BOUND`, which covers the rest."""

YEARS_DUE_BOUND = Bound("years", maximum=100.0, source="ASSUMPTION")

SCENARIO_BOUNDS: dict[str, Bound] = {
    "year": POLICY_BOUNDS["base_year"],
    "x": Bound("metres", minimum=-1e8, maximum=1e8, source="coordinates of a projected CRS"),
    "y": Bound("metres", minimum=-1e8, maximum=1e8, source="coordinates of a projected CRS"),
    "capacity_per_week": COLUMN_BOUNDS[("site_services", "capacity_per_week")],
    "staff_fte": COLUMN_BOUNDS[("site_services", "staff_fte")],
    "digital_share": Bound("(a share)", maximum=1.0, source="a share lies in 0..1"),
    "annual_cost_eur": _MONEY,
    "investment_need_eur": _MONEY,
    "floor_area_m2": COLUMN_BOUNDS[("sites", "floor_area_m2")],
    "condition": Bound("(1 poor .. 5 good)", minimum=1.0, maximum=5.0, source="the format"),
    **POLICY_BOUNDS,
}
"""Bounds of the numbers of a scenario document, by key (wherever the key appears)."""


def value_problem(
    value: object,
    bound: Bound,
    *,
    layer: str,
    column: str,
    row: str = "",
    integer: bool = False,
) -> Problem | None:
    """A Problem when the plain ``value`` is not a number within ``bound``, else None.

    Booleans and text are not numbers here; an ``integer`` value must be whole.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return Problem(
            "error",
            layer,
            column,
            row,
            f"{column} is {value!r}, expected a number {bound.describe()}",
            f"write {column} as a number",
        )
    number = float(value)
    if integer and math.isfinite(number) and not number.is_integer():
        return Problem(
            "error",
            layer,
            column,
            row,
            f"{column} is {value!r}, expected a whole number",
            f"write {column} as a whole number",
        )
    severity = bound.severity(number)
    if severity is None:
        return None
    if not math.isfinite(number):
        message = f"{column} is {value!r}, expected a finite number {bound.describe()}"
    elif severity == "error":
        message = f"{column} is {_fmt(number)}, outside the plausible range {bound.describe()}"
    else:
        message = (
            f"{column} is {_fmt(number)}, above {_fmt(bound.warn_above or 0.0)} {bound.unit}: "
            "check it"
        )
    fix = f"correct {column} ({bound.describe()})"
    return Problem(severity, layer, column, row, message, fix)


def _listed(
    mask: np.ndarray,
    labels: np.ndarray,
    values: np.ndarray,
    *,
    severity: str,
    layer: str,
    column: str,
    message: str,
    fix: str,
) -> list[Problem]:
    rows = np.flatnonzero(mask)
    out = [
        Problem(severity, layer, column, str(labels[i]), message.format(value=values[i]), fix)
        for i in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        out.append(
            Problem(
                severity,
                layer,
                column,
                "",
                f"{len(rows) - MAX_LISTED} more rows with the same problem ({len(rows)} in all)",
                fix,
            )
        )
    return out


def column_problems(
    layer: str, column: str, values: np.ndarray, labels: np.ndarray
) -> list[Problem]:
    """Upper, warning and exclusive lower limits of one column (:data:`COLUMN_BOUNDS`); missing
    values (nan) are not reported here (the column's own checks do)."""
    bound = COLUMN_BOUNDS.get((layer, column))
    if bound is None:
        return []
    v = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(v)
    with np.errstate(invalid="ignore"):
        too_big = present & (v > bound.maximum)
        at_min = present & (v == bound.minimum) if bound.min_exclusive else np.zeros_like(present)
        warn = (
            present & ~too_big & (v > bound.warn_above)
            if bound.warn_above is not None
            else np.zeros_like(present)
        )
    fix = f"correct {column} ({bound.describe()})"
    out = _listed(
        too_big,
        labels,
        v,
        severity="error",
        layer=layer,
        column=column,
        message=f"found {{value:g}}, above the limit of {_fmt(bound.maximum)} {bound.unit}",
        fix=fix,
    )
    if (layer, column) in _MINIMUM_HERE:
        out += _listed(
            present & (v < bound.minimum),
            labels,
            v,
            severity="error",
            layer=layer,
            column=column,
            message=f"found {{value:g}}, expected at least {_fmt(bound.minimum)} {bound.unit}",
            fix=fix,
        )
    if (layer, column) == ("site_services", "capacity_per_week"):
        out += _listed(
            present & (v > 0) & (v < MIN_CAPACITY_PER_WEEK),
            labels,
            v,
            severity="error",
            layer=layer,
            column=column,
            message=f"found {{value:g}}, below {_fmt(MIN_CAPACITY_PER_WEEK)} contact a week",
            fix="write 0 where the site does not offer the service, else the weekly capacity "
            "(at least 1)",
        )
    if bound.min_exclusive and bound.minimum != 0.0:  # 0 is reported by validate's own check
        out += _listed(
            at_min,
            labels,
            v,
            severity="error",
            layer=layer,
            column=column,
            message=f"found {{value:g}}, expected more than {_fmt(bound.minimum)} {bound.unit}",
            fix=fix,
        )
    if bound.warn_above is not None:
        out += _listed(
            warn,
            labels,
            v,
            severity="warning",
            layer=layer,
            column=column,
            message=f"found {{value:g}}, above {_fmt(bound.warn_above)} {bound.unit}: check it",
            fix=f"check {column}; the limit of an error is {_fmt(bound.maximum)} {bound.unit}",
        )
    return out


def population_problems(
    counts: np.ndarray,
    labels: np.ndarray,
    *,
    is_point: np.ndarray,
    area_km2: np.ndarray,
    limits: PopulationLimits = POPULATION_LIMITS,
) -> list[Problem]:
    """Residents per cell (``counts``: ``(n_cells, 6)``, nan where unreadable) and in all.

    ``is_point`` says which cells are points (250 m grid cells); ``area_km2`` is the area of the
    polygon cells (ignored for points).
    """
    total_per_cell = np.nansum(np.asarray(counts, dtype=np.float64), axis=1)
    out = _listed(
        total_per_cell > limits.cell_error,
        labels,
        total_per_cell,
        severity="error",
        layer="population",
        column="+".join(POPULATION_COLUMNS),
        message=f"the cell holds {{value:,.0f}} residents, above the limit of "
        f"{_fmt(limits.cell_error)} (more than any Finnish municipality but Helsinki)",
        fix="correct the counts at the source; a cell holds residents of one place",
    )
    point_warn = is_point & (total_per_cell > limits.point_cell_warning)
    point_warn &= total_per_cell <= limits.cell_error
    out += _listed(
        point_warn,
        labels,
        total_per_cell,
        severity="warning",
        layer="population",
        column="+".join(POPULATION_COLUMNS),
        message=f"the cell holds {{value:,.0f}} residents, above {_fmt(limits.point_cell_warning)} "
        "for a 250 m cell (Finland's densest hold about 2,500): check it",
        fix="check the counts; grid cells of another size should be polygons",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(is_point | ~(area_km2 > 0), 0.0, total_per_cell / area_km2)
    dense = (density > limits.polygon_density_warning_per_km2) & (
        total_per_cell <= limits.cell_error
    )
    out += _listed(
        dense,
        labels,
        density,
        severity="warning",
        layer="population",
        column="+".join(POPULATION_COLUMNS),
        message=f"the cell has {{value:,.0f}} residents per km², above "
        f"{_fmt(limits.polygon_density_warning_per_km2)}: check it",
        fix="check the counts and the polygon's area",
    )
    total = float(total_per_cell.sum())
    if total > limits.total_error:
        out.append(
            Problem(
                "error",
                "population",
                "+".join(POPULATION_COLUMNS),
                "",
                f"the region holds {total:,.0f} residents in all, above the limit of "
                f"{_fmt(limits.total_error)} (Finland has 5.6 million)",
                "correct the counts at the source",
            )
        )
    return out


def _numbers(doc: object, path: str) -> list[tuple[str, str, object]]:
    """(path, key, value) of every scalar in a parsed TOML document, depth first."""
    out: list[tuple[str, str, object]] = []
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(value, Mapping | list):
                out += _numbers(value, sub)
            else:
                out.append((sub, str(key), value))
    elif isinstance(doc, list):
        for n, value in enumerate(doc):
            out += _numbers(value, f"{path}[{n}]")
    return out


def scenario_value_problems(doc: Mapping[str, Any], where: str = "scenario") -> list[Problem]:
    """Every number of a parsed scenario document outside its :data:`SCENARIO_BOUNDS`.

    Checks ``nan``/``inf`` anywhere, and the limits of the keys named in SCENARIO_BOUNDS wherever
    they occur (``open[0].x``, ``open[0].services.vastaanotto.capacity_per_week``,
    ``policy.access_target_days``...). Keys whose values are not numbers are left to the reader's
    type checks. ``where`` names the file in the problems.
    """
    out: list[Problem] = []
    for path, key, value in _numbers(doc, ""):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        parent = path.rsplit(".", 2)
        bound_key = key
        if key not in SCENARIO_BOUNDS and len(parent) >= 2:
            # capacity_per_week = { vastaanotto = 60 } names the service as the key
            bound_key = parent[-2].split("[")[0]
        bound = SCENARIO_BOUNDS.get(bound_key)
        if bound is None:
            if not math.isfinite(float(value)):
                out.append(
                    Problem(
                        "error",
                        where,
                        path,
                        "",
                        f"{path} is {value!r}, expected a finite number",
                        f"write {path} as a finite number",
                    )
                )
            continue
        problem = value_problem(
            value,
            bound,
            layer=where,
            column=path,
            integer=bound_key in ("year", "condition"),
        )
        if problem is not None:
            out.append(problem)
    return out


def read_text(path: str | Path, *, what: str) -> str:
    """The text of ``path`` read as UTF-8 (a leading BOM dropped).

    Raises
    ------
    InputError
        When the file cannot be read or is not UTF-8 text; the message names the file, the byte
        offset and the fix.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{what} {p}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {p}: not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r}). "
            "Fix: save the file as UTF-8 (in Notepad or Excel: 'Save as', encoding UTF-8)"
        ) from exc


NON_EMPTY_LAYERS: tuple[str, ...] = ("municipalities", "sites", "site_services", "services")
"""Layers that must have rows (an empty population is reported by :mod:`.validate`)."""


def _geometry_problems(frame: gpd.GeoDataFrame, layer: Layer, labels: np.ndarray) -> list[Problem]:
    """Non-finite coordinates, and invalid polygons (self-intersections) where they matter."""
    geom = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    coords, index = shapely.get_coordinates(geom[present], return_index=True)
    bad_rows = np.flatnonzero(present)[np.unique(index[~np.isfinite(coords).all(axis=1)])]
    nonfinite = np.zeros(len(frame), dtype=bool)
    nonfinite[bad_rows] = True
    out = _listed(
        nonfinite,
        labels,
        np.zeros(len(frame)),
        severity="error",
        layer=layer.name,
        column="geometry",
        message="a coordinate is nan or inf",
        fix="give the feature real coordinates in the region's CRS, or remove it",
    )
    polygons = present & ~nonfinite & np.isin(shapely.get_type_id(geom), [3, 6])
    invalid = np.zeros(len(frame), dtype=bool)
    invalid[polygons] = ~shapely.is_valid(geom[polygons])
    if invalid.any():
        reasons = np.full(len(frame), "", dtype=object)
        reasons[invalid] = shapely.is_valid_reason(geom[invalid])
        out += _listed(
            invalid,
            labels,
            reasons,
            severity="warning" if layer.name == "water" else "error",
            layer=layer.name,
            column="geometry",
            message="the polygon is invalid ({value}); points cannot be placed in it reliably",
            fix="repair it (QGIS: Fix geometries; shapely.make_valid) and write the layer again",
        )
    return out


def table_problems(tables: Mapping[str, pd.DataFrame | None]) -> list[Problem]:
    """Plausibility of coerced layers: empty layers, column bounds (:data:`COLUMN_BOUNDS`),
    residents per cell and in all (:data:`POPULATION_LIMITS`), coordinates and polygons."""
    out: list[Problem] = []
    for name, frame in tables.items():
        if frame is None or name not in LAYERS:
            continue
        layer = LAYERS[name]
        labels = row_labels(frame, layer)
        if len(frame) == 0 and name in NON_EMPTY_LAYERS:
            out.append(
                Problem(
                    "error",
                    name,
                    "",
                    "",
                    f"the {name} layer is empty (0 rows)",
                    f"fill the {name} layer (docs/region-format.md)",
                )
            )
            continue
        for (layer_name, column), _ in COLUMN_BOUNDS.items():
            if layer_name == name and column in frame.columns:
                values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
                out += column_problems(name, column, values, labels)
        if (
            layer.geometry
            and isinstance(frame, gpd.GeoDataFrame)
            and frame.geometry.name in frame.columns
        ):
            out += _geometry_problems(frame, layer, labels)
    pop = tables.get("population")
    if pop is not None and len(pop) and all(c in pop.columns for c in POPULATION_COLUMNS):
        counts = pop[list(POPULATION_COLUMNS)].apply(pd.to_numeric, errors="coerce")
        if isinstance(pop, gpd.GeoDataFrame) and pop.geometry.name in pop.columns:
            geom = pop.geometry.to_numpy()
            is_point = np.asarray(shapely.get_type_id(geom) == 0)
            area = np.nan_to_num(shapely.area(geom) / 1e6)
        else:
            is_point, area = np.ones(len(pop), dtype=bool), np.zeros(len(pop))
        out += population_problems(
            counts.to_numpy(dtype=np.float64),
            row_labels(pop, LAYERS["population"]),
            is_point=is_point,
            area_km2=area,
        )
    return out
