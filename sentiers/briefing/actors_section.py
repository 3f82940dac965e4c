"""« Acteurs à rencontrer »: the fiche's section built from the actors list (:mod:`sentiers.actors`).

Decision (issue 14): building a fiche **fetches** the list when the cache has no answer younger than 30 days,
within :data:`sentiers.actors.fetch.FICHE_DEADLINE_S` seconds (the client's deadline: a fiche never hangs), and
otherwise reads the cache; when the API cannot be reached, the cache is used whatever its age and the section
says so with the list's date; with neither, the section says the list needs a connection and the rest of the
fiche is unchanged. ``actors="cache"`` builds it from the cache alone (no network: what a fiche made offline
does, and it says so); ``actors="off"`` leaves the section out.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

from sentiers import fr
from sentiers.actors.activities import COMPLEMENT, RELATIONS, SAME, defi_title
from sentiers.actors.families import ESS_FAMILIES, FAMILIES, family_count
from sentiers.actors.fetch import FICHE_DEADLINE_S, fetch_actors
from sentiers.actors.model import Actor, ActorList
from sentiers.briefing.model import ActorGroup, ActorItem, ActorsSection, SourceRow
from sentiers.errors import SentiersError

if TYPE_CHECKING:
    from sentiers.base.store import Base
    from sentiers.briefing.territory import Territory

log = logging.getLogger(__name__)

ActorsMode = Literal["fetch", "cache", "off"]
TOP_PER_FAMILY = 3
TOP_RELATED = 5
API_PUBLISHER = "DINUM (Annuaire des entreprises), d'après Sirene (Insee) et le RNE (INPI)"


def _profile_value(profile: Any, key: str) -> str | None:
    if profile is None:
        return None
    value = profile.get(key) if isinstance(profile, dict) else getattr(profile, key, None)
    return str(value) if value else None


def item(actor: Actor) -> ActorItem:
    return ActorItem(
        name=actor.name if not actor.acronym else f"{actor.name} ({actor.acronym})",
        family=FAMILIES.get(actor.family, actor.family),
        family_key=actor.family,
        detail=actor.family_detail,
        activity=actor.activity,
        size=actor.size,
        commune=actor.commune.title() if actor.commune.isupper() else actor.commune,
        address=actor.address,
        distance_text=fr.number(actor.distance_km, 1, "km") if actor.distance_km is not None else "",
        relation=RELATIONS.get(actor.relation, ""),
    )


def section_from_list(result: ActorList, mode: ActorsMode = "fetch") -> ActorsSection:
    """The section of an actors list (top actors per family, counts, date, relations)."""
    counts = result.counts_by_family()
    section = ActorsSection(
        available=result.available,
        status=result.status,
        total=len(result.actors),
        date_text=fr.date(result.retrieved_at) if result.retrieved_at else "",
        note=result.message,
        by_family=[(family_count(f, counts.get(f, 0)), counts.get(f, 0)) for f in ESS_FAMILIES],
        by_defi=sorted(
            ((defi_title(k), v) for k, v in result.counts_by_defi().items()), key=lambda kv: (-kv[1], kv[0])
        ),
        source=result.source,
    )
    if mode == "cache" and result.available:
        section.mode_note = (
            f"Fiche préparée sans connexion, à partir de la liste enregistrée le {section.date_text}."
        )
    for family in ESS_FAMILIES:
        members = [a for a in result.actors if a.family == family]
        if members:
            section.groups.append(
                ActorGroup(
                    family=family,
                    label=FAMILIES[family],
                    count=len(members),
                    actors=[item(a) for a in members[:TOP_PER_FAMILY]],
                )
            )
    by_distance = sorted(result.actors, key=lambda a: a.distance_km if a.distance_km is not None else 1e9)
    section.same = [item(a) for a in by_distance if a.relation == SAME][:TOP_RELATED]
    section.complements = [item(a) for a in by_distance if a.relation == COMPLEMENT][:TOP_RELATED]
    return section


def actors_section(
    base: Base, territory: Territory, profile: Any = None, mode: ActorsMode = "fetch"
) -> ActorsSection | None:
    """The section for a resolved territory; None when ``mode="off"``. Never raises for the API's sake."""
    if mode == "off":
        return None
    try:
        result = fetch_actors(
            base,
            territory.code,
            territory.level,
            mode="cache" if mode == "cache" else "fetch",
            activity=_profile_value(profile, "activity"),
            defi=_profile_value(profile, "defi"),
            deadline_s=FICHE_DEADLINE_S,
        )
    except SentiersError as exc:
        return ActorsSection(available=False, status="unavailable", note=str(exc))
    except Exception as exc:  # the list must never lose the fiche
        log.warning("actors section failed: %s", exc, exc_info=True)
        return ActorsSection(
            available=False,
            status="unavailable",
            note=f"La liste des acteurs n'a pas pu être établie ({type(exc).__name__}).",
        )
    return section_from_list(result, mode)


def actors_source(section: ActorsSection | None) -> SourceRow | None:
    if section is None or not section.available:
        return None
    return SourceRow(
        title="Acteurs de l'ESS et structures d'insertion — API « Recherche d'entreprises »",
        publisher=API_PUBLISHER,
        vintage=f"liste du {section.date_text}" if section.date_text else "",
        licence="Licence Ouverte 2.0",
        url="https://recherche-entreprises.api.gouv.fr",
    )
