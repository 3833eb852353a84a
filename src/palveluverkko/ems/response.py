"""Station -> cell drive minutes by car, and response and busy times from them.

:func:`drive_minutes` is the one adapter from a Region to the road network: it links stations
and 1 km cells to the car network (:func:`~palveluverkko.network.snap`) and runs one forward
search per distinct station node (:func:`~palveluverkko.network.shortest_minutes_to`); the drive
from station ``s`` to cell ``c`` is ``access_s + d(node_s, node_c) + access_c`` at normal car
speeds. (To be switched to ``travel_times(..., to=Destinations)`` once that exists on main.)

The rest are array kernels:

.. math::

    R_{c,s,u} = \\text{dispatch} + \\text{turnout}_u + D_{c,s} / f_u,
    \\qquad
    B_{c,s,u} = R_{c,s,u} + \\text{on scene} + p_\\text{tr} \\, T_\\text{tr} + D_{c,s}

``R`` the response time of urgency ``u`` (``f_u`` the emergency speed factor) and ``B`` the
minutes a unit is busy with the mission (back at its station at normal speed). Unreachable
pairs are ``inf``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..network import RoadNetwork, shortest_minutes_to, snap
from ..region.model import Region
from .params import URGENCIES, EmsParams

__all__ = ["DriveTimes", "busy_minutes", "drive_minutes", "response_minutes"]

log = logging.getLogger("palveluverkko.ems")


@dataclass(frozen=True)
class DriveTimes:
    """Drive minutes from stations to cells at normal car speeds.

    Attributes
    ----------
    minutes
        ``(n_cells, n_stations)`` float64, ``inf`` where no road connects them.
    cell_reason, station_reason
        ``""`` where the point is linked to the network, else why not (see
        :data:`palveluverkko.network.snap.REASONS`).
    """

    minutes: np.ndarray
    cell_reason: np.ndarray
    station_reason: np.ndarray

    def unreachable_cells(self) -> np.ndarray:
        """Bool mask of cells that no station reaches."""
        return (
            ~np.isfinite(self.minutes).any(axis=1)
            if self.minutes.shape[1]
            else np.ones(self.minutes.shape[0], dtype=bool)
        )

    def subset(self, stations: np.ndarray) -> DriveTimes:
        """Only the given station columns."""
        return DriveTimes(
            self.minutes[:, stations], self.cell_reason, self.station_reason[stations]
        )


def drive_minutes(
    region: Region,
    station_xy: np.ndarray,
    cell_xy: np.ndarray,
    *,
    network: RoadNetwork | None = None,
    max_snap_distance_m: float = 2000.0,
    progress: Callable[[int, int], None] | None = None,
) -> DriveTimes:
    """Car drive minutes from each station to each cell point (module docstring).

    Parameters
    ----------
    region
        Its road network is used (``RoadNetwork.for_region(region, "car")``).
    station_xy, cell_xy
        ``(m, 2)`` and ``(n, 2)`` points in the region's CRS.
    network
        A car network already built for the region (saves building it again).
    max_snap_distance_m
        Farthest straight-line access leg (a 1 km cell's point may lie off the road).
    progress
        ``progress(done, total)`` over station batches.
    """
    net = network if network is not None else RoadNetwork.for_region(region, "car")
    cells = snap(net, cell_xy, max_distance_m=max_snap_distance_m)
    stations = snap(net, station_xy, max_distance_m=max_snap_distance_m)
    n, m = len(cells), len(stations)
    out = np.full((n, m), np.inf)
    rows = np.flatnonzero(cells.ok)
    cols = np.flatnonzero(stations.ok)
    if len(rows) and len(cols):
        nodes, inverse = np.unique(stations.node[cols], return_inverse=True)
        batch = 32
        for start in range(0, len(nodes), batch):
            d = shortest_minutes_to(
                net.indptr,
                net.indices,
                net.minutes,
                nodes[start : start + batch],
                cells.node[rows],
                prepared=net.prepared,
            )  # (batch, cells)
            sel = np.flatnonzero((inverse >= start) & (inverse < start + batch))
            block = d[inverse[sel] - start].T + cells.access_minutes[rows][:, None]
            out[np.ix_(rows, cols[sel])] = block + stations.access_minutes[cols[sel]][None, :]
            if progress is not None:
                progress(min(start + batch, len(nodes)), len(nodes))
    n_bad = int((~cells.ok).sum())
    if n_bad:
        log.info("ems: %d of %d cells are not linked to the car network", n_bad, n)
    return DriveTimes(out, cells.reason, stations.reason)


def response_minutes(drive: np.ndarray, params: EmsParams) -> np.ndarray:
    """``(n_cells, n_stations, 4)`` response minutes per urgency A-D (module docstring)."""
    d = np.asarray(drive, dtype=np.float64)
    off = np.array([params.response_offset_min(u) for u in URGENCIES])
    fac = np.array([params.speed_factor[u] for u in URGENCIES])
    return off[None, None, :] + d[:, :, None] / fac[None, None, :]


def busy_minutes(drive: np.ndarray, urgency_mix: np.ndarray, params: EmsParams) -> np.ndarray:
    """``(n_cells, n_stations)`` mean minutes a unit is busy with a mission of the cell.

    ``urgency_mix`` is ``(n_cells, 4)`` shares of urgencies A-D (rows sum to 1 or 0).
    """
    resp = response_minutes(drive, params)
    mix = np.asarray(urgency_mix, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        mean_resp = np.einsum("csu,cu->cs", np.where(np.isfinite(resp), resp, 0.0), mix)
    fixed = params.on_scene_min + params.transport_share * params.transport_and_handover_min
    out = mean_resp + fixed + np.asarray(drive, dtype=np.float64)
    out[~np.isfinite(drive)] = np.inf
    return out


def urgency_mix(missions: np.ndarray) -> np.ndarray:
    """Row shares of ``(n_cells, 4)`` missions (zeros where a cell has none)."""
    m = np.asarray(missions, dtype=np.float64)
    tot = m.sum(axis=1, keepdims=True)
    return np.divide(m, tot, out=np.zeros_like(m), where=tot > 0)


def drive_frame(drive: DriveTimes, cell_ids: np.ndarray, station_ids: np.ndarray) -> pd.DataFrame:
    """Long table ``cell_id, station_id, drive_minutes`` of the finite entries."""
    r, c = np.nonzero(np.isfinite(drive.minutes))
    return pd.DataFrame(
        {
            "cell_id": np.asarray(cell_ids)[r],
            "station_id": np.asarray(station_ids)[c],
            "drive_minutes": drive.minutes[r, c],
        }
    )
