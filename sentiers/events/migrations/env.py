"""Alembic environment: runs on the connection :func:`sentiers.events.store.migrate` hands over (no alembic.ini).

A new revision: write ``versions/NNNN_<what>.py`` by hand (``down_revision`` = the previous one), keep the models
of ``sentiers/events/store.py`` in step; ``tests/events/test_store.py`` checks that they match.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run the events migrations through sentiers.events.store.migrate(engine).")

context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
