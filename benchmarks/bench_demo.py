"""Time and memory of the demo county: ``demo_region()``, package writing, and the CLI command.

Run: ``nice -n 5 .venv/bin/python benchmarks/bench_demo.py [--seed 0] [--repeat 3]``

Prints, for the same run: the seconds of each generator stage (and its share of the whole), the
best-of-``repeat`` seconds and the tracemalloc peak of ``demo_region()``, the seconds of
``write_region`` against building, and the wall time and peak resident memory (``ru_maxrss`` of
the child process) of ``palveluverkko demo --region-only`` against the budget of 60 s for the
county, and of the whole ``palveluverkko demo`` in a fresh folder (no cached matrices) against
the budget of 90 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from palveluverkko.demand.catalogue import default_services
from palveluverkko.demo import demo_region
from palveluverkko.demo.geography import build_geography
from palveluverkko.demo.gtfs import build_gtfs
from palveluverkko.demo.population import build_population, rurality
from palveluverkko.demo.projection import build_projection
from palveluverkko.demo.roads import build_roads
from palveluverkko.demo.sites import build_sites
from palveluverkko.region import write_region

BUDGET_S = 60.0
FULL_BUDGET_S = 90.0


def stages(seed: int) -> dict[str, float]:
    """Seconds of each generator stage, run in order."""
    out: dict[str, float] = {}
    t = time.perf_counter()
    geo = build_geography(seed)
    out["geography"] = time.perf_counter() - t
    t = time.perf_counter()
    roads = build_roads(geo, seed)
    out["roads"] = time.perf_counter() - t
    t = time.perf_counter()
    population = build_population(geo, roads, seed)
    out["population"] = time.perf_counter() - t
    t = time.perf_counter()
    services = default_services()
    build_sites(geo, roads, population, services, seed)
    build_projection(geo, rurality(geo, seed))
    out["sites+projection"] = time.perf_counter() - t
    t = time.perf_counter()
    build_gtfs(geo, roads)
    out["gtfs"] = time.perf_counter() - t
    return out


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    demo_region(args.seed)  # warm imports and caches
    parts = stages(args.seed)
    total = sum(parts.values())
    print(f"demo county stages (seed {args.seed}):")
    for name, seconds in parts.items():
        print(f"  {name:18s} {seconds:6.2f} s  {seconds / total:6.1%}")

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        region = demo_region(args.seed)
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    demo_region(args.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    build_s = min(times)
    print(
        f"demo_region(): best of {args.repeat} {build_s:.2f} s "
        f"({len(region.population)} cells, {region.total_population} residents, "
        f"{len(region.sites)} sites, {len(region.roads) if region.roads is not None else 0} "
        f"road lines); tracemalloc peak {peak / 2**20:.0f} MiB"
    )

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_region(region, Path(tmp) / "region")
        write_s = time.perf_counter() - t
        size = sum(f.stat().st_size for f in (Path(tmp) / "region").rglob("*") if f.is_file())
    print(
        f"write_region(): {write_s:.2f} s ({size / 2**20:.1f} MiB on disk); "
        f"write / build = {write_s / build_s:.2f}"
    )

    exe = Path(sys.executable).with_name("palveluverkko")
    for label, extra, budget in (
        ("`palveluverkko demo --region-only` (county + package)", ["--region-only"], BUDGET_S),
        ("`palveluverkko demo` (county, matrices, 2 evaluations, report)", [], FULL_BUDGET_S),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            # a fresh folder: no cached travel times, i.e. the demo "from nothing"
            t = time.perf_counter()
            proc = subprocess.Popen(
                [str(exe), "demo", "--out", tmp, "--seed", str(args.seed), *extra],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - t
            report = Path(tmp) / "report.html"
            size = ""
            if report.is_file():
                size = f"; report.html {report.stat().st_size / 2**20:.1f} MiB"
        print(
            f"{label}: {wall:.2f} s (exit {proc.returncode}), peak RSS "
            f"{usage.ru_maxrss / 1024:.0f} MiB; {wall / budget:.1%} of the {budget:.0f} s budget"
            f"{size}"
        )


if __name__ == "__main__":
    main()
