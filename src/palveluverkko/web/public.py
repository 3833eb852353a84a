"""Routes anyone may use: the hearings' public pages, the map layers, sign-in, and comments.

The public reads published hearings and posts comments (rate-limited per client, waiting for
moderation); nothing else is open without a session.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from ..i18n import LANGS
from .app import (
    SESSION_COOKIE,
    WebState,
    current_user,
    lang_of,
    render,
    state,
)
from .auth import check_password, close_session, open_session
from .db import COMMENT_TAGS, Comment, Hearing, Job, ScenarioRow, ScenarioVersion, now
from .geo import LAYERS

log = logging.getLogger("palveluverkko.web")

router = APIRouter()

__all__ = ["CommentIn", "router"]


class CommentIn(BaseModel):
    """A resident's comment: text (1-2,000 characters), a tag, an optional point."""

    text: str = Field(min_length=1, max_length=2000)
    tag: str = Field(default="other", pattern="^(" + "|".join(COMMENT_TAGS) + ")$")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


@router.get("/")
def index(request: Request) -> Response:
    """Open hearings (and the way to sign in)."""
    st = state(request)
    today = date.today()
    with st.factory() as db:
        rows = db.scalars(
            select(Hearing).where(Hearing.opens <= today, Hearing.closes >= today)
        ).all()
    lang = lang_of(request)
    hearings = [{"slug": h.slug, "title": _in_lang(h, "title", lang)} for h in rows]
    return render(request, "index.html", hearings=hearings)


@router.get("/login")
def login_page(request: Request) -> Response:
    """The sign-in form."""
    return render(request, "login.html", failed=request.query_params.get("failed") == "1")


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the name and password (form fields) and open a session."""
    st = state(request)
    form: dict[str, str] = getattr(request.state, "form", {})
    name, password = form.get("name", "")[:100], form.get("password", "")[:200]
    with st.factory() as db:
        user = check_password(db, name, password)
    if user is None:
        log.info("failed sign-in")
        return RedirectResponse("/login?failed=1", status_code=303)
    token, _ = open_session(st.factory, user)
    target = "/moderation" if user.role == "moderator" else "/planner"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """Close the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        close_session(state(request).factory, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/api/layers/{name}.geojson")
def layer(name: str, request: Request) -> Response:
    """A basemap layer built from the region (municipalities, water, roads, sites, cells)."""
    if name not in LAYERS:
        raise HTTPException(404, f"no layer {name!r}; layers: {', '.join(LAYERS)}")
    return Response(
        state(request).layers.layer(name),
        media_type="application/geo+json",
        headers={"cache-control": "public, max-age=3600"},
    )


@router.get("/api/region")
def region_info(request: Request) -> dict[str, Any]:
    """The region's name, extent and sites (the map's sites as a table)."""
    st = state(request)
    return {
        "name": st.study.region.name,
        "bounds": st.layers.bounds(),
        "sites": st.layers.sites_table(),
    }


def _in_lang(h: Hearing, field: str, lang: str) -> str:
    value = str(getattr(h, f"{field}_{lang}") or "")
    return value or str(getattr(h, f"{field}_fi"))


def _hearing(st: WebState, slug: str, *, published_only: bool = True) -> Hearing:
    """A hearing by its slug (published ones only, unless asked), 404 otherwise. Hearings do
    not change once published, so rows are kept in memory after the first read."""
    if len(slug) > 40:
        raise HTTPException(404, "no such hearing")
    cache: dict[str, Hearing] = st.extras.setdefault("hearings", {})
    h = cache.get(slug)
    if h is None:
        with st.factory() as db:
            h = db.scalar(select(Hearing).where(Hearing.slug == slug))
        if h is not None:
            cache[slug] = h
    if h is None or (published_only and h.opens > date.today()):
        raise HTTPException(404, "no such hearing")
    return h


def hearing_proposal(st: WebState, h: Hearing) -> dict[str, Any]:
    """What the hearing proposes: the scenario version its evaluation used (kept in memory)."""
    cache: dict[int, dict[str, Any]] = st.extras.setdefault("proposals", {})
    if h.id not in cache:
        with st.factory() as db:
            job = db.get(Job, h.job_id)
            assert job is not None
            version = json.loads(job.versions)[0]
            v = db.scalar(
                select(ScenarioVersion).where(
                    ScenarioVersion.scenario_id == h.scenario_id,
                    ScenarioVersion.version == version,
                )
            )
        assert v is not None
        cache[h.id] = proposal(st, v.toml)
    return cache[h.id]


def hearing_is_open(h: Hearing) -> bool:
    """Comments are taken from the opening day to the closing day, both included."""
    return h.opens <= date.today() <= h.closes


def job_result(st: WebState, job_id: int) -> dict[str, Any]:
    """The parsed JSON result of a finished job (kept in memory: a done job never changes)."""
    cache: dict[int, dict[str, Any]] = st.extras.setdefault("results", {})
    if job_id not in cache:
        with st.factory() as db:
            job = db.get(Job, job_id)
        if job is None or job.status != "done":
            raise HTTPException(409, "the evaluation of this scenario has not finished")
        cache[job_id] = dict(json.loads(job.result))
    return cache[job_id]


def proposal(st: WebState, scenario_toml: str) -> dict[str, Any]:
    """What a scenario changes, by site name: closures with substitutes, openings, conversions."""
    from ..scenario import Scenario

    sc = Scenario.from_toml(scenario_toml)
    sites = st.study.region.sites.set_index(st.study.region.sites["site_id"].astype(str))
    names = {**sites["name"].astype(str).to_dict(), **{o.site: o.name for o in sc.openings}}
    return {
        "name": sc.name,
        "closures": [
            {
                "site": c.site,
                "name": names.get(c.site, c.site),
                "substitute": c.substitute,
                "substitute_name": names.get(c.substitute, c.substitute),
            }
            for c in sc.closures
        ],
        "openings": [{"site": o.site, "name": o.name, "kind": o.kind} for o in sc.openings],
        "conversions": [
            {"site": c.site, "name": names.get(c.site, c.site), "kind": c.kind or ""}
            for c in sc.conversions
        ],
        "mobile_stops": [
            {
                "unit": m.name,
                "stop": str(p.get("name", "")),
                "depot": names.get(str(m.unit.get("depot_site", "")), ""),
            }
            for m in sc.mobile_units
            for p in m.stops.get("points", [])
        ],
    }


def scenario_toml(st: WebState, scenario_id: int) -> str:
    """The TOML of a scenario's newest version."""
    with st.factory() as db:
        row = db.get(ScenarioRow, scenario_id)
        if row is None:
            raise HTTPException(404, "no such scenario")
        v = db.scalar(
            select(ScenarioVersion).where(
                ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.version == row.version
            )
        )
    assert v is not None
    return v.toml


@router.get("/h/{slug}")
async def hearing_page(slug: str, request: Request) -> Response:
    """The public page of a hearing (phone-sized screens first). The busiest page: it runs on
    the event loop from memory; database reads (first view, a signed-in user) go to a thread."""
    st = state(request)

    def load() -> tuple[Hearing, dict[str, Any]]:
        current_user(request)  # kept on request.state for render()
        h = _hearing(st, slug)
        return h, hearing_proposal(st, h)

    h = st.extras.get("hearings", {}).get(slug)
    proposals = st.extras.get("proposals", {})
    if h is not None and h.id in proposals and SESSION_COOKIE not in request.cookies:
        if h.opens > date.today():
            raise HTTPException(404, "no such hearing")
        request.state.principal = None  # a visitor: render() needs no database
        prop = proposals[h.id]
    else:
        h, prop = await run_in_threadpool(load)
    lang = lang_of(request)
    return render(
        request,
        "hearing.html",
        slug=h.slug,
        title=_in_lang(h, "title", lang),
        text=_in_lang(h, "text", lang),
        opens=h.opens.isoformat(),
        closes=h.closes.isoformat(),
        is_open=hearing_is_open(h),
        proposal=prop,
        tags=COMMENT_TAGS,
    )


@router.get("/api/hearings/{slug}")
def hearing_api(slug: str, request: Request) -> dict[str, Any]:
    """A hearing's texts in every language, dates, and the proposal."""
    st = state(request)
    h = _hearing(st, slug)
    return {
        "slug": h.slug,
        "title": {lang: _in_lang(h, "title", lang) for lang in LANGS},
        "text": {lang: _in_lang(h, "text", lang) for lang in LANGS},
        "opens": h.opens.isoformat(),
        "closes": h.closes.isoformat(),
        "open": hearing_is_open(h),
        "proposal": hearing_proposal(st, h),
        "bounds": st.layers.bounds(),
    }


@router.get("/api/hearings/{slug}/travel")
def hearing_travel(
    slug: str,
    request: Request,
    lon: float = Query(ge=-180, le=180),
    lat: float = Query(ge=-90, le=90),
) -> dict[str, Any]:
    """Car minutes to the nearest site from the populated cell nearest to a point, today and
    in the proposal (the hearing's evaluation)."""
    st = state(request)
    h = _hearing(st, slug)
    result = job_result(st, h.job_id)
    x, y = st.layers.to_region_xy(lon, lat)
    cell, dist = st.layers.nearest_cell(x, y)
    if dist > 5_000:
        raise HTTPException(
            422, "the point is more than 5 km from any populated cell of the region"
        )
    return {
        "service": result["service"],
        "cell": cell,
        "distance_m": round(dist),
        "before_minutes": result["cells_base"][cell],
        "after_minutes": result["cells_after"][0][cell],
    }


def client_key(request: Request) -> str:
    """The client a rate limit counts (its address; ``X-Forwarded-For`` behind a trusted proxy)."""
    if state(request).settings.trust_forwarded:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else "unknown"


@router.post("/api/hearings/{slug}/comments", status_code=201)
def post_comment(slug: str, body: CommentIn, request: Request) -> dict[str, Any]:
    """Store a comment for moderation (429 when the client posts too fast)."""
    st = state(request)
    h = _hearing(st, slug)
    if not hearing_is_open(h):
        raise HTTPException(403, "the hearing is not open for comments")
    if not st.limiter.allow(client_key(request)):
        raise HTTPException(429, "too many comments; wait a minute", headers={"retry-after": "60"})
    x = y = None
    if (body.lon is None) != (body.lat is None):
        raise HTTPException(422, "give both lon and lat, or neither")
    if body.lon is not None and body.lat is not None:
        x, y = st.layers.to_region_xy(body.lon, body.lat)
    with st.factory() as db:
        c = Comment(
            hearing_id=h.id,
            text=body.text,
            tag=body.tag,
            lon=body.lon,
            lat=body.lat,
            x_3067=x,
            y_3067=y,
            status="pending",
            created_at=now(),
        )
        db.add(c)
        db.commit()
        return {"id": c.id, "status": c.status}


@router.get("/api/hearings/{slug}/comments")
def public_comments(slug: str, request: Request) -> list[dict[str, Any]]:
    """The approved comments of a hearing (everyone's; pending and hidden ones stay out)."""
    st = state(request)
    h = _hearing(st, slug)
    with st.factory() as db:
        rows = db.scalars(
            select(Comment)
            .where(Comment.hearing_id == h.id, Comment.status == "approved")
            .order_by(Comment.id)
        ).all()
    return [comment_json(c) for c in rows]


def comment_json(c: Comment) -> dict[str, Any]:
    """A comment as JSON (text as stored; pages escape it on output)."""
    return {
        "id": c.id,
        "text": c.text,
        "tag": c.tag,
        "lon": c.lon,
        "lat": c.lat,
        "status": c.status,
        "created_at": c.created_at.isoformat(timespec="seconds"),
    }


def signed_in(request: Request) -> bool:
    """Whether the request has a session (for templates)."""
    return current_user(request) is not None
