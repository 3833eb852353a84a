"""Routes of signed-in users: scenarios with history, evaluation jobs, downloads, hearings,
moderation and the comment exports.

Planners change; viewers read; moderators moderate. A scenario change is a scenario entry of the
library (:mod:`palveluverkko.scenario`), checked against the region by ``Scenario.check`` before
it is saved as a new version.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from .app import Planner, Reader, render, state
from .auth import Principal
from .db import Job, ScenarioRow, ScenarioVersion, User, now
from .public import proposal, scenario_toml

log = logging.getLogger("palveluverkko.web")

router = APIRouter()

__all__ = ["ChangeIn", "router"]


class ScenarioIn(BaseModel):
    """A new scenario: a name and optionally its TOML."""

    name: str = Field(min_length=1, max_length=200)
    toml: str | None = Field(default=None, max_length=50_000)


class ChangeIn(BaseModel):
    """One change to a scenario (the fields its ``kind`` needs)."""

    kind: Literal["close", "convert", "capacity", "open", "channels", "mobile_stop"]
    site: str | None = Field(default=None, max_length=100)
    substitute: str | None = Field(default=None, max_length=100)
    site_kind: str | None = Field(default=None, max_length=50)
    service: str | None = Field(default=None, max_length=100)
    capacity_per_week: float | None = Field(default=None, ge=0, le=1e6)
    staff_fte: float | None = Field(default=None, ge=0, le=1e4)
    name: str | None = Field(default=None, max_length=200)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    digital_share: float | None = Field(default=None, ge=0, le=1)


class OptimizeIn(BaseModel):
    """A location model to run for one service; its result is saved as a new scenario."""

    name: str = Field(min_length=1, max_length=200)
    service: str = Field(min_length=1, max_length=100)
    model: Literal["p-median", "p-center", "mclp", "lscp", "fixed-charge", "capacitated-p-median"]
    p: int | None = Field(default=None, ge=1, le=10_000)
    per_municipality: int = Field(default=1, ge=0, le=100)


OPTIMIZE_TIME_LIMIT_S = 20.0
"""Solver seconds a web request may spend (the CLI offers longer runs)."""


class JobIn(BaseModel):
    """Scenarios to evaluate against today's network."""

    scenario_ids: list[int] = Field(min_length=1, max_length=5)


# ------------------------------------------------------------------------------------- pages


@router.get("/planner")
def planner_page(request: Request, user: Reader) -> Response:
    """The planner's map page."""
    st = state(request)
    services = st.study.region.services["service"].astype(str).tolist()
    from ..scenario import KIND_LEVELS
    from ..study.choices import MODEL_NAMES

    return render(
        request,
        "planner.html",
        services=services,
        kinds=sorted(KIND_LEVELS),
        sites=st.layers.sites_table(),
        models=MODEL_NAMES,
    )


# --------------------------------------------------------------------------------- scenarios


def _save_version(
    st: Any, row: ScenarioRow, toml: str, author: Principal, note: str
) -> ScenarioRow:
    with st.factory() as db:
        row = db.merge(row)
        row.version += 1
        db.add(
            ScenarioVersion(
                scenario_id=row.id,
                version=row.version,
                toml=toml,
                author_id=author.user_id,
                note=note[:500],
                created_at=now(),
            )
        )
        db.commit()
        return row


@router.get("/api/scenarios")
def list_scenarios(request: Request, user: Reader) -> list[dict[str, Any]]:
    """Every saved scenario (newest version number)."""
    with state(request).factory() as db:
        rows = db.scalars(select(ScenarioRow).order_by(ScenarioRow.id)).all()
    return [{"id": r.id, "name": r.name, "version": r.version} for r in rows]


@router.post("/api/scenarios", status_code=201)
def create_scenario(body: ScenarioIn, request: Request, user: Planner) -> dict[str, Any]:
    """Save a new scenario (empty, or from TOML checked against the region)."""
    from ..scenario import Scenario

    st = state(request)
    sc = Scenario.from_toml(body.toml) if body.toml else Scenario()
    sc = dataclasses.replace(sc, name=body.name)
    sc.check(st.study.region)
    with st.factory() as db:
        row = ScenarioRow(name=body.name, created_by=user.user_id, created_at=now(), version=1)
        db.add(row)
        db.flush()
        db.add(
            ScenarioVersion(
                scenario_id=row.id,
                version=1,
                toml=sc.to_toml(),
                author_id=user.user_id,
                note="created",
                created_at=now(),
            )
        )
        db.commit()
        return {"id": row.id, "name": row.name, "version": 1}


@router.get("/api/scenarios/{scenario_id}")
def get_scenario(scenario_id: int, request: Request, user: Reader) -> dict[str, Any]:
    """A scenario: its TOML, what it changes, and its history with authors."""
    st = state(request)
    toml = scenario_toml(st, scenario_id)
    with st.factory() as db:
        row = db.get(ScenarioRow, scenario_id)
        assert row is not None
        history = db.execute(
            select(ScenarioVersion, User.name)
            .join(User, User.id == ScenarioVersion.author_id)
            .where(ScenarioVersion.scenario_id == scenario_id)
            .order_by(ScenarioVersion.version)
        ).all()
    return {
        "id": row.id,
        "name": row.name,
        "version": row.version,
        "toml": toml,
        "proposal": proposal(st, toml),
        "history": [
            {
                "version": v.version,
                "author": name,
                "note": v.note,
                "created_at": v.created_at.isoformat(timespec="seconds"),
            }
            for v, name in history
        ],
    }


def apply_change(st: Any, toml: str, change: ChangeIn) -> tuple[str, str]:
    """The scenario's TOML with ``change`` added (checked against the region) and a note."""
    from ..scenario import (
        CapacityChange,
        ChannelChange,
        Closure,
        Conversion,
        NewSite,
        Scenario,
    )

    sc = Scenario.from_toml(toml)
    k = change.kind

    def need(*names: str) -> None:
        missing = [n for n in names if getattr(change, n) is None]
        if missing:
            raise HTTPException(422, f"change {k}: missing {', '.join(missing)}")

    if k == "close":
        need("site", "substitute")
        sc = dataclasses.replace(
            sc, closures=(*sc.closures, Closure(str(change.site), str(change.substitute)))
        )
        note = f"close {change.site} -> {change.substitute}"
    elif k == "convert":
        need("site", "site_kind")
        sc = dataclasses.replace(
            sc, conversions=(*sc.conversions, Conversion(str(change.site), kind=change.site_kind))
        )
        note = f"convert {change.site} to {change.site_kind}"
    elif k == "capacity":
        need("site", "service", "capacity_per_week")
        entry = CapacityChange(
            str(change.site), str(change.service), change.capacity_per_week, change.staff_fte
        )
        sc = dataclasses.replace(sc, capacity_changes=(*sc.capacity_changes, entry))
        note = f"capacity {change.site} {change.service} {change.capacity_per_week}"
    elif k == "open":
        need("name", "lon", "lat", "site_kind", "service", "capacity_per_week")
        assert change.lon is not None
        assert change.lat is not None
        x, y = st.layers.to_region_xy(change.lon, change.lat)
        municipality = st.layers.municipality_of(x, y)
        if not municipality:
            raise HTTPException(
                422, "change open: the point is outside the region's municipalities"
            )
        used = {o.site for o in sc.openings}
        site_id = next(f"uusi{n}" for n in range(1, 1000) if f"uusi{n}" not in used)
        staff = change.staff_fte if change.staff_fte is not None else 1.0
        entry_open = NewSite(
            site_id,
            str(change.name),
            municipality,
            str(change.site_kind),
            round(x, 1),
            round(y, 1),
            {str(change.service): (float(change.capacity_per_week or 0), float(staff))},
        )
        sc = dataclasses.replace(sc, openings=(*sc.openings, entry_open))
        note = f"open {site_id} {change.name}"
    elif k == "mobile_stop":
        need("name", "lon", "lat", "site", "service")
        sc, note = _add_mobile_stop(st, sc, change)
    else:
        need("service", "digital_share")
        entry_ch = ChannelChange(str(change.service), float(change.digital_share or 0))
        sc = dataclasses.replace(sc, channel_changes=(*sc.channel_changes, entry_ch))
        note = f"digital share {change.service} {change.digital_share}"
    sc.check(st.study.region)
    return sc.to_toml(), note


MOBILE_UNIT_DEFAULTS: dict[str, Any] = {"kind": "health_bus", "shape": "day_tour"}
"""A stop added on the map belongs to a health bus on day tours from the depot site (the
unit file's other keys keep their defaults, see docs/channels.md)."""


def _add_mobile_stop(st: Any, sc: Any, change: ChangeIn) -> tuple[Any, str]:
    """The scenario with a mobile unit's stop at the clicked point: added to the unit of that
    depot and service, or to a new unit."""
    from ..scenario import MobileUnitEntry

    assert change.lon is not None
    assert change.lat is not None
    x, y = st.layers.to_region_xy(change.lon, change.lat)
    point = {"name": str(change.name), "x": round(x, 1), "y": round(y, 1)}
    units = list(sc.mobile_units)
    for i, m in enumerate(units):
        if m.unit.get("depot_site") == change.site and change.service in m.unit.get("services", []):
            stops = {**m.stops, "points": [*m.stops.get("points", []), point]}
            units[i] = dataclasses.replace(m, stops=stops)
            break
    else:
        unit = {
            "name": f"Liikkuva yksikkö {change.site} {change.service}",
            **MOBILE_UNIT_DEFAULTS,
            "services": [str(change.service)],
            "depot_site": str(change.site),
        }
        units.append(MobileUnitEntry(unit=unit, stops={"candidates": "given", "points": [point]}))
    return dataclasses.replace(sc, mobile_units=tuple(units)), f"mobile stop {change.name}"


@router.post("/api/scenarios/{scenario_id}/changes")
def change_scenario(
    scenario_id: int,
    change: ChangeIn,
    request: Request,
    user: Planner,
) -> dict[str, Any]:
    """Add one change to a scenario; saved as its next version."""
    st = state(request)
    toml, note = apply_change(st, scenario_toml(st, scenario_id), change)
    with st.factory() as db:
        row = db.get(ScenarioRow, scenario_id)
    assert row is not None
    row = _save_version(st, row, toml, user, note)
    return {"id": row.id, "version": row.version, "note": note, "proposal": proposal(st, toml)}


@router.post("/api/optimize", status_code=201)
def optimize(body: OptimizeIn, request: Request, user: Planner) -> dict[str, Any]:
    """Choose the sites of one service with a location model (``Study.optimize``, in the job
    worker) and save the result as a new scenario."""
    from ..scenario import Scenario

    st = state(request)
    options = body.model_dump(exclude={"name"})
    options.update(lang=_lang(request), time_limit_s=OPTIMIZE_TIME_LIMIT_S)
    toml, explanation = st.jobs.optimize(options)
    sc = dataclasses.replace(Scenario.from_toml(toml), name=body.name)
    with st.factory() as db:
        row = ScenarioRow(name=body.name, created_by=user.user_id, created_at=now(), version=1)
        db.add(row)
        db.flush()
        note = f"optimize {body.model} {body.service}" + (f" p={body.p}" if body.p else "")
        db.add(
            ScenarioVersion(
                scenario_id=row.id,
                version=1,
                toml=sc.to_toml(),
                author_id=user.user_id,
                note=note,
                created_at=now(),
            )
        )
        db.commit()
        return {"id": row.id, "name": row.name, "explanation": explanation}


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("pv_lang") or "fi"
    return lang if lang in ("fi", "sv", "en") else "fi"


# -------------------------------------------------------------------------------------- jobs


def _job_scenarios(st: Any, job: Job) -> list[Any]:
    from ..scenario import Scenario

    out = []
    with st.factory() as db:
        for sid, version in zip(
            json.loads(job.scenario_ids), json.loads(job.versions), strict=True
        ):
            v = db.scalar(
                select(ScenarioVersion).where(
                    ScenarioVersion.scenario_id == sid, ScenarioVersion.version == version
                )
            )
            if v is None:
                raise HTTPException(404, f"scenario {sid} version {version} is gone")
            out.append(Scenario.from_toml(v.toml))
    return out


@router.post("/api/jobs", status_code=202)
def start_job(body: JobIn, request: Request, user: Planner) -> dict[str, Any]:
    """Evaluate today's network and the scenarios (newest versions) in the background."""
    from ..scenario import Scenario

    st = state(request)
    scenarios, versions = [], []
    with st.factory() as db:
        for sid in body.scenario_ids:
            row = db.get(ScenarioRow, sid)
            if row is None:
                raise HTTPException(404, f"no scenario {sid}")
            versions.append(row.version)
    for sid in body.scenario_ids:
        scenarios.append(Scenario.from_toml(scenario_toml(st, sid)))
    with st.factory() as db:
        job = Job(
            scenario_ids=json.dumps(body.scenario_ids),
            versions=json.dumps(versions),
            status="queued",
            stage="",
            done=0,
            total=None,
            error="",
            result="",
            created_by=user.user_id,
            created_at=now(),
        )
        db.add(job)
        db.commit()
        job_id = job.id
    st.jobs.submit(job_id, scenarios)
    return {"id": job_id, "status": "queued"}


@router.get("/api/jobs/{job_id}")
def get_job(job_id: int, request: Request, user: Reader) -> dict[str, Any]:
    """A job's progress; its result once done."""
    from ..study.progress import label

    st = state(request)
    with st.factory() as db:
        job = db.get(Job, job_id)
    if job is None:
        raise HTTPException(404, "no such job")
    lang = request.query_params.get("lang", "fi")
    return {
        "id": job.id,
        "status": job.status,
        "stage": job.stage,
        "stage_label": label(job.stage, lang if lang in ("fi", "sv", "en") else "fi"),
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "scenario_ids": json.loads(job.scenario_ids),
        "result": json.loads(job.result) if job.status == "done" else None,
    }


def _job_progress(st: Any, job_id: int, lang: str) -> dict[str, Any] | None:
    from ..study.progress import label

    with st.factory() as db:
        job = db.get(Job, job_id)
    if job is None:
        return None
    return {
        "id": job.id,
        "status": job.status,
        "stage": job.stage,
        "stage_label": label(job.stage, lang),
        "done": job.done,
        "total": job.total,
        "error": job.error,
    }


@router.get("/api/jobs/{job_id}/events")
async def job_events(job_id: int, request: Request, user: Reader) -> StreamingResponse:
    """A job's progress as server-sent events, one per change, until it is done or failed."""
    st = state(request)
    lang = request.query_params.get("lang", "fi")
    lang = lang if lang in ("fi", "sv", "en") else "fi"
    if await run_in_threadpool(_job_progress, st, job_id, lang) is None:
        raise HTTPException(404, "no such job")

    async def events() -> AsyncIterator[str]:
        last = None
        for _ in range(int(JOB_EVENTS_MAX_S / 0.3)):
            progress = await run_in_threadpool(_job_progress, st, job_id, lang)
            if progress != last:
                last = progress
                yield f"data: {json.dumps(progress)}\n\n"
            if progress is None or progress["status"] in ("done", "failed"):
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.3)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )


JOB_EVENTS_MAX_S = 1800.0
"""A progress stream ends after this long (the page then polls)."""

DOWNLOADS = {
    "report": ("report.html", "text/html; charset=utf-8"),
    "pdf": ("report.pdf", "application/pdf"),
    "excel": (
        "tulokset.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "gpkg": ("tulokset.gpkg", "application/geopackage+sqlite3"),
}


@router.get("/api/jobs/{job_id}/download/{what}")
def download(job_id: int, what: str, request: Request, user: Reader) -> Response:
    """The report (HTML), or the results as Excel or GeoPackage, of a finished job."""
    if what not in DOWNLOADS:
        raise HTTPException(404, f"downloads: {', '.join(DOWNLOADS)}")
    st = state(request)
    with st.factory() as db:
        job = db.get(Job, job_id)
    if job is None or job.status != "done":
        raise HTTPException(409, "the job has not finished")
    path = st.jobs.download(job_id, _job_scenarios(st, job), what)
    filename, media = DOWNLOADS[what]
    return FileResponse(path, media_type=media, filename=f"job{job_id}-{filename}")
