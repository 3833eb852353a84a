"""Storage of the web app: SQLAlchemy 2 tables, the engine, and Alembic migrations at start-up.

SQLite (a file, the default) and PostgreSQL (``postgresql+psycopg://...``) hold the same tables.
Comment points are plain numeric columns (longitude/latitude in EPSG:4326 and x/y in
EPSG:3067): no spatial database extension is needed, and the exports build their geometry from
them with shapely/geopandas.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

log = logging.getLogger("palveluverkko.web")

__all__ = [
    "ROLES",
    "Base",
    "Comment",
    "Hearing",
    "Job",
    "ScenarioRow",
    "ScenarioVersion",
    "SessionRow",
    "User",
    "make_engine",
    "migrate",
    "now",
]

ROLES: tuple[str, ...] = ("planner", "moderator", "viewer")
"""Roles of signed-in users: planners change scenarios and publish hearings, moderators moderate
comments, viewers read."""

COMMENT_TAGS: tuple[str, ...] = ("bus", "elderly", "digital", "other")
COMMENT_STATES: tuple[str, ...] = ("pending", "approved", "hidden", "flagged")


def now() -> datetime:
    """The current time in UTC, without tzinfo (both backends store it the same way)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of the web app's tables."""


class User(Base):
    """A signed-in user (planner, moderator or viewer); residents never have accounts."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class SessionRow(Base):
    """A server-side session: the SHA-256 of the cookie's token, its CSRF token and expiry."""

    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ScenarioRow(Base):
    """A scenario; its content is the TOML of its newest :class:`ScenarioVersion`."""

    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ScenarioVersion(Base):
    """One saved version of a scenario (its history), with author and a note of the change."""

    __tablename__ = "scenario_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    toml: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Job(Base):
    """A background evaluation: today's network against scenarios, its progress and result."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_ids: Mapped[str] = mapped_column(String(500))  # JSON list of ints
    versions: Mapped[str] = mapped_column(String(500))  # JSON list of the versions evaluated
    status: Mapped[str] = mapped_column(String(20), default="queued")
    stage: Mapped[str] = mapped_column(String(50), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")  # JSON (see jobs.py)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Hearing(Base):
    """A scenario published for residents' comments (kuuleminen), with texts in fi/sv/en."""

    __tablename__ = "hearings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    title_fi: Mapped[str] = mapped_column(String(300))
    title_sv: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    text_fi: Mapped[str] = mapped_column(Text, default="")
    text_sv: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    opens: Mapped[date] = mapped_column(Date)
    closes: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Comment(Base):
    """A resident's comment: text, an optional tag and map point, and its moderation state.
    Nothing about the writer is stored."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    tag: Mapped[str] = mapped_column(String(20), default="other")
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    x_3067: Mapped[float | None] = mapped_column(Float, nullable=True)
    y_3067: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url`` (``sqlite:///path`` or ``postgresql+psycopg://...``).

    SQLite gets WAL, a busy timeout and foreign keys, so that the request threads and the job
    thread can share the file.
    """
    if db_url.startswith("postgresql://"):
        db_url = "postgresql+psycopg://" + db_url.removeprefix("postgresql://")
    if db_url.startswith("sqlite"):
        path = db_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            db_url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(
                "PRAGMA synchronous=NORMAL"
            )  # with WAL: durable at checkpoints, never corrupt
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if not db_url.startswith("postgresql+psycopg://"):
        from ..errors import InputError

        raise InputError(
            f"--db {db_url.split('://', 1)[0]}://...: unsupported database; use sqlite:///FILE "
            "or postgresql+psycopg://USER@HOST:PORT/DB"
        )
    import psycopg  # the driver SQLAlchemy loads for postgresql+psycopg

    log.debug("PostgreSQL through psycopg %s", psycopg.__version__)
    return create_engine(db_url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema with Alembic (``web/migrations``)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("database schema up to date (%s)", engine.url.render_as_string(hide_password=True))


def session_factory(engine: Engine) -> sessionmaker[Any]:
    """Sessions that keep loaded attributes after commit (rows are read after their commit)."""
    return sessionmaker(engine, expire_on_commit=False)
