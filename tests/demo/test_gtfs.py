"""The demo county's GTFS feed: a real validator, gtfs-kit, stops on roads, weekday service."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import gtfs_kit as gk
import numpy as np
import pandas as pd
import shapely
from gtfs_validator.cli import main as gtfs_validator_main
from pyproj import Transformer
from scipy.spatial import cKDTree

from palveluverkko.region import Region


def _tables(region: Region) -> dict[str, pd.DataFrame]:
    with zipfile.ZipFile(io.BytesIO(region.gtfs[0].data)) as zf:
        return {n[:-4]: pd.read_csv(zf.open(n), dtype=str) for n in zf.namelist()}


def test_canonical_validator_finds_no_errors_or_warnings(demo: Region, tmp_path: Path) -> None:
    """gtfs-validator (MobilityData's rule set in Python) reports no ERROR and no WARNING."""
    feed = tmp_path / "demo.zip"
    feed.write_bytes(demo.gtfs[0].data)
    out = tmp_path / "report"
    code = gtfs_validator_main(["-i", str(feed), "-o", str(out), "-d", "2024-06-03"])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    severe = [
        (n["code"], n["totalNotices"])
        for n in report["notices"]
        if n["severity"] in ("ERROR", "WARNING")
    ]
    assert severe == []
    assert json.loads((out / "system_errors.json").read_text())["notices"] == []


def test_gtfs_kit_assesses_a_good_feed(demo: Region, tmp_path: Path) -> None:
    """gtfs-kit reads the feed and its quality assessment says 'good feed'."""
    path = tmp_path / "demo.zip"
    path.write_bytes(demo.gtfs[0].data)
    feed = gk.read_feed(path, dist_units="m")
    quality = gk.assess_quality(feed).set_index("indicator")["value"]
    assert quality["assessment"] == "good feed"


def test_stops_lie_on_road_vertices(demo: Region) -> None:
    """Every stop, back in EPSG:3067, is within 0.5 m of a road vertex."""
    stops = _tables(demo)["stops"]
    to_tm = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
    x, y = to_tm.transform(stops.stop_lon.astype(float), stops.stop_lat.astype(float))
    assert demo.roads is not None
    vertices = shapely.get_coordinates(demo.roads.geometry.to_numpy())
    dist, _ = cKDTree(vertices).query(np.column_stack([x, y]))
    assert dist.max() < 0.5


def test_weekday_service_city_and_intercity(demo: Region) -> None:
    """Weekdays of 2024 are served; city lines run every 20 min, intercity lines hourly."""
    t = _tables(demo)
    cal = t["calendar"].iloc[0]
    assert cal.start_date <= "20240603" <= cal.end_date
    assert cal[["monday", "tuesday", "wednesday", "thursday", "friday"]].eq("1").all()
    assert cal[["saturday", "sunday"]].eq("0").all()
    trips = t["trips"].merge(t["routes"], on="route_id")
    per_route = trips.groupby("route_short_name").size()
    assert per_route["1"] == 2 * 48  # 06:00..21:40 every 20 min, both directions
    assert per_route["101"] == 2 * 16  # hourly 06..21
    assert (per_route.index.str.startswith("2")).sum() >= 10  # regional lines
    st = t["stop_times"]
    secs = st.departure_time.str.split(":", expand=True).astype(int) @ [3600, 60, 1]
    st = st.assign(s=secs.to_numpy(), seq=st.stop_sequence.astype(int))
    st = st.sort_values(["trip_id", "seq"])
    assert (st.groupby("trip_id").s.diff().dropna() > 0).all()
