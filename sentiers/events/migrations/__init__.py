"""Alembic migrations of the events database (applied by :func:`sentiers.events.store.migrate`)."""
