"""Home care routed from its bases, as a stage of an evaluation (opt-in: it routes a sampled
weekday with PyVRP, about 40 s on the demo county).

:func:`home_care_stage` plans the scenario's bases (the sites offering ``kotihoito`` after the
scenario: a closed base's clients go to the nearest remaining one, its staff follow the
capacity rules of the scenario) with :func:`palveluverkko.channels.homecare_region.plan_home_care`
and returns one row per base (:data:`COLUMNS`): the visits of the representative weekday,
those served and not served with the staff given or not reached within a shift, staff travel
per visit and per year, the share of working time on the road and the FTE the visits and travel
need against the FTE given. Figures per year are the weekday's times 365 (home care runs every
day; an ASSUMPTION of the sampling) and are ESTIMATES from one seeded sample: the seed spread
is stated by :func:`palveluverkko.channels.homecare_region.home_care_seed_spread`.

Staff travel is part of the home-care staff's working time, which the cost table already counts
under ``staff``: it is not added as a cost of its own (that would count it twice). What a
scenario changes is read from ``travel_fte`` and ``fte_needed`` against ``fte_given``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .stages import Setting

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["COLUMNS", "SERVICE", "home_care_stage"]

SERVICE = "kotihoito"

COLUMNS: tuple[str, ...] = (
    "base_id",
    "name",
    "municipality",
    "visits_per_day",
    "routed_per_day",
    "not_served_staff_per_day",
    "not_reached_per_day",
    "travel_min_per_visit",
    "travel_hours_per_year",
    "travel_fte",
    "road_share",
    "fte_needed",
    "fte_given",
    "seed",
)
"""Columns of ``Evaluation.home_care``."""


def home_care_stage(setting: Setting, *, seed: int = 0) -> pd.DataFrame:
    """One row per home-care base of the scenario (module docstring); empty when no site
    offers home care."""
    from ..channels.homecare import HomeCareParams
    from ..channels.homecare_region import home_care_bases, plan_home_care

    ss = setting.region.site_services
    if not (ss["service"].astype(str) == SERVICE).any():
        return pd.DataFrame(columns=list(COLUMNS))
    params = HomeCareParams()
    bases = home_care_bases(setting.region)
    log.info("home care: routing a sampled weekday from %d bases (seed %d)", len(bases), seed)
    plan = plan_home_care(setting.region, bases=bases, params=params, seed=seed, year=setting.year)
    v = plan.visits
    per_base = v.groupby("base_id")
    b = plan.bases.set_index(plan.bases["base_id"].astype(str))
    info = bases.set_index(bases["base_id"].astype(str))
    travel_day = (
        plan.routes.groupby(plan.routes["base_id"].astype(str))["travel_min"].sum()
        if len(plan.routes)
        else pd.Series(dtype=float)
    )
    rows = []
    for base_id in info.index:
        visits = per_base.get_group(base_id) if base_id in per_base.groups else v.iloc[:0]
        routed = int((visits["status"] == "routed").sum())
        travel_min = float(travel_day.get(base_id, 0.0))
        hours_year = travel_min / 60.0 * 365.0
        rows.append(
            {
                "base_id": base_id,
                "name": str(info.at[base_id, "name"]),
                "municipality": str(info.at[base_id, "municipality"]),
                "visits_per_day": len(visits),
                "routed_per_day": routed,
                "not_served_staff_per_day": int((visits["reason"] == "staff").sum()),
                "not_reached_per_day": int(visits["reason"].isin(["unreachable", "no_road"]).sum()),
                "travel_min_per_visit": travel_min / routed if routed else np.nan,
                "travel_hours_per_year": hours_year,
                "travel_fte": hours_year / params.productive_hours_per_fte_year,
                "road_share": float(b.at[base_id, "road_share"]) if base_id in b.index else np.nan,
                "fte_needed": float(b.at[base_id, "fte_needed"]) if base_id in b.index else np.nan,
                "fte_given": float(info.at[base_id, "staff_fte"]),
                "seed": seed,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))
