"""The channel use cases: a mobile unit's stops and timetable, home-care routes from the bases.

Each plans (:mod:`palveluverkko.channels`), writes the plan into a folder and checks what it
wrote with the feasibility checker (:mod:`palveluverkko.channels.check`): a plan that the
checker rejects raises instead of being returned.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..channels.homecare_region import HomeCarePlan
    from ..channels.mobile_region import MobilePlan
    from ..region.model import Region

__all__ = ["home_care_plan", "mobile_plan"]


def mobile_plan(
    region: Region,
    unit: str | Path,
    out: str | Path,
    *,
    year: int | None = None,
    seed: int = 0,
    time_limit_s: float = 3.0,
) -> MobilePlan:
    """Plan the unit of the TOML file ``unit`` (stops, timetable), write and check it in ``out``."""
    from ..channels.check import assert_feasible, check_mobile_plan
    from ..channels.mobile import MobileParams
    from ..channels.mobile_region import plan_mobile
    from ..channels.unit import read_unit

    plan = plan_mobile(
        region,
        read_unit(unit),
        year=year,
        seed=seed,
        params=MobileParams(time_limit_s=time_limit_s),
    )
    plan.write(out)
    assert_feasible(check_mobile_plan(out), what=str(out))
    return plan


def home_care_plan(
    region: Region,
    out: str | Path,
    *,
    year: int | None = None,
    seed: int = 0,
    seconds_per_100_visits: float = 0.35,
    progress: Callable[[int, int], None] | None = None,
) -> HomeCarePlan:
    """Route a sampled weekday of home care from every base, write and check it in ``out``."""
    from ..channels.check import assert_feasible, check_home_care_plan
    from ..channels.homecare import HomeCareParams
    from ..channels.homecare_region import plan_home_care

    plan = plan_home_care(
        region,
        year=year,
        seed=seed,
        params=HomeCareParams(seconds_per_100_visits=seconds_per_100_visits),
        progress=progress,
    )
    plan.write(out)
    assert_feasible(check_home_care_plan(out), what=str(out))
    return plan
