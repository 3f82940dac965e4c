"""The disk cache of API answers, in ``SENTIERS_HOME/cache/actors`` (:func:`sentiers.settings.cache_dir`).

One JSON file per query (endpoint and parameters, every page together), named by a hash of the query, holding
the kept fields of each result (:mod:`sentiers.actors.records`: no personal data), what the API said it had and
the retrieval date. Files are written to a temporary name then renamed (a reader never sees half a file); the
folder is kept under :data:`MAX_CACHE_BYTES` and :data:`MAX_ENTRIES` by removing the oldest answers; a file
larger than :data:`MAX_ENTRY_BYTES` or unreadable is ignored (and removed). When the home is not writable the
cache is off and everything still works online.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sentiers import settings
from sentiers.errors import SentiersError

log = logging.getLogger(__name__)

CACHE_NAME = "actors"
FORMAT = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 4000
MAX_ENTRY_BYTES = 8 * 1024 * 1024
MAX_AGE_DAYS = 30  # older answers are fetched again when the API answers (kept and shown when it does not)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def age_days(iso: str) -> float:
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return float("inf")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (datetime.now(UTC) - when).total_seconds() / 86400


@dataclass
class CachedAnswer:
    path: str
    params: dict[str, str]
    retrieved_at: str
    total_results: int
    pages: int
    truncated: bool
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fresh(self) -> bool:
        return age_days(self.retrieved_at) <= MAX_AGE_DAYS


def query_key(path: str, params: dict[str, str]) -> str:
    """A stable file name for a query: the hash of its endpoint and sorted parameters (page excluded)."""
    canonical = json.dumps(
        [path.strip("/"), sorted((k, str(v)) for k, v in params.items() if k != "page")], ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]


class ActorsCache:
    """get / put answers by query; ``folder=None``: the home's cache folder (off when it cannot be written)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            try:
                folder = settings.cache_dir(CACHE_NAME)
            except SentiersError as exc:
                log.warning("actors cache off: %s", exc)
                folder = None
        else:
            folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _file(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.json"

    def get(self, path: str, params: dict[str, str]) -> CachedAnswer | None:
        if self.folder is None:
            return None
        file = self._file(query_key(path, params))
        try:
            if file.stat().st_size > MAX_ENTRY_BYTES:
                raise ValueError("entry too large")
            data = json.loads(file.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("unknown format")
            answer = CachedAnswer(
                path=str(data["path"]),
                params={str(k): str(v) for k, v in dict(data["params"]).items()},
                retrieved_at=str(data["retrieved_at"]),
                total_results=int(data["total_results"]),
                pages=int(data["pages"]),
                truncated=bool(data["truncated"]),
                results=[r for r in data["results"] if isinstance(r, dict)],
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            log.warning("actors cache: unreadable entry %s removed (%s)", file.name, exc)
            with contextlib.suppress(OSError):
                file.unlink()
            return None
        return answer

    def put(self, answer: CachedAnswer) -> None:
        if self.folder is None:
            return
        data = {"format": FORMAT, **asdict(answer)}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode("utf-8")) > MAX_ENTRY_BYTES:
            log.warning("actors cache: answer too large to keep (%s)", answer.params)
            return
        target = self._file(query_key(answer.path, answer.params))
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("actors cache: could not write (%s)", exc)
            return
        self.prune()

    def prune(self) -> list[Path]:
        """Remove the oldest answers beyond the size and count bounds, and leftovers of killed writers."""
        if self.folder is None:
            return []
        removed: list[Path] = []
        entries = []
        for file in self.folder.iterdir():
            try:
                stat = file.stat()
            except OSError:
                continue
            if file.name.startswith(".tmp-"):
                if stat.st_mtime < datetime.now().timestamp() - 3600:
                    with contextlib.suppress(OSError):
                        file.unlink()
                        removed.append(file)
                continue
            if file.suffix == ".json":
                entries.append((stat.st_mtime, stat.st_size, file))
        entries.sort()
        total = sum(size for _, size, _ in entries)
        while entries and (total > MAX_CACHE_BYTES or len(entries) > MAX_ENTRIES):
            _, size, file = entries.pop(0)
            with contextlib.suppress(OSError):
                file.unlink()
                removed.append(file)
            total -= size
        return removed

    def stamp(self) -> str:
        """Changes whenever an answer is written: a cache key for pages showing documents built from it."""
        if self.folder is None:
            return "off"
        try:
            return str(self.folder.stat().st_mtime_ns)
        except OSError:
            return "off"
