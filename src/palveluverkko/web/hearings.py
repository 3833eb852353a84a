"""Routes of hearings for signed-in users: publishing a scenario with its evaluation, the
moderation queue (approve, hide, flag) and the planners' comment exports (Excel, GeoPackage
with each point's municipality and postal area)."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from .app import Moderator, ModeratorOrPlanner, Planner, Staff, render, state
from .db import Comment, Hearing, Job, now
from .exports import comments_frame, write_comments
from .public import comment_json

log = logging.getLogger("palveluverkko.web")

router = APIRouter()

__all__ = ["HearingIn", "ModerationIn", "router"]


class HearingIn(BaseModel):
    """A hearing to publish."""

    scenario_id: int
    job_id: int
    title_fi: str = Field(min_length=1, max_length=300)
    title_sv: str = Field(default="", max_length=300)
    title_en: str = Field(default="", max_length=300)
    text_fi: str = Field(default="", max_length=10_000)
    text_sv: str = Field(default="", max_length=10_000)
    text_en: str = Field(default="", max_length=10_000)
    opens: date
    closes: date


class ModerationIn(BaseModel):
    """A moderator's decision."""

    action: Literal["approve", "hide", "flag"]


@router.get("/moderation")
def moderation_page(request: Request, user: ModeratorOrPlanner) -> Response:
    """The moderation queue of every hearing."""
    st = state(request)
    with st.factory() as db:
        hearings = db.scalars(select(Hearing).order_by(Hearing.id)).all()
        rows = []
        for h in hearings:
            comments = db.scalars(
                select(Comment).where(Comment.hearing_id == h.id).order_by(Comment.id)
            ).all()
            rows.append({"slug": h.slug, "title": h.title_fi, "comments": comments})
    return render(request, "moderation.html", hearings=rows)


# ---------------------------------------------------------------------------------- hearings


@router.post("/api/hearings", status_code=201)
def publish(body: HearingIn, request: Request, user: Planner) -> dict[str, Any]:
    """Publish a scenario with its finished evaluation as a hearing."""
    st = state(request)
    if body.closes < body.opens:
        raise HTTPException(422, "closes must be on or after opens")
    with st.factory() as db:
        job = db.get(Job, body.job_id)
        if job is None or job.status != "done":
            raise HTTPException(422, "publish: the job must be a finished evaluation")
        if json.loads(job.scenario_ids)[0] != body.scenario_id:
            raise HTTPException(422, "publish: the job did not evaluate this scenario first")
        h = Hearing(
            slug=secrets.token_urlsafe(9),
            created_by=user.user_id,
            created_at=now(),
            **body.model_dump(),
        )
        db.add(h)
        db.commit()
        return {"id": h.id, "slug": h.slug, "url": f"/h/{h.slug}"}


@router.get("/api/admin/hearings")
def admin_hearings(request: Request, user: Staff) -> list[dict[str, Any]]:
    """Every hearing, with its comment counts by state."""
    with state(request).factory() as db:
        rows = db.scalars(select(Hearing).order_by(Hearing.id)).all()
        out = []
        for h in rows:
            statuses = db.scalars(select(Comment.status).where(Comment.hearing_id == h.id)).all()
            counts = {s: statuses.count(s) for s in ("pending", "approved", "hidden", "flagged")}
            out.append({"slug": h.slug, "title": h.title_fi, "comments": counts})
    return out


@router.get("/api/admin/hearings/{slug}/comments")
def admin_comments(slug: str, request: Request, user: ModeratorOrPlanner) -> list[dict[str, Any]]:
    """Every comment of a hearing, in every state."""
    with state(request).factory() as db:
        h = db.scalar(select(Hearing).where(Hearing.slug == slug))
        if h is None:
            raise HTTPException(404, "no such hearing")
        rows = db.scalars(
            select(Comment).where(Comment.hearing_id == h.id).order_by(Comment.id)
        ).all()
    return [comment_json(c) for c in rows]


@router.post("/api/comments/{comment_id}/moderate")
def moderate(
    comment_id: int,
    body: ModerationIn,
    request: Request,
    user: Moderator,
) -> dict[str, Any]:
    """Approve, hide or flag a comment."""
    status = {"approve": "approved", "hide": "hidden", "flag": "flagged"}[body.action]
    with state(request).factory() as db:
        c = db.get(Comment, comment_id)
        if c is None:
            raise HTTPException(404, "no such comment")
        c.status, c.moderated_at = status, now()
        db.commit()
    log.info("comment %s %s by %s", comment_id, status, user.name)
    return {"id": comment_id, "status": status}


EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}


@router.get("/api/admin/hearings/{slug}/export.{fmt}")
def export_comments(slug: str, fmt: str, request: Request, user: Planner) -> Response:
    """Every comment of a hearing with the municipality and postal area of its point."""
    if fmt not in EXPORTS:
        raise HTTPException(404, "exports: xlsx, gpkg")
    st = state(request)
    with st.factory() as db:
        h = db.scalar(select(Hearing).where(Hearing.slug == slug))
        if h is None:
            raise HTTPException(404, "no such hearing")
        rows = db.scalars(
            select(Comment).where(Comment.hearing_id == h.id).order_by(Comment.id)
        ).all()
    frame = comments_frame(rows, st.study.region, st.postal_areas)
    out = st.data_dir / "exports" / f"hearing{int(h.id)}"
    path = write_comments(frame, out, fmt)
    return FileResponse(path, media_type=EXPORTS[fmt], filename=f"kommentit-{h.id}.{fmt}")
