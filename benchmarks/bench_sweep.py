"""Sensitivity sweep on the demo county: serial against Dask's LocalCluster, same seeded draws.

Prints the wall time of both, the speed-up, the batch size (draws per task) and whether the
figures are equal; then the 10th-50th-90th percentile bands of care within the access target
and of the share within 30 min by car. The travel times are routed (or read from the cache)
once before timing. The default spec varies demand (normal 1.0 +- 5 %), the digital share
(uniform -5..+10 points), capacity (triangular 0.85..1.05, mode 1.0) and car speed (uniform
0.9..1.1).

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--draws 1000] [--workers 2]
[--cache-dir out/demo/cache]``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=Path("out/demo/cache"))
    opts = parser.parse_args()

    import pandas as pd

    from palveluverkko import Study
    from palveluverkko.demo import demo_region
    from palveluverkko.errors import UnreachableWarning
    from palveluverkko.study import Distribution, SweepSpec

    spec = SweepSpec(
        demand_growth=Distribution.parse("normal:1.0:0.05"),
        digital_share_delta=Distribution.parse("uniform:-0.05:0.10"),
        capacity_factor=Distribution.parse("triangular:0.85:1.0:1.05"),
        car_speed_factor=Distribution.parse("uniform:0.9:1.1"),
    )
    study = Study(demo_region(0), cache_dir=opts.cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        study.travel_times()
    t = time.perf_counter()
    local = study.sweep(None, spec, opts.draws, scheduler="local", n_workers=opts.workers)
    local_s = time.perf_counter() - t
    t = time.perf_counter()
    serial = study.sweep(None, spec, opts.draws, scheduler="serial")
    serial_s = time.perf_counter() - t
    same = local.figures.equals(serial.figures)
    print(f"demo county, {opts.draws} draws, spec {spec.describe()}")
    print(f"serial        {serial_s:8.1f} s  ({serial_s / opts.draws:.2f} s per draw)")
    print(
        f"LocalCluster  {local_s:8.1f} s  ({opts.workers} workers, batches of "
        f"{local.batch_size} draws)  speed-up {serial_s / local_s:.2f}x"
    )
    print(f"figures equal to the serial run: {same}")
    bands = local.bands().set_index(["service", "figure"])
    with pd.option_context("display.width", 120):
        for figure in ("share_within_target", "share_within_30_car"):
            print(bands.xs(figure, level="figure").round(4))


if __name__ == "__main__":
    main()
