"""Municipalities from Statistics Finland's GeoPackage (``kunta``, ``nimi``, ``namn``).

Credit: Statistics Finland, municipal division (CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InputError, Problem
from ..region.schema import DEFAULT_CRS
from ._common import code3, require_columns, source_name, to_crs
from .report import ImportReport

STATFI_CREDIT = "Municipalities: Statistics Finland, municipal division (CC BY 4.0)"


def county_codes(topojson: str | Path, county: str, *, layer: str = "munis") -> list[str]:
    """Municipality codes of a wellbeing services county (``hva_id``, e.g. ``"KS"``).

    Reads Yle's ``finland-hva-2021.topo.json`` (layer ``munis``: ``id``, ``hva_id``).

    Raises
    ------
    InputError
        When no municipality has that ``hva_id``; the message lists the known ids.
    """
    frame = gpd.read_file(topojson, layer=layer)
    require_columns(
        frame, ["id", "hva_id"], layer=source_name(topojson, layer), fix="use Yle's hva TopoJSON"
    )
    hva = frame["hva_id"].astype("string")
    codes = sorted(code3(frame.loc[hva == county, "id"]).astype(str))
    if not codes:
        known = ", ".join(sorted(hva.dropna().unique()))
        raise InputError(
            f"{source_name(topojson, layer)}: column hva_id: no municipality in county "
            f"{county!r}; known: {known}. Fix: give one of them (e.g. KS for Keski-Suomi)"
        )
    return codes


def read_municipalities(
    path: str | Path,
    *,
    layer: str | None = None,
    codes: Iterable[str] | None = None,
    code_column: str = "kunta",
    name_column: str = "nimi",
    name_sv_column: str | None = "namn",
    crs: str = DEFAULT_CRS,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read municipalities into the ``municipalities`` layer (code, name, name_sv, geometry).

    Parameters
    ----------
    path, layer
        GeoPackage (or any file GDAL reads) and its layer; the first layer when ``None``.
    codes
        Keep only these municipality codes (e.g. one county's); others are counted as dropped.
        A requested code that is not in the file is an error.
    code_column, name_column, name_sv_column
        Source columns of code, Finnish name and Swedish name (``None``: no Swedish names).
        Swedish names are kept where the source has one; empty values become missing.
    crs
        Target CRS.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)

    Raises
    ------
    MissingColumnError
        When a named column is absent.
    InputError
        When a requested code is not in the file, or codes repeat.
    """
    frame = gpd.read_file(path, layer=layer)
    where = source_name(path, layer)
    report = ImportReport(source=where, rows_read=len(frame), credits=(STATFI_CREDIT,))
    cols = [code_column, name_column] + ([name_sv_column] if name_sv_column else [])
    require_columns(frame, cols, layer=where, fix="name the columns with code_column=/name_column=")
    frame = to_crs(frame, crs, layer=where)
    out = gpd.GeoDataFrame(
        {
            "code": code3(frame[code_column]).astype(object),
            "name": frame[name_column].astype(str),
            "name_sv": (
                frame[name_sv_column].astype("string").str.strip().replace("", pd.NA).astype(object)
                if name_sv_column
                else None
            ),
        },
        geometry=frame.geometry.to_numpy(),
        crs=crs,
    )
    out["name_sv"] = out["name_sv"].where(out["name_sv"].notna(), None)
    dup = out["code"].duplicated(keep=False)
    if dup.any():
        raise InputError(
            f"{where}: column {code_column}: codes repeat in rows "
            f"{', '.join(map(str, out.index[dup][:10]))} ({', '.join(out['code'][dup].unique())}); "
            "expected one polygon per municipality. Fix: dissolve the polygons by code first"
        )
    if codes is not None:
        wanted = [str(c).zfill(3) for c in codes]
        unknown = sorted(set(wanted) - set(out["code"]))
        if unknown:
            raise InputError(
                f"{where}: column {code_column}: code(s) {', '.join(unknown)} not found "
                f"({len(out)} municipalities in the file). Fix: check the codes (3 digits, "
                "municipal division of the file's year)"
            )
        keep = out["code"].isin(wanted)
        report.drop("municipality not in the requested codes", int((~keep).sum()))
        out = out[keep].reset_index(drop=True)
    missing_sv = int(out["name_sv"].isna().sum())
    if missing_sv:
        report.add(
            Problem(
                "warning",
                "municipalities",
                "name_sv",
                "",
                f"{missing_sv} municipalities have no Swedish name in the source",
                "add Swedish names where they exist",
            )
        )
    report.rows_kept = len(out)
    return out, report
