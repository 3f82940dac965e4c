"""The briefing as data: pydantic models holding only what the templates and the PDF writer print.

Values are already formatted in French (:func:`sentiers.fr.number`), each figure carries its source and vintage, and a
missing value carries its reason.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from sentiers.base.schema import RURAL_DEFINITION

Level = Literal["commune", "epci"]


class Member(BaseModel):
    code: str
    name: str
    population: int | None = None


class Header(BaseModel):
    level: Level
    code: str
    name: str
    kind: str  # "Commune", "Communauté de communes", ...
    departements: list[str]  # "Ain (01)"
    region: str
    epci: str = ""  # "CC de la Dombes (200069193)" for a commune
    epci_code: str = ""
    members: list[Member] = Field(default_factory=list)
    population: str
    population_note: str
    area: str
    area_note: str = ""  # where the surface comes from, or why it is not given
    code_note: str = ""  # an old code given and translated


class Verdict(BaseModel):
    status: Literal["rural", "urbain", "inconnu"]
    mixed: bool = False  # an EPCI whose communes are partly rural, partly urban
    headline: str
    detail: str
    definition: str = RURAL_DEFINITION
    source: str
    derived: bool = False


class Fact(BaseModel):
    """A labelled fact with its source (AAV, typologie des ruralités, zonings)."""

    label: str
    value: str
    source: str
    meaning: str = ""
    missing: bool = False


class IndicatorRow(BaseModel):
    key: str
    label: str
    unit: str
    value: float | None
    departement: float | None
    france: float | None
    value_text: str
    departement_text: str
    france_text: str
    source: str
    note: str = ""
    missing: bool = False
    small: bool = False  # the value rests on a small denominator (« effectif faible »): greyed, with its note
    direction: str = "neutral"
    # bar lengths in percent of the largest of the three (for the small charts)
    bars: list[float] = Field(default_factory=list)


class ServiceRow(BaseModel):
    key: str
    label: str
    present: bool | None
    count: int | None
    text: str
    source: str
    per_1000_text: str = "—"  # the territory's equipments per 1,000 inhabitants
    departement_per_1000_text: str = "—"
    france_per_1000_text: str = "—"
    small: bool = False  # the rate per 1,000 rests on a small population
    # an EPCI: share of its population living in a commune that has one (None for a commune)
    population_share: float | None = None
    # access: « Châtillon-en-Diois, 11 km » (a commune without one), « 19 % des habitants à plus de 5 km » (an EPCI)
    nearest_text: str = ""
    nearest_km: float | None = None  # a commune: distance to the nearest one (0 when it has one)
    far_share: float | None = None  # share of the inhabitants beyond the lack distance
    lacking: bool = False  # a commune beyond the lack distance, an EPCI with inhabitants beyond it


class Resource(BaseModel):
    kind: str
    label: str
    commune: str
    distance_km: float
    distance_text: str
    address: str = ""


class Incubator(BaseModel):
    available: bool
    name: str = ""
    city: str = ""
    verified: bool = False
    status: str = ""
    url: str = ""
    message: str = ""
    distance_text: str = ""  # from the territory to the incubator's city, as the crow flies


class Contribution(BaseModel):
    label: str
    points: float
    value: str = ""


class ScoreSection(BaseModel):
    profile_name: str
    defi: str = ""
    available: bool = False
    message: str = ""
    score: float | None = None
    rank: int | None = None
    candidates: int | None = None
    robustness: str = ""  # « reste parmi les 20 premiers dans 17 variantes sur 20 ; … »
    robustness_note: str = ""  # how the variants were drawn
    contributions: list[Contribution] = Field(default_factory=list)


class ActorItem(BaseModel):
    """One actor of the « Acteurs à rencontrer » section, formatted."""

    name: str
    family: str  # family label
    family_key: str = ""  # sentiers.actors.families key
    detail: str = ""  # SIAE type, cooperative kind, legal form
    activity: str = ""
    size: str = ""
    commune: str = ""
    address: str = ""
    distance_text: str = ""
    relation: str = ""  # « À consulter : concurrent ou partenaire », « Coopération possible »


class ActorGroup(BaseModel):
    family: str
    label: str
    count: int
    actors: list[ActorItem] = Field(default_factory=list)  # the first few


class ActorsSection(BaseModel):
    """ESS actors and structures d'insertion of the territory (API Recherche d'entreprises), by family."""

    available: bool
    status: str  # online | cache | offline | unavailable | off
    total: int = 0
    date_text: str = ""  # « 12 mars 2026 »: the date of the list
    note: str = ""  # offline, partial, truncated, or why there is no list
    mode_note: str = ""  # « Fiche préparée sans connexion… » when built from the cache alone
    by_family: list[tuple[str, int]] = Field(default_factory=list)  # (« 3 associations employeuses », 3)
    by_defi: list[tuple[str, int]] = Field(default_factory=list)
    groups: list[ActorGroup] = Field(default_factory=list)
    same: list[ActorItem] = Field(default_factory=list)  # same activity as the profile's
    complements: list[ActorItem] = Field(default_factory=list)  # complementary activities
    source: str = ""


class QuestionGroup(BaseModel):
    step: str
    questions: list[str]


class SourceRow(BaseModel):
    title: str
    publisher: str
    vintage: str
    licence: str = ""
    url: str = ""


class Briefing(BaseModel):
    header: Header
    verdict: Verdict
    rurality: list[Fact]
    indicators: list[IndicatorRow]
    indicators_note: str = ""
    reference_departement: str = ""  # the département the indicators are compared with
    services: list[ServiceRow]
    services_note: str = ""
    zonings: list[Fact]
    resources: list[Resource]
    resources_note: str
    radius_km: float
    incubator: Incubator
    score: ScoreSection | None = None
    actors: ActorsSection | None = None
    questions: list[QuestionGroup]
    summary: list[str] = Field(default_factory=list)  # « En bref »: a few facts read first
    sources: list[SourceRow]
    map_png: str | None = None  # base64 PNG
    map_note: str = ""
    warnings: list[str] = Field(default_factory=list)
    generated_at: str
    base_note: str
