"""Families of actors: which kind of ESS organisation a legal unit is, from its legal nature and the register's flags.

Rules (first that applies):

1. ``siae`` — a structure d'insertion par l'activité économique (``complements.est_siae``), with its type
   (ACI, AI, EI, ETTI, EITI, GEIQ; ESAT and EA are listed by the Marché de l'inclusion too), whatever its
   legal form: for a coach, the insertion role matters first.
2. ``cooperative`` — a cooperative legal nature (SCOP, cooperatives of consumers, craftsmen, retailers,
   farmers, CUMA, housing, banks…) or a name saying SCOP, SCIC, CAE or « coopérative » for an ESS company:
   a SCIC or a CAE has no legal nature of its own (it is a SARL, SA or SAS), so its name is the only sign.
3. ``mutual`` — mutuals, mutual insurance, provident institutions.
4. ``foundation`` — foundations (9300).
5. ``association`` — associations (92xx or ``complements.est_association``) **that employ people**: a head-count
   bracket other than « NN » (non employer) or an employing establishment; the others are not listed.
6. ``ess_company`` — any other unit of the ESS (``complements.est_ess``): commercial companies of the ESS.

A unit that is neither ESS nor SIAE, a closed one, or a non-employing association is left out.
Places that complete the list (France services, Fabriques, Manufactures, the Kiif incubator) are families too.
"""

from __future__ import annotations

import re
from typing import Any

from sentiers.actors.records import as_dict

FAMILIES: dict[str, str] = {
    "siae": "Structure d'insertion (SIAE)",
    "cooperative": "Coopérative",
    "mutual": "Mutuelle",
    "foundation": "Fondation",
    "association": "Association employeuse",
    "ess_company": "Entreprise commerciale de l'ESS",
    "france_services": "France services",
    "fabrique": "Fabrique de territoire",
    "manufacture": "Manufacture de proximité",
    "incubator": "Incubateur du Kiif",
}
ESS_FAMILIES = ("siae", "cooperative", "mutual", "foundation", "association", "ess_company")
PLACE_FAMILIES = ("france_services", "fabrique", "manufacture", "incubator")
FAMILY_SINGULARS: dict[str, str] = {
    "siae": "structure d'insertion",
    "cooperative": "coopérative",
    "mutual": "mutuelle",
    "foundation": "fondation",
    "association": "association employeuse",
    "ess_company": "entreprise commerciale de l'ESS",
    "france_services": "France services",
    "fabrique": "Fabrique de territoire",
    "manufacture": "Manufacture de proximité",
    "incubator": "incubateur du Kiif",
}
FAMILY_PLURALS: dict[str, str] = {
    "siae": "structures d'insertion",
    "cooperative": "coopératives",
    "mutual": "mutuelles",
    "foundation": "fondations",
    "association": "associations employeuses",
    "ess_company": "entreprises commerciales de l'ESS",
    "france_services": "France services",
    "fabrique": "Fabriques de territoire",
    "manufacture": "Manufactures de proximité",
    "incubator": "incubateurs du Kiif",
}

# French slugs of the families (CLI --famille, page query parameter « famille ») -> family keys
FAMILY_SLUGS: dict[str, str] = {
    "siae": "siae",
    "cooperative": "cooperative",
    "mutuelle": "mutual",
    "fondation": "foundation",
    "association": "association",
    "entreprise-ess": "ess_company",
    "france-services": "france_services",
    "fabrique": "fabrique",
    "manufacture": "manufacture",
    "incubateur": "incubator",
}

SIAE_TYPES: dict[str, str] = {
    "ACI": "Atelier et chantier d'insertion",
    "AI": "Association intermédiaire",
    "EI": "Entreprise d'insertion",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "EITI": "Entreprise d'insertion par le travail indépendant",
    "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée de travail temporaire",
    "ESAT": "Établissement et service d'aide par le travail",
    "OPCS": "Organisation porteuse de clauses sociales",
}

# legal natures (INSEE catégories juridiques, niveau III) -> (family, label)
COOPERATIVE_NATURES: dict[str, str] = {
    "5192": "Société coopérative de banque populaire",
    "5193": "Caisse de crédit maritime mutuel",
    "5194": "Caisse (fédérale) de crédit mutuel",
    "5195": "Association coopérative inscrite (droit local Alsace-Moselle)",
    "5196": "Caisse d'épargne et de prévoyance à forme coopérative",
    "5203": "Société en nom collectif coopérative",
    "5307": "Société en commandite simple coopérative",
    "5309": "Société en commandite par actions coopérative",
    "5432": "SARL d'intérêt collectif agricole (SICA)",
    "5443": "SARL coopérative de construction",
    "5451": "SARL coopérative de consommation",
    "5453": "SARL coopérative artisanale",
    "5454": "SARL coopérative d'intérêt maritime",
    "5455": "SARL coopérative de transport",
    "5458": "SARL coopérative de production (SCOP)",
    "5459": "SARL union de sociétés coopératives",
    "5460": "Autre SARL coopérative",
    "5532": "SA d'intérêt collectif agricole (SICA)",
    "5543": "SA coopérative de construction",
    "5547": "SA coopérative de production de HLM",
    "5551": "SA coopérative de consommation",
    "5552": "SA coopérative de commerçants-détaillants",
    "5553": "SA coopérative artisanale",
    "5554": "SA coopérative d'intérêt maritime",
    "5555": "SA coopérative de transport",
    "5558": "SA coopérative de production (SCOP)",
    "5559": "SA union de sociétés coopératives",
    "5560": "Autre SA coopérative",
    "5632": "SA d'intérêt collectif agricole (SICA)",
    "5643": "SA coopérative de construction à directoire",
    "5647": "Société coopérative de production de HLM à directoire",
    "5651": "SA coopérative de consommation à directoire",
    "5652": "SA coopérative de commerçants-détaillants à directoire",
    "5653": "SA coopérative artisanale à directoire",
    "5654": "SA coopérative d'intérêt maritime à directoire",
    "5655": "SA coopérative de transport à directoire",
    "5658": "SA coopérative de production (SCOP) à directoire",
    "5659": "SA union de sociétés coopératives à directoire",
    "5660": "Autre SA coopérative à directoire",
    "6100": "Caisse d'épargne et de prévoyance",
    "6316": "Coopérative d'utilisation de matériel agricole en commun (CUMA)",
    "6317": "Société coopérative agricole",
    "6318": "Union de sociétés coopératives agricoles",
    "6532": "Société civile d'intérêt collectif agricole (SICA)",
    "6543": "Société civile coopérative de construction",
    "6551": "Société civile coopérative de consommation",
    "6554": "Société civile coopérative d'intérêt maritime",
    "6558": "Société civile coopérative entre médecins",
    "6560": "Autre société civile coopérative",
    "6595": "Caisse locale de crédit mutuel",
    "6596": "Caisse de crédit agricole mutuel",
}
SCOP_NATURES = frozenset({"5458", "5558", "5658"})
MUTUAL_NATURES: dict[str, str] = {
    "5191": "Société de caution mutuelle",
    "6411": "Société d'assurance à forme mutuelle",
    "8210": "Mutuelle",
    "8250": "Assurance mutuelle agricole",
    "8290": "Autre organisme mutualiste",
    "8510": "Institution de prévoyance",
}
FOUNDATION_NATURES: dict[str, str] = {"9300": "Fondation"}
ASSOCIATION_NATURES: dict[str, str] = {
    "9210": "Association non déclarée",
    "9220": "Association déclarée",
    "9221": "Association déclarée d'insertion par l'économique",
    "9222": "Association intermédiaire",
    "9223": "Groupement d'employeurs",
    "9230": "Association reconnue d'utilité publique",
    "9240": "Congrégation",
    "9260": "Association de droit local (Alsace-Moselle)",
}
COMMERCIAL_LABELS: dict[str, str] = {
    "5499": "SARL",
    "5599": "SA à conseil d'administration",
    "5699": "SA à directoire",
    "5710": "SAS",
    "5720": "SASU",
    "5202": "Société en nom collectif",
    "6599": "Autre société civile",
}
# legal natures asked of the API for the non-employing cooperatives, mutuals and foundations
NON_ASSOCIATION_NATURES = tuple(sorted({*COOPERATIVE_NATURES, *MUTUAL_NATURES, *FOUNDATION_NATURES}))
NON_EMPLOYER_BRACKETS = frozenset({"NN", ""})
EMPLOYER_BRACKETS = ("00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")
BRACKETS: dict[str, str] = {
    "NN": "non employeur",
    "00": "0 salarié au 31/12",
    "01": "1 ou 2 salariés",
    "02": "3 à 5 salariés",
    "03": "6 à 9 salariés",
    "11": "10 à 19 salariés",
    "12": "20 à 49 salariés",
    "21": "50 à 99 salariés",
    "22": "100 à 199 salariés",
    "31": "200 à 249 salariés",
    "32": "250 à 499 salariés",
    "41": "500 à 999 salariés",
    "42": "1 000 à 1 999 salariés",
    "51": "2 000 à 4 999 salariés",
    "52": "5 000 à 9 999 salariés",
    "53": "10 000 salariés et plus",
}
_COOP_NAME = re.compile(r"\b(SCOP|SCIC|CAE|COOPERATIVE|COOPÉRATIVE|COOP)\b", re.IGNORECASE)
_SCIC_NAME = re.compile(r"\bSCIC\b|INTERET COLLECTIF|INTÉRÊT COLLECTIF", re.IGNORECASE)
_CAE_NAME = re.compile(r"\bCAE\b|ACTIVIT[EÉ]S? ET D.EMPLOI", re.IGNORECASE)


def family_count(family: str, count: int) -> str:
    """« 1 coopérative », « 3 associations employeuses »."""
    word = FAMILY_PLURALS[family] if count > 1 else FAMILY_SINGULARS[family]
    return f"{count} {word}"


def bracket_label(code: Any) -> str:
    text = str(code or "")
    return BRACKETS.get(text, "effectif non renseigné" if not text else f"tranche {text}")


def bracket_rank(code: Any) -> int:
    """Order of a head-count bracket (larger is bigger; unknown and non employer first)."""
    text = str(code or "")
    return EMPLOYER_BRACKETS.index(text) + 1 if text in EMPLOYER_BRACKETS else 0


def legal_form(nature: Any) -> str:
    code = str(nature or "")
    for table in (
        COOPERATIVE_NATURES,
        MUTUAL_NATURES,
        FOUNDATION_NATURES,
        ASSOCIATION_NATURES,
        COMMERCIAL_LABELS,
    ):
        if code in table:
            return table[code]
    return f"catégorie juridique {code}" if code else ""


def cooperative_kind(nature: str, name: str) -> str:
    """« SCOP », « SCIC », « CAE » or the cooperative's legal label."""
    if nature in SCOP_NATURES or re.search(r"\bSCOP\b", name, re.IGNORECASE):
        return "SCOP"
    if _SCIC_NAME.search(name):
        return "SCIC"
    if _CAE_NAME.search(name):
        return "CAE"
    return COOPERATIVE_NATURES.get(nature, "Coopérative")


def employs(record: dict[str, Any], establishment: dict[str, Any] | None = None) -> bool:
    """Employs people: a head-count bracket of an employer, or an employing establishment."""
    if str(record.get("tranche_effectif_salarie") or "") in EMPLOYER_BRACKETS:
        return True
    for place in (establishment, record.get("siege")):
        if isinstance(place, dict) and (
            place.get("caractere_employeur") == "O"
            or str(place.get("tranche_effectif_salarie") or "") in EMPLOYER_BRACKETS
        ):
            return True
    return False


def classify(record: dict[str, Any], establishment: dict[str, Any] | None = None) -> tuple[str, str] | None:
    """(family, detail) of a kept record (see the module's rules), None when it is not listed."""
    if str(record.get("etat_administratif") or "A") != "A":
        return None
    complements = as_dict(record.get("complements"))
    nature = str(record.get("nature_juridique") or "")
    name = str(record.get("nom_complet") or "")
    ess = complements.get("est_ess") is True
    if complements.get("est_siae") is True:
        kind = str(complements.get("type_siae") or "").upper()
        return "siae", (
            f"{kind} — {SIAE_TYPES[kind]}" if kind in SIAE_TYPES else (kind or "type non renseigné")
        )
    if not ess:
        return None
    if nature in COOPERATIVE_NATURES or (nature[:1] == "5" and _COOP_NAME.search(name)):
        return "cooperative", cooperative_kind(nature, name)
    if nature in MUTUAL_NATURES:
        return "mutual", MUTUAL_NATURES[nature]
    if nature in FOUNDATION_NATURES:
        return "foundation", FOUNDATION_NATURES[nature]
    if nature in ASSOCIATION_NATURES or complements.get("est_association") is True:
        if not employs(record, establishment):
            return None
        return "association", ASSOCIATION_NATURES.get(nature, "Association")
    return "ess_company", legal_form(nature) or "Société de l'ESS"
