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

import dataclasses
import json
import logging
import shutil
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import tomli_w
from pyproj import CRS

from ..errors import (
    DataWarning,
    FormatVersionError,
    MissingLayerError,
    Problem,
    ValidationError,
)
from .model import CostParams, GtfsFeed, Policy, Region, RegionMeta
from .schema import DEFAULT_CRS, FORMAT_VERSION, LAYERS
from .validation import check, check_crs, check_tables, coerce_tables

logger = logging.getLogger("palveluverkko.region")

TOML_NAME = "region.toml"
GPKG_NAME = "region.gpkg"


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


def _toml_problem(column: str, message: str, fix: str) -> Problem:
    return Problem("error", TOML_NAME, column, "", message, fix)


def _read_toml(pkg: Package) -> dict[str, Any]:
    path = pkg.path / TOML_NAME
    if not path.is_file():
        raise MissingLayerError(
            f"{path}: not a region package ({TOML_NAME} is missing). "
            "Fix: point to the folder that holds region.toml and region.gpkg, "
            "or create one with palveluverkko demo / palveluverkko import region"
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        pkg.problems.append(
            _toml_problem("", f"cannot be parsed: {exc}", "fix the TOML syntax (UTF-8 text)")
        )
        return {}


def _parse_toml(pkg: Package, doc: dict[str, Any]) -> None:
    fmt = doc.get("format")
    if fmt != FORMAT_VERSION:
        pkg.problems.append(
            _toml_problem(
                "format",
                f"format version {fmt!r} is not supported (this release reads format "
                f"{FORMAT_VERSION})",
                f"write format = {FORMAT_VERSION}, converting the package if it was made for "
                "another version, or upgrade palveluverkko",
            )
        )
    pkg.name = str(doc.get("name", pkg.path.name))
    pkg.crs = str(doc.get("crs", DEFAULT_CRS))
    pkg.problems += check_crs(pkg.crs)
    base_year = doc.get("base_year")
    if not isinstance(base_year, int) or isinstance(base_year, bool):
        pkg.problems.append(
            _toml_problem(
                "base_year",
                f"base_year is {base_year!r}, expected a year such as 2024",
                "write base_year = 2024 (the year of the population data)",
            )
        )
    else:
        pkg.base_year = base_year
    pol = doc.get("policy", {})
    defaults = Policy()
    values: dict[str, Any] = {}
    for key, expected in (
        ("access_target_days", (int, float)),
        ("travel_time_threshold_min", (int, float)),
        ("one_physical_site_per_municipality", (bool,)),
    ):
        if key not in pol:
            continue
        value = pol[key]
        if not isinstance(value, expected) or (expected != (bool,) and isinstance(value, bool)):
            pkg.problems.append(
                _toml_problem(
                    f"policy.{key}",
                    f"{key} is {value!r}, expected "
                    + ("true/false" if expected == (bool,) else "a number"),
                    f"write e.g. {key} = {str(getattr(defaults, key)).lower()}",
                )
            )
            continue
        values[key] = float(value) if expected != (bool,) else value
    pkg.policy = Policy(**values)
    pkg.costs = _parse_costs(pkg, doc.get("costs", {}))
    src = doc.get("source", {})
    pkg.meta = RegionMeta(
        synthetic=bool(src.get("synthetic", False)),
        description=str(src.get("description", "")),
        credits=tuple(str(c) for c in src.get("credits", ())),
    )
    files = doc.get("files", {})
    roads = files.get("roads")
    if roads:
        path = pkg.path / str(roads)
        if path.is_file():
            pkg.roads_pbf = path
        else:
            pkg.problems.append(
                _toml_problem(
                    "files.roads",
                    f"road file {roads} does not exist in the package",
                    "copy the .osm.pbf into the package folder or remove files.roads",
                )
            )
    gtfs = files.get("gtfs", [])
    for name in [gtfs] if isinstance(gtfs, str) else gtfs:
        path = pkg.path / str(name)
        if path.is_file():
            pkg.gtfs.append(GtfsFeed(path.stem, path.read_bytes()))
        else:
            pkg.problems.append(
                _toml_problem(
                    "files.gtfs",
                    f"GTFS file {name} does not exist in the package",
                    "copy the GTFS zip into the package folder or remove it from files.gtfs",
                )
            )


def _parse_costs(pkg: Package, table: object) -> CostParams:
    """``[costs]`` of region.toml as :class:`CostParams`; a bad entry is a problem naming its key,
    and the default is kept for it."""
    defaults = CostParams()
    known = [f.name for f in dataclasses.fields(CostParams)]
    if not isinstance(table, dict):
        pkg.problems.append(
            _toml_problem("costs", "costs is not a table", "write [costs] with key = value lines")
        )
        return defaults
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"costs.{key}"
        if key not in known:
            pkg.problems.append(
                _toml_problem(
                    where, f"unknown cost parameter {key!r}", f"use one of {', '.join(known)}"
                )
            )
            continue
        default = getattr(defaults, key)
        parsed = _cost_value(key, value, default)
        if parsed is None:
            pkg.problems.append(
                _toml_problem(where, f"{key} is {value!r}", _cost_fix(key, default))
            )
            continue
        values[key] = parsed
    return CostParams(**values)


def _cost_value(key: str, value: object, default: object) -> object | None:
    """The parsed value of one ``[costs]`` key, or None when it is not acceptable."""
    if key == "kela_services":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return None
    if key == "investment_due_after_years":
        if not isinstance(value, dict):
            return None
        out: dict[int, int] = {}
        for cond, years in value.items():
            if str(cond) not in {"1", "2", "3", "4", "5"}:
                return None
            if not isinstance(years, int) or isinstance(years, bool) or years < 0:
                return None
            out[int(cond)] = years
        return out
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(default, int):
        return value if isinstance(value, int) and value >= 1 else None
    return float(value) if value >= 0 else None


def _cost_fix(key: str, default: object) -> str:
    if key == "kela_services":
        return f"write e.g. {key} = {json.dumps(list(CostParams().kela_services))} (service codes)"
    if key == "investment_due_after_years":
        return f'write e.g. {key} = {{ "1" = 1, "2" = 3, "3" = 6 }} (condition = years, at least 0)'
    if isinstance(default, int):
        return f"write e.g. {key} = {default} (a whole number, at least 1)"
    return f"write e.g. {key} = {default} (a number, at least 0)"


def _costs_toml(costs: CostParams) -> dict[str, Any]:
    """The ``[costs]`` entries that differ from the defaults, in TOML-ready form."""
    defaults = CostParams()
    out: dict[str, Any] = {}
    for f in dataclasses.fields(CostParams):
        value = getattr(costs, f.name)
        if value == getattr(defaults, f.name):
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = {str(k): int(v) for k, v in value.items()}
        out[f.name] = value
    return out


def _read_layers(pkg: Package) -> None:
    gpkg = pkg.path / GPKG_NAME
    if not gpkg.is_file():
        pkg.problems.append(
            Problem(
                "error",
                GPKG_NAME,
                "",
                "",
                f"{GPKG_NAME} is missing from the package",
                "write the layers with palveluverkko.write_region or an importer",
            )
        )
        for name in LAYERS:
            pkg.tables[name] = None
        return
    present = {str(row[0]) for row in pyogrio.list_layers(gpkg)}
    try:
        target = CRS.from_user_input(pkg.crs)
    except Exception:
        target = None
    for name, layer in LAYERS.items():
        if name not in present:
            pkg.tables[name] = None
            if layer.required:
                pkg.problems.append(
                    Problem(
                        "error",
                        name,
                        "",
                        "",
                        f"required layer {name} is missing from {GPKG_NAME} "
                        f"(found: {', '.join(sorted(present)) or 'none'})",
                        f"add the {name} layer (see docs/region-format.md)",
                    )
                )
            continue
        frame = pyogrio.read_dataframe(gpkg, layer=name, fid_as_index=False)
        if layer.geometry and isinstance(frame, gpd.GeoDataFrame):
            if frame.crs is None:
                pkg.problems.append(
                    Problem(
                        "error",
                        name,
                        "geometry",
                        "",
                        "the layer has no coordinate reference system",
                        f"assign the layer's CRS (e.g. {pkg.crs}) in QGIS or with "
                        "GeoDataFrame.set_crs, and write it again",
                    )
                )
            elif target is not None and not CRS.from_user_input(frame.crs).equals(target):
                note = f"layer {name} was in {frame.crs.to_string()}; reprojected to {pkg.crs}"
                logger.info(note)
                pkg.notes.append(note)
                warnings.warn(note, DataWarning, stacklevel=4)
                frame = frame.to_crs(target)
        elif layer.geometry and not isinstance(frame, gpd.GeoDataFrame):
            frame = gpd.GeoDataFrame(frame)
        pkg.tables[name] = frame


def load_package(path: str | Path) -> Package:
    """Read a package folder leniently, collecting problems instead of stopping at the first.

    Raises
    ------
    MissingLayerError
        When the folder holds no ``region.toml`` (it is not a region package at all).
    """
    pkg = Package(Path(path))
    doc = _read_toml(pkg)
    _parse_toml(pkg, doc)
    _read_layers(pkg)
    coerced, found = coerce_tables(pkg.tables)
    pkg.tables = coerced
    pkg.problems += found
    pkg.problems += check_tables(
        coerced,
        crs=pkg.crs,
        base_year=pkg.base_year,
        has_roads_source=coerced.get("roads") is not None or pkg.roads_pbf is not None,
        one_site_per_municipality=pkg.policy.one_physical_site_per_municipality,
    )
    return pkg


def validate_package(path: str | Path) -> list[Problem]:
    """Every problem of the package at ``path`` (errors and warnings)."""
    return load_package(path).problems


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
    found_warnings = [p for p in pkg.problems if p.severity == "warning"]
    for p in found_warnings:
        logger.warning("%s", p)
    if found_warnings:
        warnings.warn(
            f"region package {pkg.path}: {len(found_warnings)} warning(s), first: "
            f"{found_warnings[0]}",
            DataWarning,
            stacklevel=2,
        )
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
    costs = _costs_toml(region.costs)
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
