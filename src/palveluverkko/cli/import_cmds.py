"""Commands ``import ...``: real inputs into layers and region packages
(:mod:`palveluverkko.study.imports`)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import app
from .ui import EXIT_INVALID, console, error, fail

if TYPE_CHECKING:
    from ..sources.report import ImportReport


import_app = typer.Typer(
    name="import",
    help="Tuo lähdeaineisto / Importera källdata / Import real inputs (Statistics Finland, "
    "Paavo, site lists, OpenStreetMap).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app, name="import")


@contextmanager
def _importing() -> Iterator[None]:
    """Show the importer's warnings by category; turn input errors into exit code 2."""
    from rich.markup import escape

    from ..errors import PalveluverkkoError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except PalveluverkkoError as exc:
            error(exc)
            raise typer.Exit(EXIT_INVALID) from exc
        finally:
            for w in caught:
                console.print(f"[yellow]{w.category.__name__}:[/] {escape(str(w.message))}")


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
    with _importing():
        from ..study.imports import import_municipalities

        report = import_municipalities(
            source, out, layer=layer, codes=_codes(codes), county=county, hva=hva
        )
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
    with _importing():
        from ..study.imports import import_population

        report = import_population(
            paavo_csv,
            polygons,
            municipalities,
            out,
            drop_missing_polygons=drop_missing,
            place_by_geometry=by_geometry,
        )
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
    postal_code_column: str | None = typer.Option(
        None, help="Source column of postal codes (a column 'postal_code' is used by default)."
    ),
    postal_areas: Path | None = typer.Option(
        None,
        help="Postal-code areas (postinumerot_geo.json): sites without coordinates go to their "
        "postal area's centre, flagged located_by = postal_code.",
    ),
    kind: list[str] = typer.Option(
        [],
        "--kind",
        help="SITE=KIND: the kind of a site whose kind cannot be told from the file "
        "(repeatable), e.g. --kind 118=sote_asema.",
    ),
) -> None:
    """Toimipisteet / Verksamhetsställen / Sites from a table or vector file."""
    kinds = {}
    for pair in kind:
        site, sep, value = pair.partition("=")
        if not sep or not site.strip() or not value.strip():
            raise fail(f"--kind {pair!r}: write SITE=KIND, e.g. --kind 118=sote_asema")
        kinds[site.strip()] = value.strip()
    columns = {"name": name_column}
    if id_column:
        columns["site_id"] = id_column
    if kind_column:
        columns["kind"] = kind_column
    if postal_code_column:
        columns["postal_code"] = postal_code_column
    with _importing():
        from ..study.imports import import_sites

        report = import_sites(
            source,
            out,
            columns=columns,
            x_column=x_column,
            y_column=y_column,
            source_crs=source_crs,
            layer=layer,
            sheet=sheet,
            municipalities=municipalities,
            hospitals=hospital,
            clip=clip,
            postal_areas=postal_areas,
            kinds=kinds,
        )
    _show(report)


@import_app.command("osm-sites")
def osm_sites_cmd(
    pbf: Path = typer.Argument(..., help="OpenStreetMap extract (.osm.pbf)."),
    out: Path = typer.Argument(..., help="Output GeoPackage (layers 'sites', 'osm_amenities')."),
    hospital: list[str] = typer.Option([], help="Name of a designated 24-hour hospital."),
) -> None:
    """Terveyspalvelut OSM:stä / Hälsotjänster från OSM / Health sites from OSM amenities."""
    with _importing():
        from ..study.imports import import_osm_sites

        report = import_osm_sites(pbf, out, hospitals=hospital)
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
    with _importing():
        from ..study.imports import import_region

        done = import_region(
            out,
            name=name,
            county_gpkg=county_gpkg,
            municipalities=municipalities,
            population=population,
            sites=sites,
            base_year=base_year,
            hospitals=hospital,
            roads_pbf=roads_pbf,
            gtfs=gtfs,
        )
    for report in done.reports:
        _show(report)
    for problem in done.problems:
        typer.echo(str(problem))
    typer.echo(f"{done.region.summary()} -> {done.path}")
