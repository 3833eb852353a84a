"""Start-up of the command line: ``palveluverkko --help`` and ``palveluverkko validate``, wall time
and peak memory (max RSS), for this checkout and for a reference commit measured in the same run.

The reference (default ``c1a7248``, main before the lazy imports of the study-API change) is
checked out into a temporary git worktree and run from its own ``src`` with this environment's
Python, so both sides use the same interpreter and libraries. Each command runs ``--repeat``
times; the median wall time and the largest max RSS are printed, with the ratio.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--reference COMMIT] [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN_CLI = "import sys; from palveluverkko.cli import app; sys.argv[0] = 'palveluverkko'; app()"


def measure(src: Path, args: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and largest max RSS (MiB) of ``palveluverkko ARGS`` from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    walls, rss = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss / 1024)  # KiB on Linux
        if os.waitstatus_to_exitcode(status) not in (0, 2):
            raise SystemExit(f"{args} failed from {src}")
    return statistics.median(walls), max(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default="c1a7248")
    parser.add_argument("--repeat", type=int, default=7)
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "ref"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(ref), opts.reference],
            check=True,
            capture_output=True,
        )
        try:
            # written by a child, so that this process stays small: a forked child's max RSS
            # counts the parent's pages until it executes Python
            package = Path(tmp) / "tiny"
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; from palveluverkko.region.examples import tiny_region; "
                    "from palveluverkko.region.io import write_region; "
                    "write_region(tiny_region(), sys.argv[1])",
                    str(package),
                ],
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                check=True,
            )
            cases = {"--help": ["--help"], "validate": ["validate", str(package)]}
            print(f"CLI start-up, median of {opts.repeat} runs (max RSS over runs)")
            print(f"{'command':<12}{'side':<22}{'wall s':>9}{'RSS MiB':>10}")
            for name, args in cases.items():
                before = measure(ref / "src", args, opts.repeat)
                after = measure(ROOT / "src", args, opts.repeat)
                for side, (wall, mem) in (
                    (f"before ({opts.reference})", before),
                    ("after (this checkout)", after),
                ):
                    print(f"{name:<12}{side:<22}{wall:>9.3f}{mem:>10.1f}")
                print(
                    f"{name:<12}{'ratio before/after':<22}{before[0] / after[0]:>9.2f}"
                    f"{before[1] / after[1]:>10.2f}"
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(ref)],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
