"""Transit cases of ``bench_travel_times.py``: the demo county and Tampere (Nysse GTFS).

Each ``case_*`` returns the figures ``bench_travel_times.py`` prints. The matrix is every origin x
every destination, the median over every departure minute 07:00-09:00 (120 departures) plus the
10/25/75/90th percentiles, walking access, egress and transfers on the walk network. r5py, the
peer for this, cannot run offline here (it needs Java and downloads its engine), so no peer ratio
is given; correctness is checked against a brute-force connection scan in
``tests/network/test_raptor.py``. ``scipy_s`` here is the walk-only matrix on the same walk graph
with ``scipy.sparse.csgraph.dijkstra``, for scale.
"""

from __future__ import annotations

import resource
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(region: Any, name: str, note: str) -> dict[str, Any]:
    from palveluverkko.network import RoadNetwork, TransitParams
    from palveluverkko.network.transit import transit_travel_times

    t = time.perf_counter()
    walk = RoadNetwork.for_region(region, "walk")
    build_s = time.perf_counter() - t
    # load compiled kernels before timing (numba's on-disk cache), as for the road cases
    small = region.replace(population=region.population.iloc[:2], sites=region.sites.iloc[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transit_travel_times(
            small, walk_network=walk, params=TransitParams(window=("07:00", "07:02"))
        )
        t = time.perf_counter()
        result = transit_travel_times(region, walk_network=walk)
    matrix_s = time.perf_counter() - t
    finite = np.isfinite(result.minutes)
    p = result.parameters
    return {
        "case": name,
        "nodes": walk.n_nodes,
        "edges": walk.n_edges,
        "origins": len(region.population),
        "destinations": len(region.sites),
        "build_s": build_s,
        "matrix_s": matrix_s,
        "peak_mb": _peak_mb(),
        "note": (
            f"{note}; date {p['date']}, 120 departures 07:00-09:00, {p['n_stops']} stops "
            f"({p['n_stops_linked']} linked), {p['n_trips']} trips, {p['n_patterns']} patterns; "
            f"{finite.mean():.1%} of pairs reachable within 180 min; no peer (r5py cannot run "
            "offline)"
        ),
    }


def case_demo_transit() -> dict[str, Any]:
    """The demo county: all populated cells x all sites."""
    from palveluverkko.demo import demo_region

    return _run(demo_region(0), "demo-transit", "demo_region(seed=0)")


def case_tampere_transit() -> dict[str, Any]:
    """Tampere: 250 m grid cells near the walk network x OSM health amenities, Nysse GTFS."""
    import geopandas as gpd
    import shapely

    from palveluverkko.network import RoadNetwork
    from palveluverkko.region import GtfsFeed
    from palveluverkko.region.examples import tiny_region
    from palveluverkko.region.schema import AGE_BANDS

    folder = SHARED / "tampere"
    if not (folder / "tampere_gtfs.zip").is_file():
        return {"case": "tampere-transit", "note": f"skipped: {folder} absent"}
    import bench_travel_times as bench

    walk = RoadNetwork.from_osm(folder / "tampere.osm.pbf", "walk")
    cells, sites = bench.tampere_points(folder / "tampere.osm.pbf", walk)
    base = tiny_region()
    n, m = len(cells), len(sites)
    population = gpd.GeoDataFrame(
        {
            "cell_id": [f"c{i}" for i in range(n)],
            "municipality": ["901"] * n,
            **{f"pop_{b}": np.full(n, 10 if b == "18_64" else 0, np.int64) for b in AGE_BANDS},
        },
        geometry=shapely.points(cells),
        crs="EPSG:3067",
    )
    proto = base.sites.iloc[[0] * m].reset_index(drop=True)
    proto["site_id"] = [f"s{j}" for j in range(m)]
    site_frame = gpd.GeoDataFrame(proto, geometry=shapely.points(sites), crs="EPSG:3067")
    region = base.replace(
        population=population,
        sites=site_frame,
        roads_pbf=folder / "tampere.osm.pbf",
        gtfs=(GtfsFeed("nysse", (folder / "tampere_gtfs.zip").read_bytes()),),
    )
    return _run(
        region,
        "tampere-transit",
        "Tampere OSM (ODbL) + Nysse GTFS (CC BY 4.0); origins: 250 m grid cells near roads",
    )
