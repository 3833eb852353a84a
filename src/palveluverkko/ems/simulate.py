"""A year of missions and units as a discrete-event simulation (SimPy).

Rules (the same as the analytic model of :mod:`.coverage` where it can be):

* Missions arrive at their alarm times (a history, or :func:`draw_missions` from yearly rates
  and the rhythm of the week).
* A unit is *available* when it is on duty (its shift's hours) and idle at its station. The
  nearest available unit by drive time is dispatched; a mission that no station reaches by road
  is counted *not reachable* and dispatches nothing.
* When no unit is available the mission waits in a queue (urgency A before B before C before D,
  then first come); a unit that becomes available (back at its station, or at the start of its
  shift) takes the first queued mission it can reach. The response time of a queued mission
  includes its wait.
* A dispatched unit is busy for the response time, the time on scene (gamma, shape 2, mean
  ``on_scene_min``), with probability ``transport_share`` a transport and handover (gamma,
  shape 4, mean ``transport_and_handover_min``), and the drive back at normal speed. A unit whose
  shift ends while busy finishes its mission.

Seeded: the same inputs and seed give the same year.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from .params import HOURS_PER_WEEK, URGENCIES, EmsParams

__all__ = ["SimulationResult", "draw_missions", "simulate_year"]


def draw_missions(
    yearly: np.ndarray, hour_weight: np.ndarray, seed: int, *, days: int = 365
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Missions of ``days`` days from yearly rates: ``(minute, cell, urgency)`` sorted by minute.

    Counts per cell and urgency are Poisson with mean ``yearly * days / 365``; each mission's
    hour of the week is drawn by ``hour_weight``, its week uniformly and its minute within the
    hour uniformly (the first minute of the year is Monday 00:00).
    """
    rng = np.random.default_rng([seed, 185])
    lam = np.asarray(yearly, dtype=np.float64) * days / 365.0
    counts = rng.poisson(lam)
    cell, urg = np.nonzero(counts)
    reps = counts[cell, urg]
    cell = np.repeat(cell, reps)
    urg = np.repeat(urg, reps)
    w = np.asarray(hour_weight, dtype=np.float64)
    how = rng.choice(HOURS_PER_WEEK, size=cell.size, p=w / w.sum())
    n_weeks = days / 7.0
    week = np.floor(rng.uniform(0, n_weeks, size=cell.size))
    minute = (week * HOURS_PER_WEEK + how) * 60.0 + rng.uniform(0, 60, size=cell.size)
    keep = minute < days * 24 * 60
    order = np.argsort(minute[keep], kind="stable")
    return (
        minute[keep][order],
        cell[keep][order].astype(np.int64),
        urg[keep][order].astype(np.int64),
    )


@dataclass(frozen=True)
class SimulationResult:
    """One simulated year.

    Attributes
    ----------
    missions
        One row per mission: ``minute`` (from the start), ``cell``, ``urgency``, ``unit`` (-1
        when not reachable), ``wait_minutes``, ``response_minutes`` (``inf`` when not
        reachable), ``busy_minutes``.
    unit_busy
        ``(n_units,)`` busy minutes of each unit over the run.
    unit_on_duty
        ``(n_units,)`` minutes on duty of each unit over the run.
    days
        Length of the run.
    """

    missions: pd.DataFrame
    unit_busy: np.ndarray
    unit_on_duty: np.ndarray
    days: float

    def busy_fraction(self) -> np.ndarray:
        """Busy minutes over minutes on duty, per unit (busy time past a shift's end included)."""
        return np.divide(
            self.unit_busy,
            self.unit_on_duty,
            out=np.zeros_like(self.unit_busy),
            where=self.unit_on_duty > 0,
        )

    def share_within(
        self, cell_class: np.ndarray, urgencies: tuple[str, ...], minutes: float
    ) -> pd.DataFrame:
        """Share (``mean``) and count (``size``) of missions of ``urgencies`` reached within
        ``minutes``, by class index; not reachable or still queued missions are not reached."""
        m = self.missions
        sel = m["urgency"].isin([URGENCIES.index(u) for u in urgencies]).to_numpy()
        cls = np.asarray(cell_class)[m["cell"].to_numpy()[sel]]
        ok = (m["response_minutes"].to_numpy()[sel] <= minutes).astype(np.float64)
        frame = pd.DataFrame({"cls": cls, "ok": ok})
        return frame.groupby("cls")["ok"].agg(["mean", "size"])

    def summary(self) -> str:
        """Missions, not reachable, queued, median and 90th percentile response."""
        m = self.missions
        r = m["response_minutes"].to_numpy()
        fin = r[np.isfinite(r)]
        med, p90 = np.percentile(fin, [50, 90]) if fin.size else (np.nan, np.nan)
        return (
            f"simulated {self.days:g} days: {len(m)} missions, "
            f"{int((~np.isfinite(r)).sum())} not reachable, {int((m['wait_minutes'] > 0).sum())} "
            f"queued; response median {med:.1f} min, 90th percentile {p90:.1f} min; mean unit "
            f"busy fraction {self.busy_fraction().mean():.3f}"
        )


def simulate_year(
    minute: np.ndarray,
    cell: np.ndarray,
    urgency: np.ndarray,
    drive: np.ndarray,
    resp: np.ndarray,
    unit_station: np.ndarray,
    on_week: np.ndarray,
    params: EmsParams,
    *,
    seed: int = 0,
    days: float | None = None,
    start_hour_of_week: int = 0,
) -> SimulationResult:
    """Simulate missions against units (rules in the module docstring).

    Parameters
    ----------
    minute, cell, urgency
        Missions sorted by ``minute`` (from the start of the run), their cell and urgency index.
    drive
        ``(n_cells, n_stations)`` drive minutes at normal speed (``inf`` unreachable).
    resp
        ``(n_cells, n_stations, 4)`` response minutes per urgency.
    unit_station, on_week
        Each unit's station and ``(n_units, 168)`` hours on duty.
    params
        Service-time parameters.
    seed
        Seed of the service-time draws.
    days
        Length of the run (default: up to the last mission's day).
    start_hour_of_week
        Hour of the week at minute 0 (0 = Monday 00:00).
    """
    rng = np.random.default_rng([seed, 186])
    minute = np.asarray(minute, dtype=np.float64)
    n_m = minute.size
    n_units = len(unit_station)
    if days is None:
        days = float(np.ceil(minute.max() / 1440.0)) if n_m else 1.0
    horizon = days * 1440.0
    on_scene = rng.gamma(2.0, params.on_scene_min / 2.0, size=n_m)
    transports = rng.uniform(size=n_m) < params.transport_share
    transport = np.where(
        transports, rng.gamma(4.0, params.transport_and_handover_min / 4.0, size=n_m), 0.0
    )
    unit_drive = np.asarray(drive, dtype=np.float64)[:, unit_station]  # (cells, units)
    reachable_cell: np.ndarray = np.asarray(np.isfinite(unit_drive).any(axis=1), dtype=bool)

    env = simpy.Environment()
    idle = np.ones(n_units, dtype=bool)
    on_now = np.zeros(n_units, dtype=bool)
    queue: list[tuple[int, float, int]] = []  # (urgency, minute, mission)
    out_unit = np.full(n_m, -1, dtype=np.int64)
    out_wait = np.zeros(n_m)
    out_resp = np.full(n_m, np.inf)
    out_busy = np.zeros(n_m)
    unit_busy = np.zeros(n_units)
    unit_on = np.zeros(n_units)

    def start(k: int, j: int) -> None:
        s = unit_station[j]
        wait = env.now - minute[k]
        r = resp[cell[k], s, urgency[k]]
        busy = r + on_scene[k] + transport[k] + drive[cell[k], s]
        out_unit[k], out_wait[k], out_resp[k], out_busy[k] = j, wait, wait + r, busy
        idle[j] = False
        unit_busy[j] += busy
        env.process(release(j, busy))

    def take_from_queue(j: int) -> None:
        """Unit ``j`` takes the first queued mission it reaches."""
        skipped = []
        while queue:
            item = heapq.heappop(queue)
            if np.isfinite(unit_drive[cell[item[2]], j]):
                start(item[2], j)
                break
            skipped.append(item)
        for item in skipped:
            heapq.heappush(queue, item)

    def release(j: int, busy: float):  # type: ignore[no-untyped-def]
        yield env.timeout(busy)
        idle[j] = True
        if on_now[j]:
            take_from_queue(j)

    def clock():  # type: ignore[no-untyped-def]
        hour = 0
        while hour * 60.0 < horizon:
            how = (start_hour_of_week + hour) % HOURS_PER_WEEK
            now_on = on_week[:, how]
            newly = np.flatnonzero(now_on & ~on_now)
            on_now[:] = now_on
            unit_on[now_on] += min(60.0, horizon - hour * 60.0)
            for j in newly.tolist():
                if idle[j] and queue:
                    take_from_queue(int(j))
            hour += 1
            yield env.timeout(60.0)

    def arrivals():  # type: ignore[no-untyped-def]
        for k in range(n_m):
            delay = minute[k] - env.now
            if delay > 0:
                yield env.timeout(delay)
            c = cell[k]
            if not reachable_cell[c]:
                continue
            free = np.flatnonzero(idle & on_now & np.isfinite(unit_drive[c]))
            if free.size:
                start(k, int(free[np.argmin(unit_drive[c, free])]))
            else:
                heapq.heappush(queue, (int(urgency[k]), float(minute[k]), k))

    env.process(clock())
    env.process(arrivals())
    env.run(until=horizon + 1e-9)
    # missions still queued at the end of the run have waited until then (counted, not dropped)
    for _, t0, k in queue:
        out_wait[k] = horizon - t0
    frame = pd.DataFrame(
        {
            "minute": minute,
            "cell": np.asarray(cell, dtype=np.int64),
            "urgency": np.asarray(urgency, dtype=np.int64),
            "unit": out_unit,
            "wait_minutes": out_wait,
            "response_minutes": out_resp,
            "busy_minutes": out_busy,
        }
    )
    return SimulationResult(frame, unit_busy, unit_on, float(days))
