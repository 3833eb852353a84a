"""Scenario evaluation: demand, channels, allocation, accessibility, equity, capacity, costs.

Public API: :func:`evaluate` returning :class:`Evaluation` (:mod:`.pipeline`, named stages in
:mod:`.stages` and :mod:`.figures`), :class:`EvaluateOptions`, :func:`compare` returning
:class:`Comparison`, the writers :func:`write_evaluation`, :func:`write_comparison`, and
:func:`scenario_destinations` (the sites an evaluation of some scenarios must be routed to).
Scenarios themselves are :mod:`palveluverkko.scenario`. Names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .comparison import Comparison as Comparison
    from .comparison import compare as compare
    from .io import write_comparison as write_comparison
    from .io import write_evaluation as write_evaluation
    from .pipeline import evaluate as evaluate
    from .result import EvaluateOptions as EvaluateOptions
    from .result import Evaluation as Evaluation
    from .stages import scenario_destinations as scenario_destinations

__all__ = [
    "Comparison",
    "EvaluateOptions",
    "Evaluation",
    "compare",
    "evaluate",
    "scenario_destinations",
    "write_comparison",
    "write_evaluation",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Comparison": ".comparison",
        "compare": ".comparison",
        "write_comparison": ".io",
        "write_evaluation": ".io",
        "evaluate": ".pipeline",
        "EvaluateOptions": ".result",
        "Evaluation": ".result",
        "scenario_destinations": ".stages",
    },
)
