"""Alembic environment of the web app: runs on the connection that
:func:`palveluverkko.web.db.migrate` passes in ``config.attributes``."""

from alembic import context

from palveluverkko.web.db import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through migrate()
    raise RuntimeError("run migrations through palveluverkko.web.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
