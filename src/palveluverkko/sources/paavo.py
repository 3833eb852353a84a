"""Population from Statistics Finland's Paavo CSV joined to postal-code polygons.

The CSV (latin-1, comma-separated) has one row per postal-code area, labelled
``"40100 Jyväskylä Keskus   (Jyväskylä )"``, a total and 20 age bands; ``..`` marks suppressed
values (areas under 30 residents keep only their total). A first row ``"Finland"`` holds the
national totals: it is checked against the sum of the areas and left out (reported).

The age rule and the placement in municipalities are those of
:mod:`palveluverkko.sources.postal`. Credit: Statistics Finland, Paavo (CC BY 4.0).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError, Problem
from .age_bands import PAAVO_BANDS
from .build import PAAVO_CREDIT
from .postal import PAAVO_COLUMNS, population_from_postal
from .report import ImportReport

log = logging.getLogger("palveluverkko.sources")

_LABEL = re.compile(r"^\s*(\d{5})\s+(.*?)\s*\(\s*([^()]*?)\s*\)?\s*$")


def _band_of(header: str) -> str | None:
    """``'13-15 years, 2017 (HE)'`` -> ``'13_15'``; ``'85 years or over'`` -> ``'85_plus'``."""
    m = re.match(r"^\s*(\d+)-(\d+) years", header)
    if m:
        return f"{m.group(1)}_{m.group(2)}"
    if re.match(r"^\s*85 years or over", header):
        return "85_plus"
    return None


def read_paavo_csv(path: str | Path) -> tuple[pd.DataFrame, ImportReport]:
    """Read a Paavo population CSV into ``pno``, ``area_name``, ``kunta``, ``pop_total``, ages.

    Returns
    -------
    (pandas.DataFrame, ImportReport)
        One row per postal area (the national row left out and checked); suppressed values NaN.

    Raises
    ------
    MissingColumnError
        When the total or one of the 20 age columns is missing.
    """
    path = Path(path)
    raw = pd.read_csv(path, encoding="latin-1", dtype=str, na_values=[".."], keep_default_na=False)
    report = ImportReport(source=path.name, rows_read=len(raw), credits=(PAAVO_CREDIT,))
    label_col = raw.columns[0]
    rename: dict[str, str] = {}
    for col in raw.columns[1:]:
        if col.startswith("Inhabitants, total"):
            rename[col] = "pop_total"
        elif (band := _band_of(col)) is not None:
            rename[col] = f"age_{band}"
    missing = [c for c in ("pop_total", *PAAVO_COLUMNS) if c not in rename.values()]
    if missing:
        raise MissingColumnError(
            f"{path.name}: column(s) {', '.join(missing)} not found (found: "
            f"{', '.join(raw.columns[:8])} ...); expected Paavo's 'Inhabitants, total' and 20 "
            "age groups 0-2 ... 85 years or over. Fix: download the 'Population structure' table"
        )
    frame = raw.rename(columns=rename)
    parsed = frame[label_col].astype(str).str.extract(_LABEL)
    national = parsed[0].isna()
    numbers = ["pop_total", *PAAVO_COLUMNS]
    values = frame[numbers].apply(pd.to_numeric, errors="coerce")
    out = pd.DataFrame(
        {"pno": parsed[0], "area_name": parsed[1], "kunta": parsed[2].str.strip()}
    ).join(values)
    if national.any():
        nat = out.loc[national]
        total_nat = float(values.loc[national, "pop_total"].sum())
        areas_total = float(values.loc[~national, "pop_total"].sum())
        report.drop("national total row (not an area)", int(national.sum()))
        if total_nat != areas_total:
            report.add(
                Problem(
                    "warning",
                    path.name,
                    "Inhabitants, total",
                    str(nat.index[0]),
                    f"the national row says {total_nat:.0f}, the postal areas add up to "
                    f"{areas_total:.0f} ({total_nat - areas_total:.0f} residents have no "
                    "postal-code area in Paavo); region totals are sums of areas",
                    "",
                )
            )
    out = out.loc[~national].reset_index(drop=True)
    report.rows_kept = len(out)
    report.total_before = int(np.nansum(out["pop_total"].to_numpy(dtype=np.float64)))
    report.total_after = report.total_before
    suppressed = int(out[list(PAAVO_COLUMNS)].isna().any(axis=1).sum())
    if suppressed:
        report.add(
            Problem(
                "warning",
                path.name,
                "",
                "",
                f"{suppressed} areas have suppressed ('..') age bands; only their total is known",
                "nothing: the importer fills them from the municipality's age structure",
            )
        )
    assert len(PAAVO_BANDS) == len(PAAVO_COLUMNS)
    return out, report


def read_paavo(
    csv_path: str | Path,
    polygons_path: str | Path,
    municipalities: gpd.GeoDataFrame,
    *,
    polygon_code_column: str = "postinumeroalue",
    on_missing_polygon: Literal["error", "drop"] = "error",
    placement: Literal["name", "geometry"] = "name",
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """The ``population`` layer of a region from Paavo CSV + postal polygons.

    Areas are kept when the CSV's municipality name is one of ``municipalities`` (the others
    are outside the region: counted as dropped, their residents not part of the region's total).

    Parameters
    ----------
    csv_path
        ``Population_structure_<year>.csv``.
    polygons_path
        Postal-code polygons with ``polygon_code_column`` (any CRS GDAL reads).
    municipalities
        The region's ``municipalities`` layer.
    on_missing_polygon
        An area of the region without a polygon: ``"error"`` (default) raises naming the codes
        and residents; ``"drop"`` leaves it out, counted, and the report's totals differ.
    placement
        See :func:`palveluverkko.sources.postal.population_from_postal`.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)
    """
    table, csv_report = read_paavo_csv(csv_path)
    report = ImportReport(
        source=f"{Path(csv_path).name} + {Path(polygons_path).name}",
        rows_read=csv_report.rows_read,
        credits=csv_report.credits,
    )
    report.dropped.update(csv_report.dropped)
    report.problems += csv_report.problems
    names = {str(n).casefold() for n in municipalities["name"]}
    inside = table["kunta"].str.casefold().isin(names)
    report.drop("area of a municipality outside the region", int((~inside).sum()))
    table = table.loc[inside].reset_index(drop=True)
    if table.empty:
        raise InputError(
            f"{Path(csv_path).name}: no postal area belongs to the region's municipalities "
            f"({', '.join(sorted(municipalities['name'])[:5])} ...). Fix: check the names"
        )
    region_total = int(np.nansum(table["pop_total"].to_numpy(dtype=np.float64)))
    polys = gpd.read_file(polygons_path)
    if polygon_code_column not in polys.columns:
        raise MissingColumnError(
            f"{Path(polygons_path).name}: column {polygon_code_column} missing; "
            "Fix: give polygon_code_column="
        )
    polys = polys.to_crs(municipalities.crs)
    polys["pno"] = polys[polygon_code_column].astype(str).str.strip().str.zfill(5)
    if polys["pno"].duplicated().any():
        polys = polys.dissolve(by="pno", as_index=False)
    merged = table.merge(polys[["pno", "geometry"]], on="pno", how="left")
    nogeom = merged["geometry"].isna().to_numpy()
    if nogeom.any():
        lost = int(np.nansum(merged.loc[nogeom, "pop_total"].to_numpy(dtype=np.float64)))
        codes = ", ".join(merged.loc[nogeom, "pno"].astype(str)[:10])
        msg = (
            f"{int(nogeom.sum())} postal areas of the region ({codes}) with {lost} residents "
            f"have no polygon in {Path(polygons_path).name}"
        )
        if on_missing_polygon == "error":
            raise InputError(
                f"{msg}. Fix: use polygons of the same year, or on_missing_polygon='drop' "
                "to leave them out (counted)"
            )
        report.add(Problem("error", "population", "geometry", codes, msg + "; left out", ""))
        report.drop("area without a polygon (residents lost, see totals)", int(nogeom.sum()))
    areas = gpd.GeoDataFrame(merged.loc[~nogeom], geometry="geometry", crs=municipalities.crs)
    pop = population_from_postal(
        areas, municipalities, report=report, layer="paavo", placement=placement
    )
    report.total_before = region_total
    report.log()
    return pop, report
