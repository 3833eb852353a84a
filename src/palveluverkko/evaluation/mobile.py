"""The mobile channel of an evaluation: the scenario's mobile units planned and scored.

:class:`MobileChannel` is the :class:`~.stages.ChannelStage` of the ``mobile`` channel. For each
``[[mobile_unit]]`` of the scenario it plans the unit's stops and timetable
(:func:`palveluverkko.channels.plan_mobile` on the scenario's network: the closed sites stay
available as candidate stops, the sites that still offer a service decide where a stop is
"beyond a site") and takes the contacts its stops serve out of the sites' demand. The contacts
of the catalogue's mobile share (``mobile_share``) that no unit serves go to the sites; a unit
serves first the mobile share, then site contacts. Per cell and service the served contacts are
spread over the age bands in proportion to the contacts they come from. The outcome's table has
one row per stop of every unit, with the unit's yearly figures (km, hours, cost).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .channels import ChannelOutcome

if TYPE_CHECKING:
    from ..channels.mobile import MobilePlan
    from ..scenario import MobileUnitEntry
    from .stages import DemandStage, Setting

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["TIMETABLE_COLUMNS", "UNIT_COLUMNS", "MobileChannel"]

UNIT_COLUMNS: tuple[str, ...] = (
    "unit",
    "stop_id",
    "name",
    "municipality",
    "residents_within",
    "served_per_year",
    "unit_km_per_year",
    "unit_hours_per_year",
    "unit_cost_eur_per_year",
)
"""Columns of the mobile channel's table (``Evaluation.mobile_stops``)."""

TIMETABLE_COLUMNS: tuple[str, ...] = (
    "unit",
    "shape",
    "stop_id",
    "stop_name",
    "week",
    "last_week",
    "weekday",
    "open",
    "close",
    "services",
)
"""Columns of ``Evaluation.mobile_timetable``: one row per visit of a day tour (``week`` of the
cycle, ``weekday`` 0 = Monday) or per stay of a rotation (``week`` to ``last_week``, ``weekday``
empty: every working day); ``open``/``close`` as HH:MM."""


@dataclass(frozen=True)
class MobileChannel:
    """The ``mobile`` channel: mobile-share contacts and the scenario's mobile units."""

    channel: str = "mobile"

    def run(self, setting: Setting, demand: DemandStage) -> ChannelOutcome:
        split = demand.split
        mobile = np.asarray(split.mobile, dtype=np.float64)
        physical = np.asarray(split.physical, dtype=np.float64)
        units = setting.scenario.mobile_units
        if not units:
            # nobody runs a unit: the mobile share is served at the sites
            return ChannelOutcome("mobile", np.zeros_like(mobile), mobile.copy(), True)
        served_cs = np.zeros(mobile.shape[:2])  # (n_cells, n_services)
        rows = []
        timetables = []
        for entry in units:
            plan = _plan(setting, entry)
            served_cs += _served_by_cell(plan.cells, setting, demand)
            timetables.append(_timetable(plan))
            f = plan.figures
            for _, stop in plan.stops.iterrows():
                rows.append(
                    {
                        "unit": plan.unit.name,
                        "stop_id": stop["stop_id"],
                        "name": stop["name"],
                        "municipality": stop["municipality"],
                        "residents_within": float(stop["residents_within"]),
                        "served_per_year": float(stop["served_per_year"]),
                        "unit_km_per_year": float(f["km_per_year"]),
                        "unit_hours_per_year": float(f["hours_per_year"]),
                        "unit_cost_eur_per_year": float(f["cost_eur_per_year"]),
                    }
                )
        available = mobile + physical
        total = available.sum(axis=2)
        served_cs = np.minimum(served_cs, total)  # never more than the cell's contacts
        with np.errstate(invalid="ignore", divide="ignore"):
            band_share = np.where(total[..., None] > 0, available / total[..., None], 0.0)
        served = served_cs[..., None] * band_share
        from_mobile = np.minimum(mobile, served)
        from_sites = served - from_mobile
        to_sites = (mobile - from_mobile) - from_sites
        table = pd.DataFrame(rows, columns=list(UNIT_COLUMNS))
        timetable = pd.concat(timetables, ignore_index=True)
        return ChannelOutcome(
            "mobile", served, to_sites, True, table, extra={"mobile_timetable": timetable}
        )


def _timetable(plan: MobilePlan) -> pd.DataFrame:
    """The plan's timetable in :data:`TIMETABLE_COLUMNS` (both shapes in one table)."""
    t = plan.timetable
    n = len(t)
    rotation = "first_week" in t.columns
    out = pd.DataFrame(
        {
            "unit": [plan.unit.name] * n,
            "shape": ["rotation" if rotation else "day_tour"] * n,
            "stop_id": t["stop_id"].astype(str).to_numpy(),
            "stop_name": t["stop_name"].astype(str).to_numpy(),
            "week": (t["first_week"] if rotation else t["week"]).astype("int64").to_numpy(),
            "last_week": (t["last_week"] if rotation else t["week"]).astype("int64").to_numpy(),
            "weekday": np.full(n, -1, dtype=np.int64)
            if rotation
            else t["weekday"].astype("int64").to_numpy(),
            "open": t["open"].astype(str).to_numpy(),
            "close": t["close"].astype(str).to_numpy(),
            "services": t["services"].astype(str).to_numpy(),
        },
        columns=list(TIMETABLE_COLUMNS),
    )
    return out.sort_values(["unit", "week", "weekday", "open"], kind="stable").reset_index(
        drop=True
    )


def _plan(setting: Setting, entry: MobileUnitEntry) -> MobilePlan:
    from ..channels.mobile import MobileParams
    from ..channels.mobile_region import plan_mobile
    from ..channels.unit import unit_from_dict

    unit = unit_from_dict(
        {"unit": dict(entry.unit), "stops": dict(entry.stops)},
        source="scenario mobile_unit",
    )
    # the scenario's services and site network, with today's sites kept as places (a closed
    # site stays a candidate stop)
    region = setting.region.replace(sites=setting.sites)
    return plan_mobile(
        region,
        unit,
        year=setting.year,
        seed=entry.seed,
        params=MobileParams(time_limit_s=entry.time_limit_s),
    )


def _served_by_cell(cells: pd.DataFrame, setting: Setting, demand: DemandStage) -> np.ndarray:
    """``(n_cells, n_services)`` contacts a plan's stops serve."""
    out = np.zeros((len(setting.cell_ids), len(demand.services)))
    if cells.empty:
        return out
    row = {c: i for i, c in enumerate(setting.cell_ids)}
    col = {s: j for j, s in enumerate(demand.services)}
    for cell, service, value in zip(
        cells["cell_id"].astype(str), cells["service"].astype(str), cells["served"], strict=True
    ):
        if cell in row and service in col:
            out[row[cell], col[service]] += float(value)
    return out
