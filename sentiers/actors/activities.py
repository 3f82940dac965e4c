"""Activities and cooperation: the documented NAF -> défi table, the complementary activities of each défi, and
the relation of an actor to a structure.

**NAF -> défi.** Each prefix of a NAF code (division « 88 », group « 88.9 », class « 88.99 » or sub-class
« 88.99B ») names the défi of the programme an actor of that activity mostly serves; the longest prefix wins.
It is a first reading for a coach, not a classification of the organisation: an association coded 94.99Z
(« autres organisations fonctionnant par adhésion volontaire ») may be a cultural, social or environmental
one. Codes matching no prefix are « Autres activités ».

**Cooperation.** With the structure's activity (a NAF code, :mod:`sentiers.base.naf`) and its défi:

- an actor of the **same activity** — the same NAF group (the first three digits, « 88.9 ») — is
  « à consulter : concurrent ou partenaire »: it already serves these people, it may compete or share;
- an actor whose activity is **complementary** to the défi (table :data:`COMPLEMENTS`, NAF prefixes) is a
  « coopération possible »: it brings a public, a place, a supply or a skill the structure needs;
- the places that complete the list (France services, Fabriques, Manufactures, the Kiif incubator) are
  « coopération possible » for every défi.

Défi slugs are plain strings here (the six of :mod:`sentiers.base.defis`).
"""

from __future__ import annotations

from sentiers.base.defis import DEFIS
from sentiers.base.naf import naf_label, normalise_naf

OTHER = "autres"
OTHER_TITLE = "Autres activités"

# NAF prefix -> défi (longest prefix wins)
NAF_DEFI: dict[str, str] = {
    # Emploi et économie locale: jobs, training, insertion through work, local production and trade
    "78": "emploi-economie-locale",  # activités liées à l'emploi (intérim d'insertion, mise à disposition)
    "85.59": "emploi-economie-locale",  # formation continue d'adultes, autres enseignements
    "88.10C": "emploi-economie-locale",  # aide par le travail (ESAT)
    "70": "emploi-economie-locale",  # conseil de gestion
    "82": "emploi-economie-locale",  # soutien aux entreprises
    "94.1": "emploi-economie-locale",  # organisations patronales, consulaires et professionnelles
    **dict.fromkeys([f"{d:02d}" for d in range(10, 33)], "emploi-economie-locale"),  # industrie
    "41": "emploi-economie-locale",
    "42": "emploi-economie-locale",
    "43": "emploi-economie-locale",  # bâtiment
    "46": "emploi-economie-locale",  # commerce de gros
    "49.4": "emploi-economie-locale",  # transport de marchandises
    "55": "emploi-economie-locale",  # hébergement touristique
    "62": "emploi-economie-locale",
    "63": "emploi-economie-locale",
    "64": "emploi-economie-locale",
    "65": "emploi-economie-locale",
    "66": "emploi-economie-locale",  # finance solidaire, banques coopératives
    "69": "emploi-economie-locale",
    "71": "emploi-economie-locale",
    "72": "emploi-economie-locale",
    "73": "emploi-economie-locale",
    "74": "emploi-economie-locale",
    "79": "emploi-economie-locale",
    "80": "emploi-economie-locale",
    "81.1": "emploi-economie-locale",
    "81.2": "emploi-economie-locale",  # nettoyage
    # Service de proximité: what inhabitants need day to day
    "45": "service-de-proximite",
    "47": "service-de-proximite",  # commerce de détail, épiceries
    "49.3": "service-de-proximite",  # transport de voyageurs
    "53": "service-de-proximite",
    "56": "service-de-proximite",  # restauration, cafés
    "61": "service-de-proximite",
    "77": "service-de-proximite",
    "84": "service-de-proximite",  # services publics
    "85.1": "service-de-proximite",
    "85.2": "service-de-proximite",
    "85.3": "service-de-proximite",
    "85.4": "service-de-proximite",
    "85.6": "service-de-proximite",
    "86": "service-de-proximite",  # santé
    "87.1": "service-de-proximite",  # hébergement médicalisé
    "87.3": "service-de-proximite",  # hébergement des personnes âgées ou handicapées
    "88.10A": "service-de-proximite",  # aide à domicile
    "88.91A": "service-de-proximite",  # accueil de jeunes enfants
    "96": "service-de-proximite",  # services personnels
    # Transition écologique et solidaire
    "01": "transition-ecologique-solidaire",
    "02": "transition-ecologique-solidaire",
    "03": "transition-ecologique-solidaire",
    "33": "transition-ecologique-solidaire",  # réparation de machines
    "35": "transition-ecologique-solidaire",  # énergie
    "36": "transition-ecologique-solidaire",
    "37": "transition-ecologique-solidaire",
    "38": "transition-ecologique-solidaire",  # déchets, recyclage
    "39": "transition-ecologique-solidaire",
    "47.79Z": "transition-ecologique-solidaire",  # biens d'occasion (recycleries, ressourceries)
    "81.3": "transition-ecologique-solidaire",  # aménagement paysager
    "95": "transition-ecologique-solidaire",  # réparation de biens
    # Solidarité et cohésion sociale
    "68": "solidarite-cohesion-sociale",  # logement
    "87.2": "solidarite-cohesion-sociale",
    "87.9": "solidarite-cohesion-sociale",  # hébergement social
    "88": "solidarite-cohesion-sociale",  # action sociale sans hébergement
    # Mobilisation collective
    "94": "mobilisation-collective",  # organisations associatives, syndicats
    # Engagement citoyen: culture, sport, leisure, media — where inhabitants take part
    "58": "engagement-citoyen",
    "59": "engagement-citoyen",
    "60": "engagement-citoyen",
    "85.5": "engagement-citoyen",  # enseignement sportif et culturel (85.59 excepted above)
    "90": "engagement-citoyen",
    "91": "engagement-citoyen",
    "93": "engagement-citoyen",
}

# défi of the structure -> NAF prefixes of the activities that complement it (« coopérations possibles »)
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    # employment: employers, training, insertion, social support bringing the people, public services
    "emploi-economie-locale": ("78", "85.59", "88.10C", "88.99B", "70.22", "82", "84", "94.1", "64"),
    # a local service: local producers and food, home help, social support, transport, public services
    "service-de-proximite": ("01", "10", "47.11", "49.3", "56", "84", "86", "88.10A", "88.99B", "94.99"),
    # ecological transition: waste, second hand, repair, energy, farming, landscape, insertion and training
    "transition-ecologique-solidaire": (
        "01",
        "33",
        "35",
        "38",
        "39",
        "47.79",
        "78",
        "81.3",
        "85.59",
        "94.99",
        "95",
    ),
    # solidarity: social action and housing, health, food aid and local shops, training, insertion
    "solidarite-cohesion-sociale": ("47.11", "56", "68", "78", "85.59", "86", "87", "88", "94.99"),
    # collective mobilisation: associations, culture, sport, public bodies, social action
    "mobilisation-collective": ("84", "85.5", "88.99", "90", "91", "93", "94"),
    # citizen engagement: associations, culture, sport, media, public bodies, youth
    "engagement-citoyen": ("58", "59", "84", "85.5", "88.99", "90", "91", "93", "94"),
}

SAME = "same"
COMPLEMENT = "complement"
RELATIONS: dict[str, str] = {
    SAME: "À consulter : concurrent ou partenaire",
    COMPLEMENT: "Coopération possible",
    "": "",
}


def _matches(code: str, prefix: str) -> bool:
    return code.startswith(prefix)


def defi_of(naf: str | None) -> str:
    """The défi slug of a NAF code (longest prefix of :data:`NAF_DEFI`), :data:`OTHER` when none."""
    code = normalise_naf(naf) if naf else None
    if not code:
        return OTHER
    best = ""
    for prefix in NAF_DEFI:
        if len(prefix) > len(best) and _matches(code, prefix):
            best = prefix
    return NAF_DEFI[best] if best else OTHER


def defi_title(slug: str) -> str:
    return DEFIS.get(slug, OTHER_TITLE)


def naf_group(code: str | None) -> str:
    """« 88.99B » -> « 88.9 »."""
    return code[:4] if code else ""


def relation(actor_naf: str | None, activity: str | None, defi: str | None) -> str:
    """:data:`SAME`, :data:`COMPLEMENT` or "" for an actor of ``actor_naf`` and a structure of ``activity`` (NAF)
    and ``defi`` (its défi; the activity's défi when not given)."""
    code = normalise_naf(actor_naf) if actor_naf else None
    if not code:
        return ""
    own = normalise_naf(activity) if activity else None
    if own and naf_group(own) == naf_group(code):
        return SAME
    chosen = defi if defi in COMPLEMENTS else (defi_of(own) if own else "")
    if chosen in COMPLEMENTS and any(_matches(code, p) for p in COMPLEMENTS[chosen]):
        return COMPLEMENT
    return ""


def defi_table() -> list[dict[str, str]]:
    """The NAF -> défi table as a coach reads it: one row per prefix (longest first wins), with what it covers,
    then the complementary activities of each défi (the page offers it as a CSV)."""
    from sentiers.base.naf import DIVISIONS, SUBCLASSES

    def covers(prefix: str) -> str:
        if prefix in SUBCLASSES:
            return SUBCLASSES[prefix]
        division = DIVISIONS.get(prefix[:2])
        label = division[1] if division else ""
        return label if len(prefix) == 2 else f"{label} (partie : {prefix})" if label else prefix

    rows = [
        {
            "Lecture": "défi servi",
            "Code NAF (préfixe)": prefix,
            "Activités": covers(prefix),
            "Défi": defi_title(slug),
        }
        for prefix, slug in sorted(NAF_DEFI.items())
    ]
    rows += [
        {
            "Lecture": "activité complémentaire",
            "Code NAF (préfixe)": prefix,
            "Activités": covers(prefix),
            "Défi": defi_title(slug),
        }
        for slug, prefixes in COMPLEMENTS.items()
        for prefix in prefixes
    ]
    return rows


def activity_text(naf: str | None) -> str:
    return naf_label(naf)
