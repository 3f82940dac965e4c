"""The territory base: official sources (registry, fetch, parsers) built into GeoParquet and opened as one ``Base``.

Also the facts every feature shares: the indicator catalogue, codes, the commune lookup and the Kiif coverage.
``open_base(columns=…, geometry=…)`` is the one way to open it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentiers.base.store import Base


def open_base(
    home: Path | None = None,
    *,
    columns: Iterable[str] | None = None,
    geometry: bool = True,
    build_if_missing: bool = True,
    progress: Callable[[float, str], None] | None = None,
) -> Base:
    """The base in use; on a fresh machine, the embedded default is built first (``progress`` reported).

    ``columns``: only these columns of ``communes`` (identity columns are always read); ``geometry=False``:
    no geometry at all (communes as a plain DataFrame, no display geometry, no outlines), which skips most
    of the file and the geopandas import — what a lookup or a verdict needs.
    """
    from sentiers.base.store import read_base, read_manifest
    from sentiers.errors import BaseNotFoundError

    if read_manifest(home) is None:
        if not build_if_missing:
            raise BaseNotFoundError("Aucune base construite.")
        from sentiers.base.build import build_and_write

        build_and_write(raw_files={}, progress=progress, home=home)
    return read_base(home, columns=columns, geometry=geometry)
