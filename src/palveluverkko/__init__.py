"""palveluverkko: planning the social and health service network of a wellbeing services county.

The public API is what this module names; everything else may change between releases. Names
are imported on first use, so ``import palveluverkko`` (and the command line's ``--help``) loads
no numba kernel, solver, generator or report until one is needed.

Main verbs: :func:`read_region`, :func:`validate`, :func:`travel_times` and :func:`route`
(routing to any :class:`Destinations`), :func:`evaluate`, :func:`compare`; the use cases
together in a :class:`Study` (evaluate, compare, optimise, Pareto front, report).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .demo import demo_region as demo_region
    from .errors import PalveluverkkoError as PalveluverkkoError
    from .errors import Problem as Problem
    from .errors import ValidationError as ValidationError
    from .evaluation import Comparison as Comparison
    from .evaluation import EvaluateOptions as EvaluateOptions
    from .evaluation import Evaluation as Evaluation
    from .evaluation import compare as compare
    from .evaluation import evaluate as evaluate
    from .network import Destinations as Destinations
    from .network import RoadParams as RoadParams
    from .network import TransitParams as TransitParams
    from .network import TravelTimes as TravelTimes
    from .network import TravelTimeSet as TravelTimeSet
    from .network import route as route
    from .network import travel_times as travel_times
    from .region import CostParams as CostParams
    from .region import GtfsFeed as GtfsFeed
    from .region import Policy as Policy
    from .region import Region as Region
    from .region import RegionMeta as RegionMeta
    from .region import read_region as read_region
    from .region import validate as validate
    from .region import validate_package as validate_package
    from .region import write_region as write_region
    from .report import write_report as write_report
    from .scenario import CapacityChange as CapacityChange
    from .scenario import ChannelChange as ChannelChange
    from .scenario import Closure as Closure
    from .scenario import Conversion as Conversion
    from .scenario import NewSite as NewSite
    from .scenario import Scenario as Scenario
    from .study import OptimizeRequest as OptimizeRequest
    from .study import ParetoRequest as ParetoRequest
    from .study import Study as Study

__version__ = "0.1.0"

_EXPORTS = {
    "demo_region": ".demo",
    "PalveluverkkoError": ".errors",
    "Problem": ".errors",
    "ValidationError": ".errors",
    "Comparison": ".evaluation",
    "EvaluateOptions": ".evaluation",
    "Evaluation": ".evaluation",
    "compare": ".evaluation",
    "evaluate": ".evaluation",
    "Destinations": ".network",
    "RoadParams": ".network",
    "TransitParams": ".network",
    "TravelTimes": ".network",
    "TravelTimeSet": ".network",
    "route": ".network",
    "travel_times": ".network",
    "CostParams": ".region",
    "GtfsFeed": ".region",
    "Policy": ".region",
    "Region": ".region",
    "RegionMeta": ".region",
    "read_region": ".region",
    "validate": ".region",
    "validate_package": ".region",
    "write_region": ".region",
    "write_report": ".report",
    "CapacityChange": ".scenario",
    "ChannelChange": ".scenario",
    "Closure": ".scenario",
    "Conversion": ".scenario",
    "NewSite": ".scenario",
    "Scenario": ".scenario",
    "OptimizeRequest": ".study",
    "ParetoRequest": ".study",
    "Study": ".study",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

logging.getLogger("palveluverkko").addHandler(logging.NullHandler())
