"""Batches of optimisations on Dask: every p of a service, every service, many models.

Each request is solved as :meth:`palveluverkko.study.Study.optimize` solves it (the same
:func:`.optimize.optimize_service` and capacity check), with the travel times routed once on
the client and sent to every worker once. One request is one task: a solve with its capacity
check lasts seconds, far above Dask's task overhead (10-25 ms measured here), so no batching is
needed (a sensitivity sweep's draws are batched instead, :mod:`.sweep`). The scheduler is chosen
as for the sweep: ``"serial"``, ``"local"`` (a ``LocalCluster``) or ``tcp://host:port``
(default ``$PALVELUVERKKO_DASK_SCHEDULER`` or ``"local"``). Results come back in the order of
the requests and equal a serial run (the solvers are deterministic within their time limit; a
request that stops at its time limit may differ between runs on a loaded machine, as a single
solve would).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import InputError

if TYPE_CHECKING:
    from ..evaluation import Evaluation
    from ..network.types import Destinations, TravelTimes
    from ..region.model import Region
    from ..scenario import Scenario
    from .optimize import Optimization, OptimizeRequest

log = logging.getLogger("palveluverkko.study")

__all__ = ["optimization_table", "run_optimizations", "solve_one"]


def solve_one(
    region: Region, travel_times: Mapping[str, TravelTimes], request: OptimizeRequest
) -> Optimization:
    """One request with precomputed travel times (to the region's sites)."""
    from ..evaluation.pipeline import evaluate
    from .optimize import capacity_checked, optimize_service

    def route_to(mode: str, to: Destinations) -> TravelTimes:
        if mode not in travel_times:
            raise InputError(f"optimize batch: no {mode} travel times were sent to the worker")
        return travel_times[mode].select(to.ids)

    out = optimize_service(region, request, route_to)
    if not request.capacity_check:
        return out

    def evaluate_at(scenario: Scenario | None, year: int | None) -> Evaluation:
        return evaluate(region, scenario, travel_times=dict(travel_times), year=year)

    return capacity_checked(region, out, evaluate_at)


def run_optimizations(
    region: Region,
    requests: Sequence[OptimizeRequest],
    travel_times: Mapping[str, TravelTimes],
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Optimization]:
    """Solve ``requests`` (in their order) on ``scheduler``.

    Raises
    ------
    InputError
        No request, or a scheduler that cannot be reached.
    """
    from .sweep import scheduler_address

    if not requests:
        raise InputError("optimize batch: give at least one request")
    where = scheduler_address(scheduler)
    n = len(requests)
    tts = dict(travel_times)
    if where == "serial":
        out = []
        for k, request in enumerate(requests):
            out.append(solve_one(region, tts, request))
            if progress is not None:
                progress(k + 1, n)
        return out
    return _on_dask(where, region, tts, requests, n_workers, progress)


def _on_dask(
    where: str,
    region: Region,
    tts: dict[str, TravelTimes],
    requests: Sequence[OptimizeRequest],
    n_workers: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[Optimization]:
    from distributed import as_completed

    from .sweep import dask_client

    with dask_client(where, n_workers) as client:
        shared = client.scatter([region, tts], broadcast=True)
        futures = [client.submit(solve_one, *shared, r, pure=False) for r in requests]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done, len(requests))
        out: list[Optimization] = [f.result() for f in futures]  # the requests' order
    log.info("%d optimisations on %s", len(requests), where)
    return out


def optimization_table(results: Sequence[Optimization]) -> pd.DataFrame:
    """One row per result: the request, the objective, its bound and gap, open sites and care
    within the access target today and after (NaN without the capacity check)."""
    rows = []
    for o in results:
        r, res = o.request, o.result
        rows.append(
            {
                "service": r.service,
                "model": r.model,
                "p": r.p,
                "mode": r.mode,
                "objective": res.objective,
                "bound": res.bound,
                "gap": res.gap,
                "status": res.status,
                "seconds": res.seconds,
                "open_sites": " ".join(str(s) for s in res.open_sites),
                "within_target_today": o.within_target_today,
                "within_target": o.within_target,
            }
        )
    return pd.DataFrame(rows)
