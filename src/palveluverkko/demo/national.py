"""A national test case: all of Finland at the real scale, from open data plus synthetic parts.

:func:`national_case` builds, deterministically from a seed, in well under two minutes:

* **municipalities**: the real 309 municipalities of 2023 (``boundaries/municipalities_2023.gpkg``);
* **population**: Statistics Finland's Paavo 2017 residents of the 3,026 postal-code areas
  (``paavo/Population_structure_2017.csv`` joined to ``postal_areas/postinumerot_geo.json`` by
  :func:`palveluverkko.sources.paavo.read_paavo`, which also maps Paavo's 20 age bands to our
  six), each area's residents spread over **synthetic** 250 m cells inside its polygon. An
  area gets ``c_a = min(cells in its polygon, residents / 2, lambda * residents^0.7)`` cells,
  ``lambda`` set so that about ``n_cells`` (default 300,000, Statistics Finland's count of
  populated 250 m cells) are populated; the cells are drawn near the area's centre
  (weight ``exp(-d / L)``, ``L`` a third of the area's size) and residents of each age band are
  spread over them: one resident per cell first (so no cell is empty), the rest by a
  multinomial draw with lognormal cell weights. Every area's total and age structure is kept
  exactly. Areas that :func:`read_paavo` cannot place (municipality names of 2017 that a merger
  has since removed, areas without a polygon) are counted in :attr:`NationalCase.counts`;
* **sites**: ``n_sites`` (default 1,000) **synthetic** sites: one health station at the most
  populous cell of each municipality, the rest drawn among cells with weight ``residents^0.8``;
  services by kind with capacity sized to demand (:func:`.catalogue.site_services_from_demand`);
* **road network**: a **synthetic 500 m grid**, not the demo road generator (which lays a
  county lattice and motorways and would take minutes at this size): grid nodes within
  ``road_reach_m`` (default 8 km) of a populated cell, edges between 4-neighbours, every 40th
  grid line a main road (100 km/h), every 8th a regional road (80 km/h), the rest local roads
  (50 km/h); about 1 million nodes and 4 million directed edges. Cells in a part of the grid
  that the largest part does not reach (islands beyond the reach) are counted, not hidden
  (:attr:`NationalCase.n_cells_off_network` after snapping is the caller's; the case reports
  grid components).

Nothing here describes real roads or real sites; the residents and their municipalities are
real (Paavo 2017), their placement inside each postal area is not.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from ..demand.catalogue import default_services, site_services_from_demand
from ..errors import DataWarning, InputError
from ..network.graph import RoadNetwork
from ..region.model import Policy, Region, RegionMeta
from ..region.schema import DEFAULT_CRS, POPULATION_COLUMNS, ROAD_CLASSES
from ..sources.municipalities import read_municipalities
from ..sources.paavo import read_paavo

__all__ = ["NationalCase", "national_case"]

log = logging.getLogger("palveluverkko.demo")

CELL_M = 250.0
"""Side of a population cell (Statistics Finland's grid)."""
GRID_M = 500.0
"""Spacing of the synthetic road grid."""
SPEEDS_KPH = {"primary": 100.0, "secondary": 80.0, "residential": 50.0}
"""Speeds of the synthetic grid's road classes (Finnish main / regional / local road limits)."""


@dataclass(frozen=True, eq=False)
class NationalCase:
    """The national case: a Region (no roads layer) and its car network.

    Attributes
    ----------
    region
        Municipalities, population cells, sites, services; ``roads`` is ``None`` (the network is
        built directly as arrays, a roads layer of 4 million lines would take minutes).
    network
        Car :class:`~palveluverkko.network.graph.RoadNetwork` of the synthetic grid.
    seconds
        Time to build.
    counts
        Figures of the build: cells dropped empty, merged, grid components, ...
    """

    region: Region
    network: RoadNetwork
    seconds: float
    counts: dict[str, float] = field(default_factory=dict)

    def cell_xy(self) -> np.ndarray:
        """``(n_cells, 2)`` cell centres."""
        return shapely.get_coordinates(self.region.population.geometry.to_numpy())

    def site_xy(self) -> np.ndarray:
        """``(n_sites, 2)`` site points."""
        return shapely.get_coordinates(self.region.sites.geometry.to_numpy())

    def residents(self) -> np.ndarray:
        """Residents per cell (all age bands)."""
        return self.region.population[list(POPULATION_COLUMNS)].to_numpy(np.int64).sum(axis=1)

    def summary(self) -> str:
        """One line of sizes and the build time."""
        return (
            f"national case: {len(self.region.municipalities)} municipalities, "
            f"{len(self.region.population):,} populated cells, "
            f"{int(self.residents().sum()):,} residents, {len(self.region.sites):,} sites; "
            f"road grid {self.network.n_nodes:,} nodes, {self.network.n_edges:,} edges; "
            f"built in {self.seconds:.1f} s"
        )


def _default_data_dir() -> Path:
    """``$PALVELUVERKKO_SHARED_DATA``, else ``../shared/data`` beside the checkout."""
    env = os.environ.get("PALVELUVERKKO_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _cells_per_area(residents: np.ndarray, capacity: np.ndarray, n_cells: int) -> np.ndarray:
    """``min(capacity, residents // 2, lambda * residents^0.7)`` with ``lambda`` fit to
    ``n_cells`` by bisection (at least one cell per populated area)."""
    base = np.power(np.maximum(residents, 0), 0.7)
    cap = np.minimum(capacity, np.maximum(residents // 2, 1))
    cap = np.where(residents > 0, cap, 0)

    def total(lam: float) -> int:
        return int(np.minimum(cap, np.maximum(1, np.floor(lam * base))).sum())

    lo, hi = 0.0, 1.0
    while total(hi) < n_cells and hi < 1e6:
        hi *= 2
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if total(mid) < n_cells else (lo, mid)
    return np.minimum(cap, np.maximum(1, np.floor(hi * base))).astype(np.int64) * (residents > 0)


def _cells_in(
    poly: shapely.Geometry, want: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``want`` 250 m grid cells (integer indices) inside ``poly``, clustered near its centre."""
    x0, y0, x1, y1 = poly.bounds
    i0, j0 = int(np.floor(x0 / CELL_M)), int(np.floor(y0 / CELL_M))
    i1, j1 = int(np.ceil(x1 / CELL_M)), int(np.ceil(y1 / CELL_M))
    n_box = (i1 - i0) * (j1 - j0)
    if n_box <= max(20_000, 6 * want):
        mi, mj = np.meshgrid(np.arange(i0, i1), np.arange(j0, j1), indexing="ij")
        gi, gj = mi.ravel(), mj.ravel()
    else:
        pick = np.unique(rng.integers(0, n_box, 6 * want + 200))
        gi, gj = i0 + pick // (j1 - j0), j0 + pick % (j1 - j0)
    cx, cy = (gi + 0.5) * CELL_M, (gj + 0.5) * CELL_M
    inside = shapely.contains_xy(poly, cx, cy)
    gi, gj = gi[inside], gj[inside]
    if gi.size == 0:  # a sliver smaller than a cell: its representative point's cell
        pt = poly.representative_point()
        return np.array([int(pt.x // CELL_M)]), np.array([int(pt.y // CELL_M)])
    centre = poly.representative_point()
    d = np.hypot((gi + 0.5) * CELL_M - centre.x, (gj + 0.5) * CELL_M - centre.y)
    scale = max(np.sqrt(poly.area) / 3.0, CELL_M)
    w = np.exp(-d / scale)
    k = min(want, gi.size)
    chosen = rng.choice(gi.size, size=k, replace=False, p=w / w.sum())
    return gi[chosen], gj[chosen]


def _population(
    areas: gpd.GeoDataFrame, n_cells: int, rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Spread each postal area's residents by band over synthetic cells (module docstring)."""
    bands = areas[list(POPULATION_COLUMNS)].to_numpy(np.int64)
    residents = bands.sum(axis=1)
    capacity = np.maximum((areas.geometry.area.to_numpy() / CELL_M**2).astype(np.int64), 1)
    want = _cells_per_area(residents, capacity, n_cells)
    gi_all, gj_all, muni_all, band_rows = [], [], [], []
    geoms = areas.geometry.to_numpy()
    munis = areas["municipality"].to_numpy()
    for a in np.flatnonzero(want > 0):
        gi, gj = _cells_in(geoms[a], int(want[a]), rng)
        # one resident per cell first (so that no cell is empty), the rest by lognormal weights
        first_band = np.repeat(
            np.arange(bands.shape[1]), rng.multivariate_hypergeometric(bands[a], gi.size)
        )
        counts = np.zeros((gi.size, bands.shape[1]), dtype=np.int64)
        counts[np.arange(gi.size), rng.permutation(first_band)] = 1
        rest = bands[a] - counts.sum(axis=0)
        share = rng.lognormal(0.0, 1.0, gi.size)
        share /= share.sum()
        counts += np.stack([rng.multinomial(int(b), share) for b in rest], axis=1)
        gi_all.append(gi)
        gj_all.append(gj)
        muni_all.append(np.full(gi.size, munis[a], dtype=object))
        band_rows.append(counts)
    gi = np.concatenate(gi_all)
    gj = np.concatenate(gj_all)
    muni = np.concatenate(muni_all)
    counts = np.concatenate(band_rows)
    # a cell claimed by two overlapping (generalised) polygons: residents summed, first
    # area's municipality kept
    key = gi.astype(np.int64) * 10_000_000 + gj
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    merged = np.zeros((uniq.size, counts.shape[1]), dtype=np.int64)
    np.add.at(merged, inverse, counts)
    nonempty = merged.sum(axis=1) > 0
    stats = {
        "cells_drawn": float(key.size),
        "cells_shared_by_two_areas": float(key.size - uniq.size),
        "cells_left_empty_by_the_draw": float((~nonempty).sum()),
    }
    first = first[nonempty]
    merged = merged[nonempty]
    ci, cj = gi[first], gj[first]
    frame = gpd.GeoDataFrame(
        {
            "cell_id": [f"{x}N{y}E" for x, y in zip(cj * 250, ci * 250, strict=True)],
            "municipality": muni[first].astype(str),
            **{col: merged[:, b] for b, col in enumerate(POPULATION_COLUMNS)},
        },
        geometry=shapely.points((ci + 0.5) * CELL_M, (cj + 0.5) * CELL_M),
        crs=DEFAULT_CRS,
    )
    return frame, stats


def _sites(
    population: gpd.GeoDataFrame, n_sites: int, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """One health station per municipality (its most populous cell), the rest by residents^0.8."""
    res = population[list(POPULATION_COLUMNS)].to_numpy(np.int64).sum(axis=1)
    frame = pd.DataFrame({"muni": population["municipality"].to_numpy(), "res": res})
    top = frame.groupby("muni")["res"].idxmax().to_numpy()
    chosen = np.zeros(len(frame), dtype=bool)
    chosen[top] = True
    rest = n_sites - int(chosen.sum())
    if rest > 0:
        w = np.where(chosen, 0.0, np.power(res.astype(np.float64), 0.8))
        extra = rng.choice(len(frame), size=rest, replace=False, p=w / w.sum())
        chosen[extra] = True
    idx = np.flatnonzero(chosen)
    kinds = np.where(np.isin(idx, top), "sote_keskus", "sote_asema")
    n = idx.size
    xy = shapely.get_coordinates(population.geometry.to_numpy()[idx])
    floor = np.round(rng.uniform(400, 4000, n), -1)
    return gpd.GeoDataFrame(
        {
            "site_id": [f"N{k:04d}" for k in range(n)],
            "name": [f"Synteettinen asema {k + 1}" for k in range(n)],
            "municipality": population["municipality"].to_numpy()[idx],
            "kind": kinds,
            "floor_area_m2": floor,
            "condition": pd.array(rng.choice([2, 3, 3, 4, 4, 5], n), dtype="Int64"),
            "annual_cost_eur": np.round(floor * 300.0, -2),
            "lease_end": pd.Series([pd.NaT] * n).astype("datetime64[ms]"),
            "investment_need_eur": np.zeros(n),
        },
        geometry=shapely.points(xy),
        crs=DEFAULT_CRS,
    )


def _grid_network(cell_xy: np.ndarray, reach_m: float) -> tuple[RoadNetwork, dict[str, float]]:
    """The synthetic 500 m grid within ``reach_m`` of a populated cell (module docstring)."""
    gi = np.floor(cell_xy[:, 0] / GRID_M).astype(np.int64)
    gj = np.floor(cell_xy[:, 1] / GRID_M).astype(np.int64)
    i0, j0 = gi.min() - 2, gj.min() - 2
    shape = (int(gi.max() - i0 + 3), int(gj.max() - j0 + 3))
    mask = np.zeros(shape, dtype=bool)
    mask[gi - i0, gj - j0] = True
    r = int(np.ceil(reach_m / GRID_M))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    mask = ndimage.binary_dilation(mask, structure=(xx**2 + yy**2) <= r * r)
    node_id = np.full(shape, -1, dtype=np.int64)
    ii, jj = np.nonzero(mask)
    node_id[ii, jj] = np.arange(ii.size)
    node_xy = np.column_stack([(ii + i0) * GRID_M, (jj + j0) * GRID_M]).astype(np.float64)
    us, vs, cls = [], [], []
    for di, dj in ((1, 0), (0, 1)):
        a = node_id[: shape[0] - di, : shape[1] - dj]
        b = node_id[di:, dj:]
        ok = (a >= 0) & (b >= 0)
        line = (np.nonzero(ok)[1] + j0) if di == 1 else (np.nonzero(ok)[0] + i0)
        c = np.where(line % 40 == 0, "primary", np.where(line % 8 == 0, "secondary", "residential"))
        us.append(a[ok])
        vs.append(b[ok])
        cls.append(c)
    u = np.concatenate(us)
    v = np.concatenate(vs)
    road_class = np.concatenate(cls)
    speed = np.array([SPEEDS_KPH[c] for c in ("primary", "secondary", "residential")])
    code = np.select([road_class == "primary", road_class == "secondary"], [0, 1], 2)
    minutes = GRID_M / 1000.0 / speed[code] * 60.0
    codes = np.array(
        [ROAD_CLASSES.index(c) for c in ("primary", "secondary", "residential")], dtype=np.int8
    )[code]
    network = RoadNetwork.from_edges(
        np.concatenate([u, v]),
        np.concatenate([v, u]),
        np.concatenate([minutes, minutes]),
        np.full(2 * u.size, GRID_M),
        node_xy,
        "car",
        DEFAULT_CRS,
        road_class=np.concatenate([codes, codes]),
        source_digest=f"national-grid-{GRID_M:g}m-{reach_m:g}m",
    )
    comp = network.component
    stats = {
        "grid_nodes": float(network.n_nodes),
        "grid_edges": float(network.n_edges),
        "grid_components": float(comp.max() + 1 if comp.size else 0),
        "nodes_outside_largest_component": float((comp != 0).sum()),
    }
    return network, stats


def national_case(
    seed: int = 0,
    *,
    data_dir: str | Path | None = None,
    n_cells: int = 300_000,
    n_sites: int = 1_000,
    road_reach_m: float = 8_000.0,
) -> NationalCase:
    """Build the national case (module docstring); deterministic for a seed.

    Parameters
    ----------
    seed
        Seed of every random draw.
    data_dir
        The shared open-data folder (default ``../shared/data`` beside the checkout).
    n_cells, n_sites
        Target populated cells and number of sites.
    road_reach_m
        Grid nodes are laid within this distance of a populated cell.

    Returns
    -------
    NationalCase

    Raises
    ------
    InputError
        The open-data files are missing (the message names the folder).
    """
    t0 = time.perf_counter()
    base = Path(data_dir) if data_dir is not None else _default_data_dir()
    files = {
        "municipalities": base / "boundaries" / "municipalities_2023.gpkg",
        "paavo": base / "paavo" / "Population_structure_2017.csv",
        "postal": base / "postal_areas" / "postinumerot_geo.json",
    }
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise InputError(
            f"national_case: open-data files not found: {', '.join(missing)}; give data_dir= "
            "the shared data folder (../shared/data beside the checkout)"
        )
    rng = np.random.default_rng(seed)
    municipalities, _ = read_municipalities(files["municipalities"])
    with warnings.catch_warnings(record=True) as caught:
        # the importer warns about the areas it leaves out; they are counted in ``counts``
        warnings.simplefilter("always", DataWarning)
        areas, report = read_paavo(
            files["paavo"], files["postal"], municipalities, on_missing_polygon="drop"
        )
    for w in caught:
        log.warning("national case: %s", w.message)
    population, counts = _population(areas, n_cells, rng)
    counts["paavo_residents_in_2023_municipalities"] = float(report.total_before or 0)
    for reason, n in report.dropped.items():
        counts[f"paavo_dropped: {reason}"] = float(n)
    counts["residents_placed"] = float(
        population[list(POPULATION_COLUMNS)].to_numpy(np.int64).sum()
    )
    sites = _sites(population, n_sites, rng)
    services = default_services()
    site_services = site_services_from_demand(sites, population, services)
    network, grid_stats = _grid_network(
        shapely.get_coordinates(population.geometry.to_numpy()), road_reach_m
    )
    counts.update(grid_stats)
    region = Region(
        name="Suomi (national test case, partly synthetic)",
        crs=DEFAULT_CRS,
        base_year=2017,
        municipalities=municipalities,
        population=population,
        sites=sites,
        site_services=site_services,
        services=services,
        policy=Policy(one_physical_site_per_municipality=False),
        meta=RegionMeta(
            synthetic=True,
            description=(
                f"National test case (seed {seed}): real municipalities (2023) and Paavo 2017 "
                "residents per postal area; their 250 m cells, all sites and the road grid are "
                "SYNTHETIC."
            ),
            credits=(
                "Statistics Finland, Paavo (CC BY 4.0); municipal boundaries: Statistics "
                "Finland / NLS (CC BY 4.0).",
            ),
        ),
    )
    seconds = time.perf_counter() - t0
    case = NationalCase(region=region, network=network, seconds=seconds, counts=counts)
    log.info("%s", case.summary())
    return case
