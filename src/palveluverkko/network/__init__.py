"""Road networks, linking points to them, and travel-time matrices (transit in its own modules).

Public API: the plain types :class:`Destinations`, :class:`TravelTimes`, :class:`TravelTimeSet`
(:mod:`.types`) and parameters :class:`RoadParams`, :class:`StraightLineParams` (the estimate
where no road network reaches, :mod:`.straight_line`), :class:`TransitParams` (:mod:`.params`);
:func:`travel_times` (one mode, any destinations) and :func:`route` (every available mode,
:func:`available_modes`) in :mod:`.routing`; :class:`RoadNetwork` (:mod:`.graph`), :func:`snap` and
:class:`Snapped` (:mod:`.linking`), the path kernels :func:`shortest_minutes`,
:func:`shortest_minutes_to`, :func:`k_nearest_sources` (:mod:`.paths`). Modes: ``car``,
``walk``, ``bike`` on roads; ``transit`` through :mod:`.transit`. Names are imported on first use.

Road data from OpenStreetMap: © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .graph import RoadNetwork as RoadNetwork
    from .linking import Snapped as Snapped
    from .linking import snap as snap
    from .params import RoadParams as RoadParams
    from .params import StraightLineParams as StraightLineParams
    from .params import TransitParams as TransitParams
    from .paths import k_nearest_sources as k_nearest_sources
    from .paths import shortest_minutes as shortest_minutes
    from .paths import shortest_minutes_to as shortest_minutes_to
    from .routing import available_modes as available_modes
    from .routing import route as route
    from .routing import travel_times as travel_times
    from .types import Destinations as Destinations
    from .types import TravelTimes as TravelTimes
    from .types import TravelTimeSet as TravelTimeSet

__all__ = [
    "Destinations",
    "RoadNetwork",
    "RoadParams",
    "Snapped",
    "StraightLineParams",
    "TransitParams",
    "TravelTimeSet",
    "TravelTimes",
    "available_modes",
    "k_nearest_sources",
    "route",
    "shortest_minutes",
    "shortest_minutes_to",
    "snap",
    "travel_times",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Destinations": ".types",
        "TravelTimes": ".types",
        "TravelTimeSet": ".types",
        "RoadParams": ".params",
        "StraightLineParams": ".params",
        "TransitParams": ".params",
        "RoadNetwork": ".graph",
        "Snapped": ".linking",
        "snap": ".linking",
        "k_nearest_sources": ".paths",
        "shortest_minutes": ".paths",
        "shortest_minutes_to": ".paths",
        "available_modes": ".routing",
        "route": ".routing",
        "travel_times": ".routing",
    },
)
