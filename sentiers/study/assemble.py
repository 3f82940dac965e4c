"""Assemble the feasibility study's dossier from a profile: readiness, method, shortlist, similar territories,
condensed fiches of the first territories, the programme's next steps and every source.

Nothing is recomputed here: the ranking is the matching package's (the same cached ranking the Trouver page and
the fiches read), the similar territories are :mod:`sentiers.matching.similar`'s, each condensed fiche is the
briefing's (:func:`sentiers.briefing.assemble.build_briefing`) cut down, and the robustness sentences are
:mod:`sentiers.matching.score`'s. The dossier names no internal identifier: défis, criteria, modes, publics and
zonings appear by their French labels.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sentiers import fr
from sentiers.base.catalogue import CATALOGUE, DIRECTION_LABELS
from sentiers.base.naf import naf_label
from sentiers.briefing.assemble import base_note, build_briefing, now_text
from sentiers.briefing.model import Briefing, SourceRow
from sentiers.briefing.scoring import ranking_for
from sentiers.briefing.texts import ACCESS_NOTE
from sentiers.errors import SentiersError
from sentiers.matching.presets import preset
from sentiers.matching.profile import LEVELS, MISSING_POLICIES, MODES, PUBLICS, ZONINGS, StructureProfile
from sentiers.matching.readiness import DISCLAIMER, assess, summary_text
from sentiers.matching.score import Ranking, check_summary, dependence_text, robustness_text, ties_text
from sentiers.matching.similar import (
    SIMILAR_METHOD,
    SimilarResult,
    closeness_word,
    reason_text,
    references_text,
    similar_communes,
    similarity_text,
)
from sentiers.matching.small_numbers import SHRINK_METHOD
from sentiers.study.model import (
    ActorsBlock,
    CriterionRow,
    Dossier,
    FigureRow,
    FunnelRow,
    ReadinessRow,
    ServiceLine,
    ShortRow,
    SimilarRow,
    SimilarSection,
    StepRow,
    StructureBlock,
    TerritoryCard,
)

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
ActorsMode = Literal["fetch", "cache", "off"]
MAX_FICHES = 10


class StudyParameters(BaseModel):
    """How the dossier is drawn from the profile (saved in the project file)."""

    model_config = ConfigDict(extra="forbid")

    top: int = Field(default=5, ge=1, le=MAX_FICHES)  # condensed fiches of the first territories
    shortlist: int = Field(default=10, ge=1, le=50)  # rows of the shortlist table
    similar_top: int = Field(default=10, ge=1, le=50)
    maps: bool = True
    actors: ActorsMode = "fetch"


def _pct(share: float) -> str:
    return fr.number(100 * share, 0, "%")


def _criteria_rows(ranking: Ranking) -> list[CriterionRow]:
    total = float(ranking.weights.sum()) or 1.0
    constant = {c["indicator"]: c["reason"] for c in ranking.constant}
    rows = []
    for crit, weight in zip(ranking.criteria, ranking.weights, strict=True):
        entry = CATALOGUE[crit.indicator]
        direction = DIRECTION_LABELS[crit.direction or entry.need]
        if crit.direction == "target" and crit.target is not None:
            direction += f" ({fr.number(crit.target, entry.decimals, entry.unit)})"
        rows.append(
            CriterionRow(
                label=entry.label,
                weight=_pct(float(weight) / total),
                direction=direction,
                reason=crit.reason or entry.meaning,
                source=ranking.sources.get(crit.indicator, ""),
                note=constant.get(crit.indicator, ""),
            )
        )
    for item in ranking.unavailable:
        rows.append(
            CriterionRow(
                label=str(item.get("label", "")),
                weight="0 %",
                direction="",
                reason="",
                source="",
                note=str(item.get("reason", "")),
            )
        )
    return rows


def _constraints(profile: StructureProfile, ranking: Ranking) -> list[str]:
    c = profile.constraints
    lines = [f"Échelle des candidats : {LEVELS[ranking.level].lower()}."]
    lines.append(
        "Départements couverts par le programme seulement."
        if c.kiif_only
        else "Tous les départements, couverts ou non par le programme."
    )
    lines.append(
        "Communes rurales seulement (grille communale de densité de l'Insee, niveaux 5 à 7)."
        if c.rural_only
        else "Communes rurales et urbaines."
    )
    if c.departements:
        lines.append(f"Départements choisis : {', '.join(c.departements)}.")
    if c.regions:
        lines.append(f"Régions choisies : {', '.join(c.regions)}.")
    floor = default = preset(profile.defi).population_floor if ranking.level == "commune" else 0
    if c.population_min is not None:
        floor = c.population_min
    if floor:
        said = f"Population d'au moins {fr.integer(floor)} habitants"
        if c.population_min is None or c.population_min == default:
            said += " : seuil par défaut du défi. " + preset(profile.defi).floor_reason
        lines.append(said.rstrip(".") + ".")
    if c.population_max is not None:
        lines.append(f"Population d'au plus {fr.integer(c.population_max)} habitants.")
    if ranking.reference is not None:
        near = (
            f" ; à moins de {fr.number(c.max_distance_km, 0, 'km')}" if c.max_distance_km is not None else ""
        )
        lines.append(f"Commune de référence : {ranking.reference.name}{near}.")
    if c.zonings_required:
        lines.append("Zonages requis : " + ", ".join(ZONINGS[z] for z in c.zonings_required) + ".")
    lines.append(f"Valeurs manquantes : {MISSING_POLICIES[ranking.missing_policy]}.")
    return lines


def _funnel(funnel: list[dict[str, Any]]) -> list[FunnelRow]:
    return [
        FunnelRow(
            constraint=str(step["constraint"]),
            removed=fr.integer(step["removed"]) if step["removed"] else "—",
            remaining=fr.integer(step["remaining"]),
        )
        for step in funnel
    ]


def _shortlist(ranking: Ranking, n: int) -> list[ShortRow]:
    rows = []
    for rec in ranking.top(n).to_dict("records"):
        rows.append(
            ShortRow(
                rank=int(rec["rank"]),
                code=str(rec["code"]),
                name=str(rec["name"]),
                departement=str(rec.get("departement", "")),
                population=fr.integer(rec["population"])
                if rec.get("population") == rec.get("population")
                else "—",
                score=fr.number(float(rec["score"]), 1),
                robustness=robustness_text(ranking, rec),
                dependence=dependence_text(ranking, rec),
                ex_aequo=bool(rec.get("ex_aequo", False)),
            )
        )
    return rows


def _similar_section(base: Base, profile: StructureProfile, n: int) -> SimilarSection | None:
    if profile.similar is None:
        return None
    try:
        result: SimilarResult = similar_communes(base, profile, top_n=n)
    except SentiersError as exc:
        return SimilarSection(
            references=list(profile.similar.references),
            criteria=[],
            funnel=[],
            rows=[],
            candidates=0,
            method=SIMILAR_METHOD,
            message=str(exc),
        )
    total = float(result.weights.sum()) or 1.0
    criteria = [
        CriterionRow(
            label=CATALOGUE[item.indicator].label,
            weight=_pct(float(w) / total),
            direction="logarithme" if result.scales[item.indicator].log else "valeur",
            reason=item.reason or CATALOGUE[item.indicator].meaning,
            source=result.sources.get(item.indicator, ""),
        )
        for item, w in zip(result.indicators, result.weights, strict=True)
    ]
    criteria += [
        CriterionRow(label=u["label"], weight="0 %", direction="", reason="", source="", note=u["reason"])
        for u in result.unavailable
    ]
    rows = [
        SimilarRow(
            rank=int(rec["rank"]),
            code=str(rec["code"]),
            name=str(rec["name"]),
            departement=str(rec["departement"]),
            population=fr.integer(rec["population"]),
            similarity=similarity_text(float(rec["similarity"])),
            closeness=closeness_word(float(rec["similarity"])),
            reason=reason_text(result, rec),
        )
        for rec in result.top(n).to_dict("records")
    ]
    return SimilarSection(
        references=references_text(result),
        criteria=criteria,
        funnel=_funnel(result.funnel),
        rows=rows,
        candidates=int(len(result.frame)),
        method=SIMILAR_METHOD,
        notes=list(result.notes),
    )


def _contact() -> str:
    from sentiers.base.kiif import KiifError, load_kiif

    try:
        kiif = load_kiif()
    except KiifError as exc:
        return str(exc)
    c = kiif.contact
    who = f"{c.name} ({c.organisation})" if c.organisation else c.name
    return f"Contact du programme : {who}, {c.email}"


def _steps(today: dt.date | None = None) -> tuple[list[StepRow], str]:
    from sentiers.base.kiif import KiifError, load_kiif

    today = today or dt.date.today()
    try:
        kiif = load_kiif()
    except KiifError as exc:
        return [], str(exc)
    rows = []
    for step in kiif.calendar:
        if step.date is not None:
            when = fr.date(step.date.isoformat())
            if step.end is not None and step.end != step.date:
                when = (
                    f"{step.date.day} et {fr.date(step.end.isoformat())}"
                    if (step.end - step.date).days == 1 and step.end.month == step.date.month
                    else f"du {when} au {fr.date(step.end.isoformat())}"
                )
            past = (step.end or step.date) < today
        else:
            when, past = step.period, False
        rows.append(StepRow(when=when, label=step.label, detail=step.detail, past=past))
    note = f"Calendrier de l'édition {kiif.edition} du programme, tel que sa page le donne."
    if any(r.past for r in rows):
        note += (
            " Les dates passées sont celles de cette édition : demandez au contact du programme le calendrier "
            "de l'édition en cours."
        )
    return rows, note


def _incubator(b: Briefing) -> tuple[str, str]:
    inc = b.incubator
    if not inc.available:
        return inc.message, ""
    far = f", à {inc.distance_text} à vol d'oiseau" if inc.distance_text else ""
    city = f" ({inc.city}{far})" if inc.city else ""
    return f"{inc.name}{city} — {inc.status}", inc.url


def _actors(b: Briefing) -> ActorsBlock | None:
    a = b.actors
    if a is None:
        return None
    if not a.available:
        return ActorsBlock(
            available=False, summary=a.note or "Liste des acteurs indisponible.", source=a.source
        )
    counts = ", ".join(label for label, count in a.by_family if count)
    plural = "s" if a.total > 1 else ""
    summary = f"{a.total} acteur{plural} de l'ESS et de l'insertion — liste du {a.date_text}" + (
        f" : {counts}." if counts else "."
    )
    return ActorsBlock(
        available=True,
        summary=summary,
        note=" ".join(x for x in (a.mode_note, a.note) if x),
        groups=[(f"{g.label} ({g.count})", g.actors[:3]) for g in a.groups],
        same=a.same,
        complements=a.complements,
        source=a.source,
    )


def _card(b: Briefing, rank: int, contact: str) -> TerritoryCard:
    h = b.header
    facts = [
        ("SIREN" if h.level == "epci" else "Code Insee", h.code),
        ("Départements" if len(h.departements) > 1 else "Département", ", ".join(h.departements)),
        ("Région", h.region),
    ]
    if h.level == "commune" and h.epci:
        facts.append(("Intercommunalité", h.epci))
    facts.append(("Population", f"{h.population} ({h.population_note})"))
    score = b.score
    score_text, robustness, contributions = "", "", []
    if score is not None and score.available and score.score is not None:
        score_text = f"{fr.number(score.score, 1)} / 100, rang {score.rank} sur {score.candidates} candidats"
        robustness = score.robustness
        contributions = [(c.label, c.value, fr.number(c.points, 1)) for c in score.contributions]
    elif score is not None:
        score_text = score.message
    figures = [
        FigureRow(
            label=row.label,
            value=row.value_text + (" (effectif faible)" if row.small else ""),
            departement=row.departement_text,
            france=row.france_text,
            source=row.source,
            small=row.small,
        )
        for row in b.indicators
        if not row.missing
    ]
    missing = [row.label for row in b.indicators if row.missing]
    services = [
        ServiceLine(
            label=s.label,
            present=s.text,
            nearest=s.nearest_text or "—",
            lacking=s.lacking,
        )
        for s in b.services
    ]
    incubator, incubator_source = _incubator(b)
    notes = list(b.warnings)
    if missing:
        notes.append("Indicateurs non disponibles pour ce territoire : " + ", ".join(missing) + ".")
    sources = sorted({s.source for s in b.services if s.source})
    return TerritoryCard(
        anchor=f"territoire-{rank}",
        rank=rank,
        code=h.code,
        name=h.name,
        kind=h.kind,
        facts=facts,
        verdict=b.verdict.headline,
        verdict_detail=b.verdict.detail,
        summary=b.summary,
        score=score_text,
        robustness=robustness,
        contributions=contributions,
        figures=figures,
        reference_departement=b.reference_departement,
        services=services,
        services_source=" ; ".join(sources) if not b.services_note else b.services_note,
        access_note=ACCESS_NOTE,
        zonings=b.zonings,
        incubator=incubator,
        incubator_source=incubator_source,
        contact=contact,
        actors=_actors(b),
        questions=b.questions,
        map_png=b.map_png,
        map_note=b.map_note,
        warnings=notes,
    )


def _sources(base: Base, briefings: list[Briefing], ranking: Ranking) -> list[SourceRow]:
    seen: set[tuple[str, str]] = set()
    rows: list[SourceRow] = []
    for b in briefings:
        for s in b.sources:
            key = (s.title, s.vintage)
            if key not in seen:
                seen.add(key)
                rows.append(s)
    from sentiers.base.catalogue import source_layer

    for crit in ranking.criteria:
        entry = source_layer(base, CATALOGUE[crit.indicator])
        if entry is None:
            continue
        title = str(entry.get("title", entry.get("publisher", "")))
        key = (title, str(entry.get("vintage", "")))
        if key not in seen:
            seen.add(key)
            rows.append(
                SourceRow(
                    title=title,
                    publisher=str(entry.get("publisher", "")),
                    vintage=str(entry.get("vintage", "")),
                    licence=str(entry.get("licence", "")),
                    url=str(entry.get("url", "")),
                )
            )
    from sentiers.base.kiif import KiifError, load_kiif

    try:
        kiif = load_kiif()
        rows.append(
            SourceRow(
                title=f"Programme « {kiif.programme} » : départements couverts, critères de sélection, calendrier",
                publisher="Kiif",
                vintage=f"édition {kiif.edition}",
            )
        )
    except KiifError:
        pass
    return rows


def structure_block(profile: StructureProfile) -> StructureBlock:
    activity = ""
    if profile.activity:
        label = naf_label(profile.activity)
        activity = f"{label} (code NAF {profile.activity})" if label else f"code NAF {profile.activity}"
    return StructureBlock(
        name=profile.name,
        defi=preset(profile.defi).title,
        description=profile.description,
        publics=", ".join(PUBLICS[p] for p in profile.publics) or "tout public",
        mode=MODES[profile.mode],
        level=LEVELS[profile.level],
        activity=activity,
    )


def readiness_rows(profile: StructureProfile) -> list[ReadinessRow]:
    return [
        ReadinessRow(
            group=line.group,
            criterion=line.criterion,
            question=line.question,
            answer=line.answer or "—",
            status=line.status,
            status_label=line.status_label,
            why=line.why,
            prepare=line.prepare,
        )
        for line in assess(profile.readiness, profile)
    ]


def build_dossier(
    base: Base,
    profile: StructureProfile,
    params: StudyParameters | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Dossier:
    """The whole study of a profile on a base (see the module docstring)."""
    params = params or StudyParameters()
    report = progress or (lambda fraction, message: None)
    report(0.02, "Classement des territoires")
    ranking = ranking_for(base, profile, profile.level)
    lines = assess(profile.readiness, profile)
    report(0.15, "Territoires semblables")
    similar = _similar_section(base, profile, params.similar_top)
    contact = _contact()
    codes = [str(c) for c in ranking.top(params.top)["code"]]
    briefings: list[Briefing] = []
    for i, code in enumerate(codes):
        report(0.2 + 0.7 * i / max(len(codes), 1), f"Fiche {i + 1} sur {len(codes)}")
        briefings.append(
            build_briefing(
                base,
                code,
                level=ranking.level,
                profile=profile,
                with_map=params.maps,
                map_dpi=90,
                actors=params.actors,
            )
        )
    report(0.92, "Mise en forme")
    chosen = preset(profile.defi)
    notes = [
        check_summary(ranking),
        "Score de 0 à 100 : moyenne pondérée des rangs centiles des critères parmi les candidats (100 : le meilleur "
        "sur tous les critères).",
        SHRINK_METHOD,
    ]
    notes += [c["reason"] for c in ranking.constant]
    shortlist_notes = [t for t in (ties_text(ranking),) if t]
    if ranking.frame.empty:
        emptied = next((s for s in ranking.funnel if s["remaining"] == 0 and s["removed"] > 0), None)
        shortlist_notes.append(
            "Aucun territoire ne satisfait toutes les contraintes"
            + (f" : la contrainte « {emptied['constraint']} » a écarté les derniers." if emptied else ".")
        )
    steps, steps_note = _steps(today)
    return Dossier(
        title=f"Étude de faisabilité — {profile.name}",
        structure=structure_block(profile),
        readiness=readiness_rows(profile),
        readiness_summary=summary_text(lines),
        readiness_note=DISCLAIMER,
        readiness_comment=profile.readiness.comment if profile.readiness else "",
        defi_summary=chosen.summary,
        defi_rationale=chosen.rationale,
        criteria=_criteria_rows(ranking),
        constraints=_constraints(profile, ranking),
        funnel=_funnel(ranking.funnel),
        method_notes=notes,
        shortlist=_shortlist(ranking, max(params.shortlist, params.top)),
        candidates=int(len(ranking.frame)),
        shortlist_notes=shortlist_notes,
        similar=similar,
        cards=[_card(b, i + 1, contact) for i, b in enumerate(briefings)],
        steps=steps,
        steps_note=steps_note,
        contact=contact,
        sources=_sources(base, briefings, ranking),
        generated_at=now_text(),
        base_note=base_note(base),
    )
