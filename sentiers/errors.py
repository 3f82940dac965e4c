"""Errors a user can cause or meet: each carries a French message fit to show as is."""

from __future__ import annotations


class SentiersError(Exception):
    """Base class: ``str(err)`` is a one-line French message for the user."""


class SourceError(SentiersError):
    """A source file could not be fetched or does not hold what its registry entry promises."""

    def __init__(self, source_id: str, message: str) -> None:
        self.source_id = source_id
        self.reason = message
        super().__init__(f"Source « {source_id} » : {message}")


class BaseNotFoundError(SentiersError):
    """No built base in SENTIERS_HOME (and building the embedded default was not asked for)."""
