"""Commands on networks: ``matrix`` (travel times from population cells to sites)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from ..network import TravelTimes, travel_times
from ..region import read_region
from ..region.schema import MODES
from . import app
from ._session import fail, session


@app.command()
def matrix(
    region: Path = typer.Argument(..., help="Region package folder (holds region.toml)."),
    mode: str = typer.Option("car", "--mode", "-m", help=f"Travel mode: {', '.join(MODES)}."),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Output file, .parquet or .gpkg (default: travel_times_<mode>.parquet here).",
    ),
    max_minutes: float | None = typer.Option(
        None, "--max-minutes", help="Keep only times up to this many minutes."
    ),
    k: int | None = typer.Option(None, "--k", help="Keep only each cell's k nearest sites."),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Cache folder (default $PALVELUVERKKO_CACHE_DIR or ~/.cache)."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
) -> None:
    """Matka-aikamatriisi / Restidsmatris / Travel-time matrix from cells to sites.

    Writes a long table cell_id, site_id, minutes (reachable pairs only). Parquet: cells that no
    road reaches go to <out>_unreachable.parquet; GeoPackage: layers travel_times and
    unreachable_cells (with the cell geometry). Road data © OpenStreetMap contributors (ODbL)
    where the region uses OSM.
    """
    if mode not in MODES:
        raise fail(f"--mode {mode!r} is unknown; use one of {', '.join(MODES)}")
    target = out if out is not None else Path(f"travel_times_{mode}.parquet")
    if target.suffix.lower() not in (".parquet", ".gpkg"):
        raise fail(f"--out {target}: expected a .parquet or .gpkg file")
    with session(
        TextColumn(f"{mode}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        loaded = read_region(region)
        task = bar.add_task("sources", total=None)
        result = travel_times(
            loaded,
            mode,
            max_minutes=max_minutes,
            k=k,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    written = write_matrix(result, target, cells=loaded.population)
    typer.echo(result.summary())
    for path in written:
        typer.echo(f"wrote {path}")


def write_matrix(result: TravelTimes, path: Path, *, cells: gpd.GeoDataFrame) -> list[Path]:
    """Write a travel-time matrix as Parquet or GeoPackage; returns the files written."""
    frame = result.to_frame()
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
