"""``evaluate(region, scenario) -> Evaluation``: the named stages of :mod:`.stages` and
:mod:`.figures`, chained.

The walk of one scenario through the stages::

    prepare            scenario applied; sites (today's, then new); matrices aligned to them
    demand_stage       contacts per cell, service and age band in the year; channel split
    channel_stages     digital, home, mobile: what each serves, what it hands back to sites
    capacity_transfer  capacity and staff of a dropped service follow its demand (or are cut)
    allocation_stage   site contacts to sites by mode mix; nearest site per mode; capacity
    indicator_stage    shares within 10/20/30 min, means, worst trips; municipality rule; equity
    catchment_stage    2SFCA and E2SFCA
    cells_stage        one row per cell and service
    sites_stage        one row per site and service (status open, new, closed, service_dropped)
    losers_stage       residents whose nearest site closes or trip gets longer
    travel_stage       per cell, band and service: minutes and km for the cost model
    channels_stage     contacts per municipality, service and channel (conservation)
    digital_stage      digital reach by age band and broadband class, remote staff
    package_stage      one-contact packages: nearest full-package site, shares within
    staff_stage        staff per site today and in the scenario
    capacity_stage     weekly demand against capacity: waits, share within the access target
    costs_stage        costs per year and payer

Travel-time matrices must cover the region's sites *and* the scenario's new sites (columns are
matched by id); without them :func:`evaluate` routes the available modes to them
(:func:`palveluverkko.network.route`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd
from threadpoolctl import threadpool_limits

from .figures import (
    capacity_stage,
    catchment_stage,
    cells_stage,
    channels_stage,
    costs_stage,
    indicator_stage,
    losers_stage,
    sites_stage,
    travel_stage,
    unserved_stage,
)
from .homecare import home_care_stage
from .reach import digital_stage, package_stage, staff_stage
from .result import EvaluateOptions, Evaluation
from .stages import (
    allocation_stage,
    capacity_transfer_stage,
    channel_stages,
    demand_stage,
    prepare,
)

if TYPE_CHECKING:
    from ..network.routing import ModeProgress
    from ..network.types import TravelTimes
    from ..region.model import Region
    from ..scenario import Scenario

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["evaluate"]


STAGES = (
    "demand",
    "channels",
    "allocation",
    "indicators",
    "catchments",
    "cells",
    "travel",
    "capacity",
    "digital",
    "home_care",
    "packages",
    "staff",
    "costs",
)
"""The stages an evaluation reports as progress (``home_care`` only with its routes)."""


def _stepper(
    on_stage: Callable[[int, int, str], None] | None, stages: tuple[str, ...]
) -> Callable[[str], None]:
    """``step(stage)`` reports ``(its index, len(stages), stage)`` and logs it; ``step("")``
    reports the end ``(len(stages), len(stages), "")``."""
    total = len(stages)

    def step(stage: str) -> None:
        done = stages.index(stage) if stage else total
        if stage:
            log.info("evaluate: stage %d/%d %s", done + 1, total, stage)
        if on_stage is not None:
            on_stage(done, total, stage)

    return step


# One BLAS thread: the evaluation's BLAS calls are dot products and matrix-vector products of a
# cell's length, which OpenBLAS splits over threads that cost more than they save (the demo's
# two evaluations took 2.4 s of CPU each instead of 4.2-6.7, and the sums no longer depend on
# the machine's number of cores).
@threadpool_limits.wrap(limits=1, user_api="blas")
def evaluate(
    region: Region,
    scenario: Scenario | None = None,
    *,
    travel_times: Mapping[str, TravelTimes] | None = None,
    year: int | None = None,
    options: EvaluateOptions | None = None,
    progress: ModeProgress | None = None,
    on_stage: Callable[[int, int, str], None] | None = None,
) -> Evaluation:
    """Evaluate ``scenario`` (default: today's network) on ``region``.

    Parameters
    ----------
    region
        The region as it is (the baseline).
    scenario
        The proposed change; None = the base network.
    travel_times
        A :class:`~palveluverkko.network.TravelTimeSet` (or ``{"car": TravelTimes, ...}``)
        covering the region's sites and the scenario's new sites; None = routed here.
    year
        Overrides ``scenario.year``; default the base year.
    options
        :class:`EvaluateOptions`.
    progress
        ``(mode, done, total)`` while travel times are routed (only without ``travel_times``).
    on_stage
        ``(done, total, stage)`` before each stage (and ``(total, total, "")`` at the end), so
        that a long evaluation is not silent.

    Returns
    -------
    Evaluation

    Raises
    ------
    ScenarioError
        When the scenario does not fit the region (see :meth:`Scenario.apply`).
    InputError
        When the matrices do not match the region, or the projection lacks the year.
    """
    setting = prepare(
        region,
        scenario,
        travel_times=travel_times,
        year=year,
        options=options,
        progress=progress,
    )
    routed = setting.options.home_care_routes
    step = _stepper(on_stage, tuple(s for s in STAGES if routed or s != "home_care"))
    step("demand")
    demand = demand_stage(setting)
    step("channels")
    outcomes = channel_stages(setting, demand)
    setting, transfers = capacity_transfer_stage(setting, demand, outcomes)
    step("allocation")
    alloc = allocation_stage(setting, demand, outcomes)
    step("indicators")
    indicators = indicator_stage(setting, demand, alloc)
    step("catchments")
    catchments = catchment_stage(setting, demand, alloc)
    step("cells")
    cells = cells_stage(setting, demand, alloc, catchments)
    sites = sites_stage(setting, demand, alloc, catchments)
    losers = losers_stage(setting, demand, alloc)
    step("travel")
    travel = travel_stage(setting, demand, alloc)
    channels = channels_stage(setting, demand, alloc, outcomes)
    step("capacity")
    capacity = capacity_stage(setting, demand, sites)
    mobile_stops = next((o.table for o in outcomes if o.channel == "mobile"), None)
    mobile_timetable = next(
        (o.extra["mobile_timetable"] for o in outcomes if "mobile_timetable" in o.extra), None
    )
    step("digital")
    digital = digital_stage(setting, demand)
    if routed:
        step("home_care")
    home_care = (
        home_care_stage(setting, seed=setting.options.home_care_seed) if routed else pd.DataFrame()
    )
    step("packages")
    packages = package_stage(setting, demand, alloc)
    step("staff")
    staff = staff_stage(sites, setting)
    digital_fte = float(digital["remote_staff_fte"].sum()) if not digital.empty else 0.0
    step("costs")
    costs = costs_stage(setting, travel, cells, mobile_stops, digital_fte)
    step("")
    notes: list[str] = []
    rough = cells.loc[cells["approximate"]].drop_duplicates("cell_id")
    if len(rough):
        notes.append(
            f"APPROXIMATE: car times of {len(rough)} cells ({rough['residents'].sum():,.0f} "
            "residents) are straight-line estimates (no road data reaches them; circuity and "
            "speeds of network.straight_line); cells.parquet marks them (approximate)"
        )
    if "transit" not in setting.matrices:
        notes.append("no public-transport matrix: transit indicators are empty (NaN)")
    notes.extend(costs.attrs.get("notes", []))
    return Evaluation(
        region=setting.region,
        base_region=region,
        scenario=setting.scenario,
        year=setting.year,
        cells=cells,
        sites=sites,
        municipalities=indicators.municipalities,
        bands=indicators.bands,
        settlements=indicators.settlements,
        summary_table=indicators.summary,
        equity=indicators.equity,
        travel=travel,
        losers=losers,
        capacity=capacity,
        costs=costs,
        modes=tuple(setting.matrices),
        notes=tuple(notes),
        flows=alloc.flows,
        unserved=unserved_stage(cells),
        channels=channels,
        transfers=transfers,
        unreachable=setting.unreachable,
        approximate=setting.approximate,
        mobile_stops=mobile_stops if mobile_stops is not None else pd.DataFrame(),
        mobile_timetable=mobile_timetable if mobile_timetable is not None else pd.DataFrame(),
        home_care=home_care,
        digital=digital,
        packages=packages,
        staff=staff,
        matrices=setting.matrices,
        site_ids=setting.site_ids,
    )
