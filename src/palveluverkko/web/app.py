"""The FastAPI application: :func:`create_app` wires a Study, the database, the job runner and the
pages; :mod:`.planner` and :mod:`.public` hold the routes.

Security at the edge: a body-size limit, security headers (a CSP without inline scripts and
without other origins), a CSRF check on every state-changing request, roles per route, and the
library's typed errors mapped to 4xx answers with their message.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..errors import PalveluverkkoError
from ..i18n import LANGS
from .auth import Principal, principal_of, token_matches
from .db import make_engine, migrate, session_factory
from .geo import MapLayers
from .jobs import JobRunner
from .texts import texts

if TYPE_CHECKING:
    from ..region.model import Region
    from ..study import Study

log = logging.getLogger("palveluverkko.web")

mimetypes.add_type("text/javascript", ".mjs")  # MapLibre's ES modules (module scripts need it)

__all__ = ["WebSettings", "create_app"]

HERE = Path(__file__).parent
SESSION_COOKIE = "pv_session"
CSRF_COOKIE = "pv_csrf"
LANG_COOKIE = "pv_lang"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web app.

    Attributes
    ----------
    comment_limit, comment_window_s
        Comments one client may post per window (beyond: 429).
    max_body_bytes
        Largest request body accepted (beyond: 413).
    trust_forwarded
        Take the client's address from ``X-Forwarded-For`` (only behind a proxy you run).
    job_process
        Evaluate in a separate process (default; the pages stay fast during an evaluation);
        False runs jobs in a thread of the server (needed for an in-memory SQLite database).
    """

    comment_limit: int = 5
    comment_window_s: float = 60.0
    max_body_bytes: int = 64_000
    trust_forwarded: bool = False
    job_process: bool = True

    def __post_init__(self) -> None:
        if self.comment_limit < 1 or self.comment_window_s <= 0 or self.max_body_bytes < 1024:
            raise ValueError(
                "web settings: comment_limit >= 1, comment_window_s > 0 and "
                f"max_body_bytes >= 1024 expected; got {self}"
            )


class RateLimiter:
    """A sliding window of request times per client key (in memory, per process)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = Lock()

    def allow(self, key: str) -> bool:
        """Record a request of ``key``; False when it is over the limit."""
        t = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= t - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(t)
            if len(self._hits) > 100_000:  # bounded memory under a flood of keys
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > t - 60}
            return True


@dataclass
class WebState:
    """What the routes share (``app.state.web``)."""

    study: Study
    layers: MapLayers
    engine: Engine
    factory: sessionmaker[Session]
    jobs: JobRunner
    templates: Jinja2Templates
    settings: WebSettings
    limiter: RateLimiter
    data_dir: Path
    postal_areas: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


def state(request: Request) -> WebState:
    """The app's shared state."""
    web: WebState = request.app.state.web
    return web


def lang_of(request: Request) -> str:
    """The page language: ``?lang=``, else the cookie, else Finnish."""
    for lang in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if lang in LANGS:
            return str(lang)
    return "fi"


def current_user(request: Request) -> Principal | None:
    """The signed-in user, if any."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    p = principal_of(state(request).factory, request.cookies.get(SESSION_COOKIE))
    request.state.principal = p
    return p


def require(*roles: str) -> Callable[[Request], Principal]:
    """A dependency that answers 401 without a session and 403 for another role."""

    def dependency(request: Request) -> Principal:
        p = current_user(request)
        if p is None:
            raise HTTPException(401, "sign in first")
        if p.role not in roles:
            raise HTTPException(403, f"this needs the role {' or '.join(roles)}")
        return p

    return dependency


READERS = ("planner", "viewer")
"""Roles that may read planning work."""
Reader = Annotated[Principal, Depends(require(*READERS))]
Planner = Annotated[Principal, Depends(require("planner"))]
Moderator = Annotated[Principal, Depends(require("moderator"))]
ModeratorOrPlanner = Annotated[Principal, Depends(require("moderator", "planner"))]
Staff = Annotated[Principal, Depends(require("planner", "moderator", "viewer"))]
"""Dependencies of the routes: the signed-in user with one of the roles (401/403 otherwise)."""


async def csrf_check(request: Request) -> None:
    """Every state-changing request carries the CSRF token of its session (or, without a
    session, the double-submit token of the ``pv_csrf`` cookie)."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        from urllib.parse import parse_qs

        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        request.state.form = {k: v[0] for k, v in form.items()}
        given = request.state.form.get("csrf_token")
    p = current_user(request)
    expected = p.csrf if p is not None else request.cookies.get(CSRF_COOKIE)
    if not token_matches(given, expected):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page")


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """Template variables every page needs."""
    lang = lang_of(request)
    p = current_user(request)
    csrf = p.csrf if p is not None else getattr(request.state, "anon_csrf", "")
    st = state(request)
    return {
        "request": request,
        "lang": lang,
        "t": texts(lang),
        "user": p,
        "csrf": csrf,
        "region_name": st.study.region.name,
        "synthetic": bool(getattr(st.study.region.meta, "synthetic", False)),
        **extra,
    }


def render(request: Request, template: str, **extra: Any) -> Response:
    """A page; sets the language and (for visitors) the double-submit CSRF cookie."""
    anon = current_user(request) is None
    token = request.cookies.get(CSRF_COOKIE) if anon else None
    if anon and (not token or len(token) > 100):
        token = secrets.token_urlsafe(32)
    request.state.anon_csrf = token or ""
    response = state(request).templates.TemplateResponse(
        request, template, page_context(request, **extra)
    )
    lang = request.query_params.get("lang")
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, str(lang), samesite="lax", max_age=365 * 86400)
    if anon and token:
        response.set_cookie(CSRF_COOKIE, token, samesite="strict", httponly=False)
    return response


class BodyLimit:
    """Answer 413 to bodies over ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and int(value or 0) > self.limit:
                await _too_large(send)
                return
        seen = 0

        async def limited() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLargeError:
            await _too_large(send)


class _BodyTooLargeError(Exception):
    pass


async def _too_large(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"request body too large"})


class SecurityHeaders:
    """Add the security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += SECURITY_HEADERS
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _study_of(source: str | Path | Region | Study, cache_dir: str | Path | None) -> Study:
    from ..region.model import Region
    from ..study import Study

    if isinstance(source, Study):
        return source
    if isinstance(source, Region):
        return Study(source, cache_dir=cache_dir)
    return Study.open(source, cache_dir=cache_dir)


def create_app(
    source: str | Path | Region | Study,
    db_url: str | None = None,
    *,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    settings: WebSettings | None = None,
    postal_areas: str | Path | None = None,
) -> FastAPI:
    """The web app for a region package folder, a Region or a Study.

    Parameters
    ----------
    source
        Region package folder (read and validated), a Region or a Study.
    db_url
        SQLAlchemy URL; default a SQLite file ``data_dir/palveluverkko-web.sqlite``.
        PostgreSQL: ``postgresql+psycopg://user@host:port/db``. Migrated at start-up.
    data_dir
        Where downloads are written (default ``./palveluverkko-web``).
    cache_dir
        Travel-time cache folder of the Study.
    settings
        Limits (rate, body size); defaults of :class:`WebSettings`.
    postal_areas
        Optional polygons with a ``postinumeroalue`` (or ``posti_alue``) column: the comment
        export names each point's postal area.

    Raises
    ------
    ValidationError
        When the region package is invalid.
    """
    from . import hearings, planner, public

    settings = settings or WebSettings()
    data = Path(
        data_dir
        if data_dir is not None
        else os.environ.get("PALVELUVERKKO_WEB_DIR", "palveluverkko-web")
    )
    data.mkdir(parents=True, exist_ok=True)
    study = _study_of(source, cache_dir)
    db_url = db_url or f"sqlite:///{data / 'palveluverkko-web.sqlite'}"
    engine = make_engine(db_url)
    migrate(engine)
    factory = session_factory(engine)
    _fail_interrupted_jobs(factory)
    web = WebState(
        study=study,
        layers=MapLayers(study.region),
        engine=engine,
        factory=factory,
        jobs=JobRunner(
            study,
            factory,
            data,
            source=source if isinstance(source, str | Path) else None,
            db_url=engine.url.render_as_string(hide_password=False),
            process=settings.job_process,
        ),
        templates=_templates(),
        settings=settings,
        limiter=RateLimiter(settings.comment_limit, settings.comment_window_s),
        data_dir=data,
        postal_areas=_read_postal(postal_areas),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        web.jobs.shutdown()
        engine.dispose()

    app = FastAPI(
        title="palveluverkko",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI would load from a CDN
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_check)],
    )
    app.state.web = web
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(public.router)
    app.include_router(planner.router)
    app.include_router(hearings.router)

    @app.exception_handler(PalveluverkkoError)
    async def _input_error(request: Request, exc: PalveluverkkoError) -> JSONResponse:
        status = 422 if isinstance(exc, ValueError) else 500
        return JSONResponse({"detail": str(exc)}, status_code=status)

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def _fail_interrupted_jobs(factory: sessionmaker[Session]) -> None:
    """Jobs a stopped server left queued or running are marked failed (run them again)."""
    from sqlalchemy import update

    from .db import Job, now

    with factory() as db:
        result = db.execute(
            update(Job)
            .where(Job.status.in_(("queued", "running")))
            .values(
                status="failed", error="the server stopped before the job ended", finished_at=now()
            )
        )
        db.commit()
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.warning("%s unfinished jobs of a stopped server marked failed", count)


def _templates() -> Jinja2Templates:
    """The pages, every value escaped on output (autoescape on for all templates)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True
    )
    return Jinja2Templates(env=env)


def _read_postal(path: str | Path | None) -> Any:
    if path is None:
        return None
    import geopandas as gpd

    return gpd.read_file(path)
