"""Benchmark: all of Finland on one machine (issue 15, targets of items 1-2).

Run::

    nice -n 10 .venv/bin/python benchmarks/bench_national.py              # everything (~20 min)
    nice -n 10 .venv/bin/python benchmarks/bench_national.py --only matrix
    nice -n 10 .venv/bin/python benchmarks/bench_national.py --only solve --limit 120
    nice -n 10 .venv/bin/python benchmarks/bench_national.py --only spopt

Input: :func:`palveluverkko.demo.national.national_case` (seed 0): the real 309 municipalities
and Paavo 2017 residents spread over ~300,000 synthetic 250 m cells, 1,000 synthetic sites, a
synthetic 500 m road grid of ~1.46 M nodes and ~5.8 M directed edges (needs ``../shared/data``).

Stages, each in its own process so that its peak memory is its own (``ru_maxrss`` of
``resource.getrusage``: resident set, so it includes the inputs each process holds):

* ``matrix``: snap cells and sites (``network.snap``), each cell's 5 nearest sites
  (``network.matrix.nearest_sites``, memory ``n x k``; ``road_matrix(k=5)`` would scatter them
  into a dense matrix) and the full cells x sites matrix with a 120 min cutoff
  (``road_matrix(max_minutes=120)``); peer: ``scipy.sparse.csgraph.dijkstra`` with the same
  limit from the first 20 site nodes on the reversed graph, against ``road_matrix`` for the same
  20 sites in the same process (ratio and bit-equality printed). The full matrix is saved for
  the next stage (``--workdir``).
* ``solve``: p-median, p-center and MCLP (threshold 20 min) with p = 500 on the full matrix
  (demand = residents), each with a time limit (default 120 s) and the default gap tolerance
  (so each uses its whole limit unless it proves optimality), plus p-median with
  ``gap_tolerance=0.01`` (the time to a proven 1 %); building the problem is timed apart.
  On the national matrix the p-center is decided by its floor (the remotest cell's nearest
  site, near the 120 min cutoff), so a second p-center runs on 300,000 clustered points x
  1,000 sites in a plane (straight-line minutes) where the radius search and the packing bound
  do the work.
* ``spopt``: spopt 0.7 (PuLP + HiGHS, its time limit = ours, ``--peer-limit``, default 60 s)
  against ours on row and column samples of the national matrix (2,000 x 100, p = 20 and
  10,000 x 200, p = 50), sizes it can finish (its PuLP model has one variable per pair);
  objectives recomputed here from the open sites with one formula. spopt reports no bound.

Targets (issue 15): full matrix < 10 min and < 8 GB; each model within its limit, < 8 GB; p-median
gap <= 1 %.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

P = 500
THRESHOLD = 20.0
SPOPT_SIZES = [(2_000, 100, 20), (10_000, 200, 50)]


def peak_mb() -> float:
    """Peak resident set of this process (``ru_maxrss``, kB on Linux), MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(record: dict[str, Any]) -> None:
    """Print one JSON line for the parent."""
    print("RESULT " + json.dumps(record), flush=True)


def stage_matrix(workdir: Path) -> None:
    """Build the case, snap, k-nearest and full matrices, scipy peer; save the matrix."""
    from palveluverkko.network.snap import Snapped, snap
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from palveluverkko.demo.national import national_case
    from palveluverkko.network.matrix import nearest_sites, road_matrix

    t0 = time.perf_counter()
    case = national_case(0)
    build_s = time.perf_counter() - t0
    emit({"stage": "case", "seconds": build_s, "summary": case.summary(), **case.counts})
    net = case.network
    t0 = time.perf_counter()
    cells = snap(net, case.cell_xy())
    sites = snap(net, case.site_xy())
    snap_s = time.perf_counter() - t0
    net.reversed().prepared  # noqa: B018 (build the reversed graph once, outside the timings)
    t0 = time.perf_counter()
    _, knn = nearest_sites(net, cells, sites, 5, max_minutes=120.0)
    knn_s = time.perf_counter() - t0
    n_knn = int(np.isfinite(knn).sum())
    del knn
    emit(
        {
            "stage": "k-nearest (k=5, 120 min)",
            "seconds": knn_s,
            "snap_seconds": snap_s,
            "cells_not_snapped": int((~cells.ok).sum()),
            "sites_not_snapped": int((~sites.ok).sum()),
            "finite_entries": n_knn,
            "peak_mb": peak_mb(),
        }
    )
    # peer: scipy's Dijkstra from the first 20 site nodes, against ours for those 20 sites
    first = np.flatnonzero(sites.ok)[:20]
    sub = Snapped(
        sites.node[first], sites.distance_m[first], sites.access_minutes[first], sites.reason[first]
    )
    t0 = time.perf_counter()
    ours = road_matrix(net, cells, sub, max_minutes=120.0)
    ours_s = time.perf_counter() - t0
    rev = net.reversed()
    graph = csr_matrix((rev.minutes, rev.indices, rev.indptr), shape=(net.n_nodes, net.n_nodes))
    t0 = time.perf_counter()
    dist = dijkstra(graph, indices=sub.node, limit=120.0)
    ref64 = (dist[:, cells.node].T + cells.access_minutes[:, None]) + sub.access_minutes[None, :]
    ref64[ref64 > 120.0] = np.inf
    ref64[~cells.ok] = np.inf
    ref = ref64.astype(np.float32)
    del ref64
    scipy_s = time.perf_counter() - t0
    del dist, graph
    emit(
        {
            "stage": "peer: 20 sites, 120 min",
            "ours_seconds": ours_s,
            "scipy_seconds": scipy_s,
            "ratio": scipy_s / ours_s,
            "equal": bool(np.array_equal(ours, ref)),
            "max_abs_diff": float(np.nanmax(np.abs(np.where(np.isfinite(ref), ours - ref, 0.0)))),
        }
    )
    del ours, ref
    t0 = time.perf_counter()
    full = road_matrix(net, cells, sites, max_minutes=120.0)
    full_s = time.perf_counter() - t0
    finite = np.isfinite(full)
    emit(
        {
            "stage": "full (120 min cutoff)",
            "seconds": full_s,
            "shape": list(full.shape),
            "finite_share": float(finite.mean()),
            "cells_reaching_no_site": int((~finite.any(axis=1)).sum()),
            "peak_mb": peak_mb(),
        }
    )
    workdir.mkdir(parents=True, exist_ok=True)
    np.save(workdir / "minutes.npy", full)
    np.save(workdir / "demand.npy", case.residents().astype(np.float64))


def stage_solve(workdir: Path, model: str, limit: float, gap: float) -> None:
    """Load the saved matrix, build the problem, solve one model; print figures."""
    import warnings

    from palveluverkko.errors import UnreachableWarning
    from palveluverkko.locate import SolveParams, mclp, p_center, p_median, problem_from_matrix

    minutes = np.load(workdir / "minutes.npy")
    demand = np.load(workdir / "demand.npy")
    load_mb = peak_mb()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        prob = problem_from_matrix(minutes, demand)
    problem_s = time.perf_counter() - t0
    params = SolveParams(time_limit_s=limit, gap_tolerance=gap)
    t0 = time.perf_counter()
    if model == "p_median":
        res = p_median(prob, P, params=params)
    elif model == "p_center":
        res = p_center(prob, P, params=params)
    else:
        res = mclp(prob, THRESHOLD, P, params=params)
    seconds = time.perf_counter() - t0
    keys = (
        "rows_modelled",
        "nearest_k",
        "sparse_mb",
        "rows_outside_list",
        "capped_multipliers",
        "lagrangian_iterations",
        "vns_rounds",
        "patterns",
        "incumbent_radius",
        "listed_entries",
        "truncated_rows",
        "packing_tests",
        "swap_steps",
    )
    emit(
        {
            "stage": f"{model} p={P}" + (f" gap_tol={gap:g}" if gap > 1e-6 else ""),
            "problem_seconds": problem_s,
            "seconds": seconds,
            "limit": limit,
            "objective": res.objective,
            "bound": res.bound,
            "gap": res.gap,
            "unreachable_cells": prob.n_unreachable,
            "matrix_mb": minutes.nbytes / 1e6,
            "load_peak_mb": load_mb,
            "peak_mb": peak_mb(),
            **{k: res.details[k] for k in keys if k in res.details},
        }
    )


def stage_plane(limit: float) -> None:
    """p-center where the floor does not decide: 300,000 clustered points x 1,000 sites."""
    from palveluverkko.locate import SolveParams, p_center, problem_from_matrix

    rng = np.random.default_rng(0)
    n, m = 300_000, 1_000
    towns = rng.uniform(0, 600, (200, 2)) * [1, 2]
    xy = towns[rng.integers(0, 200, n)] + rng.normal(0, 15, (n, 2))
    s = xy[rng.choice(n, m, replace=False)]
    minutes = np.empty((n, m), np.float32)
    for a in range(0, n, 20_000):
        d = xy[a : a + 20_000, None, :] - s[None]
        minutes[a : a + 20_000] = np.sqrt((d**2).sum(-1)) * 0.8 + 1.0  # 1 km = 0.8 min
    prob = problem_from_matrix(minutes, rng.integers(1, 50, n).astype(np.float64))
    t0 = time.perf_counter()
    res = p_center(prob, P, params=SolveParams(time_limit_s=limit))
    emit(
        {
            "stage": f"p_center p={P} (clustered plane 300,000 x 1,000)",
            "seconds": time.perf_counter() - t0,
            "limit": limit,
            "objective": res.objective,
            "bound": res.bound,
            "gap": res.gap,
            "peak_mb": peak_mb(),
            **{k: v for k, v in res.details.items() if isinstance(v, int | float)},
        }
    )


def _sample(workdir: Path, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n + m)
    minutes = np.load(workdir / "minutes.npy", mmap_mode="r")
    demand = np.load(workdir / "demand.npy")
    cols = np.sort(rng.choice(minutes.shape[1], m, replace=False))
    ok = np.flatnonzero(np.isfinite(np.asarray(minutes[:, cols])).any(axis=1))
    rows = np.sort(rng.choice(ok, n, replace=False))
    sub = np.asarray(minutes[rows][:, cols], dtype=np.float64)
    # spopt needs finite costs: unreachable pairs at 10,000 min (never chosen at this p)
    sub[~np.isfinite(sub)] = 10_000.0
    return sub, demand[rows]


def objective(model: str, minutes: np.ndarray, w: np.ndarray, open_idx: list[int]) -> float:
    """One formula for every solver's open sites."""
    near = minutes[:, open_idx].min(axis=1)
    if model == "p_median":
        return float((w * near).sum())
    if model == "p_center":
        return float(near.max())
    return float(w[near <= THRESHOLD].sum())


def stage_peer(workdir: Path, who: str, model: str, n: int, m: int, p: int, limit: float) -> None:
    """One sample solved by ours or spopt (PuLP + HiGHS)."""
    minutes, w = _sample(workdir, n, m)
    t0 = time.perf_counter()
    if who == "ours":
        from palveluverkko.locate import SolveParams, mclp, p_center, p_median, problem_from_matrix

        params = SolveParams(time_limit_s=limit)
        prob = problem_from_matrix(minutes, w)
        fn = {"p_median": p_median, "p_center": p_center}.get(model)
        t1 = time.perf_counter()
        res = fn(prob, p, params=params) if fn else mclp(prob, THRESHOLD, p, params=params)
        solve_s = time.perf_counter() - t1
        open_idx = res.open_index.tolist()
        status = f"gap {100 * res.gap:.3g} %, solve {solve_s:.1f} s"
    else:
        import pulp
        from spopt.locate import MCLP, PCenter, PMedian

        if model == "p_median":
            spm: Any = PMedian.from_cost_matrix(minutes, w, p)
        elif model == "p_center":
            spm = PCenter.from_cost_matrix(minutes, p)
        else:
            spm = MCLP.from_cost_matrix(minutes, w, THRESHOLD, p)
        t1 = time.perf_counter()
        spm.solve(pulp.HiGHS(msg=False, timeLimit=limit))
        solve_s = time.perf_counter() - t1
        open_idx = [j for j, v in enumerate(spm.fac_vars) if (v.value() or 0) > 0.5]
        status = pulp.LpStatus[spm.problem.status]
        if solve_s >= 0.95 * limit:  # PuLP reports "Optimal" for a HiGHS stopped by its limit
            status = f"time limit (PuLP: {status})"
        status += f", solve {solve_s:.1f} s"
    seconds = time.perf_counter() - t0
    emit(
        {
            "who": who,
            "seconds": seconds,
            "objective": objective(model, minutes, w, open_idx) if open_idx else float("nan"),
            "status": status,
            "peak_mb": peak_mb(),
        }
    )


def child(args: list[str], timeout: float) -> list[dict[str, Any]]:
    """Run this script with ``args`` in a fresh process; its RESULT lines."""
    cmd = [sys.executable, __file__, *args]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [{"status": f"did not finish in {timeout:.0f} s (killed)"}]
    rows = [json.loads(ln[7:]) for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 and not rows:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return [{"status": f"failed: {tail[:120]}"}]
    return rows


def show(rec: dict[str, Any]) -> None:
    """Print a record as one line."""
    parts = []
    for k, v in rec.items():
        if isinstance(v, float):
            v = f"{v:.4g}"
        parts.append(f"{k}={v}")
    print("  " + ", ".join(parts), flush=True)


def main() -> None:
    """Run the chosen stages, each in its own process, and print their figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=["matrix", "solve", "spopt"])
    ap.add_argument("--limit", type=float, default=120.0)
    ap.add_argument("--peer-limit", type=float, default=60.0)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/palveluverkko-national"))
    ap.add_argument("--stage", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.stage:
        kind = a.stage[0]
        if kind == "matrix":
            stage_matrix(a.workdir)
        elif kind == "plane":
            stage_plane(float(a.stage[1]))
        elif kind == "solve":
            stage_solve(a.workdir, a.stage[1], float(a.stage[2]), float(a.stage[3]))
        else:
            n, m, p = (int(x) for x in a.stage[3:6])
            stage_peer(a.workdir, a.stage[1], a.stage[2], n, m, p, float(a.stage[6]))
        return
    print(f"bench_national: workdir {a.workdir}; memory = ru_maxrss of each stage's process")
    if "matrix" in a.only:
        print("matrix (national case, road grid, 300k cells x 1,000 sites):")
        for rec in child(["--stage", "matrix", "--workdir", str(a.workdir)], 3600):
            show(rec)
    if "solve" in a.only:
        print(f"solve (p = {P}, limit {a.limit:g} s):")
        runs = [("p_median", 1e-6), ("p_median", 0.01), ("p_center", 1e-6), ("mclp", 1e-6)]
        for model, gap in runs:
            stage = ["--stage", "solve", model, str(a.limit), str(gap)]
            for rec in child([*stage, "--workdir", str(a.workdir)], 4 * a.limit + 300):
                show(rec)
        for rec in child(["--stage", "plane", str(a.limit)], 4 * a.limit + 300):
            show(rec)
    if "spopt" in a.only:
        print("peer: spopt 0.7 (PuLP + HiGHS) on samples of the national matrix:")
        for n, m, p in SPOPT_SIZES:
            for model in ("p_median", "p_center", "mclp"):
                recs = {}
                for who in ("ours", "spopt"):
                    stage = ["--stage", "peer", who, model, str(n), str(m), str(p)]
                    stage.append(str(a.peer_limit))
                    out = child([*stage, "--workdir", str(a.workdir)], 3 * a.peer_limit + 120)
                    recs[who] = out[-1] if out else {"status": "no output"}
                o, s = recs["ours"], recs["spopt"]
                line = f"  {model} {n}x{m} p={p}: ours {o.get('seconds', float('nan')):.1f} s "
                line += f"obj {o.get('objective', float('nan')):.6g} ({o.get('status')}); "
                line += f"spopt {s.get('seconds', float('nan')):.1f} s "
                line += f"obj {s.get('objective', float('nan')):.6g} ({s.get('status')})"
                if "seconds" in o and "seconds" in s:
                    line += f"; speed-up {s['seconds'] / o['seconds']:.2g}x"
                    line += f", obj ratio {o['objective'] / s['objective']:.6f}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
