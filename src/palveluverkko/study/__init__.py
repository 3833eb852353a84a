"""The use cases as library calls: every front end (CLI, web app, notebook, Dask sweep) calls
these and holds no logic of its own.

Public API: :class:`Study` (a region with its travel times: evaluate, compare, optimise, Pareto
front, write, report), :class:`OptimizeRequest`, :class:`ParetoRequest`, :class:`Optimization`,
:data:`MODELS` and :data:`ACCESS_MEASURES` (the choices front ends offer), :func:`run_demo`,
and progress reporting (:class:`ProgressEvent`, :data:`STAGE_LABELS`). Names are imported on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .demo import DemoRun as DemoRun
    from .demo import residents_table as residents_table
    from .demo import run_demo as run_demo
    from .optimize import ACCESS_MEASURES as ACCESS_MEASURES
    from .optimize import MODELS as MODELS
    from .optimize import Optimization as Optimization
    from .optimize import OptimizeRequest as OptimizeRequest
    from .optimize import ParetoRequest as ParetoRequest
    from .progress import STAGE_LABELS as STAGE_LABELS
    from .progress import Progress as Progress
    from .progress import ProgressEvent as ProgressEvent
    from .study import Study as Study
    from .sweep import Distribution as Distribution
    from .sweep import SweepResult as SweepResult
    from .sweep import SweepSpec as SweepSpec

__all__ = [
    "ACCESS_MEASURES",
    "MODELS",
    "STAGE_LABELS",
    "DemoRun",
    "Distribution",
    "Optimization",
    "OptimizeRequest",
    "ParetoRequest",
    "Progress",
    "ProgressEvent",
    "Study",
    "SweepResult",
    "SweepSpec",
    "residents_table",
    "run_demo",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "DemoRun": ".demo",
        "residents_table": ".demo",
        "run_demo": ".demo",
        "ACCESS_MEASURES": ".optimize",
        "MODELS": ".optimize",
        "Optimization": ".optimize",
        "OptimizeRequest": ".optimize",
        "ParetoRequest": ".optimize",
        "STAGE_LABELS": ".progress",
        "Progress": ".progress",
        "ProgressEvent": ".progress",
        "Study": ".study",
        "Distribution": ".sweep",
        "SweepResult": ".sweep",
        "SweepSpec": ".sweep",
    },
)
