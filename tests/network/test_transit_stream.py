"""Transit streamed per destination with a cutoff equals the former dense path (kept here)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from palveluverkko.demo import demo_region
from palveluverkko.errors import InputError
from palveluverkko.network import transit
from palveluverkko.network.graph import RoadNetwork
from palveluverkko.network.matrix import road_matrix
from palveluverkko.network.params import TransitParams
from palveluverkko.network.raptor import (
    NEG,
    origin_percentiles,
    origin_travel_times,
    reachable_rows,
    reverse_profile,
)
from palveluverkko.network.types import Destinations
from palveluverkko.region import Region

QS = [10, 25, 50, 75, 90]


def dense_percentiles(seconds: np.ndarray, cutoff: float) -> np.ndarray:
    """The former path: numpy percentiles over an origins x departures matrix, float32."""
    values = np.percentile(seconds, QS, axis=1, method="inverted_cdf") / 60.0
    out = values.T.astype(np.float32)
    out[cutoff < values.T] = np.inf
    return out


def random_profile(rng: np.random.Generator, deadlines: np.ndarray, n_stops: int) -> np.ndarray:
    """A profile that never decreases with the deadline, ``NEG`` where nothing arrives."""
    n_d = len(deadlines)
    ride = rng.integers(300, 5400, size=(n_d, n_stops))
    profile = np.maximum.accumulate(deadlines[:, None] - ride, axis=0)
    dead = rng.random(n_stops) < 0.2
    late = rng.integers(0, n_d, size=n_stops)  # nothing arrives before this deadline
    profile[np.arange(n_d)[:, None] < late[None, :]] = NEG
    profile[:, dead] = NEG
    return profile.astype(np.int64)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cutoff", [math.inf, 45.0])
def test_origin_percentiles_equal_numpy_on_the_dense_matrix(seed: int, cutoff: float) -> None:
    """Order statistics per origin equal numpy's inverted-cdf percentiles bit for bit."""
    rng = np.random.default_rng(seed)
    n_stops, n_o, k = 30, 200, 4
    departures = np.arange(7 * 3600, 8 * 3600, 60, dtype=np.int64)
    deadlines = np.arange(7 * 3600, 8 * 3600 + 90 * 60 + 60, 60, dtype=np.int64)
    profile = random_profile(rng, deadlines, n_stops)
    access_stop = rng.integers(-1, n_stops, size=(n_o, k)).astype(np.int64)
    access_s = rng.integers(0, 1200, size=(n_o, k)).astype(np.int64)
    direct = rng.uniform(5, 200, size=n_o).astype(np.float32)
    direct[rng.random(n_o) < 0.5] = np.inf
    direct_s = np.where(np.isfinite(direct), direct.astype(np.float64) * 60.0, np.inf)
    seconds = origin_travel_times(profile, deadlines, access_stop, access_s, direct_s, departures)
    ranks = np.percentile(
        np.arange(len(departures), dtype=float), QS, method="inverted_cdf"
    ).astype(np.int64)
    rows = np.arange(n_o, dtype=np.int64)
    got = origin_percentiles(
        np.ascontiguousarray(profile.T),
        deadlines,
        access_stop,
        access_s,
        rows,
        direct,
        departures,
        ranks,
        cutoff,
    )
    want = dense_percentiles(seconds, cutoff)
    assert np.array_equal(got.view(np.int32), want.view(np.int32))
    assert np.isfinite(got).sum() > 100  # the case is not trivially all-inf


def test_rows_left_out_reach_nothing() -> None:
    """Every origin reachable_rows leaves out has no trip at all in the dense matrix."""
    rng = np.random.default_rng(5)
    n_stops, n_o, k = 40, 300, 3
    departures = np.arange(7 * 3600, 8 * 3600, 60, dtype=np.int64)
    deadlines = np.arange(7 * 3600, 8 * 3600 + 60 * 60 + 60, 60, dtype=np.int64)
    profile = random_profile(rng, deadlines, n_stops)
    profile[:, :10] = np.minimum(profile[:, :10], 6 * 3600)  # usable only before the window
    access_stop = rng.integers(-1, n_stops, size=(n_o, k)).astype(np.int64)
    access_s = np.zeros((n_o, k), dtype=np.int64)
    direct_s = np.full(n_o, np.inf)
    walkers = np.array([3, 7, 250], dtype=np.int64)
    direct_s[walkers] = 600.0
    ptr, cells = transit._cells_of_stops(access_stop, n_stops)
    rows = reachable_rows(profile[-1], int(departures[0]), ptr, cells, walkers, n_o)
    seconds = origin_travel_times(profile, deadlines, access_stop, access_s, direct_s, departures)
    left_out = np.setdiff1d(np.arange(n_o), rows)
    assert len(left_out) > 0
    assert len(rows) > 0
    assert np.isinf(seconds[left_out]).all()
    assert set(walkers.tolist()) <= set(rows.tolist())
    assert np.array_equal(rows, np.unique(rows))


@pytest.fixture(scope="module")
def demo() -> Region:
    """The demo county (it has a GTFS feed)."""
    return demo_region(0)


def former_path(region: Region, walk: RoadNetwork, dest: Destinations) -> dict[int, np.ndarray]:
    """The code before streaming: a dense walk matrix, every cell for every site, numpy
    percentiles over the origins x departures matrix, no cutoff."""
    p = TransitParams(max_minutes=None)
    inp = transit._inputs(region, walk, dest, p)
    direct = road_matrix(walk, inp.cells, inp.sites, max_minutes=p.max_minutes_horizon).astype(
        np.float64
    )
    result = {q: np.full((len(inp.cells), len(dest)), np.inf, dtype=np.float32) for q in QS}
    for j in np.flatnonzero(inp.sites.ok):
        profile = reverse_profile(  # type: ignore[call-arg]
            *inp.tt.kernel_arrays(),  # type: ignore[arg-type]
            inp.foot_ptr,
            inp.foot_stop,
            inp.foot_s,
            inp.egress_stop[j],
            inp.egress_s[j],
            inp.deadlines,
            p.max_rounds,
        )
        direct_s = np.where(np.isfinite(direct[:, j]), direct[:, j] * 60.0, np.inf)
        seconds = origin_travel_times(
            profile, inp.deadlines, inp.access_stop, inp.access_s, direct_s, inp.departures
        )
        values = np.percentile(seconds, QS, axis=1, method="inverted_cdf") / 60.0
        for i, q in enumerate(QS):
            result[q][:, j] = values[i]
    return result


def test_streamed_transit_equals_the_former_path_on_the_demo(demo: Region) -> None:
    """Demo county, 6 sites: without a cutoff every percentile is bit-equal to the dense path;
    with 120 min the same where the former time is <= 120 and inf above."""
    walk = RoadNetwork.for_region(demo, "walk")
    sites = demo.sites["site_id"].astype(str).tolist()
    dest = Destinations.of_sites(demo).subset(np.array(sites[::10], dtype=object))
    want = former_path(demo, walk, dest)
    for cutoff in (None, 120.0):
        got = transit.transit_travel_times(
            demo, walk_network=walk, to=dest, params=TransitParams(max_minutes=cutoff)
        )
        arrays = {50: got.minutes, **got.percentiles}
        assert sorted(arrays) == QS
        for q in QS:
            ref = want[q] if cutoff is None else np.where(want[q] <= cutoff, want[q], np.inf)
            assert np.array_equal(arrays[q].view(np.int32), ref.astype(np.float32).view(np.int32))
    finite = np.isfinite(want[50])
    assert finite.sum() > 1000
    assert (want[50][finite] > 120).sum() > 100


def test_cutoff_must_be_positive() -> None:
    """TransitParams.max_minutes: a number above 0 or None."""
    assert TransitParams().max_minutes is None  # the demo's figures stay as they were
    assert TransitParams(max_minutes=120).max_minutes == 120
    assert TransitParams(max_minutes=None).max_minutes is None
    with pytest.raises(InputError, match="max_minutes"):
        TransitParams(max_minutes=0)
