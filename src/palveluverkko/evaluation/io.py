"""Writing evaluations and comparisons: Parquet, GeoPackage (opens in QGIS), CSV and Excel.

:func:`write_evaluation` writes into a folder:

- ``cells.parquet``: ``Evaluation.cells`` whole (one row per cell x service, every column) as
  GeoParquet with the cell polygon in ``geometry``; ``travel``, ``losers``, ``unserved``,
  ``approximate``, ``unreachable`` and ``flows`` as ``<table>.parquet`` without geometry
  (:data:`PARQUET_TABLES`: the tables of a row per cell, up to about a million rows for a
  county). Parquet keeps the types and ``inf`` (unreachable) as they are.
- ``results.gpkg``: layers ``cells`` (one polygon per cell, :func:`wide_cells`: the cell's own
  columns then a column ``<service>__<figure>`` per service and figure, so QGIS opens one layer
  and styles any service by choosing a column), ``sites`` (points, one per site x service),
  ``municipalities`` (polygons, one per municipality x service, with the one-site rule).
  Unreachable times (``inf``) are written as NULL with a ``<service>__car_reachable`` flag,
  since GIS tools do not show infinities.
- ``<table>.csv`` for every other table (UTF-8, ``.`` decimal): the summaries, of a row per
  service, municipality, site, band, year and so on (hundreds of rows, whatever the region).
- ``results.xlsx``: the same summary tables, a sheet each.

The files of one evaluation, and the two evaluations of a comparison, are written in parallel
threads (pyogrio and pyarrow release the GIL while they write).

:func:`write_comparison` writes both evaluations into ``base/`` and ``scenario/`` and the
comparison tables into ``comparison.xlsx`` and ``comparison_<table>.csv``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .comparison import Comparison
from .gpkg_styles import add_layer_styles
from .result import Evaluation

log = logging.getLogger("palveluverkko.evaluation")

__all__ = [
    "CELL_COLUMNS",
    "PARQUET_TABLES",
    "evaluation_tables",
    "wide_cells",
    "write_comparison",
    "write_evaluation",
]

PARQUET_TABLES: frozenset[str] = frozenset(
    {"cells", "travel", "flows", "losers", "unserved", "approximate", "unreachable"}
)
"""Tables of a row per cell (x service, x site, x mode), written as Parquet, not CSV or Excel:
up to about a million rows for a county, millions for all of Finland (Excel's limit is
1,048,576 rows and a CSV of them is slow to write and to read)."""

CELL_COLUMNS: tuple[str, ...] = (
    "cell_id",
    "municipality",
    "settlement",
    "residents",
    "residents_75_plus",
)
"""The columns of ``Evaluation.cells`` that belong to the cell, not to a service: one column
each in the wide ``cells`` layer; every other column is repeated per service."""

WIDE_SEPARATOR = "__"
"""Between service and figure in the wide layer's column names (``vastaanotto__car_minutes``);
no figure name contains it, so a name splits at its last ``__``."""


def evaluation_tables(ev: Evaluation) -> dict[str, pd.DataFrame]:
    """The evaluation's tables by name (None tables left out)."""
    tables: dict[str, pd.DataFrame | None] = {
        "summary": ev.summary_table,
        "municipalities": ev.municipalities,
        "bands": ev.bands,
        "settlements": ev.settlements,
        "sites": ev.sites,
        "equity": ev.equity,
        "losers": ev.losers,
        "unserved": ev.unserved,
        "channels": ev.channels if len(ev.channels.columns) else None,
        "transfers": ev.transfers if len(ev.transfers.columns) else None,
        "unreachable": ev.unreachable if len(ev.unreachable.columns) else None,
        "approximate": ev.approximate if len(ev.approximate) else None,
        "mobile_stops": ev.mobile_stops if len(ev.mobile_stops) else None,
        "mobile_timetable": ev.mobile_timetable if len(ev.mobile_timetable) else None,
        "home_care": ev.home_care if len(ev.home_care) else None,
        "digital": ev.digital if len(ev.digital) else None,
        "packages": ev.packages if len(ev.packages) else None,
        "staff": ev.staff if len(ev.staff) else None,
        "flows": ev.flows,
        "capacity": ev.capacity,
        "costs": ev.costs,
        "cells": ev.cells,
        "travel": ev.travel,
    }
    return {k: v for k, v in tables.items() if v is not None}


def _finite(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``inf`` and ``-inf`` as NaN in its float columns (GIS tools and Excel show
    no infinities); a column without one is left as it is, and ``frame`` is not changed."""
    replaced: dict[str, np.ndarray] = {}
    for c in frame.columns:
        if pd.api.types.is_float_dtype(frame[c]):
            values = frame[c].to_numpy()
            infinite = np.isinf(values)
            if infinite.any():
                replaced[c] = np.where(infinite, np.nan, values)
    if not replaced:
        return frame
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame stays as it is
    for c, values in replaced.items():
        out[c] = values
    return out


def _excel(path: Path, tables: dict[str, pd.DataFrame], lang: str) -> None:
    """One sheet per table in ``lang`` and an explanation sheet (:mod:`.workbook`)."""
    from .workbook import write_workbook

    write_workbook(path, tables, lang)


def wide_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """``Evaluation.cells`` one row per cell: :data:`CELL_COLUMNS`, then for each service (in
    the order of ``cells``) its figures as ``<service>__<figure>`` and ``<service>__car_reachable``
    (False where no site of the service can be reached by car; NULL times there).

    A cell missing for a service has empty figures for it. Values are as in ``cells`` (``inf``
    included); the GeoPackage writer turns ``inf`` into NULL.
    """
    if cells.empty:
        return cells.loc[:, [c for c in CELL_COLUMNS if c in cells.columns]].copy()
    figures = [c for c in cells.columns if c not in CELL_COLUMNS and c != "service"]
    frame = cells.assign(car_reachable=np.isfinite(cells["car_minutes"].to_numpy()))
    figures.append("car_reachable")
    cell_ids = pd.Index(pd.unique(frame["cell_id"]), name="cell_id")
    first = frame.drop_duplicates("cell_id").set_index("cell_id")
    out = {c: first[c].reindex(cell_ids).to_numpy() for c in CELL_COLUMNS[1:] if c in first}
    for service, block in frame.groupby("service", sort=False):
        rows = block.set_index("cell_id").reindex(cell_ids)
        for figure in figures:
            column = rows[figure]
            if figure in ("approximate", "car_reachable"):
                # a cell missing for the service is neither approximate nor reachable
                column = column.astype("boolean").fillna(False).astype(bool)
            out[f"{service}{WIDE_SEPARATOR}{figure}"] = column.to_numpy()
    return pd.DataFrame(out, index=cell_ids).reset_index()


def _about(ev: Evaluation) -> dict[str, object]:
    """What a result folder was written from (for its marker file)."""
    return {
        "region": ev.base_region.name,
        "scenario": ev.scenario.name,
        "year": ev.year,
        "modes": list(ev.modes),
    }


def _moved(files: list[Path], tmp: Path, target: Path) -> list[Path]:
    return [target / p.relative_to(tmp) for p in files]


def _run(jobs: list[Callable[[], list[Path]]]) -> list[Path]:
    """Run ``jobs`` in threads; the files they wrote, in the order of ``jobs``.

    The first error is raised after every job has ended (no file is left half-written behind
    the caller's back; the atomic output folder then drops them all)."""
    if len(jobs) == 1:
        return jobs[0]()
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="write") as pool:
        futures = [pool.submit(job) for job in jobs]
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error
    return [p for f in futures for p in f.result()]


def write_evaluation(
    ev: Evaluation, out_dir: str | Path, *, excel: bool = True, lang: str = "fi"
) -> list[Path]:
    """Write ``ev`` into ``out_dir``; return the files written.

    ``lang`` (fi, sv, en) is the language of ``results.xlsx``'s sheet names, headers and
    explanation sheet; the CSV and Parquet files keep the English column names of
    docs/outputs.md whatever the language (scripts read them).

    The folder is written whole or not at all (:func:`palveluverkko.atomic.output_folder`): a
    killed run leaves the earlier result as it was, files of an earlier result that this one
    does not write are gone, and a second process writing the same folder fails clearly.

    Raises
    ------
    InputError
        ``out_dir`` holds files palveluverkko did not write.
    OutputBusyError
        Another process is writing ``out_dir``.
    """
    from ..atomic import output_folder

    target = Path(out_dir)
    with output_folder(target, about=_about(ev)) as tmp:
        files = _run(_evaluation_jobs(ev, tmp, excel=excel, lang=lang))
    log.info("wrote %d files to %s", len(files), target)
    return _moved(files, tmp, target)


def _geopackage(ev: Evaluation, path: Path) -> list[Path]:
    """``results.gpkg``: the wide ``cells`` layer, ``sites`` and ``municipalities``."""
    region = ev.region
    wide = wide_cells(ev.cells)
    geom = region.population.set_index(region.population["cell_id"].astype(str)).geometry
    cells_g = gpd.GeoDataFrame(
        _finite(wide), geometry=geom.reindex(wide["cell_id"].astype(str)).to_numpy(), crs=region.crs
    )
    cells_g.to_file(path, layer="cells", driver="GPKG", use_arrow=True)
    union = pd.concat([ev.base_region.sites, region.sites], ignore_index=True)
    union = union.drop_duplicates("site_id").set_index(union["site_id"].drop_duplicates())
    sites_g = gpd.GeoDataFrame(
        _finite(ev.sites),
        geometry=union.geometry.reindex(ev.sites["site_id"]).to_numpy(),
        crs=region.crs,
    )
    sites_g.to_file(path, layer="sites", driver="GPKG", use_arrow=True)
    mgeom = region.municipalities.set_index(region.municipalities["code"].astype(str)).geometry
    munis_g = gpd.GeoDataFrame(
        _finite(ev.municipalities),
        geometry=mgeom.reindex(ev.municipalities["municipality"]).to_numpy(),
        crs=region.crs,
    )
    munis_g.to_file(path, layer="municipalities", driver="GPKG", use_arrow=True)
    add_layer_styles(path)  # QGIS opens the layers coloured like the report
    return [path]


def _cells_parquet(ev: Evaluation, path: Path) -> list[Path]:
    """``cells.parquet``: ``Evaluation.cells`` as GeoParquet, the cell polygon in ``geometry``."""
    region = ev.region
    geom = region.population.set_index(region.population["cell_id"].astype(str)).geometry
    cells = gpd.GeoDataFrame(
        ev.cells,
        geometry=geom.reindex(ev.cells["cell_id"].astype(str)).to_numpy(),
        crs=region.crs,
    )
    cells.to_parquet(path, index=False)
    return [path]


def _parquet(frame: pd.DataFrame, path: Path) -> list[Path]:
    frame.to_parquet(path, index=False)
    return [path]


def _tables(
    tables: dict[str, pd.DataFrame], out: Path, prefix: str, book: str | None, lang: str
) -> list[Path]:
    """The summary tables as ``<prefix><name>.csv`` and, with ``book``, one workbook."""
    written = []
    for name, frame in tables.items():
        path = out / f"{prefix}{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    if book is not None:
        path = out / book
        _excel(path, tables, lang)
        written.append(path)
    return written


def _evaluation_jobs(
    ev: Evaluation, out: Path, *, excel: bool, lang: str
) -> list[Callable[[], list[Path]]]:
    """The writes of one evaluation into ``out``, independent of each other."""
    out.mkdir(parents=True, exist_ok=True)
    tables = evaluation_tables(ev)
    small = {k: v for k, v in tables.items() if k not in PARQUET_TABLES}

    def summaries() -> list[Path]:
        files = _tables(small, out, "", "results.xlsx" if excel else None, lang)
        path = out / "scenario.toml"
        path.write_text(ev.scenario.to_toml(), encoding="utf-8")
        return [*files, path]

    jobs: list[Callable[[], list[Path]]] = [
        partial(_geopackage, ev, out / "results.gpkg"),
        partial(_cells_parquet, ev, out / "cells.parquet"),
    ]
    for name in sorted(PARQUET_TABLES - {"cells"}):
        if name in tables:
            jobs.append(partial(_parquet, tables[name], out / f"{name}.parquet"))
    jobs.append(summaries)
    return jobs


def write_comparison(
    cmp: Comparison,
    out_dir: str | Path,
    *,
    excel: bool = True,
    evaluations: bool = True,
    lang: str = "fi",
) -> list[Path]:
    """Write the comparison tables into ``out_dir`` (and, with ``evaluations``, both evaluations
    into ``base/`` and ``scenario/`` under it); return the files. Written whole or not at all,
    as :func:`write_evaluation`; ``lang`` is the workbooks' language."""
    from ..atomic import output_folder

    target = Path(out_dir)
    about = {"base": _about(cmp.base), "scenario": _about(cmp.other)}
    with output_folder(target, about=about) as tmp:
        files = _run(_comparison_jobs(cmp, tmp, excel=excel, evaluations=evaluations, lang=lang))
    return _moved(files, tmp, target)


def _comparison_jobs(
    cmp: Comparison, out: Path, *, excel: bool, evaluations: bool, lang: str
) -> list[Callable[[], list[Path]]]:
    jobs: list[Callable[[], list[Path]]] = []
    if evaluations:
        jobs += _evaluation_jobs(cmp.base, out / "base", excel=excel, lang=lang)
        jobs += _evaluation_jobs(cmp.other, out / "scenario", excel=excel, lang=lang)
    tables: dict[str, pd.DataFrame | None] = {
        "headline": cmp.headline,
        "access": cmp.access,
        "equity": cmp.equity,
        "affected": cmp.affected,
        "substitutes": cmp.substitutes,
        "municipality_rule": cmp.municipality_rule,
        "costs": cmp.costs,
    }
    present = {k: v for k, v in tables.items() if v is not None}
    book = "comparison.xlsx" if excel else None
    jobs.append(partial(_tables, present, out, "comparison_", book, lang))
    return jobs
