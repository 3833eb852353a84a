"""Channels other than sites: mobile units with timetables and home care routed from its bases.

Routing cores work on integer arrays (:mod:`.vrp` over PyVRP); :mod:`.mobile` chooses mobile
stops and builds their timetable, :mod:`.homecare` routes home-care visits from their bases,
:mod:`.check` re-reads what they write and checks it; thin Region adapters sit apart
(:mod:`.adapters`).
"""

from __future__ import annotations

from .vrp import RoutingParams, RoutingProblem, RoutingResult, VehicleKind, solve_routing

__all__ = [
    "RoutingParams",
    "RoutingProblem",
    "RoutingResult",
    "VehicleKind",
    "solve_routing",
]
