"""Benchmark: public-transport matrix at national scale (issue 15, item 3).

Run::

    nice -n 10 .venv/bin/python benchmarks/bench_transit_national.py             # ~10 min
    nice -n 10 .venv/bin/python benchmarks/bench_transit_national.py --tiles 1 4 --national 0

Input: a synthetic national feed made by tiling the demo county (``demo_region(0)``: 19,342
cells, 60 sites, its GTFS feed and walk network) ``t`` times side by side, 20 km apart: cells,
sites, walk network (CSR arrays concatenated) and one feed per tile (stops moved with the tile,
ids kept: feeds are separate). 16 tiles = 309,472 cells and 960 sites, the national size.

Each run is its own process; memory = ``ru_maxrss`` (resident set; includes the tiled inputs the
process holds). ``new`` is :func:`palveluverkko.network.transit.transit_travel_times`
(streamed per site; ``--cutoff`` default 120 min, also run without one). ``old`` is the
former path kept here (the code before issue 15): a dense cells x sites float64 walk matrix,
every profile kept in a dict for the whole run, every cell for every site and numpy
percentiles over a cells x departures float64 matrix; it is the peer on the sizes it handles.
Equality of old and new (no cutoff) is checked on the median and every percentile.

Target (issue 15): national transit matrix peak memory < 8 GB.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

GAP_M = 20_000.0


def peak_mb() -> float:
    """Peak resident set of this process (``ru_maxrss``, kB on Linux), MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _shift_feed(data: bytes, dx: float, dy: float, crs: str) -> bytes:
    """The feed's zip with every stop moved by ``(dx, dy)`` metres in ``crs``."""
    import pandas as pd
    import pyproj

    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_deg = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            raw = src.read(name)
            if name == "stops.txt":
                stops = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
                x, y = to_m.transform(
                    stops["stop_lon"].astype(float).to_numpy(),
                    stops["stop_lat"].astype(float).to_numpy(),
                )
                lon, lat = to_deg.transform(np.asarray(x) + dx, np.asarray(y) + dy)
                stops["stop_lon"] = [f"{v:.7f}" for v in lon]
                stops["stop_lat"] = [f"{v:.7f}" for v in lat]
                raw = stops.to_csv(index=False).encode()
            dst.writestr(name, raw)
    return out.getvalue()


def tiled_case(tiles: int) -> tuple[Any, Any, Any]:
    """The demo county tiled ``tiles`` times: (region, walk network, destinations)."""
    import geopandas as gpd
    import pandas as pd

    from palveluverkko.demo import demo_region
    from palveluverkko.network.graph import RoadNetwork
    from palveluverkko.network.types import Destinations
    from palveluverkko.region.model import GtfsFeed

    demo = demo_region(0)
    walk = RoadNetwork.for_region(demo, "walk")
    dest = Destinations.of_sites(demo)
    lo, hi = walk.node_xy.min(axis=0), walk.node_xy.max(axis=0)
    step = hi - lo + GAP_M
    cols = math.ceil(math.sqrt(tiles))
    pops, feeds, dests, nets = [], [], [], []
    for t in range(tiles):
        dx, dy = float((t % cols) * step[0]), float((t // cols) * step[1])
        pop = demo.population.copy()
        pop["cell_id"] = f"t{t}_" + pop["cell_id"].astype(str)
        pop["geometry"] = pop.geometry.translate(dx, dy)
        pops.append(pop)
        feeds.extend(
            GtfsFeed(f"t{t}_{f.name}", _shift_feed(f.data, dx, dy, demo.crs)) for f in demo.gtfs
        )
        dests.append(
            Destinations(
                ids=np.array([f"t{t}_{s}" for s in dest.ids], dtype=object),
                xy=dest.xy + [dx, dy],
                kinds=dest.kinds,
                municipality=dest.municipality,
            )
        )
        nets.append((dx, dy))
    n, m = walk.n_nodes, walk.n_edges
    network = RoadNetwork(
        mode=walk.mode,
        crs=walk.crs,
        node_xy=np.concatenate([walk.node_xy + [dx, dy] for dx, dy in nets]),
        indptr=np.concatenate([[0]] + [walk.indptr[1:] + t * m for t in range(tiles)]).astype(
            np.int64
        ),
        indices=np.concatenate([walk.indices + t * n for t in range(tiles)]).astype(
            walk.indices.dtype
        ),
        minutes=np.tile(walk.minutes, tiles),
        length_m=np.tile(walk.length_m, tiles),
        road_class=np.tile(walk.road_class, tiles),  # type: ignore[arg-type]
        snappable=np.tile(walk.snappable, tiles),  # type: ignore[arg-type]
        flags=np.tile(walk.flags, tiles),  # type: ignore[arg-type]
        parameters=walk.parameters,
    )
    destinations = dests[0]
    for d in dests[1:]:
        destinations = destinations.union(d)
    population = gpd.GeoDataFrame(pd.concat(pops, ignore_index=True), crs=demo.crs)
    region = demo.replace(population=population, gtfs=tuple(feeds), roads=None)
    return region, network, destinations


def old_path(region: Any, walk: Any, dest: Any, percentiles: tuple[int, ...]) -> dict[int, Any]:
    """The transit matrix as computed before issue 15 (see the module docstring)."""
    from palveluverkko.network import transit
    from palveluverkko.network.matrix import road_matrix
    from palveluverkko.network.params import TransitParams
    from palveluverkko.network.raptor import origin_travel_times, reverse_profile

    p = TransitParams(max_minutes=None, percentiles=percentiles)
    inp = transit._inputs(region, walk, dest, p)
    direct = road_matrix(walk, inp.cells, inp.sites, max_minutes=p.max_minutes_horizon).astype(
        np.float64
    )
    qs = sorted({50, *percentiles})
    result = {q: np.full((len(inp.cells), len(dest)), np.inf, dtype=np.float32) for q in qs}
    profiles: dict[Any, np.ndarray] = {}
    for j in np.flatnonzero(inp.sites.ok):
        key = inp.site_key[j]
        if key not in profiles:
            profiles[key] = reverse_profile(
                *inp.tt.kernel_arrays(),
                inp.foot_ptr,
                inp.foot_stop,
                inp.foot_s,
                inp.egress_stop[j],
                inp.egress_s[j],
                inp.deadlines,
                p.max_rounds,
            )
        direct_s = np.where(np.isfinite(direct[:, j]), direct[:, j] * 60.0, np.inf)
        seconds = origin_travel_times(
            profiles[key], inp.deadlines, inp.access_stop, inp.access_s, direct_s, inp.departures
        )
        values = np.percentile(seconds, qs, axis=1, method="inverted_cdf") / 60.0
        for i, q in enumerate(qs):
            result[q][:, j] = values[i]
    return result


def worker(args: argparse.Namespace) -> None:
    """One run in this process; prints one JSON line."""
    import warnings

    from palveluverkko.network.params import TransitParams
    from palveluverkko.network.transit import transit_travel_times

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    region, walk, dest = tiled_case(args.tiles)
    build_s = time.perf_counter() - t0
    percentiles = tuple(args.percentiles)
    after_build = peak_mb()
    t0 = time.perf_counter()
    if args.path == "old":
        args.cutoff = 0.0  # the former path had none
        arrays = old_path(region, walk, dest, percentiles)
    else:
        params = TransitParams(
            max_minutes=None if args.cutoff <= 0 else args.cutoff, percentiles=percentiles
        )
        tt = transit_travel_times(region, walk_network=walk, to=dest, params=params)
        arrays = {50: tt.minutes, **tt.percentiles}
    seconds = time.perf_counter() - t0
    if args.save:
        np.savez(args.save, **{f"q{q}": a for q, a in arrays.items()})
    finite = np.isfinite(arrays[50])
    print(
        json.dumps(
            {
                "path": args.path,
                "tiles": args.tiles,
                "cutoff": args.cutoff,
                "cells": int(arrays[50].shape[0]),
                "sites": int(arrays[50].shape[1]),
                "percentiles": list(percentiles),
                "build_s": round(build_s, 1),
                "seconds": round(seconds, 1),
                "peak_mb_inputs": round(after_build),
                "peak_mb": round(peak_mb()),
                "finite_share": round(float(finite.mean()), 4),
            }
        )
    )


def run(argv: list[str], timeout: float) -> dict[str, Any] | None:
    """Run one worker in its own process; its JSON line, or None if it failed or timed out."""
    cmd = [sys.executable, __file__, "--worker", *argv]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"  {' '.join(argv)}: killed after {timeout:.0f} s")
        return None
    if done.returncode != 0:
        print(f"  {' '.join(argv)}: failed\n{done.stderr[-2000:]}")
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def equal(a: Path, b: Path) -> bool:
    """The two saved results hold bit-equal arrays."""
    x, y = np.load(a), np.load(b)
    return sorted(x.files) == sorted(y.files) and all(
        np.array_equal(x[k].view(np.int32), y[k].view(np.int32)) for k in x.files
    )


def line(r: dict[str, Any]) -> str:
    """One printed row."""
    cut = "none" if r["cutoff"] <= 0 else f"{r['cutoff']:g} min"
    return (
        f"  {r['path']:3s} tiles {r['tiles']:2d}: {r['cells']:7,d} cells x {r['sites']:4d} sites, "
        f"percentiles {r['percentiles']}, cutoff {cut}: {r['seconds']:7.1f} s, "
        f"peak {r['peak_mb'] / 1024:5.2f} GB (inputs {r['peak_mb_inputs'] / 1024:4.2f} GB), "
        f"finite {100 * r['finite_share']:.1f} %"
    )


def main() -> None:
    """Old and new on small tilings (same process kind, ratio and equality), new at national."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--path", choices=["old", "new"], default="new", help=argparse.SUPPRESS)
    ap.add_argument("--save", default="", help=argparse.SUPPRESS)
    ap.add_argument("--tiles", type=int, nargs="*", default=[1, 4], help="sizes for old vs new")
    ap.add_argument("--national", type=int, default=16, help="tiles of the national run (0: none)")
    ap.add_argument("--cutoff", type=float, default=120.0, help="minutes; 0 = no cutoff")
    ap.add_argument("--percentiles", type=int, nargs="*", default=[10, 25, 75, 90])
    ap.add_argument("--timeout", type=float, default=1800.0, help="per run, seconds")
    args = ap.parse_args()
    if args.worker:
        args.tiles = args.tiles[0]
        worker(args)
        return
    pct = [str(q) for q in args.percentiles]
    print("transit at national scale: the demo county tiled (module docstring)")
    with tempfile.TemporaryDirectory() as tmp:
        for tiles in args.tiles:
            old_file, new_file = Path(tmp, f"old{tiles}.npz"), Path(tmp, f"new{tiles}.npz")
            common = ["--tiles", str(tiles), "--percentiles", *pct]
            old = run([*common, "--path", "old", "--save", str(old_file)], args.timeout)
            new0 = run([*common, "--cutoff", "0", "--save", str(new_file)], args.timeout)
            new = run([*common, "--cutoff", str(args.cutoff)], args.timeout)
            for r in (old, new0, new):
                if r is not None:
                    print(line(r))
            if old is not None and new0 is not None:
                print(
                    f"    old / new (no cutoff): time {old['seconds'] / new0['seconds']:.1f}x, "
                    f"bit-equal: {equal(old_file, new_file)}"
                )
            if old is not None and new is not None:
                print(f"    old / new (cutoff): time {old['seconds'] / new['seconds']:.1f}x")
        if args.national:
            common = ["--tiles", str(args.national), "--cutoff", str(args.cutoff)]
            for percentiles in (pct, []):
                r = run([*common, "--percentiles", *percentiles], args.timeout)
                if r is not None:
                    print(line(r))
    print("target: national transit matrix, peak memory < 8 GB")


if __name__ == "__main__":
    main()
