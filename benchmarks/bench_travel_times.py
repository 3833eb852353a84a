"""Benchmark: travel-time matrices (cells x sites) against networkx and scipy on the same graphs.

Run::

    .venv/bin/python benchmarks/bench_travel_times.py            # every case
    .venv/bin/python benchmarks/bench_travel_times.py --only tampere-car

Cases
-----
* ``demo-car``, ``demo-walk``: the demo county (``palveluverkko.demo.demo_region(seed=0)``), all
  populated cells x all sites. If the demo module is not importable, a synthetic county of the
  same order of size is generated here instead, and the output says so.
* ``tampere-car``: the graph from ``../shared/data/tampere/tampere.osm.pbf`` (© OpenStreetMap
  contributors, ODbL); origins are the centres of a 250 m grid over the extract that lie within
  300 m of a car-network node (a stand-in for populated cells: the extract carries no
  population), destinations the OSM health amenities (doctors, dentist, hospital, pharmacy).
* transit cases: every ``case_*`` function of ``benchmarks/_transit_cases.py`` (written with the
  transit module), if that file exists. Each is called without arguments in this process and
  returns a dict with at least ``case``, ``nodes``, ``edges``, ``origins``, ``destinations``,
  ``matrix_s`` (and where it has them ``build_s``, ``scipy_s``, ``networkx_s``, ``peak_mb``,
  ``note``); a dict without ``matrix_s`` prints as a note.

For every road case, in a fresh process (so that peak memory is the case's own): build the graph
(timed), link cells and sites, compute the matrix with our kernel (numba, both cores; and once on
one thread), then with ``scipy.sparse.csgraph.dijkstra`` (full rows from the same site nodes on
the same reversed graph, then gathered) and with networkx (``single_source_dijkstra_path_length``
per site node on the same reversed graph). When all networkx sources would take over
``--networkx-budget`` seconds, a subset is timed and the total extrapolated linearly (the output
marks it ``~``). Results are checked equal (scipy: every entry; networkx: the sources run).
Times exclude reading the region; "matrix s" is linking + the matrix, the graph already built
(it includes the one-off preparation per graph: reversal, chains, k-d tree); for the demo
county ``travel_times(region, mode)`` is also timed end to end (graph, links, matrix, uncached).
Peak memory is the process's peak resident set (includes Python and the libraries).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import math
import multiprocessing as mp
import resource
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(
    __import__("os").environ.get("PALVELUVERKKO_SHARED_DATA", ROOT.parent / "shared" / "data")
)


# --- inputs -------------------------------------------------------------------------------------


def synthetic_county(seed: int = 0) -> Any:
    """A county-sized synthetic region: ~120k directed edges, ~17.5k cells, 80 sites.

    A jittered 180 x 150 grid of 500 m road segments (90 x 75 km); every 8th line tertiary
    (70 km/h), every 24th primary (90 km/h), others unclassified (60 km/h); lakes remove the
    roads inside 40 random circles; 6 ferries cross lakes; cells cluster around 12 towns plus a
    rural scatter; sites near towns and at random.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from palveluverkko.region.examples import tiny_region
    from palveluverkko.region.schema import AGE_BANDS

    rng = np.random.default_rng(seed)
    nx_, ny, step = 180, 150, 500.0
    x0, y0 = 300_000.0, 6_900_000.0
    gx, gy = np.meshgrid(np.arange(nx_), np.arange(ny), indexing="ij")
    xy = np.stack([x0 + gx * step, y0 + gy * step], axis=-1) + rng.normal(0, 60, (nx_, ny, 2))
    segs, cls = [], []
    for axis in (0, 1):
        a = xy[:-1, :] if axis == 0 else xy[:, :-1]
        b = xy[1:, :] if axis == 0 else xy[:, 1:]
        line = gy[: a.shape[0], : a.shape[1]] if axis == 0 else gx[: a.shape[0], : a.shape[1]]
        c = np.where(line % 24 == 0, "primary", np.where(line % 8 == 0, "tertiary", "unclassified"))
        segs.append(np.stack([a.reshape(-1, 2), b.reshape(-1, 2)], axis=1))
        cls.append(c.reshape(-1))
    seg = np.concatenate(segs)
    road_class = np.concatenate(cls)
    lakes = np.column_stack(
        [
            rng.uniform(x0, x0 + nx_ * step, 40),
            rng.uniform(y0, y0 + ny * step, 40),
            rng.uniform(700, 3000, 40),
        ]
    )
    mid = seg.mean(axis=1)
    wet = np.zeros(len(seg), dtype=bool)
    for cx, cy, r in lakes:
        wet |= np.hypot(mid[:, 0] - cx, mid[:, 1] - cy) < r
    seg, road_class = seg[~wet], road_class[~wet]
    speed = np.select([road_class == "primary", road_class == "tertiary"], [90.0, 70.0], 60.0)
    ferries = []
    for cx, cy, r in lakes[:6]:
        ferries.append([(cx - r - 300, cy), (cx + r + 300, cy)])
    roads = gpd.GeoDataFrame(
        {
            "speed_kph": np.concatenate([speed, np.full(len(ferries), 12.0)]),
            "oneway": np.zeros(len(seg) + len(ferries), dtype=bool),
            "road_class": np.concatenate([road_class, np.array(["ferry"] * len(ferries))]),
        },
        geometry=np.concatenate([shapely.linestrings(seg), shapely.linestrings(np.array(ferries))]),
        crs="EPSG:3067",
    )
    towns = np.column_stack(
        [rng.uniform(x0 + 5e3, x0 + 85e3, 12), rng.uniform(y0 + 5e3, y0 + 70e3, 12)]
    )
    n_cells = 17_500
    town_of = rng.integers(0, 12, 12_000)
    cells = np.concatenate(
        [
            towns[town_of] + rng.normal(0, 2500, (12_000, 2)),
            np.column_stack(
                [rng.uniform(x0, x0 + nx_ * step, 5_500), rng.uniform(y0, y0 + ny * step, 5_500)]
            ),
        ]
    )[:n_cells]
    sites = np.concatenate(
        [
            towns[rng.integers(0, 12, 50)] + rng.normal(0, 1500, (50, 2)),
            cells[rng.integers(0, n_cells, 30)],
        ]
    )
    base = tiny_region()
    residents = rng.integers(1, 200, n_cells)
    population = gpd.GeoDataFrame(
        {
            "cell_id": [f"c{i}" for i in range(n_cells)],
            "municipality": ["901"] * n_cells,
            **{
                f"pop_{b}": (residents if b == "18_64" else np.zeros(n_cells, np.int64))
                for b in AGE_BANDS
            },
        },
        geometry=shapely.points(cells),
        crs="EPSG:3067",
    )
    m = len(sites)
    site_frame = gpd.GeoDataFrame(
        {
            "site_id": [f"s{j}" for j in range(m)],
            "name": [f"Site {j}" for j in range(m)],
            "municipality": ["901"] * m,
            "kind": ["sote_asema"] * m,
            "floor_area_m2": [500.0] * m,
            "condition": pd.array([3] * m, dtype="Int64"),
            "annual_cost_eur": [1.0] * m,
            "lease_end": pd.to_datetime([None] * m).astype("datetime64[ms]"),
            "investment_need_eur": [0.0] * m,
        },
        geometry=shapely.points(sites),
        crs="EPSG:3067",
    )
    return base.replace(
        name="Synthetic county", population=population, sites=site_frame, roads=roads
    )


def demo_region() -> tuple[Any, str]:
    """The demo county, or the synthetic stand-in when the demo module is absent."""
    try:
        demo = importlib.import_module("palveluverkko.demo")
        return demo.demo_region(seed=0), "demo_region(seed=0)"
    except (ImportError, AttributeError) as exc:
        return synthetic_county(0), f"SYNTHETIC stand-in (palveluverkko.demo unavailable: {exc})"


def tampere_points(pbf: Path, network: Any) -> tuple[np.ndarray, np.ndarray]:
    """Grid cells near the car network, and OSM health amenities (nodes; ways by mean node)."""
    import osmium
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    tr = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
    pts = []
    fp = (
        osmium.FileProcessor(str(pbf))
        .with_locations()
        .with_filter(
            osmium.filter.TagFilter(
                ("amenity", "doctors"),
                ("amenity", "dentist"),
                ("amenity", "hospital"),
                ("amenity", "pharmacy"),
            )
        )
    )
    for obj in fp:
        if obj.is_node():
            pts.append((obj.location.lon, obj.location.lat))
        elif obj.is_way():
            locs = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if locs:
                pts.append(tuple(np.mean(locs, axis=0)))
    lon, lat = np.array(pts).T
    sites = np.column_stack(tr.transform(lon, lat))
    lo, hi = network.node_xy.min(axis=0), network.node_xy.max(axis=0)
    gx, gy = np.meshgrid(np.arange(lo[0], hi[0], 250.0) + 125, np.arange(lo[1], hi[1], 250.0) + 125)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    d, _ = cKDTree(network.node_xy).query(grid, distance_upper_bound=300.0)
    return grid[np.isfinite(d)], sites


# --- one case ------------------------------------------------------------------------------------


def peak_mb() -> float:
    """Peak resident set of this process, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name: str, networkx_budget: float) -> dict[str, Any]:
    """Build, link, route and compare one road case (runs in a child process)."""
    import networkx as nx
    import numba
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    from palveluverkko.network import RoadNetwork, snap, travel_times
    from palveluverkko.network.matrix import road_matrix
    from palveluverkko.network.paths import shortest_minutes_to

    # load every compiled kernel (numba's on-disk cache) before timing, on the tiny region, as
    # networkx and scipy pay no compilation either
    from palveluverkko.region.examples import tiny_region

    tiny = tiny_region()
    for warm_mode in ("car", "walk"):
        warm = RoadNetwork.for_region(tiny, warm_mode)
        road_matrix(warm, snap(warm, tiny.cell_points()), snap(warm, tiny.site_points()))
    note = ""
    end_to_end_s = math.nan
    if name.startswith("demo"):
        region, note = demo_region()
        mode = name.split("-")[1]
        t = time.perf_counter()
        net = RoadNetwork.for_region(region, mode)
        build_s = time.perf_counter() - t
        cells_xy, sites_xy = region.cell_points(), region.site_points()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unreachable cells are counted below
            t = time.perf_counter()
            travel_times(region, mode, use_cache=False)
            end_to_end_s = time.perf_counter() - t
    else:
        pbf = SHARED / "tampere" / "tampere.osm.pbf"
        if not pbf.is_file():
            return {"case": name, "note": f"skipped: {pbf} absent"}
        mode = name.split("-")[1]
        t = time.perf_counter()
        net = RoadNetwork.from_osm(pbf, mode)
        build_s = time.perf_counter() - t
        cells_xy, sites_xy = tampere_points(pbf, net)
        note = "origins: 250 m grid cells near roads (no population in the extract)"

    t = time.perf_counter()
    cells = snap(net, cells_xy)
    sites = snap(net, sites_xy)
    ours = road_matrix(net, cells, sites)
    ours_s = time.perf_counter() - t
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    fresh = dataclasses.replace(net)  # without the reversed graph, chains and index built above
    t = time.perf_counter()
    road_matrix(fresh, snap(fresh, cells_xy), snap(fresh, sites_xy))
    ours_1t_s = time.perf_counter() - t
    numba.set_num_threads(threads)

    rev = net.reversed()
    site_nodes = np.unique(sites.node[sites.ok])
    cell_nodes = cells.node[cells.ok]
    graph = sp.csr_matrix((rev.minutes, rev.indices, rev.indptr), shape=(net.n_nodes, net.n_nodes))
    t = time.perf_counter()
    rows = dijkstra(graph, indices=site_nodes)[:, cell_nodes]
    scipy_s = time.perf_counter() - t
    mine = shortest_minutes_to(rev.indptr, rev.indices, rev.minutes, site_nodes, cell_nodes)
    scipy_equal = bool(np.array_equal(rows, mine))

    frame = rev.edge_frame()
    t = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    g.add_weighted_edges_from(
        zip(frame.u.tolist(), frame.v.tolist(), frame.minutes.tolist(), strict=True)
    )
    nx_build_s = time.perf_counter() - t
    done = 0
    nx_equal = True
    t = time.perf_counter()
    for i, s in enumerate(site_nodes):
        dist = nx.single_source_dijkstra_path_length(g, int(s))
        ref = np.array([dist.get(int(c), math.inf) for c in cell_nodes])
        nx_equal &= bool(np.array_equal(ref, mine[i]))
        done += 1
        elapsed = time.perf_counter() - t
        if elapsed / done * len(site_nodes) > networkx_budget and done >= 3:
            break
    nx_s = (time.perf_counter() - t) / done * len(site_nodes)
    return {
        "case": name,
        "mode": mode,
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "origins": int(cells.ok.sum()),
        "origins_all": len(cells),
        "destinations": int(sites.ok.sum()),
        "destinations_all": len(sites),
        "site_nodes": len(site_nodes),
        "build_s": build_s,
        "matrix_s": ours_s,
        "matrix_1thread_s": ours_1t_s,
        "scipy_s": scipy_s,
        "networkx_s": nx_s,
        "networkx_extrapolated": done < len(site_nodes),
        "networkx_sources_run": done,
        "networkx_graph_build_s": nx_build_s,
        "equal_scipy": scipy_equal,
        "equal_networkx": nx_equal,
        "finite_share": float(np.isfinite(ours).mean()),
        "travel_times_s": end_to_end_s,
        "peak_mb": peak_mb(),
        "note": note,
    }


def _child(name: str, budget: float, queue: Any) -> None:
    try:
        queue.put(run_case(name, budget))
    except Exception as exc:  # report, do not hang the parent
        queue.put({"case": name, "note": f"FAILED: {type(exc).__name__}: {exc}"})


def in_child(name: str, budget: float) -> dict[str, Any]:
    """Run a case in a fresh process (its own peak memory)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(name, budget, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def transit_cases() -> list[Callable[[], dict[str, Any]]]:
    """``case_*`` functions of benchmarks/_transit_cases.py, if the transit engineer wrote it."""
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        module = importlib.import_module("_transit_cases")
    except ImportError:
        return []
    return [
        getattr(module, n)
        for n in sorted(dir(module))
        if n.startswith("case_") and callable(getattr(module, n))
    ]


def main() -> None:
    """Run the cases and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument(
        "--networkx-budget", type=float, default=60.0, help="seconds before extrapolating"
    )
    args = parser.parse_args()
    names = ["demo-car", "demo-walk", "tampere-car"]
    if args.only:
        names = [n for n in names if n in args.only]
    rows = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.append(in_child(name, args.networkx_budget))
    if not args.only or any(o.startswith("transit") for o in args.only):
        cases = transit_cases()
        if not cases:
            print("transit cases: benchmarks/_transit_cases.py not found; skipped", file=sys.stderr)
        for case in cases:
            print(f"running {case.__name__} ...", file=sys.stderr, flush=True)
            try:
                rows.append(case())
            except Exception as exc:
                rows.append({"case": case.__name__, "note": f"FAILED: {type(exc).__name__}: {exc}"})
    print_table(rows)


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print the results, one block per case, ratios against the peers."""
    import numba

    threads = numba.get_num_threads()
    print(f"\nTravel-time matrices: ours (numba, {threads} threads) vs scipy and networkx")
    print(f"machine: {mp.cpu_count()} cores; python {sys.version.split()[0]}\n")
    head = (
        f"{'case':<14}{'nodes':>9}{'edges':>9}{'origins':>9}{'dest':>6}{'build s':>9}"
        f"{'matrix s':>10}{'1-thr s':>9}{'scipy s':>9}{'nx s':>10}{'x scipy':>9}{'x nx':>8}"
        f"{'peak MB':>9}  equal"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        if "matrix_s" not in r:
            print(f"{r.get('case', '?'):<14} {r.get('note', '')}")
            continue
        nx_mark = "~" if r.get("networkx_extrapolated") else ""
        print(
            f"{r['case']:<14}{r['nodes']:>9}{r['edges']:>9}{r['origins']:>9}{r['destinations']:>6}"
            f"{r.get('build_s', float('nan')):>9.2f}{r['matrix_s']:>10.3f}"
            f"{r.get('matrix_1thread_s', float('nan')):>9.3f}{r.get('scipy_s', float('nan')):>9.2f}"
            f"{nx_mark + format(r.get('networkx_s', float('nan')), '.1f'):>10}"
            f"{r.get('scipy_s', float('nan')) / r['matrix_s']:>9.1f}"
            f"{r.get('networkx_s', float('nan')) / r['matrix_s']:>8.0f}"
            f"{r.get('peak_mb', float('nan')):>9.0f}"
            f"  {r.get('equal_scipy', '-')}/{r.get('equal_networkx', '-')}"
        )
    print()
    for r in rows:
        extra = []
        if r.get("note"):
            extra.append(r["note"])
        if "origins_all" in r and r["origins_all"] != r["origins"]:
            extra.append(
                f"{r['origins_all'] - r['origins']} origins unreachable (listed, not dropped)"
            )
        if r.get("networkx_extrapolated"):
            extra.append(
                f"networkx timed on {r['networkx_sources_run']} of {r['site_nodes']} sources, "
                "extrapolated linearly"
            )
        if math.isfinite(r.get("travel_times_s", math.nan)):
            extra.append(
                f"travel_times(region, {r['mode']!r}) end to end, uncached: "
                f"{r['travel_times_s']:.2f} s"
            )
        if "networkx_graph_build_s" in r:
            extra.append(
                f"networkx graph construction {r['networkx_graph_build_s']:.1f} s (not in 'nx s')"
            )
        if extra:
            print(f"{r['case']}: " + "; ".join(extra))
    print(
        "\nmatrix s = linking cells and sites + all cells x all sites, graph built;"
        " x = peer time / ours;"
        "\nequal = ours identical to scipy (all entries) / networkx (sources run)."
    )


if __name__ == "__main__":
    main()
