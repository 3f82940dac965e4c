"""What a briefing shows: key indicators, everyday services, zonings (labels, sources, plain sentences).

One entry per shown item, so adding an indicator or a service is one line here. Column names follow
data.schema; layer ids follow sentiers.base.sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sentiers.base.sources import summed_columns

Direction = Literal["higher", "lower", "neutral"]


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    label: str
    unit: str
    layer: str
    decimals: int
    # sense used to mark best/worst in a comparison when no profile says otherwise
    direction: Direction
    # "sum": summed over communes; "rate": recomputed from summed counts; "weighted": mean weighted by
    # ``weight`` (medians and published rates, an approximation said as such)
    kind: Literal["sum", "rate", "weighted", "density"] = "rate"
    weight: str = ""


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("population", "Population municipale", "hab.", "identity", 0, "neutral", "sum"),
    IndicatorSpec("density", "Densité de population", "hab./km²", "identity", 1, "neutral", "density"),
    IndicatorSpec(
        "pop_change_pct",
        "Évolution annuelle de la population 2013-2018",
        "%/an",
        "insee_comparateur",
        2,
        "higher",
    ),
    IndicatorSpec("share_65_plus", "Part des 65 ans ou plus", "%", "insee_pop_age", 1, "neutral"),
    IndicatorSpec("share_0_14", "Part des moins de 15 ans", "%", "insee_pop_age", 1, "neutral"),
    IndicatorSpec(
        "secondary_homes_share", "Part des résidences secondaires", "%", "insee_comparateur", 1, "neutral"
    ),
    IndicatorSpec("vacancy_share", "Part des logements vacants", "%", "insee_comparateur", 1, "lower"),
    IndicatorSpec(
        "unemployment_rate",
        "Taux de chômage des 15-64 ans (recensement)",
        "%",
        "insee_comparateur",
        1,
        "lower",
    ),
    IndicatorSpec("jobs_per_active", "Emplois par actif résidant", "", "insee_comparateur", 2, "higher"),
    IndicatorSpec(
        "business_density", "Établissements pour 1 000 habitants", "‰", "insee_comparateur", 1, "higher"
    ),
    IndicatorSpec(
        "median_income",
        "Revenu disponible médian par unité de consommation",
        "€",
        "insee_filosofi",
        0,
        "higher",
        "weighted",
        "fiscal_households",
    ),
    IndicatorSpec(
        "poverty_rate", "Taux de pauvreté", "%", "insee_filosofi", 1, "lower", "weighted", "fiscal_households"
    ),
    IndicatorSpec(
        "pensions_share",
        "Part des pensions et retraites dans le revenu disponible",
        "%",
        "insee_filosofi",
        1,
        "neutral",
        "weighted",
        "fiscal_households",
    ),
)
INDICATORS_BY_KEY = {spec.key: spec for spec in INDICATORS}

# Counts summed to build EPCI, département and France values (rates are recomputed from them).
SUM_COLUMNS = ("population", "area_km2", *summed_columns(), "france_services", "fabriques", "manufactures")


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    label: str
    columns: tuple[str, ...]
    layer: str
    # question for the visit when the service is absent ({where}: "dans la commune" / "dans l'EPCI")
    question: str


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "epicerie",
        "Épicerie",
        ("bpe_b202",),
        "insee_bpe_2020_commerce",
        "aucune épicerie {where} : qui assure l'approvisionnement aujourd'hui ?",
    ),
    ServiceSpec(
        "superette",
        "Supérette ou supermarché",
        ("bpe_b101", "bpe_b102", "bpe_b201"),
        "insee_bpe_2020_commerce",
        "aucune supérette ni grande surface {where} : où les habitants font-ils leurs courses, et comment s'y rendent-ils ?",
    ),
    ServiceSpec(
        "boulangerie",
        "Boulangerie",
        ("bpe_b203",),
        "insee_bpe_2020_commerce",
        "aucune boulangerie {where} : existe-t-il un dépôt de pain ou une tournée ?",
    ),
    ServiceSpec(
        "station_service",
        "Station-service",
        ("bpe_b316",),
        "insee_bpe_2020_commerce",
        "aucune station-service {where} : quelle distance faut-il parcourir pour faire le plein ?",
    ),
    ServiceSpec(
        "ecole",
        "École maternelle ou élémentaire",
        ("bpe_c101", "bpe_c102", "bpe_c104", "bpe_c105"),
        "insee_bpe_2020_ecoles",
        "aucune école {where} : où sont scolarisés les enfants, et avec quels transports ?",
    ),
    ServiceSpec(
        "medecin",
        "Médecin généraliste",
        ("bpe_d201",),
        "insee_bpe_2021_medical",
        "aucun médecin généraliste {where} : comment les habitants accèdent-ils aux soins de premier recours ?",
    ),
    ServiceSpec(
        "infirmier",
        "Infirmier ou infirmière",
        ("bpe_d232",),
        "insee_bpe_2021_medical",
        "aucun cabinet infirmier {where} : qui assure les soins à domicile ?",
    ),
    ServiceSpec(
        "pharmacie",
        "Pharmacie",
        ("bpe_d307",),
        "insee_bpe_2020_sante",
        "aucune pharmacie {where} : comment se fait la délivrance des médicaments ?",
    ),
    ServiceSpec(
        "msp",
        "Maison de santé pluridisciplinaire",
        ("bpe_d113",),
        "insee_bpe_2020_sante",
        "aucune maison de santé {where} : un projet de santé est-il en discussion ?",
    ),
    ServiceSpec(
        "poste",
        "Bureau, relais ou agence postale",
        ("bpe_a206", "bpe_a207", "bpe_a208"),
        "insee_bpe_2021_particuliers",
        "aucun point de contact postal {where} : où se font les démarches postales ?",
    ),
    ServiceSpec(
        "banque",
        "Banque ou caisse d'épargne",
        ("bpe_a203",),
        "insee_bpe_2021_particuliers",
        "aucune banque {where} : comment les habitants accèdent-ils aux espèces et aux conseils bancaires ?",
    ),
    ServiceSpec(
        "restaurant",
        "Restaurant",
        ("bpe_a504",),
        "insee_bpe_2021_particuliers",
        "aucun restaurant {where} : où se retrouvent les habitants (café, salle, tiers-lieu) ?",
    ),
    ServiceSpec(
        "creche",
        "Accueil du jeune enfant (crèche…)",
        ("bpe_d502",),
        "insee_bpe_2021_action_sociale",
        "aucun accueil collectif du jeune enfant {where} : comment les familles font-elles garder leurs enfants ?",
    ),
    ServiceSpec(
        "ehpad",
        "Hébergement pour personnes âgées",
        ("bpe_d401",),
        "insee_bpe_2021_action_sociale",
        "aucun hébergement pour personnes âgées {where} : qui accompagne les aînés qui ne peuvent plus vivre seuls ?",
    ),
    ServiceSpec(
        "gare",
        "Gare ou halte ferroviaire",
        ("bpe_e107", "bpe_e108", "bpe_e109"),
        "insee_bpe_2020_tourisme",
        "aucune gare {where} : quelles solutions de mobilité existent (transport à la demande, covoiturage) ?",
    ),
)

# One plain sentence per zoning or programme: what it can mean for an implantation.
ZONING_MEANINGS: dict[str, str] = {
    "frr": (
        "Le classement France Ruralités Revitalisation ouvre des exonérations fiscales et sociales aux "
        "entreprises qui s'implantent dans la commune : à vérifier pour votre statut avec un expert-comptable."
    ),
    "pvd": (
        "Petites villes de demain finance un ou une cheffe de projet de revitalisation : un interlocuteur "
        "naturel pour trouver un local et s'insérer dans le projet de centre-bourg."
    ),
    "va": (
        "Villages d'avenir apporte l'appui d'un chef de projet de l'État au département : une porte d'entrée "
        "pour un projet qui répond à un besoin du village."
    ),
    "acv": (
        "Action cœur de ville vise la revitalisation du centre de la ville moyenne voisine : des locaux et "
        "des aides au commerce et aux services peuvent y être mobilisés."
    ),
    "france_services": (
        "Une France services accueille les habitants pour leurs démarches : elle connaît les besoins non couverts "
        "et peut relayer votre offre."
    ),
    "centralite": (
        "Le niveau de centralité dit si la commune rayonne sur ses voisines pour les équipements et services : "
        "une commune centre attire les habitants des alentours."
    ),
}

RESOURCE_LAYERS: dict[str, str] = {
    "anct_france_services": "France services",
    "anct_fabriques": "Fabrique de territoire",
    "anct_manufactures": "Manufacture de proximité",
}

# the programme's local steps (Les Sentiers, accompagnement sur-mesure local)
STEPS: tuple[str, ...] = (
    "Comprendre le territoire",
    "Entrer en contact avec les acteurs du territoire",
    "Identifier les coopérations à initier",
)
