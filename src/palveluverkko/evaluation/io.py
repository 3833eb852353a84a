"""Writing evaluations and comparisons: GeoPackage (opens in QGIS), CSV and Excel.

:func:`write_evaluation` writes into a folder:

- ``results.gpkg``: layers ``cells`` (cell geometry, one feature per cell x service, the columns
  of ``Evaluation.cells``), ``sites`` (points, one per site x service), ``municipalities``
  (polygons, one per municipality x service, with the one-site rule). Unreachable times (``inf``)
  are written as NULL with a ``car_reachable`` flag, since GIS tools do not show infinities.
- ``<table>.csv`` for every table (UTF-8, ``.`` decimal), including ``cells``; ``travel`` and
  ``flows`` as ``<table>.parquet`` (:data:`PARQUET_TABLES`; ~0.8 M rows for a county).
- ``results.xlsx``: summary, municipalities, bands, settlements, sites, equity, losers, capacity
  and costs (``cells`` and ``travel`` are left out of Excel: they can exceed its row limit; they
  are in the CSV files).

:func:`write_comparison` writes both evaluations into ``base/`` and ``scenario/`` and the
comparison tables into ``comparison.xlsx`` and ``comparison_<table>.csv``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .comparison import Comparison
from .gpkg_styles import add_layer_styles
from .result import Evaluation

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["PARQUET_TABLES", "evaluation_tables", "write_comparison", "write_evaluation"]

PARQUET_TABLES: frozenset[str] = frozenset({"travel", "flows"})
"""Tables written as Parquet, not CSV: about 0.8 M rows for a county (a 100 MB CSV)."""


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
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].where(np.isfinite(out[c].to_numpy()), np.nan)
    return out


def _excel(path: Path, tables: dict[str, pd.DataFrame], lang: str = "fi") -> None:
    """One sheet per table in ``lang`` and an explanation sheet (:mod:`.workbook`)."""
    from .workbook import write_workbook

    write_workbook(path, tables, lang)


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


def write_evaluation(ev: Evaluation, out_dir: str | Path, *, excel: bool = True) -> list[Path]:
    """Write ``ev`` into ``out_dir``; return the files written.

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
        files = _write_evaluation_files(ev, tmp, excel=excel)
    log.info("wrote %d files to %s", len(files), target)
    return _moved(files, tmp, target)


def _write_evaluation_files(ev: Evaluation, out: Path, *, excel: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    region = ev.region
    gpkg = out / "results.gpkg"
    geom = region.population.set_index(region.population["cell_id"].astype(str)).geometry
    cells = ev.cells.assign(car_reachable=np.isfinite(ev.cells["car_minutes"].to_numpy()))
    cells_g = gpd.GeoDataFrame(
        _finite(cells), geometry=geom.reindex(cells["cell_id"]).to_numpy(), crs=region.crs
    )
    cells_g.to_file(gpkg, layer="cells", driver="GPKG")
    union = pd.concat([ev.base_region.sites, region.sites], ignore_index=True)
    union = union.drop_duplicates("site_id").set_index(union["site_id"].drop_duplicates())
    site_geom = union.geometry
    sites_g = gpd.GeoDataFrame(
        _finite(ev.sites),
        geometry=site_geom.reindex(ev.sites["site_id"]).to_numpy(),
        crs=region.crs,
    )
    sites_g.to_file(gpkg, layer="sites", driver="GPKG")
    mgeom = region.municipalities.set_index(region.municipalities["code"].astype(str)).geometry
    munis_g = gpd.GeoDataFrame(
        _finite(ev.municipalities),
        geometry=mgeom.reindex(ev.municipalities["municipality"]).to_numpy(),
        crs=region.crs,
    )
    munis_g.to_file(gpkg, layer="municipalities", driver="GPKG")
    add_layer_styles(gpkg)  # QGIS opens the layers coloured like the report
    written.append(gpkg)
    tables = evaluation_tables(ev)
    for name, frame in tables.items():
        if name in PARQUET_TABLES:
            path = out / f"{name}.parquet"
            frame.to_parquet(path, index=False)
        else:
            path = out / f"{name}.csv"
            frame.to_csv(path, index=False)
        written.append(path)
    if excel:
        path = out / "results.xlsx"
        _excel(path, {k: v for k, v in tables.items() if k not in ("cells", "travel")})
        written.append(path)
    scenario_path = out / "scenario.toml"
    scenario_path.write_text(ev.scenario.to_toml(), encoding="utf-8")
    written.append(scenario_path)
    return written


def write_comparison(
    cmp: Comparison, out_dir: str | Path, *, excel: bool = True, evaluations: bool = True
) -> list[Path]:
    """Write the comparison tables into ``out_dir`` (and, with ``evaluations``, both evaluations
    into ``base/`` and ``scenario/`` under it); return the files. Written whole or not at all,
    as :func:`write_evaluation`."""
    from ..atomic import output_folder

    target = Path(out_dir)
    about = {"base": _about(cmp.base), "scenario": _about(cmp.other)}
    with output_folder(target, about=about) as tmp:
        files = _write_comparison_files(cmp, tmp, excel=excel, evaluations=evaluations)
    return _moved(files, tmp, target)


def _write_comparison_files(
    cmp: Comparison, out: Path, *, excel: bool, evaluations: bool
) -> list[Path]:
    written: list[Path] = []
    if evaluations:
        written += _write_evaluation_files(cmp.base, out / "base", excel=excel)
        written += _write_evaluation_files(cmp.other, out / "scenario", excel=excel)
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
    for name, frame in present.items():
        path = out / f"comparison_{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    if excel:
        path = out / "comparison.xlsx"
        _excel(path, present)
        written.append(path)
    return written
