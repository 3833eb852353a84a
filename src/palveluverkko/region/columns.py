"""Coercing layer columns to their canonical types, collecting a Problem for every bad value.

Canonical types (the form every Region holds and every reader returns):

- ``str``: pandas' string dtype, missing as NaN;
- ``int``: ``int64``, or ``Int64`` (nullable) where the column may be empty;
- ``float``: ``float64``;
- ``date``: ``datetime64[ms]`` at midnight, missing as NaT;
- ``bool``: ``bool``.

A float column whose values are all whole numbers is accepted for an ``int`` column (QGIS and
Excel often store counts as REAL); a fractional value is an error, as is text where a number is due.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from .schema import Column, Layer

MAX_LISTED = 20  # per column and kind of problem, rows listed one by one before summarising

_NO_BLOB = {"string", "integer", "floating", "mixed-integer-float", "boolean", "empty", "date"}
"""pandas' inferred kinds of an object column that hold no binary value."""
_TRUE = {"true", "1", "yes", "y", "t", "kyllä", "k", "ja"}
_FALSE = {"false", "0", "no", "n", "f", "ei", "nej"}


def row_labels(frame: pd.DataFrame, layer: Layer) -> np.ndarray:
    """Labels that name rows in messages: the id column where present, else the row number."""
    numbers = np.array([f"#{i}" for i in range(len(frame))], dtype=object)
    if layer.id_column and layer.id_column in frame.columns:
        ids = frame[layer.id_column].astype(object)
        missing = np.asarray(pd.isna(ids.to_numpy()), dtype=bool)
        labels = ids.astype(str).to_numpy(dtype=object)
        labels[missing] = numbers[missing]
        return labels
    return numbers


def _problems_for_rows(
    bad: np.ndarray,
    labels: np.ndarray,
    values: Sequence[object],
    *,
    layer: Layer,
    column: Column,
    message: str,
    fix: str,
) -> list[Problem]:
    """One Problem per bad row (the first MAX_LISTED), then one that counts the rest."""
    rows = np.flatnonzero(bad)
    out = [
        Problem(
            "error",
            layer.name,
            column.name,
            str(labels[i]),
            message.format(value=_show(values[i])),
            fix,
        )
        for i in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        out.append(
            Problem(
                "error",
                layer.name,
                column.name,
                "",
                f"{len(rows) - MAX_LISTED} more rows with the same problem ({len(rows)} in all)",
                fix,
            )
        )
    return out


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def coerce_column(
    series: pd.Series, column: Column, layer: Layer, labels: np.ndarray
) -> tuple[pd.Series, list[Problem]]:
    """Return ``series`` in the canonical type of ``column`` and the problems found on the way."""
    values = series.astype(object).to_numpy()
    missing = np.asarray(pd.isna(values), dtype=bool)
    problems: list[Problem] = []
    if missing.any() and not column.nullable:
        problems += _problems_for_rows(
            missing,
            labels,
            values,
            layer=layer,
            column=column,
            message="value is empty; a value is required",
            fix=f"fill in {column.name} for this row or remove the row",
        )

    blob = np.zeros(len(values), dtype=bool)
    if series.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in _NO_BLOB:
        blob = np.array([isinstance(v, bytes | bytearray | memoryview) for v in values], bool)
    if blob.any():
        problems += _problems_for_rows(
            blob,
            labels,
            [""] * len(values),
            layer=layer,
            column=column,
            message="found binary data (an SQLite BLOB), expected " + column.type,
            fix=f"store {column.name} as {column.type} values",
        )
        values = np.where(blob, None, values)
        missing |= blob
        series = pd.Series(values, index=series.index, dtype=object)

    kind = column.type
    if kind == "str":
        out = pd.Series(
            [np.nan if m else str(v) for v, m in zip(values, missing, strict=True)],
            index=series.index,
            dtype="str",
        )
        return out, problems

    if kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(series.dtype):
            numbers = series.astype(np.float64)
            bad_text = np.zeros(len(series), dtype=bool)
        else:
            numbers = pd.to_numeric(series, errors="coerce").astype(np.float64)
            bad_text = ~missing & numbers.isna().to_numpy()
        if bad_text.any():
            problems += _problems_for_rows(
                bad_text,
                labels,
                values,
                layer=layer,
                column=column,
                message="found {value}, expected a number" + (" (whole)" if kind == "int" else ""),
                fix=f"store {column.name} as a {'whole ' if kind == 'int' else ''}number",
            )
        arr = numbers.to_numpy()
        infinite = np.isinf(arr)
        if infinite.any():
            problems += _problems_for_rows(
                infinite,
                labels,
                values,
                layer=layer,
                column=column,
                message="found {value}, expected a finite number",
                fix=f"correct {column.name}; leave it empty where it is not known"
                if column.nullable
                else f"correct {column.name}",
            )
            arr = np.where(infinite, np.nan, arr)
        if kind == "float":
            return pd.Series(arr, index=series.index, dtype=np.float64), problems
        finite = np.isfinite(arr)
        fractional = finite & (arr != np.round(arr))
        if fractional.any():
            problems += _problems_for_rows(
                fractional,
                labels,
                values,
                layer=layer,
                column=column,
                message="found {value}, expected a whole number",
                fix=f"round {column.name} to whole numbers at the source, conserving the total",
            )
        ints = np.where(finite & ~fractional, np.round(arr), np.nan)
        if column.nullable:
            return pd.Series(pd.array(ints, dtype="Int64"), index=series.index), problems
        return (
            pd.Series(np.nan_to_num(ints, nan=0.0).astype(np.int64), index=series.index),
            problems,
        )

    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            dates = pd.to_datetime(series)
        else:
            text = pd.Series(
                [None if m else str(v).strip() for v, m in zip(values, missing, strict=True)],
                index=series.index,
                dtype=object,
            )
            dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
        bad_date = ~missing & dates.isna().to_numpy()
        if bad_date.any():
            problems += _problems_for_rows(
                bad_date,
                labels,
                values,
                layer=layer,
                column=column,
                message="found {value}, expected a date YYYY-MM-DD or empty",
                fix=f"write {column.name} as an ISO date such as 2027-06-30, or leave it empty",
            )
        dates = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
        return dates.dt.normalize().astype("datetime64[ms]"), problems

    # bool
    def to_bool(v: object) -> bool | None:
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | np.integer | float | np.floating) and v in (0, 1):
            return bool(v)
        text = str(v).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return None

    parsed = [None if m else to_bool(v) for v, m in zip(values, missing, strict=True)]
    bad_bool = np.array([(p is None) and not m for p, m in zip(parsed, missing, strict=True)])
    if bad_bool.any():
        problems += _problems_for_rows(
            bad_bool,
            labels,
            values,
            layer=layer,
            column=column,
            message="found {value}, expected true or false",
            fix=f"write {column.name} as true/false (or 1/0)",
        )
    return pd.Series([bool(p) for p in parsed], index=series.index, dtype=bool), problems


def coerce_layer(frame: pd.DataFrame, layer: Layer) -> tuple[pd.DataFrame, list[Problem]]:
    """Coerce every known column of ``frame`` to its canonical type.

    Missing required columns are reported (with the columns found); unknown extra columns are kept
    as they are. Returns a new frame and the problems.
    """
    problems: list[Problem] = []
    out = frame.copy()
    labels = row_labels(frame, layer)
    found = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    for column in layer.columns:
        if column.name not in frame.columns:
            if column.required:
                problems.append(
                    Problem(
                        "error",
                        layer.name,
                        column.name,
                        "",
                        f"column {column.name} is missing (found: {', '.join(map(str, found))})",
                        f"add column {column.name} ({column.type}"
                        + (f": {column.description}" if column.description else "")
                        + ")",
                    )
                )
            continue
        out[column.name], found_problems = coerce_column(frame[column.name], column, layer, labels)
        problems += found_problems
    return out, problems
