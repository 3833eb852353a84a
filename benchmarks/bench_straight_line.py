"""Benchmark: calibrate the straight-line estimate on Tampere and measure its error.

Run::

    .venv/bin/python benchmarks/bench_straight_line.py

Data (from ``../shared/data``): Tampere and its neighbours (municipalities 837, 211, 536, 604,
980, 418) as ``palveluverkko import`` builds them - Paavo 2017 postal areas as population cells,
OSM health amenities as sites, the Tampere OSM extract as roads (© OpenStreetMap contributors,
ODbL; Statistics Finland CC BY 4.0). Only cells and destinations linked to the main network
count (the others lie outside the extract).

Pairs: every linked cell to every linked site and every other linked cell (so that distances
span the region, not just the nine sites). For each pair and mode (car, walk):

* ``T``: the network time of :func:`palveluverkko.network.matrix.road_matrix` (free flow, with
  the access legs);
* ``L``: the shortest road distance (the same graph weighted by length, access legs in metres);
* ``D``: the straight-line distance.

Printed:

1. the circuity ``L / D`` (median, mean, 10th and 90th percentile): the median is the default
   ``car_circuity`` / ``walk_circuity`` of :class:`~palveluverkko.network.StraightLineParams`;
2. per settlement class of the cell (by density, as the estimate does it): the median speed
   along the road ``L / T`` (the source of the ``car_speed_kph`` defaults of the classes that
   Tampere has);
3. calibrated against times (car): the terminal time ``t0`` and the one speed ``v`` that fit
   ``t0 + k D / v`` best (least squares of the log ratio, ``k`` the median circuity), the speed
   per settlement class with that ``t0``, and the factor ``k`` for which the median ratio is 1
   at the default ``t0`` and speeds (walk: ``t0`` = 0 and the walking speed);
4. the error of the default estimate ``t0 + k D / v``: mean and 90th percentile of the ratio
   estimate / network time (and the 10th percentile, the median, and the mean absolute error in
   minutes), over all pairs, by distance band and for each cell's nearest site; and the same
   for the estimate without ``t0`` at the speed fitted without it, for comparison.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PALVELUVERKKO_SHARED_DATA", ROOT.parent / "shared" / "data"))
CODES = ["837", "211", "536", "604", "980", "418"]


def build_tampere(folder: Path):  # type: ignore[no-untyped-def]
    """The Tampere region package as the import commands build it (no GTFS)."""
    from palveluverkko.study.imports import (
        import_municipalities,
        import_osm_sites,
        import_population,
        import_region,
    )

    m, p, s = folder / "m.gpkg", folder / "p.gpkg", folder / "s.gpkg"
    import_municipalities(SHARED / "boundaries" / "municipalities_2023.gpkg", m, codes=CODES)
    import_population(
        SHARED / "paavo" / "Population_structure_2017.csv",
        SHARED / "postal_areas" / "postinumerot_geo.json",
        m,
        p,
    )
    import_osm_sites(SHARED / "tampere" / "tampere.osm.pbf", s)
    return import_region(
        folder / "pkg",
        name="Tampere",
        municipalities=m,
        population=p,
        sites=s,
        roads_pbf=SHARED / "tampere" / "tampere.osm.pbf",
    ).region


def stats(ratio: np.ndarray) -> str:
    """Mean, percentiles of a ratio."""
    p10, p50, p90 = np.percentile(ratio, [10, 50, 90])
    return f"mean {ratio.mean():.3f}  p10 {p10:.3f}  median {p50:.3f}  p90 {p90:.3f}"


def main() -> int:
    from palveluverkko.network import RoadNetwork, RoadParams, snap
    from palveluverkko.network.linking import Snapped
    from palveluverkko.network.matrix import road_matrix
    from palveluverkko.network.params import SETTLEMENT_CLASSES, StraightLineParams
    from palveluverkko.network.straight_line import settlement_classes, straight_line_speeds

    if not (SHARED / "tampere" / "tampere.osm.pbf").is_file():
        print(f"no Tampere data under {SHARED}; set PALVELUVERKKO_SHARED_DATA")
        return 1
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        region = build_tampere(Path(tmp))
        print(f"{region.summary()} (built in {time.perf_counter() - started:.1f} s)")
        line = StraightLineParams()
        params = RoadParams()
        classes = settlement_classes(region, line)
        print(
            "settlement classes by density:",
            {c: int((classes == c).sum()) for c in (*SETTLEMENT_CLASSES, "unknown")},
        )
        cells_xy = region.cell_points()
        for mode in ("car", "walk"):
            net = RoadNetwork.for_region(region, mode)
            cells = snap(net, cells_xy, **params.snap_options(mode))
            ok = cells.ok
            dest_xy = np.vstack([region.site_points(), cells_xy[ok]])
            n_sites = len(region.sites)
            dest = snap(net, dest_xy, **params.snap_options(mode))
            minutes = road_matrix(net, cells, dest).astype(np.float64)
            by_length = RoadNetwork.from_edges(
                net.tails,
                net.indices,
                net.length_m,
                net.length_m,
                net.node_xy,
                mode,
                net.crs,
                snappable=net.snappable,
            )
            metres = road_matrix(
                by_length,
                Snapped(cells.node, cells.distance_m, cells.distance_m, cells.reason),
                Snapped(dest.node, dest.distance_m, dest.distance_m, dest.reason),
            ).astype(np.float64)
            straight = np.hypot(
                cells_xy[:, None, 0] - dest_xy[None, :, 0],
                cells_xy[:, None, 1] - dest_xy[None, :, 1],
            )
            pair = np.isfinite(minutes) & (straight > 0) & (minutes > 0)
            pair &= ok[:, None]
            print(
                f"\n== {mode}: {int(ok.sum())} of {len(ok)} cells linked, "
                f"{len(dest_xy)} destinations ({n_sites} sites), {int(pair.sum())} pairs"
            )
            circuity = metres[pair] / straight[pair]
            print(f"circuity L/D: {stats(circuity)}  (default {line.circuity(mode)})")
            speed_along = metres / 1000 / (minutes / 60)
            for c in (*SETTLEMENT_CLASSES, "unknown"):
                rows = pair & (classes == c)[:, None]
                if rows.any():
                    v = speed_along[rows]
                    note = (
                        "free flow, no t0" if mode == "car" else f"default {params.walk_speed_kph}"
                    )
                    print(
                        f"  {c:8s} {int((classes[ok] == c).sum()):3d} cells {int(rows.sum()):5d} "
                        f"pairs: speed along the road L/T median {np.median(v):5.1f} km/h "
                        f"({note})"
                    )
            k = line.circuity(mode)
            t0 = line.terminal_min(mode)
            tt, dd = minutes[pair], straight[pair]
            if mode == "car":
                fit = min(
                    (float(np.mean(np.log((a + k * dd / (v * 1000 / 60)) / tt) ** 2)), a, v)
                    for a in np.arange(0.0, 6.01, 0.25)
                    for v in np.arange(30.0, 90.1, 0.5)
                )
                print(
                    f"fitted t0 + {k} D / v: t0 {fit[1]:.2f} min, v {fit[2]:.1f} km/h "
                    f"(defaults t0 {t0}, v by class {dict(line.car_speed_kph)})"
                )
                for c in (*SETTLEMENT_CLASSES, "unknown"):
                    rows = pair & (classes == c)[:, None] & (minutes > fit[1])
                    if rows.any():
                        v_c = k * straight[rows] / ((minutes[rows] - fit[1]) * 1000 / 60)
                        print(f"  {c:8s} speed with that t0: median {np.median(v_c):5.1f} km/h")
                flat = min(
                    (float(np.mean(np.log((k * dd / (v * 1000 / 60)) / tt) ** 2)), v)
                    for v in np.arange(20.0, 90.1, 0.5)
                )
                r = (k * dd / (flat[1] * 1000 / 60)) / tt
                print(f"  without t0 (v {flat[1]:.1f} km/h fitted): {stats(r)}")
            v = straight_line_speeds(region, mode, params, settlement=classes)
            base = straight / (v[:, None] * 1000 / 60)  # minutes at circuity 1
            k_star = float(np.median((minutes[pair] - t0) / base[pair]))
            print(
                f"factor calibrated on times (median ratio 1 at default t0, speeds): {k_star:.3f}"
            )
            estimate = t0 + base * k
            ratio = estimate[pair] / minutes[pair]
            abs_err = np.abs(estimate[pair] - minutes[pair])
            print(
                f"ERROR estimate/network, all pairs: {stats(ratio)}; "
                f"mean |error| {abs_err.mean():.1f} min"
            )
            for lo, hi in ((0, 2_000), (2_000, 5_000), (5_000, 10_000), (10_000, np.inf)):
                band = pair & (straight >= lo) & (straight < hi)
                if band.sum() >= 5:
                    r = estimate[band] / minutes[band]
                    name = f"{lo / 1000:4.0f}-{hi / 1000:<4.0f} km ({int(band.sum()):5d})"
                    print(f"  {name}: {stats(r)}")
            site_part = np.where(pair[:, :n_sites], minutes[:, :n_sites], np.inf)
            near = np.argmin(site_part, axis=1)
            rows = np.flatnonzero(np.isfinite(site_part.min(axis=1)))
            r = estimate[rows, near[rows]] / minutes[rows, near[rows]]
            print(f"  nearest site by network ({len(rows)} cells): {stats(r)}")
            picked = np.argmin(np.where(pair[:, :n_sites], estimate[:, :n_sites], np.inf), axis=1)
            same = float((picked[rows] == near[rows]).mean())
            print(f"  the estimate picks the same nearest site for {same:.0%} of cells")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
