"""Time to write the demo's results, and the whole ``palveluverkko demo``.

Run: ``.venv/bin/python benchmarks/bench_outputs.py [--repeat 3] [--no-demo]``

Prints, for the same run and machine load (``os.getloadavg``, printed with every figure; the
machine may be shared, so CPU seconds are printed beside wall seconds):

- writing the results of the demo (``baseline/``, ``scenario/``, ``comparison/``, as
  ``run_demo`` writes them: the three folders in parallel threads) against the target of 3 s,
  best of ``repeat``; the same folders written one after another; and the peer: the writer
  before issue 15 (``cells.csv`` of every cell x service, a GeoPackage polygon per cell x
  service, openpyxl for every table but ``cells`` and ``travel``), kept here as
  :func:`legacy_write_evaluation`;
- the whole ``palveluverkko demo`` in a fresh folder (travel times computed) and again in the
  same folder (travel times from the cache, as a second ``make demo``), against the target of
  25 s, and ``demo --pdf`` for the PDF's cost; each with the demo's own timing line. With
  ``--peer-commit fd7d13d`` also the demo of that commit (before this work; its ``src/`` taken
  with ``git archive``), then this checkout's once more, so both are timed in the same load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from palveluverkko.evaluation import Comparison, Evaluation
from palveluverkko.evaluation.io import (
    _excel,
    _finite,
    evaluation_tables,
    write_comparison,
    write_evaluation,
)

WRITE_TARGET_S = 3.0
DEMO_TARGET_S = 25.0


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} cores"


def legacy_write_evaluation(ev: Evaluation, out: Path) -> None:
    """The writer before issue 15 (the peer): CSV cells, a polygon per cell x service, Excel."""
    out.mkdir(parents=True, exist_ok=True)
    region = ev.region
    gpkg = out / "results.gpkg"
    geom = region.population.set_index(region.population["cell_id"].astype(str)).geometry
    cells = ev.cells.assign(car_reachable=np.isfinite(ev.cells["car_minutes"].to_numpy()))
    gpd.GeoDataFrame(
        _finite(cells), geometry=geom.reindex(cells["cell_id"]).to_numpy(), crs=region.crs
    ).to_file(gpkg, layer="cells", driver="GPKG")
    union = pd.concat([ev.base_region.sites, region.sites], ignore_index=True)
    union = union.drop_duplicates("site_id").set_index(union["site_id"].drop_duplicates())
    gpd.GeoDataFrame(
        _finite(ev.sites),
        geometry=union.geometry.reindex(ev.sites["site_id"]).to_numpy(),
        crs=region.crs,
    ).to_file(gpkg, layer="sites", driver="GPKG")
    mgeom = region.municipalities.set_index(region.municipalities["code"].astype(str)).geometry
    gpd.GeoDataFrame(
        _finite(ev.municipalities),
        geometry=mgeom.reindex(ev.municipalities["municipality"]).to_numpy(),
        crs=region.crs,
    ).to_file(gpkg, layer="municipalities", driver="GPKG")
    tables = evaluation_tables(ev)
    for name, frame in tables.items():
        if name in ("travel", "flows"):
            frame.to_parquet(out / f"{name}.parquet", index=False)
        else:
            frame.to_csv(out / f"{name}.csv", index=False)
    _excel(out / "results.xlsx", {k: v for k, v in tables.items() if k not in ("cells", "travel")})
    (out / "scenario.toml").write_text(ev.scenario.to_toml(), encoding="utf-8")


def _legacy(cmp: Comparison, out: Path) -> None:
    legacy_write_evaluation(cmp.base, out / "baseline")
    legacy_write_evaluation(cmp.other, out / "scenario")
    write_comparison(cmp, out / "comparison", evaluations=False)


def _sequential(cmp: Comparison, out: Path) -> None:
    write_evaluation(cmp.base, out / "baseline")
    write_evaluation(cmp.other, out / "scenario")
    write_comparison(cmp, out / "comparison", evaluations=False)


def _parallel(cmp: Comparison, out: Path) -> None:
    """As :func:`palveluverkko.study.run_demo` writes them."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [
            pool.submit(write_evaluation, cmp.base, out / "baseline"),
            pool.submit(write_evaluation, cmp.other, out / "scenario"),
            pool.submit(write_comparison, cmp, out / "comparison", evaluations=False),
        ]
    for job in jobs:
        job.result()


def _best(write: Callable[[Comparison, Path], None], cmp: Comparison, repeat: int) -> str:
    walls, cpus = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = time.perf_counter(), time.process_time()
            write(cmp, Path(tmp))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    k = int(np.argmin(walls))
    return f"{walls[k]:6.2f} s wall, {cpus[k]:6.2f} s CPU, {size / 2**20:5.1f} MiB ({_load()})"


def _comparison(seed: int, cache: Path) -> Comparison:
    from palveluverkko.demo import demo_region
    from palveluverkko.demo.scenarios import example_scenario
    from palveluverkko.study import Study

    region = demo_region(seed)
    study = Study(region, cache_dir=cache)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return study.compare(None, example_scenario(region))[0]


def _peer_source(commit: str, into: Path) -> Path:
    """``src/`` of ``commit`` of this checkout, unpacked into ``into`` (for the peer demo)."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", commit, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def _demo(out: Path, seed: int, extra: list[str], source: Path | None = None) -> str:
    """``palveluverkko demo`` in a child process (of the code in ``source`` if given)."""
    cli = "from palveluverkko.cli import app; app(prog_name='palveluverkko')"
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", cli, "demo", "--out", str(out), "--seed", str(seed), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    own = re.findall(r"^time: .*$", proc.stdout, flags=re.MULTILINE)
    cpu = f", {cpu_s:.1f} s CPU"
    verdict = "within" if wall < DEMO_TARGET_S else "OVER"
    return (
        f"{wall:6.1f} s wall{cpu} (exit {proc.returncode}; {verdict} the {DEMO_TARGET_S:.0f} s "
        f"target; {_load()})\n      {own[-1] if own else '(no timing line)'}"
    )


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-demo", action="store_true", help="Only time the writers.")
    parser.add_argument(
        "--peer-commit",
        default=None,
        help="Also time the demo of this commit (e.g. fd7d13d, before issue 15 item 5), "
        "alternating with this checkout's, in the same conditions.",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cmp = _comparison(args.seed, Path(tmp) / "cache")
    cells, travel = len(cmp.base.cells), len(cmp.base.travel)
    print(f"demo results (seed {args.seed}): {cells} cell x service rows, {travel} travel rows")
    _parallel(cmp, Path(tempfile.mkdtemp()))  # warm imports (openpyxl, pyogrio, pyarrow)
    print(f"  write, 3 folders in parallel (demo): {_best(_parallel, cmp, args.repeat)}")
    print(f"  write, one folder after another:     {_best(_sequential, cmp, args.repeat)}")
    print(f"  peer: writer before issue 15:        {_best(_legacy, cmp, args.repeat)}")
    print(f"  target: results written in under {WRITE_TARGET_S:.0f} s")
    if args.no_demo:
        return
    out = Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    try:
        print("palveluverkko demo:")
        print(f"  fresh folder (travel times computed): {_demo(out / 'a', args.seed, [])}")
        print(f"  again (travel times cached):          {_demo(out / 'a', args.seed, [])}")
        print(f"  again with --pdf:                     {_demo(out / 'a', args.seed, ['--pdf'])}")
        if args.peer_commit:
            peer = _peer_source(args.peer_commit, out)
            _demo(out / "warm", args.seed, [], peer)  # its numba kernels compile once
            print(f"peer: palveluverkko demo at {args.peer_commit} (it writes the PDF):")
            print(f"  fresh folder: {_demo(out / 'b', args.seed, [], peer)}")
            print(f"  again:        {_demo(out / 'b', args.seed, [], peer)}")
            print(f"this checkout, fresh folder again: {_demo(out / 'c', args.seed, [])}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
