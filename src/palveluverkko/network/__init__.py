"""Road networks, linking points to them, and travel-time matrices (transit in its own modules).

Public API: :class:`RoadNetwork` (:mod:`.graph`), :func:`snap` and :class:`Snapped` (:mod:`.snap`),
the path kernels :func:`shortest_minutes`, :func:`shortest_minutes_to`, :func:`k_nearest_sources`
(:mod:`.paths`), and :func:`travel_times` returning :class:`TravelTimes` (:mod:`.travel_times`).
Modes: ``car``, ``walk``, ``bike`` on roads; ``transit`` through :mod:`.transit`.

Road data from OpenStreetMap: © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

from .graph import RoadNetwork
from .paths import k_nearest_sources, shortest_minutes, shortest_minutes_to
from .snap import Snapped, snap
from .travel_times import TravelTimes, travel_times

__all__ = [
    "RoadNetwork",
    "Snapped",
    "TravelTimes",
    "k_nearest_sources",
    "shortest_minutes",
    "shortest_minutes_to",
    "snap",
    "travel_times",
]
