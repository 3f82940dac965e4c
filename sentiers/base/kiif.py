"""Kiif coverage of the programme « Les Sentiers »: covered départements by région and member incubators.

The facts live in ``sentiers/base/reference/kiif.yaml`` (staff update it for a new edition without touching code);
this module validates the file (pydantic) and answers the questions the maps and the matching ask:
which départements are covered, and which incubator covers a given département.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sentiers.base.codes import DEPARTEMENT_REGION, REGION_DEPARTEMENTS, check_departement_code
from sentiers.base.reference import reference_path
from sentiers.errors import SentiersError

log = logging.getLogger(__name__)

KIIF_FILE = "kiif.yaml"


class KiifError(SentiersError):
    """kiif.yaml is missing or does not hold a valid coverage description."""


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    organisation: str = ""


class Incubator(BaseModel):
    """The Kiif member of a région. ``verified`` only when a public source confirms it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    verified: bool
    city: str | None = None
    lat: float | None = Field(default=None, ge=-22, le=52)
    lon: float | None = Field(default=None, ge=-62, le=56)
    source_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    region: str = ""  # filled from the enclosing région

    @model_validator(mode="after")
    def _verified_needs_source(self) -> Incubator:
        if self.verified:
            missing = [f for f in ("city", "lat", "lon", "source_url") if getattr(self, f) is None]
            if missing:
                raise ValueError(
                    "un incubateur vérifié doit avoir "
                    + ", ".join(missing)
                    + " (ville, coordonnées et source)"
                )
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat et lon vont ensemble")
        return self

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None


class CoveredDepartement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str = Field(min_length=1, description="name as the programme page writes it")

    @field_validator("code")
    @classmethod
    def _known_code(cls, value: str) -> str:
        if value not in DEPARTEMENT_REGION:
            raise ValueError(
                f"département inconnu « {value} » (codes Insee attendus : 01…95, 2A, 2B, 971…976)"
            )
        return value


class RegionCoverage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str = Field(min_length=1)
    page_name: str = Field(min_length=1, description="name as the programme page writes it")
    incubator: Incubator
    departements: list[CoveredDepartement] = Field(min_length=1)

    @field_validator("code")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in REGION_DEPARTEMENTS:
            raise ValueError(f"région inconnue « {value} »")
        return value

    @model_validator(mode="after")
    def _departements_in_region(self) -> RegionCoverage:
        wrong = [d.code for d in self.departements if DEPARTEMENT_REGION[d.code] != self.code]
        if wrong:
            raise ValueError(f"départements hors de la région {self.code} ({self.name}) : {', '.join(wrong)}")
        self.incubator.region = self.code
        return self


class CalendarStep(BaseModel):
    """One step of the programme's calendar, as its page gives it: a day (``date``) or a period said in words."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1)
    date: dt.date | None = None
    end: dt.date | None = None  # last day of a step over several days
    period: str = ""  # « Octobre 2024 (dates à définir) » when there is no day
    detail: str = ""

    @model_validator(mode="after")
    def _when(self) -> CalendarStep:
        if self.date is None and not self.period:
            raise ValueError(f"étape « {self.label} » : une date ou une période est nécessaire")
        if self.end is not None and (self.date is None or self.end < self.date):
            raise ValueError(f"étape « {self.label} » : la fin précède le début")
        return self


class KiifCoverage(BaseModel):
    """The whole kiif.yaml."""

    model_config = ConfigDict(extra="forbid")
    programme: str
    edition: int = Field(ge=2020, le=2100)
    source: str = Field(min_length=1)
    unconfirmed_label: str = Field(min_length=1)
    contact: Contact
    faq_note: str = Field(min_length=1)
    regions: list[RegionCoverage] = Field(min_length=1)
    calendar: list[CalendarStep] = []  # the edition's steps (selection, seminars, local support)

    @model_validator(mode="after")
    def _unique(self) -> KiifCoverage:
        regions = [r.code for r in self.regions]
        dup_regions = sorted({c for c in regions if regions.count(c) > 1})
        if dup_regions:
            raise ValueError(f"région listée deux fois : {', '.join(dup_regions)}")
        deps = [d.code for r in self.regions for d in r.departements]
        dup = sorted({c for c in deps if deps.count(c) > 1})
        if dup:
            raise ValueError(f"département listé deux fois : {', '.join(dup)}")
        for region in self.regions:
            inc = region.incubator
            if not inc.verified and inc.name != self.unconfirmed_label:
                raise ValueError(
                    f"région {region.code} : un membre non vérifié s'écrit « {self.unconfirmed_label} », "
                    f"pas « {inc.name} »"
                )
        return self

    # -- questions -------------------------------------------------------------------------------
    def region_of(self, departement: str) -> RegionCoverage | None:
        for region in self.regions:
            if any(d.code == departement for d in region.departements):
                return region
        return None

    def departement_codes(self) -> list[str]:
        return [d.code for r in self.regions for d in r.departements]

    def incubators(self) -> list[Incubator]:
        return [r.incubator for r in self.regions]


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "racine"
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "champ obligatoire manquant"
        elif err["type"] == "extra_forbidden":
            message = "champ inconnu"
        parts.append(f"{where} : {message}")
    more = len(exc.errors()) - 5
    if more > 0:
        parts.append(f"(+{more} autres erreurs)")
    return " ; ".join(parts)


def parse_kiif(doc: Any, origin: str = KIIF_FILE) -> KiifCoverage:
    """Validate a loaded YAML document; a clear French KiifError otherwise."""
    if not isinstance(doc, dict):
        raise KiifError(f"{origin} invalide : un dictionnaire YAML est attendu.")
    try:
        return KiifCoverage.model_validate(doc)
    except ValidationError as exc:
        raise KiifError(f"{origin} invalide : {_format_errors(exc)}") from None


def load_kiif(path: Path | str | None = None) -> KiifCoverage:
    """Read and validate kiif.yaml (the packaged one by default, cached)."""
    if path is None:
        return _packaged()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KiifError(f"Fichier de couverture Kiif illisible : {path.name} ({exc.strerror}).") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KiifError(f"{path.name} n'est pas un YAML valide : {exc}".splitlines()[0]) from None
    return parse_kiif(doc, path.name)


@cache
def _packaged() -> KiifCoverage:
    resource = reference_path(KIIF_FILE)
    try:
        doc = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KiifError(f"{KIIF_FILE} illisible : {exc}".splitlines()[0]) from None
    return parse_kiif(doc)


def covered_departements(coverage: KiifCoverage | None = None) -> list[str]:
    """Codes of the départements the programme covers, in the page's order."""
    return (coverage or load_kiif()).departement_codes()


def covering_incubator(departement_code: str, coverage: KiifCoverage | None = None) -> Incubator | None:
    """The Kiif member covering a département, None when the programme does not list it.

    An unknown code (not a French département) raises SentiersError.
    """
    code = check_departement_code(departement_code)
    region = (coverage or load_kiif()).region_of(code)
    return region.incubator if region else None


def coverage_table(coverage: KiifCoverage | None = None):
    """One row per covered département: région, incubator (label, verified, city, lat, lon, source)."""
    import pandas as pd

    coverage = coverage or load_kiif()
    rows = []
    for region in coverage.regions:
        inc = region.incubator
        for dep in region.departements:
            rows.append(
                {
                    "departement": dep.code,
                    "departement_page_name": dep.name,
                    "region": region.code,
                    "region_name": region.name,
                    "incubator": inc.name,
                    "incubator_verified": inc.verified,
                    "incubator_city": inc.city or "",
                    "incubator_lat": inc.lat,
                    "incubator_lon": inc.lon,
                    "incubator_source": inc.source_url or "",
                }
            )
    return pd.DataFrame(rows)


def region_guidance(region: RegionCoverage, coverage: KiifCoverage | None = None) -> str:
    """What a structure does to be accompanied in a région of the programme, in one French sentence.

    A confirmed member is named (« Adress, à Rouen »); where the programme's page does not confirm the member yet,
    the structure writes to the programme's contact, who puts it in touch with the Kiif member of the région
    (the page's own promise for a département it does not list).
    """
    coverage = coverage or load_kiif()
    inc = region.incubator
    if inc.verified:
        where = f", à {inc.city}" if inc.city else ""
        return f"Accompagnement sur place par {inc.name}{where}, membre du Kiif de la région."
    contact = coverage.contact
    organisation = f" ({contact.organisation})" if contact.organisation else ""
    return (
        "Le membre du Kiif qui accompagne ici n'est pas encore publié par le programme : écrivez à "
        f"{contact.name}{organisation}, {contact.email}, en nommant la région et votre projet — le programme vous "
        "met en lien avec la structure d'accompagnement de ce territoire."
    )
