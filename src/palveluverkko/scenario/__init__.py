"""Scenarios: a proposed change to a region's service network (TOML file or Python object).

Public API: :class:`Scenario` and its entries (:class:`Closure`, :class:`Conversion`,
:class:`NewSite`, :class:`CapacityChange`, :class:`ChannelChange`), :data:`KIND_LEVELS`.
A scenario is data: the evaluator (:mod:`palveluverkko.evaluation`) scores it, the location
models (:mod:`palveluverkko.locate`) write one, and :meth:`Scenario.apply` (one function per
kind of entry, :mod:`.apply`) builds the changed region.
"""

from __future__ import annotations

from .model import (
    KIND_LEVELS,
    CapacityChange,
    ChannelChange,
    Closure,
    Conversion,
    EmsStationChange,
    MobileUnitEntry,
    NewSite,
    Scenario,
    baseline,
)

__all__ = [
    "KIND_LEVELS",
    "CapacityChange",
    "ChannelChange",
    "Closure",
    "Conversion",
    "EmsStationChange",
    "MobileUnitEntry",
    "NewSite",
    "Scenario",
    "baseline",
]
