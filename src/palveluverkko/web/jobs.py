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
import threading
import time
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from .db import Job, now

if TYPE_CHECKING:
    from ..evaluation import Comparison, Evaluation
    from ..scenario import Scenario
    from ..study import ProgressEvent, Study

log = logging.getLogger("palveluverkko.web")

__all__ = ["JobRunner", "map_service"]


def map_service(study: Study) -> str:
    """The service drawn on the travel-time map: the first the residents travel to."""
    from ..evaluation.stages import site_travel

    services = study.region.services["service"].astype(str).tolist()
    travel = site_travel(study.region.services, tuple(services))
    for name, travels in zip(services, travel, strict=True):
        if travels:
            return name
    return services[0]


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


class JobRunner:
    """Runs evaluation jobs one at a time and keeps their comparisons for downloads."""

    def __init__(self, study: Study, factory: sessionmaker[Session], data_dir: Path) -> None:
        self.study = study
        self.factory = factory
        self.data_dir = data_dir
        self.pool: ThreadPoolExecutor | None = None
        self.lock = threading.Lock()  # the Study is used by one thread at a time
        self.comparisons: dict[int, list[Comparison]] = {}
        self._today: Evaluation | None = None  # today's network, the same base for every job
        self.scenarios: dict[int, list[Scenario]] = {}

    def submit(self, job_id: int, scenarios: list[Scenario]) -> Future[None]:
        """Queue job ``job_id`` (its row exists) comparing today with ``scenarios``."""
        self.scenarios[job_id] = scenarios
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pv-job")
        return self.pool.submit(self._run, job_id, scenarios)

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
        per app instead of once per job (the base does not depend on the scenarios)."""
        from ..evaluation import compare

        self.study.travel_times(None, *scenarios)  # route every new site in one pass
        if self._today is None:
            self._today = self.study.evaluate(None)
        return [compare(self._today, self.study.evaluate(s)) for s in scenarios]

    def _run(self, job_id: int, scenarios: list[Scenario]) -> None:
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
        with self.factory() as db:
            job = db.get(Job, job_id)
            assert job is not None
            job.status, job.error, job.result, job.finished_at = status, error, text, now()
            db.commit()

    def comparisons_of(self, job_id: int, scenarios: list[Scenario]) -> list[Comparison]:
        """The comparisons of a finished job (evaluated again after a restart)."""
        if job_id not in self.comparisons:
            self.comparisons[job_id] = self._compare(job_id, scenarios)
        return self.comparisons[job_id]

    def download(self, job_id: int, scenarios: list[Scenario], what: str) -> Path:
        """Write (once) and return the file ``what`` (``report``, ``excel`` or ``gpkg``) of
        the job's first comparison, under ``data_dir/jobs/<id>/``."""
        comparisons = self.comparisons_of(job_id, scenarios)
        out = self.data_dir / "jobs" / str(int(job_id))
        with self.lock:
            if what == "report":
                path = out / "report.html"
                if not path.exists():
                    self.study.report(path, comparison=comparisons[0])
                return path
            folder = out / "comparison"
            if not folder.exists():
                self.study.write_comparison(comparisons[0], folder, excel=True)
            # the comparison's workbook; the scenario's evaluation as a GeoPackage
            found = (
                [folder / "comparison.xlsx"]
                if what == "excel"
                else sorted((folder / "scenario").glob("*.gpkg"))
            )
            if not found or not found[0].exists():
                raise FileNotFoundError(f"no {what} file in the results of job {job_id}")
            return found[0]

    def shutdown(self) -> None:
        """Stop the worker (running jobs finish); a later job starts a new one."""
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
