"""Emergency care of a region against its service-level decision: :func:`evaluate_ems`.

The adapter from a Region to the kernels of :mod:`.grid`, :mod:`.response`, :mod:`.coverage`
and :mod:`.simulate`; the CLI only calls it. Placement is :mod:`.placement`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError
from ..network import RoadNetwork
from ..region.model import Region
from .coverage import CoverageArrays, hypercube_week
from .fleet import Fleet, default_fleet
from .grid import RiskGrid, risk_grid
from .params import CLASSES, HOURS_PER_WEEK, URGENCIES, EmsParams, Target, default_params
from .response import DriveTimes, busy_minutes, drive_minutes, response_minutes, urgency_mix
from .simulate import SimulationResult, draw_missions, simulate_year
from .texts import class_name, text

__all__ = ["EmsEvaluation", "criteria", "evaluate_ems"]

log = logging.getLogger("palveluverkko.ems")

Progress = Callable[[int, int], None]


def criteria(params: EmsParams) -> list[tuple[int, float, int]]:
    """(urgency index, minutes, target line) for every urgency of every target line."""
    return [
        (URGENCIES.index(u), t.minutes, i)
        for i, t in enumerate(params.targets)
        for u in t.urgencies
    ]


@dataclass(frozen=True)
class EmsEvaluation:
    """Emergency care of a region against its service-level decision.

    Attributes
    ----------
    grid, fleet, params
        The inputs.
    decision
        Per target line and class: ``line, urgencies, minutes, risk_class, target_share,
        missions, within, late, not_reachable, share_within`` (hypercube approximation),
        ``share_mexclp``, ``share_mexclp_units``, ``share_single``, ``share_double``,
        ``residents``, ``residents_share_within``, ``met``; missions are yearly and every
        mission is within, late or not reachable.
    missions
        Per class, urgency and target line: the same counts per urgency.
    cells
        The grid's cells with the nearest station's drive minutes and, per target line, the
        expected share within (``within_<k>``).
    units
        ``unit_id, station_id, shift, hours_per_year, busy_fraction``.
    unreachable
        Cells no station reaches by road: ``cell_id, risk_class, residents, missions, reason``.
    distribution
        ``risk_class, urgency, minutes, share_within`` (cumulative analytic distribution).
    percentiles
        Per class and urgency: yearly missions, median and 90th percentile response minutes,
        analytic (from the hypercube approximation's distribution; ``inf`` when the percentile
        falls among queued or unreached missions) and simulated (with a simulation).
    comparison
        Analytic against simulated share per target line and class (with a simulation).
    resources
        Unit-hours, FTE and cost a year.
    """

    grid: RiskGrid
    fleet: Fleet
    params: EmsParams
    decision: pd.DataFrame
    missions: pd.DataFrame
    cells: pd.DataFrame
    units: pd.DataFrame
    unreachable: pd.DataFrame
    distribution: pd.DataFrame
    percentiles: pd.DataFrame
    resources: dict[str, float]
    hours: pd.DataFrame
    comparison: pd.DataFrame | None = None
    simulation: SimulationResult | None = field(default=None, repr=False)

    def decision_table(self, lang: str = "fi") -> pd.DataFrame:
        """The decision as a county adopts it: one row per class, target and result per line."""
        d = self.decision
        out = pd.DataFrame({text("risk_class", lang): [class_name(c, lang) for c in CLASSES]})
        for k, t in enumerate(self.params.targets):
            rows = d[d["line"] == k].set_index("risk_class").reindex(list(CLASSES))
            label = text("line", lang, urgency="/".join(t.urgencies), minutes=f"{t.minutes:g}")
            out[f"{label}: {text('target', lang)} %"] = (rows["target_share"] * 100).round(0).values
            out[f"{label}: {text('result', lang)} %"] = (rows["share_within"] * 100).round(1).values
        return out

    def params_keeping_today(self, margin: float = 0.01) -> EmsParams:
        """The parameters with targets set to today's shares less ``margin``: the decision a
        least-cost placement must keep to hold today's service level (each line and class;
        0 where a class has no missions)."""
        targets = []
        for k, t in enumerate(self.params.targets):
            rows = self.decision[self.decision["line"] == k].set_index("risk_class")
            share = {}
            for c in CLASSES:
                got = rows.loc[c, "share_within"] if rows.loc[c, "missions"] > 0 else 0.0
                share[c] = max(math.floor((float(got) - margin) * 1000) / 1000, 0.0)
            targets.append(Target(t.urgencies, t.minutes, share))
        return dataclasses.replace(self.params, targets=tuple(targets))

    def summary(self) -> str:
        """The decision table in short, resources and what the figures rest on."""
        lines = [
            f"Emergency care: {self.fleet.summary()}; {self.resources['unit_hours']:.0f} "
            f"unit-hours/yr, {self.resources['fte']:.1f} FTE, "
            f"EUR {self.resources['cost_eur']:,.0f}/yr",
            self.grid.summary(),
        ]
        for r in self.decision.itertuples():
            if r.missions <= 0:
                continue
            lines.append(
                f"  {r.urgencies} {r.minutes:g} min {r.risk_class:<11} target {r.target_share:4.0%}"
                f"  result {r.share_within:6.1%} (MEXCLP {r.share_mexclp:6.1%}, double "
                f"{r.share_double:6.1%})  {'met' if r.met else 'NOT met'}; missions "
                f"{r.missions:.0f} = {r.within:.0f} within + {r.late:.0f} late + "
                f"{r.not_reachable:.0f} not reachable"
            )
        if len(self.unreachable):
            lines.append(
                f"  not reachable: {len(self.unreachable)} cells "
                f"({', '.join(self.unreachable['cell_id'].head(5))}"
                f"{', ...' if len(self.unreachable) > 5 else ''})"
            )
        pc = self.percentiles
        core_ab = pc[(pc["risk_class"] == "core_urban") & pc["urgency"].isin(["A", "B"])]
        if len(core_ab):
            w = core_ab["missions"].to_numpy()
            lines.append(
                "  core urban A/B response (analytic, mission-weighted mean of A and B): median "
                f"{np.average(core_ab['analytic_median'], weights=w):.1f} min, 90th percentile "
                f"{np.average(core_ab['analytic_p90'], weights=w):.1f} min (national 2022: 6.9 "
                "and 11.5 min, DOMAIN.md)"
            )
        if self.comparison is not None:
            worst = self.comparison["difference_pp"].abs().max()
            lines.append(f"  analytic vs simulated: largest difference {worst:.1f} pp")
        if self.grid.missions_estimated:
            lines.append("  " + text("estimated", "en"))
        return "\n".join(lines)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (for CSV and Excel)."""
        out = {
            "decision": self.decision,
            "missions": self.missions,
            "cells": self.cells,
            "units": self.units,
            "unreachable": self.unreachable,
            "distribution": self.distribution,
            "percentiles": self.percentiles,
            "hours": self.hours,
            "resources": pd.DataFrame([self.resources]),
        }
        if self.comparison is not None:
            out["comparison"] = self.comparison
        return out


def _count_table(
    grid: RiskGrid, cov: CoverageArrays, crit: list[tuple[int, float, int]], unreach: np.ndarray
) -> pd.DataFrame:
    """Per class, urgency and line: missions = within + late + not reachable."""
    y = grid.missions()
    cls = grid.class_index()
    rows = []
    for ci, (u, minutes, line) in enumerate(crit):
        for k, c in enumerate(CLASSES):
            sel = cls == k
            m = y[sel, u]
            total = float(m.sum())
            within = float((m * cov.hypercube[sel, ci]).sum())
            nr = float(m[unreach[sel]].sum())
            rows.append(
                {
                    "line": line,
                    "risk_class": c,
                    "urgency": URGENCIES[u],
                    "minutes": minutes,
                    "missions": total,
                    "within": within,
                    "late": max(total - within - nr, 0.0),
                    "not_reachable": nr,
                    "mexclp": float((m * cov.mexclp[sel, ci]).sum()),
                    "mexclp_units": float((m * cov.mexclp_units[sel, ci]).sum()),
                    "single": float((m * cov.single[sel, ci]).sum()),
                    "double": float((m * cov.double[sel, ci]).sum()),
                }
            )
    return pd.DataFrame(rows)


def _decision(
    params: EmsParams,
    grid: RiskGrid,
    counts: pd.DataFrame,
    cov: CoverageArrays,
    crit: list[tuple[int, float, int]],
) -> tuple[pd.DataFrame, np.ndarray]:
    cls = grid.class_index()
    residents = grid.cells["residents"].to_numpy(dtype=np.float64)
    rows = []
    per_line = np.zeros((len(grid.cells), len(params.targets)))
    for k, t in enumerate(params.targets):
        cis = [i for i, c in enumerate(crit) if c[2] == k]
        per_line[:, k] = cov.hypercube[:, cis].mean(axis=1)
        g = counts[counts["line"] == k].groupby("risk_class", sort=False).sum(numeric_only=True)
        for kk, c in enumerate(CLASSES):
            r = g.loc[c]
            sel = cls == kk
            res = float(residents[sel].sum())
            share = r["within"] / r["missions"] if r["missions"] > 0 else math.nan
            rows.append(
                {
                    "line": k,
                    "urgencies": "/".join(t.urgencies),
                    "minutes": t.minutes,
                    "risk_class": c,
                    "target_share": t.share[c],
                    "missions": r["missions"],
                    "within": r["within"],
                    "late": r["late"],
                    "not_reachable": r["not_reachable"],
                    "share_within": share,
                    "share_mexclp": r["mexclp"] / r["missions"] if r["missions"] > 0 else math.nan,
                    "share_mexclp_units": r["mexclp_units"] / r["missions"]
                    if r["missions"] > 0
                    else math.nan,
                    "share_single": r["single"] / r["missions"] if r["missions"] > 0 else math.nan,
                    "share_double": r["double"] / r["missions"] if r["missions"] > 0 else math.nan,
                    "residents": res,
                    "residents_share_within": float((residents[sel] * per_line[sel, k]).sum() / res)
                    if res > 0
                    else math.nan,
                    "met": bool(share >= t.share[c]) if r["missions"] > 0 else True,
                }
            )
    return pd.DataFrame(rows), per_line


def _hist_percentile(h: np.ndarray, q: float, bin_width: float) -> float:
    """The ``q`` quantile of a histogram whose last two bins are beyond the range (linear within
    a bin); ``inf`` when it falls beyond the range."""
    total = h.sum()
    if total <= 0:
        return math.nan
    cum = np.cumsum(h[:-2]) / total
    b = int(np.searchsorted(cum, q))
    if b >= cum.size:
        return math.inf
    before = cum[b - 1] if b > 0 else 0.0
    frac = (q - before) / max(cum[b] - before, 1e-15)
    return (b + frac) * bin_width


def _percentiles(grid: RiskGrid, cov: CoverageArrays, sim: SimulationResult | None) -> pd.DataFrame:
    rows = []
    y = grid.missions()
    cls = grid.class_index()
    for k, c in enumerate(CLASSES):
        for u, urg in enumerate(URGENCIES):
            m = float(y[cls == k, u].sum())
            if m <= 0:
                continue
            row: dict[str, object] = {
                "risk_class": c,
                "urgency": urg,
                "missions": m,
                "analytic_median": _hist_percentile(cov.histogram[k, u], 0.5, cov.bin_width),
                "analytic_p90": _hist_percentile(cov.histogram[k, u], 0.9, cov.bin_width),
            }
            if sim is not None:
                sm = sim.missions
                sel = (sm["urgency"].to_numpy() == u) & (cls[sm["cell"].to_numpy()] == k)
                r = sm["response_minutes"].to_numpy()[sel]
                row["simulated_median"] = float(np.percentile(r, 50)) if r.size else math.nan
                row["simulated_p90"] = float(np.percentile(r, 90)) if r.size else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _distribution(cov: CoverageArrays) -> pd.DataFrame:
    hist = cov.histogram
    n_bins = hist.shape[2] - 2
    rows = []
    for k, c in enumerate(CLASSES):
        for u, urg in enumerate(URGENCIES):
            h = hist[k, u]
            total = h.sum()
            if total <= 0:
                continue
            cum = np.cumsum(h[:n_bins]) / total
            for minutes in range(1, int(n_bins * cov.bin_width) + 1):
                b = int(minutes / cov.bin_width) - 1
                rows.append(
                    {"risk_class": c, "urgency": urg, "minutes": minutes, "share_within": cum[b]}
                )
    return pd.DataFrame(rows)


def _mission_arrays(
    grid: RiskGrid, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float]:
    """(minute, cell, urgency, start hour of week, days) from the history or drawn from rates."""
    if grid.history is not None and len(grid.history):
        h = grid.history.sort_values("time", kind="stable")
        t = pd.to_datetime(h["time"])
        t0 = t.min().normalize()
        minute = ((t - t0).dt.total_seconds() / 60.0).to_numpy()
        start_how = int(t0.day_of_week) * 24
        days = float(math.ceil(minute.max() / 1440.0 + 1e-9))
        urg = pd.Categorical(h["urgency"], categories=list(URGENCIES)).codes.astype(np.int64)
        return minute, h["cell"].to_numpy(np.int64), urg, start_how, days
    minute, cell, urg = draw_missions(grid.missions(), grid.hour_of_week, seed)
    return minute, cell, urg, 0, 365.0


def _comparison(
    params: EmsParams,
    grid: RiskGrid,
    decision: pd.DataFrame,
    sim: SimulationResult,
) -> pd.DataFrame:
    cls = grid.class_index()
    rows = []
    for k, t in enumerate(params.targets):
        s = sim.share_within(cls, t.urgencies, t.minutes)
        for kk, c in enumerate(CLASSES):
            if kk not in s.index:
                continue
            a = decision[(decision["line"] == k) & (decision["risk_class"] == c)]
            analytic = float(a["share_within"].iloc[0])
            simulated = float(s.loc[kk, "mean"])
            rows.append(
                {
                    "line": k,
                    "urgencies": "/".join(t.urgencies),
                    "minutes": t.minutes,
                    "risk_class": c,
                    "simulated_missions": int(s.loc[kk, "size"]),
                    "analytic_share": analytic,
                    "simulated_share": simulated,
                    "difference_pp": (analytic - simulated) * 100.0,
                }
            )
    return pd.DataFrame(rows)


def evaluate_ems(
    region: Region,
    params: EmsParams | None = None,
    *,
    stations: Fleet | None = None,
    missions: pd.DataFrame | None = None,
    years: float | None = None,
    risk_areas: pd.DataFrame | None = None,
    grid: RiskGrid | None = None,
    drive: DriveTimes | None = None,
    network: RoadNetwork | None = None,
    simulate: bool = False,
    seed: int = 0,
    progress: Progress | None = None,
) -> EmsEvaluation:
    """Evaluate emergency care of ``region`` against the service-level decision.

    Parameters
    ----------
    region
        The region.
    params
        Parameters (default :func:`~.params.default_params`).
    stations
        Stations and their units per shift (default: :func:`~.fleet.default_fleet`, an ASSUMED
        fleet).
    missions
        A mission history (:func:`~.missions.read_missions`); else missions are estimated.
    years
        Years the history covers (default its span).
    risk_areas
        A county's own risk-area classes (:func:`~.grid.read_risk_areas`).
    grid
        A risk grid already built (then ``missions``, ``years`` and ``risk_areas`` are not
        used).
    drive
        Drive minutes from the fleet's stations to the grid's cells, already computed.
    network
        The region's car network, already built.
    simulate
        Also simulate a year (SimPy) and compare it with the analytic shares.
    seed
        Seed of the simulation.
    progress
        ``progress(done, total)`` of the routing.
    """
    p = params or default_params()
    g = (
        grid
        if grid is not None
        else risk_grid(region, p, missions=missions, years=years, risk_areas=risk_areas)
    )
    f = (stations if stations is not None else default_fleet(region, p)).check(p)
    if len(f.stations) == 0 or f.counts().sum() == 0:
        raise InputError("emergency care: the fleet has no units; give stations with units")
    if drive is None:
        drive = drive_minutes(region, f.xy(), g.xy(), network=network, progress=progress)
    if drive.minutes.shape != (len(g.cells), len(f.stations)):
        raise InputError(
            f"drive minutes are {drive.minutes.shape}; expected (cells, stations) = "
            f"({len(g.cells)}, {len(f.stations)})"
        )
    y = g.missions()
    resp = response_minutes(drive.minutes, p)
    busy = busy_minutes(drive.minutes, urgency_mix(y), p)
    units = f.units()
    unit_station = units["station"].to_numpy(np.int64)
    on = f.on_duty(p)
    crit = criteria(p)
    cov = hypercube_week(
        resp,
        busy,
        drive.minutes,
        unit_station,
        on,
        y,
        g.hour_of_week,
        [(u, t) for u, t, _ in crit],
        g.class_index(),
    )
    unreach = drive.unreachable_cells()
    counts = _count_table(g, cov, crit, unreach)
    decision, per_line = _decision(p, g, counts, cov, crit)
    cells = g.cells.copy()
    cells["nearest_drive_minutes"] = drive.minutes.min(axis=1, initial=np.inf)
    for k in range(len(p.targets)):
        cells[f"within_{k}"] = per_line[:, k]
    on_hours = on.sum(axis=1).astype(np.float64)
    busy_frac = np.divide(
        cov.busy.sum(axis=0),
        on_hours,
        out=np.zeros(len(units)),
        where=on_hours > 0,
    )
    unit_table = units.assign(
        hours_per_year=[p.shifts[s].hours_per_year for s in units["shift"]],
        busy_fraction=busy_frac,
    )
    reason = np.asarray(drive.cell_reason, dtype=object)
    unreachable = cells.loc[unreach, ["cell_id", "risk_class", "residents", "missions"]].assign(
        reason=[r or "no station reaches it by road" for r in reason[unreach]]
    )
    hours = pd.DataFrame(
        cov.hours,
        columns=["units_on_duty", "mean_busy", "p_all_busy", "overload", "iterations"],
    )
    hours.insert(0, "hour_of_week", np.arange(HOURS_PER_WEEK))
    unit_hours = f.unit_hours_per_year(p)
    resources = {
        "unit_hours": unit_hours,
        "fte": unit_hours * p.fte_per_unit_hour(),
        "cost_eur": unit_hours * p.eur_per_unit_hour,
    }
    comparison = sim = None
    if simulate:
        minute, cell, urg, start_how, days = _mission_arrays(g, seed)
        sim = simulate_year(
            minute,
            cell,
            urg,
            drive.minutes,
            resp,
            unit_station,
            on,
            p,
            seed=seed,
            days=days,
            start_hour_of_week=start_how,
        )
        comparison = _comparison(p, g, decision, sim)
    return EmsEvaluation(
        grid=g,
        fleet=f,
        params=p,
        decision=decision,
        missions=counts,
        cells=cells,
        units=unit_table,
        unreachable=unreachable.reset_index(drop=True),
        distribution=_distribution(cov),
        percentiles=_percentiles(g, cov, sim),
        resources=resources,
        hours=hours,
        comparison=comparison,
        simulation=sim,
    )
