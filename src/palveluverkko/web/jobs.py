"""Evaluations as background jobs: today's network against one or more saved scenarios.

A job runs :meth:`palveluverkko.Study.compare` on one worker thread (the Study's travel-time
memory is shared, so jobs run one at a time), writes its progress into the ``jobs`` row as the
Study reports it, and stores a JSON result: the headline figures of each comparison and each
cell's car minutes to the nearest site of the map's service, before and after. The
:class:`~palveluverkko.evaluation.Comparison` objects stay in memory for downloads (report,
Excel, GeoPackage); after a restart a download re-runs the evaluation.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import threading
import time
import warnings
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from .db import Job, now

if TYPE_CHECKING:
    from ..evaluation import Comparison, Evaluation
    from ..scenario import Scenario
    from ..study import ProgressEvent, Study

log = logging.getLogger("palveluverkko.web")

__all__ = ["JobRunner", "Worker", "map_service"]


def map_service(study: Study) -> str:
    """The service drawn on the travel-time map: the first the residents travel to."""
    from ..evaluation.stages import site_travel

    services = study.region.services["service"].astype(str).tolist()
    travel = site_travel(study.region.services, tuple(services))
    for name, travels in zip(services, travel, strict=True):
        if travels:
            return name
    return services[0]


HEADLINE_TEXTS: dict[str, str] = {
    "county_cost_eur_total": "headline_cost_total",
    "kela_eur_total": "headline_kela",
    "resident_km_total": "headline_resident_km",
    "resident_hours_total": "headline_resident_hours",
    "municipalities_without_physical_site": "headline_without_site",
    "residents_losing_nearest": "headline_losing",
    "residents_75_losing_nearest": "headline_losing75",
    "share_within_30_car": "headline_within30_car",
    "share_within_30_transit": "headline_within30_bus",
    "mean_car_minutes": "headline_mean_car",
    "unreachable_car_residents": "unreachable_car",
    "share_within_target": "headline_within_target",
}
"""Headline figures (after the ``service:`` prefix) -> the report's text of the same figure."""


def figure_labels(figure: str, services: Any) -> dict[str, str]:
    """A headline figure's name in fi, sv and en, as the report says it (the figure's own
    identifier where the report has no text for it, e.g. one year's cost)."""
    from ..i18n import LANGS
    from ..report.texts import text

    service, _, name = figure.rpartition(":")
    year = name.removeprefix("county_cost_eur_")
    if year.isdigit():
        from .texts import texts

        return {lang: texts(lang)["costs_of_year"].format(year=year) for lang in LANGS}
    key = HEADLINE_TEXTS.get(name)
    if key is None:
        return dict.fromkeys(LANGS, figure)
    out = {}
    for lang in LANGS:
        label = text(key, lang)
        if service:
            column = f"name_{lang}"
            names = services.set_index(services["service"].astype(str)).get(column)
            sname = names.get(service) if names is not None else None
            label = f"{sname if isinstance(sname, str) and sname else service}: {label}"
        out[lang] = label
    return out


def _number(v: Any) -> float | None:
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else round(f, 3)


def _cell_minutes(comparison_ev: Any, study: Study, service: str) -> list[float | None]:
    cells = comparison_ev.cells
    rows = cells[cells["service"].astype(str) == service].set_index("cell_id")["car_minutes"]
    order = study.region.population["cell_id"].astype(str)
    values = rows.reindex(order.to_numpy())
    return [_number(v) for v in values.to_numpy()]


def job_result(study: Study, comparisons: list[Comparison], names: list[str]) -> dict[str, Any]:
    """The JSON result of a job: headline figures, and cell minutes before and after."""
    service = map_service(study)
    base = comparisons[0].headline
    headline = []
    for i, row in base.reset_index(drop=True).iterrows():
        values = [_number(c.headline.iloc[int(str(i))]["scenario"]) for c in comparisons]
        headline.append(
            {
                "figure": str(row["figure"]),
                "labels": figure_labels(str(row["figure"]), study.region.services),
                "unit": str(row["unit"]),
                "base": _number(row["base"]),
                "scenarios": values,
            }
        )
    return {
        "service": service,
        "names": names,
        "headline": headline,
        "cells_base": _cell_minutes(comparisons[0].base, study, service),
        "cells_after": [_cell_minutes(c.other, study, service) for c in comparisons],
    }


class Worker:
    """The evaluation side of the jobs: a Study, today's evaluation (made once), the
    comparisons of finished jobs (for downloads); it writes each job's progress and result into
    its row. Runs in the job process (or, with ``WebSettings.job_process=False``, in a thread
    of the server)."""

    def __init__(self, study: Study, factory: sessionmaker[Session], data_dir: Path) -> None:
        self.study = study
        self.factory = factory
        self.data_dir = data_dir
        self.lock = threading.Lock()  # the Study is used by one thread at a time
        self.comparisons: dict[int, list[Comparison]] = {}
        self._today: Evaluation | None = None  # today's network, the same base for every job

    def _progress(self, job_id: int) -> Any:
        last = [0.0]

        def report(event: ProgressEvent) -> None:
            t = time.monotonic()
            if t - last[0] < 0.2 and not event.finished:
                return
            last[0] = t
            with self.factory() as db:
                job = db.get(Job, job_id)
                if job is not None:
                    job.stage, job.done, job.total = event.stage, event.done, event.total
                    db.commit()

        return report

    def _compare(self, job_id: int, scenarios: list[Scenario]) -> list[Comparison]:
        from ..errors import UnreachableWarning

        with self.lock:
            self.study.progress = self._progress(job_id)
            try:
                with warnings.catch_warnings():
                    # unreachable cells are counted by the evaluation and shown in its tables
                    warnings.simplefilter("ignore", UnreachableWarning)
                    return self._compare_with_today(scenarios)
            finally:
                self.study.progress = None

    def _compare_with_today(self, scenarios: list[Scenario]) -> list[Comparison]:
        """What ``Study.compare(None, *scenarios)`` gives, with today's evaluation made once
        per worker instead of once per job (the base does not depend on the scenarios)."""
        from ..evaluation import compare

        self.study.travel_times(None, *scenarios)  # route every new site in one pass
        if self._today is None:
            self._today = self.study.evaluate(None)
        return [compare(self._today, self.study.evaluate(s)) for s in scenarios]

    def run(self, job_id: int, scenarios: list[Scenario]) -> None:
        """Evaluate job ``job_id`` and store its result (or its error) on its row."""
        with self.factory() as db:
            job = db.get(Job, job_id)
            assert job is not None
            job.status = "running"
            db.commit()
        try:
            comparisons = self._compare(job_id, scenarios)
            result = job_result(self.study, comparisons, [s.name for s in scenarios])
            self.comparisons[job_id] = comparisons
            status, error, text = "done", "", json.dumps(result)
        except Exception as exc:  # a failed job is reported on its row, never lost
            log.exception("job %s failed", job_id)
            status, error, text = "failed", f"{type(exc).__name__}: {exc}", ""
        mark(self.factory, job_id, status, error, text)

    def download(self, job_id: int, scenarios: list[Scenario], what: str) -> Path:
        """Write (once) and return the file ``what`` (``report``, ``pdf``, ``excel``, ``gpkg``) of
        the job's first comparison, under ``data_dir/jobs/<id>/`` (evaluated again when the
        worker restarted since the job ran)."""
        if job_id not in self.comparisons:
            self.comparisons[job_id] = self._compare(job_id, scenarios)
        comparison = self.comparisons[job_id][0]
        out = self.data_dir / "jobs" / str(int(job_id))
        with self.lock:
            if what in ("report", "pdf"):
                path = out / "report.html"
                pdf = what == "pdf"
                wanted = path.with_suffix(".pdf") if pdf else path
                if not wanted.exists():
                    self.study.report(path, comparison=comparison, pdf=pdf)
                return wanted
            folder = out / "comparison"
            if not folder.exists():
                self.study.write_comparison(comparison, folder, excel=True)
            # the comparison's workbook; the scenario's evaluation as a GeoPackage
            found = (
                [folder / "comparison.xlsx"]
                if what == "excel"
                else sorted((folder / "scenario").glob("*.gpkg"))
            )
            if not found or not found[0].exists():
                raise FileNotFoundError(f"no {what} file in the results of job {job_id}")
            return found[0]

    def optimize(self, request: dict[str, Any]) -> tuple[str, str]:
        """``Study.optimize`` of ``request`` (the fields of ``OptimizeRequest``): the chosen
        network as scenario TOML (headed by its explanation) and the explanation."""
        from ..study import OptimizeRequest

        with self.lock:
            out = self.study.optimize(OptimizeRequest(**request))
        return out.to_toml(), out.explanation


def mark(
    factory: sessionmaker[Session], job_id: int, status: str, error: str, result: str = ""
) -> None:
    """Store a job's end state."""
    with factory() as db:
        job = db.get(Job, job_id)
        if job is not None:
            job.status, job.error, job.result, job.finished_at = status, error, result, now()
            db.commit()


_WORKER: Worker | None = None
"""The job process's worker (set by :func:`_start_worker`)."""


def _start_worker(
    source: Any,
    cache_dir: str | None,
    modes: tuple[str, ...],
    params: tuple[Any, Any],
    db_url: str,
    data_dir: str,
) -> None:
    """Initialiser of the job process: its own Study and database engine."""
    global _WORKER
    from ..region.model import Region
    from ..study import Study
    from .db import make_engine, session_factory

    region = source if isinstance(source, Region) else Study.open(source).region
    study = Study(region, cache_dir=cache_dir, modes=modes, road=params[0], transit=params[1])
    _WORKER = Worker(study, session_factory(make_engine(db_url)), Path(data_dir))


def _run_in_worker(job_id: int, scenarios: list[Scenario]) -> None:
    assert _WORKER is not None
    _WORKER.run(job_id, scenarios)


def _download_in_worker(job_id: int, scenarios: list[Scenario], what: str) -> str:
    assert _WORKER is not None
    return str(_WORKER.download(job_id, scenarios, what))


def _optimize_in_worker(request: dict[str, Any]) -> tuple[str, str]:
    assert _WORKER is not None
    return _WORKER.optimize(request)


class JobRunner:
    """Runs evaluation jobs one at a time, in a separate process by default (an evaluation
    holds the interpreter for seconds; in its own process it never slows the pages down).

    Parameters
    ----------
    study, factory, data_dir
        The server's Study, sessions and download folder.
    source
        What the job process builds its own Study from: the region package folder, or the
        Region itself (pickled to the process).
    db_url
        The database the job process writes progress and results to.
    process
        False: run jobs in a thread of the server instead (for an in-memory database).
    """

    def __init__(
        self,
        study: Study,
        factory: sessionmaker[Session],
        data_dir: Path,
        *,
        source: Any = None,
        db_url: str = "",
        process: bool = True,
    ) -> None:
        self.factory = factory
        self.data_dir = data_dir
        self.process = process
        self._init_args = (
            source if source is not None else study.region,
            None if study.cache_dir is None else str(study.cache_dir),
            tuple(study.modes),
            (study.road, study.transit),
            db_url,
            str(data_dir),
        )
        self.local = None if process else Worker(study, factory, data_dir)
        self.pool: ThreadPoolExecutor | ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor | ProcessPoolExecutor:
        with self._pool_lock:
            if self.pool is None:
                if self.process:
                    self.pool = ProcessPoolExecutor(
                        max_workers=1,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_start_worker,
                        initargs=self._init_args,
                    )
                else:
                    self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pv-job")
            return self.pool

    def submit(self, job_id: int, scenarios: list[Scenario]) -> Future[None]:
        """Queue job ``job_id`` (its row exists) comparing today with ``scenarios``."""
        if self.local is not None:
            future = self._pool().submit(self.local.run, job_id, scenarios)
        else:
            future = self._pool().submit(_run_in_worker, job_id, scenarios)

        def check(f: Future[None]) -> None:
            exc = None if f.cancelled() else f.exception()
            if f.cancelled() or exc is not None:  # the worker died: say so on the row
                log.error("job %s did not run: %s", job_id, exc)
                mark(self.factory, job_id, "failed", f"job worker stopped: {exc}")

        future.add_done_callback(check)
        return future

    def download(self, job_id: int, scenarios: list[Scenario], what: str) -> Path:
        """The file ``what`` (``report``, ``excel``, ``gpkg``) of a finished job."""
        if self.local is not None:
            return self.local.download(job_id, scenarios, what)
        return Path(self._pool().submit(_download_in_worker, job_id, scenarios, what).result())

    def optimize(self, request: dict[str, Any]) -> tuple[str, str]:
        """Run ``Study.optimize`` in the worker and wait for it (see :meth:`Worker.optimize`)."""
        if self.local is not None:
            return self.local.optimize(request)
        toml, explanation = self._pool().submit(_optimize_in_worker, request).result()
        return str(toml), str(explanation)

    def shutdown(self) -> None:
        """Stop the worker: queued jobs are dropped (marked failed), a running one finishes;
        a later job starts a new worker."""
        with self._pool_lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
