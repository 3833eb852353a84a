"""The optimise use case: choose the sites of one service with a location model and write the
scenario with its explanation (:func:`optimize_service`), and the cost-access front
(:func:`pareto_service`).

Models are a table (:data:`MODELS`): each names what it needs (``p``, a threshold) and how it
is solved, and front ends offer its keys as choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from ..errors import InputError, InternalError
from ..locate import (
    LocationProblem,
    LocationResult,
    SolveParams,
    capacitated_p_median,
    fixed_charge,
    lscp,
    mclp,
    p_center,
    p_median,
    pareto_front,
)
from ..locate.candidates import CandidateSet
from ..locate.region import (
    current_figures,
    explain,
    scenario_from_result,
    scenario_name,
    service_problem,
    service_threshold,
    site_labels,
    sites_without_cost,
)
from ..network.types import Destinations, TravelTimes
from .choices import ACCESS_MEASURES, MODEL_NAMES

if TYPE_CHECKING:
    from ..evaluation import Evaluation
    from ..region.model import Region
    from ..scenario import Scenario

log = logging.getLogger("palveluverkko.study")

__all__ = [
    "ACCESS_MEASURES",
    "MODELS",
    "ModelSpec",
    "Optimization",
    "OptimizeRequest",
    "ParetoRequest",
    "candidates_from_file",
    "optimize_service",
    "pareto_service",
]


@dataclass(frozen=True)
class OptimizeRequest:
    """What to optimise: one service, a model and its options (CLI options map one to one).

    Attributes
    ----------
    service
        Service code.
    model
        A key of :data:`MODELS`.
    p
        Open sites (p-median, p-center, mclp, capacitated-p-median).
    threshold_minutes
        Minutes (mclp, lscp); default the service's ``threshold_min``.
    eur_per_minute, budget_eur
        fixed-charge: EUR per contact-minute of travel; EUR per year.
    mode
        Travel mode of the model's minutes.
    year
        Demand year (default the base year).
    per_municipality
        Minimum open sites in each municipality (0 = none).
    keep, close
        Site ids that must stay open / must close.
    time_limit_s
        Seconds for the solver.
    lang
        Language of the explanation: fi, sv or en.
    capacity_check
        After solving, evaluate today's network and the result with capacity and staff
        following the demand, and say in the explanation how care within the access target
        moves (:meth:`palveluverkko.study.Study.optimize`).
    """

    service: str
    model: str = "p-median"
    p: int | None = None
    threshold_minutes: float | None = None
    eur_per_minute: float = 1.0
    budget_eur: float | None = None
    mode: str = "car"
    year: int | None = None
    per_municipality: int = 1
    keep: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    time_limit_s: float = 60.0
    lang: str = "fi"
    capacity_check: bool = True

    def __post_init__(self) -> None:
        spec = MODELS.get(self.model)
        if spec is None:
            raise InputError(
                f"model {self.model!r} is unknown; expected one of {', '.join(MODELS)}"
            )
        if spec.needs_p and self.p is None:
            raise InputError(f"--p is required with --model {self.model}")
        if self.p is not None and self.p < 1:
            raise InputError(f"--p {self.p}: give at least 1 open site")
        if not self.time_limit_s > 0:
            raise InputError(f"--time-limit {self.time_limit_s}: give seconds above 0")
        object.__setattr__(self, "keep", tuple(str(s) for s in self.keep))
        object.__setattr__(self, "close", tuple(str(s) for s in self.close))


Solve = Callable[[LocationProblem, OptimizeRequest, float | None, SolveParams], LocationResult]


@dataclass(frozen=True)
class ModelSpec:
    """A location model as the optimise use case offers it."""

    title: str
    needs_p: bool
    uses_threshold: bool
    solve: Solve


def _p(request: OptimizeRequest) -> int:
    assert request.p is not None  # checked by OptimizeRequest
    return request.p


def _threshold(threshold: float | None) -> float:
    assert threshold is not None  # filled from the service for the models that use it
    return threshold


MODELS: dict[str, ModelSpec] = {
    "p-median": ModelSpec(
        "mean trip (p-median)",
        True,
        False,
        lambda prob, r, t, params: p_median(prob, _p(r), params=params),
    ),
    "p-center": ModelSpec(
        "worst trip (p-center)",
        True,
        False,
        lambda prob, r, t, params: p_center(prob, _p(r), params=params),
    ),
    "mclp": ModelSpec(
        "most demand within the threshold (MCLP)",
        True,
        True,
        lambda prob, r, t, params: mclp(prob, _threshold(t), _p(r), params=params),
    ),
    "lscp": ModelSpec(
        "fewest sites covering all within the threshold (LSCP)",
        False,
        True,
        lambda prob, r, t, params: lscp(prob, _threshold(t), params=params),
    ),
    "fixed-charge": ModelSpec(
        "site costs plus travel (fixed charge)",
        False,
        False,
        lambda prob, r, t, params: fixed_charge(
            prob, r.eur_per_minute, budget_eur=r.budget_eur, params=params
        ),
    ),
    "capacitated-p-median": ModelSpec(
        "mean trip within capacity (capacitated p-median)",
        True,
        False,
        # capacity: site_services.capacity_per_week x 52 against yearly physical demand
        lambda prob, r, t, params: capacitated_p_median(prob, _p(r), params=params),
    ),
}
"""The models by their command-line name."""

if tuple(MODELS) != MODEL_NAMES:  # pragma: no cover - a programming error, caught by tests
    raise InternalError(f"MODELS {tuple(MODELS)} and choices.MODEL_NAMES {MODEL_NAMES} differ")


@dataclass(frozen=True, eq=False)
class Optimization:
    """The outcome of :func:`optimize_service`.

    Attributes
    ----------
    request
        What was asked.
    result
        The solved model (objective, bound, gap, open sites, assignment).
    today
        Today's figures on the same problem (:func:`~palveluverkko.locate.region.current_figures`).
    scenario
        The scenario that keeps the result's sites (closures, conversions, openings), named and
        described in the request's language.
    explanation
        The explanation text (what changes, today against the result, what the bound proves).
    candidates
        The candidate points considered, if any (with the figures taken from medians counted).
    within_target, within_target_today
        Share of the service's contacts seen within the access target with the result's network
        (capacity following the demand) and today's; NaN when not checked.
    """

    request: OptimizeRequest
    result: LocationResult
    today: dict[str, float]
    scenario: Scenario
    explanation: str
    candidates: CandidateSet | None = None
    within_target: float = float("nan")
    within_target_today: float = float("nan")

    def with_capacity_check(self, share: float, share_today: float, days: float) -> Optimization:
        """This optimisation with the capacity check's figures and sentences added to the
        explanation and the scenario's description."""
        from ..i18n import number, pick
        from ..locate.texts import TEXTS

        lang = self.request.lang
        lines = [
            pick(
                TEXTS,
                "capacity_check",
                lang,
                days=number(days, lang, 0),
                share=number(share, lang, 1, pct=True),
                share_now=number(share_today, lang, 1, pct=True),
            )
        ]
        drop = 100 * (share_today - share)
        if drop >= 1.0:
            lines.append(pick(TEXTS, "capacity_breaks", lang, drop=number(drop, lang, 1)))
        text = "\n".join([self.explanation, *lines])
        return replace(
            self,
            explanation=text,
            scenario=replace(self.scenario, description=text),
            within_target=share,
            within_target_today=share_today,
        )

    def to_toml(self) -> str:
        """The scenario file: the explanation as ``#`` comments, then the scenario."""
        header = "".join(f"# {line}\n" for line in self.explanation.splitlines())
        return header + self.scenario.to_toml()

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path``; returns the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_toml(), encoding="utf-8")
        return target


def _approximate_line(tt: TravelTimes, lang: str) -> str:
    """The sentence that says the proof holds on straight-line estimates for some cells."""
    from ..i18n import number, pick
    from ..locate.texts import TEXTS

    residents = float(tt.approximate["residents"].sum()) if len(tt.approximate) else 0.0
    return pick(
        TEXTS,
        "approximate_times",
        lang,
        cells=number(int(tt.approximate_cells().sum()), lang, 0),
        residents=number(residents, lang, 0),
    )


def capacity_checked(
    region: Region,
    out: Optimization,
    evaluate: Callable[[Scenario | None, int | None], Evaluation],
) -> Optimization:
    """``out`` with care within the access target today and after (capacity and staff follow
    the demand), from ``evaluate(scenario, year)``; unchanged for a service delivered at home
    or without an access target."""
    from ..evaluation.capacity import share_within_target
    from ..evaluation.stages import site_travel

    service = out.request.service
    services = region.services
    if not site_travel(services, (service,))[0]:
        return out  # delivered at home: no site capacity against an access target
    days = float(
        services.set_index(services["service"].astype(str)).at[service, "access_target_days"]
    )
    if not days > 0:
        return out
    today = evaluate(None, out.request.year)
    after = evaluate(out.scenario, out.request.year)
    assert today.capacity is not None
    assert after.capacity is not None
    return out.with_capacity_check(
        share_within_target(after.capacity, service),
        share_within_target(today.capacity, service),
        days,
    )


def optimize_service(
    region: Region,
    request: OptimizeRequest,
    route_to: Callable[[str, Destinations], TravelTimes],
    *,
    candidates: CandidateSet | None = None,
) -> Optimization:
    """Solve ``request`` on ``region`` and build the scenario and its explanation.

    Parameters
    ----------
    region
        The region as it is.
    request
        The service, model and options.
    route_to
        ``(mode, destinations) -> TravelTimes``: how travel times are obtained (a
        :class:`~palveluverkko.study.Study` passes its cached router).
    candidates
        New candidate points, routed beside the sites and offered to the model.

    Raises
    ------
    InputError
        An unknown service, a missing ``p``, a bad candidate.
    InfeasibleError
        The rules cannot be met (the message states the numbers).
    """
    threshold_today = service_threshold(region, request.service)
    dest = Destinations.of_sites(region)
    if candidates is not None:
        dest = dest.union(candidates.destinations)
    tt = route_to(request.mode, dest)
    prob = service_problem(
        region,
        request.service,
        tt.minutes,
        tt.destination_ids,
        candidates=candidates,
        year=request.year,
        min_open_per_municipality=request.per_municipality,
        must_open=request.keep,
        must_close=request.close,
    )
    # service_problem has checked that the service is in the catalogue, whose validated
    # threshold_min is a positive number
    assert threshold_today is not None
    spec = MODELS[request.model]
    threshold = request.threshold_minutes
    if threshold is None and spec.uses_threshold:
        threshold = threshold_today
    params = SolveParams(time_limit_s=request.time_limit_s)
    result = spec.solve(prob, request, threshold, params)
    new_ids = set(candidates.ids) if candidates is not None else set()
    assert prob.site_ids is not None
    today_ids = [s for s in prob.site_ids.astype(str).tolist() if s not in new_ids]
    shown_threshold = threshold if spec.uses_threshold else threshold_today
    today = current_figures(prob, today_ids, shown_threshold)
    labels = site_labels(region)
    if candidates is not None:
        labels.update(candidates.labels())
    text = explain(
        result,
        today,
        lang=request.lang,
        labels=labels,
        new_sites=new_ids,
        threshold_minutes=shown_threshold,
        missing_cost=sites_without_cost(region, today_ids),
    )
    if tt.is_approximate:
        text = "\n".join([text, _approximate_line(tt, request.lang)])
    scenario = scenario_from_result(region, request.service, result, candidates=candidates)
    scenario = replace(
        scenario,
        name=scenario_name(result, request.service, request.lang),
        description=text,
    )
    scenario.check(region)
    return Optimization(
        request=request,
        result=result,
        today=today,
        scenario=scenario,
        explanation=text,
        candidates=candidates,
    )


@dataclass(frozen=True)
class ParetoRequest:
    """What :func:`pareto_service` traces (CLI options map one to one)."""

    service: str
    access: Literal["mean", "worst", "share"] = "mean"
    threshold_minutes: float | None = None
    p_min: int | None = None
    p_max: int | None = None
    mode: str = "car"
    year: int | None = None
    per_municipality: int = 1
    time_limit_s: float = 20.0

    def __post_init__(self) -> None:
        if self.access not in ACCESS_MEASURES:
            raise InputError(
                f"--access: expected one of {', '.join(ACCESS_MEASURES)}; got {self.access!r}"
            )


def pareto_service(
    region: Region,
    request: ParetoRequest,
    route_to: Callable[[str, Destinations], TravelTimes],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, float | None]:
    """The cost-access front of one service over the number of open sites.

    Returns the front (one row per number of sites; ``open_sites`` joined with ``;``;
    ``sites_without_cost`` counts the open sites whose annual cost is unknown and counted as 0)
    and the threshold of its share column.

    Raises
    ------
    InputError
        A range of site counts outside what the rules and the sites allow.
    """
    threshold = request.threshold_minutes
    if threshold is None:
        threshold = service_threshold(region, request.service)
    tt = route_to(request.mode, Destinations.of_sites(region))
    prob = service_problem(
        region,
        request.service,
        tt.minutes,
        tt.destination_ids,
        year=request.year,
        min_open_per_municipality=request.per_municipality,
    )
    lo = max(prob.rules.min_open(), 1) if request.p_min is None else request.p_min
    hi = int(prob.rules.allowed.sum()) if request.p_max is None else request.p_max
    if not 1 <= lo <= hi <= prob.n_sites:
        raise InputError(
            f"--p-min/--p-max: {lo}..{hi} is not a range within 1..{prob.n_sites} "
            f"(the candidate sites of {request.service}); the rules need at least "
            f"{prob.rules.min_open()} open"
        )
    front = pareto_front(
        prob,
        range(lo, hi + 1),
        access=request.access,
        threshold_minutes=threshold,
        params=SolveParams(time_limit_s=request.time_limit_s),
        progress=progress,
    )
    assert prob.site_ids is not None
    unknown = set(sites_without_cost(region, prob.site_ids.astype(str).tolist()))
    front = front.assign(
        sites_without_cost=front["open_sites"].map(lambda s: sum(str(x) in unknown for x in s)),
        open_sites=front["open_sites"].map(lambda s: ";".join(map(str, s))),
    )
    return front, threshold


def candidates_from_file(
    region: Region, service: str, path: str | Path, *, kind: str = "sote_asema"
) -> CandidateSet:
    """Candidate points of a CSV, GeoJSON or GeoPackage file (see
    :func:`palveluverkko.locate.candidates.read_candidates`)."""
    from ..locate.candidates import candidate_set, read_candidates

    points = read_candidates(path, str(region.crs))
    return candidate_set(region, service, points, kind=kind)
