"""The structure profile: who wants to spread, where it may go, what it looks for.

A profile is validated (pydantic v2, unknown keys refused) and saved/loaded as YAML or JSON. When it
carries no ``criteria``, the preset of its défi applies (see :mod:`matching.presets`). Every validation
problem becomes one French :class:`sentiers.errors.SentiersError` naming the field.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sentiers.base.catalogue import CATALOGUE
from sentiers.base.codes import normalise_departement, normalise_region
from sentiers.base.defis import DEFIS as DEFIS  # re-exported: matching reads the défis here
from sentiers.base.defis import Defi
from sentiers.base.naf import ACTIVITY_CHOICES, activity_code
from sentiers.errors import SentiersError
from sentiers.fr import printable, quoted
from sentiers.matching.readiness import Readiness

log = logging.getLogger(__name__)

PUBLICS: dict[str, str] = {
    "seniors": "Seniors",
    "jeunes": "Jeunes",
    "familles": "Familles",
    "demandeurs-emploi": "Demandeurs d'emploi",
    "menages-modestes": "Ménages modestes",
    "tout-public": "Tout public",
}
MODES: dict[str, str] = {
    "antenne": "Antenne (un site physique)",
    "dissemination": "Dissémination (diffusion par des partenaires)",
}
LEVELS: dict[str, str] = {"commune": "Commune", "epci": "Intercommunalité (EPCI)"}
ZONINGS: dict[str, str] = {
    "frr": "France Ruralités Revitalisation",
    "pvd": "Petites villes de demain",
    "va": "Villages d'avenir",
    "acv": "Action cœur de ville",
    "france_services": "France services",
    "fabriques": "Fabrique de territoire",
    "manufactures": "Manufacture de proximité",
}
MISSING_POLICIES: dict[str, str] = {
    "neutral": "valeur manquante = rang médian (0,5), signalée",
    "worst": "valeur manquante = plus mauvais rang (0), signalée",
    "exclude": "candidat écarté s'il lui manque une valeur",
    "epci": "valeur manquante = valeur de l'intercommunalité (imputée, signalée), sinon rang médian",
}

Public = Literal["seniors", "jeunes", "familles", "demandeurs-emploi", "menages-modestes", "tout-public"]
Zoning = Literal["frr", "pvd", "va", "acv", "france_services", "fabriques", "manufactures"]


class Criterion(BaseModel):
    """One scored indicator: how much it weighs and which way is better."""

    model_config = ConfigDict(extra="forbid")

    indicator: str
    weight: float = Field(default=1.0, ge=0)
    direction: Literal["higher", "lower", "target"] | None = None
    target: float | None = None
    reason: str = ""

    @field_validator("indicator")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CATALOGUE:
            raise ValueError(f"indicateur inconnu « {value} » (voir le catalogue des critères)")
        return value

    @model_validator(mode="after")
    def _direction(self) -> Criterion:
        if self.direction is None:
            self.direction = CATALOGUE[self.indicator].need
        if self.direction == "target" and self.target is None:
            raise ValueError("la direction « target » demande une valeur cible (champ target)")
        return self


class Constraints(BaseModel):
    """Hard constraints: a candidate failing one is not ranked."""

    model_config = ConfigDict(extra="forbid")

    kiif_only: bool = True
    rural_only: bool = True
    departements: list[str] = []
    regions: list[str] = []
    population_min: int | None = Field(default=None, ge=0)
    population_max: int | None = Field(default=None, ge=0)
    reference_commune: str | None = None
    max_distance_km: float | None = Field(default=None, gt=0)
    zonings_required: list[Zoning] = []

    @field_validator("departements", "regions", mode="before")
    @classmethod
    def _codes(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str | int):
            value = [value]
        if not isinstance(value, list):
            return value
        normalise = normalise_departement if info.field_name == "departements" else normalise_region
        what = "département" if info.field_name == "departements" else "région"
        out = []
        for item in value:
            code = normalise(item) if isinstance(item, str | int) and not isinstance(item, bool) else None
            if code is None:
                raise ValueError(f"{what} inconnu(e) {quoted(item, 20)}")
            out.append(code)
        return out

    @model_validator(mode="after")
    def _coherent(self) -> Constraints:
        if (
            self.population_min is not None
            and self.population_max is not None
            and self.population_min > self.population_max
        ):
            raise ValueError("population_min dépasse population_max")
        if self.max_distance_km is not None and not self.reference_commune:
            raise ValueError("max_distance_km demande une commune de référence (reference_commune)")
        return self


MAX_REFERENCES = 10
NOT_SIMILARITY = ("distance_reference_km", "distance_incubator_km")  # distances to a point, not a likeness


class SimilarIndicator(BaseModel):
    """One indicator of « Territoires semblables au vôtre » and how much it weighs in the distance."""

    model_config = ConfigDict(extra="forbid")

    indicator: str
    weight: float = Field(default=1.0, ge=0, le=100)
    reason: str = Field(default="", max_length=500)

    @field_validator("indicator")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CATALOGUE:
            raise ValueError(f"indicateur inconnu « {value} » (voir le catalogue des critères)")
        if value in NOT_SIMILARITY:
            raise ValueError(
                f"« {CATALOGUE[value].label} » ne décrit pas un territoire : choisissez un autre indicateur"
            )
        return value


class Similarity(BaseModel):
    """« Territoires semblables au vôtre »: communes where the solution already works, and what « alike » means.

    ``indicators`` None: the défi's defaults (its preset's ``similar`` list)."""

    model_config = ConfigDict(extra="forbid")

    references: list[str] = Field(min_length=1, max_length=MAX_REFERENCES)
    indicators: list[SimilarIndicator] | None = None

    @field_validator("references", mode="before")
    @classmethod
    def _references(cls, value: Any) -> Any:
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            return value
        out = []
        for item in value:
            text = str(item).strip() if isinstance(item, str | int) and not isinstance(item, bool) else ""
            if (
                not text
                or len(text) > 80
                or any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)
            ):
                raise ValueError(
                    f"commune de référence {quoted(item, 30)} illisible (code Insee ou nom attendu)"
                )
            if text not in out:
                out.append(text)
        return out

    @field_validator("indicators")
    @classmethod
    def _unique(cls, value: list[SimilarIndicator] | None) -> list[SimilarIndicator] | None:
        seen: set[str] = set()
        for item in value or []:
            if item.indicator in seen:
                raise ValueError(f"l'indicateur « {item.indicator} » apparaît deux fois")
            seen.add(item.indicator)
        if value is not None and value and all(item.weight == 0 for item in value):
            raise ValueError("tous les poids sont nuls : donnez un poids positif à au moins un indicateur")
        return value


class StructureProfile(BaseModel):
    """A social enterprise's spreading project, as Sentiers scores it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    defi: Defi
    publics: list[Public] = []
    mode: Literal["antenne", "dissemination"] = "antenne"
    level: Literal["commune", "epci"] = "commune"
    constraints: Constraints = Constraints()
    criteria: list[Criterion] | None = None
    missing_policy: Literal["neutral", "worst", "exclude", "epci"] = "neutral"
    description: str = ""
    activity: str | None = Field(
        default=None, description="NAF code of the structure's activity, or a slug of the short list"
    )
    readiness: Readiness | None = None  # « Êtes-vous prêt·e ? » (sentiers.matching.readiness)
    similar: Similarity | None = None  # « Territoires semblables au vôtre » (sentiers.matching.similar)

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # control characters and line separators do not survive a YAML round trip (U+0085 becomes a space)
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value):
            raise ValueError("le nom doit tenir sur une ligne, sans caractère de contrôle")
        return value

    @field_validator("activity", mode="before")
    @classmethod
    def _activity(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        code = activity_code(value)
        if code is None:
            choices = ", ".join(sorted(ACTIVITY_CHOICES))
            raise ValueError(
                f"activité {quoted(value, 30)} non reconnue : un code NAF (ex. 88.99B) ou l'une de : {choices}"
            )
        return code

    @field_validator("criteria")
    @classmethod
    def _unique(cls, value: list[Criterion] | None) -> list[Criterion] | None:
        if value is None:
            return value
        seen: set[str] = set()
        for crit in value:
            if crit.indicator in seen:
                raise ValueError(f"l'indicateur « {crit.indicator} » apparaît deux fois")
            seen.add(crit.indicator)
        return value


# -- French error messages --------------------------------------------------------------------------


def _field_name(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item + 1}]"] if parts else [f"[{item + 1}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "profil"


def _french(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        return "clé inconnue (à retirer ou corriger)"
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " ou ")
        return f"valeur {quoted(value, 40)} non reconnue (valeurs possibles : {expected})"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        sign = "positif ou nul" if kind == "greater_than_equal" and bound == 0 else f"> {bound}"
        if kind == "greater_than_equal" and bound != 0:
            sign = f"≥ {bound}"
        return f"doit être {sign} (reçu : {printable(value, 40)})"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "int_from_float"):
        return f"nombre attendu (reçu : {quoted(value, 40)})"
    if kind in ("bool_parsing", "bool_type"):
        return f"vrai ou faux attendu (reçu : {quoted(value, 40)})"
    if kind in ("string_type",):
        return "texte attendu"
    if kind in ("list_type",):
        return "liste attendue"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "objet (clés : valeurs) attendu"
    if kind == "string_too_short":
        return "ne peut pas être vide"
    if kind == "string_too_long":
        return "trop long"
    if kind == "value_error":
        msg = str(error.get("msg", ""))
        return msg.removeprefix("Value error, ")
    return str(error.get("msg", "valeur invalide"))


def explain(exc: ValidationError, prefix: str = "Profil invalide") -> SentiersError:
    """One French line per problem, each naming its field."""
    problems = [f"{_field_name(tuple(e['loc']))} : {_french(dict(e))}" for e in exc.errors()]
    return SentiersError(f"{prefix} — " + " ; ".join(problems))


def validate_profile(data: Any) -> StructureProfile:
    """A validated profile from a mapping (parsed YAML/JSON), or SentiersError in French."""
    if isinstance(data, StructureProfile):
        return data
    if not isinstance(data, dict):
        raise SentiersError("Profil invalide — le fichier doit contenir un objet (clés : valeurs).")
    try:
        return StructureProfile.model_validate(data)
    except ValidationError as exc:
        raise explain(exc) from None


def parse_profile(text: str, fmt: Literal["yaml", "json"] = "yaml") -> StructureProfile:
    """Parse YAML (a superset of JSON) or strict JSON text into a validated profile."""
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if fmt == "json" else "YAML"
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" (ligne {line + 1})" if line is not None else ""
        if isinstance(exc, json.JSONDecodeError):
            where = f" (ligne {exc.lineno})"
        raise SentiersError(f"Profil illisible : {kind} mal formé{where}.") from None
    return validate_profile(data)


def load_profile(path: str | Path) -> StructureProfile:
    """Read a profile from a .yaml/.yml or .json file."""
    path = Path(path)
    if not path.is_file():
        raise SentiersError(f"Profil introuvable : {path.name}")
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise SentiersError(f"Format de profil non reconnu « {suffix} » : .yaml, .yml ou .json attendu.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SentiersError(f"Profil illisible : {path.name} n'est pas un texte UTF-8.") from None
    return parse_profile(text, "json" if suffix == ".json" else "yaml")


def profile_dict(profile: StructureProfile) -> dict[str, Any]:
    """Plain data, defaults kept (a saved profile reopens identically)."""
    return profile.model_dump(mode="json")


def to_yaml(profile: StructureProfile) -> str:
    return yaml.safe_dump(profile_dict(profile), allow_unicode=True, sort_keys=False)


def to_json(profile: StructureProfile) -> str:
    return json.dumps(profile_dict(profile), ensure_ascii=False, indent=2)


def save_profile(profile: StructureProfile, path: str | Path) -> Path:
    """Write as YAML or JSON, chosen by the suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = to_yaml(profile)
    elif suffix == ".json":
        text = to_json(profile)
    else:
        raise SentiersError(f"Format de profil non reconnu « {suffix} » : .yaml, .yml ou .json attendu.")
    path.write_text(text, encoding="utf-8")
    return path
