"""Region model, the region package format (v1), validation and GeoPackage I/O.

Public names are imported on first use (:mod:`palveluverkko._lazy`), so that reading
``palveluverkko.region.schema`` does not load geopandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .io import load_package as load_package
    from .io import read_region as read_region
    from .io import validate_package as validate_package
    from .io import write_region as write_region
    from .model import CostParams as CostParams
    from .model import GtfsFeed as GtfsFeed
    from .model import Policy as Policy
    from .model import Region as Region
    from .model import RegionMeta as RegionMeta
    from .validation import check as check
    from .validation import validate as validate

__all__ = [
    "CostParams",
    "GtfsFeed",
    "Policy",
    "Region",
    "RegionMeta",
    "check",
    "load_package",
    "read_region",
    "validate",
    "validate_package",
    "write_region",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "load_package": ".io",
        "read_region": ".io",
        "validate_package": ".io",
        "write_region": ".io",
        "CostParams": ".model",
        "GtfsFeed": ".model",
        "Policy": ".model",
        "Region": ".model",
        "RegionMeta": ".model",
        "check": ".validation",
        "validate": ".validation",
    },
)
