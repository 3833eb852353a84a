"""Mobile unit timetable and home-care routes on the demo county, timed and checked.

Run: ``nice -n 10 .venv/bin/python benchmarks/bench_channels.py [--seeds 1] [--what-if]``
(``--region DIR --depot SITE_ID`` runs it on a region package instead of the demo county)

1. Mobile unit: a health bus (vastaanotto) from the central sote-keskus, 60 candidate stops at
   population centres, a two-week cycle; the plan is written and re-read by the feasibility
   checker (every visited stop's frequency met, every day within hours). Target: < 30 s.
2. Home care: the representative weekday of every base, routed with PyVRP, written and checked;
   staff travel per visit printed per base. Target: < 60 s for all bases.
   ``--seeds N`` repeats it with seeds 0..N-1 and prints the spread of travel per visit (the
   sampling error of one day). ``--what-if`` also merges the three city bases into one and
   places the same number of bases by p-median, printing the change in travel.

Times exclude building the demo county and its road network (printed separately). Wall and
CPU (all threads of the process) time are printed: PyVRP stops on wall time, so a loaded
machine gives it fewer CPU seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from palveluverkko.channels.adapters import road_network
from palveluverkko.channels.check import check_home_care_plan, check_mobile_plan
from palveluverkko.channels.homecare_region import (
    compare_home_care,
    home_care_bases,
    merge_bases,
    place_bases,
    plan_home_care,
)
from palveluverkko.channels.mobile_region import plan_mobile
from palveluverkko.channels.unit import unit_from_dict
from palveluverkko.demo import demo_region
from palveluverkko.region import read_region

MOBILE_BUDGET_S = 30.0
HOMECARE_BUDGET_S = 60.0

UNIT = {
    "unit": {
        "name": "Terveysbussi",
        "kind": "health_bus",
        "services": ["vastaanotto"],
        "depot_site": "S002",
        "cycle_weeks": 2,
    },
    "stops": {
        "candidates": "population_centres",
        "n_candidates": 60,
        "max_stops": 12,
        "beyond_site_min": 10.0,
    },
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--what-if", action="store_true")
    ap.add_argument("--region", type=Path, default=None, help="region package (default: demo)")
    ap.add_argument("--depot", default="S002", help="site id of the mobile unit's depot")
    args = ap.parse_args()
    ok = True
    t = time.perf_counter()
    region = demo_region(0) if args.region is None else read_region(args.region)
    t_region = time.perf_counter() - t
    t = time.perf_counter()
    net = road_network(region, "car")
    print(
        f"setup: {region.name} {t_region:.1f} s, car network {time.perf_counter() - t:.1f} s "
        f"({net.n_nodes:,} nodes, {net.n_edges:,} edges)"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench_channels."))

    t, cpu = time.perf_counter(), time.process_time()
    doc = {**UNIT, "unit": {**UNIT["unit"], "depot_site": args.depot}}
    plan = plan_mobile(region, unit_from_dict(doc), network=net, seed=0)
    plan.write(tmp / "mobile")
    problems = check_mobile_plan(tmp / "mobile")
    secs, cpu = time.perf_counter() - t, time.process_time() - cpu
    stops = plan.stops
    met = (
        plan.timetable.groupby("stop_id").size().reindex(stops["stop_id"]).to_numpy()
        == stops["visits_per_cycle"].to_numpy()
    ).all()
    within = (
        (plan.days["depart"] >= plan.unit.day_start_min)
        & (plan.days["return"] <= plan.unit.day_end_min)
    ).all()
    print(
        f"\nmobile: {secs:.1f} s wall, {cpu:.1f} s CPU (target < {MOBILE_BUDGET_S:g} s) for "
        f"{len(stops)} stops of 60 candidates, {len(plan.timetable)} stop visits on "
        f"{len(plan.days)} of {plan.unit.days_per_cycle} days in a 2-week cycle"
    )
    print(
        f"  checker: {problems if problems else 'no problems'}; frequencies met: {met}; "
        f"every day within hours: {within}"
    )
    print(
        f"  visits per cycle planned {stops['visits_per_cycle'].sum()}, needed for the "
        f"eligible demand {stops['visits_needed'].sum()}"
    )
    print("  " + plan.summary())
    ok &= not problems and bool(met) and bool(within) and secs < MOBILE_BUDGET_S

    runs = []
    for seed in range(args.seeds):
        t, cpu = time.perf_counter(), time.process_time()
        hc = plan_home_care(region, network=net, seed=seed)
        hc.write(tmp / f"homecare{seed}")
        problems = check_home_care_plan(tmp / f"homecare{seed}")
        secs, cpu = time.perf_counter() - t, time.process_time() - cpu
        runs.append(hc)
        print(
            f"\nhome care, seed {seed}: {secs:.1f} s wall, {cpu:.1f} s CPU "
            f"(target < {HOMECARE_BUDGET_S:g} s) for "
            f"{len(hc.bases)} bases; checker: {problems if problems else 'no problems'}"
        )
        ok &= not problems and secs < HOMECARE_BUDGET_S
    hc = runs[0]
    print("  " + hc.summary())
    b = hc.bases
    print(
        f"  {'base':6} {'name':28} {'visits':>6} {'routed':>6} {'staff-short':>11} "
        f"{'travel min/visit':>16} {'travel h/day':>12} {'road share':>10} {'FTE':>6}"
    )
    for _, r in b.iterrows():
        print(
            f"  {r['base_id']:6} {r['name'][:28]:28} {r['visits']:6d} {r['routed']:6d} "
            f"{r['not_served_staff']:11d} {r['travel_min_per_visit']:16.1f} "
            f"{r['travel_min_per_day'] / 60:12.1f} {100 * r['road_share_of_routes']:9.1f}% "
            f"{r['fte_needed']:6.1f}"
        )
    if len(runs) > 1:
        per = np.array([[p.figures["travel_min_per_visit"] for p in runs]])
        by_base = np.array([p.bases["travel_min_per_visit"].to_numpy() for p in runs])
        print(
            f"  sampling error over {len(runs)} seeds: travel per visit "
            f"{per.mean():.2f} ± {per.std(ddof=1):.2f} min (county); per base the standard "
            f"deviation is {np.nanmean(by_base.std(axis=0, ddof=1)):.2f} min on average, "
            f"at most {np.nanmax(by_base.std(axis=0, ddof=1)):.2f}"
        )
    if args.what_if:
        bases = home_care_bases(region)
        if {"S002", "S003", "S004"} <= set(bases["base_id"]):  # the demo's city bases
            merged = merge_bases(merge_bases(bases, "S003", "S002"), "S004", "S002")
            after = plan_home_care(region, bases=merged, network=net, seed=0)
            print("\nwhat-if: merge the city bases S003 and S004 into S002")
            print(compare_home_care(hc, after).to_string(index=False))
        t = time.perf_counter()
        placed = place_bases(region, len(bases), network=net)
        moved = plan_home_care(region, bases=placed, network=net, seed=0)
        print(
            f"\np-median placement of {len(bases)} bases ({time.perf_counter() - t:.1f} s, "
            f"gap {100 * placed.attrs['gap']:.2f} %): {', '.join(placed['base_id'])}"
        )
        print(compare_home_care(hc, moved).to_string(index=False))
    print(f"\nall targets met: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
