"""Benchmark: palveluverkko.locate against PySAL spopt (PuLP with CBC, and with HiGHS) in one run.

Run::

    nice -n 5 .venv/bin/python benchmarks/bench_locate.py                    # every case
    nice -n 5 .venv/bin/python benchmarks/bench_locate.py --only small mid   # some cases
    nice -n 5 .venv/bin/python benchmarks/bench_locate.py --spopt-limit 120  # spopt time limit

Cases (synthetic, seeded; no data files are read)
-------------------------------------------------
* ``small``: 100 demand points x 20 candidates, Euclidean minutes, p = 5.
* ``mid``: 1,000 x 50, p = 10.
* ``graph``: 900-node 30 x 30 grid graph with jittered nodes and random detours (sparse, 1,740
  edges); minutes are shortest paths (``scipy.sparse.csgraph``); every node is a demand
  point and a candidate (900 x 900), p = 10 and p = 50.
* ``pmed``: in the style of OR-Library's 900-node p-median instances (Beasley 1985, *A note
  on solving large p-median problems*, EJOR 21; pmed38-40), the usual test bed of p-center
  papers: a random connected graph (random spanning tree plus random edges) with 900 nodes,
  16,200 edges and integer lengths uniform in 1-100, unit demand; re-generated here with our
  own seed (the OR-Library files are not used), 900 x 900, p = 10, 50 and 90.
* ``county``: 15,000 x 50 (the demo county's order of size), p = 25 (half the candidates);
  the p-median also runs once with ``gap_tolerance=0.005`` (row ``locate@0.5%``): the time to
  a proven gap of at most 0.5 %.

Models: p-median (weighted), p-center (spopt's p-center is unweighted; so is ours: weights
only decide which points count), MCLP (threshold 10 min; 5 min on the graph, 15 on pmed).

Our solver runs with ``gap_tolerance=1e-6`` (stop when proven within 1e-4 %) and a time limit
of 10 s (30 s on the graph and pmed cases), in this process after one warm-up solve of a 5 x 3
instance per model; its seconds include building the problem from the matrix.

Every spopt solve runs in its own process (PuLP builds the model in Python; the process is
killed when model building plus solving exceeds ``2 x limit + 60`` s), with the solver's own
time limit ``--spopt-limit``. Objectives of every solution are recomputed here from its open
sites with the same formula, so they compare exactly. "gap" is our proven gap; spopt through
PuLP reports no bound, so its column shows the solver status instead. ``speedup`` is spopt
seconds (model building + solve) / our seconds; ``obj ratio`` is our objective / spopt's
(< 1 better for minimisation, > 1 better for MCLP).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

CASES: dict[str, dict[str, Any]] = {
    "small": {"p": [5], "threshold": 10.0, "our_limit": 10.0},
    "mid": {"p": [10], "threshold": 10.0, "our_limit": 10.0},
    "graph": {"p": [10, 50], "threshold": 5.0, "our_limit": 30.0},
    "pmed": {"p": [10, 50, 90], "threshold": 15.0, "our_limit": 30.0},
    "county": {"p": [25], "threshold": 10.0, "our_limit": 10.0, "target_gap": 0.005},
}
MODELS = ("p_median", "p_center", "mclp")


def make_instance(case: str) -> tuple[np.ndarray, np.ndarray]:
    """Minutes (demand x candidates) and demand weights of a case, deterministic."""
    rng = np.random.default_rng({"small": 1, "mid": 2, "graph": 3, "county": 4, "pmed": 5}[case])
    if case == "pmed":
        n, n_edges = 900, 16_200
        order = rng.permutation(n)
        pairs = {tuple(sorted((order[k], order[rng.integers(0, k)]))) for k in range(1, n)}
        while len(pairs) < n_edges:
            a, b = rng.integers(0, n, 2)
            if a != b:
                pairs.add((min(a, b), max(a, b)))
        e = np.array(sorted(pairs))
        length = rng.integers(1, 101, len(e)).astype(float)
        graph = sp.coo_matrix((length, (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
        return shortest_path(graph, directed=False), np.ones(n)
    if case == "graph":
        k = 30
        n = k * k
        xy = np.stack(np.meshgrid(np.arange(k), np.arange(k)), -1).reshape(-1, 2).astype(float)
        xy += rng.uniform(-0.3, 0.3, (n, 2))
        node = np.arange(n).reshape(k, k)
        src = np.concatenate([node[:, :-1].ravel(), node[:-1, :].ravel()])
        dst = np.concatenate([node[:, 1:].ravel(), node[1:, :].ravel()])
        length = np.linalg.norm(xy[src] - xy[dst], axis=1) * rng.uniform(1, 3, src.size)
        graph = sp.coo_matrix((length, (src, dst)), shape=(n, n)).tocsr()
        minutes = shortest_path(graph, directed=False)
        return minutes, rng.integers(1, 100, n).astype(float)
    n, m = {"small": (100, 20), "mid": (1000, 50), "county": (15000, 50)}[case]
    side = {"small": 20.0, "mid": 40.0, "county": 60.0}[case]
    pts = rng.uniform(0, side, (n, 2))
    cand = rng.uniform(0, side, (m, 2))
    minutes = np.linalg.norm(pts[:, None] - cand[None], axis=2) * 1.3  # detour factor
    return minutes, rng.integers(1, 100, n).astype(float)


def evaluate(
    model: str, minutes: np.ndarray, w: np.ndarray, open_idx: list[int], t: float
) -> float:
    """Objective of an open set, the same formula for every solver."""
    near = minutes[:, open_idx].min(axis=1)
    if model == "p_median":
        return float((w * near).sum())
    if model == "p_center":
        return float(near.max())
    return float(w[near <= t].sum())


def spopt_worker(case: str, model: str, solver: str, p: int, limit: float) -> None:
    """Solve one case with spopt in this process and print a JSON line."""
    import pulp
    from spopt.locate import MCLP, PCenter, PMedian

    minutes, w = make_instance(case)
    t = CASES[case]["threshold"]
    t0 = time.perf_counter()
    if model == "p_median":
        spm: Any = PMedian.from_cost_matrix(minutes, w, p)
    elif model == "p_center":
        spm = PCenter.from_cost_matrix(minutes, p)
    else:
        spm = MCLP.from_cost_matrix(minutes, w, t, p)
    build = time.perf_counter() - t0
    lp_solver = (
        pulp.PULP_CBC_CMD(msg=False, timeLimit=limit)
        if solver == "cbc"
        else pulp.HiGHS(msg=False, timeLimit=limit)
    )
    spm.solve(lp_solver)
    seconds = time.perf_counter() - t0
    open_idx = [j for j, v in enumerate(spm.fac_vars) if (v.value() or 0) > 0.5]
    status = pulp.LpStatus[spm.problem.status]
    if seconds - build >= 0.95 * limit:
        status = f"time limit (PuLP: {status})"
    obj = evaluate(model, minutes, w, open_idx, t) if len(open_idx) else float("nan")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "build_s": build,
                "objective": obj,
                "status": status,
                "n_open": len(open_idx),
            }
        )
    )


def run_spopt(case: str, model: str, solver: str, p: int, limit: float) -> dict[str, Any]:
    """Run :func:`spopt_worker` in a subprocess, killed after ``2 limit + 60`` s."""
    cmd = [sys.executable, __file__, "--worker", case, model, solver, str(p), str(limit)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=2 * limit + 60)
    except subprocess.TimeoutExpired:
        return {"status": f"did not finish in {2 * limit + 60:.0f} s (killed)"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": f"failed: {tail[:80]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_ours(case: str, model: str, p: int, gap_tolerance: float = 1e-6) -> dict[str, Any]:
    """Solve one case with palveluverkko.locate (default: to a proven gap of 1e-6)."""
    from palveluverkko.locate import SolveParams, mclp, p_center, p_median, problem_from_matrix

    minutes, w = make_instance(case)
    t = CASES[case]["threshold"]
    params = SolveParams(time_limit_s=CASES[case]["our_limit"], gap_tolerance=gap_tolerance)
    t0 = time.perf_counter()
    prob = problem_from_matrix(minutes, w)
    if model == "p_median":
        res = p_median(prob, p, params=params)
    elif model == "p_center":
        res = p_center(prob, p, params=params)
    else:
        res = mclp(prob, t, p, params=params)
    seconds = time.perf_counter() - t0
    obj = evaluate(model, minutes, w, res.open_index.tolist(), t)
    return {
        "seconds": seconds,
        "objective": obj,
        "gap": res.gap,
        "status": res.status,
        "method": res.method,
    }


def warm_up() -> None:
    """Solve a 5 x 3 instance once per model, so no timing includes first-use set-up of the
    libraries (scipy.sparse, highspy); spopt's timings likewise start after its imports."""
    from palveluverkko.locate import mclp, p_center, p_median, problem_from_matrix

    prob = problem_from_matrix(np.arange(15.0).reshape(5, 3) % 7, np.ones(5))
    p_median(prob, 2)
    p_center(prob, 2)
    mclp(prob, 3.0, 2)


def main() -> None:
    """Run the cases and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", choices=list(CASES), help="cases to run")
    ap.add_argument("--models", nargs="*", choices=MODELS, default=list(MODELS))
    ap.add_argument("--spopt-limit", type=float, default=60.0, help="spopt solver limit (s)")
    ap.add_argument("--no-spopt", action="store_true", help="only our solver")
    ap.add_argument(
        "--spopt-solvers", nargs="*", choices=["cbc", "highs"], default=["cbc", "highs"]
    )
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        case, model, solver, p, limit = args.worker
        spopt_worker(case, model, solver, int(p), float(limit))
        return
    cases = args.only or list(CASES)
    warm_up()
    header = (
        f"{'case':7} {'size':>11} {'model':9} {'p':>3} {'solver':12} {'seconds':>8} "
        f"{'objective':>14} {'gap/status':>28} {'speedup':>8} {'obj ratio':>10}"
    )
    print(header)
    print("-" * len(header))
    for case in cases:
        minutes, _ = make_instance(case)
        size = f"{minutes.shape[0]}x{minutes.shape[1]}"
        for model in args.models:
            for p in CASES[case]["p"]:
                ours = run_ours(case, model, p)
                print(
                    f"{case:7} {size:>11} {model:9} {p:>3} {'locate':12} "
                    f"{ours['seconds']:8.3f} {ours['objective']:14.6g} "
                    f"{100 * ours['gap']:27.4f}% {'':>8} {'':>10}",
                    flush=True,
                )
                target = CASES[case].get("target_gap")
                if target is not None and model == "p_median":
                    tg = run_ours(case, model, p, gap_tolerance=target)
                    label = f"locate@{100 * target:g}%"
                    print(
                        f"{'':7} {'':>11} {'':9} {'':>3} {label:12} "
                        f"{tg['seconds']:8.3f} {tg['objective']:14.6g} "
                        f"{100 * tg['gap']:27.4f}%",
                        flush=True,
                    )
                if args.no_spopt:
                    continue
                for solver in args.spopt_solvers:
                    sp_res = run_spopt(case, model, solver, p, args.spopt_limit)
                    if "seconds" not in sp_res:
                        print(
                            f"{'':7} {'':>11} {'':9} {'':>3} {'spopt+' + solver:12} "
                            f"{'-':>8} {'-':>14} {sp_res['status']:>28}",
                            flush=True,
                        )
                        continue
                    ratio = (
                        ours["objective"] / sp_res["objective"] if sp_res["objective"] else np.nan
                    )
                    print(
                        f"{'':7} {'':>11} {'':9} {'':>3} {'spopt+' + solver:12} "
                        f"{sp_res['seconds']:8.2f} {sp_res['objective']:14.6g} "
                        f"{sp_res['status'][:28]:>28} "
                        f"{sp_res['seconds'] / ours['seconds']:7.1f}x {ratio:10.6f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
