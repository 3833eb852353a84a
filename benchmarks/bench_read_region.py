"""CPU time of ``read_region`` and ``validate_package`` on the demo county (19,342 cells).

Prints the minimum process CPU time over 3 runs (CPU rather than wall time: the machine is
shared). Measure another checkout the same way with ``PYTHONPATH=<checkout>/src``, e.g. the code
before the stricter reading of issue 16 (``git archive c1a7248 src | tar -x -C /tmp/before``).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import palveluverkko
from palveluverkko.demo import demo_region
from palveluverkko.region import read_region, validate_package, write_region


def cpu_min(run: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    print(f"palveluverkko from {Path(palveluverkko.__file__).parent}")
    region = demo_region(0)
    with tempfile.TemporaryDirectory() as folder:
        path = write_region(region, Path(folder) / "demo")
        n = len(region.population)
        seconds = cpu_min(lambda: read_region(path))
        print(f"read_region, demo county ({n:,} cells): {seconds:.2f} s CPU")
        first = cpu_min(lambda: validate_package(path), repeat=1)
        again = cpu_min(lambda: validate_package(path))
        print(
            f"validate_package, same: first {first:.2f} s CPU (GTFS feed checked, on this branch), "
            f"then {again:.2f} s (feed check remembered by digest)"
        )


if __name__ == "__main__":
    main()
