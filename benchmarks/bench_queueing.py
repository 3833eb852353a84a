"""Benchmark: the booking-queue model, analytic against its SimPy simulation, in one run.

For a few site-services (weekly requests, weekly slots, access target in days) prints the mean
wait and the share within the target of both methods and their times. Near full load
(990 on 1000) 200,000 simulated requests are too few for the simulation to settle: it reads
high (2,000,000 give 1.707 days against the exact 1.697). Run::

    .venv/bin/python benchmarks/bench_queueing.py
"""

from __future__ import annotations

import time

CASES = [
    (40.0, 50.0, 7.0),
    (90.0, 100.0, 7.0),
    (990.0, 1000.0, 7.0),
    (35.3, 34.5, 7.0),
    (110.0, 100.0, 7.0),
    (1937.0, 1170.0, 7.0),
    (1280.0, 1502.5, 0.5),
]


def main() -> None:
    from palveluverkko.evaluation.queueing import analytic_wait, simulate_wait

    print(
        f"{'requests/wk':>11} {'slots/wk':>9} {'target d':>8} | {'method':>9} {'wait d':>7} "
        f"{'within':>7} {'ms':>7} | {'SimPy wait':>10} {'within':>7} {'s':>6}"
    )
    for lam, cap, target in CASES:
        t0 = time.perf_counter()
        a = analytic_wait(lam, cap, target)
        ta = time.perf_counter() - t0
        t0 = time.perf_counter()
        s = simulate_wait(lam, cap, target, requests=200_000, seed=1)
        ts = time.perf_counter() - t0
        print(
            f"{lam:11.1f} {cap:9.1f} {target:8.1f} | {a.method:>9} {a.expected_wait_days:7.2f} "
            f"{100 * a.share_within_target:6.1f}% {1000 * ta:7.1f} | "
            f"{s.expected_wait_days:10.2f} {100 * s.share_within_target:6.1f}% {ts:6.2f}"
        )


if __name__ == "__main__":
    main()
