"""``palveluverkko import ...``: read real Finnish inputs, write layers or a region package.

Thin: each command parses options, calls :mod:`palveluverkko.sources`, prints the import report
and writes the result. Exit code 2 on an input error (the message names layer, column, row, fix).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import typer

from ..errors import PalveluverkkoError
from ..region.io import write_region
from ..region.model import GtfsFeed, Region
from ..region.validate import validate
from ..sources.build import PAAVO_CREDIT, assemble_region, region_from_county_gpkg
from ..sources.municipalities import STATFI_CREDIT, county_codes, read_municipalities
from ..sources.osm_amenities import read_osm_health_sites
from ..sources.paavo import read_paavo
from ..sources.report import ImportReport
from ..sources.sites import read_sites
from . import app, console
from ._session import EXIT_INVALID

T = TypeVar("T")

import_app = typer.Typer(
    name="import",
    help="Tuo lähdeaineisto / Importera källdata / Import real inputs (Statistics Finland, "
    "Paavo, site lists, OpenStreetMap).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


def _run(call: Callable[[], T]) -> T:
    """Call the importer; show its warnings; turn input errors into exit code 2."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
    except PalveluverkkoError as exc:
        console.print(f"[bold red]virhe / fel / error:[/] {exc}")
        raise typer.Exit(EXIT_INVALID) from exc
    for w in caught:
        console.print(f"[yellow]{w.category.__name__}:[/] {w.message}")
    return result


def _show(report: ImportReport) -> None:
    typer.echo(report.summary())
    for credit in report.credits:
        typer.echo(f"  credit: {credit}")


def _codes(codes: str | None) -> list[str] | None:
    return [c.strip() for c in codes.split(",") if c.strip()] if codes else None


@import_app.command("municipalities")
def municipalities_cmd(
    source: Path = typer.Argument(..., help="Statistics Finland municipalities GeoPackage."),
    out: Path = typer.Argument(..., help="Output GeoPackage (layer 'municipalities')."),
    layer: str | None = typer.Option(None, help="Source layer (default: the first)."),
    codes: str | None = typer.Option(None, help="Keep these codes, e.g. 077,172,179."),
    county: str | None = typer.Option(
        None, help="Keep one wellbeing services county's municipalities, e.g. KS (needs --hva)."
    ),
    hva: Path | None = typer.Option(None, help="Yle finland-hva-2021.topo.json."),
) -> None:
    """Kunnat / Kommuner / Municipalities (code, name, name_sv)."""
    keep = _codes(codes)
    if county:
        if hva is None:
            console.print("[bold red]virhe / fel / error:[/] --county needs --hva <topo.json>")
            raise typer.Exit(EXIT_INVALID)
        keep = _run(lambda: county_codes(hva, county))
    munis, report = _run(lambda: read_municipalities(source, layer=layer, codes=keep))
    munis.to_file(out, layer="municipalities", driver="GPKG")
    _show(report)


@import_app.command("population")
def population_cmd(
    paavo_csv: Path = typer.Argument(..., help="Paavo Population_structure_<year>.csv."),
    polygons: Path = typer.Argument(..., help="Postal-code polygons (postinumeroalue)."),
    municipalities: Path = typer.Argument(..., help="GeoPackage with layer 'municipalities'."),
    out: Path = typer.Argument(..., help="Output GeoPackage (layer 'population')."),
    drop_missing: bool = typer.Option(
        False, "--drop-missing-polygons", help="Leave out (counted) areas without a polygon."
    ),
    by_geometry: bool = typer.Option(
        False, "--place-by-geometry", help="Place straddling areas where most of them lies."
    ),
) -> None:
    """Väestö postinumeroalueittain / Befolkning per postnummerområde / Population (Paavo)."""
    munis = gpd.read_file(municipalities, layer="municipalities")
    pop, report = _run(
        lambda: read_paavo(
            paavo_csv,
            polygons,
            munis,
            on_missing_polygon="drop" if drop_missing else "error",
            placement="geometry" if by_geometry else "name",
        )
    )
    pop.to_file(out, layer="population", driver="GPKG")
    _show(report)


@import_app.command("sites")
def sites_cmd(
    source: Path = typer.Argument(..., help="CSV, Excel, GeoJSON or GeoPackage of sites."),
    out: Path = typer.Argument(..., help="Output GeoPackage (layer 'sites')."),
    id_column: str | None = typer.Option(None, help="Source column of site ids."),
    name_column: str = typer.Option("name", help="Source column of names."),
    kind_column: str | None = typer.Option(None, help="Source column of site kinds."),
    x_column: str | None = typer.Option(None, help="Table: x / longitude column."),
    y_column: str | None = typer.Option(None, help="Table: y / latitude column."),
    source_crs: str | None = typer.Option(
        None, help="CRS of the coordinates; overrides a file's declaration (e.g. EPSG:3067)."
    ),
    layer: str | None = typer.Option(None, help="Layer of a vector file."),
    sheet: str | None = typer.Option(None, help="Sheet of an Excel file."),
    municipalities: Path | None = typer.Option(
        None, help="GeoPackage with layer 'municipalities' to place the sites in."
    ),
    hospital: list[str] = typer.Option([], help="Name of a designated 24-hour hospital."),
    clip: bool = typer.Option(
        False, "--clip", help="Leave out (counted) sites outside --municipalities."
    ),
) -> None:
    """Toimipisteet / Verksamhetsställen / Sites from a table or vector file."""
    columns = {"name": name_column}
    if id_column:
        columns["site_id"] = id_column
    if kind_column:
        columns["kind"] = kind_column
    munis = gpd.read_file(municipalities, layer="municipalities") if municipalities else None
    sites, report = _run(
        lambda: read_sites(
            source,
            columns=columns,
            x_column=x_column,
            y_column=y_column,
            source_crs=source_crs,
            layer=layer,
            sheet=sheet,
            municipalities=munis,
            designated_hospitals=hospital,
            clip=clip,
        )
    )
    sites.to_file(out, layer="sites", driver="GPKG")
    _show(report)


@import_app.command("osm-sites")
def osm_sites_cmd(
    pbf: Path = typer.Argument(..., help="OpenStreetMap extract (.osm.pbf)."),
    out: Path = typer.Argument(..., help="Output GeoPackage (layers 'sites', 'osm_amenities')."),
    hospital: list[str] = typer.Option([], help="Name of a designated 24-hour hospital."),
) -> None:
    """Terveyspalvelut OSM:stä / Hälsotjänster från OSM / Health sites from OSM amenities."""
    sites, found, report = _run(lambda: read_osm_health_sites(pbf, designated_hospitals=hospital))
    sites.to_file(out, layer="sites", driver="GPKG")
    found.to_file(out, layer="osm_amenities", driver="GPKG")
    _show(report)


@import_app.command("region")
def region_cmd(
    out: Path = typer.Argument(..., help="Region package folder to write."),
    name: str = typer.Option(..., help="Region name, e.g. Keski-Suomi."),
    county_gpkg: Path | None = typer.Option(
        None, help="Derived county GeoPackage (regions/keski_suomi.gpkg): all parts from it."
    ),
    municipalities: Path | None = typer.Option(None, help="GeoPackage, layer 'municipalities'."),
    population: Path | None = typer.Option(None, help="GeoPackage, layer 'population'."),
    sites: Path | None = typer.Option(None, help="GeoPackage, layer 'sites'."),
    base_year: int = typer.Option(2017, help="Year of the population."),
    hospital: list[str] = typer.Option([], help="Name of a designated 24-hour hospital."),
    roads_pbf: Path | None = typer.Option(
        None, help="OpenStreetMap extract (.osm.pbf) of the roads; copied into the package."
    ),
    gtfs: list[Path] = typer.Option([], help="GTFS zip of public transport (repeatable)."),
) -> None:
    """Aluepaketti / Regionpaket / Assemble, validate and write a region package.

    Either --county-gpkg, or --municipalities, --population and --sites as written by the other
    import commands. Services are the default catalogue; site capacities are sized to demand.
    --roads-pbf and --gtfs add the networks that travel times need.
    """
    if county_gpkg is not None:
        built = _run(
            lambda: region_from_county_gpkg(
                county_gpkg, name=name, base_year=base_year, designated_hospitals=hospital
            )
        )
        for report in built.reports:
            _show(report)
        region = built.region
    else:
        if municipalities is None or population is None or sites is None:
            console.print(
                "[bold red]virhe / fel / error:[/] give --county-gpkg, or all of "
                "--municipalities, --population and --sites"
            )
            raise typer.Exit(EXIT_INVALID)
        m = gpd.read_file(municipalities, layer="municipalities")
        p = gpd.read_file(population, layer="population")
        s = gpd.read_file(sites, layer="sites")
        region = _run(
            lambda: assemble_region(
                name,
                m,
                p,
                s,
                base_year=base_year,
                description=f"{name}: assembled from imported municipalities, population, sites",
                credits=(STATFI_CREDIT, PAAVO_CREDIT),
            )
        )
    region = _with_networks(region, roads_pbf, gtfs)
    for problem in validate(region):
        typer.echo(str(problem))
    path = _run(lambda: write_region(region, out))
    typer.echo(f"{region.summary()} -> {path}")


def _with_networks(region: Region, roads_pbf: Path | None, gtfs: list[Path]) -> Region:
    """``region`` with the road extract and GTFS feeds given on the command line."""
    for path, what in [(roads_pbf, "--roads-pbf")] + [(g, "--gtfs") for g in gtfs]:
        if path is not None and not path.is_file():
            console.print(f"[bold red]virhe / fel / error:[/] {what}: no file {path}")
            raise typer.Exit(EXIT_INVALID)
    changes: dict[str, object] = {}
    if roads_pbf is not None:
        changes["roads_pbf"] = roads_pbf
    if gtfs:
        feeds = [GtfsFeed(name=g.stem, data=g.read_bytes()) for g in gtfs]
        changes["gtfs"] = (*region.gtfs, *feeds)
    return region.replace(**changes) if changes else region
