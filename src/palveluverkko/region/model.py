"""The Region: one county's residents, sites, services and networks, read from a region package."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .schema import AGE_BANDS, POPULATION_COLUMNS


@dataclass(frozen=True)
class Policy:
    """The county's policy parameters (``[policy]`` in ``region.toml``).

    Attributes
    ----------
    access_target_days
        Regional goal for the wait from first contact to care, in days. A county's own
        parameter (the law says 14 days for under-23s and three months for adults, DOMAIN.md).
    travel_time_threshold_min
        Travel time that counts as "within reach", minutes.
    one_physical_site_per_municipality
        Whether every municipality must keep a physical site (Keski-Suomi's binding rule).
    """

    access_target_days: float = 7.0
    travel_time_threshold_min: float = 30.0
    one_physical_site_per_municipality: bool = True


@dataclass(frozen=True)
class CostParams:
    """Unit costs and rules of :func:`~palveluverkko.evaluation.costs.cost_table` (``[costs]`` in
    ``region.toml``; the defaults are ASSUMPTIONS unless a source is given)."""

    staff_eur_per_fte_year: float = 65_000.0
    """Blended cost of a health or social care FTE with social security (ASSUMPTION)."""
    car_eur_per_km: float = 0.25
    """Residents' cost of driving a km (ASSUMPTION, running cost of a private car)."""
    value_of_time_eur_per_hour: float = 10.0
    """Value of residents' travel time (ASSUMPTION, order of Finnish appraisal values for
    non-work trips)."""
    kela_deductible_eur: float = 25.0
    """Patient's share per one-way trip (Kela; DOMAIN.md)."""
    kela_yearly_cap_eur: float = 300.0
    """Patient's yearly ceiling of travel costs (Kela; DOMAIN.md)."""
    kela_car_eur_per_km: float = 0.20
    """Kela's rate for an own car (not known here, DOMAIN.md: a parameter; ASSUMPTION)."""
    bus_fare_eur: float = 3.5
    """A one-way regional bus ticket (ASSUMPTION)."""
    taxi_start_eur: float = 8.0
    taxi_eur_per_km: float = 1.6
    """Taxi fare as start fee + per km (ASSUMPTION, typical Finnish tariffs)."""
    kela_services: tuple[str, ...] = (
        "vastaanotto",
        "hammashoito",
        "neuvola",
        "mielenterveys",
        "paivystys",
    )
    """Services whose trips Kela reimburses (health care; social work and home care are not)."""
    interest_rate: float = 0.03
    investment_years: int = 25
    investment_due_after_years: Mapping[int, int] = field(
        default_factory=lambda: {1: 1, 2: 3, 3: 6}
    )
    """Condition (1 poor .. 5 good) -> years after the base year when the need falls due."""

    def annuity_factor(self) -> float:
        """Share of an investment paid each year: ``r / (1 - (1 + r)^-n)``."""
        r, n = self.interest_rate, self.investment_years
        return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)


@dataclass(frozen=True)
class RegionMeta:
    """Where a region's data comes from: shown in reports and written to ``region.toml``."""

    synthetic: bool = False
    description: str = ""
    credits: tuple[str, ...] = ()


@dataclass(frozen=True)
class GtfsFeed:
    """A GTFS feed held in memory as the bytes of its zip file."""

    name: str
    data: bytes = field(repr=False)

    @property
    def digest(self) -> str:
        """SHA-256 of the zip bytes."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Region:
    """A wellbeing services county as palveluverkko sees it.

    Immutable by convention: functions return a new Region (``dataclasses.replace``) rather than
    changing one. Every layer is in ``crs``. Layers follow ``palveluverkko.region.schema``.

    Attributes
    ----------
    name, crs, base_year
        As in ``region.toml``.
    municipalities, population, sites
        GeoDataFrames (polygons, cells, points).
    site_services, services
        Attribute tables: which site offers which service with what capacity; the catalogue.
    projection
        Population factor by municipality, year and age band relative to the base year, or None.
    roads
        Road network layer, or None when ``roads_pbf`` is given.
    water
        Lakes and sea for maps, or None.
    roads_pbf
        Path of an ``.osm.pbf`` road source, or None.
    gtfs
        Public-transport feeds.
    policy, meta
        Policy parameters; data sources and credits.
    costs
        Unit costs of the cost table (``[costs]`` in ``region.toml``).
    """

    name: str
    crs: str
    base_year: int
    municipalities: gpd.GeoDataFrame
    population: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    site_services: pd.DataFrame
    services: pd.DataFrame
    projection: pd.DataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    water: gpd.GeoDataFrame | None = None
    roads_pbf: Path | None = None
    gtfs: tuple[GtfsFeed, ...] = ()
    policy: Policy = field(default_factory=Policy)
    meta: RegionMeta = field(default_factory=RegionMeta)
    costs: CostParams = field(default_factory=CostParams)

    def replace(self, **changes: object) -> Region:
        """Return a copy with the given attributes replaced."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    # --- convenient derived views (computed, never stored) ---------------------------------

    @property
    def total_population(self) -> int:
        """Residents over all cells and age bands."""
        return int(self.population[list(POPULATION_COLUMNS)].to_numpy(dtype=np.int64).sum())

    def population_by_band(self) -> pd.Series:
        """Residents per age band (index: AGE_BANDS)."""
        sums = self.population[list(POPULATION_COLUMNS)].sum()
        return pd.Series(sums.to_numpy(dtype=np.int64), index=list(AGE_BANDS), name="residents")

    def cell_points(self) -> np.ndarray:
        """(n_cells, 2) float64 coordinates of cell centroids (points as they are) in ``crs``."""
        return _xy(self.population)

    def site_points(self) -> np.ndarray:
        """(n_sites, 2) float64 coordinates of sites in ``crs``."""
        return _xy(self.sites)

    def summary(self) -> str:
        """A short text: residents, cells, municipalities, sites, services."""
        return (
            f"{self.name}: {_n(self.total_population)} residents in {_n(len(self.population))} "
            f"cells, {len(self.municipalities)} municipalities, {len(self.sites)} sites, "
            f"{len(self.services)} services" + (" (synthetic)" if self.meta.synthetic else "")
        )


def _n(value: int) -> str:
    """Thousands separated by a space, as in Finnish text."""
    return f"{value:,}".replace(",", " ")


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    geom = frame.geometry
    if len(geom) and not (geom.geom_type == "Point").all():
        geom = geom.centroid
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()]).astype(np.float64)
