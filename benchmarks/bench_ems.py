"""Emergency care on the SYNTHETIC demo county: coverage, a simulated year, placement.

Prints:

* the demo county's grid, fleet and the time to route stations to cells (once);
* coverage of every class and urgency (hypercube approximation, MEXCLP, double coverage) with
  the drive times computed: target < 5 s (the first call also compiles the numba kernels; the
  figure is the second call);
* a year of missions simulated with SimPy (target < 60 s) and the analytic against the
  simulated share per class and target line (target: within 3 percentage points);
* placing 10, 20 and 30 units among 100 candidate stations by MEXCLP with HiGHS (target < 60 s
  each with a gap of at most 1 %);
* the least yearly cost of units and shifts meeting the example targets (infeasible on the demo
  county), and keeping today's level (today's shares less 1 pp), checked with the hypercube.

Run: ``.venv/bin/python benchmarks/bench_ems.py``
"""

from __future__ import annotations

import time

import numpy as np

from palveluverkko.demo import demo_region
from palveluverkko.ems import (
    candidate_stations,
    default_fleet,
    default_params,
    drive_minutes,
    evaluate_ems,
    optimize_ems,
    risk_grid,
    synthetic_missions,
)
from palveluverkko.errors import InfeasibleError
from palveluverkko.network import RoadNetwork


def main() -> None:
    """Run every figure and print it."""
    t0 = time.perf_counter()
    region = demo_region()
    p = default_params()
    history = synthetic_missions(region, 0, params=p)
    grid = risk_grid(region, p, missions=history)
    fleet = default_fleet(region, p)
    print(f"demo county built in {time.perf_counter() - t0:.1f} s")
    print(grid.summary())
    print(f"SYNTHETIC mission history: {len(history)} missions in {grid.years:.2f} years")
    print(f"fleet (ASSUMED): {fleet.summary()}")

    t = time.perf_counter()
    network = RoadNetwork.for_region(region, "car")
    cand = candidate_stations(region, grid, p, 100, fleet=fleet)
    drive_all = drive_minutes(region, cand.xy(), grid.xy(), network=network)
    print(
        f"routing: car network {network.n_nodes} nodes; 100 stations x {len(grid.cells)} cells in "
        f"{time.perf_counter() - t:.1f} s (computed once)"
    )
    drive = drive_all.subset(np.arange(len(fleet.stations)))

    evaluate_ems(region, p, stations=fleet, grid=grid, drive=drive)  # compiles the kernels
    t = time.perf_counter()
    ev = evaluate_ems(region, p, stations=fleet, grid=grid, drive=drive)
    cov_s = time.perf_counter() - t
    print(
        f"coverage of {len(grid.cells)} cells x 4 classes x {len(p.targets)} target lines, "
        f"168 hours of the week (grouped by duty set and rate), {len(fleet.units())} units: "
        f"{cov_s:.2f} s (target < 5 s)"
    )
    print(ev.summary())

    t = time.perf_counter()
    ev_sim = evaluate_ems(region, p, stations=fleet, grid=grid, drive=drive, simulate=True, seed=1)
    sim_s = time.perf_counter() - t
    assert ev_sim.simulation is not None
    assert ev_sim.comparison is not None
    print(
        f"coverage and a simulated year (SimPy) together: {sim_s:.1f} s (target for the "
        "simulation < 60 s)"
    )
    print(ev_sim.simulation.summary())
    comp = ev_sim.comparison
    print("analytic vs simulated share within target, per class and line:")
    for r in comp.itertuples():
        print(
            f"  {r.urgencies:>3} {r.minutes:4.0f} min {r.risk_class:<11} analytic "
            f"{r.analytic_share:6.1%} simulated {r.simulated_share:6.1%} "
            f"({r.simulated_missions} missions) difference {r.difference_pp:+.2f} pp"
        )
    print(f"largest difference {comp['difference_pp'].abs().max():.2f} pp (target <= 3 pp)")

    for n in (10, 20, 30):
        t = time.perf_counter()
        opt = optimize_ems(
            region, p, n_units=n, candidates=cand, stations=fleet, grid=grid, drive=drive_all
        )
        print(
            f"MEXCLP {n} units among 100 candidates: {time.perf_counter() - t:.1f} s, "
            f"status {opt.result.status}, gap {opt.result.gap:.3%} (target < 60 s, gap <= 1 %); "
            f"expected covered {opt.result.objective:.0f} of {opt.total_weight:.0f} "
            f"missions-criteria/yr, busy fraction {float(opt.busy[0]):.3f}"
        )
    t = time.perf_counter()
    try:
        cost = optimize_ems(region, p, candidates=cand, stations=fleet, grid=grid, drive=drive_all)
        print(
            f"least cost meeting the example (Pirkanmaa) targets: "
            f"{time.perf_counter() - t:.1f} s, {cost.result.summary()}"
        )
    except InfeasibleError as exc:
        print(
            f"least cost meeting the example (Pirkanmaa) targets "
            f"({time.perf_counter() - t:.1f} s): {exc}"
        )
    keep = ev.params_keeping_today(margin=0.01)
    t = time.perf_counter()
    cost = optimize_ems(
        region, keep, candidates=cand, stations=fleet, grid=grid, drive=drive_all, gap=0.01
    )
    print(
        f"least cost keeping today's level (each line and class at today's share - 1 pp), "
        f"{time.perf_counter() - t:.1f} s: {cost.summary()}"
    )
    print(
        f"  today's ASSUMED fleet EUR {ev.resources['cost_eur']:,.0f}/yr; the placement EUR "
        f"{cost.result.objective:,.0f}/yr, proven lower bound EUR {cost.result.bound:,.0f}/yr"
    )
    if cost.verification is not None:
        v = cost.verification
        for rnd, part in v.groupby("round"):
            print(
                f"  attempt {rnd}: busy level {part['busy_level'].iloc[0]:.3f}"
                f"{' (local busy fractions)' if part['local_busy'].iloc[0] else ''}, "
                f"{int(part['units'].iloc[0])} units, EUR {part['cost_eur'].iloc[0]:,.0f}/yr, "
                f"hypercube: {int(part['met'].sum())}/{len(part)} lines x classes met"
            )


if __name__ == "__main__":
    main()
