"""Reading ``region.gpkg`` so that what is checked is what is stored.

A GeoPackage is an SQLite database and its columns are SQLite columns: a column declared
``INTEGER`` may hold the text ``'many'`` or the real ``2.5``. GDAL (and so pyogrio) coerces such
a value to the declared type (``'many'`` becomes 0, ``2.5`` becomes 2) with at most a warning.
Here the columns of the format (:mod:`.schema`) are read straight from SQLite, as stored (int,
float, str, bytes or None), so that :func:`~palveluverkko.region.columns.coerce_column` sees the
text and the fraction and reports them; pyogrio reads only the geometry, the CRS and the columns
the format does not know (kept as they are).

Broken files (empty, truncated, not SQLite, not a GeoPackage, a layer that cannot be read) become
:class:`~palveluverkko.errors.Problem` s naming the file and the layer; nothing here raises on a bad
file.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from ..errors import Problem
from .schema import LAYERS, Layer

logger = logging.getLogger("palveluverkko.region")

GPKG_NAME = "region.gpkg"
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class ReadLayers:
    """Layers read from a GeoPackage (None where absent or unreadable) and what reading found."""

    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what reading changed (reprojections)


def _file_problem(message: str, fix: str, *, layer: str = GPKG_NAME) -> Problem:
    return Problem("error", layer, "", "", message, fix)


_REWRITE = (
    "write the package again with palveluverkko.write_region or an importer, or restore "
    "region.gpkg from a copy"
)


def open_problems(path: Path) -> list[Problem]:
    """Problems that make ``path`` unusable as a GeoPackage at all (empty, not SQLite, damaged,
    no ``gpkg_contents``); an empty list when it can be read."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return [_file_problem(f"{path} cannot be read ({exc.strerror or exc})", _REWRITE)]
    if size == 0:
        return [_file_problem(f"{path} is empty (0 bytes)", _REWRITE)]
    if head != SQLITE_MAGIC:
        return [
            _file_problem(
                f"{path} is not a GeoPackage: it does not start with the SQLite header "
                f"(found {head[:16]!r}, {size} bytes)",
                _REWRITE,
            )
        ]
    try:
        with closing(_connect(path)) as con:
            check = con.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                first = "; ".join(str(r[0]) for r in check[:3])
                return [_file_problem(f"{path} is damaged (SQLite quick_check: {first})", _REWRITE)]
            con.execute("SELECT table_name FROM gpkg_contents LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        return [
            _file_problem(
                f"{path} is damaged or not a GeoPackage ({exc}); it may be truncated "
                "(an interrupted copy)",
                _REWRITE,
            )
        ]
    return []


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _present_layers(con: sqlite3.Connection) -> dict[str, str]:
    """Layer name -> data type (``features`` or ``attributes``) from ``gpkg_contents``."""
    return {
        str(n): str(t) for n, t in con.execute("SELECT table_name, data_type FROM gpkg_contents")
    }


def _raw_columns(
    con: sqlite3.Connection, table: str, names: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """The columns ``names`` of ``table`` as stored (object dtype), indexed by rowid (the fid);
    also the names of every column the table has."""
    info = con.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    have = [str(r[1]) for r in info]
    wanted = [n for n in names if n in have]
    select = ", ".join(["rowid", *(_quote(n) for n in wanted)])
    rows = con.execute(f"SELECT {select} FROM {_quote(table)} ORDER BY rowid").fetchall()
    by_column = list(zip(*rows, strict=True)) if rows else [()] * (len(wanted) + 1)
    fids = list(by_column[0])
    data = {}
    for i, n in enumerate(wanted):
        stored = {
            str(t[0])
            for t in con.execute(f"SELECT DISTINCT typeof({_quote(n)}) FROM {_quote(table)}")
        }
        values = list(by_column[i + 1])
        data[n] = pd.Series(_typed(values, stored), index=fids)
    return pd.DataFrame(data, index=pd.Index(fids, dtype="int64")), have


def _typed(values: list[object], stored: set[str]) -> np.ndarray:
    """``values`` as an array of the one type SQLite stored them in (float64 with nan for
    numbers and NULLs, int64 for integers only); object (as stored) when kinds are mixed with text
    or binary, so that the column's checks see every value as it is."""
    if stored <= {"integer"}:
        return np.array(values, dtype=np.int64)
    if stored <= {"integer", "real", "null"} and not (
        "integer" in stored and any(isinstance(v, int) and abs(v) > 2**53 for v in values)
    ):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _read_one(
    path: Path, con: sqlite3.Connection, layer: Layer, crs: str, target: CRS | None, out: ReadLayers
) -> pd.DataFrame | None:
    """One layer: format columns from SQLite as stored, the rest and geometry through pyogrio."""
    known = [c.name for c in layer.columns]
    raw, have = _raw_columns(con, layer.name, known)
    geometry_columns = {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer.name,)
        )
    }
    extras = [c for c in have if c not in known and c not in geometry_columns and c != "fid"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pyogrio.read_dataframe(path, layer=layer.name, columns=extras, fid_as_index=True)
    for w in caught:  # GDAL's notes on columns the format does not define; ours are read raw
        logger.info("%s: layer %s: %s", GPKG_NAME, layer.name, w.message)
    if len(frame) != len(raw):
        out.problems.append(
            _file_problem(
                f"layer {layer.name} has {len(raw)} rows in SQLite but GDAL reads {len(frame)}",
                _REWRITE,
                layer=layer.name,
            )
        )
        return None
    frame = frame.sort_index()
    if not raw.index.equals(frame.index):
        out.problems.append(
            _file_problem(
                f"layer {layer.name}: GDAL's feature ids do not match the SQLite rowids "
                "(the table has no integer primary key)",
                _REWRITE,
                layer=layer.name,
            )
        )
        return None
    for name in raw.columns:
        frame[name] = raw[name]
    order = [c for c in known if c in frame.columns] + [c for c in frame.columns if c not in known]
    frame = frame[order].reset_index(drop=True)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        frame = _in_region_crs(frame, layer, crs, target, out)
    elif layer.geometry:
        frame = gpd.GeoDataFrame(frame)
    return frame


def _in_region_crs(
    frame: gpd.GeoDataFrame, layer: Layer, crs: str, target: CRS | None, out: ReadLayers
) -> gpd.GeoDataFrame:
    if frame.crs is None:
        out.problems.append(
            Problem(
                "error",
                layer.name,
                "geometry",
                "",
                "the layer has no coordinate reference system",
                f"assign the layer's CRS (e.g. {crs}) in QGIS or with GeoDataFrame.set_crs, "
                "and write it again",
            )
        )
    elif target is not None and not CRS.from_user_input(frame.crs).equals(target):
        note = f"layer {layer.name} was in {frame.crs.to_string()}; reprojected to {crs}"
        logger.info(note)
        out.notes.append(note)
        out.problems.append(
            Problem(
                "warning",
                layer.name,
                "geometry",
                "",
                note,
                f"store the layer in {crs} to skip the reprojection",
            )
        )
        frame = frame.to_crs(target)
    return frame


def read_layers(
    path: Path, crs: str, *, progress: Callable[[int, int], None] | None = None
) -> ReadLayers:
    """Read every layer of the GeoPackage at ``path`` leniently (module docstring).

    Parameters
    ----------
    path
        The ``region.gpkg`` file.
    crs
        The region's CRS; layers stored in another are reprojected (a warning Problem says so).
    progress
        Called with ``(layers done, layers in all)``.
    """
    out = ReadLayers()
    out.tables = dict.fromkeys(LAYERS)
    if not path.is_file():
        out.problems.append(
            _file_problem(
                f"{GPKG_NAME} is "
                + ("a folder, not a file" if path.is_dir() else "missing from the package"),
                "write the layers with palveluverkko.write_region or an importer",
            )
        )
        return out
    broken = open_problems(path)
    if broken:
        out.problems += broken
        return out
    try:
        target: CRS | None = CRS.from_user_input(crs)
    except Exception:  # reported by check_crs
        target = None
    with closing(_connect(path)) as con:
        present = _present_layers(con)
        for done, (name, layer) in enumerate(LAYERS.items()):
            if progress is not None:
                progress(done, len(LAYERS))
            if name not in present:
                if layer.required:
                    out.problems.append(
                        Problem(
                            "error",
                            name,
                            "",
                            "",
                            f"required layer {name} is missing from {GPKG_NAME} "
                            f"(found: {', '.join(sorted(present)) or 'none'})",
                            f"add the {name} layer (see docs/region-format.md)",
                        )
                    )
                continue
            try:
                out.tables[name] = _read_one(path, con, layer, crs, target, out)
            except Exception as exc:  # any reader failure is a problem of this layer, not a crash
                logger.info("reading layer %s failed", name, exc_info=True)
                out.problems.append(
                    _file_problem(
                        f"layer {name} of {GPKG_NAME} cannot be read ({type(exc).__name__}: {exc})",
                        f"open the layer in QGIS to repair it, or {_REWRITE}",
                        layer=name,
                    )
                )
        if progress is not None:
            progress(len(LAYERS), len(LAYERS))
    return out
