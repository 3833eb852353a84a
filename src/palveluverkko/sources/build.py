"""Assemble a real region from the derived county GeoPackages (``regions/<county>.gpkg``).

:func:`region_from_county_gpkg` reads the layers ``municipalities``, ``postal_areas`` and
``health_facilities_partial`` of e.g. ``keski_suomi.gpkg`` and returns a :class:`Region` plus one
:class:`ImportReport` per part:

* municipalities: code ``kunta``, Finnish ``nimi``, Swedish ``namn``;
* population: cells are the postal-code areas (polygons; ``cell_id`` = postal code), Paavo's 20
  bands summed to our six, suppressed areas filled from the municipality's structure
  (:mod:`palveluverkko.sources.postal`); the total equals the source total exactly;
* sites: the partial facility layer, kinds inferred from names (:func:`sites.infer_kind`),
  building fields left empty; the region's ``meta`` says the list is partial;
* services: ``demand.catalogue.default_services()``; site services from
  ``default_site_services(kind)``.

Capacities and staff (ESTIMATES, no capacity data in the source) come from
``demand.catalogue.site_services_from_demand`` with ``method="nearest"``: each cell's weekly
demand for a service goes to the nearest site offering it (straight line), with the
catalogue's default headroom, so a site is sized by the demand it would take today. The rows say
``estimated = true``, which the evaluation carries to its outputs and the report marks. With a
partial facility list the few sites carry the whole county's demand: the figures are
placeholders to be replaced by the county's own.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from ..demand.catalogue import default_services, site_services_from_demand
from ..region.model import Policy, Region, RegionMeta
from ..region.schema import DEFAULT_CRS
from ._placement import municipality_index
from .municipalities import STATFI_CREDIT, read_municipalities
from .postal import population_from_postal
from .report import ImportReport
from .sites import read_sites

log = logging.getLogger("palveluverkko.sources")

PAAVO_CREDIT = "Population: Statistics Finland, Paavo - open data by postal code area (CC BY 4.0)"


@dataclass(frozen=True)
class BuiltRegion:
    """A region assembled from sources, with the report of each part."""

    region: Region
    reports: tuple[ImportReport, ...]

    def summary(self) -> str:
        """The region's summary followed by every part's report."""
        return "\n".join([self.region.summary(), *(r.summary() for r in self.reports)])


def assemble_region(
    name: str,
    municipalities: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    base_year: int,
    description: str = "",
    credits: tuple[str, ...] = (),
    policy: Policy | None = None,
) -> Region:
    """A region from imported parts, with the default catalogue and demand-sized site services.

    Sites without a municipality (e.g. from OSM) get the one whose polygon holds them; a site
    in none keeps it empty, which validation then reports with its row.

    Parameters
    ----------
    name, base_year
        As in ``region.toml``.
    municipalities, population, sites
        Layers as the importers return them (same CRS).
    description, credits, policy
        Region metadata and policy.

    Returns
    -------
    Region
        Not yet validated: call ``palveluverkko.region.validation.check``.
    """
    sites = sites.copy()
    missing = sites["municipality"].isna().to_numpy()
    if missing.any():
        idx = municipality_index(sites.geometry[missing], municipalities)
        codes = municipalities["code"].astype(str).to_numpy()
        sites.loc[missing, "municipality"] = [codes[i] if i >= 0 else None for i in idx]
    services = default_services()
    links = site_services_from_demand(sites, population, services, method="nearest")
    return Region(
        name=name,
        crs=str(municipalities.crs.to_string()) if municipalities.crs else DEFAULT_CRS,
        base_year=base_year,
        municipalities=municipalities,
        population=population,
        sites=sites,
        site_services=links,
        services=services,
        policy=policy or Policy(),
        meta=RegionMeta(synthetic=False, description=description, credits=credits),
    )


def region_from_county_gpkg(
    path: str | Path,
    *,
    name: str,
    base_year: int = 2017,
    designated_hospitals: Collection[str] = (),
    kinds: Mapping[str, str] | None = None,
    policy: Policy | None = None,
) -> BuiltRegion:
    """Build a region from a derived county GeoPackage (see the module docstring).

    Parameters
    ----------
    path
        ``regions/keski_suomi.gpkg`` or ``regions/etela_savo.gpkg``.
    name
        Region name (``region.toml``).
    base_year
        Year of the population (Paavo 2017 population is of 31.12.2017).
    designated_hospitals, kinds
        Passed to :func:`palveluverkko.sources.sites.read_sites`.
    policy
        Policy parameters; defaults of :class:`Policy`.

    Returns
    -------
    BuiltRegion
        The region (not yet validated; call ``region.validation.check``) and the part reports.
    """
    path = Path(path)
    munis, r_muni = read_municipalities(path, layer="municipalities")
    areas = gpd.read_file(path, layer="postal_areas")
    if areas.crs is None or areas.crs != munis.crs:
        areas = areas.to_crs(munis.crs)
    r_pop = ImportReport(source=f"{path.name}:postal_areas", credits=(PAAVO_CREDIT,))
    population = population_from_postal(areas, munis, report=r_pop)
    sites, r_sites = read_sites(
        path,
        layer="health_facilities_partial",
        columns={"site_id": "id", "name": "name", "municipality": "kunta"},
        municipalities=munis,
        designated_hospitals=designated_hospitals,
        kinds=kinds,
    )
    without = sorted(set(munis["code"]) - set(sites["municipality"]))
    description = (
        f"{name}: real municipalities (Statistics Finland 2023) and postal-area population "
        f"({base_year}, Paavo); cells are postal-code areas. The facility list is PARTIAL "
        f"({len(sites)} of the county's sites, from an unverified national list): "
        f"{len(without)} municipalities have no site and get a validation warning. "
        "Site capacities are placeholders derived from the service catalogue."
    )
    region = assemble_region(
        name,
        munis,
        population,
        sites,
        base_year=base_year,
        description=description,
        credits=(
            STATFI_CREDIT,
            PAAVO_CREDIT,
            "Facilities: partial national health facility list (synthea_fi; unverified)",
        ),
        policy=policy,
    )
    log.info("%s", region.summary())
    return BuiltRegion(region, (r_muni, r_pop, r_sites))
