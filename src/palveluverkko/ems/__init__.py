"""Emergency care (ensihoito): risk-area grid, stations, units, coverage, simulation, placement.

The service-level decision of a wellbeing services county (Decree 585/2017) in code:

* :func:`risk_grid` - 1 km risk-area cells with class, residents and yearly missions
  (:mod:`.grid`); :func:`read_missions` and :func:`synthetic_missions` (:mod:`.missions`);
* :class:`EmsParams`, :func:`read_params`, :func:`default_params` (:mod:`.params`);
* :class:`Fleet`, :func:`default_fleet`, :func:`read_stations`, :func:`candidate_stations`
  (:mod:`.fleet`); :func:`drive_minutes` (:mod:`.response`);
* :func:`evaluate_ems` -> :class:`EmsEvaluation` (:mod:`.evaluation`) and :func:`optimize_ems`
  -> :class:`EmsOptimization` (:mod:`.placement`), over the kernels of :mod:`.coverage`
  (hypercube approximation, MEXCLP, double coverage), :mod:`.simulate` (SimPy) and
  :mod:`.optimize` (HiGHS).
"""

from __future__ import annotations

from .evaluation import EmsEvaluation, evaluate_ems
from .fleet import Fleet, candidate_stations, default_fleet, read_stations
from .grid import RiskGrid, read_risk_areas, risk_grid
from .missions import read_missions, synthetic_missions
from .params import CLASSES, URGENCIES, EmsParams, default_params, read_params
from .placement import EmsOptimization, optimize_ems
from .response import DriveTimes, drive_minutes

__all__ = [
    "CLASSES",
    "URGENCIES",
    "DriveTimes",
    "EmsEvaluation",
    "EmsOptimization",
    "EmsParams",
    "Fleet",
    "RiskGrid",
    "candidate_stations",
    "default_fleet",
    "default_params",
    "drive_minutes",
    "evaluate_ems",
    "optimize_ems",
    "read_missions",
    "read_params",
    "read_risk_areas",
    "read_stations",
    "risk_grid",
    "synthetic_missions",
]
