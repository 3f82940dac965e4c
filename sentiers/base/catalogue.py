"""The criteria catalogue: one entry per indicator a profile may score on.

Each entry says what the indicator is (French label, unit), where its figures come from (the base layer
ids, whose manifest entry gives publisher and vintage), which direction is better by default and what it
means for an implantation. How the value is computed from the base (commune level) or from summed
commune counts (EPCI level) lives in :mod:`matching.candidates`; this module only describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["higher", "lower", "target"]
Kind = Literal["value", "rate", "presence", "per1000", "flag", "level", "distance", "count"]

DIRECTION_LABELS: dict[str, str] = {
    "higher": "plus c'est élevé, mieux c'est",
    "lower": "plus c'est bas, mieux c'est",
    "target": "le plus proche d'une valeur cible",
}

KIIF_LAYER = "kiif"


@dataclass(frozen=True)
class Indicator:
    """One scorable indicator."""

    id: str
    label: str
    unit: str
    layers: tuple[str, ...]  # base layer ids, first loaded one names source and vintage
    columns: tuple[str, ...]  # base columns needed (any of them for "presence"/"per1000" of BPE sums)
    direction: Direction
    meaning: str  # what it says for an implantation (French)
    kind: Kind = "value"
    group: str = "Population"
    note: str = ""  # caveat shown to the user (proxy, secret values...)
    epci: str = "recalculé à partir des sommes des communes"  # how the EPCI value is obtained (French)
    needs: tuple[str, ...] = field(default_factory=tuple)  # profile needs: "reference_commune", "kiif"


def _bpe(
    key: str, label: str, codes: tuple[str, ...], layers: tuple[str, ...], meaning_gap: str
) -> list[Indicator]:
    columns = tuple(f"bpe_{c}" for c in codes)
    code_list = ", ".join(c.upper() for c in codes)
    return [
        Indicator(
            id=f"has_{key}",
            label=f"Présence : {label}",
            unit="0 = absent, 1 = présent",
            layers=layers,
            columns=columns,
            direction="lower",
            kind="presence",
            group="Services du quotidien (BPE)",
            meaning=(
                f"Par défaut, l'absence compte comme un besoin non couvert ({meaning_gap}). "
                "Choisissez « plus c'est élevé » si votre projet s'appuie sur cet équipement."
            ),
            note=f"BPE, types {code_list}.",
            epci="présent si au moins une commune de l'EPCI en a un",
        ),
        Indicator(
            id=f"{key}_per_1000",
            label=f"{label} pour 1 000 habitants",
            unit="pour 1 000 hab.",
            layers=layers,
            columns=columns,
            direction="lower",
            kind="per1000",
            group="Services du quotidien (BPE)",
            meaning=(
                f"Densité de l'offre rapportée à la population : une offre faible signale un manque ({meaning_gap})."
            ),
            note=f"BPE, types {code_list}, rapportés à la population légale de la base.",
            epci="somme des équipements / somme des populations",
        ),
    ]


_COMMERCE = ("insee_bpe_2020_commerce",)
_ECOLES = ("insee_bpe_2020_ecoles",)
_MEDICAL = ("insee_bpe_2021_medical",)
_SOCIAL = ("insee_bpe_2021_action_sociale",)
_PARTICULIERS = ("insee_bpe_2021_particuliers",)

_ENTRIES: list[Indicator] = [
    Indicator(
        id="population",
        label="Population",
        unit="habitants",
        layers=("identity",),
        columns=("population",),
        direction="higher",
        meaning="Le nombre d'habitants : la taille du public potentiel à portée d'une antenne.",
        epci="somme des populations communales",
    ),
    Indicator(
        id="pop_change_pct",
        label="Évolution annuelle de la population 2013-2018",
        unit="% par an",
        layers=("insee_comparateur",),
        columns=("pop_2013", "pop_2018"),
        direction="higher",
        kind="rate",
        meaning="Un territoire qui gagne des habitants a des besoins qui grandissent ; un territoire qui en perd, des besoins qui se transforment.",
        epci="recalculée à partir des populations 2013 et 2018 sommées",
    ),
    Indicator(
        id="density_level",
        label="Niveau de la grille de densité (1 urbain dense … 7 rural très dispersé)",
        unit="niveau 1 à 7",
        layers=("grille_densite",),
        columns=("density_level",),
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="lower",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
        kind="rate",
        group="Emploi et économie",
        meaning="Au-dessus de 1, un pôle d'emploi qui attire ; en dessous, un territoire résidentiel d'où l'on part travailler.",
    ),
    Indicator(
        id="business_density",
        label="Établissements pour 1 000 habitants",
        unit="pour 1 000 hab.",
        layers=("insee_comparateur",),
        columns=("establishments", "pop_2018"),
        direction="higher",
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
        direction="lower",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
        kind="rate",
        group="Âges",
        meaning="Des familles avec enfants : besoins de garde, d'école, d'activités.",
    ),
    Indicator(
        id="centralite_level",
        label="Niveau de centralité (0 non centre … 4 centre majeur)",
        unit="niveau 0 à 4",
        layers=("anct_centralites",),
        columns=("centralite_level",),
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="higher",
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
        direction="lower",
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
        direction="lower",
        kind="distance",
        group="Distances",
        meaning="Proche de l'incubateur qui vous accompagne : des visites et des mises en relation plus faciles.",
        epci="depuis le centre de l'EPCI (moyenne des points des communes pondérée par la population)",
        needs=("kiif",),
    ),
]

_ENTRIES += _bpe("epicerie", "Épicerie", ("b202",), _COMMERCE, "commerce alimentaire de proximité")
_ENTRIES += _bpe("boulangerie", "Boulangerie", ("b203",), _COMMERCE, "commerce de bouche")
_ENTRIES += _bpe("supermarche", "Supermarché", ("b102",), _COMMERCE, "grande surface alimentaire")
_ENTRIES += _bpe("superette", "Supérette", ("b201",), _COMMERCE, "petite surface alimentaire")
_ENTRIES += _bpe("station_service", "Station-service", ("b316",), _COMMERCE, "carburant, mobilité")
_ENTRIES += _bpe("ecole", "École maternelle ou élémentaire", ("c101", "c104"), _ECOLES, "scolarité")
_ENTRIES += _bpe("pharmacie", "Pharmacie", ("d307",), ("insee_bpe_2020_sante",), "santé")
_ENTRIES += _bpe("medecin", "Médecin généraliste", ("d201",), _MEDICAL, "accès aux soins")
_ENTRIES += _bpe("infirmier", "Infirmier", ("d232",), _MEDICAL, "soins à domicile")
_ENTRIES += _bpe("creche", "Accueil du jeune enfant (crèche)", ("d502",), _SOCIAL, "garde d'enfants")
_ENTRIES += _bpe("ehpad", "Hébergement pour personnes âgées (EHPAD)", ("d401",), _SOCIAL, "grand âge")
_ENTRIES += _bpe(
    "poste", "Bureau ou agence postale", ("a206", "a207", "a208"), _PARTICULIERS, "services postaux"
)

CATALOGUE: dict[str, Indicator] = {entry.id: entry for entry in _ENTRIES}
assert len(CATALOGUE) == len(_ENTRIES), "duplicate indicator id"


def indicator(indicator_id: str) -> Indicator:
    return CATALOGUE[indicator_id]


def source_layer(base, entry: Indicator) -> dict | None:
    """The manifest entry that sources this indicator in ``base`` (first loaded layer), or None."""
    if entry.layers == (KIIF_LAYER,):
        return kiif_source()
    for layer_id in entry.layers:
        found = base.layer(layer_id) if base is not None else None
        if found is not None:
            return found
    return None


def kiif_source() -> dict | None:
    """Publisher and vintage of the Kiif coverage list, when sentiers.base.kiif is installed."""
    try:
        from sentiers.base import kiif
    except ImportError:
        return None
    note = getattr(kiif, "source_note", None)
    vintage = note() if callable(note) else "programme Les Sentiers 2024"
    return {"publisher": "Kiif", "vintage": vintage, "layer": KIIF_LAYER}


def source_note(base, indicator_id: str) -> str:
    """« Insee, recensement 2018 … » for a figure's caption; says so when the layer is not loaded."""
    entry = source_layer(base, CATALOGUE[indicator_id])
    if entry is None:
        return "source non chargée"
    return f"{entry.get('publisher', '')}, {entry.get('vintage', '')}".strip(", ")


def available_columns(columns, entry: Indicator) -> bool:
    """Whether a frame with ``columns`` holds what ``entry`` needs (any BPE code is enough for sums)."""
    present = [c in columns for c in entry.columns]
    if entry.kind in ("presence", "per1000"):
        return any(present)
    return all(present)


def catalogue_table(base=None, unavailable: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One row per indicator for display: label, unit, default direction, meaning, source, availability."""
    rows = []
    for entry in CATALOGUE.values():
        rows.append(
            {
                "Indicateur": entry.id,
                "Critère": entry.label,
                "Unité": entry.unit,
                "Sens par défaut": DIRECTION_LABELS[entry.direction],
                "Ce que cela dit pour une implantation": entry.meaning,
                "Remarque": entry.note,
                "Au niveau EPCI": entry.epci,
                "Source et millésime": source_note(base, entry.id) if base is not None else "",
                "Disponible": "non" if unavailable and entry.id in unavailable else "oui",
            }
        )
    return rows
