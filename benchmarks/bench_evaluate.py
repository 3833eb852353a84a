"""Benchmark: evaluate() on the demo county with cached travel-time matrices (target < 2 s).

Prints the input size, the time of each part of one evaluation (median of repeats) and, as a peer
measured in the same run, the ratio of our 2SFCA to PySAL ``access``'s ``two_stage_fca`` on the
same vastaanotto inputs. Run::

    nice -n 5 .venv/bin/python benchmarks/bench_evaluate.py [--repeat 3] [--cache-dir DIR]

Matrices are computed once (car, walk; transit when the region has GTFS and the transit module is
present) and cached under --cache-dir, so the timed part is the evaluation only.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
import warnings

import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache-dir", default="/tmp/palveluverkko-bench-cache")
    parser.add_argument("--no-peer", action="store_true", help="skip the PySAL comparison")
    args = parser.parse_args()

    from palveluverkko import Closure, Scenario, evaluate
    from palveluverkko.demo import demo_region
    from palveluverkko.evaluation.fca import two_stage_fca
    from palveluverkko.network import travel_times

    region = demo_region(0)
    modes = ["car", "walk"]
    if region.gtfs and importlib.util.find_spec("palveluverkko.network.transit") is not None:
        modes.append("transit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = {m: travel_times(region, m, cache_dir=args.cache_dir) for m in modes}
    n_cells, n_sites = tt["car"].minutes.shape
    print(
        f"demo county: {n_cells} cells x {n_sites} sites, {len(region.services)} services, "
        f"modes {', '.join(modes)}"
    )
    worst = region.sites.sort_values("condition").head(3)["site_id"].tolist()
    kinds = region.sites.set_index("site_id")["kind"]
    closures = []
    for sid in worst:
        same = region.sites.loc[
            (region.sites["kind"] == kinds[sid]) & ~region.sites["site_id"].isin(worst)
        ]
        closures.append(Closure(sid, str(same["site_id"].iloc[0])))
    for label, sc in (
        ("base", Scenario()),
        ("scenario", Scenario(name="b", closures=tuple(closures))),
    ):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            try:
                evaluate(region, sc, travel_times=tt)
            except Exception as exc:
                print(f"{label}: failed: {exc}")
                break
            times.append(time.perf_counter() - t0)
        if times:
            print(
                f"evaluate ({label}): median {statistics.median(times):.2f} s over {len(times)} "
                f"runs (target < 2 s)"
            )
    if args.no_peer:
        return
    from access import fca as pysal_fca

    car = tt["car"].minutes.astype(np.float64)
    offers = region.site_services.loc[region.site_services["service"] == "vastaanotto"]
    cols = [list(tt["car"].site_ids).index(s) for s in offers["site_id"]]
    m = car[:, cols]
    pop = (
        region.population[[c for c in region.population.columns if c.startswith("pop_")]]
        .sum(axis=1)
        .to_numpy(float)
    )
    supply = offers["capacity_per_week"].to_numpy(float)
    t0 = time.perf_counter()
    ours, _ = two_stage_fca(m, pop, supply, 30.0)
    t_ours = time.perf_counter() - t0
    rows, cc = np.nonzero(m <= 30.0)
    cost = pd.DataFrame({"origin": rows, "dest": cc + 100_000, "cost": m[rows, cc]})
    demand = pd.DataFrame({"demand": pop}, index=pd.RangeIndex(len(pop), name="geoid"))
    sup = pd.DataFrame(
        {"supply": supply}, index=pd.Index(np.arange(len(cols)) + 100_000, name="geoid")
    )
    t0 = time.perf_counter()
    theirs = pysal_fca.two_stage_fca(demand, sup, cost, max_cost=30.0, demand_index=True)
    t_peer = time.perf_counter() - t0
    theirs = theirs.reindex(np.arange(len(pop))).fillna(0.0).to_numpy()
    print(
        f"2SFCA vastaanotto: ours {t_ours * 1000:.1f} ms, PySAL access {t_peer * 1000:.1f} ms "
        f"(ratio {t_peer / max(t_ours, 1e-9):.0f}x), max abs difference "
        f"{np.max(np.abs(ours - theirs)):.2e}"
    )


if __name__ == "__main__":
    main()
