"""Channels other than sites: mobile units with timetables and home care routed from its bases.

Cores work on arrays: :mod:`.vrp` (a PyVRP wrapper on integer matrices), :mod:`.mobile` (stop
choice with the covering models, periodic day tours, rotations) and :mod:`.homecare` (routes of
a base's day). Region adapters sit apart: :mod:`.mobile_region`, :mod:`.homecare_region` and
:mod:`.adapters` (drive times on the road network). :mod:`.check` re-reads what the plans write
and checks it; :mod:`.unit` reads a mobile unit's TOML file; :mod:`.solomon` reads Solomon's
VRPTW instances for the benchmark.
"""

from __future__ import annotations

from .check import assert_feasible, check_home_care_plan, check_mobile_plan
from .homecare import HomeCareParams, HomeCarePlan, Shift, TimeWindow
from .homecare_region import (
    close_base,
    compare_home_care,
    home_care_bases,
    home_care_seed_spread,
    merge_bases,
    move_base,
    place_bases,
    plan_home_care,
)
from .mobile import MobileParams, MobilePlan
from .mobile_region import plan_mobile
from .unit import MobileUnit, StopRules, read_unit
from .vrp import RoutingParams, RoutingProblem, RoutingResult, VehicleKind, solve_routing

__all__ = [
    "HomeCareParams",
    "HomeCarePlan",
    "MobileParams",
    "MobilePlan",
    "MobileUnit",
    "RoutingParams",
    "RoutingProblem",
    "RoutingResult",
    "Shift",
    "StopRules",
    "TimeWindow",
    "VehicleKind",
    "assert_feasible",
    "check_home_care_plan",
    "check_mobile_plan",
    "close_base",
    "compare_home_care",
    "home_care_bases",
    "home_care_seed_spread",
    "merge_bases",
    "move_base",
    "place_bases",
    "plan_home_care",
    "plan_mobile",
    "read_unit",
    "solve_routing",
]
