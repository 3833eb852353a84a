"""Importers of real Finnish inputs; each returns its data with an :class:`ImportReport`.

Population totals are conserved exactly through every importer, and what is corrected, dropped
or cannot be placed is counted in the report (and warned about with ``DataWarning`` when rows
are lost). Credits: Statistics Finland (CC BY 4.0); © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

from .age_bands import collapse_paavo, largest_remainder, split_coarse
from .build import BuiltRegion, region_from_county_gpkg
from .grid import population_from_grid
from .municipalities import county_codes, read_municipalities
from .osm_amenities import read_osm_health_sites
from .paavo import read_paavo, read_paavo_csv
from .postal import population_from_postal
from .report import ImportReport
from .sites import check_declared_crs, infer_kind, read_sites

__all__ = [
    "BuiltRegion",
    "ImportReport",
    "check_declared_crs",
    "collapse_paavo",
    "county_codes",
    "infer_kind",
    "largest_remainder",
    "population_from_grid",
    "population_from_postal",
    "read_municipalities",
    "read_osm_health_sites",
    "read_paavo",
    "read_paavo_csv",
    "read_sites",
    "region_from_county_gpkg",
    "split_coarse",
]
