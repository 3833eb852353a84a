"""Scenario evaluation: demand, allocation, accessibility, equity, capacity and waiting, costs.

Public API: :class:`Scenario` (and its entries), :func:`evaluate` returning :class:`Evaluation`,
:class:`EvaluateOptions`, :func:`compare` returning :class:`Comparison`, and the writers
:func:`write_evaluation`, :func:`write_comparison`.
"""

from __future__ import annotations

from .comparison import Comparison, compare
from .evaluation import EvaluateOptions, Evaluation, evaluate
from .io import write_comparison, write_evaluation
from .scenario import (
    CapacityChange,
    ChannelChange,
    Closure,
    Conversion,
    NewSite,
    Scenario,
)

__all__ = [
    "CapacityChange",
    "ChannelChange",
    "Closure",
    "Comparison",
    "Conversion",
    "EvaluateOptions",
    "Evaluation",
    "NewSite",
    "Scenario",
    "compare",
    "evaluate",
    "write_comparison",
    "write_evaluation",
]
