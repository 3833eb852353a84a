"""The region package format, version 1: layers, columns, vocabularies.

This module is the single description of the format; validation, reading, writing, the demo
generator and the importers all take their names from here. The reference for users is
``docs/region-format.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import UnknownIdError

FORMAT_VERSION = 1
DEFAULT_CRS = "EPSG:3067"  # ETRS-TM35FIN, the Finnish default

# Age bands used everywhere (population, contact rates, projection).
AGE_BANDS: tuple[str, ...] = ("0_6", "7_17", "18_64", "65_74", "75_84", "85_plus")
POPULATION_COLUMNS: tuple[str, ...] = tuple(f"pop_{b}" for b in AGE_BANDS)
RATE_COLUMNS: tuple[str, ...] = tuple(f"rate_{b}" for b in AGE_BANDS)
# Lower and upper (exclusive) age of each band; 85+ is open-ended (120 as a cap).
AGE_BAND_LIMITS: dict[str, tuple[int, int]] = {
    "0_6": (0, 7),
    "7_17": (7, 18),
    "18_64": (18, 65),
    "65_74": (65, 75),
    "75_84": (75, 85),
    "85_plus": (85, 120),
}

# Site kinds (DOMAIN.md): code -> (fi, sv, en)
SITE_KINDS: dict[str, tuple[str, str, str]] = {
    "sairaala_24h": (
        "Laajan ympärivuorokautisen päivystyksen sairaala",
        "Sjukhus med omfattande jour dygnet runt",
        "24-hour emergency hospital",
    ),
    "sote_keskus": ("Sote-keskus", "Social- och hälsocentral", "Social and health centre"),
    "sote_asema": ("Sote-asema", "Social- och hälsostation", "Social and health station"),
    "sote_piste": ("Sote-palvelupiste", "Social- och hälsoservicepunkt", "Service point"),
    "perhekeskus": ("Perhekeskus", "Familjecentral", "Family centre"),
    "hammashoitola": ("Hammashoitola", "Tandklinik", "Dental clinic"),
    "neuvola": ("Neuvola", "Rådgivning", "Maternity and child health clinic"),
}

# Service levels: lähipalvelu, alueellinen, keskitetty.
LOCATED_BY: tuple[str, ...] = ("coordinates", "postal_code")
"""How a site's point was found (optional sites column ``located_by``): its own coordinates, or
its postal area's centre (``import sites --postal-areas``)."""
SERVICE_LEVELS: tuple[str, ...] = ("lahi", "alue", "keskitetty")

# Travel modes.
MODES: tuple[str, ...] = ("car", "walk", "bike", "transit")

# Road classes: OSM highway values, plus "ferry". The roads layer and the OSM reader share them,
# so speed defaults and access rules are defined once (network module).
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "track",
    "road",
    "pedestrian",
    "footway",
    "cycleway",
    "path",
    "steps",
    "bridleway",
    "ferry",
)

ColumnType = Literal["str", "int", "float", "date", "bool"]


@dataclass(frozen=True)
class Column:
    """A column of a layer: name, type, whether it must be present and whether it may be empty."""

    name: str
    type: ColumnType
    required: bool = True
    nullable: bool = False
    description: str = ""


@dataclass(frozen=True)
class Layer:
    """A layer of ``region.gpkg``: its geometry kind(s), id column and columns."""

    name: str
    geometry: tuple[str, ...]  # allowed geometry types; () = attribute table without geometry
    columns: tuple[Column, ...]
    id_column: str | None = None
    required: bool = True
    description: str = ""

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise UnknownIdError(f"{self.name}: no column {name!r}")

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns that must be present."""
        return tuple(c.name for c in self.columns if c.required)


MUNICIPALITIES = Layer(
    "municipalities",
    ("Polygon", "MultiPolygon"),
    (
        Column("code", "str", description="3-digit municipality code, e.g. '179'"),
        Column("name", "str", description="Finnish name"),
        Column("name_sv", "str", nullable=True, description="Swedish name where one exists"),
    ),
    id_column="code",
)

POPULATION = Layer(
    "population",
    ("Point", "Polygon", "MultiPolygon"),
    (
        Column("cell_id", "str", description="unique id of the cell"),
        Column("municipality", "str", description="municipality code"),
        *(Column(c, "int", description="residents in the age band") for c in POPULATION_COLUMNS),
        Column("broadband_mbps", "float", required=False, nullable=True),
        Column("car_share", "float", required=False, nullable=True),
        Column("settlement", "str", required=False, nullable=True),
    ),
    id_column="cell_id",
)

SITES = Layer(
    "sites",
    ("Point",),
    (
        Column("site_id", "str"),
        Column("name", "str"),
        Column("municipality", "str"),
        Column("kind", "str", description="one of SITE_KINDS"),
        Column("floor_area_m2", "float", nullable=True),
        Column("condition", "int", nullable=True, description="1 poor .. 5 good"),
        Column("annual_cost_eur", "float", nullable=True),
        Column("lease_end", "date", nullable=True, description="ISO date YYYY-MM-DD, or empty"),
        Column("investment_need_eur", "float", nullable=True),
        Column("name_sv", "str", required=False, nullable=True),
        Column("condition_source", "str", required=False, nullable=True),
        Column("condition_date", "date", required=False, nullable=True),
        Column(
            "located_by",
            "str",
            required=False,
            nullable=True,
            description="how the point was found: coordinates, or postal_code (the postal "
            "area's centre; as rough as the area is large)",
        ),
    ),
    id_column="site_id",
)

SITE_SERVICES = Layer(
    "site_services",
    (),
    (
        Column("site_id", "str"),
        Column("service", "str"),
        Column("capacity_per_week", "float", description="contacts per week"),
        Column("staff_fte", "float"),
    ),
)

SERVICES = Layer(
    "services",
    (),
    (
        Column("service", "str"),
        Column("name_fi", "str"),
        Column("name_sv", "str"),
        Column("name_en", "str"),
        Column("level", "str", description="lahi, alue or keskitetty"),
        *(Column(c, "float", description="contacts per person-year") for c in RATE_COLUMNS),
        Column("digital_share", "float", description="share of contacts done remotely"),
        Column("home_share", "float", required=False, description="share delivered at home"),
        Column("mobile_share", "float", required=False, description="share by mobile units"),
        Column("threshold_min", "float", description="travel-time threshold, minutes"),
        Column("access_target_days", "float", description="access target, days"),
    ),
    id_column="service",
)

PROJECTION = Layer(
    "projection",
    (),
    (
        Column("municipality", "str"),
        Column("year", "int"),
        Column("band", "str", description="one of AGE_BANDS"),
        Column("factor", "float", description="population relative to the base year"),
    ),
    required=False,
)

ROADS = Layer(
    "roads",
    ("LineString", "MultiLineString"),
    (
        Column("speed_kph", "float"),
        Column("oneway", "bool"),
        Column("road_class", "str", description="one of ROAD_CLASSES"),
        Column("ferry_wait_min", "float", required=False, nullable=True),
    ),
    required=False,
)

WATER = Layer(
    "water",
    ("Polygon", "MultiPolygon"),
    (Column("name", "str", required=False, nullable=True),),
    required=False,
    description="lakes and sea, drawn on maps; roads already go around them",
)

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        MUNICIPALITIES,
        POPULATION,
        SITES,
        SITE_SERVICES,
        SERVICES,
        PROJECTION,
        ROADS,
        WATER,
    )
}
