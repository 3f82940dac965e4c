"""PDF writer (fpdf2): A4, selectable text, DejaVu Sans shipped inside matplotlib (mpl-data/fonts/ttf), so no
system font is needed and every French character (é, œ, «, », narrow no-break space) is printed.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from sentiers import fr
from sentiers.briefing.model import ActorsSection, Briefing, ScoreSection
from sentiers.briefing.texts import ACCESS_HEADER, ACCESS_NOTE, SECTION_TITLES


def font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


GREEN = (47, 107, 58)
MUTED = (91, 100, 117)
WARN = (154, 59, 0)
INK = (29, 36, 51)


class BriefPDF(FPDF):
    """A4 document with DejaVu Sans, a running footer and a few layout helpers."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        fonts = font_dir()
        self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=16)
        self.doc_title = title
        self.set_title(title)
        self.set_creator("Sentiers")
        self.set_lang("fr")
        self.set_font("DejaVu", "", 9.5)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.doc_title} — page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*INK)

    # helpers
    def h1(self, text: str) -> None:
        self.set_font("DejaVu", "B", 18)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font("DejaVu", "", 9.5)

    def h2(self, text: str, keep: float = 45) -> None:
        """Section title; a new page first when less than ``keep`` mm remain (no orphan titles)."""
        if self.get_y() > self.h - keep:
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", 12.5)
        self.set_text_color(*GREEN)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*GREEN)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_text_color(*INK)
        self.set_font("DejaVu", "", 9.5)

    def h3(self, text: str) -> None:
        self.ln(1)
        self.set_font("DejaVu", "B", 10)
        self.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font("DejaVu", "", 9.5)

    def para(self, text: str, size: float = 9.5, style: str = "", colour=INK) -> None:
        if not text:
            return
        self.set_font("DejaVu", style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*INK)
        self.set_font("DejaVu", "", 9.5)

    def source(self, text: str) -> None:
        self.para(text, size=7.5, colour=MUTED)

    def missing(self, text: str) -> None:
        self.para(text, size=8.5, style="I", colour=WARN)

    def bullet(self, text: str) -> None:
        self.set_x(self.l_margin + 3)
        self.multi_cell(0, 4.8, f"• {text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    def facts(self, rows: list[tuple[str, str]]) -> None:
        with self.table(
            col_widths=(45, 137),
            borders_layout="NONE",
            first_row_as_headings=False,
            line_height=4.8,
            padding=0.6,
            text_align="LEFT",
        ) as table:
            for label, value in rows:
                row = table.row()
                self.set_font("DejaVu", "B", 9)
                row.cell(label)
                self.set_font("DejaVu", "", 9)
                row.cell(value)
        self.set_font("DejaVu", "", 9.5)

    def grid(
        self, headings: list[str], rows: list[list[str]], widths: tuple[float, ...], size: float = 8.5
    ) -> None:
        self.set_fill_color(255, 255, 255)
        self.set_font("DejaVu", "", size)
        with self.table(
            col_widths=widths,
            line_height=size * 0.48,
            padding=0.8,
            headings_style=_HEADINGS,
            borders_layout="HORIZONTAL_LINES",
            text_align="LEFT",
        ) as table:
            table.row(headings)
            for values in rows:
                table.row(values)
        self.set_font("DejaVu", "", 9.5)


def _headings_style():
    from fpdf.fonts import FontFace

    return FontFace(family="DejaVu", emphasis="BOLD", fill_color=(244, 246, 248))


_HEADINGS = _headings_style()


def _score_pdf(pdf: BriefPDF, score: ScoreSection) -> None:
    pdf.para(f"Profil : {score.profile_name}" + (f" (défi : {score.defi})" if score.defi else ""), style="B")
    if score.available and score.score is not None:
        rank = (
            f" — rang {score.rank}" + (f" sur {score.candidates} candidats" if score.candidates else "")
            if score.rank
            else ""
        )
        pdf.para(f"Score : {fr.number(score.score, 1)} / 100{rank}")
        if score.robustness:
            pdf.para(f"Robustesse : {score.robustness}.")
            if score.robustness_note:
                pdf.source(score.robustness_note)
        if score.contributions:
            pdf.grid(
                ["Critère", "Valeur", "Points"],
                [[c.label, c.value, fr.number(c.points, 1)] for c in score.contributions],
                (100, 55, 27),
            )
    if score.message:
        pdf.missing(score.message)


def _actors_pdf(pdf: BriefPDF, a: ActorsSection) -> None:
    if a.mode_note:
        pdf.missing(a.mode_note)
    if not a.available:
        pdf.missing(a.note)
    else:
        counts = ", ".join(label for label, count in a.by_family if count)
        plural = "s" if a.total > 1 else ""
        pdf.para(
            f"{a.total} acteur{plural} de l'ESS et de l'insertion — liste du {a.date_text}"
            + (f" : {counts}." if counts else "."),
            style="B",
        )
        if a.note:
            pdf.missing(a.note)
        if a.by_defi:
            pdf.source(
                "Par défi du programme (lecture du code d'activité) : "
                + " · ".join(f"{label} {count}" for label, count in a.by_defi)
            )
        for group in a.groups:
            first = f", les {len(group.actors)} premiers" if group.count > len(group.actors) else ""
            pdf.h3(f"{group.label} ({group.count}{first})")
            pdf.grid(
                ["Nom", "Activité", "Effectif", "Commune", "Distance"],
                [
                    [
                        x.name
                        + (f"\n{x.detail}" if x.detail else "")
                        + (f"\n{x.relation}" if x.relation else ""),
                        x.activity,
                        x.size,
                        x.commune,
                        x.distance_text,
                    ]
                    for x in group.actors
                ],
                (58, 52, 26, 28, 18),
            )
        for title, items in (
            ("Même activité que votre structure : à consulter (concurrent ou partenaire)", a.same),
            ("Activités complémentaires : coopérations possibles", a.complements),
        ):
            if items:
                pdf.h3(title)
                for x in items:
                    where = ", ".join(v for v in (x.commune, x.distance_text) if v)
                    pdf.bullet(f"{x.name} — {x.activity}" + (f" ({where})" if where else ""))
    pdf.source(
        f"Source : {a.source or 'API « Recherche d’entreprises » (DINUM), Licence Ouverte 2.0'}. "
        "France services, Fabriques, Manufactures et incubateur du Kiif : voir « Ressources locales »."
    )


def briefing_pdf(briefing: Briefing) -> bytes:
    b = briefing
    h = b.header
    pdf = BriefPDF(f"Fiche territoire — {h.name}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.para(f"SENTIERS · FICHE TERRITOIRE · {h.kind.upper()}", size=8, colour=MUTED)
    pdf.h1(h.name)
    facts = [
        ("SIREN" if h.level == "epci" else "Code Insee", h.code),
        ("Départements" if len(h.departements) > 1 else "Département", ", ".join(h.departements)),
        ("Région", h.region),
    ]
    if h.level == "commune":
        facts.append(("Intercommunalité", h.epci))
    facts += [
        ("Population", f"{h.population} ({h.population_note})"),
        ("Superficie", h.area + (f" ({h.area_note})" if h.area_note else "")),
    ]
    pdf.facts(facts)
    if h.level == "epci":
        members = ", ".join(f"{m.name} ({m.code})" for m in h.members)
        pdf.para(f"{len(h.members)} communes membres : {members}", size=8.5)
    for text in [h.code_note, *b.warnings, b.base_note]:
        if text:
            pdf.source(text)
    if b.summary:
        pdf.h2(SECTION_TITLES["en_bref"])
        for fact in b.summary:
            pdf.bullet(fact)

    pdf.h2(SECTION_TITLES["ruralite"])
    pdf.para(b.verdict.headline, size=12, style="B", colour=GREEN if b.verdict.status == "rural" else INK)
    pdf.para(b.verdict.detail)
    pdf.para(b.verdict.definition, size=8.5, colour=MUTED)
    pdf.source(f"Source : {b.verdict.source}")
    pdf.facts([(f.label, f.value + (f" — {f.source}" if f.source else "")) for f in b.rurality])

    # the map fills what is left of the page when that is enough to read it (no half-empty first page),
    # at most 150 mm wide, at least 95 mm; otherwise it starts the next page at full size
    ratio = 4.6 / 6.4
    room = pdf.h - pdf.b_margin - pdf.get_y() - 24  # heading and caption
    width = min(150.0, room / ratio) if room / ratio >= 95 else 150.0
    pdf.h2(SECTION_TITLES["carte"], keep=width * ratio + 24 if b.map_png else 45)
    if b.map_png:
        pdf.image(io.BytesIO(base64.b64decode(b.map_png)), x=pdf.l_margin, w=width)
    pdf.source(b.map_note)

    pdf.h2(SECTION_TITLES["indicateurs"], keep=90)
    if b.indicators_note:
        pdf.source(b.indicators_note)
    rows = []
    for row in b.indicators:
        label = row.label + (f"\n{row.source}" if row.source else "") + (f"\n{row.note}" if row.note else "")
        value = row.value_text + ("\n(effectif faible)" if row.small else "")
        rows.append([label, value, row.departement_text, row.france_text])
    pdf.grid(
        ["Indicateur", h.name[:40], f"Département\n{b.reference_departement}", "France"],
        rows,
        (92, 30, 30, 30),
    )
    _indicator_chart(pdf, b)

    pdf.h2(SECTION_TITLES["services"])
    if b.services_note:
        pdf.missing(b.services_note)
    else:
        pdf.grid(
            ["Service", "Dans le territoire", ACCESS_HEADER[h.level], "Pour 1 000 hab.", "Dépt.", "France"],
            [
                [
                    s.label,
                    s.text,
                    s.nearest_text or "—",
                    s.per_1000_text + (" (effectif faible)" if s.small else ""),
                    s.departement_per_1000_text,
                    s.france_per_1000_text,
                ]
                for s in b.services
            ],
            (44, 46, 38, 22, 16, 16),
        )
        sources = sorted({s.source for s in b.services if s.source})
        pdf.source("Source : " + " ; ".join(sources))
        pdf.source(ACCESS_NOTE)

    pdf.h2(SECTION_TITLES["zonages"])
    pdf.grid(
        ["Zonage ou programme", "Situation", "Pour une implantation"],
        [[z.label + (f"\n{z.source}" if z.source else ""), z.value, z.meaning] for z in b.zonings],
        (50, 55, 77),
    )

    pdf.h2(SECTION_TITLES["ressources"])
    pdf.h3("Incubateur du Kiif")
    if b.incubator.available:
        far = f", à {b.incubator.distance_text} à vol d'oiseau" if b.incubator.distance_text else ""
        city = f" ({b.incubator.city}{far})" if b.incubator.city else ""
        pdf.para(f"{b.incubator.name}{city} — {b.incubator.status}")
        if b.incubator.url:
            pdf.source(f"Source : {b.incubator.url}")
    else:
        pdf.missing(b.incubator.message)
    pdf.h3("France services, Fabriques de territoire, Manufactures de proximité")
    if b.resources:
        pdf.grid(
            ["Type", "Nom", "Commune", "Distance"],
            [
                [r.kind, r.label + (f"\n{r.address}" if r.address else ""), r.commune, r.distance_text]
                for r in b.resources
            ],
            (38, 82, 42, 20),
        )
    else:
        pdf.missing("Aucune ressource de ces listes dans le rayon retenu.")
    pdf.source(b.resources_note)

    if b.actors is not None:
        pdf.h2(SECTION_TITLES["acteurs"])
        _actors_pdf(pdf, b.actors)

    if b.score is not None:
        pdf.h2(SECTION_TITLES["profil"])
        _score_pdf(pdf, b.score)

    pdf.h2(SECTION_TITLES["questions"])
    pdf.source(
        "Organisées selon les étapes de l'accompagnement local du programme Les Sentiers ; générées à partir des données."
    )
    for index, group in enumerate(b.questions, start=1):
        pdf.h3(f"{index}. {group.step}")
        for question in group.questions:
            pdf.bullet(question)

    pdf.h2(SECTION_TITLES["sources"])
    for s in b.sources:
        pdf.source(f"• {s.title} — {s.publisher}, {s.vintage}" + (f" ({s.licence})" if s.licence else ""))
    pdf.source(f"Fiche générée le {b.generated_at} par Sentiers.")
    return bytes(pdf.output())


def _indicator_chart(pdf: BriefPDF, b: Briefing) -> None:
    """Small horizontal bars: territory / département / France for each indicator with values."""
    rows = [r for r in b.indicators if r.bars and any(r.bars)]
    if not rows:
        return
    if pdf.get_y() + 8 + len(rows) * 9 > pdf.h - 20:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 8.5)
    pdf.cell(
        0, 5, "Comparaison (barres : territoire, département, France)", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    colours = (GREEN, (127, 156, 134), (183, 196, 186))
    x0, label_w, bar_w = pdf.l_margin, 80, 95
    for row in rows:
        y = pdf.get_y()
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_xy(x0, y)
        pdf.cell(label_w, 3, row.label if len(row.label) <= 52 else row.label[:51] + "…")
        for i, width in enumerate(row.bars):
            pdf.set_fill_color(*colours[i])
            pdf.rect(x0 + label_w, y + i * 2.6, max(width, 0.5) / 100 * bar_w, 2.2, style="F")
        pdf.set_xy(x0 + label_w + bar_w + 2, y)
        pdf.set_font("DejaVu", "", 6.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(30, 3, row.value_text)
        pdf.set_text_color(*INK)
        pdf.set_xy(x0, y + 8.5)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_font("DejaVu", "", 9.5)
