"""GTFS feeds to a RAPTOR timetable for one service date.

:func:`read_feed` reads a GTFS zip (bytes or path) with pandas; :func:`build_timetable` keeps the
trips that run on ``date`` in any of the feeds and turns them into the arrays the RAPTOR kernel
(:mod:`.raptor`) reads.

Rules
-----
- A trip runs on ``date`` when its ``service_id`` has a ``calendar.txt`` row whose weekday flag is
  set and whose ``start_date <= date <= end_date``, unless ``calendar_dates.txt`` removes it
  (``exception_type`` 2); ``calendar_dates.txt`` rows with ``exception_type`` 1 add a service on
  that date (feeds with only ``calendar_dates.txt`` work too).
- A ``date`` outside every feed's calendar raises :class:`~palveluverkko.errors.CalendarError`
  naming each feed's valid range.
- Times are seconds after midnight of ``date``; ``25:10:00`` (past midnight, still the service day)
  is 90,600 s. Trips of the previous service day running past midnight are not included
  (document: a morning window does not need them).
- Several feeds are combined; their ids are prefixed with the feed name so they never clash.
- ``frequencies.txt`` trips are expanded into one run per headway (``exact_times`` ignored: runs
  start exactly every ``headway_secs``).
- ``shapes.txt`` is not needed; stops without trips on the date stay in the stop list (they can be
  walked through) and are counted in :attr:`Timetable.n_unused_stops`.
- A *pattern* (RAPTOR's route) is the trips with the same stop sequence; trips of a pattern are
  sorted by departure and, where one overtakes another, split into further patterns so that every
  pattern is FIFO (a requirement of RAPTOR's trip search).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CalendarError, InputError

log = logging.getLogger("palveluverkko.network")

__all__ = ["Feed", "Timetable", "build_timetable", "parse_time_s", "read_feed"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Feed:
    """The tables of one GTFS feed that routing needs."""

    name: str
    stops: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    frequencies: pd.DataFrame | None = None

    def valid_range(self) -> tuple[dt.date, dt.date] | None:
        """First and last date any service of this feed runs (None for an empty calendar)."""
        dates: list[dt.date] = []
        if len(self.calendar):
            dates += [
                _date(self.calendar["start_date"].min()),
                _date(self.calendar["end_date"].max()),
            ]
        added = self.calendar_dates
        if len(added):
            added = added.loc[added["exception_type"] == 1, "date"]
            if len(added):
                dates += [_date(added.min()), _date(added.max())]
        return (min(dates), max(dates)) if dates else None


def _date(value: object) -> dt.date:
    return dt.datetime.strptime(str(int(str(value).strip())), "%Y%m%d").date()


def parse_time_s(values: pd.Series, *, feed: str = "", table: str = "stop_times") -> np.ndarray:
    """``HH:MM:SS`` (hours may pass 24) to seconds as int64; a bad value raises naming its row."""
    text = values.astype(str).str.strip()
    parts = text.str.split(":", expand=True)
    if parts.shape[1] != 3:
        raise InputError(
            f"GTFS {feed}: {table}.txt: times must be HH:MM:SS; found {text.iloc[0]!r}"
        )
    nums = parts.apply(pd.to_numeric, errors="coerce")
    bad = nums.isna().any(axis=1) | (nums < 0).any(axis=1) | (nums[1] >= 60) | (nums[2] >= 60)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"GTFS {feed}: {table}.txt row {row + 2}: time {text.iloc[row]!r} is not HH:MM:SS "
            f"({int(bad.sum())} bad value(s)). Fix: write times as e.g. 07:05:00 or 25:10:00"
        )
    return (nums[0] * 3600 + nums[1] * 60 + nums[2]).to_numpy(dtype=np.int64)


_BROKEN_FIX = "Fix: export the feed again from its source, or remove it from [files] gtfs"


def _open_zip(source: bytes | str | Path, name: str) -> zipfile.ZipFile:
    """The feed's zip, or an InputError naming the feed and what is wrong with the file."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(
            f"GTFS {name}: cannot be read ({exc.strerror or exc}). {_BROKEN_FIX}"
        ) from exc
    if not data:
        raise InputError(f"GTFS {name}: the file is empty (0 bytes). {_BROKEN_FIX}")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InputError(
            f"GTFS {name}: not a zip file ({exc}; {len(data)} bytes starting {data[:8]!r}). "
            f"{_BROKEN_FIX}"
        ) from exc


def _read_csv(zf: zipfile.ZipFile, member: str, feed: str, file: str) -> pd.DataFrame:
    """One table of the feed as text columns; a damaged or unreadable file is an InputError."""
    try:
        with zf.open(member) as fh:
            data = fh.read()
        text = data.decode("utf-8-sig")
        if not text.strip():
            raise InputError(f"GTFS {feed}: {file} is empty. Fix: {file} needs a header line")
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"GTFS {feed}: {file} is not UTF-8 text (byte {exc.start}). Fix: GTFS files are "
            "UTF-8; export the feed again"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(
            f"GTFS {feed}: {file} is damaged in the zip ({exc}). {_BROKEN_FIX}"
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"GTFS {feed}: {file} is not a valid CSV table ({exc}). Fix: check its quoting and "
            "the number of fields on each line"
        ) from exc


def _check_dates(frame: pd.DataFrame, columns: Sequence[str], feed: str, file: str) -> None:
    """Dates must be YYYYMMDD; else an InputError naming the row (line of the file)."""
    for column in columns:
        text = frame[column].astype(str).str.strip()
        parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        bad = parsed.isna().to_numpy() | ~text.str.fullmatch(r"\d{8}").to_numpy(dtype=bool)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"GTFS {feed}: {file} line {row + 2}: {column} {text.iloc[row]!r} is not a date "
                f"YYYYMMDD ({int(bad.sum())} bad value(s)). Fix: write dates as e.g. 20250113"
            )


def _check_flags(
    frame: pd.DataFrame, columns: Sequence[str], allowed: set[str], feed: str, file: str
) -> None:
    for column in columns:
        text = frame[column].astype(str).str.strip()
        bad = ~text.isin(allowed).to_numpy(dtype=bool)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"GTFS {feed}: {file} line {row + 2}: {column} is {text.iloc[row]!r}, expected "
                f"one of {', '.join(sorted(allowed))}. Fix: correct the feed"
            )


def read_feed(source: bytes | str | Path, name: str) -> Feed:
    """Read the tables of a GTFS zip (bytes or a path).

    Raises
    ------
    InputError
        When the file is empty, not a zip, damaged, or lacks a required file or column, or when
        calendar dates, weekday flags or exception types are malformed; the message names the
        feed, the file and the line.
    """
    with _open_zip(source, name) as zf:
        files = {Path(n).name: n for n in zf.namelist()}

        def table(file: str, columns: Sequence[str], required: bool = True) -> pd.DataFrame:
            if file not in files:
                if required:
                    raise InputError(f"GTFS {name}: {file} is missing. Fix: add it to the feed zip")
                return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            frame = _read_csv(zf, files[file], name, file)
            frame.columns = [c.strip().lstrip("\ufeff") for c in frame.columns]
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise InputError(
                    f"GTFS {name}: {file} has no column(s) {', '.join(missing)}. "
                    "Fix: the feed must follow the GTFS reference"
                )
            return frame[list(columns)]

        stops = table("stops.txt", ["stop_id", "stop_lat", "stop_lon"])
        trips = table("trips.txt", ["route_id", "service_id", "trip_id"])
        stop_times = table(
            "stop_times.txt",
            ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
        )
        calendar = table(
            "calendar.txt", ["service_id", *_WEEKDAYS, "start_date", "end_date"], required=False
        )
        calendar_dates = table(
            "calendar_dates.txt", ["service_id", "date", "exception_type"], required=False
        )
        frequencies = table(
            "frequencies.txt", ["trip_id", "start_time", "end_time", "headway_secs"], required=False
        )
    if not len(calendar) and not len(calendar_dates):
        raise InputError(
            f"GTFS {name}: neither calendar.txt nor calendar_dates.txt has rows. Fix: the feed "
            "needs one of them to say when trips run"
        )
    _check_dates(calendar, ["start_date", "end_date"], name, "calendar.txt")
    _check_dates(calendar_dates, ["date"], name, "calendar_dates.txt")
    _check_flags(calendar, _WEEKDAYS, {"0", "1"}, name, "calendar.txt")
    _check_flags(calendar_dates, ["exception_type"], {"1", "2"}, name, "calendar_dates.txt")
    for col in _WEEKDAYS:
        calendar[col] = pd.to_numeric(calendar[col], errors="coerce").fillna(0).astype(int)
    calendar_dates["exception_type"] = pd.to_numeric(
        calendar_dates["exception_type"], errors="coerce"
    ).astype("Int64")
    return Feed(name, stops, trips, stop_times, calendar, calendar_dates, frequencies)


def _expand_frequencies(st: pd.DataFrame, frequencies: pd.DataFrame, feed: str) -> pd.DataFrame:
    """Trips of ``frequencies.txt`` repeated every ``headway_secs`` from ``start_time`` until
    before ``end_time``, their stop times shifted from the template trip's first departure."""
    if frequencies is None or not len(frequencies):
        return st
    starts = parse_time_s(frequencies["start_time"], feed=feed, table="frequencies")
    ends = parse_time_s(frequencies["end_time"], feed=feed, table="frequencies")
    heads = pd.to_numeric(frequencies["headway_secs"], errors="coerce").to_numpy()
    if np.isnan(heads).any() or (heads <= 0).any():
        raise InputError(
            f"GTFS {feed}: frequencies.txt has a headway_secs that is not a positive number. "
            "Fix: give every row a headway in seconds"
        )
    templates = set(frequencies["trip_id"].astype(str))
    out = [st.loc[~st["trip_id"].astype(str).isin(templates)]]
    for trip_id, start, end, head in zip(
        frequencies["trip_id"].astype(str), starts, ends, heads.astype(np.int64), strict=True
    ):
        template = st.loc[st["trip_id"].astype(str) == trip_id].sort_values("seq")
        if not len(template):
            continue
        offset = template["dep"].iloc[0]
        for k, first in enumerate(range(int(start), int(end), int(head))):
            copy = template.copy()
            copy["tid"] = copy["tid"] + f"#{trip_id}@{k}"
            copy["arr"] = copy["arr"] - offset + first
            copy["dep"] = copy["dep"] - offset + first
            out.append(copy)
    expanded = pd.concat(out, ignore_index=True)
    log.info(
        "GTFS %s: %d frequency-based trip(s) expanded to %d runs",
        feed,
        len(templates),
        expanded["tid"].nunique() - out[0]["tid"].nunique(),
    )
    return expanded


def active_services(feed: Feed, date: dt.date) -> set[str]:
    """Service ids of ``feed`` that run on ``date`` (module docstring)."""
    ymd = int(date.strftime("%Y%m%d"))
    cal = feed.calendar
    active: set[str] = set()
    if len(cal):
        on = (
            (cal[_WEEKDAYS[date.weekday()]] == 1)
            & (cal["start_date"].astype(int) <= ymd)
            & (cal["end_date"].astype(int) >= ymd)
        )
        active = set(cal.loc[on, "service_id"].astype(str))
    cd = feed.calendar_dates
    if len(cd):
        today = cd.loc[cd["date"].astype(str).str.strip().astype(int) == ymd]
        active |= set(today.loc[today["exception_type"] == 1, "service_id"].astype(str))
        active -= set(today.loc[today["exception_type"] == 2, "service_id"].astype(str))
    return active


@dataclass(frozen=True)
class Timetable:
    """A RAPTOR timetable for one date (arrays; ``*_ptr`` are CSR offsets).

    Attributes
    ----------
    stop_ids, stop_lonlat
        ``n_stops`` ids (``feed:stop_id``) and WGS84 coordinates.
    pattern_stops_ptr, pattern_stops
        Stops of each pattern in travel order.
    pattern_trips_ptr
        Trips of pattern ``p`` are ``pattern_trips_ptr[p] .. pattern_trips_ptr[p+1]-1``.
    times_ptr
        Start of pattern ``p``'s time block in ``arrival_s``/``departure_s``: trip ``t`` (0-based in
        the pattern) at stop position ``i`` is ``times_ptr[p] + t * n_stops(p) + i``.
    arrival_s, departure_s
        int64 seconds after midnight of ``date``.
    stop_patterns_ptr, stop_patterns, stop_positions
        For each stop the patterns that serve it and the stop's position in each.
    date, n_trips, n_unused_stops
        The date, trips running on it, stops no trip of the date serves.
    """

    date: dt.date
    stop_ids: np.ndarray
    stop_lonlat: np.ndarray
    pattern_stops_ptr: np.ndarray
    pattern_stops: np.ndarray
    pattern_trips_ptr: np.ndarray
    times_ptr: np.ndarray
    arrival_s: np.ndarray
    departure_s: np.ndarray
    stop_patterns_ptr: np.ndarray
    stop_patterns: np.ndarray
    stop_positions: np.ndarray
    n_trips: int
    n_unused_stops: int

    @property
    def n_stops(self) -> int:
        return len(self.stop_ids)

    @property
    def n_patterns(self) -> int:
        return len(self.pattern_stops_ptr) - 1

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """The timetable arguments of :func:`.raptor.reverse_profile`, in its order."""
        return (
            self.pattern_stops_ptr,
            self.pattern_stops,
            self.pattern_trips_ptr,
            self.times_ptr,
            self.arrival_s,
            self.departure_s,
            self.stop_patterns_ptr,
            self.stop_patterns,
            self.stop_positions,
        )


def build_timetable(feeds: Sequence[Feed], date: dt.date) -> Timetable:
    """The timetable of the trips of ``feeds`` running on ``date`` (module docstring)."""
    if not feeds:
        raise InputError("transit: the region has no GTFS feed. Fix: add gtfs/*.zip to the package")
    ranges = {f.name: f.valid_range() for f in feeds}
    inside = [
        f
        for f in feeds
        if ranges[f.name] is not None and ranges[f.name][0] <= date <= ranges[f.name][1]  # type: ignore[index]
    ]
    if not inside:
        valid = "; ".join(
            f"{n}: {r[0].isoformat()}..{r[1].isoformat()}" if r else f"{n}: no dates"
            for n, r in ranges.items()
        )
        raise CalendarError(
            f"transit: {date.isoformat()} is outside every GTFS feed's calendar ({valid}). "
            "Fix: choose a date in one of these ranges (option date=...)"
        )
    stop_frames, time_frames = [], []
    for feed in feeds:
        stops = feed.stops.copy()
        stops["sid"] = feed.name + ":" + stops["stop_id"].astype(str)
        stop_frames.append(stops)
        services = active_services(feed, date)
        trips = feed.trips.loc[feed.trips["service_id"].astype(str).isin(services)]
        st = feed.stop_times.loc[feed.stop_times["trip_id"].isin(set(trips["trip_id"]))].copy()
        if not len(st):
            continue
        st["tid"] = feed.name + ":" + st["trip_id"].astype(str)
        st["sid"] = feed.name + ":" + st["stop_id"].astype(str)
        arr_text = st["arrival_time"].where(
            st["arrival_time"].str.strip() != "", st["departure_time"]
        )
        dep_text = st["departure_time"].where(st["departure_time"].str.strip() != "", arr_text)
        if (arr_text.str.strip() == "").any():
            raise InputError(
                f"GTFS {feed.name}: stop_times.txt has stops without any time (interpolated "
                "times are not supported). Fix: give every stop_time an arrival or departure time"
            )
        st["arr"] = parse_time_s(arr_text, feed=feed.name)
        st["dep"] = parse_time_s(dep_text, feed=feed.name)
        st["seq"] = pd.to_numeric(st["stop_sequence"], errors="coerce")
        st = _expand_frequencies(st, feed.frequencies, feed.name)
        time_frames.append(st[["tid", "sid", "seq", "arr", "dep"]])
    all_stops = pd.concat(stop_frames, ignore_index=True).drop_duplicates("sid")
    stop_index = {s: i for i, s in enumerate(all_stops["sid"])}
    lonlat = all_stops[["stop_lon", "stop_lat"]].apply(pd.to_numeric, errors="coerce").to_numpy()
    if np.isnan(lonlat).any():
        row = int(np.flatnonzero(np.isnan(lonlat).any(axis=1))[0])
        raise InputError(
            f"GTFS: stops.txt stop {all_stops['sid'].iloc[row]!r} has no valid stop_lat/stop_lon. "
            "Fix: give every stop WGS84 coordinates"
        )
    if not time_frames:
        raise CalendarError(
            f"transit: no trip runs on {date.isoformat()} (a {_WEEKDAYS[date.weekday()]}) in any "
            "feed. Fix: choose a weekday the feeds serve"
        )
    st = pd.concat(time_frames, ignore_index=True).sort_values(["tid", "seq"], kind="stable")
    st["stop"] = st["sid"].map(stop_index)
    if st["stop"].isna().any():
        bad = st.loc[st["stop"].isna(), "sid"].iloc[0]
        raise InputError(f"GTFS: stop_times.txt refers to stop {bad!r} absent from stops.txt")
    st["stop"] = st["stop"].astype(np.int64)

    # group trips into patterns by their stop sequence
    seqs = st.groupby("tid", sort=False)["stop"].agg(tuple)
    first_dep = st.groupby("tid", sort=False)["dep"].first()
    trips = pd.DataFrame({"seq": seqs, "first": first_dep})
    trips = trips.loc[trips["seq"].map(len) >= 2]
    grouped = st.groupby("tid", sort=False)[["arr", "dep"]]
    times = {tid: g for tid, g in grouped}  # noqa: C416 (dict(grouped) calls its .keys attribute)

    p_stops: list[np.ndarray] = []
    p_arr: list[np.ndarray] = []
    p_dep: list[np.ndarray] = []
    for _, group in trips.sort_values("first", kind="stable").groupby("seq", sort=False):
        lanes: list[list[tuple[np.ndarray, np.ndarray]]] = []
        for tid in group.index:
            a = times[tid]["arr"].to_numpy()
            d = times[tid]["dep"].to_numpy()
            for lane in lanes:  # FIFO: never overtakes the previous trip of the lane
                pa, pd_ = lane[-1]
                if (a >= pa).all() and (d >= pd_).all():
                    lane.append((a, d))
                    break
            else:
                lanes.append([(a, d)])
        stops_seq = np.asarray(group["seq"].iloc[0], dtype=np.int64)
        for lane in lanes:
            p_stops.append(stops_seq)
            p_arr.append(np.concatenate([a for a, _ in lane]))
            p_dep.append(np.concatenate([d for _, d in lane]))
    n_p = len(p_stops)
    pattern_stops_ptr = np.zeros(n_p + 1, np.int64)
    pattern_stops_ptr[1:] = np.cumsum([len(s) for s in p_stops])
    pattern_trips_ptr = np.zeros(n_p + 1, np.int64)
    pattern_trips_ptr[1:] = np.cumsum(
        [len(a) // len(s) for a, s in zip(p_arr, p_stops, strict=True)]
    )
    times_ptr = np.zeros(n_p + 1, np.int64)
    times_ptr[1:] = np.cumsum([len(a) for a in p_arr])
    pattern_stops = np.concatenate(p_stops) if p_stops else np.zeros(0, np.int64)

    n_stops = len(all_stops)
    pat_of = np.repeat(np.arange(n_p), np.diff(pattern_stops_ptr))
    pos_of = np.arange(len(pattern_stops)) - pattern_stops_ptr[pat_of]
    order = np.argsort(pattern_stops, kind="stable")
    counts = np.bincount(pattern_stops, minlength=n_stops)
    stop_patterns_ptr = np.zeros(n_stops + 1, np.int64)
    stop_patterns_ptr[1:] = np.cumsum(counts)
    used = counts > 0
    log.info(
        "timetable %s: %d stops (%d unused), %d patterns, %d trips",
        date,
        n_stops,
        int((~used).sum()),
        n_p,
        int(pattern_trips_ptr[-1]),
    )
    return Timetable(
        date=date,
        stop_ids=all_stops["sid"].to_numpy(dtype=object),
        stop_lonlat=lonlat,
        pattern_stops_ptr=pattern_stops_ptr,
        pattern_stops=pattern_stops,
        pattern_trips_ptr=pattern_trips_ptr,
        times_ptr=times_ptr,
        arrival_s=np.concatenate(p_arr) if p_arr else np.zeros(0, np.int64),
        departure_s=np.concatenate(p_dep) if p_dep else np.zeros(0, np.int64),
        stop_patterns_ptr=stop_patterns_ptr,
        stop_patterns=pat_of[order],
        stop_positions=pos_of[order],
        n_trips=int(pattern_trips_ptr[-1]),
        n_unused_stops=int((~used).sum()),
    )
