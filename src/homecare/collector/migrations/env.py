"""Alembic environment: always run with a connection handed in by
:func:`homecare.collector.migrate.upgrade`, never from an ini file."""

from __future__ import annotations

from alembic import context

from homecare.collector.db import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
