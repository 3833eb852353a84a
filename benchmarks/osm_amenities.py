"""Health amenities from an OSM extract: pyosmium (ours) against pyrosm ``get_pois``.

Run: ``.venv/bin/python benchmarks/osm_amenities.py [path.osm.pbf]`` (default: Tampere from
../shared/data). Each reader runs first in a fresh process (cold: imports, any JIT) and then
3 more times in that process (warm, best of 3). Prints features found, times and ratios.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

AMENITIES = ["doctors", "dentist", "clinic", "hospital"]


def _run(which: str, path: str) -> None:
    """Child process: time one reader cold and warm, print JSON."""
    times = []
    n = 0
    for _ in range(4):
        t = time.perf_counter()
        if which == "pyosmium":
            from palveluverkko.sources.osm_amenities import read_osm_health_sites

            _, found, _ = read_osm_health_sites(path)
            n = len(found)
        else:
            import pyrosm

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                n = len(pyrosm.OSM(path).get_pois(custom_filter={"amenity": AMENITIES}))
        times.append(time.perf_counter() - t)
    print(json.dumps({"n": n, "cold": times[0], "warm": min(times[1:])}))


def main() -> None:
    """Measure both readers on one file."""
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _run(sys.argv[2], sys.argv[3])
        return
    here = Path(__file__).resolve()
    default = here.parents[2] / "shared" / "data" / "tampere" / "tampere.osm.pbf"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    res = {}
    for which in ("pyosmium", "pyrosm"):
        out = subprocess.run(
            [sys.executable, str(here), "--child", which, str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        res[which] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    for which, r in res.items():
        print(f"{which:9s} {r['n']:4d} features  cold {r['cold']:.3f} s  warm {r['warm']:.3f} s")
    a, b = res["pyrosm"], res["pyosmium"]
    print(f"pyrosm / pyosmium: cold {a['cold'] / b['cold']:.2f}, warm {a['warm'] / b['warm']:.2f}")


if __name__ == "__main__":
    main()
