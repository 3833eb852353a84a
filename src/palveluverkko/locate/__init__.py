"""Location-allocation models with proven bounds.

Every solver takes a :class:`LocationProblem` (cost matrix in minutes, demand weights, site
rules) and returns a :class:`LocationResult` with open sites, assignment, objective, proven
bound, gap, seconds and method.
"""

from __future__ import annotations

from .capacitated import capacitated_p_median
from .coverage import lscp, mclp
from .fixedcharge import fixed_charge
from .pareto import pareto_front
from .pcenter import p_center
from .pmedian import p_median
from .problem import LocationProblem, SiteRules, SolveParams, problem_from_matrix
from .result import LocationResult

__all__ = [
    "LocationProblem",
    "LocationResult",
    "SiteRules",
    "SolveParams",
    "capacitated_p_median",
    "fixed_charge",
    "lscp",
    "mclp",
    "p_center",
    "p_median",
    "pareto_front",
    "problem_from_matrix",
]
