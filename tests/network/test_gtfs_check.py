"""GTFS feeds checked the way the router reads them; a broken feed is an InputError naming it."""

from __future__ import annotations

import io
import zipfile

import pytest

from palveluverkko.errors import InputError
from palveluverkko.network.gtfs import read_feed
from palveluverkko.network.gtfs_check import feed_problems, feeds_problems

FILES = {
    "stops.txt": "stop_id,stop_lat,stop_lon\na,62.0,25.0\nb,62.01,25.01\nc,62.02,25.02\n",
    "trips.txt": "route_id,service_id,trip_id\nr,WK,t1\nr,WK,t2\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "t1,07:00:00,07:00:00,a,1\nt1,07:05:00,07:05:00,b,2\nt1,07:09:00,07:09:00,c,3\n"
    "t2,08:00:00,08:00:00,a,1\nt2,08:05:00,08:05:00,b,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
    "start_date,end_date\nWK,1,1,1,1,1,0,0,20250101,20251231\n",
}


def feed(**changes: str | None) -> bytes:
    """A tiny valid feed zip; ``changes`` replace (or, with None, drop) members."""
    files = {**FILES, **{k.replace("_txt", ".txt"): v for k, v in changes.items()}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            if text is not None:
                zf.writestr(name, text)
    return buf.getvalue()


def test_a_valid_feed_has_no_problem() -> None:
    """The tiny feed reads and its default date's timetable has trips."""
    assert feeds_problems([("tiny", feed())]) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"stop_id,stop_lat\n", "not a zip file"),
        (feed()[:60], "not a zip file"),
        (feed(stop_times_txt=None), "stop_times.txt is missing"),
        (feed(stops_txt=None), "stops.txt is missing"),
        (feed(calendar_txt=None), "neither calendar.txt nor calendar_dates.txt"),
        (feed(calendar_txt=FILES["calendar.txt"].replace("20250101", "yesterday")), "YYYYMMDD"),
        (feed(calendar_txt=FILES["calendar.txt"].replace("WK,1", "WK,yes")), "monday"),
        (feed(stops_txt='stop_id,stop_lat,stop_lon\n"a,62,25\n'), "stops.txt"),
    ],
)
def test_broken_feeds_are_input_errors(data: bytes, expected: str) -> None:
    """read_feed raises InputError naming the feed and what is wrong; the check reports it."""
    with pytest.raises(InputError, match=r"GTFS tiny"):
        read_feed(data, "tiny")
    feed_read, problems = feed_problems(data, "tiny")
    assert feed_read is None
    assert len(problems) == 1
    assert expected in problems[0].message, problems[0].message


def test_latin1_member_is_named() -> None:
    """A member that is not UTF-8 is named with the byte offset."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        for name, text in FILES.items():
            zf.writestr(
                name,
                text.encode("latin-1")
                + ("x,\u00c4,1,1\n".encode("latin-1") if name == "stops.txt" else b""),
            )
    with pytest.raises(InputError, match=r"stops\.txt is not UTF-8 text"):
        read_feed(data.getvalue(), "tiny")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("07:05:00,07:05:00", "07:99:00,07:05:00", "arrival_time"),
        ("08:05:00,08:05:00", "08:05:00,soon", "departure_time"),
        ("07:09:00,07:09:00", "-1:00:00,07:09:00", "arrival_time"),
        ("07:05:00,07:05:00", ",", "neither arrival nor departure time"),
        ("c,3", "c,third", "stop_sequence"),
        ("t2,08:05:00,08:05:00,b", "t2,08:05:00,08:05:00,ghost", "stop_id not in stops.txt"),
        ("t2,08:00", "t9,08:00", "trip_id not in trips.txt"),
    ],
)
def test_every_stop_time_is_checked(old: str, new: str, expected: str) -> None:
    """Bad times and references in any row are problems, not only in the trips of one date."""
    text = FILES["stop_times.txt"]
    assert old in text
    problems = feeds_problems([("tiny", feed(stop_times_txt=text.replace(old, new, 1)))])
    assert any(expected in p.message for p in problems), problems
    assert all(p.layer == "GTFS tiny" for p in problems)


def test_stop_coordinates_must_be_degrees() -> None:
    """A stop without WGS84 coordinates is named."""
    stops = FILES["stops.txt"].replace("62.01,25.01", "north,500")
    problems = feeds_problems([("tiny", feed(stops_txt=stops))])
    assert [p.column for p in problems] == ["stops.txt"]
    assert "'b'" in problems[0].message


def test_no_trip_on_the_routing_date_is_named() -> None:
    """A feed whose trips all have a single stop gives no timetable: an error, not a crash."""
    times = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,07:00:00,07:00:00,a,1\n"
    problems = feeds_problems([("tiny", feed(stop_times_txt=times))])
    assert problems
    assert "GTFS" in problems[0].layer
