"""Reading and writing region packages (format v1).

A package is a folder with ``region.toml`` and ``region.gpkg``:

```
my-region/
  region.toml      name, crs, base_year, policy, side files, data sources
  region.gpkg      layers: municipalities, population, sites, site_services, services,
                   projection (optional), roads (optional), water (optional)
  roads.osm.pbf    optional road source
  gtfs/*.zip       optional timetables
```
"""

from __future__ import annotations

import logging
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import tomli_w

from ..errors import (
    DataWarning,
    FormatVersionError,
    MissingLayerError,
    Problem,
    ValidationError,
)
from .config import TOML_NAME, costs_toml, parse_config, read_toml_text
from .gpkg import GPKG_NAME, read_layers
from .model import CostParams, GtfsFeed, Policy, Region, RegionMeta
from .schema import DEFAULT_CRS, FORMAT_VERSION, LAYERS
from .validation import check, check_crs, check_tables, coerce_tables

logger = logging.getLogger("palveluverkko.region")


@dataclass
class Package:
    """What was read from a package folder, leniently: tables may be None; problems are kept."""

    path: Path
    name: str = ""
    crs: str = DEFAULT_CRS
    base_year: int = 0
    policy: Policy = field(default_factory=Policy)
    meta: RegionMeta = field(default_factory=RegionMeta)
    costs: CostParams = field(default_factory=CostParams)
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    roads_pbf: Path | None = None
    gtfs: list[GtfsFeed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what reading changed (reprojections)


def load_package(
    path: str | Path,
    *,
    side_files: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Package:
    """Read a package folder leniently, collecting problems instead of stopping at the first.

    Broken files (an empty, truncated or foreign ``region.gpkg``, a ``region.toml`` that is not
    UTF-8 TOML) are problems naming the file, never exceptions.

    Parameters
    ----------
    path
        The package folder.
    side_files
        Also open the side files and check what the evaluation will read from them: every GTFS
        feed (required files, columns, times, calendar, the timetable of the default date) and
        the roads ``.osm.pbf`` header. :func:`validate_package` does; :func:`read_region` leaves
        it to the router, which reports the same problems as errors.
    progress
        Called with ``(steps done, steps in all)`` while the layers are read.

    Raises
    ------
    MissingLayerError
        When the folder holds no ``region.toml`` (it is not a region package at all).
    """
    pkg = Package(Path(path))
    toml = pkg.path / TOML_NAME
    if not toml.is_file():
        raise MissingLayerError(
            f"{pkg.path}: not a region package ({TOML_NAME} is missing). "
            "Fix: point to the folder that holds region.toml and region.gpkg, "
            "or create one with palveluverkko demo / palveluverkko import region"
        )
    doc, pkg.problems = read_toml_text(toml)
    cfg = parse_config(pkg.path, doc)
    pkg.problems += cfg.problems
    pkg.name, pkg.crs, pkg.base_year = cfg.name, cfg.crs, cfg.base_year
    pkg.policy, pkg.meta, pkg.costs = cfg.policy, cfg.meta, cfg.costs
    pkg.roads_pbf, pkg.gtfs = cfg.roads_pbf, cfg.gtfs
    pkg.problems += check_crs(pkg.crs)
    layers = read_layers(pkg.path / GPKG_NAME, pkg.crs, progress=progress)
    pkg.problems += layers.problems
    pkg.notes += layers.notes
    coerced, found = coerce_tables(layers.tables)
    pkg.tables = coerced
    pkg.problems += found
    pkg.problems += check_tables(
        coerced,
        crs=pkg.crs,
        base_year=pkg.base_year,
        has_roads_source=_has_roads(coerced.get("roads")) or pkg.roads_pbf is not None,
        one_site_per_municipality=pkg.policy.one_physical_site_per_municipality,
    )
    if side_files:
        from .side_files import side_file_problems

        pkg.problems += side_file_problems(pkg.roads_pbf, pkg.gtfs)
    return pkg


def _has_roads(roads: pd.DataFrame | None) -> bool:
    return roads is not None and len(roads) > 0


def validate_package(
    path: str | Path, *, progress: Callable[[int, int], None] | None = None
) -> list[Problem]:
    """Every problem of the package at ``path`` (errors and warnings), side files included.

    A package without errors here can be read and evaluated: what ``evaluate`` reads (layers,
    GTFS feeds, the roads file) has been opened and checked.
    """
    return load_package(path, side_files=True, progress=progress).problems


def summarise_warnings(path: str | Path, problems: list[Problem]) -> str:
    """One text for many validation warnings: the count per kind (layer and column) with the
    first of each, and how to see them all."""
    kinds: dict[str, list[Problem]] = {}
    for p in problems:
        kinds.setdefault(f"{p.layer}.{p.column}" if p.column else p.layer, []).append(p)
    parts = []
    for kind, group in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        first = group[0]
        text = first.message + (f" Fix: {first.fix}" if first.fix else "")
        parts.append(f"{len(group)} × {kind} (e.g. {text})")
    return (
        f"region package {path}: {len(problems)} warning(s) of {len(kinds)} kind(s): "
        + "; ".join(parts)
        + f". See each one with: palveluverkko validate {path} (or --verbose)"
    )


def read_region(path: str | Path) -> Region:
    """Read and validate a region package.

    Layers stored in another CRS than the region's are reprojected (a
    :class:`~palveluverkko.errors.DataWarning` says so). Validation warnings are logged and
    summarised in one DataWarning.

    Raises
    ------
    ValidationError
        With every problem found, when any is an error.
    FormatVersionError
        When ``region.toml`` declares a format version this release cannot read.
    """
    pkg = load_package(path)
    errors = [p for p in pkg.problems if p.severity == "error"]
    if any(p.column == "format" for p in errors):
        raise FormatVersionError(next(str(p) for p in errors if p.column == "format"))
    if errors:
        raise ValidationError(pkg.problems, what=f"region package {pkg.path}")
    for note in pkg.notes:
        warnings.warn(note, DataWarning, stacklevel=2)
    found_warnings = [p for p in pkg.problems if p.severity == "warning"]
    for p in found_warnings:
        logger.info("%s", p)  # each one with --verbose; once, summarised, below
    if found_warnings:
        warnings.warn(summarise_warnings(pkg.path, found_warnings), DataWarning, stacklevel=2)
    t = pkg.tables

    def gdf(name: str) -> gpd.GeoDataFrame:
        frame = t[name]
        assert isinstance(frame, gpd.GeoDataFrame)
        return frame

    def df(name: str) -> pd.DataFrame:
        frame = t[name]
        assert frame is not None
        return pd.DataFrame(frame)

    return Region(
        name=pkg.name,
        crs=pkg.crs,
        base_year=pkg.base_year,
        municipalities=gdf("municipalities"),
        population=gdf("population"),
        sites=gdf("sites"),
        site_services=df("site_services"),
        services=df("services"),
        projection=df("projection") if t.get("projection") is not None else None,
        roads=gdf("roads") if t.get("roads") is not None else None,
        water=gdf("water") if t.get("water") is not None else None,
        roads_pbf=pkg.roads_pbf,
        gtfs=tuple(pkg.gtfs),
        policy=pkg.policy,
        costs=pkg.costs,
        meta=pkg.meta,
    )


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return keep or "feed"


def write_region(region: Region, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write ``region`` as a package folder at ``path`` and return the path.

    The region is validated first; a region with errors is not written.

    Raises
    ------
    ValidationError
        When the region has errors.
    FileExistsError
        When ``path`` holds a package and ``overwrite`` is false.
    """
    check(region)
    out = Path(path)
    if (out / TOML_NAME).exists() and not overwrite:
        raise FileExistsError(f"{out} already holds a region package; pass overwrite=True")
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / GPKG_NAME
    if gpkg.exists():
        gpkg.unlink()
    tables: dict[str, pd.DataFrame | None] = {
        "municipalities": region.municipalities,
        "population": region.population,
        "sites": region.sites,
        "site_services": region.site_services,
        "services": region.services,
        "projection": region.projection,
        "roads": region.roads,
        "water": region.water,
    }
    canonical, _ = coerce_tables(tables)
    for name, frame in canonical.items():
        if frame is None:
            continue
        if LAYERS[name].geometry:
            assert isinstance(frame, gpd.GeoDataFrame)
            if frame.crs is None:
                frame = frame.set_crs(region.crs)
            pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(pd.DataFrame(frame), gpkg, layer=name, driver="GPKG")

    files: dict[str, Any] = {}
    if region.roads_pbf is not None:
        target = out / "roads.osm.pbf"
        if Path(region.roads_pbf).resolve() != target.resolve():
            shutil.copyfile(region.roads_pbf, target)
        files["roads"] = target.name
    gtfs_dir = out / "gtfs"
    if gtfs_dir.exists():
        for old in gtfs_dir.glob("*.zip"):
            old.unlink()
    if region.gtfs:
        gtfs_dir.mkdir(exist_ok=True)
        names: list[str] = []
        for feed in region.gtfs:
            name = f"gtfs/{_safe_name(feed.name)}.zip"
            (out / name).write_bytes(feed.data)
            names.append(name)
        files["gtfs"] = names
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "name": region.name,
        "crs": region.crs,
        "base_year": region.base_year,
        "files": files,
        "policy": {
            "access_target_days": region.policy.access_target_days,
            "travel_time_threshold_min": region.policy.travel_time_threshold_min,
            "one_physical_site_per_municipality": region.policy.one_physical_site_per_municipality,
        },
        "source": {
            "synthetic": region.meta.synthetic,
            "description": region.meta.description,
            "credits": list(region.meta.credits),
        },
    }
    costs = costs_toml(region.costs)
    if costs:
        doc["costs"] = costs
    header = "# palveluverkko region package, format v1 (docs/region-format.md)\n" + (
        "# SYNTHETIC DATA: this county does not exist.\n" if region.meta.synthetic else ""
    )
    (out / TOML_NAME).write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    logger.info("wrote region %s to %s", region.name, out)
    return out


__all__ = [
    "Package",
    "ValidationError",
    "load_package",
    "read_region",
    "validate_package",
    "write_region",
]
