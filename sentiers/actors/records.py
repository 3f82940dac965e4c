"""What Sentiers keeps of one result of the API: a legal entity's public facts, never anything about a person.

A whitelist, not a blacklist: only the fields below are kept (officers, finances, VAT numbers, collective
agreements, trade names are dropped whatever the API adds). A result that is a person rather than an
organisation — an « entrepreneur individuel » (legal nature 1000) — or whose owner asked for partial
dissemination (``statut_diffusion`` other than « O ») is dropped whole: its name is a person's name.
"""

from __future__ import annotations

import re
from typing import Any

UNIT_FIELDS = (
    "siren",
    "nom_complet",
    "sigle",
    "activite_principale",
    "section_activite_principale",
    "nature_juridique",
    "tranche_effectif_salarie",
    "date_creation",
    "etat_administratif",
    "nombre_etablissements_ouverts",
)
COMPLEMENT_FIELDS = ("est_ess", "est_siae", "type_siae", "est_association", "est_societe_mission")
ESTABLISHMENT_FIELDS = (
    "siret",
    "adresse",
    "commune",
    "libelle_commune",
    "code_postal",
    "epci",
    "latitude",
    "longitude",
    "activite_principale",
    "tranche_effectif_salarie",
    "caractere_employeur",
    "etat_administratif",
    "est_siege",
)
PERSON_NATURES = frozenset({"1000"})  # entrepreneur individuel: the name is a person's
MAX_TEXT = 300
MAX_ESTABLISHMENTS = 10
_SIREN_RE = re.compile(r"^\d{9}$")


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (a field the API left null)."""
    return value if isinstance(value, dict) else {}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _text(value: Any) -> Any:
    """A kept value: text cut to MAX_TEXT characters without control characters (a name never moves a terminal's
    cursor), numbers and booleans as they are, anything else dropped."""
    if isinstance(value, str):
        return _CONTROL.sub(" ", value[:MAX_TEXT])
    if isinstance(value, bool | int | float) or value is None:
        return value
    return None


def _establishment(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    return {key: _text(data.get(key)) for key in ESTABLISHMENT_FIELDS}


def is_person(result: dict[str, Any]) -> bool:
    complements = as_dict(result.get("complements"))
    if str(result.get("nature_juridique") or "") in PERSON_NATURES:
        return True
    if complements and complements.get("est_entrepreneur_individuel") is True:
        return True
    return result.get("statut_diffusion") not in (None, "O")


def sanitize(result: Any) -> dict[str, Any] | None:
    """The kept fields of one API result, or None when it is not an organisation's public record."""
    if (
        not isinstance(result, dict)
        or not isinstance(result.get("siren"), str)
        or not _SIREN_RE.match(result["siren"])
    ):
        return None
    if is_person(result):
        return None
    kept: dict[str, Any] = {key: _text(result.get(key)) for key in UNIT_FIELDS}
    complements = as_dict(result.get("complements"))
    kept["complements"] = {key: _text(complements.get(key)) for key in COMPLEMENT_FIELDS}
    kept["siege"] = _establishment(result.get("siege"))
    matching = result.get("matching_etablissements")
    establishments = (
        [_establishment(e) for e in matching[:MAX_ESTABLISHMENTS]] if isinstance(matching, list) else []
    )
    kept["matching_etablissements"] = [e for e in establishments if e is not None]
    return kept
