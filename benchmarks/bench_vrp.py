"""Routing quality of the PyVRP wrapper on Solomon's VRPTW instances (100 clients).

Run: ``nice -n 10 .venv/bin/python benchmarks/bench_vrp.py [--seconds 10] [--seeds 1]``

For R101, C101 and RC101 (``benchmarks/data/solomon/``, one instance of each class R1, C1,
RC1) it solves the instance with :func:`palveluverkko.channels.solve_routing` for ``--seconds``
each and prints the objective (total distance, DIMACS convention: tenths, truncated), the best
known value (``README.md`` there), the gap in per cent and whether it is within the 2 % target.
Exit status 1 when any gap exceeds 2 %. PyVRP is a heuristic: no run proves anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from palveluverkko.channels import RoutingParams, solve_routing
from palveluverkko.channels.solomon import read_solomon

DATA = Path(__file__).parent / "data" / "solomon"
BEST_KNOWN = {"R101": 1637.7, "C101": 827.3, "RC101": 1619.8}
"""Best-known total distances, DIMACS convention (source: data/solomon/README.md)."""
TARGET_GAP = 0.02


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--seeds", type=int, default=1, help="runs per instance (seeds 1..n)")
    args = ap.parse_args()
    worst = 0.0
    print(
        f"{'instance':9} {'seed':>4} {'objective':>10} {'best known':>10} {'gap %':>7} "
        f"{'routes':>6} {'seconds':>7}  within 2 %"
    )
    for name, bks in BEST_KNOWN.items():
        problem = read_solomon(DATA / f"{name}.txt")
        for seed in range(1, args.seeds + 1):
            res = solve_routing(problem, RoutingParams(time_limit_s=args.seconds), seed=seed)
            obj = res.objective / 10.0
            gap = (obj - bks) / bks
            worst = max(worst, gap if res.feasible else float("inf"))
            print(
                f"{name:9} {seed:4d} {obj:10.1f} {bks:10.1f} {100 * gap:7.2f} "
                f"{len(res.routes):6d} {res.seconds:7.1f}  "
                f"{'yes' if res.feasible and gap <= TARGET_GAP else 'NO'}"
            )
    print(
        f"worst gap {100 * worst:.2f} % (target <= {100 * TARGET_GAP:.0f} % in "
        f"{args.seconds:g} s); PyVRP is a heuristic: these are upper bounds, nothing is proven"
    )
    return 0 if worst <= TARGET_GAP else 1


if __name__ == "__main__":
    sys.exit(main())
