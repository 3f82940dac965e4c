"""Questions to bring to the visit, generated from the briefing's data and organised by the programme's local
steps (Les Sentiers, accompagnement sur-mesure local): comprendre le territoire, entrer en contact avec les
acteurs, identifier les coopérations à initier.
"""

from __future__ import annotations

from sentiers import fr
from sentiers.actors.families import FAMILY_SINGULARS
from sentiers.base.sources import LOAD_FROM
from sentiers.briefing.model import (
    ActorsSection,
    Fact,
    Header,
    Incubator,
    IndicatorRow,
    QuestionGroup,
    Resource,
    ScoreSection,
    ServiceRow,
    Verdict,
)
from sentiers.briefing.texts import SERVICE_QUESTIONS, STEPS
from sentiers.fr import of_name


def visit_questions(
    level: str,
    header: Header,
    verdict: Verdict,
    indicators: list[IndicatorRow],
    services: list[ServiceRow],
    zonings: list[Fact],
    resources: list[Resource],
    incubator: Incubator,
    score: ScoreSection | None,
    actors: ActorsSection | None = None,
) -> list[QuestionGroup]:
    where = "dans la commune" if level == "commune" else "dans l'intercommunalité"
    by_key = {row.key: row for row in indicators}
    understand: list[str] = []
    if verdict.status == "inconnu":
        understand.append(
            "La grille de densité n'est pas chargée : le territoire compte-t-il comme rural pour le programme ?"
        )
    elif verdict.mixed:
        understand.append(
            "Le territoire mêle communes rurales et urbaines : où se situent les besoins auxquels vous répondez ?"
        )

    def compare(key: str, higher: str, lower: str, margin: float) -> None:
        row = by_key.get(key)
        if row is None or row.value is None or row.departement is None:
            return
        if row.value > row.departement + margin:
            understand.append(higher.format(v=row.value_text, d=row.departement_text))
        elif row.value < row.departement - margin:
            understand.append(lower.format(v=row.value_text, d=row.departement_text))

    change = by_key.get("pop_change_pct")
    if change is not None and change.value is not None:
        if change.value < -0.2:
            understand.append(
                f"La population baisse ({change.value_text}) : qui part, qui reste, et quels besoins cela crée-t-il ?"
            )
        elif change.value > 0.5:
            understand.append(
                f"La population augmente ({change.value_text}) : les services suivent-ils l'arrivée des nouveaux habitants ?"
            )
    compare(
        "share_65_plus",
        "Les 65 ans ou plus pèsent {v} (département : {d}) : quels services pour bien vieillir existent déjà ?",
        "La population est plus jeune que dans le département ({v} de 65 ans ou plus, contre {d}) : quelles attentes des familles ?",
        3,
    )
    compare(
        "poverty_rate",
        "Le taux de pauvreté ({v}) dépasse celui du département ({d}) : quels acteurs accompagnent les ménages modestes ?",
        "Le taux de pauvreté ({v}) est inférieur à celui du département ({d}) : la précarité est-elle cachée (isolement, mobilité) ?",
        2,
    )
    compare(
        "unemployment_rate",
        "Le chômage ({v}) dépasse celui du département ({d}) : quelles structures d'insertion sont présentes ?",
        "Le chômage ({v}) est plus bas que dans le département ({d}) : les employeurs peinent-ils à recruter ?",
        2,
    )
    compare(
        "secondary_homes_share",
        "Les résidences secondaires pèsent {v} des logements (département : {d}) : comment l'activité varie-t-elle selon les saisons ?",
        "",
        10,
    )
    compare(
        "vacancy_share",
        "La vacance des logements ({v}) dépasse celle du département ({d}) : des locaux vides pourraient-ils accueillir votre activité ?",
        "",
        2,
    )
    understand = [q for q in understand if q]
    understand += service_questions(level, where, services)
    missing_ind = [row.label.lower() for row in indicators if row.missing and "pas chargée" in row.note]
    if missing_ind:
        understand.append(
            "Indicateurs absents de la base ("
            + ", ".join(missing_ind[:4])
            + ("…" if len(missing_ind) > 4 else "")
            + f") : à demander aux acteurs locaux (la source se charge {LOAD_FROM})."
        )
    if not understand:
        understand.append(
            "Quels besoins des habitants restent sans réponse aujourd'hui, selon les élus et les associations ?"
        )

    contact: list[str] = []
    if level == "commune":
        contact.append(
            f"Rencontrer la mairie {of_name(header.name)} : quels projets portés par l'équipe municipale ?"
        )
        if header.epci_code:
            contact.append(
                f"Prendre contact avec l'intercommunalité ({header.epci}) : quelles compétences exerce-t-elle sur votre sujet ?"
            )
    else:
        contact.append(
            f"Rencontrer les services {of_name(header.name)} : quelles compétences, quels projets de territoire ?"
        )
    zon = {f.label: f for f in zonings}
    pvd = zon.get("Petites villes de demain")
    if pvd and not pvd.missing and pvd.value != "non" and not pvd.value.startswith("0 commune"):
        contact.append(
            "Le territoire est lauréat de Petites villes de demain : solliciter le ou la cheffe de projet de revitalisation."
        )
    va = zon.get("Villages d'avenir")
    if va and not va.missing and va.value not in ("non",) and not va.value.startswith("0 "):
        contact.append("Village d'avenir : rencontrer le chef de projet Villages d'avenir de la préfecture.")
    contact += _actor_contacts(actors)
    fs = [r for r in resources if r.kind == "France services"]
    if fs:
        contact.append(
            f"Rencontrer la France services « {fs[0].label} » ({fs[0].distance_text}) : quelles demandes des habitants restent sans réponse ?"
        )
    if incubator.available:
        status = "" if incubator.verified else " (membre à confirmer)"
        contact.append(
            f"Préparer la visite avec l'incubateur du Kiif : {incubator.name}{status} — qui faut-il rencontrer en priorité ?"
        )
    else:
        contact.append(
            "Aucun incubateur du Kiif identifié pour ce département : qui peut ouvrir les portes du territoire ?"
        )

    coop: list[str] = []
    fab = [r for r in resources if r.kind == "Fabrique de territoire"]
    if fab:
        coop.append(
            f"La Fabrique de territoire « {fab[0].label} » ({fab[0].distance_text}) : partager un lieu, une animation, un public ?"
        )
    manu = [r for r in resources if r.kind == "Manufacture de proximité"]
    if manu:
        coop.append(
            f"La Manufacture de proximité « {manu[0].label} » ({manu[0].distance_text}) : des coopérations de production ou d'emploi ?"
        )
    frr = zon.get("France Ruralités Revitalisation (FRR)")
    if frr and not frr.missing and "FRR" in frr.value:
        coop.append(
            "Le classement FRR ouvre des exonérations : votre structure peut-elle en bénéficier en s'implantant ici ?"
        )
    absent = [s.label.lower() for s in services if s.present is False]
    if absent:
        coop.append(
            "Des services manquent ("
            + ", ".join(absent[:3])
            + ") : avec quels acteurs (commune, associations, "
            "entreprises) construire une réponse commune ?"
        )
    if score is not None and score.available and score.contributions:
        weakest = min(score.contributions, key=lambda c: c.points)
        coop.append(
            f"Le critère le moins favorable du profil « {score.profile_name} » est « {weakest.label} » : quel partenaire peut compenser ce point ?"
        )
    coop += _actor_cooperations(actors)
    return [
        QuestionGroup(step=STEPS[0], questions=understand),
        QuestionGroup(step=STEPS[1], questions=contact),
        QuestionGroup(step=STEPS[2], questions=coop),
    ]


GENERIC_ESS_QUESTION = (
    "Quelles structures de l'ESS agissent déjà ici, et comment votre solution complète-t-elle leur action ?"
)


def _names(items, limit: int = 2) -> str:
    """« « A », structure d'insertion, et « B », coopérative »."""
    named = [f"« {a.name} », {FAMILY_SINGULARS.get(a.family_key, a.family)}" for a in items[:limit]]
    return ", et ".join(named)


def _actor_contacts(actors: ActorsSection | None) -> list[str]:
    """Whom to meet first, from the actors list (« Entrer en contact avec les acteurs du territoire »)."""
    if actors is None or not actors.available or not actors.total:
        return []
    firsts = [group.actors[0] for group in actors.groups if group.actors]
    out = [
        f"Rencontrer des acteurs de l'ESS déjà présents ({actors.total} dans la liste du {actors.date_text}) : "
        f"par exemple {_names(firsts)}."
    ]
    siae = next((g for g in actors.groups if g.family == "siae"), None)
    if siae is not None and siae.actors:
        first = siae.actors[0]
        out.append(
            f"La structure d'insertion « {first.name} » ({first.detail}) : quels publics accompagne-t-elle, "
            "quelles activités pourraient lui être confiées ?"
        )
    return out


def _actor_cooperations(actors: ActorsSection | None) -> list[str]:
    """Cooperations to initiate, from the actors list and the profile's activity."""
    if actors is None:
        return [GENERIC_ESS_QUESTION]
    if not actors.available:
        return [
            "La liste des acteurs de l'ESS n'a pas pu être consultée (connexion nécessaire) : "
            "quelles structures de l'ESS agissent déjà ici, et comment votre solution complète-t-elle leur action ?"
        ]
    if not actors.total:
        return [
            f"Aucun acteur employeur de l'ESS ni structure d'insertion dans la liste du {actors.date_text} : "
            "qui porte les initiatives locales (bénévoles, collectifs, commune) ?"
        ]
    out = []
    if actors.same:
        first = actors.same[0]
        out.append(
            f"« {first.name} » exerce une activité proche de la vôtre ({first.activity.lower()}) : concurrent ou "
            "partenaire ? Comment se répartir les publics et les lieux ?"
        )
    if actors.complements:
        out.append(
            f"Coopérations possibles avec {_names(actors.complements)} : quelle offre construire ensemble ?"
        )
    if not out:
        out.append(
            f"{actors.total} acteurs de l'ESS agissent ici (liste du {actors.date_text}) : "
            "comment votre solution complète-t-elle leur action ?"
        )
    return out


def _first(items: list[str], count: int) -> str:
    """« a, b, c et 2 autres »: the first items of a list, the rest counted (never « …. »)."""
    more = len(items) - count
    return ", ".join(items[:count]) + (f" et {fr.plural(more, 'autre')}" if more > 0 else "")


def _nearest_words(key: str) -> str:
    """« le plus proche » or « la plus proche » for the service ``key`` (« Aucune pharmacie … (la plus proche : …) »)."""
    from sentiers.base.catalogue import ACCESS_FAMILIES_BY_KEY

    spec = ACCESS_FAMILIES_BY_KEY.get(key)
    return spec.nearest_words if spec is not None else "le plus proche"


def summary_facts(
    header: Header,
    verdict: Verdict,
    services: list[ServiceRow],
    zonings: list[Fact],
    resources: list[Resource],
    incubator: Incubator,
    score: ScoreSection | None,
    actors: ActorsSection | None = None,
) -> list[str]:
    """Four to six one-line facts for the top of the briefing (« En bref »)."""
    facts = [f"{verdict.headline}.", f"{header.population} ({header.population_note.split(' — ')[0]})."]
    programmes = []
    for fact in zonings:
        if fact.missing:
            continue
        if fact.label.startswith("France Ruralités") and fact.value not in ("Non classée", ""):
            value = fact.value if ":" not in fact.value else f"FRR ({fact.value})"
            programmes.append(value if len(value) <= 70 else "FRR (détail plus bas)")
        elif (
            fact.label in ("Petites villes de demain", "Villages d'avenir", "Action cœur de ville")
            and fact.value != "non"
            and not fact.value.startswith("0 ")
        ):
            programmes.append(fact.label)
    if programmes:
        facts.append("Zonages et programmes : " + ", ".join(programmes) + ".")
    keys = {s.key for s in services}
    absent = [
        s.label.split(" (")[0].lower()
        + (f" ({_nearest_words(s.key)} : {s.nearest_text})" if s.lacking and s.nearest_km else "")
        for s in services
        if s.present is False and not (s.key in FOOD_PARTS and "alimentation" in keys)
    ]
    if header.level == "epci":
        # true of the EPCI: services most of its inhabitants have in their own commune, or not
        rare = [
            f"{s.label.lower()} ({fr.number(s.population_share, 0, '%')} des habitants)"
            for s in services
            if s.present and s.population_share is not None and s.population_share < 50
        ]
        if absent:
            facts.append(f"Absents de toutes les communes : {_first(absent, 5)}.")
        if rare:
            facts.append(f"Présents dans la commune de moins de la moitié des habitants : {_first(rare, 4)}.")
    elif absent:
        facts.append(f"Services absents : {_first(absent, 5)}.")
    elif any(s.present for s in services):
        loaded = sum(1 for s in services if s.present is not None)
        facts.append(f"Les {loaded} services du quotidien suivis sont présents dans la commune.")
    kinds = {r.kind for r in resources}
    if kinds:
        facts.append("À proximité : " + ", ".join(sorted(kinds)) + ".")
    if incubator.available:
        facts.append(
            f"Incubateur du Kiif : {incubator.name}" + ("" if incubator.verified else " (à confirmer)") + "."
        )
    if actors is not None and actors.available:
        parts = [label for label, count in actors.by_family if count]
        facts.append(
            f"Acteurs de l'ESS et de l'insertion : {actors.total}"
            + (f" ({', '.join(parts[:4])})" if parts else "")
            + f", liste du {actors.date_text}."
        )
    if score is not None and score.available and score.score is not None:
        facts.append(f"Profil « {score.profile_name} » : rang {score.rank} sur {score.candidates}.")
    return facts


FOOD_PARTS = ("epicerie", "superette", "supermarche")  # asked about through « alimentation » when it is there


def service_questions(level: str, where: str, services: list[ServiceRow]) -> list[str]:
    """One question per service that is really lacking: absent from a commune and farther than its lack distance
    (or with no distance known), absent from every commune of an EPCI, or far for a tenth of its inhabitants."""
    from sentiers.base.catalogue import ACCESS_FAMILIES_BY_KEY as lack_of
    from sentiers.base.catalogue import from_phrase

    keys = {svc.key for svc in services}
    out: list[str] = []
    for svc in services:
        if svc.key in FOOD_PARTS and "alimentation" in keys:
            continue
        template = SERVICE_QUESTIONS.get(svc.key)
        if template is None:
            continue
        if svc.present is False and (level != "commune" or svc.nearest_km is None or svc.lacking):
            near = (
                f" ({_nearest_words(svc.key)} : {svc.nearest_text})"
                if level == "commune" and svc.nearest_km
                else ""
            )
            question = template.format(where=where + near)
            out.append(question[0].upper() + question[1:])
        elif level != "commune" and svc.far_share is not None and svc.far_share >= 10 and svc.key in lack_of:
            spec = lack_of[svc.key]
            out.append(
                f"{fr.number(svc.far_share, 0, '%')} des habitants vivent à plus de "
                f"{fr.number(spec.lack_km, 0, 'km')} {from_phrase(spec.nearest_label)} : comment y accèdent-ils ?"
            )
    return out
