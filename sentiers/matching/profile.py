"""The structure profile: who wants to spread, where it may go, what it looks for.

A profile is validated (pydantic v2, unknown keys refused) and saved/loaded as YAML or JSON. When it
carries no ``criteria``, the preset of its défi applies (see :mod:`matching.presets`). Every validation
problem becomes one French :class:`sentiers.errors.SentiersError` naming the field.

A profile is user data (a file given to ``sentiers score``, an upload on « Trouver », a share link), so it is
read within bounds before anything unfolds: 1 MB of text, 32 levels of nesting, a few YAML aliases and a
bounded expanded size (no alias bomb), no number of more than 4,300 digits; every number anywhere must be
finite (no ``.nan``, ``.inf``, ``1e400``) and within a sensible range (weights 0 to 100…).
"""

from __future__ import annotations

import json
import logging
import math
import re
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
from sentiers.safe_yaml import DocumentError, json_depth, load_yaml

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


MAX_WEIGHT = 100.0  # weights are relative: 0 to 100 says everything (and their sum cannot overflow)
MAX_NUMBER = 1e12  # no figure of a profile comes near: a larger number anywhere is a typo or an attack
MAX_POPULATION = 100_000_000
MAX_DISTANCE_KM = 20_000.0


class Criterion(BaseModel):
    """One scored indicator: how much it weighs and which way is better."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    indicator: str
    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    direction: Literal["higher", "lower", "target"] | None = None
    target: float | None = Field(default=None, ge=-MAX_NUMBER, le=MAX_NUMBER)
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

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kiif_only: bool = True
    rural_only: bool = True
    departements: list[str] = []
    regions: list[str] = []
    population_min: int | None = Field(default=None, ge=0, le=MAX_POPULATION)
    population_max: int | None = Field(default=None, ge=0, le=MAX_POPULATION)
    reference_commune: str | None = None
    max_distance_km: float | None = Field(default=None, gt=0, le=MAX_DISTANCE_KM)
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

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    indicator: str
    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
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

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

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


_SIMPLE: dict[str, str] = {
    "extra_forbidden": "clé inconnue (à retirer ou corriger)",
    "missing": "champ obligatoire manquant",
    "string_type": "texte attendu",
    "string_unicode": "texte attendu",
    "string_sub_type": "texte attendu",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
    "set_type": "liste attendue",
    "frozen_set_type": "liste attendue",
    "iterable_type": "liste attendue",
    "model_type": "objet (clés : valeurs) attendu",
    "dict_type": "objet (clés : valeurs) attendu",
    "model_attributes_type": "objet (clés : valeurs) attendu",
    "mapping_type": "objet (clés : valeurs) attendu",
    "string_too_short": "ne peut pas être vide",
    "finite_number": "nombre fini attendu (ni .nan ni .inf)",
    "none_required": "aucune valeur attendue",
    "is_instance_of": "type de valeur non attendu",
    "union_tag_invalid": "type de valeur non attendu",
    "union_tag_not_found": "type de valeur non attendu",
    "recursion_loop": "valeur qui se contient elle-même",
    "json_invalid": "JSON mal formé",
    "json_type": "JSON attendu",
    "assertion_error": "valeur non valide",
}


def _bound(value: Any) -> str:
    return printable(f"{value:g}" if isinstance(value, float) else value, 30)


def _french(error: dict[str, Any]) -> str:
    """pydantic's error in French: no English library text reaches a person."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "literal_error" or kind == "enum":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " ou ")
        return f"valeur {quoted(value, 40)} non reconnue (valeurs possibles : {expected})"
    received = f"reçu : {quoted(value, 40)}"
    if kind == "greater_than_equal":
        bound = ctx.get("ge")
        return (
            f"doit être positif ou nul ({received})"
            if bound == 0
            else f"doit être ≥ {_bound(bound)} ({received})"
        )
    if kind == "greater_than":
        return f"doit être > {_bound(ctx.get('gt'))} ({received})"
    if kind == "less_than_equal":
        return f"doit être ≤ {_bound(ctx.get('le'))} ({received})"
    if kind == "less_than":
        return f"doit être < {_bound(ctx.get('lt'))} ({received})"
    if kind.startswith(("float_", "int_", "decimal_", "complex_")) or kind == "number_type":
        return f"nombre attendu ({received})"
    if kind.startswith("bool_"):
        return f"vrai ou faux attendu ({received})"
    if kind == "string_too_long":
        return f"trop long ({_bound(ctx.get('max_length'))} caractères au plus)"
    if kind == "too_short":
        return f"au moins {_bound(ctx.get('min_length'))} élément(s) attendu(s)"
    if kind == "too_long":
        return f"trop d'éléments ({_bound(ctx.get('max_length'))} au plus)"
    if kind == "string_pattern_mismatch":
        return f"forme non reconnue ({received})"
    if kind.startswith(("date_", "datetime_", "time_", "timedelta_")):
        return f"date ou heure illisible ({received})"
    if kind == "value_error":  # our validators' own French words
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return "valeur non valide"


def explain(exc: ValidationError, prefix: str = "Profil invalide") -> SentiersError:
    """One French line for all the problems, each naming its field."""
    problems = [f"{_field_name(tuple(e['loc']))} : {_french(dict(e))}" for e in exc.errors()]
    return SentiersError(f"{prefix} — " + " ; ".join(problems))


# -- reading a profile within bounds ---------------------------------------------------------------------
# bounds of a profile (a full profile is a few KB and a few hundred values); read by the one safe loader
MAX_PROFILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_ALIASES = 16
MAX_NODES = 100_000  # scalars, lists and objects once aliases are expanded


def _too_big(what: str) -> SentiersError:
    return SentiersError(f"Profil refusé : {what}.")


def _number_problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"nombre fini attendu (reçu : {value})"
    if isinstance(value, int | float) and abs(value) > MAX_NUMBER:
        return f"nombre hors limites (reçu : {printable(f'{value:.3g}', 20)})"
    return None


def number_problems(data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[str, str]]:
    """(field, problem) for every number of ``data`` that is not finite or beyond ``MAX_NUMBER``; nesting
    deeper than ``MAX_DEPTH`` refused. Read before pydantic, so that a ``.nan`` under any key is named."""
    if len(loc) > MAX_DEPTH:
        raise _too_big(f"imbriqué sur plus de {MAX_DEPTH} niveaux")
    problem = _number_problem(data)
    if problem:
        return [(_field_name(loc), problem)]
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += number_problems(value, (*loc, printable(key, 40)))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            found += number_problems(value, (*loc, i))
    return found


def validate_profile(data: Any) -> StructureProfile:
    """A validated profile from a mapping (parsed YAML/JSON), or SentiersError in French naming each field."""
    if isinstance(data, StructureProfile):
        return data
    if not isinstance(data, dict):
        raise SentiersError("Profil invalide — le fichier doit contenir un objet (clés : valeurs).")
    numbers = dict(number_problems(data))
    try:
        profile = StructureProfile.model_validate(data)
    except ValidationError as exc:
        problems = {_field_name(tuple(e["loc"])): _french(dict(e)) for e in exc.errors()}
    except RecursionError:
        raise _too_big(f"imbriqué sur plus de {MAX_DEPTH} niveaux") from None
    else:
        if not numbers:
            return profile
        problems = {}
    merged = {**numbers, **{k: v for k, v in problems.items() if k not in numbers}}
    raise SentiersError("Profil invalide — " + " ; ".join(f"{k} : {v}" for k, v in merged.items()))


def parse_profile(text: str, fmt: Literal["yaml", "json"] = "yaml") -> StructureProfile:
    """Parse YAML (a superset of JSON) or strict JSON text into a validated profile, within bounds."""
    kind = "JSON" if fmt == "json" else "YAML"
    if len(text) > MAX_PROFILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_PROFILE_BYTES:
        raise _too_big("plus de 1 Mo (un profil pèse quelques Ko)")
    try:
        if fmt == "json":
            # JSON's NaN/Infinity are let through here so that validate_profile names their field
            if json_depth(text) > MAX_DEPTH:
                raise _too_big(f"imbriqué sur plus de {MAX_DEPTH} niveaux")
            data = json.loads(text)
        else:
            data = load_yaml(
                text, "le fichier", MAX_PROFILE_BYTES, MAX_DEPTH, max_nodes=MAX_NODES, max_aliases=MAX_ALIASES
            )
    except DocumentError as exc:
        if not exc.damaged:  # a bound: size, nesting, aliases, a 4,300-digit number
            raise SentiersError(f"Profil refusé : {exc}") from None
        line = re.search(r"\(ligne \d+\)", str(exc))
        raise SentiersError(
            f"Profil illisible : {kind} mal formé{' ' + line.group() if line else ''}."
        ) from None
    except json.JSONDecodeError as exc:
        raise SentiersError(f"Profil illisible : {kind} mal formé (ligne {exc.lineno}).") from None
    except ValueError as exc:  # Python refuses to read an integer of more than 4,300 digits
        if "digits" in str(exc) or "limit" in str(exc):
            raise _too_big("un nombre de plus de 4 300 chiffres") from None
        raise SentiersError(f"Profil illisible : {kind} mal formé.") from None
    except RecursionError:
        raise _too_big(f"imbriqué sur plus de {MAX_DEPTH} niveaux") from None
    return validate_profile(data)


def load_profile(path: str | Path) -> StructureProfile:
    """Read a profile from a .yaml/.yml or .json file (a regular file of at most 1 MB)."""
    path = Path(path)
    if not path.is_file():
        raise SentiersError(f"Profil introuvable : {quoted(path.name)}")
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise SentiersError(
            f"Format de profil non reconnu {quoted(suffix, 20)} : .yaml, .yml ou .json attendu."
        )
    with path.open("rb") as handle:  # read at most one byte past the limit, whatever the file claims
        raw = handle.read(MAX_PROFILE_BYTES + 1)
    if len(raw) > MAX_PROFILE_BYTES:
        raise _too_big("plus de 1 Mo (un profil pèse quelques Ko)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SentiersError(f"Profil illisible : {quoted(path.name)} n'est pas un texte UTF-8.") from None
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
