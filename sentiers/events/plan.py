"""From the two registration lists to a plan: pair scores, the optimal schedule, what the event lacks.

What the CLI (``sentiers rencontres``) and the staff page call. Pins, forbidden pairs and absences are given as
(territory index, structure index) in the accepted lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sentiers import fr
from sentiers.errors import SentiersError
from sentiers.events.pairs import PairTable, pair_reasons, score_pairs
from sentiers.events.registrations import ImportResult, RejectedRow, Structure, Territory
from sentiers.events.schedule import Schedule, solve
from sentiers.matching.presets import defi_titles

if TYPE_CHECKING:
    from sentiers.base.store import Base

MAX_SLOTS = 48
MAX_MEETINGS = 48
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")


class SlotTime(BaseModel):
    """One time slot: « 09:00 » to « 09:30 »."""

    model_config = ConfigDict(extra="forbid")
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        match = _TIME.match(str(value).strip())
        if not match:
            raise ValueError(f"heure {fr.quoted(value, 10)} illisible (attendu : 09:30)")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @model_validator(mode="after")
    def _ordered(self) -> SlotTime:
        if self.end <= self.start:
            raise ValueError(f"le créneau {self.start}–{self.end} finit avant de commencer")
        return self

    def label(self) -> str:
        return f"{self.start.replace(':', 'h')}–{self.end.replace(':', 'h')}"


def default_slots(count: int, start: str = "09:30", minutes: int = 30, pause: int = 10) -> list[SlotTime]:
    """``count`` slots of ``minutes`` separated by ``pause`` minutes from ``start``."""
    hours, mins = (int(x) for x in start.split(":"))
    begin = hours * 60 + mins
    out = []
    for _ in range(count):
        end = begin + minutes
        if end >= 24 * 60:
            raise SentiersError("Les créneaux dépassent minuit : moins de créneaux ou plus courts.")
        out.append(
            SlotTime(start=f"{begin // 60:02d}:{begin % 60:02d}", end=f"{end // 60:02d}:{end % 60:02d}")
        )
        begin = end + pause
    return out


class EventSettings(BaseModel):
    """What staff say when they create an event."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    date: Date | None = None
    place: str = Field(default="", max_length=300)
    slots: list[SlotTime] = Field(min_length=1, max_length=MAX_SLOTS)
    max_meetings: int = Field(ge=1, le=MAX_MEETINGS)
    min_score: float = Field(default=0.0, ge=0, le=100)

    @model_validator(mode="after")
    def _no_overlap(self) -> EventSettings:
        ordered = sorted(self.slots, key=lambda s: s.start)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if b.start < a.end:
                raise ValueError(f"les créneaux {a.label()} et {b.label()} se chevauchent")
        return self


def check_counts(slots: int, max_meetings: int) -> None:
    """The CLI's --creneaux and --max-rencontres, checked (French)."""
    if not 1 <= slots <= MAX_SLOTS:
        raise SentiersError(f"--creneaux : entre 1 et {MAX_SLOTS} créneaux (reçu : {slots}).")
    if not 1 <= max_meetings <= MAX_MEETINGS:
        raise SentiersError(f"--max-rencontres : entre 1 et {MAX_MEETINGS} (reçu : {max_meetings}).")


@dataclass
class Gaps:
    """What the event lacks: needs that no structure answers, solutions that no territory asked for."""

    needs_without_solution: list[int]  # territory indices with no compatible structure present
    solutions_without_need: list[int]  # structure indices with no compatible territory present
    by_defi: list[dict[str, Any]]  # per défi: territories, structures

    def sentences(self, territories: list[Territory], structures: list[Structure]) -> list[str]:
        t, s = territories, structures
        out = []
        if self.needs_without_solution:
            names = ", ".join(t[i].name for i in self.needs_without_solution[:8])
            more = " …" if len(self.needs_without_solution) > 8 else ""
            out.append(
                f"{fr.plural(len(self.needs_without_solution), 'besoin')} sans solution inscrite sur son défi : "
                f"{names}{more}."
            )
        if self.solutions_without_need:
            names = ", ".join(s[j].name for j in self.solutions_without_need[:8])
            more = " …" if len(self.solutions_without_need) > 8 else ""
            out.append(
                f"{fr.plural(len(self.solutions_without_need), 'solution')} sans territoire inscrit sur son défi : "
                f"{names}{more}."
            )
        for row in self.by_defi:
            if row["territories"] and not row["structures"]:
                out.append(
                    f"Défi « {row['title']} » : {fr.plural(row['territories'], 'territoire')}, aucune structure."
                )
            elif row["structures"] and not row["territories"]:
                out.append(
                    f"Défi « {row['title']} » : {fr.plural(row['structures'], 'structure')}, aucun territoire."
                )
        return out or [
            "Chaque besoin a au moins une solution sur son défi, et chaque solution au moins un territoire."
        ]


@dataclass
class Plan:
    """Scores, schedule and gaps of an event's participants."""

    territories: list[Territory]
    structures: list[Structure]
    rejected: list[RejectedRow]
    pairs: PairTable
    schedule: Schedule
    slot_times: list[SlotTime] = field(default_factory=list)

    def slot_label(self, slot: int) -> str:
        if 0 < slot <= len(self.slot_times):
            return self.slot_times[slot - 1].label()
        return f"créneau {slot}"

    def unmatched_territories(self) -> list[int]:
        met = {m.territory for m in self.schedule.meetings}
        return [i for i, t in enumerate(self.territories) if i not in met and not t.absent]

    def unmatched_structures(self) -> list[int]:
        met = {m.structure for m in self.schedule.meetings}
        return [j for j, s in enumerate(self.structures) if j not in met and not s.absent]

    def gaps(self) -> Gaps:
        return find_gaps(self.territories, self.structures)

    def meeting_json(self, m: Any) -> dict[str, Any]:
        return {
            "slot": int(m.slot),
            "territory": self.territories[m.territory].name,
            "structure": self.structures[m.structure].name,
            "score": int(round(m.score)),
            "reasons": pair_reasons(self.pairs, m.territory, m.structure),
        }

    def to_json(self) -> dict[str, Any]:
        """The document of ``sentiers rencontres --json`` (the shape the issue fixes)."""
        return {
            "meetings": [self.meeting_json(m) for m in self.schedule.meetings],
            "unmatched_territories": [self.territories[i].name for i in self.unmatched_territories()],
            "unmatched_structures": [self.structures[j].name for j in self.unmatched_structures()],
            "rejected_rows": [r.as_json() for r in self.rejected],
        }


def find_gaps(territories: list[Territory], structures: list[Structure]) -> Gaps:
    """Needs without a solution on their défis and solutions without a need, among participants present."""
    t_defis = [set(t.defis) for t in territories if not t.absent]
    s_defis = [set(s.defis) for s in structures if not s.absent]
    needs = [
        i for i, t in enumerate(territories) if not t.absent and not any(set(t.defis) & d for d in s_defis)
    ]
    solutions = [
        j for j, s in enumerate(structures) if not s.absent and not any(set(s.defis) & d for d in t_defis)
    ]
    rows = [
        {
            "defi": slug,
            "title": title,
            "territories": sum(1 for d in t_defis if slug in d),
            "structures": sum(1 for d in s_defis if slug in d),
        }
        for slug, title in defi_titles().items()
    ]
    return Gaps(needs, solutions, rows)


def compute_plan(
    base: Base,
    territories: list[Territory],
    structures: list[Structure],
    *,
    slots: int,
    max_meetings: int,
    rejected: Iterable[RejectedRow] = (),
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    min_score: float = 0.0,
    slot_times: list[SlotTime] | None = None,
    pairs: PairTable | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Plan:
    """Scores (unless given: they do not change with pins), then the optimal schedule."""
    check_counts(slots, max_meetings)
    if pairs is None:
        pairs = score_pairs(
            base,
            territories,
            structures,
            progress=(lambda f, m: progress(0.7 * f, m)) if progress is not None else None,
        )
    if progress is not None:
        progress(0.75, "Calcul du planning (HiGHS)…")
    schedule = solve(
        pairs.score,
        pairs.compatible,
        slots=slots,
        max_meetings=max_meetings,
        pinned=pinned,
        forbidden=forbidden,
        absent_territories=[i for i, t in enumerate(territories) if t.absent],
        absent_structures=[j for j, s in enumerate(structures) if s.absent],
        min_score=min_score,
        territory_names=[t.name for t in territories],
        structure_names=[s.name for s in structures],
    )
    if progress is not None:
        progress(1.0, "Planning prêt")
    return Plan(territories, structures, list(rejected), pairs, schedule, list(slot_times or []))


def plan_from_imports(
    base: Base,
    territories: ImportResult,
    structures: ImportResult,
    *,
    slots: int,
    max_meetings: int,
    progress: Callable[[float, str], None] | None = None,
) -> Plan:
    """The plan of two freshly read lists (the CLI): no pins, no absences."""
    return compute_plan(
        base,
        territories.accepted,
        structures.accepted,
        slots=slots,
        max_meetings=max_meetings,
        rejected=[*territories.rejected, *structures.rejected],
        progress=progress,
    )
