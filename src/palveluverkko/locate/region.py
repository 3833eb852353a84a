"""Adapter from a :class:`~palveluverkko.region.Region` to location problems and back.

* :func:`service_problem`: demand = the service's **physical** contacts per year per cell (the
  demand model with the channel split, :mod:`palveluverkko.demand`), candidates = the existing
  sites that offer the service (columns of a :class:`~palveluverkko.network.TravelTimes`
  matrix), groups = the sites' municipalities, ``site_cost_eur`` = ``annual_cost_eur``
  (missing = 0, counted in the log), capacity = ``capacity_per_week x 52`` contacts per year.
* :func:`scenario_from_result`: the sites a result leaves closed become scenario entries the
  evaluator can score: a site that offers only this service is closed (``[[close]]``, its
  substitute the open site that takes most of its current demand); a site that offers other
  services too keeps them (``[[convert]]`` dropping this service).
* :func:`explain`: a short text of what changes and what the bound proves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import InputError, UnknownIdError
from ..evaluate.scenario import Closure, Conversion, Scenario
from ..region import Region
from .problem import LocationProblem, problem_from_matrix
from .result import MODEL_OBJECTIVES, LocationResult

log = logging.getLogger("palveluverkko.locate")

WEEKS_PER_YEAR = 52.0

__all__ = ["explain", "physical_demand", "scenario_from_result", "service_problem"]


def physical_demand(region: Region, service: str, year: int | None = None) -> np.ndarray:
    """``(n_cells,)`` physical contacts per year of ``service`` in each population cell."""
    from ..demand.channels import split_channels
    from ..demand.contacts import contacts

    demand = contacts(region, year)
    if service not in demand.services:
        raise UnknownIdError(
            f"service {service!r} is not in the services layer; known: {list(demand.services)}"
        )
    bb = (
        pd.to_numeric(region.population["broadband_mbps"], errors="coerce").to_numpy(np.float64)
        if "broadband_mbps" in region.population
        else None
    )
    split = split_channels(demand, region.services, bb)
    s = demand.services.index(service)
    return np.asarray(split.physical[:, s, :].sum(axis=1), dtype=np.float64)


def service_problem(
    region: Region,
    service: str,
    minutes: np.ndarray,
    site_ids: Iterable[str],
    *,
    year: int | None = None,
    min_open_per_municipality: int = 1,
    must_open: Iterable[str] = (),
    must_close: Iterable[str] = (),
    unreachable: Literal["exclude", "error"] = "exclude",
) -> LocationProblem:
    """The location problem of one service of a region.

    Parameters
    ----------
    region
        The region (population, sites, site_services, services).
    service
        Service code (e.g. ``"vastaanotto"``).
    minutes
        ``(n_cells, n_matrix_sites)`` travel times (``TravelTimes.minutes``), rows in
        ``region.population`` order.
    site_ids
        Column ids of ``minutes`` (``TravelTimes.site_ids``).
    year
        Demand year (default the region's base year).
    min_open_per_municipality
        Minimum open sites of this service in every municipality that has one (0 = none).
    must_open, must_close
        Site ids.
    unreachable
        See :class:`~.problem.LocationProblem`.

    Raises
    ------
    InputError
        No site offers the service, or the matrix lacks a column for one that does.
    """
    cols = {str(s): j for j, s in enumerate(site_ids)}
    n_cells = len(region.population)
    if minutes.shape[0] != n_cells:
        raise InputError(
            f"minutes: {minutes.shape[0]} rows but the population layer has {n_cells} cells; "
            "compute the travel times for this region"
        )
    ss = region.site_services
    offering = ss.loc[ss["service"].astype(str) == service]
    if offering.empty:
        raise InputError(
            f"site_services: no site offers service {service!r}; nothing to locate. Known "
            f"services there: {sorted(ss['service'].astype(str).unique())[:10]}"
        )
    cand = offering["site_id"].astype(str).tolist()
    missing = [s for s in cand if s not in cols]
    if missing:
        raise InputError(
            f"travel times: no column for site(s) {missing[:10]} that offer {service!r}; "
            "recompute travel_times for this region"
        )
    sites = region.sites.set_index(region.sites["site_id"].astype(str))
    cost = pd.to_numeric(sites.loc[cand, "annual_cost_eur"], errors="coerce").to_numpy(float)
    n_nan = int(np.isnan(cost).sum())
    if n_nan:
        log.info("%d candidate site(s) have no annual_cost_eur; counted as 0 EUR", n_nan)
        cost = np.nan_to_num(cost, nan=0.0)
    cap = offering["capacity_per_week"].to_numpy(float) * WEEKS_PER_YEAR
    return problem_from_matrix(
        np.asarray(minutes, dtype=np.float64)[:, [cols[s] for s in cand]],
        physical_demand(region, service, year),
        cand,
        demand_ids=region.population["cell_id"].astype(str).to_numpy(),
        groups=sites.loc[cand, "municipality"].astype(str).to_numpy(),
        min_open_per_group=min_open_per_municipality or None,
        site_cost_eur=cost,
        capacity=np.nan_to_num(cap, nan=0.0),
        must_open=list(must_open),
        must_close=list(must_close),
        unreachable=unreachable,
    )


def scenario_from_result(
    region: Region, service: str, result: LocationResult, *, name: str | None = None
) -> Scenario:
    """A scenario that keeps exactly the result's open sites for ``service``.

    Closed sites that offer only this service are closed with the open site taking most of
    their current demand (nearest-site allocation before and after) as the substitute; sites
    that offer other services keep those and drop this one.
    """
    prob = result.problem
    assert prob.site_ids is not None
    ids = [str(s) for s in prob.site_ids.tolist()]
    open_mask = result.open_mask
    ss = region.site_services
    services_of = ss.groupby(ss["site_id"].astype(str))["service"].apply(
        lambda s: tuple(sorted(s.astype(str)))
    )
    finite = np.where(np.isfinite(prob.minutes), prob.minutes, np.inf)
    before = np.argmin(finite, axis=1)
    closures: list[Closure] = []
    conversions: list[Conversion] = []
    open_cols = np.flatnonzero(open_mask)
    for j in np.flatnonzero(~open_mask):
        site = ids[j]
        others = tuple(s for s in services_of.get(site, ()) if s != service)
        if others:
            conversions.append(Conversion(site=site, services=others))
            continue
        rows = (before == j) & (result.assignment >= 0)
        load = np.bincount(
            result.assignment[rows], weights=prob.demand[rows], minlength=prob.n_sites
        )
        if load.sum() > 0:
            sub = int(np.argmax(load))
        else:  # no current demand: the open site nearest on average to the cells
            sub = int(
                open_cols[
                    np.argmin(
                        np.nanmean(
                            np.where(
                                np.isfinite(finite[:, open_cols]), finite[:, open_cols], np.nan
                            ),
                            axis=0,
                        )
                    )
                ]
            )
        closures.append(Closure(site=site, substitute=ids[sub]))
    return Scenario(
        name=name or f"{service}: {result.model}, {result.n_open} sites",
        description=f"palveluverkko optimize: {result.method}",
        closures=tuple(closures),
        conversions=tuple(conversions),
    )


def explain(result: LocationResult, baseline: dict[str, Any] | None = None) -> str:
    """A few sentences: what the solution changes and what its bound proves."""
    prob = result.problem
    n_closed = prob.n_sites - result.n_open
    what = MODEL_OBJECTIVES.get(result.model, "objective")
    lines = [
        f"Keeps {result.n_open} of {prob.n_sites} sites open ({n_closed} closed or dropping "
        "this service).",
        f"Mean travel {result.mean_minutes:.1f} min, worst {result.max_minutes:.1f} min"
        + (
            f" (now {baseline['mean_minutes']:.1f} and {baseline['max_minutes']:.1f})."
            if baseline
            else "."
        ),
    ]
    if result.sense == "min":
        proof = (
            f"No network under the same rules can do better than {result.bound:.6g} ({what}); "
            f"this one reaches {result.objective:.6g}, so it is within "
            f"{100 * result.gap:.3g} % of the best possible."
        )
    else:
        proof = (
            f"No network under the same rules can exceed {result.bound:.6g} ({what}); this one "
            f"reaches {result.objective:.6g}, within {100 * result.gap:.3g} % of the best."
        )
    lines.append(proof)
    if result.n_unreachable:
        lines.append(
            f"{result.n_unreachable} cells (demand {result.unreachable_demand:.0f}) reach no "
            "site by this mode and are left out of the optimisation."
        )
    return "\n".join(lines)
