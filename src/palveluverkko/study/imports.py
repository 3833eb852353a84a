"""The import use cases: real inputs (Statistics Finland, Paavo, site lists, OpenStreetMap)
turned into layers and region packages, as the ``palveluverkko import`` commands run them.

Each function reads its sources, calls the importer of :mod:`palveluverkko.sources`, writes
its output and returns what was written with the importer's reports (counts of what was
corrected, dropped or could not be placed, and the data credits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

    from ..errors import Problem
    from ..region.model import Region
    from ..sources.report import ImportReport

__all__ = [
    "ImportedRegion",
    "import_municipalities",
    "import_osm_sites",
    "import_population",
    "import_region",
    "import_sites",
]


def _layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not path.is_file():
        raise InputError(f"{path}: no such file; give the GeoPackage written by `import {layer}`")
    return gpd.read_file(path, layer=layer)


def import_municipalities(
    source: Path,
    out: Path,
    *,
    layer: str | None = None,
    codes: Sequence[str] | None = None,
    county: str | None = None,
    hva: Path | None = None,
) -> ImportReport:
    """Municipalities (code, name, name_sv) of Statistics Finland's file into ``out``
    (layer ``municipalities``), all or ``codes`` or one county's (``county`` with ``hva``)."""
    from ..sources.municipalities import county_codes, read_municipalities

    keep = list(codes) if codes else None
    if county:
        if hva is None:
            raise InputError("--county needs --hva <finland-hva-2021.topo.json>")
        keep = county_codes(hva, county)
    munis, report = read_municipalities(source, layer=layer, codes=keep)
    munis.to_file(out, layer="municipalities", driver="GPKG")
    return report


def import_population(
    paavo_csv: Path,
    polygons: Path,
    municipalities: Path,
    out: Path,
    *,
    drop_missing_polygons: bool = False,
    place_by_geometry: bool = False,
) -> ImportReport:
    """Paavo population by postal area into ``out`` (layer ``population``)."""
    from ..sources.paavo import read_paavo

    munis = _layer(municipalities, "municipalities")
    pop, report = read_paavo(
        paavo_csv,
        polygons,
        munis,
        on_missing_polygon="drop" if drop_missing_polygons else "error",
        placement="geometry" if place_by_geometry else "name",
    )
    pop.to_file(out, layer="population", driver="GPKG")
    return report


def import_sites(
    source: Path,
    out: Path,
    *,
    columns: dict[str, str],
    x_column: str | None = None,
    y_column: str | None = None,
    source_crs: str | None = None,
    layer: str | None = None,
    sheet: str | None = None,
    municipalities: Path | None = None,
    hospitals: Sequence[str] = (),
    clip: bool = False,
    postal_areas: Path | None = None,
    kinds: Mapping[str, str] | None = None,
) -> ImportReport:
    """Sites of a table or vector file into ``out`` (layer ``sites``); sites without
    coordinates are placed at their postal area's centre when ``postal_areas`` is given;
    ``kinds`` gives the kind of sites whose kind cannot be told (site id -> kind)."""
    from ..sources.sites import read_sites

    munis = _layer(municipalities, "municipalities") if municipalities else None
    sites, report = read_sites(
        source,
        columns=columns,
        x_column=x_column,
        y_column=y_column,
        source_crs=source_crs,
        layer=layer,
        sheet=sheet,
        municipalities=munis,
        designated_hospitals=list(hospitals),
        clip=clip,
        postal_areas=postal_areas,
        kinds=kinds,
    )
    sites.to_file(out, layer="sites", driver="GPKG")
    return report


def import_osm_sites(pbf: Path, out: Path, *, hospitals: Sequence[str] = ()) -> ImportReport:
    """Health sites from OpenStreetMap amenities into ``out`` (layers ``sites``,
    ``osm_amenities``). Data © OpenStreetMap contributors, ODbL."""
    from ..sources.osm_amenities import read_osm_health_sites

    sites, found, report = read_osm_health_sites(pbf, designated_hospitals=list(hospitals))
    sites.to_file(out, layer="sites", driver="GPKG")
    found.to_file(out, layer="osm_amenities", driver="GPKG")
    return report


@dataclass
class ImportedRegion:
    """What :func:`import_region` wrote: the region, its folder, the importers' reports and the
    validation problems (warnings; a package with errors is not written)."""

    region: Region
    path: Path
    reports: list[ImportReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_region(
    out: Path,
    *,
    name: str,
    county_gpkg: Path | None = None,
    municipalities: Path | None = None,
    population: Path | None = None,
    sites: Path | None = None,
    base_year: int = 2017,
    hospitals: Sequence[str] = (),
    roads_pbf: Path | None = None,
    gtfs: Sequence[Path] = (),
) -> ImportedRegion:
    """Assemble, validate and write a region package.

    Either ``county_gpkg`` (all parts from a derived county GeoPackage), or ``municipalities``,
    ``population`` and ``sites`` as the other imports write them. Services are the default
    catalogue; site capacities are sized to demand. ``roads_pbf`` and ``gtfs`` add the networks
    that travel times need.

    Raises
    ------
    InputError
        Missing parts or files; ``ValidationError`` when the package has errors.
    """
    from ..region.io import write_region
    from ..region.validation import validate
    from ..sources.build import PAAVO_CREDIT, assemble_region, region_from_county_gpkg
    from ..sources.municipalities import STATFI_CREDIT

    reports: list[ImportReport] = []
    if county_gpkg is not None:
        built = region_from_county_gpkg(
            county_gpkg, name=name, base_year=base_year, designated_hospitals=list(hospitals)
        )
        reports = list(built.reports)
        region = built.region
    else:
        if municipalities is None or population is None or sites is None:
            raise InputError(
                "give --county-gpkg, or all of --municipalities, --population and --sites"
            )
        region = assemble_region(
            name,
            _layer(municipalities, "municipalities"),
            _layer(population, "population"),
            _layer(sites, "sites"),
            base_year=base_year,
            description=f"{name}: assembled from imported municipalities, population, sites",
            credits=(STATFI_CREDIT, PAAVO_CREDIT),
        )
    region = _with_networks(region, roads_pbf, gtfs)
    problems = list(validate(region))
    path = write_region(region, out)
    return ImportedRegion(region=region, path=path, reports=reports, problems=problems)


def _with_networks(region: Region, roads_pbf: Path | None, gtfs: Sequence[Path]) -> Region:
    """``region`` with the road extract and GTFS feeds given."""
    from ..region.model import GtfsFeed

    for path, what in [(roads_pbf, "--roads-pbf")] + [(g, "--gtfs") for g in gtfs]:
        if path is not None and not path.is_file():
            raise InputError(f"{what}: no file {path}")
    changes: dict[str, object] = {}
    if roads_pbf is not None:
        changes["roads_pbf"] = roads_pbf
    if gtfs:
        feeds = [GtfsFeed(name=g.stem, data=g.read_bytes()) for g in gtfs]
        changes["gtfs"] = (*region.gtfs, *feeds)
    return region.replace(**changes) if changes else region
