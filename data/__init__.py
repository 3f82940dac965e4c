"""The territory base: sources registry, download/mirror, parsers, build, load.

Public entry point: ``from data import load_base`` (see data.schema for the columns).
"""

from data.store import Base, load_base

__all__ = ["Base", "load_base"]
