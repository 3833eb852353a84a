"""Trade-off between the annual cost of the network and access, over the number of open sites.

For every ``p`` in ``p_values`` the access-optimal network is solved with one of

* ``access="mean"``: the p-median (demand-weighted mean travel time),
* ``access="worst"``: the p-center (worst travel time),
* ``access="share"``: the MCLP (share of demand within ``threshold_minutes``),

and every row reports all access measures, the annual cost of the open sites (``site_cost_eur``)
and the proven bound and gap of the solved model. A row is ``efficient`` when no other row is
at least as cheap and at least as good on the chosen access measure, and strictly better in
one of them. The cost axis is the cost *of* the access-optimal network for each ``p``, not a
minimised cost; for an explicit price of travel time use :func:`~.fixed_charge.fixed_charge`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError
from .coverage import mclp
from .pcenter import p_center
from .pmedian import p_median
from .problem import LocationProblem, SolveParams
from .result import LocationResult

log = logging.getLogger("palveluverkko.locate")

__all__ = ["pareto_front"]

Access = Literal["mean", "worst", "share"]


def _efficient(cost: np.ndarray, badness: np.ndarray) -> np.ndarray:
    """Non-dominated rows when both ``cost`` and ``badness`` are minimised."""
    n = cost.size
    out = np.ones(n, dtype=bool)
    for i in range(n):
        dom = (
            (cost <= cost[i])
            & (badness <= badness[i])
            & ((cost < cost[i]) | (badness < badness[i]))
        )
        out[i] = not dom.any()
    return out


def pareto_front(
    problem: LocationProblem,
    p_values: Iterable[int] | None = None,
    *,
    access: Access = "mean",
    threshold_minutes: float | None = None,
    params: SolveParams | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Annual cost against access for each number of open sites.

    Parameters
    ----------
    problem
        Cost matrix, demand, site rules; ``site_cost_eur`` gives the cost axis (without it
        the cost column is the number of open sites).
    p_values
        Numbers of open sites to solve (default: every ``p`` the rules allow).
    access
        Access measure to optimise for each ``p`` (see module docstring).
    threshold_minutes
        Threshold of the ``share_within`` column; required for ``access="share"``.
    params
        Solver parameters of every solve.
    seed
        Seed of the randomised searches.
    progress
        Called with ``(done, total)`` after each ``p`` (for a progress bar).

    Returns
    -------
    pandas.DataFrame
        One row per ``p``: ``p``, ``annual_cost_eur``, ``mean_minutes``, ``max_minutes``,
        ``share_within`` (when a threshold is given), ``objective``, ``bound``, ``gap``,
        ``status``, ``seconds``, ``open_sites`` and ``efficient``.
    """
    if access not in ("mean", "worst", "share"):
        raise InputError(f"pareto_front: access must be 'mean', 'worst' or 'share'; got {access!r}")
    if access == "share" and threshold_minutes is None:
        raise InputError("pareto_front: access='share' needs threshold_minutes")
    rules = problem.rules
    if p_values is None:
        p_values = range(max(rules.min_open(), 1), int(rules.allowed.sum()) + 1)
    p_list = [int(p) for p in p_values]
    records: list[dict[str, object]] = []
    for done, p in enumerate(p_list, start=1):
        res: LocationResult
        if access == "mean":
            res = p_median(problem, int(p), params=params, seed=seed)
        elif access == "worst":
            res = p_center(problem, int(p), params=params, seed=seed)
        else:
            assert threshold_minutes is not None
            res = mclp(problem, threshold_minutes, int(p), params=params, seed=seed)
        cost = res.annual_cost_eur
        rec: dict[str, object] = {
            "p": int(p),
            "annual_cost_eur": float(res.n_open) if math.isnan(cost) else cost,
            "mean_minutes": res.mean_minutes,
            "max_minutes": res.max_minutes,
        }
        if threshold_minutes is not None:
            rec["share_within"] = res.share_within(threshold_minutes)
        rec.update(
            objective=res.objective,
            bound=res.bound,
            gap=res.gap,
            status=res.status,
            seconds=res.seconds,
            open_sites=res.open_sites,
        )
        records.append(rec)
        log.debug("pareto p=%d: %s", p, res.summary().splitlines()[1])
        if progress is not None:
            progress(done, len(p_list))
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        frame["efficient"] = pd.Series(dtype=bool)
        return frame
    badness = {
        "mean": frame["mean_minutes"].to_numpy(),
        "worst": frame["max_minutes"].to_numpy(),
        "share": -frame["share_within"].to_numpy() if "share_within" in frame else None,
    }[access]
    assert badness is not None
    frame["efficient"] = _efficient(frame["annual_cost_eur"].to_numpy(), badness)
    return frame
