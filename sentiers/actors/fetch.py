"""The actors of a territory: queries to the API (or the cache), families, distances, relations, places.

Three queries per location filter (a commune, an EPCI, or chunks of the communes within a radius), all on active
units (``etat_administratif=A``):

1. ESS units that employ people (``est_ess`` and an employer's head-count bracket): associations, cooperatives,
   mutuals, foundations and commercial companies of the ESS that have staff;
2. ESS cooperatives, mutuals and foundations of any size (``nature_juridique`` among theirs): a CUMA or a small
   SCIC without staff is still an actor to meet;
3. structures d'insertion (``est_siae``), with their type.

The API's ``/near_point`` (a radius of up to 50 km) takes no ESS, SIAE or legal-nature filter: a radius would bring
every company around the point. A radius is therefore asked as the communes it covers (``code_commune``, by
chunks of :data:`CHUNK`), and actors are kept by the distance of their establishment.

Modes: ``fetch`` (the default) uses an answer of the cache younger than :data:`~sentiers.actors.cache.MAX_AGE_DAYS`
and asks the API otherwise; ``refresh`` (« Actualiser ») always asks the API; ``cache`` never calls it. When
the API cannot be reached, the cache is used whatever its age and the list says so with its date; with neither,
the list is « unavailable » with a French message — never an exception, never a hang (the client's deadline).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentiers import fr
from sentiers.actors import activities, families
from sentiers.actors.area import commune_of_register, query_codes, resolve_area
from sentiers.actors.cache import ActorsCache, CachedAnswer, now_iso
from sentiers.actors.client import MAX_PAGES, PER_PAGE, SOURCE_NAME, ApiAnswerError, ApiClient, ApiUnavailable
from sentiers.actors.model import Actor, ActorList, Area, Level, Mode
from sentiers.actors.places import nearby_places
from sentiers.actors.records import sanitize
from sentiers.base.naf import activity_code
from sentiers.geometry import haversine_km

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
PATH = "search"
CHUNK = 80  # commune codes per query (URL well under 2,000 characters)
FICHE_DEADLINE_S = 20.0
PAGE_DEADLINE_S = 90.0

FILTERS: tuple[dict[str, str], ...] = (
    {"est_ess": "true", "tranche_effectif_salarie": ",".join(families.EMPLOYER_BRACKETS)},
    {"est_ess": "true", "nature_juridique": ",".join(families.NON_ASSOCIATION_NATURES)},
    {"est_siae": "true"},
)


def plan_queries(area: Area) -> list[dict[str, str]]:
    """The API queries of an area (parameters without paging; the client adds its fields and pages)."""
    if area.radius_km:
        codes = query_codes(area)
        locations = [{"code_commune": ",".join(codes[i : i + CHUNK])} for i in range(0, len(codes), CHUNK)]
    elif area.level == "epci":
        locations = [{"epci": area.code}]
    else:
        locations = [{"code_commune": ",".join(query_codes(area))}]
    return [{"etat_administratif": "A", **f, **loc} for loc in locations for f in FILTERS]


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) else None


def _local_establishment(
    record: dict[str, Any], area: Area, inside: set[str]
) -> tuple[dict[str, Any] | None, int]:
    """The establishment in the area (the first matching one, else the seat) and the count of matching ones."""
    matching = [e for e in record.get("matching_etablissements") or [] if isinstance(e, dict)]
    local = [e for e in matching if commune_of_register(str(e.get("commune") or "")) in inside]
    if area.level == "epci" and not area.radius_km:
        local = local or [e for e in matching if str(e.get("epci") or "") == area.code]
    seat = record.get("siege") if isinstance(record.get("siege"), dict) else None
    if local:
        return local[0], len(local)
    if seat is not None and commune_of_register(str(seat.get("commune") or "")) in inside:
        return seat, 1
    return (matching[0] if matching else seat), len(matching)


def build_actor(
    record: dict[str, Any],
    area: Area,
    inside: set[str],
    centres: dict[str, tuple[float, float]],
    activity: str | None,
    defi: str | None,
) -> Actor | None:
    """An Actor from a kept record, or None when it is not listed (family rules, outside the radius)."""
    place, count = _local_establishment(record, area, inside)
    found = families.classify(record, place)
    if found is None:
        return None
    family, detail = found
    place = place or {}
    commune_code = commune_of_register(str(place.get("commune") or ""))
    lat, lon = _float(place.get("latitude")), _float(place.get("longitude"))
    if (lat is None or lon is None) and commune_code in centres:
        lat, lon = centres[commune_code]
    distance = None
    if area.centre is not None and lat is not None and lon is not None:
        distance = round(float(haversine_km(lat, lon, area.centre[0], area.centre[1])), 2)
    own = commune_code in set(area.communes[: area.member_count])
    if area.radius_km and not own and (distance is None or distance > area.radius_km):
        return None
    naf = str(record.get("activite_principale") or place.get("activite_principale") or "")
    created = str(record.get("date_creation") or "")
    return Actor(
        family=family,
        family_detail=detail,
        name=str(record.get("nom_complet") or "(sans nom)")[:200],
        acronym=str(record.get("sigle") or "")[:60],
        siren=str(record.get("siren") or ""),
        naf=naf,
        activity=activities.activity_text(naf),
        defi=activities.defi_of(naf),
        size_code=str(record.get("tranche_effectif_salarie") or ""),
        size=families.bracket_label(record.get("tranche_effectif_salarie")),
        created_year=int(created[:4]) if created[:4].isdigit() else None,
        address=str(place.get("adresse") or "")[:300],
        commune_code=commune_code,
        commune=str(place.get("libelle_commune") or "")[:100],
        lat=lat,
        lon=lon,
        distance_km=distance,
        local_establishments=count,
        relation=activities.relation(naf, activity, defi),
        source=SOURCE_NAME,
    )


def _order(actor: Actor) -> tuple:
    family = families.ESS_FAMILIES.index(actor.family) if actor.family in families.ESS_FAMILIES else 9
    relation = {activities.SAME: 0, activities.COMPLEMENT: 1}.get(actor.relation, 2)
    distance = actor.distance_km if actor.distance_km is not None else 1e9
    return (family, relation, -families.bracket_rank(actor.size_code), distance, actor.name)


def _commune_centres(base: Base) -> dict[str, tuple[float, float]]:
    def make() -> dict[str, tuple[float, float]]:
        communes = base.communes
        lat = pd.to_numeric(communes["lat"], errors="coerce")
        lon = pd.to_numeric(communes["lon"], errors="coerce")
        ok = (lat.notna() & lon.notna()).to_numpy()
        codes = communes["code"].astype(str).to_numpy()[ok]
        return dict(
            zip(
                codes.tolist(),
                zip(lat.to_numpy()[ok].tolist(), lon.to_numpy()[ok].tolist(), strict=True),
                strict=True,
            )
        )

    return base.memo("actors_commune_centres", make)


def assemble(
    base: Base,
    area: Area,
    answers: list[CachedAnswer],
    activity: str | None = None,
    defi: str | None = None,
) -> list[Actor]:
    """Actors of the answers: deduplicated by SIREN, classified, located, related, ordered."""
    inside = set(area.communes)
    centres = _commune_centres(base)
    seen: set[str] = set()
    out: list[Actor] = []
    for answer in answers:
        for record in answer.results:
            siren = str(record.get("siren") or "")
            if not siren or siren in seen:
                continue
            actor = build_actor(record, area, inside, centres, activity, defi)
            if actor is not None:
                seen.add(siren)
                out.append(actor)
    out.sort(key=_order)
    return out


def fetch_actors(
    base: Base,
    query: str,
    level: Level = "commune",
    radius_km: float | int | str | None = 0,
    *,
    mode: Mode = "fetch",
    activity: str | None = None,
    defi: str | None = None,
    progress: Progress | None = None,
    client: ApiClient | None = None,
    cache: ActorsCache | None = None,
    deadline_s: float = PAGE_DEADLINE_S,
) -> ActorList:
    """The actors list of a territory (see the module's docstring); SentiersError only for a bad query."""
    report = progress or (lambda fraction, message: None)
    area = resolve_area(base, query, level, radius_km)
    activity = activity_code(activity) if activity else None
    queries = plan_queries(area)
    cache = cache if cache is not None else ActorsCache()
    answers: list[CachedAnswer] = []
    problem = ""
    fetched = missing = 0
    api: ApiClient | None = client
    for i, params in enumerate(queries):
        cached = cache.get(PATH, params)
        wanted = mode == "refresh" or (mode == "fetch" and (cached is None or not cached.fresh))
        if wanted and not problem:
            if api is None:
                api = ApiClient(deadline_s=deadline_s)
            report(i / len(queries), f"Interrogation de l'API « {SOURCE_NAME} » ({i + 1}/{len(queries)})")

            def on_page(page: int, pages: int, i: int = i) -> None:
                report(
                    (i + min(page / max(pages, 1), 1.0)) / len(queries), f"Page {page} sur {max(pages, 1)}"
                )

            try:
                raw = api.search_all(params, PATH, MAX_PAGES, on_page)
            except (ApiUnavailable, ApiAnswerError) as exc:
                problem = exc.reason
                log.info("actors fetch failed: %s", exc)
            else:
                kept = [r for r in (sanitize(x) for x in raw.results) if r is not None]
                answer = CachedAnswer(
                    PATH, dict(params), now_iso(), raw.total_results, raw.pages, raw.truncated, kept
                )
                cache.put(answer)
                answers.append(answer)
                fetched += 1
                continue
        if cached is not None:
            answers.append(cached)
        else:
            missing += 1
    report(0.95, "Classement des acteurs")
    result = ActorList(
        area=area,
        activity=activity or "",
        defi=defi or "",
        requests=api.requests_sent if api is not None else 0,
        places=nearby_places(base, area),
    )
    if answers:
        result.retrieved_at = min(a.retrieved_at for a in answers)
        result.actors = assemble(base, area, answers, activity, defi)
        result.truncated = any(a.truncated for a in answers)
    when = fr.date(result.retrieved_at) if result.retrieved_at else ""
    notes: list[str] = []
    if missing == len(queries):
        result.status = "unavailable"
        if mode == "cache":
            notes.append(
                "Aucune liste d'acteurs n'est enregistrée pour ce territoire : elle se récupère en ligne, depuis "
                "la page « Acteurs du territoire », auprès de l'API « Recherche d'entreprises »."
            )
        else:
            notes.append(
                "La liste des acteurs demande une connexion à l'API « Recherche d'entreprises » "
                "et aucune liste n'est enregistrée pour ce territoire"
                + (f" (l'API n'a pas pu être jointe : {problem.rstrip('.')})." if problem else ".")
            )
    elif fetched == len(queries):
        result.status = "online"
    elif problem:
        result.status = "offline"
        notes.append(
            f"Hors connexion (l'API « Recherche d'entreprises » n'a pas pu être jointe : {problem.rstrip('.')}) : "
            f"liste enregistrée le {when}."
        )
    else:
        result.status = "cache"
    if missing and answers:
        notes.append("Liste partielle : une partie des requêtes n'a ni réponse ni copie enregistrée.")
    if result.truncated:
        notes.append(
            f"Liste limitée aux {MAX_PAGES * PER_PAGE} premiers résultats de chaque requête : "
            "l'API en compte davantage (affinez avec un rayon plus petit ou une commune)."
        )
    result.message = " ".join(notes)
    report(1.0, "Liste prête")
    return result


def cache_stamp() -> str:
    """Changes whenever an answer is cached: key of documents built from the cache (fiche, comparison)."""
    return ActorsCache().stamp()


def list_date(actors: ActorList) -> str:
    """« liste du 12 mars 2026 » or ""."""
    return f"liste du {fr.date(actors.retrieved_at)}" if actors.retrieved_at else ""


__all__ = ["FICHE_DEADLINE_S", "fetch_actors", "plan_queries"]
