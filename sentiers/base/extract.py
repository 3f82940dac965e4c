"""The lookup extract: what finding a commune and stating its verdict read, written beside the base.

``sentiers rural Die`` is a one-shot process: reading the base's GeoParquet (pyarrow, pandas) and building the
lookup index cost it over a second before it could answer. The extract is one JSON file written in the base's
version folder with the base itself (``write_base(..., extras=[write_extract])``): the manifest, the lookup
index (:class:`~sentiers.base.lookup.CommuneIndex`), the columns of :data:`EXTRACT_COLUMNS` and the density
grid's derivation rows. Reading it imports neither pandas, pyarrow nor geopandas.

The same :class:`Extract` is made in memory from an opened :class:`~sentiers.base.store.Base`
(:func:`extract_for`, memoised on the base): the verdict reads one or the other the same way. A base written
before the extract existed has no file; :func:`read_extract` then answers None and the caller opens the base.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from sentiers.base.lookup import CommuneIndex, index_for
from sentiers.base.store import Base, current_dir

log = logging.getLogger(__name__)

EXTRACT_FILE = "lookup-extract.json"
FORMAT = 1
GRID_LAYER = "grille_densite"
MAX_BYTES = 64 * 1024**2  # the extract of 35,000 communes is ~6 MB: anything far larger is not ours
T = TypeVar("T")

# the columns of ``communes`` a commune's verdict reads (sentiers.rural.verdict), beside the lookup's own
EXTRACT_COLUMNS = (
    "code",
    "name",
    "departement",
    "population",
    "population_year",
    "lat",
    "lon",
    "density_level",
    "density_derived",
    "density_note",
    "aav2020",
    "aav2020_name",
    "cateaav2020",
    "cateaav2020_label",
    "frr",
    "pvd",
    "pvd_date",
    "va",
    "acv",
    "acv_name",
    "ruralite_type",
)
# what building the lookup index reads too (a projected read of the base for the same work)
LOOKUP_COLUMNS = (*EXTRACT_COLUMNS, "postal_codes")


@dataclass
class Column:
    """One column by commune position: plain values, or distinct values and one code per commune."""

    values: list[Any]
    codes: list[int] | None = None

    def __getitem__(self, pos: int) -> Any:
        return self.values[pos] if self.codes is None else self.values[self.codes[pos]]


@dataclass(eq=False)
class Extract:
    """Lookup index, verdict columns, manifest and grid derivations of one base (see the module docstring)."""

    manifest: dict[str, Any]
    index: CommuneIndex
    columns: dict[str, Column]
    # commune code -> [(method, predecessors, predecessor_values)] of the density grid's derivations
    grid_derivations: dict[str, list[tuple[str, str, str]]]
    version: str = ""
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` once per extract and key (small values: layer entries, source lists)."""
        with self._guard:
            if key in self._memo:
                return self._memo[key]
        value = make()
        with self._guard:
            return self._memo.setdefault(key, value)

    def layers(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("layers", []))

    def layer(self, layer_id: str) -> dict[str, Any] | None:
        """Manifest entry of a layer: :meth:`Base.layer`'s own rule, which reads nothing but ``layers()``."""
        return Base.layer(self, layer_id)  # type: ignore[arg-type]

    def row(self, code: str) -> dict[str, Any]:
        """The extract's columns of one current commune (``code`` must be in the index)."""
        pos = self.index.codes[code]
        return {name: column[pos] for name, column in self.columns.items()}


# -- from an opened base --------------------------------------------------------------------------------


def extract_for(base: Base) -> Extract:
    """The extract of an opened base, made on first use and kept by the base."""
    return base.memo("lookup_extract", lambda: make_extract(base))


def make_extract(base: Base) -> Extract:
    communes = base.communes
    columns = {
        name: Column(communes[name].astype(object).where(communes[name].notna(), None).tolist())
        for name in EXTRACT_COLUMNS
        if name in communes
    }
    return Extract(
        manifest=base.manifest,
        index=index_for(base),
        columns=columns,
        grid_derivations=_grid_derivations(base),
        version=base.version,
    )


def _grid_derivations(base: Base) -> dict[str, list[tuple[str, str, str]]]:
    frame = base.derivations
    out: dict[str, list[tuple[str, str, str]]] = {}
    if not len(frame) or not {"code", "layer"} <= set(frame.columns):
        return out
    rows = frame[frame["layer"] == GRID_LAYER]

    def text(name: str) -> list[str]:
        if name not in rows:
            return [""] * len(rows)
        return ["" if v is None or v != v else str(v) for v in rows[name].astype(object).tolist()]

    for code, method, predecessors, values in zip(
        rows["code"].astype(str),
        text("method"),
        text("predecessors"),
        text("predecessor_values"),
        strict=True,
    ):
        out.setdefault(code, []).append((method, predecessors, values))
    return out


# -- on disk --------------------------------------------------------------------------------------------


def _encode(column: Column) -> dict[str, Any]:
    """Distinct values and codes when that is smaller (zonings, labels), the plain list otherwise.

    A column holds one type (and None), so equal keys are equal values (no ``True == 1`` between two types).
    """
    values = column.values
    distinct: dict[Any, int] = {}
    for v in values:
        distinct.setdefault(v, len(distinct))
        if len(distinct) > len(values) // 4:
            return {"values": values}
    return {"distinct": list(distinct), "codes": [distinct[v] for v in values]}


def _index_doc(index: CommuneIndex) -> dict[str, Any]:
    doc = {f.name: getattr(index, f.name) for f in fields(index) if not f.name.startswith("_")}
    doc["codes"] = list(index.codes)
    return doc


def write_extract(base: Base, folder: Path) -> Path:
    """Write the extract of ``base`` into its version folder (called by ``write_base`` before the swap)."""
    extract = make_extract(base)
    doc = {
        "format": FORMAT,
        "manifest": base.manifest,
        "index": _index_doc(extract.index),
        "columns": {name: _encode(column) for name, column in extract.columns.items()},
        "grid_derivations": extract.grid_derivations,
    }
    path = folder / EXTRACT_FILE
    tmp = folder / f".{EXTRACT_FILE}.part"
    tmp.write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str),
        encoding="utf-8",
    )
    os.replace(tmp, path)
    return path


def read_extract(home: Path | None = None) -> Extract | None:
    """The extract of the base in use, or None (no base, a base written before extracts, an unreadable file)."""
    folder = current_dir(home)
    if folder is None:
        return None
    path = folder / EXTRACT_FILE
    try:
        if path.stat().st_size > MAX_BYTES:
            log.warning("lookup extract %s too large: ignored", path)
            return None
        data = path.read_bytes()
    except OSError:
        return None
    # hundreds of thousands of small objects at once: the cyclic collector would walk them again and again
    enabled = gc.isenabled()
    gc.disable()
    try:
        doc = json.loads(data)
        extract = _from_doc(doc, folder.name)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("lookup extract %s unreadable (%s): ignored", path, type(exc).__name__)
        return None
    finally:
        if enabled:
            gc.enable()
    return extract


def _from_doc(doc: Mapping[str, Any], version: str) -> Extract | None:
    if doc.get("format") != FORMAT:
        return None
    raw = doc["index"]
    codes = raw["codes"]
    values = {f.name: raw[f.name] for f in fields(CommuneIndex) if not f.name.startswith("_")}
    values["codes"] = {c: i for i, c in enumerate(codes)}
    values["old_codes"] = {k: [(e[0], e[1], e[2]) for e in v] for k, v in raw["old_codes"].items()}
    index = CommuneIndex(**values)
    columns = {}
    for name, col in doc["columns"].items():
        column = Column(col["values"]) if "values" in col else Column(col["distinct"], col["codes"])
        if len(column.values if column.codes is None else column.codes) != len(codes):
            return None
        columns[name] = column
    derivations = {code: [(r[0], r[1], r[2]) for r in rows] for code, rows in doc["grid_derivations"].items()}
    return Extract(
        manifest=doc["manifest"], index=index, columns=columns, grid_derivations=derivations, version=version
    )
