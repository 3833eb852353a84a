"""Residents of the demo county on 250 m cells, by age band, with broadband and car access.

Candidate cells are the 250 m squares of the road lattice whose centre is on land, inside the
county and within ``MAX_ROAD_DISTANCE_M`` of a vertex of an ordinary road (not a motorway or the
ferry) on the same side of the water (island cells near island roads). Each municipality gets a
number of populated cells (about one per ``residents_per_cell`` residents: 40 in the city, 18 in
towns, 6 in the countryside), drawn without replacement with probability proportional to a
settlement density

.. math::

    w = \\varepsilon \\, \\Big(0.3 + \\sum_k A_k \\, e^{-d_k / s_k}\\Big),
    \\qquad \\varepsilon \\sim \\mathrm{LogNormal}(0, 0.5),

over centres ``k`` (city ``A=60, s=2.5`` km; towns ``25, 1.2`` km; rural centres ``10, 0.8`` km;
villages ``4, 0.5`` km). Each chosen cell gets one resident plus a multinomial share of the rest
in proportion to ``w``, so municipal totals are exact.

Age: each municipality has a rurality ``t`` (0 for the city, 0.3-0.5 towns, 0.6-1 rural), and a
cell's age shares are ``(1 - t_c) Y + t_c O`` with the young profile ``Y`` (75+ 9 %) and the old
profile ``O`` (75+ 14.5 %), ``t_c = t`` shifted -0.05 in the city core and +0.1 in the open
countryside; the cell's residents are split by a multinomial draw.

Broadband: each cell's household reaches >= 100 Mbit/s when a uniform draw ``u < sigmoid(logit
p_settlement + k)`` with ``p`` city 0.9, town 0.75, village 0.55, rural 0.3; the shift ``k`` is
set by bisection so that 71 % of residents (DOMAIN.md: 71 % of households, end of 2021) have it.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree

from ..region.schema import AGE_BANDS, DEFAULT_CRS
from .geography import Geography
from .roads import STEP_M, RoadResult

log = logging.getLogger("palveluverkko.demo")

MAX_ROAD_DISTANCE_M = 700.0
FAST_BROADBAND_SHARE = 0.71
YOUNG_PROFILE = np.array([0.075, 0.11, 0.65, 0.075, 0.063, 0.027])
OLD_PROFILE = np.array([0.045, 0.095, 0.485, 0.23, 0.107, 0.038])
RESIDENTS_PER_CELL = {"city": 40.0, "town": 18.0, "rural": 6.0}
_KERNELS = {"city": (60.0, 2_500.0), "town": (25.0, 1_200.0), "rural": (10.0, 800.0)}
_SETTLEMENT_P_FAST = {"city": 0.9, "town": 0.75, "village": 0.55, "rural": 0.3}


def rurality(geo: Geography, seed: int) -> np.ndarray:
    """Rurality ``t`` per municipality: 0 city, 0.3-0.5 towns, 0.6-1 rural (deterministic)."""
    rng = np.random.default_rng([seed, 4])
    kinds = np.array(geo.kinds)
    t = np.zeros(len(kinds))
    t[kinds == "town"] = rng.uniform(0.3, 0.5, int((kinds == "town").sum()))
    t[kinds == "rural"] = rng.uniform(0.6, 1.0, int((kinds == "rural").sum()))
    return t


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def build_population(geo: Geography, roads: RoadResult, seed: int) -> gpd.GeoDataFrame:
    """The ``population`` layer (cell centres as points) for the demo county."""
    rng = np.random.default_rng([seed, 5])
    lat = roads.lattice
    mi, mj = np.meshgrid(np.arange(lat.nx - 1), np.arange(lat.ny - 1))
    ci, cj = mi.ravel(), mj.ravel()
    cx = lat.x0 + ci * STEP_M + STEP_M / 2
    cy = lat.y0 + cj * STEP_M + STEP_M / 2
    ok = shapely.contains_xy(geo.outline, cx, cy)
    idx = np.flatnonzero(ok)
    ok[idx[shapely.contains_xy(geo.water_union, cx[idx], cy[idx])]] = False
    idx = np.flatnonzero(ok)
    snap_v = np.flatnonzero(roads.snappable)
    dist, near = cKDTree(roads.vertex_xy[snap_v]).query(np.column_stack([cx[idx], cy[idx]]))
    on_island = shapely.contains_xy(geo.island, cx[idx], cy[idx])
    same_side = roads.mainland[snap_v[near]] != on_island
    idx = idx[(dist <= MAX_ROAD_DISTANCE_M) & same_side]
    cx, cy, ci, cj = cx[idx], cy[idx], ci[idx], cj[idx]
    muni = np.full(len(idx), -1)
    for m, poly in enumerate(geo.polygons):
        inside = (muni < 0) & shapely.contains_xy(poly, cx, cy)
        muni[inside] = m
    cx, cy, ci, cj, muni = (
        cx[muni >= 0],
        cy[muni >= 0],
        ci[muni >= 0],
        cj[muni >= 0],
        muni[muni >= 0],
    )
    on_island = shapely.contains_xy(geo.island, cx, cy)

    # settlement density
    w = np.full(len(cx), 0.3)
    for m, kind in enumerate(geo.kinds):
        a, s = _KERNELS[kind]
        w += a * np.exp(-np.hypot(cx - geo.centres[m, 0], cy - geo.centres[m, 1]) / s)
    for vx, vy in [*geo.villages, geo.island_village]:
        w += 4.0 * np.exp(-np.hypot(cx - vx, cy - vy) / 500.0)
    w *= rng.lognormal(0.0, 0.5, len(w))

    # populated cells and residents per municipality
    chosen_parts: list[np.ndarray] = []
    total_parts: list[np.ndarray] = []
    for m, kind in enumerate(geo.kinds):
        cand = np.flatnonzero(muni == m)
        pop = int(geo.populations[m])
        n = int(min(len(cand), max(1, round(pop / RESIDENTS_PER_CELL[kind]))))
        p = w[cand] / w[cand].sum()
        pick = np.sort(rng.choice(cand, size=n, replace=False, p=p))
        if on_island.any() and m == int(np.bincount(muni[on_island]).argmax()):
            # the island village is always inhabited: add its island cells
            isl = cand[on_island[cand]]
            pick = np.union1d(
                pick, isl[np.argsort(-w[isl], kind="stable")[: max(8, len(isl) // 3)]]
            )
        extra = rng.multinomial(pop - len(pick), w[pick] / w[pick].sum())
        chosen_parts.append(pick)
        total_parts.append(1 + extra)
    cells = np.concatenate(chosen_parts)
    totals = np.concatenate(total_parts).astype(np.int64)
    cx, cy, ci, cj, muni = cx[cells], cy[cells], ci[cells], cj[cells], muni[cells]
    island_cell = on_island[cells]

    # settlement class
    kinds = np.array(geo.kinds)
    d_own = np.hypot(cx - geo.centres[muni, 0], cy - geo.centres[muni, 1])
    vill = np.vstack([geo.villages, geo.island_village[None, :]])
    d_vill, _ = cKDTree(vill).query(np.column_stack([cx, cy]))
    settlement = np.full(len(cx), "rural", dtype=object)
    settlement[(d_vill < 1_200.0) | ((kinds[muni] == "rural") & (d_own < 1_500.0))] = "village"
    settlement[(kinds[muni] == "town") & (d_own < 3_000.0)] = "town"
    settlement[(kinds[muni] == "city") & (d_own < 7_000.0)] = "city"

    # age bands
    t = rurality(geo, seed)[muni]
    t = t + np.where(settlement == "rural", 0.1, 0.0)
    t = t - np.where((settlement == "city") & (d_own < 3_000.0), 0.05, 0.0)
    t = np.clip(t, 0.0, 1.0)
    shares = (1 - t)[:, None] * YOUNG_PROFILE + t[:, None] * OLD_PROFILE
    bands = rng.multinomial(totals, shares / shares.sum(axis=1, keepdims=True))

    # broadband
    p_fast = np.array([_SETTLEMENT_P_FAST[s] for s in settlement])
    u = rng.uniform(size=len(cx))
    logit = np.log(p_fast / (1 - p_fast))
    lo, hi = -10.0, 10.0
    for _ in range(60):
        k = (lo + hi) / 2
        share = totals[u < _sigmoid(logit + k)].sum() / totals.sum()
        lo, hi = (k, hi) if share < FAST_BROADBAND_SHARE else (lo, k)
    fast = u < _sigmoid(logit + (lo + hi) / 2)
    fast_speeds = rng.choice(np.array([100.0, 300.0, 1000.0]), size=len(cx), p=[0.4, 0.35, 0.25])
    slow_speeds = rng.choice(np.array([5.0, 10.0, 30.0, 50.0]), size=len(cx))
    broadband = np.where(fast, fast_speeds, slow_speeds)
    car_base = {"city": 0.68, "town": 0.8, "village": 0.86, "rural": 0.92}
    car_share = np.array([car_base[s] for s in settlement]) + rng.uniform(-0.04, 0.04, len(cx))

    order = np.lexsort((ci, cj))
    codes = np.array(geo.codes, dtype=object)
    frame = gpd.GeoDataFrame(
        {
            "cell_id": np.array([f"250m_{i}_{j}" for i, j in zip(ci, cj, strict=True)])[order],
            "municipality": codes[muni][order],
            **{f"pop_{b}": bands[order, k].astype(np.int64) for k, b in enumerate(AGE_BANDS)},
            "broadband_mbps": broadband[order],
            "car_share": np.round(np.clip(car_share, 0.0, 1.0), 3)[order],
            "settlement": settlement[order],
            "island": island_cell[order],
        },
        geometry=shapely.points(cx[order], cy[order]),
        crs=DEFAULT_CRS,
    )
    log.info(
        "demo population: %d residents in %d cells (%d on the island)",
        int(totals.sum()),
        len(frame),
        int(island_cell.sum()),
    )
    return frame
