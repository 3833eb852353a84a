"""A GTFS feed for the demo county, written as zip bytes in memory.

Lines follow the fastest road path (Dijkstra over the demo road graph), and every stop is a road
vertex (coordinates converted to WGS84 with 6 decimals, i.e. within 0.1 m of the vertex):

- city lines 1-12 (``N_CITY_LINES``): across the city through the centre to about 5.5 km out,
  i.e. 24 radial arms spread round the centre, stops at least ``CITY_STOP_SPACING_M`` apart,
  every 20 minutes 06:00-22:00 and every 10 minutes in the morning peak 07:00-09:00, in both
  directions; bus time = car time x 1.6 (stops, traffic);
- town lines 311+ (3xy: town x, line y): ``N_TOWN_LINES`` through-lines across each town's centre
  to ``TOWN_RADIUS_M``, every 30 minutes 06:00-21:00 both ways, stops and speed as city lines;
- intercity lines 100+: city centre to each town, hourly 06:00-21:00 both ways;
- regional lines 200+: nearest city or town to each rural centre, four times a day both ways;
  stops at least ``REGIONAL_STOP_SPACING_M`` apart; bus time = car time x 1.15.

One weekday calendar (``ARKI``, Monday-Friday) valid 2024-01-01..2030-12-31, which covers the base
year. The zip is deterministic: same road network -> identical bytes.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_array
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ..region.schema import DEFAULT_CRS
from .geography import Geography
from .roads import RoadResult

CITY_STOP_SPACING_M = 400.0
REGIONAL_STOP_SPACING_M = 2_500.0
CITY_FACTOR = 1.6
REGIONAL_FACTOR = 1.15
DWELL_S = 20.0
N_CITY_LINES = 12
CITY_HEADWAY_MIN = 20
PEAK_HEADWAY_MIN = 10
N_TOWN_LINES = 2
TOWN_RADIUS_M = 2_500.0
TOWN_HEADWAY_MIN = 30
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def _hms(seconds: np.ndarray) -> list[str]:
    s = np.round(seconds).astype(np.int64)
    return [f"{v // 3600:02d}:{v // 60 % 60:02d}:{v % 60:02d}" for v in s]


def _path(pred: np.ndarray, target: int) -> list[int]:
    out = [target]
    while pred[out[-1]] >= 0:
        out.append(int(pred[out[-1]]))
    return out[::-1]


def _stops_along(
    path: list[int], xy: np.ndarray, spacing_m: float, keep: set[int], allowed: np.ndarray
) -> list[int]:
    """Positions in ``path`` of stops: first, last, ``keep`` vertices and every ``spacing_m``.

    Intermediate stops only at ``allowed`` vertices (not on motorway-only vertices).
    """
    pts = xy[path]
    step = np.hypot(*np.diff(pts, axis=0).T)
    out = [0]
    since = 0.0
    for k in range(1, len(path)):
        since += step[k - 1]
        due = (since >= spacing_m and allowed[path[k]]) or path[k] in keep
        if due or k == len(path) - 1:
            out.append(k)
            since = 0.0
    return out


def build_gtfs(geo: Geography, roads: RoadResult) -> bytes:
    """The demo county's GTFS feed as the bytes of a zip file."""
    xy = roads.vertex_xy
    n = len(xy)
    graph = coo_array((roads.edge_minutes, (roads.edge_u, roads.edge_v)), shape=(n, n)).tocsr()
    main = np.flatnonzero(roads.mainland & roads.snappable)
    tree = cKDTree(xy[main])
    centre_v = main[tree.query(geo.centres)[1]]
    kinds = np.array(geo.kinds)
    hubs = np.concatenate([[0], np.flatnonzero(kinds == "town")])
    sources = np.unique(centre_v[hubs])
    dist, pred = dijkstra(graph, directed=False, indices=sources, return_predecessors=True)
    row_of = {int(s): k for k, s in enumerate(sources)}
    cum_minutes = {int(s): dist[k] for k, s in enumerate(sources)}

    def path_between(a: int, b: int) -> list[int]:
        return _path(pred[row_of[a]], b)

    lines: list[dict[str, object]] = []
    city = int(centre_v[0])
    # city lines
    offset = 0.3
    city_departures_s = (
        np.unique(
            np.concatenate(
                [
                    np.arange(6 * 60, 22 * 60, CITY_HEADWAY_MIN),
                    np.arange(7 * 60, 9 * 60, PEAK_HEADWAY_MIN),
                ]
            )
        )
        * 60.0
    )
    for k in range(N_CITY_LINES):
        a1 = offset + k * np.pi / N_CITY_LINES
        a2 = a1 + np.pi + (0.2 if k % 2 else -0.2)
        ends = []
        for ang in (a1, a2):
            p = geo.centres[0] + 5_500.0 * np.array([np.cos(ang), np.sin(ang)])
            ends.append(int(main[tree.query(p)[1]]))
        path = path_between(city, ends[0])[::-1] + path_between(city, ends[1])[1:]
        lines.append(
            {
                "route": f"{k + 1}",
                "name": f"{geo.names[0]} linja {k + 1}",
                "path": path,
                "spacing": CITY_STOP_SPACING_M,
                "factor": CITY_FACTOR,
                "departures": city_departures_s,
                "kind": "city",
            }
        )
    # town lines: two through-lines (four radial arms) in each town, every 30 minutes
    for k, m in enumerate(np.flatnonzero(kinds == "town")):
        town = int(centre_v[m])
        for j in range(N_TOWN_LINES):
            a1 = offset + j * np.pi / N_TOWN_LINES
            ends = []
            for ang in (a1, a1 + np.pi):
                p = geo.centres[m] + TOWN_RADIUS_M * np.array([np.cos(ang), np.sin(ang)])
                ends.append(int(main[tree.query(p)[1]]))
            path = path_between(town, ends[0])[::-1] + path_between(town, ends[1])[1:]
            lines.append(
                {
                    "route": f"{300 + 10 * (k + 1) + j + 1}",
                    "name": f"{geo.names[m]} linja {j + 1}",
                    "path": path,
                    "spacing": CITY_STOP_SPACING_M,
                    "factor": CITY_FACTOR,
                    "departures": np.arange(6 * 60, 21 * 60 + 1, TOWN_HEADWAY_MIN) * 60.0,
                    "kind": "town",
                }
            )
    # intercity lines
    for k, m in enumerate(np.flatnonzero(kinds == "town")):
        path = path_between(city, int(centre_v[m]))
        lines.append(
            {
                "route": f"{100 + k + 1}",
                "name": f"{geo.names[0]} - {geo.names[m]}",
                "path": path,
                "spacing": REGIONAL_STOP_SPACING_M,
                "factor": REGIONAL_FACTOR,
                "departures": np.arange(6 * 60, 21 * 60 + 1, 60) * 60.0,
                "kind": "intercity",
            }
        )
    # regional lines to rural centres from the nearest hub
    for k, m in enumerate(np.flatnonzero(kinds == "rural")):
        d_hub = np.array([cum_minutes[int(centre_v[h])][centre_v[m]] for h in hubs])
        hub = int(hubs[int(np.argmin(d_hub))])
        path = path_between(int(centre_v[hub]), int(centre_v[m]))
        lines.append(
            {
                "route": f"{200 + k + 1}",
                "name": f"{geo.names[hub]} - {geo.names[m]}",
                "path": path,
                "spacing": REGIONAL_STOP_SPACING_M,
                "factor": REGIONAL_FACTOR,
                "departures": np.array([6 * 60 + 30, 10 * 60, 14 * 60, 17 * 60]) * 60.0,
                "kind": "regional",
            }
        )

    centres = {int(v) for v in centre_v}
    edge_min: dict[tuple[int, int], float] = {}
    for u, v, w in zip(roads.edge_u, roads.edge_v, roads.edge_minutes, strict=True):
        edge_min[(int(u), int(v))] = float(w)
        edge_min[(int(v), int(u))] = float(w)

    to_wgs = Transformer.from_crs(DEFAULT_CRS, "EPSG:4326", always_xy=True)
    stop_vertices: set[int] = set()
    routes: list[dict[str, object]] = []
    trips: list[dict[str, object]] = []
    stop_times: list[dict[str, object]] = []
    shapes: list[dict[str, object]] = []
    for line in lines:
        path = list(line["path"])  # type: ignore[call-overload]
        spacing = float(line["spacing"])  # type: ignore[arg-type]
        pos = _stops_along(path, xy, spacing, centres, roads.snappable)
        seg_min = np.array([edge_min[(path[i], path[i + 1])] for i in range(len(path) - 1)])
        cum = np.concatenate([[0.0], np.cumsum(seg_min)]) * float(line["factor"])  # type: ignore[arg-type]
        stops = [path[p] for p in pos]
        step_m = np.hypot(*np.diff(xy[path], axis=0).T)
        along_m = np.round(np.concatenate([[0.0], np.cumsum(step_m)]), 1)
        shape_lon, shape_lat = to_wgs.transform(xy[path, 0], xy[path, 1])
        offsets_s = cum[pos] * 60.0 + DWELL_S * np.arange(len(pos))
        stop_vertices.update(stops)
        rid = str(line["route"])
        routes.append(
            {
                "route_id": rid,
                "agency_id": "DEMO",
                "route_short_name": rid,
                "route_long_name": str(line["name"]),
                "route_type": 3,
            }
        )
        for direction in (0, 1):
            seq = stops if direction == 0 else stops[::-1]
            offs = offsets_s if direction == 0 else offsets_s[-1] - offsets_s[::-1]
            shape_id = f"{rid}_{direction}"
            order = slice(None) if direction == 0 else slice(None, None, -1)
            shape_dist = along_m if direction == 0 else along_m[-1] - along_m[::-1]
            stop_dist = along_m[pos] if direction == 0 else along_m[-1] - along_m[pos][::-1]
            shapes.extend(
                {
                    "shape_id": shape_id,
                    "shape_pt_lat": round(float(la), 6),
                    "shape_pt_lon": round(float(lo), 6),
                    "shape_pt_sequence": i + 1,
                    "shape_dist_traveled": round(float(d), 1),
                }
                for i, (la, lo, d) in enumerate(
                    zip(shape_lat[order], shape_lon[order], shape_dist, strict=True)
                )
            )
            for t0 in line["departures"]:  # type: ignore[attr-defined]
                tid = f"{rid}_{direction}_{int(t0) // 60:04d}"
                trips.append(
                    {
                        "route_id": rid,
                        "service_id": "ARKI",
                        "trip_id": tid,
                        "direction_id": direction,
                        "shape_id": shape_id,
                    }
                )
                times = _hms(t0 + offs)
                stop_times.extend(
                    {
                        "trip_id": tid,
                        "arrival_time": tt,
                        "departure_time": tt,
                        "stop_id": f"v{v}",
                        "stop_sequence": i + 1,
                        "shape_dist_traveled": round(float(sd), 1),
                    }
                    for i, (v, tt, sd) in enumerate(zip(seq, times, stop_dist, strict=True))
                )

    sv = np.array(sorted(stop_vertices))
    lon, lat = to_wgs.transform(xy[sv, 0], xy[sv, 1])
    muni = np.full(len(sv), -1)
    for mi, poly in enumerate(geo.polygons):
        inside = (muni < 0) & shapely.contains_xy(poly, xy[sv, 0], xy[sv, 1])
        muni[inside] = mi
    counter: dict[int, int] = {}
    names = []
    for v, m in zip(sv.tolist(), muni.tolist(), strict=True):
        if int(v) in centres:
            names.append(f"{geo.names[m]} keskusta" if m >= 0 else f"Pysäkki {v}")
            continue
        counter[m] = counter.get(m, 0) + 1
        names.append(f"{geo.names[m] if m >= 0 else 'Pysäkki'} {counter[m]}")
    tables = {
        "agency.txt": pd.DataFrame(
            [
                {
                    "agency_id": "DEMO",
                    "agency_name": "Demoliikenne (synthetic)",
                    "agency_url": "https://example.org/palveluverkko-demo",
                    "agency_timezone": "Europe/Helsinki",
                    "agency_lang": "fi",
                }
            ]
        ),
        "stops.txt": pd.DataFrame(
            {
                "stop_id": [f"v{v}" for v in sv],
                "stop_name": names,
                "stop_lat": np.round(lat, 6),
                "stop_lon": np.round(lon, 6),
            }
        ),
        "routes.txt": pd.DataFrame(routes),
        "trips.txt": pd.DataFrame(trips),
        "stop_times.txt": pd.DataFrame(stop_times),
        "shapes.txt": pd.DataFrame(shapes),
        "calendar.txt": pd.DataFrame(
            [
                {
                    "service_id": "ARKI",
                    "monday": 1,
                    "tuesday": 1,
                    "wednesday": 1,
                    "thursday": 1,
                    "friday": 1,
                    "saturday": 0,
                    "sunday": 0,
                    "start_date": "20240101",
                    "end_date": "20301231",
                }
            ]
        ),
        "feed_info.txt": pd.DataFrame(
            [
                {
                    "feed_publisher_name": "palveluverkko demo (synthetic data)",
                    "feed_publisher_url": "https://example.org/palveluverkko-demo",
                    "feed_lang": "fi",
                    "feed_start_date": "20240101",
                    "feed_end_date": "20301231",
                    "feed_version": "1",
                    "feed_contact_url": "https://example.org/palveluverkko-demo",
                }
            ]
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, frame in tables.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, frame.to_csv(index=False, lineterminator="\n"))
    return buffer.getvalue()
