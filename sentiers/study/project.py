"""The project file: one zip archive that reopens a whole study (the profile, the study's parameters, and a manifest
of the base it was made on: version, build date, each layer's source and vintage).

Members: ``profil.yaml`` (the profile, as the Trouver page saves it), ``etude.json`` (format, parameters, date),
``manifeste.json`` (the base), ``LISEZMOI.txt`` (what the file is, in French). A person uploads it, so reading is
bounded before anything is allocated: the archive's bytes, its number of members, each member read through a
bounded stream whatever size it declares, encrypted or nested members refused, YAML without anchors or aliases
and nested at most a few levels, JSON bounded the same way; the profile and the parameters are then validated as
usual. A study made on another base reopens with a note saying what changed (base version, vintages).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from sentiers import fr
from sentiers.errors import SentiersError
from sentiers.matching.profile import StructureProfile, explain, profile_dict, to_yaml, validate_profile
from sentiers.safe_yaml import DocumentError, load_json, load_yaml
from sentiers.study.assemble import StudyParameters

FORMAT = "sentiers-etude"
FORMAT_VERSION = 1
PROFILE_MEMBER, STUDY_MEMBER, MANIFEST_MEMBER, README_MEMBER = (
    "profil.yaml",
    "etude.json",
    "manifeste.json",
    "LISEZMOI.txt",
)
MAX_ARCHIVE_BYTES = 2_000_000
MAX_MEMBERS = 10
MAX_MEMBER_BYTES = 512_000
MAX_DEPTH = 12
README = (
    "Fichier de projet Sentiers : une étude de faisabilité (programme Les Sentiers).\n\n"
    "Il contient le profil de la structure (profil.yaml : défi, publics, contraintes, critères et poids, "
    "auto-évaluation « Êtes-vous prêt·e ? », territoires semblables), les paramètres de l'étude (etude.json) et "
    "la description de la base territoriale utilisée (manifeste.json : version, sources et millésimes).\n\n"
    "Pour rouvrir l'étude : dans Sentiers, page « Étude de faisabilité », déposez ce fichier dans « Rouvrir un "
    "fichier de projet ».\n"
)
DAMAGED = "Fichier de projet illisible : ce n'est pas une archive de projet Sentiers (zip)."


@dataclass
class Project:
    profile: StructureProfile
    parameters: StudyParameters
    manifest: dict[str, Any]
    created_at: str = ""
    notes: list[str] = field(default_factory=list)  # what changed since (base version, vintages)


def base_manifest(base: Any) -> dict[str, Any]:
    """Version, build date and each layer's source and vintage (what the study rests on)."""
    layers = []
    for entry in base.layers():
        layers.append(
            {
                key: entry.get(key)
                for key in ("id", "title", "publisher", "vintage", "licence", "rows", "sha256")
                if entry.get(key) is not None
            }
        )
    return {
        "base_version": str(getattr(base, "version", "") or ""),
        "built_at": str(getattr(base, "built_at", "") or ""),
        "embedded_only": bool(getattr(base, "embedded_only", False)),
        "layers": layers,
    }


def write_project(profile: StructureProfile, parameters: StudyParameters, base: Any) -> bytes:
    """The archive of a study (deterministic member order, deflated)."""
    study = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": parameters.model_dump(mode="json"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROFILE_MEMBER, to_yaml(profile))
        archive.writestr(STUDY_MEMBER, json.dumps(study, ensure_ascii=False, indent=2))
        archive.writestr(MANIFEST_MEMBER, json.dumps(base_manifest(base), ensure_ascii=False, indent=2))
        archive.writestr(README_MEMBER, README)
    return buffer.getvalue()


# -- reading, bounded -----------------------------------------------------------------------------------------


def _member(archive: zipfile.ZipFile, name: str) -> str:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise SentiersError(f"Fichier de projet incomplet : il y manque {name}.") from None
    if info.flag_bits & 0x1:
        raise SentiersError("Fichier de projet refusé : archive chiffrée.")
    if info.file_size > MAX_MEMBER_BYTES:
        raise SentiersError(f"Fichier de projet refusé : {name} est trop grand.")
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_MEMBER_BYTES + 1)  # bounded whatever size the header declares
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise SentiersError(f"Fichier de projet abîmé : {name} ne se lit pas.") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise SentiersError(f"Fichier de projet refusé : {name} est trop grand.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SentiersError(f"Fichier de projet abîmé : {name} n'est pas un texte UTF-8.") from None


def _bounded(load: Any, text: str, what: str) -> Any:
    """One member through the shared bounded reader (:mod:`sentiers.safe_yaml`), its refusal worded for a project."""
    try:
        return load(text, what, max_bytes=MAX_MEMBER_BYTES, max_depth=MAX_DEPTH)
    except DocumentError as exc:
        word = "abîmé" if exc.damaged else "refusé"
        raise SentiersError(f"Fichier de projet {word} : {exc}") from None


def bounded_yaml(text: str, what: str = "profil.yaml") -> Any:
    """YAML read safely: no anchors or aliases (no « billion laughs »), nested at most MAX_DEPTH levels."""
    return _bounded(load_yaml, text, what)


def bounded_json(text: str, what: str) -> Any:
    """JSON read safely: nesting counted before parsing (json.loads recurses), NaN and huge numbers refused."""
    return _bounded(load_json, text, what)


def read_project(data: bytes, base: Any = None) -> Project:
    """The study of a project file; SentiersError in French (one line) for anything else. ``base``: the base in use,
    to say what changed since the study was made."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise SentiersError("Fichier de projet vide.")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise SentiersError(
            f"Fichier de projet refusé : plus de {MAX_ARCHIVE_BYTES // 1_000_000} Mo (un projet pèse quelques Ko)."
        )
    if not data.startswith(b"PK"):
        raise SentiersError(DAMAGED)
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SentiersError(DAMAGED) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SentiersError(f"Fichier de projet refusé : plus de {MAX_MEMBERS} fichiers dans l'archive.")
        study = bounded_json(_member(archive, STUDY_MEMBER), STUDY_MEMBER)
        if not isinstance(study, dict) or study.get("format") != FORMAT:
            raise SentiersError("Fichier de projet refusé : etude.json ne décrit pas une étude Sentiers.")
        version = study.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise SentiersError(
                "Fichier de projet d'une version plus récente de Sentiers : mettez l'outil à jour pour l'ouvrir."
            )
        try:
            parameters = StudyParameters.model_validate(study.get("parameters") or {})
        except ValidationError as exc:
            raise explain(exc, prefix="Fichier de projet : paramètres de l'étude invalides") from None
        profile = validate_profile(bounded_yaml(_member(archive, PROFILE_MEMBER)))
        manifest = bounded_json(_member(archive, MANIFEST_MEMBER), MANIFEST_MEMBER)
        if not isinstance(manifest, dict):
            manifest = {}
    created = study.get("created_at")
    project = Project(
        profile=profile,
        parameters=parameters,
        manifest=manifest,
        created_at=str(created)[:40] if isinstance(created, str) else "",
    )
    if base is not None:
        project.notes = changes_since(manifest, base_manifest(base))
    return project


def changes_since(then: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the base of the study and the base in use (French sentences)."""
    notes: list[str] = []
    if str(then.get("base_version", "")) == str(now.get("base_version", "")):
        return notes
    built = fr.date(str(then.get("built_at", ""))) if then.get("built_at") else ""
    notes.append(
        "L'étude a été faite sur une autre version de la base"
        + (f" (construite le {built})" if built else "")
        + " : les chiffres et le classement sont recalculés sur la base actuelle."
    )
    old = {
        str(layer.get("id")): str(layer.get("vintage", ""))
        for layer in then.get("layers", [])
        if isinstance(layer, dict)
    }
    changed = []
    for layer in now.get("layers", []):
        previous = old.get(str(layer.get("id")))
        if previous is not None and previous != str(layer.get("vintage", "")):
            changed.append(f"{layer.get('title', layer.get('id'))} ({previous} → {layer.get('vintage', '')})")
    if changed:
        notes.append("Millésimes changés : " + " ; ".join(changed[:8]) + ".")
    return notes


def same_study(a: Project, b: Project) -> bool:
    """Whether two projects describe the same study (profile and parameters)."""
    return profile_dict(a.profile) == profile_dict(b.profile) and a.parameters == b.parameters
