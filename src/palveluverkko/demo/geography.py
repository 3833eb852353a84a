"""Geography of the demo county: outline, municipality centres and polygons, lakes, the island.

All coordinates are ETRS-TM35FIN (EPSG:3067) metres around (435 000, 6 900 000), i.e. where
central Finland lies, but the county, its municipalities and their names are FICTIONAL. The
municipality codes 950-971 are real-looking 3-digit codes that Statistics Finland does not use
(to our knowledge); they are fictional.

The outline is a noisy disc of radius ``R`` (about 80 km, some 20 000 km^2, Keski-Suomi's size).
Municipalities are the Voronoi cells of their centres clipped to the outline: one city in the
middle (140 000 residents), five towns 30-52 km out (18 500 .. 5 600), sixteen rural municipalities
filling the rest at least 19 km apart (77 000 together: 1 200 each plus a random share, so the
county always has 270 600 residents). Lakes are star-shaped blobs
``r(theta) = r0 (1 + sum_k a_k cos(k theta + phi_k))`` kept away from every centre; one big lake
holds an island with a village (reached only by ferry).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely

log = logging.getLogger("palveluverkko.demo")

CENTRE_X, CENTRE_Y = 435_000.0, 6_900_000.0
RADIUS_M = 80_000.0

CITY = ("Keskilinna", "Mittborg")
TOWNS = ("Harjuvesi", "Salmenranta", "Lehtovaara", "Kivikumpu", "Vuorenmaa")
RURAL = (
    "Ahvenlahti",
    "Honkaniemi",
    "Kuusiranta",
    "Lohilampi",
    "Männistö",
    "Niittyvaara",
    "Pajulahti",
    "Rantakylä",
    "Tervaniemi",
    "Uusisalo",
    "Haukilahti",
    "Jokivarsi",
    "Kalliosalo",
    "Koivumäki",
    "Mustaranta",
    "Peuravaara",
)
FIRST_CODE = 950
CITY_POPULATION = 140_000
TOWN_POPULATIONS = (18_500, 13_000, 9_500, 7_000, 5_600)
RURAL_TOTAL_POPULATION = 77_000
RURAL_MIN_POPULATION = 1_200


@dataclass(frozen=True)
class Geography:
    """The county's shapes and centres.

    Attributes
    ----------
    outline
        The county polygon.
    codes, names, names_sv, kinds
        Per municipality: code, Finnish and Swedish name, ``"city"``, ``"town"`` or ``"rural"``.
    centres
        (n_municipalities, 2) centre coordinates; the city is row 0.
    populations
        Target residents per municipality.
    polygons
        Municipality polygons (Voronoi cells clipped to the outline), aligned with ``codes``.
    villages
        (n_villages, 2) village centres (small settlements in rural municipalities).
    water
        Lake polygons (the island is a hole of the big lake).
    island
        The inhabited island polygon.
    island_village
        The island's village centre.
    """

    outline: shapely.Polygon
    codes: tuple[str, ...]
    names: tuple[str, ...]
    names_sv: tuple[str | None, ...]
    kinds: tuple[str, ...]
    centres: np.ndarray
    populations: np.ndarray
    polygons: tuple[shapely.Geometry, ...]
    villages: np.ndarray
    water: tuple[shapely.Geometry, ...]
    water_union: shapely.Geometry
    island: shapely.Geometry
    island_village: np.ndarray


def _blob(
    rng: np.random.Generator, x: float, y: float, r0: float, *, n: int = 48, rough: float = 0.25
) -> shapely.Polygon:
    """A star-shaped random blob around (x, y) with mean radius ``r0``."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 6):
        r += rng.uniform(0, rough / (k - 1)) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    stretch = rng.uniform(1.0, 2.2)
    angle = rng.uniform(0, np.pi)
    px = r0 * r * np.cos(theta) * stretch
    py = r0 * r * np.sin(theta) / stretch**0.5
    cx = x + px * np.cos(angle) - py * np.sin(angle)
    cy = y + px * np.sin(angle) + py * np.cos(angle)
    return shapely.make_valid(shapely.Polygon(np.column_stack([cx, cy])))


def _min_distance(points: np.ndarray, p: np.ndarray) -> float:
    if len(points) == 0:
        return float("inf")
    return float(np.min(np.hypot(points[:, 0] - p[0], points[:, 1] - p[1])))


def build_geography(seed: int) -> Geography:
    """Build the outline, municipalities, lakes and island for ``seed`` (deterministic)."""
    rng = np.random.default_rng([seed, 1])
    theta = np.linspace(0.0, 2 * np.pi, 180, endpoint=False)
    radius = np.full(theta.shape, RADIUS_M)
    for k in range(2, 7):
        radius *= 1 + rng.uniform(0.0, 0.08) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    outline = shapely.Polygon(
        np.column_stack([CENTRE_X + radius * np.cos(theta), CENTRE_Y + radius * np.sin(theta)])
    )
    shapely.prepare(outline)
    city = np.array([CENTRE_X, CENTRE_Y])

    # the big lake with the island, about 25 km from the city
    a = rng.uniform(0, 2 * np.pi)
    big_xy = city + 26_000 * np.array([np.cos(a), np.sin(a)])
    # towns: spread in angle, avoiding the big lake's direction
    town_angles = a + np.pi / 3 + np.arange(5) * (2 * np.pi * 0.8 / 5) + rng.uniform(-0.2, 0.2, 5)
    town_dist = rng.uniform(30_000, 52_000, 5)
    towns = city + np.column_stack([np.cos(town_angles), np.sin(town_angles)]) * town_dist[:, None]
    centres = [city, *towns]
    avoid = np.array([big_xy])
    rural: list[np.ndarray] = []
    min_gap = 19_000.0
    tries = 0
    while len(rural) < len(RURAL):
        tries += 1
        if tries % 4000 == 0:
            min_gap *= 0.93  # relax when the disc is full (never with the default seed)
        r = RADIUS_M * 0.9 * np.sqrt(rng.uniform(0.05, 1.0))
        t = rng.uniform(0, 2 * np.pi)
        p = city + r * np.array([np.cos(t), np.sin(t)])
        if (
            not outline.contains(shapely.Point(p))
            or outline.exterior.distance(shapely.Point(p)) < 6_000
        ):
            continue
        if _min_distance(np.array(centres + rural), p) < min_gap:
            continue
        if _min_distance(avoid, p) < 12_000:
            continue
        rural.append(p)
    all_centres = np.array(centres + rural)
    n = len(all_centres)

    # municipalities: Voronoi cells clipped to the outline, ordered like the centres
    cells = shapely.voronoi_polygons(
        shapely.multipoints(all_centres), extend_to=outline.buffer(10_000)
    )
    parts = list(shapely.get_parts(cells))
    polygons: list[shapely.Geometry] = [shapely.Polygon()] * n
    for part in parts:
        inside = np.flatnonzero(shapely.contains_xy(part, all_centres[:, 0], all_centres[:, 1]))
        polygons[int(inside[0])] = shapely.intersection(part, outline)

    # populations: the rural total is fixed; each rural municipality gets a floor plus a share
    weights = rng.lognormal(0.0, 0.6, size=len(RURAL))
    floor = RURAL_MIN_POPULATION * len(RURAL)
    rural_pop = RURAL_MIN_POPULATION + rng.multinomial(
        RURAL_TOTAL_POPULATION - floor, weights / weights.sum()
    )
    populations = np.concatenate([[CITY_POPULATION], TOWN_POPULATIONS, rural_pop]).astype(np.int64)

    # villages: 1-3 per rural municipality, 1 in each town's outskirts
    villages: list[np.ndarray] = []
    for m in range(1, n):
        k = 1 if m <= len(TOWNS) else int(rng.integers(1, 4))
        for _ in range(k):
            for _attempt in range(50):
                d = rng.uniform(5_000, 11_000)
                t = rng.uniform(0, 2 * np.pi)
                p = all_centres[m] + d * np.array([np.cos(t), np.sin(t)])
                if (
                    shapely.contains_xy(polygons[m], p[0], p[1])
                    and _min_distance(avoid, p) > 11_000
                ):
                    villages.append(p)
                    break

    # lakes: the big one (with the island), then many small ones away from all settlements
    big = _blob(rng, big_xy[0], big_xy[1], 7_000, rough=0.15)
    island_centre = big_xy + 0.45 * 7_000 * np.array([np.cos(a + np.pi), np.sin(a + np.pi)])
    island = shapely.intersection(
        _blob(rng, island_centre[0], island_centre[1], 1_700, rough=0.2), big.buffer(-600)
    )
    island = max(shapely.get_parts(island), key=shapely.area)
    island_village = np.array(shapely.get_coordinates(shapely.point_on_surface(island))[0])
    settlements = np.vstack([all_centres, np.array(villages)])
    lakes = [big]
    n_small = 140
    placed = 0
    guard = 0
    while placed < n_small and guard < 5_000:
        guard += 1
        r0 = float(np.clip(rng.lognormal(np.log(1_700), 0.6), 500, 7_000))
        r = RADIUS_M * np.sqrt(rng.uniform(0, 1.0))
        t = rng.uniform(0, 2 * np.pi)
        p = city + r * np.array([np.cos(t), np.sin(t)])
        clear = 2.2 * r0 + (6_000 if _min_distance(all_centres[:1], p) < 15_000 else 2_500)
        if _min_distance(settlements, p) < clear or _min_distance(big_xy[None, :], p) < 9_000 + r0:
            continue
        lakes.append(_blob(rng, p[0], p[1], r0))
        placed += 1
    water_union = shapely.intersection(shapely.union_all(lakes), outline)
    water_union = shapely.difference(water_union, island)
    water = tuple(p for p in shapely.get_parts(water_union) if shapely.area(p) > 0)
    shapely.prepare(water_union)
    log.debug("geography: %d municipalities, %d lakes, %d villages", n, len(water), len(villages))
    kinds = ("city",) + ("town",) * len(TOWNS) + ("rural",) * len(RURAL)
    names = (CITY[0], *TOWNS, *RURAL)
    names_sv: tuple[str | None, ...] = (CITY[1],) + (None,) * (n - 1)
    return Geography(
        outline=outline,
        codes=tuple(str(FIRST_CODE + i) for i in range(n)),
        names=names,
        names_sv=names_sv,
        kinds=kinds,
        centres=all_centres,
        populations=populations,
        polygons=tuple(polygons),
        villages=np.array(villages).reshape(-1, 2),
        water=water,
        water_union=water_union,
        island=island,
        island_village=island_village,
    )
