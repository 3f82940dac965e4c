"""The dossier as data: pydantic models holding only what the template and the PDF writer print, already in French
(numbers by :mod:`sentiers.fr`, labels instead of internal identifiers), each figure with its source."""

from __future__ import annotations

from pydantic import BaseModel, Field

from sentiers.briefing.model import ActorItem, Fact, QuestionGroup, SourceRow


class StructureBlock(BaseModel):
    name: str
    defi: str  # the défi's title
    description: str = ""
    publics: str = ""
    mode: str = ""
    level: str = ""
    activity: str = ""


class ReadinessRow(BaseModel):
    group: str
    criterion: str
    question: str
    answer: str
    status: str  # pret | consolider | bloquant | sans_reponse (CSS class)
    status_label: str
    why: str
    prepare: str


class CriterionRow(BaseModel):
    label: str
    weight: str  # « 25 % »
    direction: str
    reason: str
    source: str
    note: str = ""  # does not separate the candidates, unavailable…


class FunnelRow(BaseModel):
    constraint: str
    removed: str
    remaining: str


class ShortRow(BaseModel):
    rank: int
    code: str
    name: str
    departement: str
    population: str
    score: str
    robustness: str = ""
    dependence: str = ""
    ex_aequo: bool = False


class SimilarRow(BaseModel):
    rank: int
    code: str
    name: str
    departement: str
    population: str
    similarity: str
    closeness: str
    reason: str


class SimilarSection(BaseModel):
    references: list[str]
    criteria: list[CriterionRow]
    funnel: list[FunnelRow]
    rows: list[SimilarRow]
    candidates: int
    method: str
    notes: list[str] = Field(default_factory=list)
    message: str = ""  # why the section could not be computed


class FigureRow(BaseModel):
    label: str
    value: str
    departement: str
    france: str
    source: str
    small: bool = False


class ServiceLine(BaseModel):
    label: str
    present: str
    nearest: str
    lacking: bool = False


class ActorsBlock(BaseModel):
    available: bool
    summary: str
    note: str = ""
    groups: list[tuple[str, list[ActorItem]]] = Field(default_factory=list)
    same: list[ActorItem] = Field(default_factory=list)
    complements: list[ActorItem] = Field(default_factory=list)
    source: str = ""


class TerritoryCard(BaseModel):
    """A condensed fiche of one territory of the shortlist."""

    anchor: str
    rank: int
    code: str
    name: str
    kind: str
    facts: list[tuple[str, str]]
    verdict: str
    verdict_detail: str
    summary: list[str]
    score: str
    robustness: str
    contributions: list[tuple[str, str, str]]  # label, value, points
    figures: list[FigureRow]
    reference_departement: str
    services: list[ServiceLine]
    services_source: str
    access_note: str
    zonings: list[Fact]
    incubator: str
    incubator_source: str = ""
    contact: str
    actors: ActorsBlock | None = None
    questions: list[QuestionGroup]
    map_png: str | None = None
    map_note: str = ""
    warnings: list[str] = Field(default_factory=list)


class StepRow(BaseModel):
    when: str
    label: str
    detail: str = ""
    past: bool = False


class Dossier(BaseModel):
    title: str
    structure: StructureBlock
    readiness: list[ReadinessRow]
    readiness_summary: str
    readiness_note: str
    readiness_comment: str = ""
    defi_summary: str
    defi_rationale: str
    criteria: list[CriterionRow]
    constraints: list[str]
    funnel: list[FunnelRow]
    method_notes: list[str]
    shortlist: list[ShortRow]
    candidates: int
    shortlist_notes: list[str] = Field(default_factory=list)
    similar: SimilarSection | None = None
    cards: list[TerritoryCard]
    steps: list[StepRow]
    steps_note: str
    contact: str
    sources: list[SourceRow]
    generated_at: str
    base_note: str
