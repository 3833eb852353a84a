"""Commands on networks: ``matrix`` (travel times from population cells to sites)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..region.schema import MODES
from . import app
from .ui import fail, session


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
    with session() as events:
        from ..network import travel_times
        from ..network.export import write_matrix
        from ..region import read_region
        from ..study import ProgressEvent

        loaded = read_region(region)
        result = travel_times(
            loaded,
            mode,
            max_minutes=max_minutes,
            k=k,
            cache_dir=cache_dir,
            use_cache=not no_cache,
            progress=lambda done, total: events(ProgressEvent("travel_times", done, total, mode)),
        )
        written = write_matrix(result, target, cells=loaded.population)
    typer.echo(result.summary())
    for path in written:
        typer.echo(f"wrote {path}")
