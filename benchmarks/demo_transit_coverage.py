"""Public-transport coverage of the demo county's GTFS feed (issue 4, demo realism).

Run: ``nice -n 5 .venv/bin/python benchmarks/demo_transit_coverage.py [--seed 0]
[--cache-dir DIR]``

Prints, for ``demo_region(seed)``: the resident-weighted share of residents within 20 and 30 min
of the nearest site offering ``vastaanotto`` by transit (and by walking, for comparison), by
settlement class (city, town, village, rural) and for the whole county; the share of city
residents whose nearest stop is within 500 m (straight line from the cell point); the number of
routes, stops and trips in the feed; and the seconds of building the feed and the matrices.
No asserts: figures only.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from palveluverkko.demo import demo_region
from palveluverkko.network import travel_times
from palveluverkko.region.schema import DEFAULT_CRS, POPULATION_COLUMNS

SERVICE = "vastaanotto"


def main() -> None:
    """Print the coverage figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="pv_cov_"))

    t0 = time.perf_counter()
    region = demo_region(args.seed)
    t_region = time.perf_counter() - t0
    pop = region.population
    residents = pop[list(POPULATION_COLUMNS)].sum(axis=1).to_numpy(dtype=float)
    settlement = pop["settlement"].astype(str).to_numpy()
    site_ids = set(region.site_services.loc[region.site_services["service"] == SERVICE, "site_id"])

    feed = region.gtfs[0]
    with zipfile.ZipFile(io.BytesIO(feed.data)) as zf:
        stops = pd.read_csv(zf.open("stops.txt"))
        routes = pd.read_csv(zf.open("routes.txt"))
        trips = pd.read_csv(zf.open("trips.txt"))
    to_m = Transformer.from_crs("EPSG:4326", DEFAULT_CRS, always_xy=True)
    sx, sy = to_m.transform(stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy())
    pts = pop.geometry.representative_point()
    cell_xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    stop_m, _ = cKDTree(np.column_stack([sx, sy])).query(cell_xy)

    print(f"seed {args.seed}: region built in {t_region:.1f} s; cache {cache}")
    print(f"feed: {len(routes)} routes, {len(stops)} stops, {len(trips)} trips")
    ids = routes["route_id"].astype(str)
    for label, mask in (
        ("city (1-99)", ids.str.len() <= 2),
        ("intercity (1xx)", (ids.str.len() == 3) & ids.str.startswith("1")),
        ("regional (2xx)", (ids.str.len() == 3) & ids.str.startswith("2")),
        ("town (3xx)", (ids.str.len() == 3) & ids.str.startswith("3")),
    ):
        print(f"  {label}: {int(mask.sum())} routes")

    shares: dict[str, dict[str, np.ndarray]] = {}
    for mode in ("transit", "walk"):
        t1 = time.perf_counter()
        tt = travel_times(region, mode, cache_dir=cache)
        cols = [j for j, s in enumerate(tt.site_ids) if s in site_ids]
        nearest = np.min(tt.minutes[:, cols], axis=1)
        shares[mode] = {"nearest": nearest}
        print(f"{mode}: matrix in {time.perf_counter() - t1:.1f} s ({len(cols)} {SERVICE} sites)")

    groups = {s: settlement == s for s in ("city", "town", "village", "rural")}
    groups["county"] = np.ones(len(pop), dtype=bool)
    print()
    print(f"share of residents within X min of the nearest {SERVICE} site")
    print(
        f"{'group':8s} {'residents':>10s} {'bus<=20':>8s} {'bus<=30':>8s} "
        f"{'walk<=30':>8s} {'bus<walk':>8s}"
    )
    for name, mask in groups.items():
        w = residents[mask]
        tr = shares["transit"]["nearest"][mask]
        wk = shares["walk"]["nearest"][mask]
        total = w.sum()
        print(
            f"{name:8s} {int(total):10d} {w[tr <= 20].sum() / total:8.1%} "
            f"{w[tr <= 30].sum() / total:8.1%} {w[wk <= 30].sum() / total:8.1%} "
            f"{w[tr < wk - 0.5].sum() / total:8.1%}"
        )
    city = groups["city"]
    within = residents[city & (stop_m <= 500)].sum() / residents[city].sum()
    print()
    print(f"city residents with a stop within 500 m (straight line): {within:.1%}")
    print(
        f"city residents, median distance to the nearest stop: "
        f"{np.median(np.repeat(stop_m[city], residents[city].astype(int))):.0f} m"
    )


if __name__ == "__main__":
    main()
