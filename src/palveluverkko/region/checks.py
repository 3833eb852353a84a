"""Checks of plain values at the input boundary, against the bounds of :mod:`.limits`.

Every number a region package or a scenario brings in is checked against a
:class:`~.limits.Bound`: non-finite values (``nan``, ``inf``) are always errors; values outside
the *error* range are impossible (an error naming the limit); values beyond the *warning* limit
are possible but suspicious (a warning naming the limit).

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
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError, Problem
from .columns import MAX_LISTED, row_labels
from .limits import (
    COLUMN_BOUNDS,
    MIN_CAPACITY_PER_WEEK,
    MINIMUM_HERE,
    POPULATION_LIMITS,
    SCENARIO_BOUNDS,
    Bound,
    PopulationLimits,
    fmt,
)
from .schema import LAYERS, POPULATION_COLUMNS, Layer

__all__ = [
    "column_problems",
    "population_problems",
    "read_text",
    "scenario_value_problems",
    "table_problems",
    "value_problem",
]


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
        message = f"{column} is {fmt(number)}, outside the plausible range {bound.describe()}"
    else:
        message = (
            f"{column} is {fmt(number)}, above {fmt(bound.warn_above or 0.0)} {bound.unit}: "
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
        message=f"found {{value:g}}, above the limit of {fmt(bound.maximum)} {bound.unit}",
        fix=fix,
    )
    if (layer, column) in MINIMUM_HERE:
        out += _listed(
            present & (v < bound.minimum),
            labels,
            v,
            severity="error",
            layer=layer,
            column=column,
            message=f"found {{value:g}}, expected at least {fmt(bound.minimum)} {bound.unit}",
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
            message=f"found {{value:g}}, below {fmt(MIN_CAPACITY_PER_WEEK)} contact a week",
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
            message=f"found {{value:g}}, expected more than {fmt(bound.minimum)} {bound.unit}",
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
            message=f"found {{value:g}}, above {fmt(bound.warn_above)} {bound.unit}: check it",
            fix=f"check {column}; the limit of an error is {fmt(bound.maximum)} {bound.unit}",
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
        f"{fmt(limits.cell_error)} (more than any Finnish municipality but Helsinki)",
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
        message=f"the cell holds {{value:,.0f}} residents, above {fmt(limits.point_cell_warning)} "
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
        f"{fmt(limits.polygon_density_warning_per_km2)}: check it",
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
                f"{fmt(limits.total_error)} (Finland has 5.6 million)",
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
