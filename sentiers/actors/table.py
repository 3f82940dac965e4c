"""The actors list as tables: one row per actor (page, CSV/XLSX exports through :mod:`sentiers.exports`, JSON),
and the counts by family and by défi."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sentiers import exports, fr
from sentiers.actors import activities, families
from sentiers.actors.model import Actor, ActorList

COLUMNS = {
    "name": "Nom",
    "family": "Famille",
    "family_detail": "Type ou forme",
    "activity": "Activité (NAF)",
    "commune": "Commune",
    "distance_km": "Distance (km)",
    "size": "Effectif",
    "created_year": "Création",
    "relation": "Pour votre structure",
    "defi": "Défi",
    "naf": "Code NAF",
    "acronym": "Sigle",
    "siren": "SIREN",
    "address": "Adresse",
    "commune_code": "Code commune",
    "lat": "Latitude",
    "lon": "Longitude",
    "source": "Source",
}


def rows(actors: list[Actor]) -> list[dict[str, Any]]:
    out = []
    for actor in actors:
        row = actor.model_dump()
        row["family"] = families.FAMILIES.get(actor.family, actor.family)
        row["defi"] = activities.defi_title(actor.defi) if actor.naf else ""
        row["relation"] = activities.RELATIONS.get(actor.relation, "")
        out.append({label: row[key] for key, label in COLUMNS.items()})
    return out


def actors_frame(
    result: ActorList, with_places: bool = True, family: list[str] | None = None
) -> pd.DataFrame:
    """One row per actor (and per place when asked), French column names; ``family`` keeps only those."""
    chosen = list(result.actors) + (list(result.places) if with_places else [])
    if family:
        chosen = [a for a in chosen if a.family in family]
    frame = pd.DataFrame(rows(chosen), columns=list(COLUMNS.values()))
    frame["Création"] = pd.array(frame["Création"], dtype="Int64")
    return frame


def family_counts(result: ActorList) -> pd.DataFrame:
    counts = result.counts_by_family()
    data = [(families.FAMILIES[f], counts.get(f, 0)) for f in families.ESS_FAMILIES]
    return pd.DataFrame(data, columns=["Famille", "Acteurs"])


def defi_counts(result: ActorList) -> pd.DataFrame:
    counts = result.counts_by_defi()
    keys = [*activities.DEFIS, activities.OTHER]
    return pd.DataFrame(
        [(activities.defi_title(k), counts.get(k, 0)) for k in keys], columns=["Défi", "Acteurs"]
    )


def title_lines(result: ActorList) -> list[str]:
    """What an export says above its table: territory, date, source and licence, status note."""
    lines = [
        f"Acteurs du territoire — {result.area.label} ({result.area.code})",
        f"Source : {result.source}"
        + (f" ; liste du {fr.date(result.retrieved_at)}" if result.retrieved_at else ""),
    ]
    if result.message:
        lines.append(result.message)
    return lines


def to_csv_bytes(result: ActorList, family: list[str] | None = None) -> bytes:
    return exports.to_csv_bytes(actors_frame(result, family=family), decimals={"Distance (km)": 1})


def to_xlsx_bytes(result: ActorList, family: list[str] | None = None) -> bytes:
    frame = actors_frame(result, family=family)
    return exports.to_xlsx_bytes(
        [
            exports.Sheet(
                "Acteurs",
                frame,
                decimals={"Distance (km)": 1, "Latitude": 5, "Longitude": 5},
                widths={"Nom": 40, "Activité (NAF)": 40, "Adresse": 40, "Famille": 26, "Type ou forme": 30},
                title_rows=title_lines(result),
            ),
            exports.Sheet("Par famille", family_counts(result)),
            exports.Sheet("Par défi", defi_counts(result)),
        ]
    )


def to_json(result: ActorList, family: list[str] | None = None) -> dict[str, Any]:
    """Plain data for ``--json``: the area, status, date, source, counts and every actor."""
    chosen = [a for a in [*result.actors, *result.places] if not family or a.family in family]
    return {
        "territoire": {
            "code": result.area.code,
            "niveau": result.area.level,
            "nom": result.area.name,
            "rayon_km": result.area.radius_km,
        },
        "etat": result.status,
        "date_liste": result.retrieved_at,
        "message": result.message,
        "source": result.source,
        "tronquee": result.truncated,
        "par_famille": result.counts_by_family(),
        "par_defi": result.counts_by_defi(),
        "acteurs": [a.model_dump() for a in chosen],
    }
