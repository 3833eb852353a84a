"""Region model, the region package format (v1), validation and GeoPackage I/O."""

from __future__ import annotations

from .io import load_package as load_package
from .io import read_region as read_region
from .io import validate_package as validate_package
from .io import write_region as write_region
from .model import CostParams as CostParams
from .model import GtfsFeed as GtfsFeed
from .model import Policy as Policy
from .model import Region as Region
from .model import RegionMeta as RegionMeta
from .validate import check as check
from .validate import validate as validate
