"""Small helpers shared by the importers (not public)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import CRSError, MissingColumnError
from ..region.schema import DEFAULT_CRS


def require_columns(frame: pd.DataFrame, columns: list[str], *, layer: str, fix: str) -> None:
    """Raise :class:`MissingColumnError` naming every missing column and what was found."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if c != "geometry")
        raise MissingColumnError(
            f"{layer}: column(s) {', '.join(missing)} missing (found: {found}); {fix}"
        )


def to_crs(frame: gpd.GeoDataFrame, crs: str, *, layer: str) -> gpd.GeoDataFrame:
    """Reproject ``frame`` to ``crs``; a frame without a CRS is an error."""
    if frame.crs is None:
        raise CRSError(
            f"{layer}: the layer has no coordinate reference system; expected one such as "
            f"{DEFAULT_CRS}. Fix: give the CRS of the source (source_crs=...)"
        )
    return frame if frame.crs == crs else frame.to_crs(crs)


def code3(values: pd.Series) -> pd.Series:
    """Municipality codes as 3-digit strings ('91' -> '091'); missing stays missing."""
    out = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return out.str.zfill(3)


def source_name(path: str | Path, layer: str | None = None) -> str:
    """``file`` or ``file:layer`` for reports."""
    return f"{Path(path).name}:{layer}" if layer else Path(path).name
