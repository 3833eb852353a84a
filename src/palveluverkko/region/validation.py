"""Validation of a region: every problem, not only the first, each naming layer, column and row.

:func:`validate` checks an in-memory :class:`Region`;
:func:`palveluverkko.region.io.validate_package` checks a folder on disk, adding what only the
files can show (a missing layer, a layer without CRS, an unknown format version). Both return a
list of :class:`~palveluverkko.errors.Problem`; :func:`check` raises
:class:`~palveluverkko.errors.ValidationError` when any is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import Problem, ValidationError
from .checks import table_problems
from .columns import MAX_LISTED, coerce_layer, row_labels
from .model import Region
from .schema import (
    AGE_BANDS,
    LAYERS,
    LOCATED_BY,
    POPULATION_COLUMNS,
    RATE_COLUMNS,
    ROAD_CLASSES,
    SERVICE_LEVELS,
    SITE_KINDS,
    Layer,
)

_CODE = re.compile(r"^\d{3}$")


def validate(region: Region) -> list[Problem]:
    """Check a region against format v1 and return every problem found (errors and warnings).

    Parameters
    ----------
    region
        The region to check.

    Returns
    -------
    list of Problem
        Empty when the region is valid and unsuspicious.
    """
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
    problems = check_crs(region.crs)
    coerced, found = coerce_tables(tables)
    problems += found
    problems += check_tables(
        coerced,
        crs=region.crs,
        base_year=region.base_year,
        has_roads_source=region.roads is not None or region.roads_pbf is not None,
        one_site_per_municipality=region.policy.one_physical_site_per_municipality,
    )
    return problems


def check(region: Region) -> list[Problem]:
    """Validate ``region``; raise ValidationError on errors, else return the warnings."""
    problems = validate(region)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems, what=f"region {region.name!r}")
    return problems


def check_crs(crs: str) -> list[Problem]:
    """Problems with the region's CRS declaration (it must be a projected CRS in metres)."""
    try:
        parsed = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError with a long text
        return [
            Problem(
                "error",
                "region.toml",
                "crs",
                "",
                f"crs {crs!r} is not a coordinate reference system ({exc})",
                'write e.g. crs = "EPSG:3067" (ETRS-TM35FIN)',
            )
        ]
    if not parsed.is_projected:
        return [
            Problem(
                "error",
                "region.toml",
                "crs",
                "",
                f"crs {crs} is geographic (degrees); distances and speeds need metres",
                'use a projected CRS such as crs = "EPSG:3067"; layers are reprojected on read',
            )
        ]
    return []


def coerce_tables(
    tables: Mapping[str, pd.DataFrame | None],
) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    """Coerce present layers to canonical column types; report missing columns and bad values."""
    out: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    for name, frame in tables.items():
        if frame is None:
            out[name] = None
            continue
        out[name], found = coerce_layer(frame, LAYERS[name])
        problems += found
    return out, problems


def _rows(
    mask: np.ndarray,
    labels: np.ndarray,
    layer: str,
    column: str,
    message: str,
    fix: str,
    *,
    severity: str = "error",
    values: np.ndarray | None = None,
) -> list[Problem]:
    """A Problem per flagged row (the first MAX_LISTED), then one counting the rest."""
    rows = np.flatnonzero(mask)
    out = [
        Problem(
            severity,
            layer,
            column,
            str(labels[i]),
            message.format(value=values[i] if values is not None else ""),
            fix,
        )
        for i in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        out.append(
            Problem(
                severity,
                layer,
                column,
                "",
                f"{len(rows) - MAX_LISTED} more rows with the same problem ({len(rows)} in all)",
                fix,
            )
        )
    return out


def _has(frame: pd.DataFrame | None, *columns: str) -> bool:
    return frame is not None and all(c in frame.columns for c in columns)


def _check_ids(frame: pd.DataFrame, layer: Layer) -> list[Problem]:
    if not layer.id_column or layer.id_column not in frame.columns:
        return []
    ids = frame[layer.id_column]
    dup = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    values = ids.astype(object).to_numpy()
    return _rows(
        dup,
        row_labels(frame, layer),
        layer.name,
        layer.id_column,
        f"{layer.id_column} {{value!r}} appears more than once; ids must be unique",
        f"give each row its own {layer.id_column} or merge the duplicates",
        values=values,
    )


def _check_geometry(frame: pd.DataFrame, layer: Layer) -> list[Problem]:
    if not layer.geometry:
        return []
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return [
            Problem(
                "error",
                layer.name,
                "geometry",
                "",
                "the layer has no geometry",
                f"store {layer.name} as a spatial layer ({'/'.join(layer.geometry)})",
            )
        ]
    geom = frame.geometry.to_numpy()
    labels = row_labels(frame, layer)
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    problems = _rows(
        empty,
        labels,
        layer.name,
        "geometry",
        "geometry is empty",
        "give the row a location or remove it",
    )
    kinds = np.array(shapely.get_type_id(geom))
    allowed_ids = {
        "Point": 0,
        "LineString": 1,
        "Polygon": 3,
        "MultiPoint": 4,
        "MultiLineString": 5,
        "MultiPolygon": 6,
    }
    ok = np.isin(kinds, [allowed_ids[g] for g in layer.geometry])
    names = {v: k for k, v in allowed_ids.items()}
    type_names = np.array([names.get(int(k), "other") for k in kinds], dtype=object)
    problems += _rows(
        ~ok & ~empty,
        labels,
        layer.name,
        "geometry",
        f"geometry is {{value}}, expected {' or '.join(layer.geometry)}",
        f"convert the geometry to {layer.geometry[0]}",
        values=type_names,
    )
    return problems


def _check_degrees(frame: gpd.GeoDataFrame, layer: Layer, crs: str) -> list[Problem]:
    """Coordinates that look like degrees in a projected region: a wrong CRS declaration."""
    if len(frame) == 0 or frame.geometry.isna().all():
        return []
    minx, miny, maxx, maxy = frame.total_bounds
    if np.isfinite([minx, miny, maxx, maxy]).all() and (
        minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    ):
        return [
            Problem(
                "error",
                layer.name,
                "geometry",
                "",
                f"coordinates ({minx:.3f}..{maxx:.3f}, {miny:.3f}..{maxy:.3f}) look like degrees "
                f"but the layer is declared to be in {crs}",
                "declare the layer's real CRS (e.g. EPSG:4326) so that it is reprojected on read",
            )
        ]
    return []


def _outside(
    frame: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, layer: Layer, what: str
) -> list[Problem]:
    """Warn about features whose location lies in no municipality polygon."""
    if len(frame) == 0 or len(municipalities) == 0:
        return []
    geom = frame.geometry.to_numpy()
    valid = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    points = np.array(geom, dtype=object)
    poly = ~np.isin(shapely.get_type_id(geom), [0])
    if poly.any():
        points[poly & valid] = shapely.point_on_surface(geom[poly & valid])
    mgeom = municipalities.geometry.to_numpy()
    mgeom = mgeom[~(shapely.is_missing(mgeom) | shapely.is_empty(mgeom))]
    if len(mgeom) == 0:
        return []
    tree = shapely.STRtree(mgeom)
    inside = np.zeros(len(frame), dtype=bool)
    idx = np.flatnonzero(valid)
    hits = tree.query(points[idx], predicate="intersects")
    inside[idx[np.unique(hits[0])]] = True
    return _rows(
        valid & ~inside,
        row_labels(frame, layer),
        layer.name,
        "geometry",
        f"the {what} lies outside every municipality polygon",
        "check its coordinates and CRS, or extend the municipality layer",
        severity="warning",
    )


def check_tables(
    tables: Mapping[str, pd.DataFrame | None],
    *,
    crs: str,
    base_year: int,
    has_roads_source: bool,
    one_site_per_municipality: bool,
) -> list[Problem]:
    """Semantic checks of coerced tables: ids, references, ranges, geometry, and the
    plausibility bounds of :func:`.checks.table_problems`.

    Tables are expected in canonical types (see :func:`coerce_tables`); a missing table is None.
    """
    problems: list[Problem] = []
    for name, frame in tables.items():
        if frame is None:
            continue
        layer = LAYERS[name]
        problems += _check_ids(frame, layer)
        problems += _check_geometry(frame, layer)
        if layer.geometry and isinstance(frame, gpd.GeoDataFrame) and name != "water":
            problems += _check_degrees(frame, layer, crs)

    munis = tables.get("municipalities")
    codes: set[str] = set()
    if _has(munis, "code"):
        assert munis is not None
        codes = set(munis["code"].dropna().astype(str))
        bad = ~munis["code"].astype(str).str.fullmatch(_CODE).fillna(False).to_numpy(dtype=bool)
        problems += _rows(
            bad & munis["code"].notna().to_numpy(),
            row_labels(munis, LAYERS["municipalities"]),
            "municipalities",
            "code",
            "code {value!r} is not a 3-digit municipality code",
            "use Statistics Finland's 3-digit code with leading zeros, e.g. '009'",
            values=munis["code"].astype(object).to_numpy(),
        )

    def unknown_municipality(frame: pd.DataFrame | None, layer: str) -> list[Problem]:
        if not codes or not _has(frame, "municipality"):
            return []
        assert frame is not None
        values = frame["municipality"].astype(object).to_numpy()
        mask = frame["municipality"].notna().to_numpy() & ~frame["municipality"].isin(
            codes
        ).to_numpy(dtype=bool)
        return _rows(
            mask,
            row_labels(frame, LAYERS[layer]),
            layer,
            "municipality",
            "municipality code {value!r} is not in the municipalities layer",
            "correct the code, or add the municipality to the municipalities layer",
            values=values,
        )

    problems += _check_population(tables.get("population"), munis)
    problems += unknown_municipality(tables.get("population"), "population")
    problems += _check_services(tables.get("services"))
    problems += _check_sites(tables, munis)
    problems += unknown_municipality(tables.get("sites"), "sites")
    problems += _check_projection(tables.get("projection"), base_year)
    problems += unknown_municipality(tables.get("projection"), "projection")
    problems += _check_roads(tables.get("roads"), has_roads_source)
    problems += table_problems(tables)
    if one_site_per_municipality and codes and _has(tables.get("sites"), "municipality"):
        sites = tables["sites"]
        assert sites is not None
        without = sorted(codes - set(sites["municipality"].dropna().astype(str)))
        for code in without:
            problems.append(
                Problem(
                    "warning",
                    "municipalities",
                    "code",
                    code,
                    f"municipality {code} has no physical site in the sites layer, but the "
                    "policy keeps one in every municipality",
                    "add its site(s) to the sites layer, or set "
                    "one_physical_site_per_municipality = false under [policy]",
                )
            )
    return problems


def _check_population(pop: pd.DataFrame | None, munis: pd.DataFrame | None) -> list[Problem]:
    if pop is None:
        return []
    layer = LAYERS["population"]
    labels = row_labels(pop, layer)
    problems: list[Problem] = []
    present = [c for c in POPULATION_COLUMNS if c in pop.columns]
    for column in present:
        values = pd.to_numeric(pop[column], errors="coerce").to_numpy(dtype=np.float64)
        problems += _rows(
            values < 0,
            labels,
            "population",
            column,
            "found {value}, residents cannot be negative",
            "correct the count at the source",
            values=values,
        )
    total = (
        float(np.nansum(pop[present].apply(pd.to_numeric, errors="coerce").to_numpy()))
        if present
        else 0.0
    )
    if len(pop) == 0 or (len(present) == len(POPULATION_COLUMNS) and total <= 0):
        problems.append(
            Problem(
                "error",
                "population",
                "",
                "",
                f"the population layer is empty ({len(pop)} rows, {total:.0f} residents)",
                "import residents, e.g. palveluverkko import population",
            )
        )
    if "car_share" in pop.columns:
        share = pd.to_numeric(pop["car_share"], errors="coerce").to_numpy(dtype=np.float64)
        problems += _rows(
            (share < 0) | (share > 1),
            labels,
            "population",
            "car_share",
            "found {value}, expected a share between 0 and 1",
            "give car_share as a fraction, e.g. 0.8",
            values=share,
        )
    if "broadband_mbps" in pop.columns:
        mbps = pd.to_numeric(pop["broadband_mbps"], errors="coerce").to_numpy(dtype=np.float64)
        problems += _rows(
            mbps < 0,
            labels,
            "population",
            "broadband_mbps",
            "found {value}, expected a speed >= 0",
            "give the best available fixed or mobile speed in Mbit/s",
            values=mbps,
        )
    if (
        munis is not None
        and isinstance(pop, gpd.GeoDataFrame)
        and isinstance(munis, gpd.GeoDataFrame)
    ):
        problems += _outside(pop, munis, layer, "cell")
    return problems


def _check_services(services: pd.DataFrame | None) -> list[Problem]:
    if services is None:
        return []
    labels = row_labels(services, LAYERS["services"])
    problems: list[Problem] = []
    if "level" in services.columns:
        values = services["level"].astype(object).to_numpy()
        problems += _rows(
            services["level"].notna().to_numpy()
            & ~services["level"].isin(SERVICE_LEVELS).to_numpy(),
            labels,
            "services",
            "level",
            f"level {{value!r}} is unknown; expected one of {', '.join(SERVICE_LEVELS)}",
            "use lahi (local), alue (regional) or keskitetty (centralised)",
            values=values,
        )
    for column in RATE_COLUMNS:
        if column in services.columns:
            v = services[column].to_numpy(dtype=np.float64)
            problems += _rows(
                v < 0,
                labels,
                "services",
                column,
                "found {value}, a contact rate cannot be negative",
                "give contacts per person-year, >= 0",
                values=v,
            )
    shares = [c for c in ("digital_share", "home_share", "mobile_share") if c in services.columns]
    for column in shares:
        v = services[column].to_numpy(dtype=np.float64)
        problems += _rows(
            (v < 0) | (v > 1),
            labels,
            "services",
            column,
            "found {value}, expected a share between 0 and 1",
            "give the share as a fraction, e.g. 0.46",
            values=v,
        )
    if shares:
        total = services[shares].fillna(0).to_numpy(dtype=np.float64).sum(axis=1)
        problems += _rows(
            total > 1 + 1e-9,
            labels,
            "services",
            "+".join(shares),
            "channel shares add up to {value:.3f}, more than 1",
            "lower the shares so that physical contacts are not negative",
            values=total,
        )
    for column in ("threshold_min", "access_target_days"):
        if column in services.columns:
            v = services[column].to_numpy(dtype=np.float64)
            problems += _rows(
                ~(v > 0),
                labels,
                "services",
                column,
                "found {value}, expected a positive number",
                f"set {column} to a positive value",
                values=v,
            )
    return problems


def _check_sites(
    tables: Mapping[str, pd.DataFrame | None], munis: pd.DataFrame | None
) -> list[Problem]:
    sites = tables.get("sites")
    links = tables.get("site_services")
    services = tables.get("services")
    problems: list[Problem] = []
    if sites is not None:
        layer = LAYERS["sites"]
        labels = row_labels(sites, layer)
        if "kind" in sites.columns:
            problems += _rows(
                sites["kind"].notna().to_numpy() & ~sites["kind"].isin(SITE_KINDS).to_numpy(),
                labels,
                "sites",
                "kind",
                f"kind {{value!r}} is unknown; expected one of {', '.join(SITE_KINDS)}",
                "map the site type to one of the kinds in docs/region-format.md",
                values=sites["kind"].astype(object).to_numpy(),
            )
        if "located_by" in sites.columns:
            how = sites["located_by"]
            problems += _rows(
                how.notna().to_numpy() & ~how.isin(LOCATED_BY).to_numpy(),
                labels,
                "sites",
                "located_by",
                f"located_by {{value!r}} is unknown; expected {' or '.join(LOCATED_BY)} or empty",
                "write coordinates (the site's own point) or postal_code (its postal area's "
                "centre)",
                severity="warning",
                values=how.astype(object).to_numpy(),
            )
        if "condition" in sites.columns:
            cond = sites["condition"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
            problems += _rows(
                (cond < 1) | (cond > 5),
                labels,
                "sites",
                "condition",
                "found {value:.0f}, expected 1 (poor) .. 5 (good) or empty",
                "rescale the condition survey grade to 1..5",
                values=cond,
            )
        for column in ("floor_area_m2", "annual_cost_eur", "investment_need_eur"):
            if column in sites.columns:
                v = sites[column].to_numpy(dtype=np.float64)
                problems += _rows(
                    v < 0,
                    labels,
                    "sites",
                    column,
                    "found {value}, expected a value >= 0",
                    f"correct {column}",
                    values=v,
                )
        if (
            munis is not None
            and isinstance(sites, gpd.GeoDataFrame)
            and isinstance(munis, gpd.GeoDataFrame)
        ):
            problems += _outside(sites, munis, layer, "site")
        if _has(sites, "site_id") and links is not None and "site_id" in links.columns:
            offered = set(links["site_id"].dropna().astype(str))
            problems += _rows(
                sites["site_id"].notna().to_numpy() & ~sites["site_id"].isin(offered).to_numpy(),
                labels,
                "sites",
                "site_id",
                "the site offers no service (no row in site_services)",
                "add its services to site_services, or remove the site",
            )
    if links is not None:
        layer = LAYERS["site_services"]
        labels = row_labels(links, layer)
        if _has(sites, "site_id") and "site_id" in links.columns:
            assert sites is not None
            problems += _rows(
                links["site_id"].notna().to_numpy()
                & ~links["site_id"].isin(sites["site_id"]).to_numpy(),
                labels,
                "site_services",
                "site_id",
                "site_id {value!r} is not in the sites layer",
                "correct the id or add the site",
                values=links["site_id"].astype(object).to_numpy(),
            )
        if _has(services, "service") and "service" in links.columns:
            assert services is not None
            known = set(services["service"].dropna().astype(str))
            problems += _rows(
                links["service"].notna().to_numpy() & ~links["service"].isin(known).to_numpy(),
                labels,
                "site_services",
                "service",
                f"service {{value!r}} is not in the services catalogue "
                f"(known: {', '.join(sorted(known))})",
                "correct the service code or add it to the services layer",
                values=links["service"].astype(object).to_numpy(),
            )
        if _has(links, "site_id", "service"):
            dup = links.duplicated(["site_id", "service"], keep=False).to_numpy()
            pairs = (links["site_id"].astype(str) + "/" + links["service"].astype(str)).to_numpy()
            problems += _rows(
                dup,
                labels,
                "site_services",
                "site_id+service",
                "site and service {value} appear more than once",
                "keep one row per site and service (add capacities together)",
                values=pairs,
            )
        for column in ("capacity_per_week", "staff_fte"):
            if column in links.columns:
                v = links[column].to_numpy(dtype=np.float64)
                problems += _rows(
                    v < 0,
                    labels,
                    "site_services",
                    column,
                    "found {value}, expected a value >= 0",
                    f"correct {column}",
                    values=v,
                )
    return problems


def _check_projection(proj: pd.DataFrame | None, base_year: int) -> list[Problem]:
    if proj is None:
        return []
    labels = row_labels(proj, LAYERS["projection"])
    problems: list[Problem] = []
    if "band" in proj.columns:
        problems += _rows(
            proj["band"].notna().to_numpy() & ~proj["band"].isin(AGE_BANDS).to_numpy(),
            labels,
            "projection",
            "band",
            f"band {{value!r}} is unknown; expected one of {', '.join(AGE_BANDS)}",
            "map the projection's age groups to the six bands",
            values=proj["band"].astype(object).to_numpy(),
        )
    if "year" in proj.columns:
        years = proj["year"].to_numpy(dtype=np.int64)
        problems += _rows(
            years < base_year,
            labels,
            "projection",
            "year",
            f"year {{value}} is before the base year {base_year}",
            "keep projection years from the base year on",
            values=years,
        )
    if "factor" in proj.columns:
        f = proj["factor"].to_numpy(dtype=np.float64)
        problems += _rows(
            ~(f >= 0),
            labels,
            "projection",
            "factor",
            "found {value}, expected a factor >= 0",
            "give the population relative to the base year, e.g. 1.03",
            values=f,
        )
    if _has(proj, "municipality", "year", "band"):
        dup = proj.duplicated(["municipality", "year", "band"], keep=False).to_numpy()
        problems += _rows(
            dup,
            labels,
            "projection",
            "municipality+year+band",
            "the same municipality, year and band appear more than once",
            "keep one factor per municipality, year and band",
        )
    return problems


def _check_roads(roads: pd.DataFrame | None, has_roads_source: bool) -> list[Problem]:
    problems: list[Problem] = []
    if not has_roads_source:
        problems.append(
            Problem(
                "warning",
                "roads",
                "",
                "",
                "the region has no road network (no roads layer and no roads.osm.pbf)",
                'add a roads layer or set [files] roads = "roads.osm.pbf"; without one, travel '
                "times are straight-line estimates, marked approximate",
            )
        )
    if roads is None:
        return problems
    labels = row_labels(roads, LAYERS["roads"])
    if "road_class" in roads.columns:
        problems += _rows(
            roads["road_class"].notna().to_numpy()
            & ~roads["road_class"].isin(ROAD_CLASSES).to_numpy(),
            labels,
            "roads",
            "road_class",
            "road_class {value!r} is unknown; expected an OSM highway value or ferry",
            "map the class to motorway, trunk, primary, ..., residential, footway or ferry",
            values=roads["road_class"].astype(object).to_numpy(),
        )
    if "speed_kph" in roads.columns:
        v = roads["speed_kph"].to_numpy(dtype=np.float64)
        problems += _rows(
            ~(v > 0),
            labels,
            "roads",
            "speed_kph",
            "found {value}, expected a speed > 0",
            "give the free-flow speed in km/h",
            values=v,
        )
    return problems
