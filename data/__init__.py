"""The territory base: sources registry, download/mirror, parsers, build, load.

Public entry point: ``from data import load_base`` (see data.schema for the columns). The heavy
modules (geopandas) are imported on first use, so ``sentiers data status`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from data.store import Base, load_base

__all__ = ["Base", "load_base"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from data import store

        return getattr(store, name)
    raise AttributeError(name)
