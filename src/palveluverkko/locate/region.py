"""Adapter from a :class:`~palveluverkko.region.Region` to location problems and back.

* :func:`service_problem`: demand = the service's **physical** contacts per year per cell (the
  demand model with the channel split, :mod:`palveluverkko.demand`), candidates = the existing
  sites that offer the service and any new candidate points (:class:`~.candidates.CandidateSet`;
  columns of a :class:`~palveluverkko.network.TravelTimes` matrix routed to both), groups = the
  sites' municipalities, ``site_cost_eur`` = ``annual_cost_eur`` (missing = 0, counted in the
  log), capacity = ``capacity_per_week x 52`` contacts per year.
* :func:`scenario_from_result`: the sites a result leaves closed become scenario entries the
  evaluator can score: a site that offers only this service is closed (``[[close]]``, its
  substitute the open site that takes most of its current demand); a site that offers other
  services too keeps them (``[[convert]]`` dropping this service); chosen candidates are opened
  (``[[open]]``).
* :func:`explain`: a short text (fi, sv, en) of what changes, how travel times move against
  today's network (:func:`current_figures`) and what the bound proves.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import InputError, UnknownIdError
from ..i18n import number, pick
from ..region.model import Region
from ..scenario import Closure, Conversion, Scenario
from .problem import LocationProblem, problem_from_matrix
from .result import (
    LocationResult,
    assigned_minutes,
    max_minutes,
    mean_minutes,
    nearest_assignment,
    share_within,
)
from .texts import MODEL_NAMES, TEXTS, UNITS

if TYPE_CHECKING:
    from .candidates import CandidateSet

log = logging.getLogger("palveluverkko.locate")

WEEKS_PER_YEAR = 52.0

__all__ = [
    "current_figures",
    "explain",
    "physical_demand",
    "scenario_from_result",
    "scenario_name",
    "service_problem",
    "service_threshold",
    "site_labels",
    "sites_without_cost",
]


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
    candidates: CandidateSet | None = None,
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
        Column ids of ``minutes`` (``TravelTimes.destination_ids``).
    candidates
        New candidate points (their columns must be in ``minutes``): each is one more column,
        with its own cost, capacity and municipality.
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
    existing = offering["site_id"].astype(str).tolist()
    new_ids = list(candidates.ids) if candidates is not None else []
    cand = existing + new_ids
    missing = [s for s in cand if s not in cols]
    if missing:
        raise InputError(
            f"travel times: no column for site(s) {missing[:10]} that offer {service!r}; "
            "recompute travel_times for this region (and its candidates)"
        )
    sites = region.sites.set_index(region.sites["site_id"].astype(str))
    cost = pd.to_numeric(sites.loc[existing, "annual_cost_eur"], errors="coerce").to_numpy(float)
    n_nan = int(np.isnan(cost).sum())
    if n_nan:
        log.info("%d candidate site(s) have no annual_cost_eur; counted as 0 EUR", n_nan)
        cost = np.nan_to_num(cost, nan=0.0)
    cap = offering["capacity_per_week"].to_numpy(float) * WEEKS_PER_YEAR
    groups = sites.loc[existing, "municipality"].astype(str).to_numpy()
    if candidates is not None:
        cost = np.concatenate([cost, candidates.figure("annual_cost_eur")])
        cap = np.concatenate([cap, candidates.figure("capacity_per_week") * WEEKS_PER_YEAR])
        groups = np.concatenate([groups, [o.municipality for o in candidates.sites]])
    return problem_from_matrix(
        np.asarray(minutes)[:, [cols[s] for s in cand]],
        physical_demand(region, service, year),
        cand,
        demand_ids=region.population["cell_id"].astype(str).to_numpy(),
        groups=groups,
        min_open_per_group=min_open_per_municipality or None,
        site_cost_eur=cost,
        capacity=np.nan_to_num(cap, nan=0.0),
        must_open=list(must_open),
        must_close=list(must_close),
        unreachable=unreachable,
    )


def scenario_from_result(
    region: Region,
    service: str,
    result: LocationResult,
    *,
    candidates: CandidateSet | None = None,
    name: str | None = None,
) -> Scenario:
    """A scenario that keeps exactly the result's open sites for ``service``.

    Closed sites that offer only this service are closed with the open site taking most of
    their current demand (nearest existing site today, the result's assignment after) as the
    substitute; sites that offer other services too keep those and drop this one. Chosen
    ``candidates`` are opened; the others leave no trace.
    """
    prob = result.problem
    assert prob.site_ids is not None
    ids = [str(s) for s in prob.site_ids.tolist()]
    new = set(candidates.ids) if candidates is not None else set()
    open_mask = result.open_mask
    ss = region.site_services
    services_of = ss.groupby(ss["site_id"].astype(str))["service"].apply(
        lambda s: tuple(sorted(s.astype(str)))
    )
    finite = np.where(np.isfinite(prob.minutes), prob.minutes, np.inf)
    today = np.asarray([s not in new for s in ids])
    before = np.argmin(np.where(today[None, :], finite, np.inf), axis=1)
    closures: list[Closure] = []
    conversions: list[Conversion] = []
    open_cols = np.flatnonzero(open_mask)
    for j in np.flatnonzero(~open_mask & today):
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
    chosen = [ids[j] for j in open_cols if ids[j] in new]
    return Scenario(
        name=name or f"{service}: {result.model}, {result.n_open} sites",
        description=f"palveluverkko optimize: {result.method}",
        closures=tuple(closures),
        conversions=tuple(conversions),
        openings=candidates.openings(chosen) if candidates is not None else (),
    )


def sites_without_cost(region: Region, site_ids: Iterable[str]) -> list[str]:
    """The ids among ``site_ids`` whose ``annual_cost_eur`` is missing (counted as 0 EUR)."""
    sites = region.sites.set_index(region.sites["site_id"].astype(str))
    wanted = [str(s) for s in site_ids if str(s) in sites.index]
    cost = pd.to_numeric(sites.loc[wanted, "annual_cost_eur"], errors="coerce")
    return [s for s, c in zip(wanted, cost.to_numpy(), strict=True) if np.isnan(c)]


def service_threshold(region: Region, service: str) -> float | None:
    """The service's ``threshold_min`` from the catalogue, or None for an unknown service."""
    svc = region.services.set_index(region.services["service"].astype(str))
    return float(svc.loc[service, "threshold_min"]) if service in svc.index else None


def current_figures(
    problem: LocationProblem,
    open_ids: Iterable[str],
    threshold_minutes: float | None = None,
) -> dict[str, float]:
    """Figures of a network given by its open site ids, each cell at its nearest open site.

    Returns ``mean_minutes`` and ``max_minutes`` (over reachable demand with a site, as in
    :class:`~.result.LocationResult`), ``share_within`` when ``threshold_minutes`` is given
    (share of reachable demand), and ``annual_cost_eur`` when the problem has site costs. Used
    for today's network in :func:`explain`.
    """
    index = problem.site_index([str(s) for s in open_ids])
    assignment = nearest_assignment(problem, index)
    minutes = assigned_minutes(problem, assignment)
    out = {
        "mean_minutes": mean_minutes(problem, assignment, minutes),
        "max_minutes": max_minutes(problem, assignment, minutes),
    }
    if threshold_minutes is not None:
        out["share_within"] = share_within(problem, assignment, minutes, threshold_minutes)
    if problem.site_cost_eur is not None:
        out["annual_cost_eur"] = float(problem.site_cost_eur[index].sum())
    return out


def site_labels(region: Region) -> dict[str, str]:
    """Site id -> ``"Name (municipality name, id)"`` for lists a reader sees."""
    sites = region.sites
    munis = region.municipalities
    mname = (
        dict(zip(munis["code"].astype(str), munis["name"].astype(str), strict=True))
        if "name" in munis
        else {}
    )
    names = sites["name"] if "name" in sites else pd.Series([""] * len(sites), index=sites.index)
    out = {}
    for sid, name, muni in zip(
        sites["site_id"].astype(str), names, sites["municipality"].astype(str), strict=True
    ):
        where = mname.get(muni, muni)
        # the name a reader knows first; the id (an OSM id such as node/1641640650, or the
        # county's code) after it, for finding the site in the scenario file
        out[sid] = (
            f"{name} ({where}, {sid})" if isinstance(name, str) and name else f"{sid} ({where})"
        )
    return out


def scenario_name(result: LocationResult, service: str, lang: str = "fi") -> str:
    """A short scenario name, e.g. ``vastaanotto: p-mediaani, 25 toimipistettä``."""
    fields = {"threshold": number(result.threshold_minutes, lang, 0)}
    model = pick(MODEL_NAMES, result.model, lang, **fields).split(" (")[0]
    return pick(TEXTS, "scenario_name", lang, service=service, model=model, n_open=result.n_open)


def _listed(ids: list[str], labels: Mapping[str, str], lang: str, limit: int) -> str:
    shown = [labels.get(s, s) for s in ids[:limit]]
    if len(ids) > limit:
        shown.append(pick(TEXTS, "and_more", lang, n=len(ids) - limit))
    return ", ".join(shown)


def explain(
    result: LocationResult,
    baseline: Mapping[str, float] | None = None,
    *,
    lang: str = "fi",
    labels: Mapping[str, str] | None = None,
    new_sites: Collection[str] = (),
    threshold_minutes: float | None = None,
    max_listed: int = 12,
    missing_cost: Collection[str] = (),
) -> str:
    """A few sentences in ``lang`` (fi, sv, en): what the solution changes and what its bound
    proves.

    Parameters
    ----------
    result
        The solved model.
    baseline
        Today's figures (:func:`current_figures`), shown as "now ..." beside the new ones.
    labels
        Site id -> label for the lists of closed and new sites (:func:`site_labels`).
    new_sites
        Ids of candidate sites that do not exist today: open ones are listed as new, closed ones
        are not mentioned.
    threshold_minutes
        Access threshold for the share within it (default the model's own, if any).
    max_listed
        At most this many sites are named per list; the rest are counted.
    missing_cost
        Ids of sites whose annual cost is not known (counted as 0 in the problem): said so.
    """
    prob = result.problem
    assert prob.site_ids is not None
    labels = labels or {}
    new = {str(s) for s in new_sites}
    ids = [str(s) for s in prob.site_ids.tolist()]
    open_mask = result.open_mask
    closed = [s for s, o in zip(ids, open_mask, strict=True) if not o and s not in new]
    opened = [s for s, o in zip(ids, open_mask, strict=True) if o and s in new]
    t = result.threshold_minutes if threshold_minutes is None else threshold_minutes
    model_fields = {"threshold": number(t, lang, 0)} if t is not None else {}
    model = pick(MODEL_NAMES, result.model, lang, **model_fields)

    lines: list[str] = []

    def say(key: str, **fields: object) -> None:
        lines.append(pick(TEXTS, key, lang, **fields))

    def num(v: float, digits: int = 1) -> str:
        return number(v, lang, digits)

    def pct(v: float) -> str:
        return number(v, lang, 1, pct=True)

    say("model", model=model, n_open=result.n_open, n_sites=prob.n_sites)
    if closed:
        say("closed", n=len(closed), sites=_listed(closed, labels, lang, max_listed))
    else:
        say("none_closed")
    if opened:
        say("opened", n=len(opened), sites=_listed(opened, labels, lang, max_listed))
    mean, worst = num(result.mean_minutes), num(result.max_minutes)
    if baseline:
        now_mean, now_worst = num(baseline["mean_minutes"]), num(baseline["max_minutes"])
        say("travel_now", mean=mean, worst=worst, mean_now=now_mean, worst_now=now_worst)
    else:
        say("travel", mean=mean, worst=worst)
    if t is not None:
        share = pct(result.share_within(t))
        if baseline and "share_within" in baseline:
            say(
                "within_now",
                threshold=num(t, 0),
                share=share,
                share_now=pct(baseline["share_within"]),
            )
        else:
            say("within", threshold=num(t, 0), share=share)
    if prob.site_cost_eur is not None:
        if missing_cost:
            say("cost_unknown", n=len(missing_cost), total=prob.n_sites)
        cost = num(result.annual_cost_eur, 0)
        if baseline and "annual_cost_eur" in baseline:
            say("cost_now", cost=cost, cost_now=num(baseline["annual_cost_eur"], 0))
        else:
            say("cost", cost=cost)
    digits = 2 if result.model == "p_center" else 0

    def value(v: float) -> str:
        return pick(UNITS, result.model, lang, value=num(v, digits))

    if result.status == "optimal":
        say("proof_optimal", objective=value(result.objective))
    else:
        say(
            "proof_min" if result.sense == "min" else "proof_max",
            bound=value(result.bound),
            objective=value(result.objective),
            gap=number(result.gap, lang, 2, pct=True),
        )
    say("proof_scope")
    if result.n_unreachable:
        say(
            "unreachable",
            n=num(result.n_unreachable, 0),
            demand=num(result.unreachable_demand, 0),
        )
    return "\n".join(lines)
