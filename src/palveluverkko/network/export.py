"""Writing a travel-time matrix for other tools: Parquet or GeoPackage (:func:`write_matrix`)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from .types import TravelTimes

__all__ = ["MATRIX_SUFFIXES", "write_matrix"]

MATRIX_SUFFIXES = (".parquet", ".gpkg")


def write_matrix(result: TravelTimes, path: str | Path, *, cells: gpd.GeoDataFrame) -> list[Path]:
    """Write a travel-time matrix as a long table ``cell_id, site_id, minutes`` (reachable
    pairs only); returns the files written.

    Parquet: the parameters and digest go in the schema metadata, cells that cannot start a
    trip to ``<stem>_unreachable.parquet``. GeoPackage: layers ``travel_times``,
    ``unreachable_cells`` (with the cell geometry) and ``travel_times_meta``.

    Raises
    ------
    InputError
        For a file type other than ``.parquet`` or ``.gpkg``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if path.suffix.lower() not in MATRIX_SUFFIXES:
        raise InputError(f"{path}: expected a .parquet or .gpkg file")
    frame = result.to_frame().rename(columns={"destination_id": "site_id"})
    meta = {
        "mode": result.mode,
        "digest": result.digest,
        "parameters": json.dumps(dict(result.parameters), sort_keys=True, default=str),
    }
    unreachable = result.unreachable
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".gpkg":
        import pyogrio

        if path.exists():
            path.unlink()
        pyogrio.write_dataframe(frame, path, layer="travel_times")
        rows = cells.set_index(cells["cell_id"].astype(str)).loc[unreachable["cell_id"]]
        layer = gpd.GeoDataFrame(
            unreachable.reset_index(drop=True),
            geometry=rows.geometry.to_numpy(),
            crs=cells.crs,
        )
        pyogrio.write_dataframe(layer, path, layer="unreachable_cells", append=False)
        pyogrio.write_dataframe(
            pd.DataFrame({"key": list(meta), "value": list(meta.values())}),
            path,
            layer="travel_times_meta",
        )
        return [path]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), **{f"palveluverkko.{k}": v for k, v in meta.items()}}
    )
    pq.write_table(table, path)
    written = [path]
    if len(unreachable):
        side = path.with_name(path.stem + "_unreachable.parquet")
        pq.write_table(pa.Table.from_pandas(unreachable, preserve_index=False), side)
        written.append(side)
    return written
