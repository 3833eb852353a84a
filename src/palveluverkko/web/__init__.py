"""The web app: planners build and compare scenarios on a map, residents see a proposal and
comment on it (FastAPI, SQLAlchemy with Alembic migrations, MapLibre GL JS served by the app).

Public API: :func:`create_app` (the ASGI app for a region or a Study), :class:`WebSettings`
(limits), :func:`add_user` and :func:`open_database` (for ``palveluverkko users add``),
:func:`serve` (run it with uvicorn). The web layer calls :class:`palveluverkko.Study` and the
scenario entries of :mod:`palveluverkko.scenario`; it holds no planning logic of its own.
Names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .app import WebSettings as WebSettings
    from .app import create_app as create_app
    from .running import add_user as add_user
    from .running import open_database as open_database
    from .running import serve as serve

__all__ = ["WebSettings", "add_user", "create_app", "open_database", "serve"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "WebSettings": ".app",
        "create_app": ".app",
        "add_user": ".running",
        "open_database": ".running",
        "serve": ".running",
    },
)
