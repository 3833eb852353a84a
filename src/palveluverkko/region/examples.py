"""A tiny region small enough to check by hand; used in documentation and tests.

Two square municipalities side by side (10 km x 10 km each, ETRS-TM35FIN near Jyväskylä's
latitude), six populated cells, three sites, two services, and a 2 km road grid at 60 km/h.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .model import Policy, Region, RegionMeta
from .schema import AGE_BANDS, DEFAULT_CRS

X0, Y0 = 430_000.0, 6_900_000.0  # south-west corner


def tiny_region() -> Region:
    """Return the tiny two-municipality region (deterministic)."""
    municipalities = gpd.GeoDataFrame(
        {"code": ["901", "902"], "name": ["Alakylä", "Yläkylä"], "name_sv": ["Nedby", None]},
        geometry=[
            shapely.box(X0, Y0, X0 + 10_000, Y0 + 10_000),
            shapely.box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000),
        ],
        crs=DEFAULT_CRS,
    )
    cells_xy = np.array(
        [
            [1_000, 1_000],
            [3_000, 5_000],
            [5_000, 5_000],
            [11_000, 5_000],
            [15_000, 9_000],
            [19_000, 1_000],
        ],
        dtype=np.float64,
    ) + [X0, Y0]
    counts = np.array(
        [
            [10, 20, 100, 20, 10, 5],
            [30, 50, 300, 40, 20, 10],
            [50, 80, 500, 60, 30, 10],
            [5, 10, 50, 30, 25, 10],
            [0, 0, 10, 10, 10, 5],
            [2, 3, 20, 10, 8, 2],
        ],
        dtype=np.int64,
    )
    population = gpd.GeoDataFrame(
        {
            "cell_id": [f"c{i}" for i in range(len(cells_xy))],
            "municipality": ["901", "901", "901", "902", "902", "902"],
            **{f"pop_{b}": counts[:, j] for j, b in enumerate(AGE_BANDS)},
            "broadband_mbps": [100.0, 300.0, 300.0, 30.0, 10.0, 50.0],
            "car_share": [0.8, 0.6, 0.6, 0.85, 0.9, 0.9],
            "settlement": ["rural", "town", "town", "village", "rural", "rural"],
        },
        geometry=shapely.points(cells_xy),
        crs=DEFAULT_CRS,
    )
    sites_xy = np.array([[4_000, 4_000], [12_000, 6_000], [18_000, 2_000]], dtype=np.float64) + [
        X0,
        Y0,
    ]
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["s1", "s2", "s3"],
            "name": ["Alakylän sote-keskus", "Yläkylän sote-asema", "Laidan palvelupiste"],
            "municipality": ["901", "902", "902"],
            "kind": ["sote_keskus", "sote_asema", "sote_piste"],
            "floor_area_m2": [2_000.0, 800.0, 150.0],
            "condition": pd.array([4, 2, 1], dtype="Int64"),
            "annual_cost_eur": [500_000.0, 200_000.0, 40_000.0],
            "lease_end": pd.to_datetime([None, "2027-06-30", "2026-12-31"]).astype(
                "datetime64[ms]"
            ),
            "investment_need_eur": [0.0, 1_200_000.0, 300_000.0],
        },
        geometry=shapely.points(sites_xy),
        crs=DEFAULT_CRS,
    )
    site_services = pd.DataFrame(
        {
            "site_id": ["s1", "s1", "s2", "s3"],
            "service": ["vastaanotto", "hammashoito", "vastaanotto", "vastaanotto"],
            "capacity_per_week": [400.0, 120.0, 150.0, 40.0],
            "staff_fte": [12.0, 4.0, 5.0, 1.0],
        }
    )
    services = pd.DataFrame(
        {
            "service": ["vastaanotto", "hammashoito"],
            "name_fi": ["Lääkärin ja hoitajan vastaanotto", "Suun terveydenhuolto"],
            "name_sv": ["Läkar- och skötarmottagning", "Munhälsovård"],
            "name_en": ["Doctor and nurse appointments", "Dental care"],
            "level": ["lahi", "lahi"],
            "rate_0_6": [4.0, 0.6],
            "rate_7_17": [2.5, 1.0],
            "rate_18_64": [4.5, 0.8],
            "rate_65_74": [7.0, 1.0],
            "rate_75_84": [9.0, 0.9],
            "rate_85_plus": [11.0, 0.6],
            "digital_share": [0.46, 0.05],
            "home_share": [0.0, 0.0],
            "mobile_share": [0.0, 0.0],
            "threshold_min": [30.0, 30.0],
            "access_target_days": [7.0, 30.0],
        }
    )
    lines = []
    for k in range(0, 20_001, 2_000):  # vertical lines
        for y in range(0, 10_000, 2_000):
            lines.append(((X0 + k, Y0 + y), (X0 + k, Y0 + y + 2_000)))
    for y in range(0, 10_001, 2_000):  # horizontal lines
        for x in range(0, 20_000, 2_000):
            lines.append(((X0 + x, Y0 + y), (X0 + x + 2_000, Y0 + y)))
    roads = gpd.GeoDataFrame(
        {
            "speed_kph": np.full(len(lines), 60.0),
            "oneway": np.zeros(len(lines), dtype=bool),
            "road_class": ["secondary"] * len(lines),
        },
        geometry=shapely.linestrings(np.array(lines)),
        crs=DEFAULT_CRS,
    )
    return Region(
        name="Tiny example",
        crs=DEFAULT_CRS,
        base_year=2024,
        municipalities=municipalities,
        population=population,
        sites=sites,
        site_services=site_services,
        services=services,
        roads=roads,
        policy=Policy(),
        meta=RegionMeta(
            synthetic=True,
            description="A tiny synthetic example region for documentation and tests.",
        ),
        gtfs=(),
    )


__all__ = ["tiny_region"]
