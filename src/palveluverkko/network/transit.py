"""Public-transport travel times from cells to sites: :func:`transit_travel_times`.

Like r5py's ``TravelTimeMatrix``, every departure minute of a window (default 07:00-09:00 on
``date``) is a separate trip; the matrix holds the median over those departures and
``percentiles`` the chosen others. Per site, one reverse range-RAPTOR (:mod:`.raptor`) gives the
latest departure from every stop for every arrival minute; cells then combine it with their walks
to nearby stops. This costs one reverse search per site and arrival minute, however many cells.

Scale
-----
Sites are streamed: one profile (deadlines x stops, int64) is in memory at a time, made for the
first site at its (node, egress) and dropped after the last; the walk the whole way is routed for
blocks of 32 sites (cells x 32, float32). With a cutoff ``max_minutes`` (e.g. 120; none by
default) the deadlines stop at the window's end plus the cutoff (else the horizon). A site reads
only the cells that can reach it: those with an access stop that still has a departure after the
window opens, and those that walk there in time (:func:`.raptor.reachable_rows`). Each such
cell's percentiles are order statistics of its own departures
(:func:`.raptor.origin_percentiles`), without a cells x departures matrix. Times at or under the
cutoff equal those without it bit for bit; a percentile above it is ``inf``. Memory: the result
(cells x sites x (1 + len(percentiles)) float32), one profile and its transpose, the walk block,
and the access and egress labels of the walk network.

Walking
-------
All walking is on the region's walk network (:class:`~.graph.RoadNetwork`, mode ``walk``):
access from a cell to its ``access_stops`` nearest stops within ``max_access_minutes``, egress
from stops within ``max_access_minutes`` of the site, transfers between stops within
``max_transfer_minutes`` (no extra change time; a documented simplification), and walking the
whole way, which a trip never exceeds. Cells and sites join the walk network by the snapping rule
of :mod:`.linking` (straight-line access leg); cells it cannot link are listed as unreachable with
their residents.

Defaults (documented, override as options of ``travel_times(region, "transit", ...)``):
``date`` = the Tuesday with the most trips in the feeds (:func:`default_date`; a normal
weekday), ``window=("07:00", "09:00")``, ``percentiles=(10, 25, 75, 90)``,
``max_minutes_horizon=180`` (trips longer than that count as not possible unless walking is
shorter), ``max_minutes=None`` (no cutoff; 120 for national runs), ``max_rounds=6`` (at most 6
vehicles), ``access_stops=8``, ``max_access_minutes=20``,
``max_transfer_minutes=10``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyproj

from ..errors import InputError
from ..region.model import Region
from .graph import RoadNetwork
from .gtfs import Feed, Timetable, active_services, build_timetable, read_feed
from .linking import Snapped, snap
from .matrix import road_matrix
from .params import TransitParams
from .paths import k_nearest_sources
from .raptor import origin_percentiles, reachable_rows, reverse_profile
from .types import Destinations, TravelTimes, unreachable_cells, unreachable_destinations

log = logging.getLogger("palveluverkko.network")

__all__ = ["default_date", "stop_points", "transit_travel_times"]

# sites whose walk-the-whole-way column is routed at once (a block is n_cells x this, float32)
_WALK_BLOCK = 32


def _subset(points: Snapped, index: np.ndarray) -> Snapped:
    """The linked points ``index`` of ``points``."""
    return Snapped(
        node=points.node[index],
        distance_m=points.distance_m[index],
        access_minutes=points.access_minutes[index],
        reason=points.reason[index],
    )


def default_date(feeds: Sequence[Feed], *, max_weeks: int = 60) -> dt.date:
    """The Tuesday with the most trips in the feeds (the earliest of equals).

    Tuesdays from the earliest calendar start, at most ``max_weeks`` of them, are counted.
    """
    ranges = [r for r in (f.valid_range() for f in feeds) if r is not None]
    if not ranges:
        raise InputError("transit: no GTFS feed has a calendar. Fix: add calendar.txt")
    first = min(r[0] for r in ranges)
    last = max(r[1] for r in ranges)
    day = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    best, best_trips = day, -1
    for _ in range(max_weeks):
        if day > last:
            break
        trips = sum(
            int(f.trips["service_id"].astype(str).isin(active_services(f, day)).sum())
            for f in feeds
        )
        if trips > best_trips:
            best, best_trips = day, trips
        day += dt.timedelta(days=7)
    return best


def stop_points(timetable: Timetable, crs: str) -> np.ndarray:
    """Stops' coordinates in ``crs`` (``(n_stops, 2)``)."""
    to = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to.transform(timetable.stop_lonlat[:, 0], timetable.stop_lonlat[:, 1])
    return np.column_stack([x, y])


@dataclass(frozen=True)
class _Inputs:
    """What every destination's search shares: timetable, linked points, walks, time grids."""

    day: dt.date
    feeds: list[Feed]
    tt: Timetable
    cells: Snapped
    sites: Snapped
    stop_ok: np.ndarray
    departures: np.ndarray
    deadlines: np.ndarray
    horizon_minutes: float
    access_stop: np.ndarray
    access_s: np.ndarray
    foot_ptr: np.ndarray
    foot_stop: np.ndarray
    foot_s: np.ndarray
    egress_stop: list[np.ndarray]
    egress_s: list[np.ndarray]
    site_key: list[tuple[int, bytes, bytes]]


def _inputs(
    region: Region, walk_network: RoadNetwork, dest: Destinations, p: TransitParams
) -> _Inputs:
    """Link cells, sites and stops to the walk network; access, egress and transfer walks."""
    date, max_minutes_horizon = p.date, p.max_minutes_horizon
    access_stops, max_access_minutes = p.access_stops, p.max_access_minutes
    max_transfer_minutes = p.max_transfer_minutes
    feeds = [read_feed(f.data, f.name) for f in region.gtfs]
    if not feeds:
        raise InputError(
            "transit: the region has no GTFS feed. Fix: add gtfs/<name>.zip to the package"
        )
    day = date if isinstance(date, dt.date) else default_date(feeds)
    tt = build_timetable(feeds, day)
    start_s, end_s = p.window_s
    departures = np.arange(start_s, end_s, 60, dtype=np.int64)
    # a trip longer than the cutoff is never reported, so the deadlines stop there (a prefix of
    # the horizon's grid: the profile's rows are the same as without the cutoff)
    horizon_min = min(
        float(max_minutes_horizon), math.inf if p.max_minutes is None else float(p.max_minutes)
    )
    horizon_s = int(horizon_min * 60)
    deadlines = np.arange(start_s, end_s + horizon_s + 60, 60, dtype=np.int64)

    net = walk_network
    linking = p.walk.snap_options("walk")
    cells = snap(net, region.cell_points(), **linking)
    sites = snap(net, dest.xy, **linking)
    stops = snap(net, stop_points(tt, region.crs), **linking)
    n_cells, n_sites = len(cells), len(sites)
    stop_ok = np.flatnonzero(stops.ok)
    log.info("transit %s: %d of %d stops link to the walk network", day, len(stop_ok), tt.n_stops)
    stop_nodes = stops.node[stop_ok]
    stop_offsets = stops.access_minutes[stop_ok]

    rev = net.reversed()
    # access: for each node, the nearest stops a walker there reaches (walk node -> stop)
    acc_src, acc_min = k_nearest_sources(
        rev.indptr,
        rev.indices,
        rev.minutes,
        stop_nodes,
        access_stops,
        source_offsets=stop_offsets,
        cutoff=max_access_minutes,
    )
    # egress and transfers: for each node, the stops that reach it on foot (stop -> node)
    egr_src, egr_min = k_nearest_sources(
        net.indptr,
        net.indices,
        net.minutes,
        stop_nodes,
        max(access_stops, 16),
        source_offsets=stop_offsets,
        cutoff=max(max_access_minutes, max_transfer_minutes),
    )

    # cells: access stops with the cell's own access leg
    access_stop = np.full((n_cells, access_stops), -1, dtype=np.int64)
    access_s = np.zeros((n_cells, access_stops), dtype=np.int64)
    ok_cells = np.flatnonzero(cells.ok)
    src = acc_src[cells.node[ok_cells]]
    mins = acc_min[cells.node[ok_cells]] + cells.access_minutes[ok_cells, None]
    valid = (src >= 0) & (mins <= max_access_minutes + 1e-9)
    access_stop[ok_cells] = np.where(valid, stop_ok[np.maximum(src, 0)], -1)
    access_s[ok_cells] = np.where(valid, np.ceil(mins * 60), 0).astype(np.int64)

    # transfers into each stop: stops whose walk reaches the stop's node
    foot_lists: list[np.ndarray] = []
    foot_secs: list[np.ndarray] = []
    for s in range(tt.n_stops):
        if not stops.ok[s]:
            foot_lists.append(np.zeros(0, np.int64))
            foot_secs.append(np.zeros(0, np.int64))
            continue
        row_src = egr_src[stops.node[s]]
        row_min = egr_min[stops.node[s]] + stops.access_minutes[s]
        keep = (row_src >= 0) & (row_min <= max_transfer_minutes)
        other = stop_ok[row_src[keep]]
        mask = other != s
        foot_lists.append(other[mask])
        foot_secs.append(np.ceil(row_min[keep][mask] * 60).astype(np.int64))
    foot_ptr = np.zeros(tt.n_stops + 1, np.int64)
    foot_ptr[1:] = np.cumsum([len(f) for f in foot_lists])
    foot_stop = np.concatenate(foot_lists) if foot_lists else np.zeros(0, np.int64)
    foot_s = np.concatenate(foot_secs) if foot_secs else np.zeros(0, np.int64)

    # egress of each site: the stops from which it is reached on foot, and the walk
    egress_stop: list[np.ndarray] = []
    egress_s: list[np.ndarray] = []
    site_key: list[tuple[int, bytes, bytes]] = []
    for j in range(n_sites):
        if not sites.ok[j]:
            egress_stop.append(np.zeros(0, np.int64))
            egress_s.append(np.zeros(0, np.int64))
            site_key.append((-1, b"", b""))
            continue
        node = sites.node[j]
        e_src, e_min = egr_src[node], egr_min[node] + sites.access_minutes[j]
        keep = (e_src >= 0) & (e_min <= max_access_minutes)
        egress_stop.append(stop_ok[e_src[keep]])
        egress_s.append(np.ceil(e_min[keep] * 60).astype(np.int64))
        site_key.append((int(node), egress_s[-1].tobytes(), egress_stop[-1].tobytes()))
    return _Inputs(
        day=day,
        feeds=feeds,
        tt=tt,
        cells=cells,
        sites=sites,
        stop_ok=stop_ok,
        departures=departures,
        deadlines=deadlines,
        horizon_minutes=horizon_min,
        access_stop=access_stop,
        access_s=access_s,
        foot_ptr=foot_ptr,
        foot_stop=foot_stop,
        foot_s=foot_s,
        egress_stop=egress_stop,
        egress_s=egress_s,
        site_key=site_key,
    )


def transit_travel_times(
    region: Region,
    *,
    walk_network: RoadNetwork,
    to: Destinations | None = None,
    params: TransitParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TravelTimes:
    """Median and percentiles of door-to-door public-transport minutes, cells x destinations.

    ``to`` defaults to the region's sites and ``params`` to :class:`TransitParams`'s defaults
    (the module docstring). ``walk_network`` is the region's walking network.

    Raises
    ------
    InputError
        The region has no feed, no feed has a calendar, or the date is outside every feed.
    """
    p = TransitParams() if params is None else params
    dest = Destinations.of_sites(region) if to is None else to
    inp = _inputs(region, walk_network, dest, p)
    tt, cells, sites = inp.tt, inp.cells, inp.sites
    n_cells, n_sites = len(cells), len(sites)
    qs = sorted({50, *(int(q) for q in p.percentiles)})
    result = {q: np.full((n_cells, n_sites), np.inf, dtype=np.float32) for q in qs}
    # the order statistic numpy's "inverted_cdf" percentile takes, for each q (no interpolation)
    ranks = np.percentile(
        np.arange(len(inp.departures), dtype=np.float64), qs, method="inverted_cdf"
    ).astype(np.int64)
    cutoff = math.inf if p.max_minutes is None else float(p.max_minutes)
    stop_cell_ptr, stop_cells = _cells_of_stops(inp.access_stop, tt.n_stops)

    # one profile per distinct (site node, egress), made for its first site and dropped after
    # its last: one profile in memory at a time, however many sites
    groups: dict[tuple[int, bytes, bytes], list[int]] = {}
    for site in np.flatnonzero(sites.ok).tolist():
        groups.setdefault(inp.site_key[site], []).append(site)
    group_list = list(groups.values())
    done = int((~sites.ok).sum())
    if progress is not None:
        progress(done, n_sites)
    kernel = tt.kernel_arrays()
    for start in range(0, len(group_list), _WALK_BLOCK):
        block_groups = group_list[start : start + _WALK_BLOCK]
        cols = np.array([j for g in block_groups for j in g], dtype=np.int64)
        # walking the whole way, for this block of sites only (n_cells x block, float32)
        walk = road_matrix(
            walk_network, cells, _subset(sites, cols), max_minutes=inp.horizon_minutes
        )
        walk_col = {int(j): c for c, j in enumerate(cols)}
        for group in block_groups:
            profile = reverse_profile(  # type: ignore[call-arg]
                *kernel,  # type: ignore[arg-type]
                inp.foot_ptr,
                inp.foot_stop,
                inp.foot_s,
                inp.egress_stop[group[0]],
                inp.egress_s[group[0]],
                inp.deadlines,
                p.max_rounds,
            )
            last = profile[-1].copy()
            by_stop = np.ascontiguousarray(profile.T)
            del profile
            for j in group:
                direct = walk[:, walk_col[j]]
                rows = reachable_rows(
                    last,
                    int(inp.departures[0]),
                    stop_cell_ptr,
                    stop_cells,
                    np.flatnonzero(np.isfinite(direct)),
                    n_cells,
                )
                values = origin_percentiles(
                    by_stop,
                    inp.deadlines,
                    inp.access_stop,
                    inp.access_s,
                    rows,
                    direct[rows],
                    inp.departures,
                    ranks,
                    cutoff,
                )
                for i, q in enumerate(qs):
                    result[q][rows, j] = values[:, i]
                done += 1
                if progress is not None:
                    progress(done, n_sites)
            del by_stop
        del walk
    return TravelTimes(
        mode="transit",
        minutes=result[50],
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        to=dest,
        percentiles={q: a for q, a in result.items() if q != 50},
        unreachable=unreachable_cells(region, cells.reason),
        unreachable_destinations=unreachable_destinations(dest, sites.reason),
        parameters={
            "date": inp.day.isoformat(),
            "feeds": {f.name: [r.isoformat() for r in (f.valid_range() or ())] for f in inp.feeds},
            "window": list(p.window),
            "percentiles": list(qs),
            "max_minutes_horizon": p.max_minutes_horizon,
            "max_minutes": p.max_minutes,
            "max_rounds": p.max_rounds,
            "access_stops": p.access_stops,
            "max_access_minutes": p.max_access_minutes,
            "max_transfer_minutes": p.max_transfer_minutes,
            "n_stops": tt.n_stops,
            "n_stops_linked": len(inp.stop_ok),
            "n_unused_stops": tt.n_unused_stops,
            "n_trips": tt.n_trips,
            "n_patterns": tt.n_patterns,
        },
    )


def _cells_of_stops(access_stop: np.ndarray, n_stops: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``stop -> cells`` of the cells that list the stop among their access stops."""
    flat = access_stop.ravel()
    listed = np.flatnonzero(flat >= 0)
    by_stop = np.argsort(flat[listed], kind="stable")
    stop_cells = (listed[by_stop] // access_stop.shape[1]).astype(np.int64)
    ptr = np.zeros(n_stops + 1, np.int64)
    np.cumsum(np.bincount(flat[listed], minlength=n_stops), out=ptr[1:])
    return ptr, stop_cells
