"""Comment exports for planners: Excel and GeoPackage, each point with its municipality and
postal area (when postal-area polygons were given to the app)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

    from ..region.model import Region
    from .db import Comment

__all__ = ["POSTAL_COLUMNS", "comments_frame", "write_comments"]

POSTAL_COLUMNS = ("postinumeroalue", "posti_alue", "postal_code")
"""Columns read as the postal code of postal-area polygons, in this order."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(text: str) -> str:
    """Text that a spreadsheet shows and never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def comments_frame(
    rows: Sequence[Comment], region: Region, postal: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Comments as a table in the region's CRS with ``municipality``, ``municipality_name`` and
    ``postal_area`` of each point (empty where the comment has no point)."""
    import geopandas as gpd
    import shapely

    geometry = [shapely.Point(c.x_3067, c.y_3067) if c.x_3067 is not None else None for c in rows]
    frame = gpd.GeoDataFrame(
        {
            "comment_id": [c.id for c in rows],
            "created_at": [c.created_at.isoformat(timespec="seconds") for c in rows],
            "status": [c.status for c in rows],
            "tag": [c.tag for c in rows],
            "text": [c.text for c in rows],
            "lon": [c.lon for c in rows],
            "lat": [c.lat for c in rows],
        },
        geometry=geometry,
        crs=region.crs,
    )
    munis = region.municipalities[["code", "name", "geometry"]].rename(
        columns={"code": "municipality", "name": "municipality_name"}
    )
    frame = _join(frame, munis, ["municipality", "municipality_name"])
    if postal is not None:
        col = next((c for c in POSTAL_COLUMNS if c in postal), None)
        if col is None:
            from ..errors import MissingColumnError

            raise MissingColumnError(
                f"postal areas: no postal code column (looked for {', '.join(POSTAL_COLUMNS)}; "
                f"found {', '.join(map(str, postal.columns))}); rename the code column"
            )
        areas = postal[[col, "geometry"]].to_crs(region.crs).rename(columns={col: "postal_area"})
        frame = _join(frame, areas, ["postal_area"])
    else:
        frame["postal_area"] = ""
    return frame


def _join(frame: gpd.GeoDataFrame, polygons: Any, columns: list[str]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    has_point = frame.geometry.notna()
    out = frame.copy()
    for c in columns:
        out[c] = ""
    if has_point.any():
        hit = gpd.sjoin(frame[has_point], polygons, how="left", predicate="within")
        hit = hit[~hit.index.duplicated(keep="first")]
        for c in columns:
            out.loc[hit.index, c] = hit[c].fillna("").astype(str)
    return out


def write_comments(frame: gpd.GeoDataFrame, out: Path, fmt: str) -> Path:
    """Write ``frame`` as ``comments.xlsx`` or ``comments.gpkg`` into folder ``out``."""
    import pandas as pd

    from ..atomic import output_file

    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = out / "comments.xlsx"
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["text"] = table["text"].map(_cell_text)
        with output_file(path) as tmp:
            table.to_excel(tmp, sheet_name="kommentit", index=False, engine="openpyxl")
        return path
    path = out / "comments.gpkg"
    with output_file(path) as tmp:
        tmp.unlink()  # GDAL creates the GeoPackage itself
        frame.to_file(tmp, layer="comments", driver="GPKG")
    return path
