"""The choices front ends offer, without importing what implements them (a light module, so that
``palveluverkko --help`` can list them at once)."""

from __future__ import annotations

__all__ = ["ACCESS_MEASURES", "CAPACITY_METHODS", "MODEL_NAMES"]

MODEL_NAMES: tuple[str, ...] = (
    "p-median",
    "p-center",
    "mclp",
    "lscp",
    "fixed-charge",
    "capacitated-p-median",
)
"""Location models by their command-line name (keys of :data:`.optimize.MODELS`)."""

ACCESS_MEASURES: tuple[str, ...] = ("mean", "worst", "share")
"""Access measures of the Pareto front: mean trip (p-median), worst trip (p-center), share
within the threshold (MCLP)."""

CAPACITY_METHODS: tuple[str, ...] = ("analytic", "simulation")
"""Queue models of the capacity stage: exact chain / diffusion, or SimPy simulation."""
