"""palveluverkko: planning the social and health service network of a wellbeing services county.

The public API is what this module names; everything else may change between releases.
"""

from __future__ import annotations

import logging

from .demo import demo_region as demo_region
from .errors import PalveluverkkoError as PalveluverkkoError
from .errors import Problem as Problem
from .errors import ValidationError as ValidationError
from .evaluate import Comparison as Comparison
from .evaluate import Evaluation as Evaluation
from .evaluate import Scenario as Scenario
from .evaluate import compare as compare
from .network import TravelTimes as TravelTimes
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

__version__ = "0.1.0"

logging.getLogger("palveluverkko").addHandler(logging.NullHandler())
