"""What staff hand out after the schedule: agendas (PDF, .ics), the whole schedule (XLSX), the map of the pairs,
and what the event lacks.

Every document is built from a :class:`Programme` (the event, its participants and its meetings), which the CLI
makes from a fresh plan and the page from the stored event. Names are written as imported: a PDF and an .ics
print text (never run it), the XLSX goes through :mod:`sentiers.exports` (text cells inline, never formulas), the
map escapes every name before it reaches HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import pandas as pd

from sentiers import fr
from sentiers.errors import SentiersError
from sentiers.events.plan import EventSettings, Gaps, Plan, SlotTime, find_gaps
from sentiers.events.registrations import RejectedRow, Structure, Territory
from sentiers.exports import Sheet, to_xlsx_bytes
from sentiers.matching.presets import defi_titles
from sentiers.matching.profile import PUBLICS

if TYPE_CHECKING:
    import folium

Side = Literal["territoire", "structure"]
SCORE_NOTE = (
    "Score de 0 à 100 : défi commun (40), score du profil de la structure (20), zone visée (15), distance (10), "
    "même région (5), couverture Kiif (5), mode (5), publics (10) ; les critères sans donnée sont écartés."
)
PLACES_NOTE = (
    "Communes et intercommunalités : base territoriale de Sentiers (Insee, code officiel géographique)."
)


@dataclass
class Booking:
    slot: int
    territory: int
    structure: int
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Programme:
    """An event, its participants and its meetings: everything the documents need."""

    settings: EventSettings | None
    territories: list[Territory]
    structures: list[Structure]
    meetings: list[Booking]
    rejected: list[RejectedRow] = field(default_factory=list)
    quality: str = ""

    @property
    def title(self) -> str:
        return self.settings.name if self.settings is not None else "Rencontres"

    def slot_time(self, slot: int) -> SlotTime | None:
        if self.settings is not None and 0 < slot <= len(self.settings.slots):
            return self.settings.slots[slot - 1]
        return None

    def slot_label(self, slot: int) -> str:
        time = self.slot_time(slot)
        return f"{slot} ({time.label()})" if time is not None else str(slot)

    def agenda(self, side: Side, index: int) -> list[Booking]:
        key = "territory" if side == "territoire" else "structure"
        return sorted((m for m in self.meetings if getattr(m, key) == index), key=lambda m: m.slot)

    def gaps(self) -> Gaps:
        return find_gaps(self.territories, self.structures)

    def when(self) -> str:
        if self.settings is None:
            return ""
        parts = []
        if self.settings.date is not None:
            parts.append(fr.date(self.settings.date.isoformat()))
        if self.settings.place:
            parts.append(self.settings.place)
        return ", ".join(parts)


def programme_from_plan(plan: Plan, settings: EventSettings | None = None) -> Programme:
    return Programme(
        settings=settings,
        territories=plan.territories,
        structures=plan.structures,
        meetings=[
            Booking(m.slot, m.territory, m.structure, m.score, plan.pairs.reasons(m.territory, m.structure))
            for m in plan.schedule.meetings
        ],
        rejected=plan.rejected,
        quality=plan.schedule.quality(),
    )


def _defis(slugs: Sequence[str]) -> str:
    titles = defi_titles()
    return ", ".join(titles.get(s, s) for s in slugs)


def _publics(slugs: Sequence[str]) -> str:
    return ", ".join(PUBLICS.get(s, s) for s in slugs)


# -- XLSX --------------------------------------------------------------------------------------------------


def schedule_xlsx(programme: Programme) -> bytes:
    """The whole schedule, the participants (with their contacts: a staff document), rejected rows and gaps."""
    t, s = programme.territories, programme.structures
    planning = pd.DataFrame(
        [
            {
                "Créneau": m.slot,
                "Horaire": (programme.slot_time(m.slot).label() if programme.slot_time(m.slot) else ""),  # type: ignore[union-attr]
                "Territoire": t[m.territory].name,
                "Commune ou EPCI": t[m.territory].label,
                "Structure": s[m.structure].name,
                "Score": round(m.score, 1),
                "Raisons": " ".join(m.reasons),
            }
            for m in sorted(programme.meetings, key=lambda m: (m.slot, t[m.territory].name))
        ],
        columns=["Créneau", "Horaire", "Territoire", "Commune ou EPCI", "Structure", "Score", "Raisons"],
    )
    counts_t = pd.Series([m.territory for m in programme.meetings]).value_counts()
    counts_s = pd.Series([m.structure for m in programme.meetings]).value_counts()
    territories = pd.DataFrame(
        [
            {
                "Ligne": p.line,
                "Nom": p.name,
                "Commune ou EPCI": p.label,
                "Code": p.code,
                "Défis": _defis(p.defis),
                "Besoin": p.need,
                "Publics": _publics(p.publics),
                "Rencontres": int(counts_t.get(i, 0)),
                "Absent": "oui" if p.absent else "non",
                "Contact": p.contact.name,
                "Rôle": p.contact.role,
                "Courriel": p.contact.email,
                "Remarques": " ; ".join(p.notes),
            }
            for i, p in enumerate(t)
        ]
    )
    structures = pd.DataFrame(
        [
            {
                "Ligne": p.line,
                "Nom": p.name,
                "Défis": _defis(p.defis),
                "Solution": p.solution,
                "Mode": {"antenne": "antenne", "dissemination": "dissémination"}.get(p.mode or "", ""),
                "Zone visée": "toute la France"
                if p.everywhere
                else ", ".join(p.target_departements + [f"région {r}" for r in p.target_regions]),
                "Siège": p.seat_label,
                "Profil": "oui" if p.profile else "non",
                "Rencontres": int(counts_s.get(j, 0)),
                "Absent": "oui" if p.absent else "non",
                "Contact": p.contact.name,
                "Rôle": p.contact.role,
                "Courriel": p.contact.email,
                "Remarques": " ; ".join(p.notes),
            }
            for j, p in enumerate(s)
        ]
    )
    rejected = pd.DataFrame(
        [{"Liste": r.list, "Ligne": r.line, "Nom": r.name, "Motif": r.reason} for r in programme.rejected],
        columns=["Liste", "Ligne", "Nom", "Motif"],
    )
    gaps = programme.gaps()
    lacks = pd.DataFrame(
        [
            {"Manque": "besoin sans solution", "Nom": t[i].name, "Défis": _defis(t[i].defis)}
            for i in gaps.needs_without_solution
        ]
        + [
            {"Manque": "solution sans territoire", "Nom": s[j].name, "Défis": _defis(s[j].defis)}
            for j in gaps.solutions_without_need
        ],
        columns=["Manque", "Nom", "Défis"],
    )
    by_defi = pd.DataFrame(
        [
            {"Défi": r["title"], "Territoires": r["territories"], "Structures": r["structures"]}
            for r in gaps.by_defi
        ]
    )
    head = [programme.title, programme.when(), programme.quality, SCORE_NOTE, PLACES_NOTE]
    head = [h for h in head if h]
    return to_xlsx_bytes(
        [
            Sheet("Planning", planning, decimals={"Score": 0}, widths={"Raisons": 80}, title_rows=head),
            Sheet("Territoires", territories),
            Sheet("Structures", structures),
            Sheet("Lignes écartées", rejected, widths={"Motif": 80}),
            Sheet("Manques", lacks),
            Sheet("Par défi", by_defi),
        ]
    )


# -- PDF ---------------------------------------------------------------------------------------------------


def _who(programme: Programme, side: Side, index: int) -> tuple[str, str]:
    if side == "territoire":
        p = programme.territories[index]
        return p.name, p.label
    q = programme.structures[index]
    return q.name, q.seat_label


def _agenda_page(pdf: object, programme: Programme, side: Side, index: int) -> None:
    from sentiers.briefing.pdf import BriefPDF

    assert isinstance(pdf, BriefPDF)
    pdf.add_page()
    name, where = _who(programme, side, index)
    pdf.h1(programme.title)
    if programme.when():
        pdf.para(programme.when())
    pdf.h2(f"Agenda : {name}")
    if where:
        pdf.para(("Territoire : " if side == "territoire" else "Siège : ") + where, size=9)
    meetings = programme.agenda(side, index)
    if not meetings:
        pdf.missing("Aucune rencontre prévue pour l'instant.")
    else:
        rows = []
        for m in meetings:
            if side == "territoire":
                other = programme.structures[m.structure]
                detail = other.solution or _defis(other.defis)
                contact = ", ".join(x for x in (other.contact.name, other.contact.role) if x)
            else:
                other_t = programme.territories[m.territory]
                detail = f"{other_t.label} — {other_t.need or _defis(other_t.defis)}"
                contact = ", ".join(x for x in (other_t.contact.name, other_t.contact.role) if x)
            time = programme.slot_time(m.slot)
            rows.append(
                [
                    time.label() if time else f"créneau {m.slot}",
                    (other.name if side == "territoire" else other_t.name)
                    + (f"\n{contact}" if contact else ""),
                    detail[:300],
                    f"{fr.integer(round(m.score))}/100",
                    " ".join(m.reasons[:3]),
                ]
            )
        pdf.grid(["Horaire", "Avec", "En bref", "Score", "Pourquoi"], rows, (22, 38, 50, 14, 58), size=8)
    pdf.source(SCORE_NOTE)
    pdf.source(PLACES_NOTE)


def agenda_pdf(programme: Programme, side: Side, index: int) -> bytes:
    """One participant's agenda (A4, DejaVu Sans: every French character printed)."""
    from sentiers.briefing.pdf import BriefPDF

    name, _ = _who(programme, side, index)
    pdf = BriefPDF(f"{programme.title} — {name}")
    _agenda_page(pdf, programme, side, index)
    return bytes(pdf.output())


def all_agendas_pdf(programme: Programme) -> bytes:
    """Every present participant's agenda, one page each (territories, then structures)."""
    from sentiers.briefing.pdf import BriefPDF

    pdf = BriefPDF(f"{programme.title} — agendas")
    for i, t in enumerate(programme.territories):
        if not t.absent:
            _agenda_page(pdf, programme, "territoire", i)
    for j, s in enumerate(programme.structures):
        if not s.absent:
            _agenda_page(pdf, programme, "structure", j)
    if pdf.page_no() == 0:
        pdf.add_page()
        pdf.missing("Aucun participant.")
    return bytes(pdf.output())


# -- iCalendar ---------------------------------------------------------------------------------------------

_PARIS = "\r\n".join(
    [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
)


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped; control characters dropped."""
    value = "".join(ch for ch in str(value) if ch == "\n" or ord(ch) >= 32)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (never cutting a UTF-8 character)."""
    out: list[str] = []
    current = b""
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def agenda_ics(programme: Programme, side: Side, index: int, event_key: str = "sentiers") -> bytes:
    """One participant's meetings as an iCalendar file (Europe/Paris times); needs the event's date."""
    settings = programme.settings
    if settings is None or settings.date is None:
        raise SentiersError("Indiquez la date de l'événement pour produire un fichier d'agenda (.ics).")
    day = settings.date.strftime("%Y%m%d")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name, _ = _who(programme, side, index)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sentiers//Rencontres//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _fold("X-WR-CALNAME:" + _ics_text(f"{settings.name} — {name}")),
        _PARIS,
    ]
    for m in programme.agenda(side, index):
        time = programme.slot_time(m.slot)
        if time is None:
            continue
        t, s = programme.territories[m.territory], programme.structures[m.structure]
        description = "\n".join([f"Score : {fr.integer(round(m.score))}/100", *m.reasons])
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_key}-{m.slot}-{m.territory}-{m.structure}@rencontres.sentiers",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID=Europe/Paris:{day}T{time.start.replace(':', '')}00",
            f"DTEND;TZID=Europe/Paris:{day}T{time.end.replace(':', '')}00",
            _fold("SUMMARY:" + _ics_text(f"Rencontre : {t.name} — {s.name}")),
            _fold("LOCATION:" + _ics_text(settings.place or settings.name)),
            _fold("DESCRIPTION:" + _ics_text(description)),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# -- map of the pairs --------------------------------------------------------------------------------------


def pairs_map(
    programme: Programme, tiles: str | None = "default", leaflet_url: str | None = None
) -> folium.Map:
    """Territories (green) and structures' seats (purple) joined by their meetings, coloured by score."""
    import folium

    from sentiers.maps import palettes
    from sentiers.maps.web import Legend, base_map

    t, s = programme.territories, programme.structures
    points = [(p.lat, p.lon) for p in t if p.lat is not None and p.lon is not None]
    points += [(q.seat_lat, q.seat_lon) for q in s if q.seat_lat is not None and q.seat_lon is not None]
    bounds = None
    if points:
        lats = [float(a) for a, _ in points]
        lons = [float(b) for _, b in points]
        bounds = [[min(lats) - 0.2, min(lons) - 0.2], [max(lats) + 0.2, max(lons) + 0.2]]
    m = base_map(bounds, tiles=tiles, leaflet_url=leaflet_url)
    e = html.escape

    def colour(score: float) -> str:
        for k in range(len(palettes.SCORE_BINS) - 1):
            if score < palettes.SCORE_BINS[k + 1]:
                return palettes.SCORE_COLOURS[k]
        return palettes.SCORE_COLOURS[-1]

    lines = folium.FeatureGroup(name="Rencontres")
    unplaced = 0
    for meeting in programme.meetings:
        a, b = t[meeting.territory], s[meeting.structure]
        if a.lat is None or a.lon is None or b.seat_lat is None or b.seat_lon is None:
            unplaced += 1
            continue
        folium.PolyLine(
            [(a.lat, a.lon), (b.seat_lat, b.seat_lon)],
            color=colour(meeting.score),
            weight=3,
            opacity=0.85,
            tooltip=f"{e(a.name)} — {e(b.name)} · créneau {e(programme.slot_label(meeting.slot))} · score "
            f"{fr.integer(round(meeting.score))}",
        ).add_to(lines)
    lines.add_to(m)
    places = folium.FeatureGroup(name="Participants")
    for p in t:
        if p.lat is not None and p.lon is not None:
            folium.CircleMarker(
                (p.lat, p.lon),
                radius=6,
                color="#1b7837",
                fill=True,
                fill_opacity=0.9,
                tooltip=f"{e(p.name)} ({e(p.label)})",
            ).add_to(places)
    for q in s:
        if q.seat_lat is not None and q.seat_lon is not None:
            folium.CircleMarker(
                (q.seat_lat, q.seat_lon),
                radius=6,
                color="#7b2d8b",
                fill=True,
                fill_opacity=0.9,
                tooltip=f"{e(q.name)} (siège : {e(q.seat_label)})",
            ).add_to(places)
    places.add_to(m)
    note = PLACES_NOTE
    without = sum(1 for q in s if q.seat_lat is None)
    if without or unplaced:
        note += (
            f" {fr.plural(without, 'structure')} sans siège localisé ; "
            f"{fr.plural(unplaced, 'rencontre non tracée', 'rencontres non tracées')} faute de lieu."
        )
    Legend(
        "Rencontres",
        [("#1b7837", "Territoire"), ("#7b2d8b", "Siège d'une structure")]
        + [
            (c, f"score {int(lo)} à {min(int(hi), 100)}")
            for c, lo, hi in zip(
                palettes.SCORE_COLOURS, palettes.SCORE_BINS, palettes.SCORE_BINS[1:], strict=False
            )
        ],
        note=note,
        point=True,
    ).add_to(m)
    return m


def pairs_map_html(programme: Programme) -> bytes:
    """The pairs map as a file to take along: Leaflet written into it (it opens with no network; the background
    tiles need one)."""
    from sentiers.maps.web import standalone_html

    return standalone_html(pairs_map(programme), background=None).encode("utf-8")


def gaps_text(programme: Programme) -> list[str]:
    gaps = programme.gaps()
    return gaps.sentences(programme.territories, programme.structures)
