"""RAPTOR kernels: reverse range search from one target, and travel-time profiles of origins.

Reverse RAPTOR (Delling, Pajor, Werneck 2012, run backwards) answers, for an arrival *deadline*
``A`` at a target, the latest time one can leave each stop and still arrive by ``A`` with at most
``max_rounds`` trips. Run over increasing deadlines with the labels of each round kept (the
range-RAPTOR idea, backwards: a journey that arrives by an earlier deadline also arrives by a
later one, so old labels stay valid lower bounds), :func:`reverse_profile` gives the whole
profile ``LD[deadline, stop]`` for one target at the cost of little more than one search per
deadline that changes anything.

:func:`origin_travel_times` turns the profile into travel times from origins (cells) that walk to
nearby stops: the latest departure from an origin to arrive by ``A`` is
``Q(A) = max_m LD[A, stop_m] - walk_m``, non-decreasing in ``A``; for a departure minute ``d`` the
travel time is ``min(A - d  for the least A with Q(A) >= d, direct walk)``. Arrivals are resolved
to the deadline grid (every minute by default: a trip's arrival is rounded up to the minute).

Times are int64 seconds; ``NEG`` marks "cannot arrive".
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["NEG", "origin_percentiles", "origin_travel_times", "reachable_rows", "reverse_profile"]

NEG = np.int64(-(2**62))


@numba.njit(cache=True)
def _latest_trip(arr: np.ndarray, base: int, n_stops: int, n_trips: int, i: int, limit: int) -> int:
    """Index of the latest trip whose arrival at position ``i`` is ``<= limit`` (-1: none)."""
    lo, hi = 0, n_trips  # first trip with arrival > limit, by bisection (trips are FIFO)
    while lo < hi:
        mid = (lo + hi) // 2
        if arr[base + mid * n_stops + i] <= limit:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@numba.njit(cache=True)
def reverse_profile(
    pattern_stops_ptr: np.ndarray,
    pattern_stops: np.ndarray,
    pattern_trips_ptr: np.ndarray,
    times_ptr: np.ndarray,
    arrival_s: np.ndarray,
    departure_s: np.ndarray,
    stop_patterns_ptr: np.ndarray,
    stop_patterns: np.ndarray,
    stop_positions: np.ndarray,
    foot_ptr: np.ndarray,
    foot_stop: np.ndarray,
    foot_s: np.ndarray,
    egress_stop: np.ndarray,
    egress_s: np.ndarray,
    deadlines_s: np.ndarray,
    max_rounds: int,
) -> np.ndarray:
    """``LD[deadline, stop]``: latest departure from each stop to reach the target by each deadline.

    ``egress_stop``/``egress_s``: stops from which the target is reached on foot and the walk.
    ``foot_*``: CSR of transfers *into* each stop: ``foot_stop[foot_ptr[s]:foot_ptr[s+1]]`` can walk
    to ``s`` in ``foot_s`` seconds. ``deadlines_s`` must increase.
    """
    n_stops = len(stop_patterns_ptr) - 1
    n_patterns = len(pattern_stops_ptr) - 1
    labels = np.full((max_rounds + 1, n_stops), NEG, dtype=np.int64)
    best = np.full(n_stops, NEG, dtype=np.int64)
    marked = np.zeros(n_stops, dtype=np.bool_)
    new_marked = np.zeros(n_stops, dtype=np.bool_)
    start = np.full(n_patterns, -1, dtype=np.int64)
    out = np.empty((len(deadlines_s), n_stops), dtype=np.int64)
    for di in range(len(deadlines_s)):
        deadline = deadlines_s[di]
        marked[:] = False
        for e in range(len(egress_stop)):
            s = egress_stop[e]
            v = deadline - egress_s[e]
            if v > labels[0, s]:
                labels[0, s] = v
                if v > best[s]:
                    best[s] = v
                marked[s] = True
        for k in range(1, max_rounds + 1):
            start[:] = -1
            any_marked = False
            for s in range(n_stops):
                if marked[s]:
                    any_marked = True
                    for q in range(stop_patterns_ptr[s], stop_patterns_ptr[s + 1]):
                        p = stop_patterns[q]
                        if stop_positions[q] > start[p]:
                            start[p] = stop_positions[q]
            if not any_marked:
                break
            new_marked[:] = False
            for p in range(n_patterns):
                if start[p] < 0:
                    continue
                n_p = pattern_stops_ptr[p + 1] - pattern_stops_ptr[p]
                n_t = pattern_trips_ptr[p + 1] - pattern_trips_ptr[p]
                base = times_ptr[p]
                trip = -1
                for i in range(start[p], -1, -1):
                    s = pattern_stops[pattern_stops_ptr[p] + i]
                    if trip >= 0:
                        d = departure_s[base + trip * n_p + i]
                        if d > labels[k, s] and d > best[s]:
                            labels[k, s] = d
                            best[s] = d
                            new_marked[s] = True
                    limit = labels[k - 1, s]
                    if limit > NEG:
                        t = _latest_trip(arrival_s, base, n_p, n_t, i, limit)
                        if t > trip:
                            trip = t
            # transfers on foot into the stops improved in this round
            marked[:] = new_marked
            for s in range(n_stops):
                if not new_marked[s]:
                    continue
                for q in range(foot_ptr[s], foot_ptr[s + 1]):
                    s2 = foot_stop[q]
                    v = labels[k, s] - foot_s[q]
                    if v > labels[k, s2] and v > best[s2]:
                        labels[k, s2] = v
                        best[s2] = v
                        marked[s2] = True
        out[di, :] = best
    return out


@numba.njit(cache=True, parallel=True)
def origin_travel_times(
    profile: np.ndarray,
    deadlines_s: np.ndarray,
    access_stop: np.ndarray,
    access_s: np.ndarray,
    direct_s: np.ndarray,
    departures_s: np.ndarray,
) -> np.ndarray:
    """``(n_origins, n_departures)`` travel seconds (``inf`` where not reachable in the horizon).

    ``access_stop``/``access_s``: ``(n_origins, k)`` nearest stops on foot (-1 none) and the walk;
    ``direct_s``: walking the whole way (``inf`` if not); ``departures_s`` must increase.
    """
    n_o, k = access_stop.shape
    n_d = len(deadlines_s)
    out = np.full((n_o, len(departures_s)), np.inf)
    for o in numba.prange(n_o):
        q = np.full(n_d, NEG, dtype=np.int64)
        for m in range(k):
            s = access_stop[o, m]
            if s < 0:
                continue
            w = access_s[o, m]
            for a in range(n_d):
                ld = profile[a, s]
                if ld > NEG and ld - w > q[a]:
                    q[a] = ld - w
        a = 0
        for j in range(len(departures_s)):
            dep = departures_s[j]
            while a < n_d and q[a] < dep:
                a += 1
            best = direct_s[o]
            if a < n_d:
                t = float(deadlines_s[a] - dep)
                if t < best:
                    best = t
            out[o, j] = best
    return out


@numba.njit(cache=True)
def reachable_rows(
    last_departure_s: np.ndarray,
    first_departure_s: int,
    stop_cell_ptr: np.ndarray,
    stop_cells: np.ndarray,
    walk_rows: np.ndarray,
    n_origins: int,
) -> np.ndarray:
    """Origins that may reach the target: via a stop still usable or on foot (sorted, unique).

    A stop whose latest departure at the last deadline (``last_departure_s``) is before the first
    departure minute cannot help any departure: the profile never decreases with the deadline.
    ``stop_cells[stop_cell_ptr[s]:stop_cell_ptr[s + 1]]``: the origins with ``s`` among their
    access stops; ``walk_rows``: origins that walk to the target within the cutoff.
    """
    mark = np.zeros(n_origins, dtype=np.bool_)
    count = 0
    for s in range(len(last_departure_s)):
        if last_departure_s[s] == NEG or last_departure_s[s] < first_departure_s:
            continue
        for q in range(stop_cell_ptr[s], stop_cell_ptr[s + 1]):
            o = stop_cells[q]
            if not mark[o]:
                mark[o] = True
                count += 1
    for o in walk_rows:
        if not mark[o]:
            mark[o] = True
            count += 1
    out = np.empty(count, dtype=np.int64)
    i = 0
    for o in range(n_origins):
        if mark[o]:
            out[i] = o
            i += 1
    return out


@numba.njit(cache=True, parallel=True)
def origin_percentiles(
    profile_by_stop: np.ndarray,
    deadlines_s: np.ndarray,
    access_stop: np.ndarray,
    access_s: np.ndarray,
    rows: np.ndarray,
    direct_minutes: np.ndarray,
    departures_s: np.ndarray,
    ranks: np.ndarray,
    max_minutes: float,
) -> np.ndarray:
    """``(len(rows), len(ranks))`` float32 minutes: order statistics of the origins' trip times.

    The same trips as :func:`origin_travel_times`, one origin at a time: no
    ``origins x departures`` matrix. ``profile_by_stop`` is the profile transposed
    (``(n_stops, n_deadlines)``, so an origin reads its stops' rows contiguously);
    ``rows`` the origins to compute; ``direct_minutes`` (float32, one per row) the walk the
    whole way (``inf`` if none). Column ``r`` is the ``ranks[r]``-th smallest trip time (0-based)
    in minutes (``seconds / 60``), ``inf`` above ``max_minutes``: with the ranks of
    ``numpy.percentile(..., method="inverted_cdf")`` this equals the percentiles of
    :func:`origin_travel_times` bit for bit where they are at most ``max_minutes``.
    """
    n_d = len(deadlines_s)
    n_dep = len(departures_s)
    k = access_stop.shape[1]
    out = np.empty((len(rows), len(ranks)), dtype=np.float32)
    for r in numba.prange(len(rows)):
        o = rows[r]
        q = np.full(n_d, NEG, dtype=np.int64)
        for m in range(k):
            s = access_stop[o, m]
            if s < 0:
                continue
            w = access_s[o, m]
            row = profile_by_stop[s]
            for a in range(n_d):
                ld = row[a]
                if ld > NEG and ld - w > q[a]:
                    q[a] = ld - w
        walk = float(direct_minutes[r])
        direct = walk * 60.0 if np.isfinite(walk) else np.inf
        times = np.empty(n_dep)
        a = 0
        for j in range(n_dep):
            dep = departures_s[j]
            while a < n_d and q[a] < dep:
                a += 1
            best = direct
            if a < n_d:
                t = float(deadlines_s[a] - dep)
                if t < best:
                    best = t
            times[j] = best
        times.sort()
        for c in range(len(ranks)):
            value = times[ranks[c]] / 60.0
            out[r, c] = np.float32(value) if value <= max_minutes else np.float32(np.inf)
    return out
