"""A :class:`Study`: one region with its travel-time cache and the use cases as library calls.

Every front end (the command line, the web app, a notebook, a Dask sweep) works through a
Study: open a region, evaluate scenarios, compare them, optimise a service, trace the
cost-access front, write results and the report. The Study routes travel times once per
destination (the region's sites, new sites of scenarios, candidate points) and reuses them in
memory and on disk; long steps report through its ``progress`` callback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from .progress import Progress, ProgressEvent

if TYPE_CHECKING:
    import pandas as pd

    from ..ems import EmsEvaluation
    from ..evaluation import Comparison, EvaluateOptions, Evaluation
    from ..locate.candidates import CandidateSet
    from ..network.params import RoadParams, TransitParams
    from ..network.types import Destinations, TravelTimes, TravelTimeSet
    from ..region.model import Region
    from ..scenario import Scenario
    from .ems import EmsComparison
    from .optimize import Optimization, OptimizeRequest, ParetoRequest
    from .sweep import SweepResult, SweepSpec

log = logging.getLogger("palveluverkko.study")

__all__ = ["Study"]


class Study:
    """A region, its travel times and the use cases on them.

    Parameters
    ----------
    region
        The region as it is (today's network).
    cache_dir
        Travel-time cache folder (default ``$PALVELUVERKKO_CACHE_DIR`` or
        ``~/.cache/palveluverkko``).
    modes
        ``"available"`` (car and walk, and transit with GTFS:
        :func:`palveluverkko.network.available_modes`) or the modes to route.
    road, transit
        Routing parameters (defaults when None).
    progress
        Receives a :class:`~.progress.ProgressEvent` as long steps advance.
    """

    def __init__(
        self,
        region: Region,
        *,
        cache_dir: str | Path | None = None,
        modes: str | Iterable[str] = "available",
        road: RoadParams | None = None,
        transit: TransitParams | None = None,
        progress: Progress | None = None,
    ) -> None:
        from ..network.routing import available_modes

        self.region = region
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.modes: tuple[str, ...] = (
            available_modes(region) if modes == "available" else tuple(modes)
        )
        self.road = road
        self.transit = transit
        self.progress = progress
        self._routed: TravelTimeSet | None = None

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        cache_dir: str | Path | None = None,
        progress: Progress | None = None,
        modes: str | Iterable[str] = "available",
    ) -> Study:
        """Read and validate the region package at ``path`` (:func:`palveluverkko.read_region`).

        Raises
        ------
        ValidationError
            Listing every error of the package.
        """
        from ..region.io import read_region

        region = read_region(path)
        return cls(region, cache_dir=cache_dir, progress=progress, modes=modes)

    def __repr__(self) -> str:
        return f"Study({self.region.name!r}, modes={self.modes})"

    # --- progress ----------------------------------------------------------------------------

    def _emit(self, stage: str, done: int, total: int | None, detail: str = "") -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(stage, done, total, detail))

    def _mode_progress(self, mode: str, done: int, total: int) -> None:
        self._emit("travel_times", done, total, mode)

    # --- travel times ------------------------------------------------------------------------

    def travel_times(
        self, *scenarios: Scenario | None, extra: Destinations | None = None
    ) -> TravelTimeSet:
        """Travel times by the study's modes to the region's sites, the new sites of
        ``scenarios`` and ``extra`` destinations (routed once each, then reused)."""
        from ..evaluation.stages import scenario_destinations
        from ..network.routing import route

        wanted = scenario_destinations(self.region, *scenarios)
        if extra is not None:
            wanted = wanted.union(extra)
        have = self._routed
        missing = wanted if have is None else _missing(have.to, wanted)
        if len(missing):
            routed = route(
                self.region,
                missing,
                modes=self.modes,
                road=self.road,
                transit=self.transit,
                cache_dir=self.cache_dir,
                progress=self._mode_progress,
            )
            have = routed if have is None else have.join(routed)
            self._routed = have
        assert have is not None
        return have.select(wanted.ids)

    def route_to(self, mode: str, to: Destinations) -> TravelTimes:
        """Travel times by one ``mode`` to ``to`` (cached on disk like every matrix)."""
        from ..network.routing import travel_times

        self._emit("travel_times", 0, None, mode)
        params = self.transit if mode == "transit" else self.road
        result = travel_times(
            self.region,
            mode,
            to=to,
            params=params,
            cache_dir=self.cache_dir,
            progress=lambda done, total: self._emit("travel_times", done, total, mode),
        )
        self._emit("travel_times", 1, 1, mode)
        return result

    # --- evaluation --------------------------------------------------------------------------

    def evaluate(
        self,
        scenario: Scenario | None = None,
        *,
        year: int | None = None,
        options: EvaluateOptions | None = None,
    ) -> Evaluation:
        """Evaluate ``scenario`` (None: today's network) with the study's travel times."""
        from ..evaluation.pipeline import evaluate

        tts = self.travel_times(scenario)
        name = scenario.name if scenario is not None else ""

        def on_stage(done: int, total: int, stage: str) -> None:
            detail = f"{name}: {stage}" if name and stage else name or stage
            self._emit("evaluate", done, total, detail)

        ev = evaluate(
            self.region, scenario, travel_times=tts, year=year, options=options, on_stage=on_stage
        )
        return ev

    def compare(
        self,
        base: Scenario | None,
        *others: Scenario,
        options: EvaluateOptions | None = None,
    ) -> list[Comparison]:
        """Evaluate ``base`` (None: today's network) and each of ``others`` and compare each
        with the base; travel times are routed once for all of them."""
        from ..evaluation.comparison import compare

        if not others:
            raise InputError("compare: give at least one scenario to compare with the base")
        self.travel_times(base, *others)
        base_ev = self.evaluate(base, options=options)
        out = []
        for n, other in enumerate(others):
            self._emit("compare", n, len(others), other.name)
            out.append(compare(base_ev, self.evaluate(other, options=options)))
        self._emit("compare", len(others), len(others))
        return out

    # --- location models ---------------------------------------------------------------------

    def optimize(
        self, request: OptimizeRequest, *, candidates: CandidateSet | None = None
    ) -> Optimization:
        """Choose the sites of one service (:func:`.optimize.optimize_service`)."""
        from .optimize import optimize_service

        self._emit("optimize", 0, 1, request.model)
        out = optimize_service(self.region, request, self.route_to, candidates=candidates)
        self._emit("optimize", 1, 1, request.model)
        if request.capacity_check:
            out = self._capacity_check(out)
        return out

    def _capacity_check(self, out: Optimization) -> Optimization:
        """Evaluate today and the result (capacity follows the demand) and add the figures."""
        from .optimize import capacity_checked

        return capacity_checked(self.region, out, lambda sc, year: self.evaluate(sc, year=year))

    def optimize_many(
        self,
        requests: Sequence[OptimizeRequest],
        *,
        scheduler: str | None = None,
        n_workers: int | None = None,
    ) -> list[Optimization]:
        """Solve many requests (e.g. every p of a service, every service) on Dask
        (:func:`.batch.run_optimizations`); the results equal :meth:`optimize` of each."""
        from ..network.types import Destinations
        from .batch import run_optimizations

        modes = sorted({r.mode for r in requests})
        tts = {m: self.route_to(m, Destinations.of_sites(self.region)) for m in modes}
        return run_optimizations(
            self.region,
            requests,
            tts,
            scheduler=scheduler,
            n_workers=n_workers,
            progress=lambda done, total: self._emit("optimize", done, total, "batch"),
        )

    def candidates(
        self, service: str, path: str | Path, *, kind: str = "sote_asema"
    ) -> CandidateSet:
        """Candidate points of a file, as possible new sites of ``service``."""
        from .optimize import candidates_from_file

        return candidates_from_file(self.region, service, path, kind=kind)

    def pareto(self, request: ParetoRequest) -> tuple[pd.DataFrame, float | None]:
        """The cost-access front of one service (:func:`.optimize.pareto_service`)."""
        from .optimize import pareto_service

        return pareto_service(
            self.region,
            request,
            self.route_to,
            progress=lambda done, total: self._emit("pareto", done, total, request.service),
        )

    def sweep(
        self,
        scenario: Scenario | None,
        spec: SweepSpec,
        n: int,
        *,
        seed: int = 0,
        scheduler: str | None = None,
        batch_seconds: float = 1.0,
        n_workers: int | None = None,
    ) -> SweepResult:
        """A sensitivity sweep of ``scenario`` over ``n`` draws of ``spec``
        (:func:`.sweep.run_sweep`; Dask's LocalCluster by default)."""
        from .sweep import run_sweep

        tts = self.travel_times(scenario)
        name = scenario.name if scenario is not None else ""
        return run_sweep(
            self.region,
            scenario,
            dict(tts),
            spec,
            n,
            seed=seed,
            scheduler=scheduler,
            batch_seconds=batch_seconds,
            n_workers=n_workers,
            progress=lambda done, total: self._emit("sweep", done, total, name),
        )

    # --- outputs -----------------------------------------------------------------------------

    def write(
        self, evaluation: Evaluation, out: str | Path, *, excel: bool = True, lang: str = "fi"
    ) -> list[Path]:
        """Write an evaluation's tables, GeoPackage and workbook (in ``lang``) into ``out``."""
        from ..evaluation.io import write_evaluation

        self._emit("write", 0, 1, str(out))
        files = write_evaluation(evaluation, out, excel=excel, lang=lang)
        self._emit("write", 1, 1, str(out))
        return files

    def write_comparison(
        self,
        comparison: Comparison,
        out: str | Path,
        *,
        excel: bool = True,
        evaluations: bool = True,
        lang: str = "fi",
    ) -> list[Path]:
        """Write a comparison (and, with ``evaluations``, both evaluations) into ``out``; the
        workbooks in ``lang``."""
        from ..evaluation.io import write_comparison

        self._emit("write", 0, 1, str(out))
        files = write_comparison(comparison, out, excel=excel, evaluations=evaluations, lang=lang)
        self._emit("write", 1, 1, str(out))
        return files

    def report(
        self,
        out: str | Path,
        *,
        scenario: Scenario | None = None,
        scenarios: Sequence[Scenario] = (),
        base: Evaluation | None = None,
        comparison: Comparison | Sequence[Comparison] | None = None,
        lang: str = "fi",
        service: str | None = None,
        pdf: bool = False,
        options: EvaluateOptions | None = None,
        ems: bool = False,
        ems_stations: str | Path | None = None,
        ems_missions: str | Path | None = None,
        sweep_bands: pd.DataFrame | None = None,
    ) -> Path:
        """Write the report of today's network, compared with ``scenario`` or side by side with
        each of ``scenarios`` if given.

        Evaluations already made may be passed (``base``, ``comparison``: one or several) to
        skip redoing them.
        With ``ems`` the report gains the emergency-care section: today's fleet (the county's
        ``ems_stations`` file, else an ASSUMED fleet at the sites) against the service-level
        decision, and the fleet of the last scenario with ``[[ems_station]]`` entries; missions
        from ``ems_missions``, else estimated.
        """
        from ..evaluation import Comparison as ComparisonType
        from ..i18n import check_lang
        from ..report import write_pdf, write_report

        check_lang(lang)
        wanted = [*([scenario] if scenario is not None else []), *scenarios]
        if comparison is None and wanted:
            comparison = self.compare(None, *wanted, options=options)
        first = (
            comparison
            if isinstance(comparison, ComparisonType)
            else (comparison[0] if comparison else None)
        )
        if base is None:
            base = first.base if first is not None else self.evaluate(None, options=options)
        emergency: EmsEvaluation | EmsComparison | None = None
        if ems:
            from .ems import ems_compare, ems_evaluate

            stations = Path(ems_stations) if ems_stations is not None else None
            missions = Path(ems_missions) if ems_missions is not None else None
            with_ems = [s for s in wanted if s.ems_stations]
            self._emit("ems", 0, 1, lang)
            if with_ems:
                emergency = ems_compare(
                    self.region, with_ems[-1], stations=stations, missions=missions
                )
            else:
                emergency = ems_evaluate(self.region, stations=stations, missions=missions)
            self._emit("ems", 1, 1, lang)
        steps = 2 if pdf else 1
        self._emit("report", 0, steps, "html")
        path = write_report(
            base,
            comparison,
            self.region,
            out,
            lang=lang,
            service=service,
            ems=emergency,
            ems_assumed_fleet=ems_stations is None,
            sweep_bands=sweep_bands,
        )
        if pdf:
            self._emit("report", 1, steps, "pdf")
            write_pdf(path.read_text(encoding="utf-8"), path.with_suffix(".pdf"))
        self._emit("report", steps, steps)
        return path


def _missing(have: Destinations, wanted: Destinations) -> Destinations:
    """The destinations of ``wanted`` not in ``have`` (an id at another point is an error)."""
    merged = have.union(wanted)  # raises on an id at two points
    new_ids: Sequence[str] = merged.ids[len(have) :].tolist()
    return merged.subset(new_ids) if new_ids else wanted.subset([])
