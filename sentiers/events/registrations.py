"""The two registration lists of an event: territories with their needs, structures with their solutions.

Files come as the form tools export them (CSV or XLSX, read by the one bounded reader
:func:`sentiers.rural.batch.read_upload` over :mod:`sentiers.upload`: size, rows, columns, cells, decompressed
size and sheet extent bounded, French encodings; a mapping or profile file through :mod:`sentiers.safe_yaml`). Their columns are
mapped once to *roles* (``nom``, ``territoire``, ``defis``…): plain headers are recognised, any other header is
named on the page's preview or in a mapping file (``--colonnes``). Then every row comes back either as a
participant or as a rejected row with its line number and its reason in French: nothing is dropped silently,
``len(accepted) + len(rejected) == rows``. Territories are found with the one lookup
(:func:`sentiers.base.lookup.lookup_territory`), a commune or an EPCI. Text is kept as typed (a formula or
HTML stays inert text: exports defuse it, pages escape it).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from sentiers import fr
from sentiers.base.codes import DEPARTEMENT_REGION, REGION_DEPARTEMENTS, normalise_departement
from sentiers.base.lookup import epci_index_for, index_for, lookup_territory, normalise
from sentiers.errors import SentiersError
from sentiers.matching.presets import defi_titles
from sentiers.matching.profile import PUBLICS, StructureProfile
from sentiers.safe_yaml import DocumentError, load_yaml
from sentiers.upload import FORMULA_WITHOUT_VALUE

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

Kind = Literal["territoires", "structures"]
KINDS: tuple[Kind, ...] = ("territoires", "structures")
KIND_LABELS = {"territoires": "territoires (besoins)", "structures": "structures (solutions)"}
MAX_PARTICIPANTS = 2_000  # per list: rows beyond are rejected, each with its reason
MAX_NAME = 200
MAX_TEXT = 1_000
MAX_MAPPING_BYTES = 64 * 1024
# the first rows not found get close-match suggestions (milliseconds each); the others a plain message
MAX_SUGGESTED_ROWS = 200

TERRITORY_ROLES: dict[str, str] = {
    "nom": "Nom (collectivité, organisation)",
    "territoire": "Commune ou EPCI (nom, code Insee ou SIREN)",
    "departement": "Département (aide à trouver la commune)",
    "niveau": "Niveau (commune ou EPCI)",
    "defis": "Défi(s)",
    "besoin": "Besoin (en mots)",
    "publics": "Publics concernés",
    "mode": "Mode souhaité (antenne, dissémination)",
    "contact": "Contact (nom)",
    "role": "Rôle du contact",
    "email": "Courriel du contact",
}
STRUCTURE_ROLES: dict[str, str] = {
    "nom": "Nom de la structure",
    "defis": "Défi(s)",
    "solution": "Solution (en mots)",
    "mode": "Mode d'essaimage (antenne, dissémination)",
    "departements": "Départements ou régions visés",
    "commune": "Commune du siège",
    "publics": "Publics",
    "profil": "Profil Sentiers (fichier ou lien de partage)",
    "contact": "Contact (nom)",
    "role": "Rôle du contact",
    "email": "Courriel du contact",
}
ROLES: dict[Kind, dict[str, str]] = {"territoires": TERRITORY_ROLES, "structures": STRUCTURE_ROLES}
REQUIRED: dict[Kind, tuple[str, ...]] = {"territoires": ("nom", "defis"), "structures": ("nom", "defis")}

# plain headers (normalised: lower case, no accents, single spaces) recognised without a mapping; the roles are
# tried in this order, so "nom du contact" is a contact before it is a name
_COMMON_HINTS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e mail",
        "mail",
        "courriel",
        "adresse mail",
        "adresse e mail",
        "adresse electronique",
    ),
    "role": ("role", "role du contact", "fonction", "fonction du contact", "qualite"),
    "contact": (
        "contact",
        "nom du contact",
        "interlocuteur",
        "personne a contacter",
        "referent",
        "prenom nom",
        "nom prenom",
        "prenom et nom",
    ),
    "defis": (
        "defi",
        "defis",
        "defi s",
        "defis de la ruralite",
        "defi de la ruralite",
        "thematique",
        "theme",
    ),
    "publics": ("public", "publics", "publics concernes", "publics cibles", "public cible", "beneficiaires"),
    "mode": ("mode", "mode souhaite", "mode d essaimage", "essaimage", "modalite"),
    "profil": ("profil", "profil sentiers", "fichier profil", "lien profil", "lien du profil"),
}
_HINTS: dict[Kind, dict[str, tuple[str, ...]]] = {
    "territoires": {
        **{k: v for k, v in _COMMON_HINTS.items() if k != "profil"},
        "departement": ("departement", "dep", "dept", "dpt", "code departement", "num departement"),
        "niveau": ("niveau", "type de territoire", "echelon", "echelle"),
        "territoire": (
            "territoire",
            "commune",
            "code",
            "code insee",
            "insee",
            "code commune",
            "epci",
            "siren",
            "commune ou epci",
            "intercommunalite",
            "cog",
            "commune ou code",
        ),
        "besoin": ("besoin", "besoins", "besoin en quelques mots", "description du besoin", "votre besoin"),
        "nom": (
            "nom",
            "collectivite",
            "nom de la collectivite",
            "organisation",
            "organisme",
            "structure",
            "nom de la structure",
            "raison sociale",
        ),
    },
    "structures": {
        **_COMMON_HINTS,
        "departements": (
            "departements",
            "departement",
            "departements vises",
            "departements cibles",
            "regions",
            "region",
            "regions visees",
            "zone",
            "zone d intervention",
            "territoires vises",
            "territoires cibles",
            "zone geographique",
        ),
        "commune": ("commune", "siege", "commune du siege", "ville", "code", "code insee", "localisation"),
        "solution": ("solution", "solutions", "description", "solution proposee", "votre solution", "projet"),
        "nom": ("nom", "structure", "nom de la structure", "organisation", "organisme", "raison sociale"),
    },
}

_SPLIT = re.compile(r"[;,|/\n\r\t+]+")
_EMAIL = re.compile(r"^[^@\s<>\"';,]+@[^@\s<>\"';,]+\.[^@\s<>\"';,]+$")
_LEADING_DEP = re.compile(r"^(\d{1,3}|2[ABab])(?:\s*[-–—:]\s*.*|\s*\(.*\)|\s+\D.*)?$")
_EPCI_WORDS = ("cc ", "ca ", "cu ", "communaute ", "metropole", "agglo", "pays ", "ccom ")


# -- participants ----------------------------------------------------------------------------------------


@dataclass
class Contact:
    """What the event needs to reach a participant, nothing more; deleted with the event."""

    name: str = ""
    role: str = ""
    email: str = ""


@dataclass
class Territory:
    """A registered territory: who (``name`` as imported), where (a commune or an EPCI), what it needs."""

    line: int
    name: str
    code: str
    level: Literal["commune", "epci"]
    label: str  # « Die (26) », « CC du Diois »
    departements: list[str]
    region: str
    lat: float | None
    lon: float | None
    defis: list[str]
    publics: list[str] = field(default_factory=list)
    mode: str | None = None
    need: str = ""
    contact: Contact = field(default_factory=Contact)
    notes: list[str] = field(default_factory=list)
    absent: bool = False


@dataclass
class Structure:
    """A registered structure and its solution: défis, mode, where it wants to go, optionally its profile."""

    line: int
    name: str
    defis: list[str]
    publics: list[str] = field(default_factory=list)
    mode: str | None = None
    solution: str = ""
    target_departements: list[str] = field(default_factory=list)
    target_regions: list[str] = field(default_factory=list)
    everywhere: bool = False
    seat_code: str = ""
    seat_label: str = ""
    seat_region: str = ""
    seat_lat: float | None = None
    seat_lon: float | None = None
    profile: dict[str, Any] | None = None  # a validated StructureProfile, as plain data
    contact: Contact = field(default_factory=Contact)
    notes: list[str] = field(default_factory=list)
    absent: bool = False

    @property
    def has_targets(self) -> bool:
        return self.everywhere or bool(self.target_departements or self.target_regions)

    def structure_profile(self) -> StructureProfile | None:
        return StructureProfile.model_validate(self.profile) if self.profile else None


def to_record(participant: Territory | Structure) -> dict[str, Any]:
    """Plain data (JSON-able) of a participant, without its contact (stored apart, deleted with the event)."""
    data = asdict(participant)
    data.pop("contact", None)
    return data


def territory_from_record(data: Mapping[str, Any], contact: Contact | None = None) -> Territory:
    return Territory(**{**data, "contact": contact or Contact()})


def structure_from_record(data: Mapping[str, Any], contact: Contact | None = None) -> Structure:
    return Structure(**{**data, "contact": contact or Contact()})


@dataclass
class RejectedRow:
    """A row that did not become a participant, and why (French)."""

    list: Kind
    line: int
    name: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"list": self.list, "line": self.line, "name": self.name, "reason": self.reason}


@dataclass
class ImportResult:
    """One list read: every row is in ``accepted`` or in ``rejected`` (``rows`` = their sum)."""

    kind: Kind
    rows: int
    mapping: dict[str, str]
    accepted: list[Any]  # list[Territory] or list[Structure]
    rejected: list[RejectedRow]

    def sentence(self) -> str:
        text = (
            f"{fr.plural(self.rows, 'ligne')} : {fr.plural(len(self.accepted), 'inscription retenue', 'inscriptions retenues')}"
            f", {fr.plural(len(self.rejected), 'ligne écartée', 'lignes écartées')}"
        )
        noted = sum(1 for p in self.accepted if p.notes)
        if noted:
            text += f" ; {fr.plural(noted, 'inscription porte', 'inscriptions portent')} une remarque"
        return text + "."


# -- column mapping --------------------------------------------------------------------------------------


class ColumnMapping(BaseModel):
    """Which column holds which role, per list (a mapping file: YAML or JSON with these two keys)."""

    model_config = ConfigDict(extra="forbid")

    territoires: dict[str, str] = {}
    structures: dict[str, str] = {}

    @field_validator("territoires", "structures")
    @classmethod
    def _known_roles(cls, value: dict[str, str], info: Any) -> dict[str, str]:
        roles = ROLES[info.field_name]
        unknown = [r for r in value if r not in roles]
        if unknown:
            raise ValueError(f"rôle(s) inconnu(s) : {', '.join(unknown)} (rôles : {', '.join(roles)})")
        return {r: str(c) for r, c in value.items()}


def parse_mapping(data: bytes | str, name: str = "colonnes") -> ColumnMapping:
    """A mapping file (YAML or JSON, bounded); SentiersError in French."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_MAPPING_BYTES:
        raise SentiersError(f"Fichier de colonnes {fr.quoted(name, 40)} trop grand (64 Ko au plus).")
    try:  # the one bounded YAML reader: no anchors or aliases (a « billion laughs » is refused), nesting bounded
        doc = load_yaml(raw, fr.quoted(name, 40), max_bytes=MAX_MAPPING_BYTES, max_depth=8)
    except DocumentError as exc:
        if exc.damaged:
            raise SentiersError(
                f"Fichier de colonnes {fr.quoted(name, 40)} illisible : YAML ou JSON attendu."
            ) from None
        raise SentiersError(f"Fichier de colonnes refusé : {exc}") from None
    if not isinstance(doc, dict):
        raise SentiersError(
            f"Fichier de colonnes {fr.quoted(name, 40)} : un objet « territoires: {{rôle: colonne}}, "
            "structures: {…} » est attendu."
        )
    try:
        return ColumnMapping.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise SentiersError(f"Fichier de colonnes {fr.quoted(name, 40)} : {where} : {msg}.") from None


def _header_key(header: str) -> str:
    return normalise(str(header).replace("_", " "))


def guess_mapping(kind: Kind, columns: list[str]) -> dict[str, str]:
    """Roles recognised from plain headers: exact words first, then a header starting with a hint."""
    hints = _HINTS[kind]
    found: dict[str, str] = {}
    used: set[str] = set()
    keys = {c: _header_key(c) for c in columns}
    for role, words in hints.items():
        for column in columns:
            if column not in used and role not in found and keys[column] in words:
                found[role] = column
                used.add(column)
    for role, words in hints.items():
        if role in found:
            continue
        for column in columns:
            key = keys[column]
            if column in used:
                continue
            if any(len(w) > 3 and (key.startswith(w + " ") or f" {w} " in f" {key} ") for w in words):
                found[role] = column
                used.add(column)
                break
    return {role: found[role] for role in ROLES[kind] if role in found}


def check_mapping(kind: Kind, mapping: Mapping[str, str], columns: list[str]) -> dict[str, str]:
    """The mapping, checked against the file's columns: required roles present, columns that exist."""
    out: dict[str, str] = {}
    lowered = {c.lower().strip(): c for c in columns}
    for role, column in mapping.items():
        if not column:
            continue
        if role not in ROLES[kind]:
            raise SentiersError(
                f"Rôle de colonne inconnu {fr.quoted(role, 30)} pour les {KIND_LABELS[kind]}."
            )
        actual = column if column in columns else lowered.get(str(column).lower().strip())
        if actual is None:
            shown = ", ".join(columns[:12])
            raise SentiersError(
                f"Colonne {fr.quoted(column, 60)} absente du fichier des {KIND_LABELS[kind]} (colonnes : {shown})."
            )
        out[role] = actual
    if kind == "territoires" and "territoire" not in out and "nom" in out:
        out["territoire"] = out[
            "nom"
        ]  # no place column: the name itself is looked up (« Die », « CC du Diois »)
    missing = [ROLES[kind][r] for r in REQUIRED[kind] if r not in out]
    if missing:
        raise SentiersError(
            f"Fichier des {KIND_LABELS[kind]} : colonne(s) à désigner : {', '.join(missing)} "
            f"(colonnes du fichier : {', '.join(columns[:12])})."
        )
    return out


# -- cells -----------------------------------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    text = fr.printable(value, limit) if value is not None else ""
    return text.strip()


def _items(value: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(value or "") if p.strip()]


def _defi_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for slug, title in defi_titles().items():
        keys[normalise(title)] = slug
        keys[normalise(slug)] = slug
        keys[slug] = slug
    return keys


def parse_defis(value: str) -> tuple[list[str], list[str]]:
    """(slugs, unknown items) of a cell naming défis by their title or slug."""
    keys = _defi_keys()
    found: list[str] = []
    unknown: list[str] = []
    for item in _items(value):
        slug = keys.get(item.strip().lower()) or keys.get(normalise(item))
        if slug is None:
            unknown.append(item)
        elif slug not in found:
            found.append(slug)
    return found, unknown


_PUBLIC_SYNONYMS = {
    "personnes agees": "seniors",
    "aines": "seniors",
    "senior": "seniors",
    "jeunesse": "jeunes",
    "jeune": "jeunes",
    "famille": "familles",
    "tous publics": "tout-public",
    "tout public": "tout-public",
    "grand public": "tout-public",
    "demandeurs d emploi": "demandeurs-emploi",
    "chomeurs": "demandeurs-emploi",
    "menages modestes": "menages-modestes",
    "personnes en precarite": "menages-modestes",
}


def parse_publics(value: str) -> tuple[list[str], list[str]]:
    keys = {normalise(label): slug for slug, label in PUBLICS.items()}
    keys |= {normalise(slug): slug for slug in PUBLICS} | _PUBLIC_SYNONYMS
    found: list[str] = []
    unknown: list[str] = []
    for item in _items(value):
        slug = keys.get(normalise(item))
        if slug is None:
            unknown.append(item)
        elif slug not in found:
            found.append(slug)
    return found, unknown


def parse_mode(value: str) -> tuple[str | None, bool]:
    """(mode, understood): antenne / dissemination / None (both, indifferent, blank)."""
    key = normalise(value)
    if not key or key in ("les deux", "indifferent", "peu importe", "ne sait pas", "nsp", "tous", "autre"):
        return None, True
    if key.startswith(("antenne", "implantation", "site")):
        return "antenne", True
    if key.startswith(
        ("dissemination", "diffusion", "partenaire", "partenariat", "franchise", "essaimage souple")
    ):
        return "dissemination", True
    return None, False


@dataclass
class _Places:
    """Names of départements and régions of the base, for the structures' targets."""

    departements: dict[str, str]
    regions: dict[str, str]


def _places(base: Base) -> _Places:
    def make() -> _Places:
        deps = dict(index_for(base).departement_names)
        regions: dict[str, str] = {}
        frame = base.regions
        if len(frame) and {"code", "name"} <= set(frame.columns):
            regions = {
                normalise(str(n), drop_article=True): str(c)
                for c, n in zip(frame["code"], frame["name"], strict=True)
            }
        return _Places(deps, regions)

    return base.memo(("events", "places"), make)


def parse_targets(base: Base, value: str) -> tuple[list[str], list[str], bool, list[str]]:
    """(départements, régions, everywhere, unknown items) of a cell naming where a structure wants to go."""
    places = _places(base)
    deps: list[str] = []
    regions: list[str] = []
    everywhere = False
    unknown: list[str] = []
    for item in _items(value):
        key = normalise(item, drop_article=True)
        if key in (
            "france",
            "france entiere",
            "toute la france",
            "national",
            "nationale",
            "partout",
            "tout le territoire",
        ):
            everywhere = True
            continue
        region_key = (
            re.sub(r"^(?:region|reg|r)\s*", "", key) if re.match(r"^(?:region|reg|r)\s*\d", key) else None
        )
        if region_key is not None and region_key.zfill(2) in REGION_DEPARTEMENTS:
            code = region_key.zfill(2)
            regions += [code] if code not in regions else []
            continue
        match = _LEADING_DEP.match(item.strip())
        dep = normalise_departement(match.group(1)) if match else None
        if dep is None:
            dep = places.departements.get(key)
        if dep is not None:
            deps += [dep] if dep not in deps else []
            continue
        region = places.regions.get(re.sub(r"^region\s+", "", key))
        if region is not None:
            regions += [region] if region not in regions else []
            continue
        unknown.append(item)
    return deps, regions, everywhere, unknown


def _email(value: str) -> tuple[str, bool]:
    text = str(value or "").strip()
    if not text:
        return "", True
    if len(text) <= 254 and _EMAIL.match(text):
        return text, True
    return "", False


# -- territories: the one lookup -------------------------------------------------------------------------


@dataclass
class _Place:
    code: str
    level: Literal["commune", "epci"]
    label: str
    departements: list[str]
    region: str
    lat: float | None
    lon: float | None


def _commune_places(base: Base) -> dict[str, tuple[str, str, str, float | None, float | None]]:
    """Code -> (name, département, région, lat, lon) of every commune."""

    def make() -> dict[str, tuple[str, str, str, float | None, float | None]]:
        c = base.communes
        lat = pd.to_numeric(c["lat"], errors="coerce") if "lat" in c else pd.Series(np.nan, index=c.index)
        lon = pd.to_numeric(c["lon"], errors="coerce") if "lon" in c else pd.Series(np.nan, index=c.index)
        region = (
            c["region"].astype(str) if "region" in c else c["departement"].astype(str).map(DEPARTEMENT_REGION)
        )
        out = {}
        for code, name, dep, reg, la, lo in zip(
            c["code"].astype(str),
            c["name"].astype(str),
            c["departement"].astype(str),
            region,
            lat,
            lon,
            strict=True,
        ):
            out[code] = (
                name,
                dep,
                str(reg or ""),
                None if pd.isna(la) else float(la),
                None if pd.isna(lo) else float(lo),
            )
        return out

    return base.memo(("events", "commune_places"), make)


def _epci_places(base: Base) -> dict[str, tuple[list[str], str, float | None, float | None]]:
    """SIREN -> (départements, main région, lat, lon): population-weighted centre of its communes."""

    def make() -> dict[str, tuple[list[str], str, float | None, float | None]]:
        c = base.communes
        if "epci" not in c:
            return {}
        frame = pd.DataFrame(
            {
                "epci": c["epci"].astype(str),
                "dep": c["departement"].astype(str),
                "pop": pd.to_numeric(c.get("population"), errors="coerce").fillna(0) + 1.0,
                "lat": pd.to_numeric(c.get("lat"), errors="coerce"),
                "lon": pd.to_numeric(c.get("lon"), errors="coerce"),
            }
        )
        frame = frame[frame["epci"].str.len() > 0]
        out: dict[str, tuple[list[str], str, float | None, float | None]] = {}
        for siren, group in frame.groupby("epci", sort=False):
            deps = group.groupby("dep")["pop"].sum().sort_values(ascending=False)
            located = group.dropna(subset=["lat", "lon"])
            lat = lon = None
            if len(located):
                w = located["pop"].to_numpy()
                lat = float(np.average(located["lat"], weights=w))
                lon = float(np.average(located["lon"], weights=w))
            main = str(deps.index[0])
            out[str(siren)] = ([str(d) for d in deps.index], DEPARTEMENT_REGION.get(main, ""), lat, lon)
        return out

    return base.memo(("events", "epci_places"), make)


def _level_hint(value: str) -> str | None:
    key = normalise(value)
    if not key:
        return None
    if key.startswith(("epci", "intercommunalite", "communaute", "cc", "ca", "cu", "metropole", "agglo")):
        return "epci"
    if key.startswith(("commune", "ville", "mairie", "village")):
        return "commune"
    return None


class _Finder:
    """Finds the commune or EPCI a row names, with the one lookup; remembers answers (duplicates are common)."""

    def __init__(self, base: Base) -> None:
        self.base = base
        self.communes = _commune_places(base)
        self.epci = _epci_places(base)
        self.epci_index = epci_index_for(base)
        self.cache: dict[tuple[str, str, str | None], tuple[_Place | None, str]] = {}
        self.suggested = 0

    def find(self, value: str, dep: str, level: str | None) -> tuple[_Place | None, str]:
        key = (value, dep, level)
        if key not in self.cache:
            self.cache[key] = self._find(value, dep, level)
        return self.cache[key]

    def _find(self, value: str, dep: str, level: str | None) -> tuple[_Place | None, str]:
        text = value.strip()
        if not text:
            return None, "commune ou EPCI manquant"
        compact = text.replace(" ", "")
        if level is None:
            words = normalise(text) + " "
            level = (
                "epci" if (compact.isdigit() and len(compact) == 9) or words.startswith(_EPCI_WORDS) else None
            )
        order = [level] if level else ["commune", "epci"]
        if level == "epci":
            order = ["epci", "commune"]
        first_message = ""
        for i, lvl in enumerate(order):
            query = text
            if lvl == "commune" and dep.strip() and "(" not in text:
                query = f"{text} ({dep.strip()})"
            with_suggestions = self.suggested < MAX_SUGGESTED_ROWS
            # the column is documented as « nom, code Insee ou SIREN »: a code that is also a postal code is
            # read as the commune's Insee code (« CP 26150 » asks for the postal reading)
            result = lookup_territory(
                self.base, query, lvl, with_suggestions=with_suggestions, insee_first=True
            )
            if lvl == "epci" and result.kind == "epci_of_commune":
                result = result.model_copy(update={"status": "not_found"})  # a commune is not its EPCI
            if result.status == "ok":
                return self._place(result.codes[0], lvl), ""
            if result.status == "ambiguous":
                return None, self._ambiguous(result.codes, lvl)
            if result.status == "invalid":
                return None, result.message or "commune ou EPCI illisible"
            if i == 0:
                first_message = result.message
                if result.suggestions:
                    self.suggested += 1
                    shown = " ; ".join(
                        f"{s.name} ({s.departement}, {s.code})" for s in result.suggestions[:3]
                    )
                    first_message += f" Suggestions : {shown}."
        return None, f"introuvable : {first_message}".strip()

    def _place(self, code: str, level: str) -> _Place:
        if level == "epci":
            deps, region, lat, lon = self.epci.get(code, ([], "", None, None))
            return _Place(code, "epci", self.epci_index.names.get(code, code), deps, region, lat, lon)
        name, dep, region, lat, lon = self.communes[code]
        return _Place(code, "commune", f"{name} ({dep})", [dep], region, lat, lon)

    def _ambiguous(self, codes: list[str], level: str) -> str:
        if level == "epci":
            shown = " ; ".join(self.epci_index.label(c) for c in codes[:4])
            return f"ambigu : {len(codes)} intercommunalités ({shown}) ; donnez le SIREN"
        shown = " ; ".join(
            f"{self.communes[c][0]} ({self.communes[c][1]}, {c})" for c in codes[:4] if c in self.communes
        )
        return f"ambigu : {len(codes)} communes ({shown}) ; précisez le département ou le code Insee"


# -- reading a list --------------------------------------------------------------------------------------

ProfileLoader = Callable[[str], StructureProfile]


def _column(frame: pd.DataFrame, mapping: Mapping[str, str], role: str) -> list[str]:
    column = mapping.get(role)
    if not column:
        return [""] * len(frame)
    return frame[column].astype(str).tolist()


def _formula_cells(frame: pd.DataFrame, mapping: Mapping[str, str]) -> dict[int, list[str]]:
    """Row index -> the mapped columns whose cell is a formula saved without its value (read_upload's attrs)."""
    read = set(mapping.values())
    uncached = frame.attrs.get("uncached") or {}
    return {int(i): [c for c in cols if c in read] for i, cols in uncached.items() if read & set(cols)}


def _rows(
    kind: Kind,
    cols: Mapping[str, list[str]],
    n: int,
    accepted: Sequence[object],
    rejected: list[RejectedRow],
    progress: Callable[[float, str], None] | None,
    formulas: Mapping[int, list[str]] | None = None,
) -> Iterator[tuple[int, int, str, str, list[str], Callable[[str], None]]]:
    """The rows of a list past the checks both lists share (no formula cell without its value in a column read,
    a name, the cap on participants, known défis): (index, line number, name, name as typed, défis, reject).
    A row failing them is rejected here, with its line and its reason."""
    formulas = formulas or {}
    step = max(n // 50, 200)
    label = "Territoires" if kind == "territoires" else "Structures"
    for i in range(n):
        line = i + 2
        raw_name = cols["nom"][i]
        name = _text(raw_name, MAX_NAME)

        def reject(reason: str, line: int = line, name: str = name, raw: str = raw_name) -> None:
            rejected.append(RejectedRow(kind, line, name or _text(raw, 80), reason))

        if progress is not None and (i % step == 0 or i == n - 1):
            progress((i + 1) / max(n, 1), f"{label} : {i + 1} / {n} lignes")
        if formulas.get(i):
            shown = ", ".join(fr.quoted(c, 40) for c in formulas[i][:3])
            reject(f"cellule {shown} : {FORMULA_WITHOUT_VALUE}")
            continue
        if not name:
            blank = not any(str(values[i]).strip() for values in cols.values())
            reject("ligne vide" if blank else "nom manquant")
            continue
        if len(accepted) >= MAX_PARTICIPANTS:
            reject(f"au-delà des {fr.integer(MAX_PARTICIPANTS)} {kind} qu'une liste peut compter")
            continue
        defis, unknown_defis = parse_defis(cols["defis"][i])
        if unknown_defis:
            reject(
                f"défi non reconnu {fr.quoted(unknown_defis[0], 60)} (titre ou identifiant d'un des six défis)"
            )
            continue
        if not defis:
            reject("aucun défi indiqué")
            continue
        yield i, line, name, raw_name, defis, reject


def _shared_fields(
    cols: Mapping[str, list[str]], i: int, name: str, raw_name: str
) -> tuple[list[str], list[str], str | None]:
    """The notes, publics and mode of an accepted row, read the same way in both lists."""
    notes: list[str] = []
    if name != str(raw_name).strip():
        notes.append("nom raccourci ou nettoyé (caractères de contrôle, longueur)")
    publics, unknown_publics = parse_publics(cols["publics"][i])
    if unknown_publics:
        notes.append(
            f"public(s) non reconnu(s), ignoré(s) : {', '.join(fr.quoted(u, 30) for u in unknown_publics[:3])}"
        )
    mode, understood = parse_mode(cols["mode"][i])
    if not understood:
        notes.append(f"mode non reconnu {fr.quoted(cols['mode'][i], 30)} : ignoré")
    return notes, publics, mode


def read_territories(
    base: Base,
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Every row of the territories' list: a Territory or a RejectedRow (with its line number, header = 1)."""
    mapping = check_mapping("territoires", mapping, list(frame.columns))
    cols = {role: _column(frame, mapping, role) for role in TERRITORY_ROLES}
    finder = _Finder(base)
    accepted: list[Territory] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, str], int] = {}
    n = len(frame)
    formulas = _formula_cells(frame, mapping)
    for i, line, name, raw_name, defis, reject in _rows(
        "territoires", cols, n, accepted, rejected, progress, formulas
    ):
        place_text = _text(cols["territoire"][i], 150)
        place, why = finder.find(place_text, cols["departement"][i], _level_hint(cols["niveau"][i]))
        if place is None:
            reject(f"{fr.quoted(place_text, 60)} : {why}" if place_text else why)
            continue
        key = (normalise(name), place.code)
        if key in seen:
            reject(f"doublon de la ligne {seen[key]} (même nom, même territoire)")
            continue
        seen[key] = line
        notes, publics, mode = _shared_fields(cols, i, name, raw_name)
        email, valid = _email(cols["email"][i])
        if not valid:
            notes.append("courriel illisible : non conservé")
        accepted.append(
            Territory(
                line=line,
                name=name,
                code=place.code,
                level=place.level,
                label=place.label,
                departements=place.departements,
                region=place.region,
                lat=place.lat,
                lon=place.lon,
                defis=defis,
                publics=publics,
                mode=mode,
                need=_text(cols["besoin"][i], MAX_TEXT),
                contact=Contact(_text(cols["contact"][i], 120), _text(cols["role"][i], 120), email),
                notes=notes,
            )
        )
    assert len(accepted) + len(rejected) == n
    return ImportResult("territoires", n, dict(mapping), accepted, rejected)


def read_structures(
    base: Base,
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    profiles: ProfileLoader | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Every row of the structures' list: a Structure or a RejectedRow.

    ``profiles`` turns a cell of the ``profil`` column into a validated profile (a file beside the list, an
    uploaded file, a share link); a profile that cannot be read leaves the structure without it, said in
    its notes.
    """
    mapping = check_mapping("structures", mapping, list(frame.columns))
    cols = {role: _column(frame, mapping, role) for role in STRUCTURE_ROLES}
    finder = _Finder(base)
    accepted: list[Structure] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    n = len(frame)
    formulas = _formula_cells(frame, mapping)
    for i, line, name, raw_name, defis, reject in _rows(
        "structures", cols, n, accepted, rejected, progress, formulas
    ):
        key = normalise(name)
        if key in seen:
            reject(f"doublon de la ligne {seen[key]} (même nom)")
            continue
        seen[key] = line
        notes, publics, mode = _shared_fields(cols, i, name, raw_name)
        deps, regions, everywhere, unknown_targets = parse_targets(base, cols["departements"][i])
        if unknown_targets:
            notes.append(
                f"zone(s) non reconnue(s), ignorée(s) : {', '.join(fr.quoted(u, 30) for u in unknown_targets[:3])}"
            )
        structure = Structure(
            line=line,
            name=name,
            defis=defis,
            publics=publics,
            mode=mode,
            solution=_text(cols["solution"][i], MAX_TEXT),
            target_departements=deps,
            target_regions=regions,
            everywhere=everywhere,
            notes=notes,
        )
        seat = _text(cols["commune"][i], 150)
        if seat:
            place, why = finder.find(seat, "", "commune")
            zone = list(dict.fromkeys([*deps, *(d for r in regions for d in REGION_DEPARTEMENTS.get(r, ()))]))
            if place is None and zone:
                # « Valence » names three communes: the one in a département the structure targets is its seat
                found = [
                    f for f in (finder.find(seat, dep, "commune")[0] for dep in zone[:30]) if f is not None
                ]
                if len({f.code for f in found}) == 1:
                    place = found[0]
                    notes.append(
                        f"commune du siège {fr.quoted(seat, 40)} : {place.label}, dans la zone visée"
                    )
            if place is None:
                notes.append(f"commune du siège {fr.quoted(seat, 40)} : {why} ; distance non calculée")
            else:
                structure.seat_code, structure.seat_label = place.code, place.label
                structure.seat_region, structure.seat_lat, structure.seat_lon = (
                    place.region,
                    place.lat,
                    place.lon,
                )
        cell = _text(cols["profil"][i], 20_000)
        if cell:
            if profiles is None:
                notes.append("profil indiqué mais non fourni : score sans profil")
            else:
                try:
                    structure.profile = profiles(cell).model_dump(mode="json")
                except SentiersError as exc:
                    notes.append(
                        f"profil {fr.quoted(cell, 40)} illisible ({fr.printable(exc, 160)}) : score sans profil"
                    )
        email, valid = _email(cols["email"][i])
        if not valid:
            notes.append("courriel illisible : non conservé")
        structure.contact = Contact(_text(cols["contact"][i], 120), _text(cols["role"][i], 120), email)
        accepted.append(structure)
    assert len(accepted) + len(rejected) == n
    return ImportResult("structures", n, dict(mapping), accepted, rejected)


# -- profiles named in a cell ----------------------------------------------------------------------------

MAX_PROFILE_BYTES = 256 * 1024


def profile_loader(files: Mapping[str, bytes]) -> ProfileLoader:
    """A loader of the ``profil`` cells: a share link or token, or the name of one of ``files`` (YAML/JSON)."""
    from sentiers.matching.profile import parse_profile
    from sentiers.matching.share import profile_from_token

    by_name = {name.rsplit("/", 1)[-1].lower(): data for name, data in files.items()}

    def load(cell: str) -> StructureProfile:
        text = cell.strip()
        token = re.search(r"[?&]p=([A-Za-z0-9_\-]+)", text)
        if token:
            return profile_from_token(token.group(1))
        name = text.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if name in by_name:
            data = by_name[name]
            if len(data) > MAX_PROFILE_BYTES:
                raise SentiersError("fichier de profil trop grand (256 Ko au plus)")
            try:
                body = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise SentiersError("le fichier de profil n'est pas un texte UTF-8") from None
            # the profile's own reader, bounded (size, nesting, aliases, expanded size, numbers) like the CLI's
            return parse_profile(body, "json" if name.endswith(".json") else "yaml")
        if name.endswith((".yaml", ".yml", ".json")):
            raise SentiersError(f"fichier {fr.quoted(name, 40)} non fourni")
        if re.fullmatch(r"[A-Za-z0-9_\-]{16,}", text):
            return profile_from_token(text)
        raise SentiersError("ni un fichier de profil (.yaml, .json) ni un lien de partage")

    return load


def import_summary_json(results: list[ImportResult]) -> list[dict[str, Any]]:
    return [r.as_json() for res in results for r in res.rejected]


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
