"""Benchmark: ``evaluate`` on the national case with cached travel times (issue 15, item 4).

Run::

    nice -n 10 .venv/bin/python benchmarks/bench_evaluate_national.py            # first run ~5 min
    nice -n 10 .venv/bin/python benchmarks/bench_evaluate_national.py --stages   # time per stage

Input: :func:`palveluverkko.demo.national.national_case` (seed 0: 299,641 cells, 1,000 sites;
needs ``../shared/data``) and its car matrix (``road_matrix`` on the case's road grid, 120 min
cutoff, float32, 1.2 GB), routed once and kept in ``--workdir`` as ``car_minutes.npy`` (the
cache: later runs read it). ``evaluate(region, travel_times={"car": ...})`` of today's network
then runs in a fresh process; memory = ``ru_maxrss`` of that process (resident set: it includes
the case and the 1.2 GB matrix it holds; the figure after loading them is printed apart).
``--stages`` wraps each stage of :mod:`palveluverkko.evaluation.pipeline` with a timer and
prints its seconds and the process peak after it.

Target (issue 15): under 60 s and 8 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def peak_mb() -> float:
    """Peak resident set of this process (``ru_maxrss``, kB on Linux), MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def car_matrix(workdir: Path) -> None:
    """Route the national car matrix once and save it (the benchmark's travel-time cache)."""
    from palveluverkko.demo.national import national_case
    from palveluverkko.network.linking import snap
    from palveluverkko.network.matrix import road_matrix

    case = national_case(0)
    t0 = time.perf_counter()
    cells = snap(case.network, case.cell_xy())
    sites = snap(case.network, case.site_xy())
    minutes = road_matrix(case.network, cells, sites, max_minutes=120.0)
    workdir.mkdir(parents=True, exist_ok=True)
    np.save(workdir / "car_minutes.npy", minutes)
    print(json.dumps({"routed_s": round(time.perf_counter() - t0, 1), "peak_mb": peak_mb()}))


def evaluate_once(workdir: Path, stages: bool) -> None:
    """Evaluate today's network with the cached matrix; print one JSON line."""
    import warnings

    from palveluverkko.demo.national import national_case
    from palveluverkko.evaluation import evaluate, pipeline
    from palveluverkko.network.types import Destinations, TravelTimes

    warnings.simplefilter("ignore")
    case = national_case(0)
    region = case.region
    minutes = np.load(workdir / "car_minutes.npy")
    car = TravelTimes(
        mode="car",
        minutes=minutes,
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        to=Destinations.of_sites(region),
    )
    inputs_mb = peak_mb()
    timings: list[dict[str, Any]] = []
    if stages:
        for name in dir(pipeline):
            fn = getattr(pipeline, name)
            if (name.endswith("_stage") or name in ("prepare", "channel_stages")) and callable(fn):
                setattr(pipeline, name, _timed(name, fn, timings))
    t0 = time.perf_counter()
    result = evaluate(region, travel_times={"car": car})
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "cells": len(region.population),
                "sites": len(region.sites),
                "seconds": round(seconds, 1),
                "peak_mb": round(peak_mb()),
                "inputs_mb": round(inputs_mb),
                "cells_rows": len(result.cells),
                "share_within_30_car": float(
                    result.summary_table["share_within_30_car"].mean()
                    if "share_within_30_car" in result.summary_table
                    else float("nan")
                ),
                "stages": timings,
            }
        )
    )


def _timed(name: str, fn: Callable[..., Any], timings: list[dict[str, Any]]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        timings.append(
            {"stage": name, "seconds": round(time.perf_counter() - t0, 2), "peak_mb": peak_mb()}
        )
        print(json.dumps(timings[-1]), file=sys.stderr, flush=True)  # progress, if killed
        return out

    return wrapper


def child(argv: list[str], timeout: float) -> dict[str, Any]:
    """Run this script in a fresh process; its last JSON line."""
    cmd = [sys.executable, __file__, *argv]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    """Route once (cached), then evaluate in a fresh process and print time and memory."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/palveluverkko-national-eval"))
    ap.add_argument("--stages", action="store_true", help="time each stage")
    ap.add_argument("--worker", choices=["route", "evaluate"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker == "route":
        car_matrix(a.workdir)
        return
    if a.worker == "evaluate":
        evaluate_once(a.workdir, a.stages)
        return
    if not (a.workdir / "car_minutes.npy").exists():
        r = child(["--worker", "route", "--workdir", str(a.workdir)], 3600)
        print(f"car matrix routed once: {r['routed_s']} s, peak {r['peak_mb'] / 1024:.2f} GB")
    flags = ["--stages"] if a.stages else []
    r = child(["--worker", "evaluate", "--workdir", str(a.workdir), *flags], 3600)
    print(
        f"evaluate, national case ({r['cells']:,} cells x {r['sites']:,} sites, car, cached "
        f"matrix): {r['seconds']} s, peak {r['peak_mb'] / 1024:.2f} GB (case and matrix loaded: "
        f"{r['inputs_mb'] / 1024:.2f} GB); {r['cells_rows']:,} cell rows"
    )
    for s in r["stages"]:
        print(
            f"  {s['stage']:26s} {s['seconds']:7.2f} s   peak after {s['peak_mb'] / 1024:5.2f} GB"
        )
    print("target: < 60 s and < 8 GB")


if __name__ == "__main__":
    main()
