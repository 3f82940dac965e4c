"""``sentiers data update``: fetch each source (mirror or official URL), keep what is valid, rebuild.

A source that fails keeps its previous good file (and so its previous layer) and the reason is
reported; a file replaces the previous one only after it passed the content check and its parser.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sentiers import settings
from sentiers.base.build import RawFile, build_and_write, parse_source, sha256_of
from sentiers.base.fetch import ByteProgress, copy_from_mirror, download, validate_content
from sentiers.base.sources import SOURCES, Source, get_source
from sentiers.base.store import Base, Progress
from sentiers.errors import SentiersError, SourceError

log = logging.getLogger(__name__)

INDEX = "index.json"


@dataclass
class UpdateReport:
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # previous good file kept after a failure
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    base: Base | None = None


def read_index(raw: Path | None = None) -> dict[str, dict]:
    raw = raw or settings.raw_dir()
    try:
        return json.loads((raw / INDEX).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_index(index: Mapping[str, dict], raw: Path | None = None) -> None:
    raw = raw or settings.raw_dir()
    tmp = raw / (INDEX + ".tmp")
    tmp.write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, raw / INDEX)


def raw_files_from_index(index: Mapping[str, dict], raw: Path | None = None) -> dict[str, RawFile]:
    raw = raw or settings.raw_dir()
    files = {}
    for source_id, entry in index.items():
        path = raw / entry["file"]
        if path.is_file() and source_id in {s.id for s in SOURCES}:
            files[source_id] = RawFile(
                path, entry.get("origin", "official"), entry.get("retrieved_at", ""), entry.get("sha256", "")
            )
    return files


def _select(only: Iterable[str] | None) -> list[Source]:
    if not only:
        return list(SOURCES)
    return [get_source(s) for s in only]


def update_sources(
    mirror: Path | str | None = None,
    only: Iterable[str] | None = None,
    offline: bool = False,
    urls: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    on_bytes: Callable[[Source], ByteProgress | None] | None = None,
) -> UpdateReport:
    """Fetch the selected sources, then rebuild the base from every good file present.

    ``mirror``: a folder laid out like the mirror of official files; sources it does not hold are
    skipped (said in the report). Without a mirror, each source is downloaded from its official URL
    (``urls`` overrides them, for tests), unless ``offline``.
    """
    progress = progress or (lambda f, m: log.info("%3.0f %% %s", f * 100, m))
    mirror_path = Path(mirror) if mirror else None
    if mirror_path is not None and not mirror_path.is_dir():
        raise SentiersError(f"Dossier miroir introuvable : {mirror_path}")
    raw = settings.raw_dir()
    index = read_index(raw)
    report = UpdateReport()
    selected = _select(only)
    parsed: dict[str, object] = {}
    for i, source in enumerate(selected):
        progress(0.6 * i / max(1, len(selected)), f"Source {source.id}")
        tmp: Path | None = None
        try:
            if mirror_path is not None:
                if not source.mirror_path:
                    report.skipped.append((source.id, "absent du miroir"))
                    continue
                tmp = copy_from_mirror(source, mirror_path, raw)
                origin = "mirror"
            elif offline:
                report.skipped.append((source.id, "hors ligne : pas de téléchargement"))
                continue
            else:
                url = (urls or {}).get(source.id, source.url)
                tmp = download(source, url, raw, on_bytes(source) if on_bytes else None)
                origin = "official"
            validate_content(source, tmp)
            frame = parse_source(source, tmp)
            target = raw / source.filename
            os.replace(tmp, target)
            tmp = None
            index[source.id] = {
                "file": source.filename,
                "origin": origin,
                "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "sha256": sha256_of(target),
                "url": source.url,
                "mirror_path": source.mirror_path if origin == "mirror" else None,
            }
            parsed[source.id] = frame
            report.updated.append(source.id)
        except SourceError as exc:
            log.warning("%s", exc)
            report.failures.append((source.id, exc.reason))
            if source.id in index and (raw / index[source.id]["file"]).is_file():
                report.kept.append(source.id)
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
    write_index(index, raw)
    files = raw_files_from_index(index, raw)
    for source_id, frame in parsed.items():
        if source_id in files:
            files[source_id].frame = frame  # already parsed: the build does not read it twice
    report.base = build_and_write(files, progress=lambda f, m: progress(0.6 + 0.4 * f, m))
    return report


def rebuild(progress: Progress | None = None) -> Base:
    """Rebuild the base from the files already downloaded (no fetch)."""
    return build_and_write(raw_files_from_index(read_index()), progress=progress)
