"""GTFS timetables and reverse range-RAPTOR, checked against a brute-force connection scan."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile

import numpy as np
import pytest

from palveluverkko.errors import CalendarError, InputError
from palveluverkko.network.gtfs import build_timetable, read_feed
from palveluverkko.network.raptor import NEG, origin_travel_times, reverse_profile

TUESDAY = dt.date(2024, 3, 5)


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _hms(s: int) -> str:
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def random_feed(seed: int, n_stops: int = 12, n_lines: int = 5) -> tuple[bytes, np.ndarray]:
    """A random weekday feed: lines over random stop sequences, trips every few minutes."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 3000, size=(n_stops, 2))  # metres, for footpaths
    stops = "stop_id,stop_lat,stop_lon\n" + "".join(
        f"S{i},{61 + xy[i, 1] / 111_000:.6f},{23 + xy[i, 0] / 55_000:.6f}\n" for i in range(n_stops)
    )
    trips = ["route_id,service_id,trip_id"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for line in range(n_lines):
        seq = rng.choice(n_stops, size=int(rng.integers(3, 7)), replace=False)
        hops = rng.integers(60, 600, size=len(seq) - 1)
        dwell = rng.integers(0, 60, size=len(seq))
        first = int(rng.integers(6 * 3600, 7 * 3600))
        headway = int(rng.integers(300, 1500))
        for t in range(int(rng.integers(3, 10))):
            tid = f"L{line}T{t}"
            trips.append(f"R{line},WD,{tid}")
            clock = first + t * headway + int(rng.integers(0, 120))  # jitter: overtaking possible
            for i, stop in enumerate(seq):
                arr = clock
                dep = clock + int(dwell[i])
                times.append(f"{tid},{_hms(arr)},{_hms(dep)},S{stop},{i + 1}")
                if i < len(seq) - 1:
                    clock = dep + int(hops[i])
    calendar = (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WD,1,1,1,1,1,0,0,20240101,20241231\n"
    )
    data = _zip(
        {
            "stops.txt": stops,
            "trips.txt": "\n".join(trips) + "\n",
            "stop_times.txt": "\n".join(times) + "\n",
            "calendar.txt": calendar,
        }
    )
    return data, xy


def footpaths(xy: np.ndarray, speed_mps: float = 1.2) -> np.ndarray:
    """All-pairs walking seconds (Euclidean, so the paths are transitively closed)."""
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return np.ceil(d / speed_mps).astype(np.int64)


def csa_earliest(tt, foot: np.ndarray, origin: int, dep_s: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Brute force: connection scan over every vehicle hop, unlimited transfers, footpaths."""
    n = tt.n_stops
    ea = np.full(n, math.inf)
    ea[origin] = dep_s
    ea = np.minimum(ea, dep_s + foot[origin])
    conns = []
    for p in range(tt.n_patterns):
        stops = tt.pattern_stops[tt.pattern_stops_ptr[p] : tt.pattern_stops_ptr[p + 1]]
        n_p = len(stops)
        for t in range(tt.pattern_trips_ptr[p + 1] - tt.pattern_trips_ptr[p]):
            base = tt.times_ptr[p] + t * n_p
            for i in range(n_p - 1):
                conns.append(
                    (
                        tt.departure_s[base + i],
                        tt.arrival_s[base + i + 1],
                        stops[i],
                        stops[i + 1],
                        (p, t),
                    )
                )
    conns.sort(key=lambda c: (c[0], c[1]))
    on_trip: set[tuple[int, int]] = set()
    for dep, arr, a, b, trip in conns:
        if trip in on_trip or ea[a] <= dep:
            on_trip.add(trip)
            if arr < ea[b]:
                ea[b] = arr
                ea = np.minimum(ea, arr + foot[b])
    return ea


@pytest.mark.parametrize("seed", range(12))
def test_reverse_range_raptor_equals_connection_scan(seed: int) -> None:
    """For every origin, target and departure minute, RAPTOR's arrival = brute force's."""
    data, xy = random_feed(seed)
    tt = build_timetable([read_feed(data, "f")], TUESDAY)
    foot = footpaths(xy)
    n = tt.n_stops
    foot_ptr = np.arange(0, n * (n - 1) + 1, n - 1, dtype=np.int64)
    foot_stop = np.array([s2 for s in range(n) for s2 in range(n) if s2 != s], dtype=np.int64)
    foot_s = np.array([foot[s2, s] for s in range(n) for s2 in range(n) if s2 != s], np.int64)
    deadlines = np.arange(6 * 3600, 11 * 3600, 60, dtype=np.int64)
    departures = np.arange(6 * 3600, 8 * 3600, 60 * 7, dtype=np.int64)
    for target in range(n):
        egress_stop = np.arange(n, dtype=np.int64)
        egress_s = foot[:, target].copy()
        profile = reverse_profile(
            *tt.kernel_arrays(),
            foot_ptr,
            foot_stop,
            foot_s,
            egress_stop,
            egress_s,
            deadlines,
            30,
        )
        assert (np.diff(profile, axis=0) >= 0).all()  # later deadline, later latest departure
        for origin in range(0, n, 3):
            got = origin_travel_times(
                profile,
                deadlines,
                np.array([[origin]]),
                np.zeros((1, 1), np.int64),
                np.array([np.inf]),
                departures,
            )[0]
            for j, d in enumerate(departures):
                ea = csa_earliest(tt, foot, origin, int(d))[target]
                # RAPTOR resolves arrivals to the deadline minute grid (rounded up)
                expected = (
                    math.inf
                    if ea > deadlines[-1]
                    else float(deadlines[np.searchsorted(deadlines, ea)] - d)
                )
                assert got[j] == expected, (seed, target, origin, int(d))


def test_profile_has_no_departure_where_nothing_arrives() -> None:
    """Before the first vehicle could bring anyone, the latest departure is NEG (impossible)."""
    data, _xy = random_feed(3)
    tt = build_timetable([read_feed(data, "f")], TUESDAY)
    n = tt.n_stops
    empty = np.zeros(n + 1, np.int64)
    profile = reverse_profile(
        *tt.kernel_arrays(),
        empty,
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.array([0]),
        np.array([0]),
        np.array([3600, 12 * 3600]),
        5,
    )
    assert (profile[0, 1:] == NEG).all()  # at 01:00 no trip runs: only the target itself
    assert profile[0, 0] == 3600


def test_date_outside_every_calendar_names_the_valid_range() -> None:
    """A date no feed covers raises CalendarError with each feed's range."""
    data, _ = random_feed(0)
    with pytest.raises(CalendarError, match=r"2024-01-01\.\.2024-12-31"):
        build_timetable([read_feed(data, "f")], dt.date(2025, 6, 3))


def test_calendar_dates_remove_and_add_service() -> None:
    """exception_type 2 removes the weekday service on a holiday; 1 adds it on a Saturday."""
    data, _ = random_feed(1)
    extra = "service_id,date,exception_type\nWD,20240305,2\nWD,20240309,1\n"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n).decode() for n in zf.namelist()}
    files["calendar_dates.txt"] = extra
    feed = read_feed(_zip(files), "f")
    with pytest.raises(CalendarError, match="no trip runs"):
        build_timetable([feed], TUESDAY)
    saturday = build_timetable([feed], dt.date(2024, 3, 9))
    assert saturday.n_trips == build_timetable([read_feed(data, "f")], TUESDAY).n_trips


def test_times_past_midnight_and_several_feeds() -> None:
    """25:10:00 is 90,600 s; two feeds combine with prefixed ids; an unused stop is counted."""
    feed_a = _zip(
        {
            "stops.txt": "stop_id,stop_lat,stop_lon\nA,61.0,23.0\nB,61.01,23.0\nZ,61.2,23.2\n",
            "trips.txt": "route_id,service_id,trip_id\nr,S,t\n",
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "t,25:00:00,25:00:00,A,1\nt,25:10:00,25:10:00,B,2\n",
            "calendar_dates.txt": "service_id,date,exception_type\nS,20240305,1\n",
        }
    )
    data_b, _ = random_feed(2)
    tt = build_timetable([read_feed(feed_a, "a"), read_feed(data_b, "b")], TUESDAY)
    assert "a:A" in set(tt.stop_ids)
    assert "b:S0" in set(tt.stop_ids)
    assert tt.arrival_s.max() == 25 * 3600 + 600
    assert tt.n_unused_stops >= 1  # a:Z has no trip


def test_overtaking_trips_are_split_into_fifo_patterns() -> None:
    """A trip that overtakes another on the same stops goes to its own pattern."""
    data = _zip(
        {
            "stops.txt": "stop_id,stop_lat,stop_lon\nA,61.0,23.0\nB,61.01,23.0\nC,61.02,23.0\n",
            "trips.txt": "route_id,service_id,trip_id\nr,S,slow\nr,S,fast\n",
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "slow,07:00:00,07:00:00,A,1\nslow,07:30:00,07:30:00,B,2\nslow,08:00:00,08:00:00,C,3\n"
            "fast,07:05:00,07:05:00,A,1\nfast,07:10:00,07:10:00,B,2\nfast,07:15:00,07:15:00,C,3\n",
            "calendar_dates.txt": "service_id,date,exception_type\nS,20240305,1\n",
        }
    )
    tt = build_timetable([read_feed(data, "f")], TUESDAY)
    assert tt.n_patterns == 2


def test_bad_time_names_the_row() -> None:
    """A malformed time raises an error naming the table and the row."""
    data = _zip(
        {
            "stops.txt": "stop_id,stop_lat,stop_lon\nA,61.0,23.0\nB,61.01,23.0\n",
            "trips.txt": "route_id,service_id,trip_id\nr,S,t\n",
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "t,07:00:00,07:00:00,A,1\nt,07:6x:00,07:61:00,B,2\n",
            "calendar_dates.txt": "service_id,date,exception_type\nS,20240305,1\n",
        }
    )
    with pytest.raises(InputError, match=r"stop_times.txt row 3"):
        build_timetable([read_feed(data, "f")], TUESDAY)


def test_frequencies_expand_into_one_run_per_headway() -> None:
    """A frequencies.txt trip every 10 min from 07:00 to 08:00 gives 6 runs, shifted in time."""
    data = _zip(
        {
            "stops.txt": "stop_id,stop_lat,stop_lon\nA,61.0,23.0\nB,61.01,23.0\n",
            "trips.txt": "route_id,service_id,trip_id\nr,S,t\n",
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "t,00:00:00,00:00:00,A,1\nt,00:05:00,00:05:00,B,2\n",
            "frequencies.txt": "trip_id,start_time,end_time,headway_secs\n"
            "t,07:00:00,08:00:00,600\n",
            "calendar_dates.txt": "service_id,date,exception_type\nS,20240305,1\n",
        }
    )
    tt = build_timetable([read_feed(data, "f")], TUESDAY)
    assert tt.n_trips == 6
    assert sorted(tt.departure_s[::2].tolist()) == [7 * 3600 + 600 * k for k in range(6)]
    assert sorted(tt.arrival_s[1::2].tolist()) == [7 * 3600 + 300 + 600 * k for k in range(6)]
