"""``sentiers data update``: fetch each source (mirror or official URL), keep what is valid, rebuild.

A source that fails keeps its previous good file (and so its previous layer) and the reason is
reported; a file replaces the previous one only after it passed the content check, its parser and the
row check: its parsed rows may not fall more than ``sources.MAX_ROW_DROP`` below the previous good file's
(recorded in ``raw/index.json``) or below the entry's ``expected_rows`` — a CSV cut at a line boundary parses
without error.

The whole update holds the update lock (one at a time, across processes), cleans what a killed update left
(``store.clean_leftovers``), says at once when the official sites cannot be reached (``fetch.probe``), rebuilds
only when a file changed (or the base in use was not built from the files present), and writes its report to
``raw/last-update.json`` so that the home page can list, after a reload, each source that failed and why.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sentiers import fr, settings
from sentiers.base.build import RawFile, build_and_write, parse_source, sha256_of
from sentiers.base.fetch import ByteProgress, copy_from_mirror, download, probe, validate_content
from sentiers.base.sources import MAX_ROW_DROP, SOURCES, Source, get_source
from sentiers.base.store import Base, Progress, clean_leftovers, read_manifest, update_lock
from sentiers.errors import SentiersError, SourceError

log = logging.getLogger(__name__)

INDEX = "index.json"
LAST_UPDATE = "last-update.json"


@dataclass
class UpdateReport:
    updated: list[str] = field(default_factory=list)  # a new or changed file, taken
    unchanged: list[str] = field(default_factory=list)  # fetched, the same as the previous good file
    kept: list[str] = field(default_factory=list)  # previous good file kept after a failure
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    base: Base | None = None  # the rebuilt base; None when nothing changed (the base in use stays)
    origin: str = "official"
    started_at: str = ""
    previous_built_at: str = ""  # the base in use before the update

    @property
    def changed(self) -> bool:
        return self.base is not None


def read_index(raw: Path | None = None) -> dict[str, dict]:
    raw = raw or settings.raw_dir()
    try:
        index = json.loads((raw / INDEX).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return index if isinstance(index, dict) else {}


def _write_json(path: Path, payload: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def write_index(index: Mapping[str, dict], raw: Path | None = None) -> None:
    _write_json((raw or settings.raw_dir()) / INDEX, index)


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


def read_last_update(home: Path | None = None) -> dict[str, Any] | None:
    """The report of the last update run in this home (None when there was none or it is unreadable)."""
    raw = (Path(home) / "raw") if home is not None else settings.sentiers_home() / "raw"
    try:
        report = json.loads((raw / LAST_UPDATE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return report if isinstance(report, dict) else None


def _record_last_update(raw: Path, report: UpdateReport, error: str = "") -> None:
    payload = {
        "started_at": report.started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "origin": report.origin,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": [{"id": sid, "reason": reason} for sid, reason in report.skipped],
        "failures": [
            {"id": sid, "reason": reason, "kept": sid in report.kept} for sid, reason in report.failures
        ],
        "rebuilt": report.base is not None,
        "built_at": report.base.built_at if report.base is not None else report.previous_built_at,
        "error": error,
    }
    try:
        _write_json(raw / LAST_UPDATE, payload)
    except OSError as exc:  # the report is a courtesy: never fail an update for it
        log.warning("last update report not written: %s", exc)


def unchanged_text(report: UpdateReport) -> str:
    """« Aucune source n'a changé ; la base reste celle du 7 décembre 2025 à 14 h 32 (UTC). »"""
    since = fr.date_time(report.previous_built_at) if report.previous_built_at else "jour de sa construction"
    return f"Aucune source n'a changé ; la base reste celle du {since}."


def _select(only: Iterable[str] | None) -> list[Source]:
    if not only:
        return list(SOURCES)
    return [get_source(s) for s in only]


def _previous_rows(source: Source, entry: Mapping[str, Any] | None, raw: Path) -> int | None:
    """Rows of the previous good file: recorded in the index, or counted once for an index written before."""
    if not entry:
        return None
    rows = entry.get("rows")
    if isinstance(rows, int) and rows > 0:
        return rows
    path = raw / str(entry.get("file", ""))
    if not path.is_file():
        return None
    try:
        return len(parse_source(source, path))
    except SourceError:
        return None


def check_rows(source: Source, rows: int, previous: int | None, allow_drop: bool = False) -> None:
    """SourceError when ``rows`` falls more than MAX_ROW_DROP below the previous good file or the expected rows."""
    if allow_drop:
        return
    for reference, what in (
        (previous, "la version précédente"),
        (source.expected_rows, "le fichier officiel attendu"),
    ):
        if reference and rows < reference * (1 - MAX_ROW_DROP):
            drop = 100 * (reference - rows) / reference
            raise SourceError(
                source.id,
                f"{fr.integer(rows)} lignes lues contre {fr.integer(reference)} dans {what} (baisse de "
                f"{fr.number(drop, 1, '%')}) : fichier tronqué ou incomplet, refusé au-delà d'une baisse de "
                f"{fr.number(100 * MAX_ROW_DROP, 0, '%')}",
            )


def update_sources(
    mirror: Path | str | None = None,
    only: Iterable[str] | None = None,
    offline: bool = False,
    urls: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    on_bytes: Callable[[Source], ByteProgress | None] | None = None,
    allow_drop: Iterable[str] = (),
    wait: bool = True,
) -> UpdateReport:
    """Fetch the selected sources, then rebuild the base from every good file present (when one changed).

    ``mirror``: a folder laid out like the mirror of official files; sources it does not hold are
    skipped (said in the report). Without a mirror, each source is downloaded from its official URL
    (``urls`` overrides them, for tests), unless ``offline``; the first hosts are probed first and a
    SentiersError says at once when none answers. ``allow_drop``: sources whose row count may fall (a new
    edition with fewer rows). ``wait=False``: SentiersError at once when another update is running.
    """
    progress = progress or (lambda f, m: log.info("%3.0f %% %s", f * 100, m))
    mirror_path = Path(mirror) if mirror else None
    if mirror_path is not None and not mirror_path.is_dir():
        raise SentiersError(f"Dossier miroir introuvable : {mirror_path}")
    selected = _select(only)
    allowed = set(allow_drop)
    home = settings.sentiers_home()
    raw = settings.raw_dir()
    with update_lock(home, wait=wait):
        clean_leftovers(home)
        previous = read_manifest(home) or {}
        report = UpdateReport(
            origin="mirror" if mirror_path is not None else ("offline" if offline else "official"),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            previous_built_at=str(previous.get("built_at", "")),
        )
        try:
            if mirror_path is None and not offline:
                progress(0.0, "Connexion aux sites officiels")
                probe([(urls or {}).get(s.id, s.url) for s in selected])
            parsed = _fetch_all(
                report, selected, raw, mirror_path, offline, urls, progress, on_bytes, allowed
            )
        except SentiersError as exc:
            _record_last_update(raw, report, error=str(exc))
            raise
        index = read_index(raw)
        files = raw_files_from_index(index, raw)
        inputs = {sid: f.sha256 for sid, f in sorted(files.items()) if f.sha256}
        if _needs_rebuild(previous, inputs, report):
            for source_id, frame in parsed.items():
                if source_id in files:
                    files[source_id].frame = frame  # already parsed: the build does not read it twice
            report.base = build_and_write(files, progress=lambda f, m: progress(0.6 + 0.4 * f, m))
        else:
            progress(1.0, "Aucune source n'a changé : la base en service reste la même")
        _record_last_update(raw, report)
    return report


def _needs_rebuild(previous: Mapping[str, Any], inputs: Mapping[str, str], report: UpdateReport) -> bool:
    """A file was taken, there is no base, or the base in use was not built from the files now present."""
    if report.updated or not previous:
        return True
    built = previous.get("inputs")
    if built is None:  # a base written before manifests recorded their inputs: its layers' checksums
        layers = previous.get("layers", [])
        built = {e["id"]: e["sha256"] for e in layers if e.get("origin") != "embedded" and e.get("sha256")}
        return not set(inputs.items()) <= set(built.items())
    return dict(built) != dict(inputs)


def _fetch_all(
    report: UpdateReport,
    selected: list[Source],
    raw: Path,
    mirror_path: Path | None,
    offline: bool,
    urls: Mapping[str, str] | None,
    progress: Progress,
    on_bytes: Callable[[Source], ByteProgress | None] | None,
    allowed: set[str],
) -> dict[str, Any]:
    """Fetch, check and take each source in turn (the index is written once at the end); the parsed frames."""
    index = read_index(raw)
    parsed: dict[str, Any] = {}
    for i, source in enumerate(selected):
        progress(0.6 * i / max(1, len(selected)), f"Source {source.id}")
        tmp: Path | None = None
        try:
            if mirror_path is not None:
                if not source.mirror_path or not (mirror_path / source.mirror_path).is_file():
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
            digest = sha256_of(tmp)
            entry = index.get(source.id)
            target = raw / source.filename
            if entry and entry.get("sha256") == digest and (raw / str(entry.get("file", ""))).is_file():
                report.unchanged.append(source.id)  # the same bytes as the previous good file
                entry["checked_at"] = datetime.now(UTC).isoformat(timespec="seconds")
                continue
            frame = parse_source(source, tmp)
            check_rows(source, len(frame), _previous_rows(source, entry, raw), source.id in allowed)
            os.replace(tmp, target)
            tmp = None
            index[source.id] = {
                "file": source.filename,
                "origin": origin,
                "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "sha256": digest,
                "rows": len(frame),
                "url": source.url,
                "mirror_path": source.mirror_path if origin == "mirror" else None,
            }
            parsed[source.id] = frame
            report.updated.append(source.id)
        except SourceError as exc:
            log.info("%s", exc)  # the report says it (the CLI on stderr, the page in red)
            report.failures.append((source.id, exc.reason))
            if source.id in index and (raw / index[source.id]["file"]).is_file():
                report.kept.append(source.id)
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
    write_index(index, raw)
    return parsed


def rebuild(progress: Progress | None = None) -> Base:
    """Rebuild the base from the files already downloaded (no fetch)."""
    with update_lock():
        return build_and_write(raw_files_from_index(read_index()), progress=progress)
