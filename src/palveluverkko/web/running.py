"""Running the web app: the database for user management, the demo county, uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from .auth import add_user as _add_user
from .db import make_engine, migrate, session_factory

log = logging.getLogger("palveluverkko.web")

__all__ = ["add_user", "default_db_url", "demo_package", "open_database", "serve"]


def default_db_url(data_dir: str | Path) -> str:
    """The default database: a SQLite file in ``data_dir``."""
    return f"sqlite:///{Path(data_dir) / 'palveluverkko-web.sqlite'}"


def open_database(db_url: str) -> sessionmaker[Session]:
    """Sessions on ``db_url``, migrated to the newest schema."""
    engine = make_engine(db_url)
    migrate(engine)
    return session_factory(engine)


def add_user(db_url: str, name: str, role: str, password: str) -> str:
    """Create a user (or change their role and password); returns the role saved.

    Raises
    ------
    InputError
        For an unknown role, a bad name or a short password.
    """
    engine = make_engine(db_url)
    try:
        migrate(engine)
        with session_factory(engine)() as db:
            return _add_user(db, name, role, password).role
    finally:
        engine.dispose()


def demo_package(out: str | Path, *, seed: int = 0) -> Path:
    """The demo county's region package under ``out/region`` (built on first use)."""
    from ..study import run_demo

    target = Path(out) / "region"
    if not (target / "region.toml").exists():
        run_demo(out, seed=seed, region_only=True)
    return target


def serve(
    source: str | Path,
    *,
    db_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: str | Path = "palveluverkko-web",
    cache_dir: str | Path | None = None,
    **settings: Any,
) -> None:
    """Start uvicorn with :func:`~.app.create_app` (blocks until stopped)."""
    import uvicorn

    from .app import WebSettings, create_app

    app = create_app(
        source,
        db_url or default_db_url(data_dir),
        data_dir=data_dir,
        cache_dir=cache_dir,
        settings=WebSettings(**settings),
    )
    from sqlalchemy import func, select

    from .db import User

    with app.state.web.factory() as db:
        if not db.scalar(select(func.count()).select_from(User)):
            log.warning(
                "no users yet: add a planner with `palveluverkko users add NAME --role planner` "
                "(same --db or --data)"
            )
    log.info("serving on http://%s:%s", host, port)
    uvicorn.run(app, host=host, port=port, log_level="info")
