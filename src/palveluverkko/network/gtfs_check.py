"""Checking GTFS feeds before they are routed: what ``palveluverkko validate`` opens.

:func:`feed_problems` reads one feed with :func:`~.gtfs.read_feed` (the reader the router uses)
and then checks every row the router may meet, not only the trips of one date: every time is
``HH:MM:SS``, every ``stop_sequence`` a whole number, every stop has WGS84 coordinates, every
``stop_times`` row names a known trip and stop, every frequency a positive headway.
:func:`feeds_problems` adds the check that decides whether transit routing can run at all: the
timetable of the date the router picks by default (:func:`~.transit.default_date`) is built.
Each problem names the feed and the file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .gtfs import Feed, build_timetable, parse_time_s, read_feed

__all__ = ["feed_problems", "feeds_problems"]


def _problem(feed: str, file: str, message: str, fix: str) -> Problem:
    return Problem("error", f"GTFS {feed}", file, "", message, fix)


def _first_bad(mask: np.ndarray, values: pd.Series) -> str:
    row = int(np.flatnonzero(mask)[0])
    return f"line {row + 2}: {values.iloc[row]!r} ({int(mask.sum())} bad value(s))"


def _row_problems(feed: Feed) -> list[Problem]:
    out: list[Problem] = []
    name = feed.name
    st = feed.stop_times
    arr = st["arrival_time"].astype(str).str.strip()
    dep = st["departure_time"].astype(str).str.strip()
    no_time = ((arr == "") & (dep == "")).to_numpy()
    if no_time.any():
        out.append(
            _problem(
                name,
                "stop_times.txt",
                f"{int(no_time.sum())} stop time(s) have neither arrival nor departure time "
                f"(first at line {int(np.flatnonzero(no_time)[0]) + 2}); interpolated times are "
                "not supported",
                "give every stop_time an arrival or departure time",
            )
        )
    for column, text in (("arrival_time", arr), ("departure_time", dep)):
        given = text.loc[text != ""]
        if len(given):
            try:
                parse_time_s(given, feed=name)
            except InputError as exc:
                out.append(_problem(name, "stop_times.txt", f"{column}: {exc}", ""))
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce").to_numpy(dtype=np.float64)
    bad_seq = ~np.isfinite(seq) | (seq < 0) | (seq != np.round(seq))
    if bad_seq.any():
        out.append(
            _problem(
                name,
                "stop_times.txt",
                "stop_sequence is not a whole number >= 0 at "
                + _first_bad(bad_seq, st["stop_sequence"]),
                "number the stops of each trip 0, 1, 2, ...",
            )
        )
    unknown_trip = ~st["trip_id"].isin(set(feed.trips["trip_id"])).to_numpy(dtype=bool)
    if unknown_trip.any():
        out.append(
            _problem(
                name,
                "stop_times.txt",
                f"trip_id not in trips.txt at {_first_bad(unknown_trip, st['trip_id'])}",
                "add the trips to trips.txt or remove their stop times",
            )
        )
    unknown_stop = ~st["stop_id"].isin(set(feed.stops["stop_id"])).to_numpy(dtype=bool)
    if unknown_stop.any():
        out.append(
            _problem(
                name,
                "stop_times.txt",
                f"stop_id not in stops.txt at {_first_bad(unknown_stop, st['stop_id'])}",
                "add the stops to stops.txt or remove their stop times",
            )
        )
    lat = pd.to_numeric(feed.stops["stop_lat"], errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(feed.stops["stop_lon"], errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad_xy = ~(np.abs(lat) <= 90) | ~(np.abs(lon) <= 180)
    if bad_xy.any():
        out.append(
            _problem(
                name,
                "stops.txt",
                "stop_lat/stop_lon are not WGS84 degrees at "
                + _first_bad(bad_xy, feed.stops["stop_id"]),
                "give every stop its latitude and longitude in degrees",
            )
        )
    if not len(st):
        out.append(_problem(name, "stop_times.txt", "stop_times.txt has no rows", "add stop times"))
    freq = feed.frequencies
    if freq is not None and len(freq):
        try:
            parse_time_s(freq["start_time"], feed=name, table="frequencies")
            parse_time_s(freq["end_time"], feed=name, table="frequencies")
        except InputError as exc:
            out.append(_problem(name, "frequencies.txt", str(exc), ""))
        heads = pd.to_numeric(freq["headway_secs"], errors="coerce").to_numpy(dtype=np.float64)
        bad_head = ~(heads > 0) | ~np.isfinite(heads)
        if bad_head.any():
            out.append(
                _problem(
                    name,
                    "frequencies.txt",
                    f"headway_secs is not a positive number at "
                    f"{_first_bad(bad_head, freq['headway_secs'])}",
                    "give every row a headway in seconds",
                )
            )
    return out


def feed_problems(data: bytes, name: str) -> tuple[Feed | None, list[Problem]]:
    """The feed read from the zip bytes ``data`` (None when it cannot be) and its problems."""
    try:
        feed = read_feed(data, name)
    except InputError as exc:
        return None, [_problem(name, "", str(exc), "")]
    return feed, _row_problems(feed)


def feeds_problems(feeds: Sequence[tuple[str, bytes]]) -> list[Problem]:
    """Problems of every feed ``(name, zip bytes)`` and, when each reads cleanly, of the
    timetable that transit routing builds for its default date."""
    out: list[Problem] = []
    read: list[Feed] = []
    for name, data in feeds:
        feed, problems = feed_problems(data, name)
        out += problems
        if feed is not None:
            read.append(feed)
    if out or not read:
        return out
    from .transit import default_date  # the router's own choice of date

    try:
        day = default_date(read)
        timetable = build_timetable(read, day)
    except InputError as exc:
        return [Problem("error", "GTFS", "", "", str(exc), "")]
    if timetable.n_trips == 0:
        out.append(
            Problem(
                "error",
                "GTFS",
                "",
                "",
                f"no trip of two or more stops runs on {day.isoformat()}, the date transit "
                "routing uses",
                "check calendar.txt and the trips' stop times",
            )
        )
    return out
