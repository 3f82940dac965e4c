"""The one indicator catalogue: every figure a profile may score on, a fiche shows or a comparison marks.

Each entry says what the indicator is (French label, unit, decimals), where its figures come from (the base
layer ids, whose manifest entry gives publisher and vintage), how it is computed (a rate from its numerator
and denominator, never an average of rates) and two separate senses:

- ``need``: what a need looks like — the default direction of a scoring criterion (unemployment: ``higher``:
  a structure fighting unemployment looks for places where it is high);
- ``better``: what is better for the inhabitants — what a comparison without a profile marks as the best
  value (unemployment: ``lower``); ``neutral`` when neither is better (population, ages).

Everyday services (BPE equipment families) are one table, :data:`SERVICES`; each gives a presence and a
per-1,000-inhabitants indicator. How candidates' values are computed from the base lives in
:mod:`sentiers.matching.candidates` (and EPCI aggregates in :mod:`sentiers.base.aggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sentiers.base.sources import BPE_LAYER

if TYPE_CHECKING:
    import pandas as pd

    from sentiers.base.store import Base

Need = Literal["higher", "lower", "target"]
Better = Literal["higher", "lower", "neutral"]
Kind = Literal["value", "rate", "presence", "per1000", "flag", "level", "distance", "count", "access", "lack"]

DIRECTION_LABELS: dict[str, str] = {
    "higher": "plus c'est élevé, plus le besoin est fort",
    "lower": "plus c'est bas, plus le besoin est fort",
    "target": "le plus proche d'une valeur cible",
}
BETTER_LABELS: dict[str, str] = {
    "higher": "plus haut est mieux pour les habitants",
    "lower": "plus bas est mieux pour les habitants",
    "neutral": "ni mieux ni moins bien",
}

KIIF_LAYER = "kiif"


@dataclass(frozen=True)
class Indicator:
    """One indicator."""

    id: str
    label: str
    unit: str
    layers: tuple[str, ...]  # base layer ids, first loaded one names source and vintage
    columns: tuple[str, ...]  # base columns needed (any of them for "presence"/"per1000" of BPE sums)
    need: Need
    better: Better
    meaning: str  # what it says for an implantation (French)
    kind: Kind = "value"
    group: str = "Population"
    decimals: int = 1
    numerator: str = ""  # a rate: numerator / denominator × factor
    denominator: str = ""
    factor: float = 1.0
    # small numbers: a value whose denominator (``denominator``, the population for a per-1,000 rate) is below this
    # is an « effectif faible », flagged wherever it is shown and shrunk or left out by the scoring
    small_below: float = 0.0
    note: str = ""  # caveat shown to the user (proxy, secret values...)
    epci: str = "recalculé à partir des sommes des communes"  # how the EPCI value is obtained (French)
    needs: tuple[str, ...] = field(default_factory=tuple)  # profile needs: "reference_commune", "kiif"


@dataclass(frozen=True)
class Service:
    """An everyday service: a family of equipment types (counts per commune in ``bpe_<type>`` columns).

    ``lack_km``: the straight-line distance from a commune's point to the nearest one beyond which going there is a
    real lack (about 1.3 to 1.4 times as far by road); ``nearest``: « … la plus proche » in French.
    """

    key: str
    label: str
    codes: tuple[str, ...]  # BPE TYPEQU, lower case
    layer: str
    gap: str  # what its absence means, in a few words (French)
    lack_km: float = 10.0
    nearest: str = ""
    count_columns: tuple[str, ...] = ()  # columns other than bpe_<type> (France services)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.count_columns or tuple(f"bpe_{c}" for c in self.codes)

    @property
    def layers(self) -> tuple[str, ...]:
        """The newest BPE first (one file of every type), then the theme file of the family."""
        return (BPE_LAYER, self.layer)

    @property
    def nearest_label(self) -> str:
        return self.nearest or f"{self.label} le plus proche"

    @property
    def nearest_words(self) -> str:
        """« le plus proche » or « la plus proche », agreeing with the service (« pharmacie la plus proche »)."""
        return "la plus proche" if self.nearest_label.endswith("la plus proche") else "le plus proche"


_COMMERCE = "insee_bpe_2020_commerce"
_ECOLES = "insee_bpe_2020_ecoles"
_SANTE = "insee_bpe_2020_sante"
_TOURISME = "insee_bpe_2020_tourisme"
_MEDICAL = "insee_bpe_2021_medical"
_SOCIAL = "insee_bpe_2021_action_sociale"
_PARTICULIERS = "insee_bpe_2021_particuliers"

SERVICES: tuple[Service, ...] = (
    Service(
        "alimentation",
        "Commerce alimentaire (épicerie, supérette, supermarché ou hypermarché)",
        ("b202", "b201", "b102", "b101"),
        _COMMERCE,
        "faire ses courses sans prendre la voiture",
        5.0,
        "commerce alimentaire le plus proche",
    ),
    Service(
        "epicerie",
        "Épicerie",
        ("b202",),
        _COMMERCE,
        "commerce alimentaire de proximité",
        5.0,
        "épicerie la plus proche",
    ),
    Service(
        "superette",
        "Supérette",
        ("b201",),
        _COMMERCE,
        "petite surface alimentaire",
        10.0,
        "supérette la plus proche",
    ),
    Service(
        "supermarche",
        "Supermarché ou hypermarché",
        ("b101", "b102"),
        _COMMERCE,
        "grande surface alimentaire",
        15.0,
        "supermarché ou hypermarché le plus proche",
    ),
    Service(
        "boulangerie",
        "Boulangerie",
        ("b203",),
        _COMMERCE,
        "commerce de bouche",
        5.0,
        "boulangerie la plus proche",
    ),
    Service(
        "station_service",
        "Station-service",
        ("b316",),
        _COMMERCE,
        "carburant, mobilité",
        10.0,
        "station-service la plus proche",
    ),
    Service(
        "ecole",
        "École maternelle ou élémentaire",
        ("c101", "c102", "c104", "c105"),
        _ECOLES,
        "scolarité",
        5.0,
        "école la plus proche",
    ),
    Service(
        "medecin",
        "Médecin généraliste",
        ("d201",),
        _MEDICAL,
        "accès aux soins",
        7.0,
        "médecin généraliste le plus proche",
    ),
    Service(
        "infirmier",
        "Infirmier ou infirmière",
        ("d232",),
        _MEDICAL,
        "soins à domicile",
        7.0,
        "cabinet infirmier le plus proche",
    ),
    Service("pharmacie", "Pharmacie", ("d307",), _SANTE, "santé", 7.0, "pharmacie la plus proche"),
    Service(
        "msp",
        "Maison de santé pluridisciplinaire",
        ("d113",),
        _SANTE,
        "soins coordonnés",
        15.0,
        "maison de santé la plus proche",
    ),
    Service(
        "poste",
        "Bureau, relais ou agence postale",
        ("a206", "a207", "a208"),
        _PARTICULIERS,
        "services postaux",
        5.0,
        "point postal le plus proche",
    ),
    Service(
        "banque",
        "Banque ou caisse d'épargne",
        ("a203",),
        _PARTICULIERS,
        "services bancaires",
        10.0,
        "banque la plus proche",
    ),
    Service(
        "restaurant",
        "Restaurant",
        ("a504",),
        _PARTICULIERS,
        "lieu de rencontre",
        5.0,
        "restaurant le plus proche",
    ),
    Service(
        "creche",
        "Accueil du jeune enfant (crèche…)",
        ("d502",),
        _SOCIAL,
        "garde d'enfants",
        10.0,
        "accueil du jeune enfant le plus proche",
    ),
    Service(
        "ehpad",
        "Hébergement pour personnes âgées",
        ("d401",),
        _SOCIAL,
        "grand âge",
        15.0,
        "hébergement pour personnes âgées le plus proche",
    ),
    Service(
        "gare",
        "Gare ou halte ferroviaire",
        ("e107", "e108", "e109"),
        _TOURISME,
        "mobilité",
        10.0,
        "gare la plus proche",
    ),
)
# families whose distances are computed besides SERVICES (counts from the base's points, not the BPE)
FRANCE_SERVICES = Service(
    "france_services",
    "France services",
    (),
    "anct_france_services",
    "démarches administratives accompagnées",
    20.0,
    "France services la plus proche",
    count_columns=("france_services",),
)
FABRIQUES = Service(
    "fabriques",
    "Fabrique de territoire (tiers-lieu)",
    (),
    "anct_fabriques",
    "un lieu où habitants et associations se retrouvent et font ensemble",
    15.0,
    "Fabrique de territoire la plus proche",
    count_columns=("fabriques",),
)
MANUFACTURES = Service(
    "manufactures",
    "Manufacture de proximité",
    (),
    "anct_manufactures",
    "un atelier partagé de production",
    20.0,
    "Manufacture de proximité la plus proche",
    count_columns=("manufactures",),
)
ACCESS_FAMILIES: tuple[Service, ...] = (*SERVICES, FRANCE_SERVICES, FABRIQUES, MANUFACTURES)
CATCHMENT_METHOD = (
    "Somme des populations des communes dont le point représentatif (la mairie) est à moins de la distance, à vol "
    "d'oiseau, de celui de la commune (elle comprise) ; calculée à la construction de la base."
)
ACCESS_METHOD = (
    "Distance à vol d'oiseau (km) entre le point représentatif de la commune (sa mairie) et celui de la commune "
    "la plus proche qui a au moins un tel équipement (0 si la commune en a un) ; calculée à la construction de "
    "la base sur toutes les communes de métropole (la Corse et chaque département d'outre-mer à part). Par la "
    "route, compter environ 1,3 à 1,4 fois plus. Une source de distances routières ou de temps de trajet, si elle "
    "est ajoutée, remplace ce calcul."
)
SERVICES_BY_KEY: dict[str, Service] = {s.key: s for s in SERVICES}
ACCESS_FAMILIES_BY_KEY: dict[str, Service] = {s.key: s for s in ACCESS_FAMILIES}


def _service_indicators(service: Service) -> list[Indicator]:
    code_list = ", ".join(c.upper() for c in service.codes)
    return [
        Indicator(
            id=f"has_{service.key}",
            label=f"Présence : {service.label}",
            unit="0 = absent, 1 = présent",
            layers=service.layers,
            columns=service.columns,
            need="lower",
            better="higher",
            kind="presence",
            group="Services du quotidien (BPE)",
            decimals=0,
            meaning=(
                f"Par défaut, l'absence compte comme un besoin non couvert ({service.gap}). "
                "Choisissez « plus c'est élevé » si votre projet s'appuie sur cet équipement."
            ),
            note=f"BPE, types {code_list}.",
            epci="présent si au moins une commune de l'EPCI en a un",
        ),
        Indicator(
            id=f"{service.key}_per_1000",
            label=f"{service.label} pour 1 000 habitants",
            unit="pour 1 000 hab.",
            layers=service.layers,
            columns=service.columns,
            need="lower",
            better="higher",
            kind="per1000",
            group="Services du quotidien (BPE)",
            decimals=2,
            meaning=(
                f"Densité de l'offre rapportée à la population : une offre faible signale un manque ({service.gap})."
            ),
            note=f"BPE, types {code_list}, rapportés à la population légale de la base.",
            epci="somme des équipements / somme des populations",
            denominator="population",
            small_below=500,
        ),
    ]


def to_phrase(phrase: str) -> str:
    """« à » + a definite noun phrase: « au commerce… le plus proche », « à la gare… », « à l'épicerie… »."""
    if phrase[:1].lower() in "aeéèêiîoôuh":
        return f"à l'{phrase}"
    return f"au {phrase}" if phrase.endswith("le plus proche") else f"à la {phrase}"


def from_phrase(phrase: str) -> str:
    """« de » + a definite noun phrase: « du commerce… », « de la gare… », « de l'épicerie… »."""
    if phrase[:1].lower() in "aeéèêiîoôuh":
        return f"de l'{phrase}"
    return f"du {phrase}" if phrase.endswith("le plus proche") else f"de la {phrase}"


def _access_indicators(service: Service) -> list[Indicator]:
    from sentiers.fr import number

    lack = number(service.lack_km, 0)
    return [
        Indicator(
            id=f"dist_{service.key}_km",
            label=f"Distance {to_phrase(service.nearest_label)}",
            unit="km (à vol d'oiseau)",
            layers=service.layers,
            columns=(f"dist_{service.key}_km",),
            need="higher",
            better="lower",
            kind="access",
            group="Accès aux services (distances)",
            meaning=(
                f"Plus c'est loin, plus le manque est réel ({service.gap}) ; 0 si la commune en a un. "
                f"Au-delà de {lack} km, on parle de manque."
            ),
            note=ACCESS_METHOD,
            epci="moyenne pondérée par la population des communes (distance pour un habitant moyen)",
        ),
        Indicator(
            id=f"far_{service.key}",
            label=f"Part de la population à plus de {lack} km {from_phrase(service.nearest_label)}",
            unit="% de la population",
            layers=service.layers,
            columns=(f"dist_{service.key}_km",),
            need="higher",
            better="lower",
            kind="lack",
            group="Accès aux services (distances)",
            meaning=(
                f"La part des habitants pour qui ce service manque vraiment ({service.gap}). Pour une commune : "
                f"100 si elle est à plus de {lack} km, 0 sinon ; pour un EPCI, la part de ses habitants."
            ),
            note=ACCESS_METHOD,
            epci=f"population des communes à plus de {lack} km / population totale",
        ),
    ]


_ENTRIES: list[Indicator] = [
    Indicator(
        id="population",
        label="Population",
        unit="habitants",
        layers=("identity",),
        columns=("population",),
        need="higher",
        better="neutral",
        decimals=0,
        meaning="Le nombre d'habitants : la taille du public potentiel à portée d'une antenne.",
        epci="somme des populations communales",
    ),
    Indicator(
        id="density",
        label="Densité de population",
        unit="hab./km²",
        layers=("identity",),
        columns=("population", "area_km2"),
        need="lower",
        better="neutral",
        numerator="population",
        denominator="area_km2",
        factor=1.0,
        kind="rate",
        meaning="Peu d'habitants au kilomètre carré : un habitat dispersé, des distances à parcourir.",
        epci="population totale / superficie totale",
    ),
    Indicator(
        id="pop_change_pct",
        label="Évolution annuelle moyenne de la population sur cinq ans (recensements)",
        unit="% par an",
        layers=("insee_comparateur",),
        columns=("pop_census_prev", "pop_census"),
        need="higher",
        denominator="pop_census_prev",
        small_below=100,
        better="higher",
        decimals=2,
        kind="rate",
        meaning="Un territoire qui gagne des habitants a des besoins qui grandissent ; un territoire qui en perd, des besoins qui se transforment.",
        epci="recalculée à partir des populations des deux recensements sommées",
    ),
    Indicator(
        id="density_level",
        label="Niveau de la grille de densité (1 urbain dense … 7 rural très dispersé)",
        unit="niveau 1 à 7",
        layers=("grille_densite",),
        columns=("density_level",),
        need="higher",
        better="neutral",
        decimals=1,
        kind="level",
        group="Ruralité",
        meaning="Plus le niveau est élevé, plus la commune est rurale et l'habitat dispersé.",
        epci="moyenne des niveaux pondérée par la population (indicative)",
    ),
    Indicator(
        id="rural_pop_share",
        label="Part de la population vivant en commune rurale",
        unit="%",
        layers=("grille_densite",),
        columns=("rural",),
        need="higher",
        better="neutral",
        kind="rate",
        group="Ruralité",
        meaning="Pour une commune : 100 si rurale, 0 sinon. Pour un EPCI : la part de ses habitants dans des communes rurales.",
        epci="population des communes rurales / population totale",
    ),
    Indicator(
        id="aav_remoteness",
        label="Éloignement des villes (aire d'attraction : 1 pôle, 2 couronne, 3 hors attraction)",
        unit="1 à 3",
        layers=("tagc_2022", "tagc_2024"),
        columns=("cateaav2020",),
        need="higher",
        better="neutral",
        decimals=1,
        kind="level",
        group="Ruralité",
        meaning="Hors de l'attraction des villes, les services sont plus loin et les besoins de proximité plus forts.",
        epci="moyenne pondérée par la population (indicative)",
    ),
    Indicator(
        id="secondary_homes_share",
        label="Part des résidences secondaires",
        unit="% des logements",
        layers=("insee_comparateur",),
        columns=("secondary_homes", "dwellings"),
        need="lower",
        small_below=30,
        better="neutral",
        numerator="secondary_homes",
        denominator="dwellings",
        factor=100.0,
        kind="rate",
        group="Logement",
        meaning="Beaucoup de résidences secondaires : une population saisonnière, moins d'habitants à l'année.",
    ),
    Indicator(
        id="vacancy_share",
        label="Part des logements vacants",
        unit="% des logements",
        layers=("insee_comparateur",),
        columns=("vacant_homes", "dwellings"),
        need="higher",
        small_below=30,
        better="lower",
        numerator="vacant_homes",
        denominator="dwellings",
        factor=100.0,
        kind="rate",
        group="Logement",
        meaning="La vacance signale une dévitalisation… et des locaux disponibles pour s'implanter.",
    ),
    Indicator(
        id="unemployment_rate",
        label="Taux de chômage des 15-64 ans (recensement)",
        unit="% des actifs",
        layers=("insee_comparateur",),
        columns=("unemployed_15_64", "active_15_64"),
        need="higher",
        small_below=50,
        better="lower",
        numerator="unemployed_15_64",
        denominator="active_15_64",
        factor=100.0,
        kind="rate",
        group="Emploi et économie",
        meaning="Un chômage élevé signale un besoin d'insertion et d'emploi local.",
    ),
    Indicator(
        id="jobs_per_active",
        label="Emplois au lieu de travail par actif résident",
        unit="emplois par actif",
        layers=("insee_comparateur",),
        columns=("jobs", "active_15_64"),
        need="higher",
        small_below=50,
        better="higher",
        numerator="jobs",
        denominator="active_15_64",
        factor=1.0,
        decimals=2,
        kind="rate",
        group="Emploi et économie",
        meaning="Au-dessus de 1, un pôle d'emploi qui attire ; en dessous, un territoire résidentiel d'où l'on part travailler.",
    ),
    Indicator(
        id="business_density",
        label="Établissements pour 1 000 habitants",
        unit="pour 1 000 hab.",
        layers=("insee_comparateur",),
        columns=("establishments", "pop_census"),
        need="higher",
        small_below=200,
        better="higher",
        numerator="establishments",
        denominator="pop_census",
        factor=1000.0,
        kind="rate",
        group="Emploi et économie",
        meaning="Un tissu d'entreprises dense : des partenaires et des clients potentiels.",
    ),
    Indicator(
        id="median_income",
        label="Revenu disponible médian par unité de consommation",
        unit="€ par an",
        layers=("insee_filosofi",),
        columns=("median_income",),
        need="lower",
        better="higher",
        decimals=0,
        group="Revenus",
        meaning="Un revenu médian bas signale des ménages modestes et des besoins d'accès à bas coût.",
        note="Non publié par l'Insee sous les seuils de confidentialité (petites communes) : valeur manquante, signalée.",
        epci="moyenne des médianes pondérée par les ménages fiscaux (approximation : une médiane ne s'additionne pas)",
    ),
    Indicator(
        id="poverty_rate",
        label="Taux de pauvreté (seuil à 60 %)",
        unit="%",
        layers=("insee_filosofi",),
        columns=("poverty_rate",),
        need="higher",
        better="lower",
        group="Revenus",
        meaning="La part des habitants sous le seuil de pauvreté : un besoin de solidarité.",
        note="Non publié sous les seuils de confidentialité (la plupart des petites communes) : valeur manquante, signalée.",
        epci="moyenne pondérée par les ménages fiscaux des communes publiées (approximation)",
    ),
    Indicator(
        id="pensions_share",
        label="Part des pensions et retraites dans le revenu disponible (indicateur indirect du vieillissement)",
        unit="% du revenu",
        layers=("insee_filosofi",),
        columns=("pensions_share",),
        need="higher",
        better="neutral",
        group="Âges",
        meaning="Indicateur indirect d'une population âgée, tant que la structure par âge n'est pas chargée.",
        note=(
            "Indicateur indirect (proxy) : il mesure des revenus, pas des âges. Publié seulement au-dessus des seuils "
            "de confidentialité (environ une commune sur sept, les plus peuplées) : ailleurs, valeur manquante signalée."
        ),
        epci="moyenne pondérée par les ménages fiscaux (approximation)",
    ),
    Indicator(
        id="share_65_plus",
        label="Part des 65 ans ou plus",
        unit="% de la population",
        layers=("insee_pop_age",),
        columns=("pop_65_plus", "pop_age_total"),
        need="higher",
        small_below=100,
        better="neutral",
        numerator="pop_65_plus",
        denominator="pop_age_total",
        factor=100.0,
        kind="rate",
        group="Âges",
        meaning="Une population âgée : des besoins de services de proximité, de mobilité et de lien social.",
    ),
    Indicator(
        id="share_75_plus",
        label="Part des 75 ans ou plus",
        unit="% de la population",
        layers=("insee_pop_age",),
        columns=("pop_75_plus", "pop_age_total"),
        need="higher",
        small_below=100,
        better="neutral",
        numerator="pop_75_plus",
        denominator="pop_age_total",
        factor=100.0,
        kind="rate",
        group="Âges",
        meaning="Les plus âgés : perte d'autonomie, isolement, besoin de services à domicile.",
    ),
    Indicator(
        id="share_0_14",
        label="Part des moins de 15 ans",
        unit="% de la population",
        layers=("insee_pop_age",),
        columns=("pop_0_14", "pop_age_total"),
        need="higher",
        small_below=100,
        better="neutral",
        numerator="pop_0_14",
        denominator="pop_age_total",
        factor=100.0,
        kind="rate",
        group="Âges",
        meaning="Des familles avec enfants : besoins de garde, d'école, d'activités.",
    ),
    Indicator(
        id="share_15_29",
        label="Part des 15-29 ans",
        unit="% de la population",
        layers=("insee_pop_age",),
        columns=("pop_15_29", "pop_age_total"),
        need="higher",
        small_below=100,
        better="neutral",
        numerator="pop_15_29",
        denominator="pop_age_total",
        factor=100.0,
        kind="rate",
        group="Âges",
        meaning="Des jeunes : besoins de formation, d'emploi, de mobilité et de lieux pour se retrouver.",
    ),
    Indicator(
        id="share_60_plus",
        label="Part des 60 ans ou plus",
        unit="% de la population",
        layers=("insee_pop_age",),
        columns=("pop_60_74", "pop_75_plus", "pop_age_total"),
        need="higher",
        small_below=100,
        better="neutral",
        numerator="pop_60_plus",
        denominator="pop_age_total",
        factor=100.0,
        kind="rate",
        group="Âges",
        meaning="Une population qui vieillit : services à domicile, santé, mobilité, lien social.",
    ),
    Indicator(
        id="centralite_level",
        label="Niveau de centralité (0 non centre … 4 centre majeur)",
        unit="niveau 0 à 4",
        layers=("anct_centralites",),
        columns=("centralite_level",),
        need="higher",
        better="higher",
        decimals=0,
        kind="level",
        group="Centralités et programmes",
        meaning="Un centre d'équipements et de services rayonne sur les communes voisines : un bon point d'ancrage pour une antenne.",
        epci="niveau le plus élevé parmi ses communes",
    ),
    Indicator(
        id="has_france_services",
        label="Présence d'une France services",
        unit="0 = absent, 1 = présent",
        layers=("anct_france_services",),
        columns=("france_services",),
        need="higher",
        better="higher",
        kind="presence",
        group="Centralités et programmes",
        meaning="Un guichet de services publics : un relais possible pour toucher les habitants.",
        epci="présent si au moins une commune de l'EPCI en accueille une",
    ),
    Indicator(
        id="frr",
        label="Classée France Ruralités Revitalisation (FRR)",
        unit="0 = non, 1 = oui",
        layers=("anct_frr",),
        columns=("frr",),
        need="higher",
        better="neutral",
        kind="flag",
        group="Centralités et programmes",
        meaning="Zonage d'aide aux territoires ruraux fragiles : exonérations pour s'implanter, besoins reconnus.",
        epci="part des communes classées (%)",
    ),
    Indicator(
        id="pvd",
        label="Petites villes de demain",
        unit="0 = non, 1 = oui",
        layers=("anct_pvd",),
        columns=("pvd",),
        need="higher",
        better="neutral",
        kind="flag",
        group="Centralités et programmes",
        meaning="Une commune engagée dans la revitalisation de son centre : un chef de projet, des partenaires.",
        epci="nombre de communes lauréates",
    ),
    Indicator(
        id="va",
        label="Villages d'avenir",
        unit="0 = non, 1 = oui",
        layers=("anct_va",),
        columns=("va",),
        need="higher",
        better="neutral",
        kind="flag",
        group="Centralités et programmes",
        meaning="Une commune rurale accompagnée par l'État sur un projet de territoire.",
        epci="nombre de communes lauréates",
    ),
    Indicator(
        id="acv",
        label="Action cœur de ville",
        unit="0 = non, 1 = oui",
        layers=("anct_acv",),
        columns=("acv",),
        need="higher",
        better="neutral",
        kind="flag",
        group="Centralités et programmes",
        meaning="Une ville moyenne en revitalisation : un pôle de services pour le rural alentour.",
        epci="nombre de communes lauréates",
    ),
    Indicator(
        id="has_fabrique",
        label="Présence d'une Fabrique de territoire",
        unit="0 = absent, 1 = présent",
        layers=("anct_fabriques",),
        columns=("fabriques",),
        need="higher",
        better="higher",
        kind="presence",
        group="Centralités et programmes",
        meaning="Un tiers-lieu soutenu par l'État : un lieu d'accueil et un réseau local.",
        epci="présent si au moins une commune de l'EPCI en accueille une",
    ),
    Indicator(
        id="has_manufacture",
        label="Présence d'une Manufacture de proximité",
        unit="0 = absent, 1 = présent",
        layers=("anct_manufactures",),
        columns=("manufactures",),
        need="higher",
        better="higher",
        kind="presence",
        group="Centralités et programmes",
        meaning="Un atelier partagé de production : des savoir-faire et des partenaires économiques.",
        epci="présent si au moins une commune de l'EPCI en accueille une",
    ),
    Indicator(
        id="distance_reference_km",
        label="Distance à la commune de référence",
        unit="km (à vol d'oiseau)",
        layers=("identity",),
        columns=("lat", "lon"),
        need="lower",
        better="lower",
        kind="distance",
        group="Distances",
        meaning="Plus c'est proche de votre siège (ou d'une commune choisie), plus l'essaimage est simple à suivre.",
        epci="depuis le centre de l'EPCI (moyenne des points des communes pondérée par la population)",
        needs=("reference_commune",),
    ),
    Indicator(
        id="distance_incubator_km",
        label="Distance à la ville de l'incubateur Kiif qui couvre le département",
        unit="km (à vol d'oiseau)",
        layers=(KIIF_LAYER,),
        columns=("lat", "lon"),
        need="lower",
        better="lower",
        kind="distance",
        group="Distances",
        meaning="Proche de l'incubateur qui vous accompagne : des visites et des mises en relation plus faciles.",
        epci="depuis le centre de l'EPCI (moyenne des points des communes pondérée par la population)",
        needs=("kiif",),
    ),
]


for _service in SERVICES:
    _ENTRIES += _service_indicators(_service)
for _service in ACCESS_FAMILIES:
    _ENTRIES += _access_indicators(_service)
for _radius in (10, 20):
    _ENTRIES.append(
        Indicator(
            id=f"catchment_{_radius}km",
            label=f"Population à moins de {_radius} km",
            unit="habitants",
            layers=("identity",),
            columns=(f"catchment_{_radius}km",),
            need="higher",
            better="neutral",
            decimals=0,
            kind="access",
            group="Accès aux services (distances)",
            meaning=(
                "Les habitants des communes dont le point est à moins de "
                f"{_radius} km (la commune comprise) : le public à portée d'un service ou d'une antenne."
            ),
            note=CATCHMENT_METHOD,
            epci="moyenne pondérée par la population des communes (pour un habitant moyen)",
        )
    )
LACK_KM: dict[str, float] = {s.key: s.lack_km for s in ACCESS_FAMILIES}


def is_access_column(column: str) -> bool:
    """A commune's distance, lack share or catchment column (averaged over a group's inhabitants)."""
    return (column.startswith("dist_") and column.endswith("_km")) or column.startswith(
        ("far_", "catchment_")
    )


def add_lack_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """``far_<family>`` for communes: 100 when the nearest one is farther than the family's lack distance, else 0
    (NaN when the distance is unknown)."""
    import pandas as pd

    shares = {}
    for key, lack in LACK_KM.items():
        column = f"dist_{key}_km"
        if column in frame:
            dist = pd.to_numeric(frame[column], errors="coerce").astype(float)
            shares[f"far_{key}"] = (dist > lack).astype(float).where(dist.notna()) * 100
    if shares:
        frame[list(shares)] = pd.DataFrame(shares, index=frame.index)
    return frame


CATALOGUE: dict[str, Indicator] = {entry.id: entry for entry in _ENTRIES}
assert len(CATALOGUE) == len(_ENTRIES), "duplicate indicator id"
RATES: dict[str, Indicator] = {e.id: e for e in _ENTRIES if e.numerator and e.denominator}

# what the fiche shows as key figures, in this order
BRIEFING_INDICATORS: tuple[str, ...] = (
    "population",
    "density",
    "pop_change_pct",
    "share_0_14",
    "share_15_29",
    "share_60_plus",
    "share_75_plus",
    "secondary_homes_share",
    "vacancy_share",
    "unemployment_rate",
    "jobs_per_active",
    "business_density",
    "median_income",
    "poverty_rate",
    "pensions_share",
)


def indicator(indicator_id: str) -> Indicator:
    return CATALOGUE[indicator_id]


# what a denominator counts, singular and plural (« 1 actif de 15 à 64 ans », « 7 logements »)
DENOMINATOR_WORDS: dict[str, tuple[str, str]] = {
    "population": ("habitant", "habitants"),
    "pop_census_prev": ("habitant au recensement précédent", "habitants au recensement précédent"),
    "dwellings": ("logement", "logements"),
    "active_15_64": ("actif de 15 à 64 ans", "actifs de 15 à 64 ans"),
    "pop_census": ("habitant", "habitants"),
    "pop_age_total": ("habitant", "habitants"),
}


AAV_WORDS = {1: "pôle d'une aire d'attraction", 2: "couronne d'un pôle", 3: "hors attraction des villes"}
_SHORT_UNITS = {"km": "km", "%": "%", "€": "€", "habitants": "hab.", "hab./km²": "hab./km²"}


def value_text(indicator_id: str, value: Any, missing: str = "manquante") -> str:
    """One indicator's value as a person reads it, with its short unit, wherever it is shown (fiche, dossier,
    similar territories, docs): « 15,2 % », « 8,9 km », « 19 450 € », « 2 420 hab. », « présent », « oui »,
    « couronne d'un pôle », « niveau 4 »; ``missing`` when there is none."""
    from sentiers import fr

    try:
        number = float(value)
    except (TypeError, ValueError):
        return missing
    if number != number:  # NaN
        return missing
    entry = CATALOGUE.get(indicator_id)
    if entry is None:
        return fr.number(number, 1)
    if entry.kind == "presence":
        return "présent" if number >= 1 else "absent"
    if entry.kind == "flag":
        return "oui" if number >= 1 else "non"
    if indicator_id == "aav_remoteness" and round(number) in AAV_WORDS:
        return AAV_WORDS[round(number)]
    if entry.kind == "level":
        return f"niveau {fr.number(number, 0)}"
    unit = _SHORT_UNITS.get(entry.unit, _SHORT_UNITS.get(entry.unit.split(" ")[0], ""))
    if not unit and len(entry.unit) < 20 and "=" not in entry.unit and " à " not in entry.unit:
        unit = entry.unit  # « pour 1 000 hab. », « emplois par actif »; not a scale (« 1 à 3 »)
    return fr.number(number, 0 if abs(number) >= 100 else entry.decimals, unit)


def small_number(entry: Indicator, values: dict[str, Any]) -> str:
    """French note when the value of ``entry`` rests on a denominator under its threshold, "" otherwise.

    ``values``: the territory's counts (a commune's columns or an aggregate's sums).
    """
    if not entry.small_below or not entry.denominator:
        return ""
    base = values.get(entry.denominator)
    try:
        number = float(base)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if not np.isfinite(number) or number >= entry.small_below:
        return ""
    from sentiers.fr import plural

    one, many = DENOMINATOR_WORDS.get(entry.denominator, (entry.denominator, entry.denominator))
    return f"Effectif faible : calculé sur {plural(round(number), one, many)} ; à lire avec prudence."


def ratio(numerator: Any, denominator: Any, factor: float = 1.0) -> Any:
    """numerator / denominator × factor, NaN where the denominator is 0 or missing (Series or arrays)."""
    import pandas as pd

    num = pd.to_numeric(numerator, errors="coerce").astype(float)
    den = pd.to_numeric(denominator, errors="coerce").astype(float)
    return (num / den.where(den > 0)) * factor


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add every catalogue rate whose counts are present (communes, summed EPCI or département rows)."""
    import pandas as pd

    rates: dict[str, pd.Series] = {}
    if "pop_60_74" in frame and "pop_75_plus" in frame and "pop_60_plus" not in frame:
        frame["pop_60_plus"] = pd.to_numeric(frame["pop_60_74"], errors="coerce") + pd.to_numeric(
            frame["pop_75_plus"], errors="coerce"
        )
    for entry in RATES.values():
        if entry.numerator in frame and entry.denominator in frame:
            rates[entry.id] = ratio(frame[entry.numerator], frame[entry.denominator], entry.factor)
    if "pop_census" in frame and "pop_census_prev" in frame:
        now = pd.to_numeric(frame["pop_census"], errors="coerce").astype(float)
        before = pd.to_numeric(frame["pop_census_prev"], errors="coerce").astype(float)
        # annual average change between two censuses five years apart, in %
        rates["pop_change_pct"] = (np.power(now / before.where(before > 0), 1 / 5) - 1) * 100
    if rates:  # one assignment: no fragmented frame
        frame[list(rates)] = pd.DataFrame(rates, index=frame.index)
    return frame


def source_layer(base: Base | None, entry: Indicator) -> dict | None:
    """The manifest entry that sources this indicator in ``base`` (first loaded layer), or None."""
    if entry.layers == (KIIF_LAYER,):
        return kiif_source()
    for layer_id in entry.layers:
        found = base.layer(layer_id) if base is not None else None
        if found is not None:
            return found
    return None


def service_layer(base: Base | None, service: Service) -> str:
    """The layer that counts this service in ``base``: the newest BPE when loaded, else the theme file."""
    for layer in service.layers:
        if base is not None and base.layer(layer) is not None:
            return layer
    return service.layer


def kiif_source() -> dict | None:
    """Publisher and vintage of the Kiif coverage list (sentiers/base/reference/kiif.yaml)."""
    from sentiers.base.kiif import KiifError, load_kiif

    try:
        coverage = load_kiif()
    except KiifError:
        return None
    return {
        "publisher": "Kiif",
        "vintage": f"programme {coverage.programme} {coverage.edition}",
        "layer": KIIF_LAYER,
    }


def source_note(base: Base | None, indicator_id: str) -> str:
    """« Insee, recensement 2018 … » for a figure's caption; says so when the layer is not loaded."""
    entry = source_layer(base, CATALOGUE[indicator_id])
    if entry is None:
        return "source non chargée"
    return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}".strip(", ")


def available_columns(columns: Any, entry: Indicator) -> bool:
    """Whether a frame with ``columns`` holds what ``entry`` needs (any BPE code is enough for sums)."""
    present = [c in columns for c in entry.columns]
    if entry.kind in ("presence", "per1000"):
        return any(present)
    return all(present)


def catalogue_table(
    base: Base | None = None, unavailable: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """One row per indicator for display: label, unit, default direction, meaning, source, availability."""
    rows = []
    for entry in CATALOGUE.values():
        rows.append(
            {
                "Indicateur": entry.id,
                "Critère": entry.label,
                "Unité": entry.unit,
                "Sens par défaut": DIRECTION_LABELS[entry.need],
                "Ce que cela dit pour une implantation": entry.meaning,
                "Remarque": entry.note,
                "Au niveau EPCI": entry.epci,
                "Source et millésime": source_note(base, entry.id) if base is not None else "",
                "Disponible": "non" if unavailable and entry.id in unavailable else "oui",
            }
        )
    return rows
