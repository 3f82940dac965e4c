"""The dossier as PDF (fpdf2, the briefing's page frame :class:`sentiers.briefing.pdf.BriefPDF`): A4, selectable
text, page numbers « page x/n » in the footer, a table of contents with the page of each part (fpdf2's outline,
also shown as PDF bookmarks)."""

from __future__ import annotations

import base64
import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.outline import OutlineSection

from sentiers.briefing.pdf import GREEN, INK, MUTED, WARN, BriefPDF
from sentiers.study.model import CriterionRow, Dossier, TerritoryCard

STATUS_COLOURS = {"pret": GREEN, "consolider": (138, 109, 0), "bloquant": WARN, "sans_reponse": MUTED}


class DossierPDF(BriefPDF):
    def h3(self, text: str) -> None:
        """A sub-title kept with what follows (a new page when less than 35 mm remain)."""
        if self.get_y() > self.h - 35:
            self.add_page()
        super().h3(text)

    def part(self, text: str, level: int = 0) -> None:
        """A titled part, registered in the outline (table of contents and bookmarks)."""
        if level == 0:
            if self.get_y() > self.h - 60:
                self.add_page()
            self.start_section(text, level=0)
            self.h2(text)
        else:
            if self.get_y() > self.h - 50:
                self.add_page()
            self.start_section(text, level=1)
            self.ln(1)
            self.set_font("DejaVu", "B", 11.5)
            self.set_text_color(*GREEN)
            self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.set_font("DejaVu", "", 9.5)


def _toc(pdf: FPDF, outline: list[OutlineSection]) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font("DejaVu", "B", 12.5)
    pdf.set_text_color(*GREEN)
    pdf.cell(0, 8, "Sommaire", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    for section in outline:
        indent = 6 * section.level
        pdf.set_font("DejaVu", "B" if section.level == 0 else "", 10 if section.level == 0 else 9.5)
        link = pdf.add_link(page=section.page_number)
        pdf.set_x(pdf.l_margin + indent)
        page = str(section.page_number)
        width = pdf.epw - indent - 12
        name = section.name if pdf.get_string_width(section.name) < width else section.name[:70] + "…"
        pdf.cell(width, 6, name, link=link)
        pdf.cell(12, 6, page, align="R", link=link, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9.5)


def _criterion(c: CriterionRow) -> list[str]:
    """A criterion's row; a note without a reason (unavailable) goes in the reason's column."""
    if c.note and not c.reason:
        return [c.label, c.weight, c.direction, c.note, c.source]
    return [c.label + (f"\n{c.note}" if c.note else ""), c.weight, c.direction, c.reason, c.source]


def _card(pdf: DossierPDF, c: TerritoryCard) -> None:
    pdf.add_page()
    pdf.part(f"{c.rank}. {c.name}", level=1)
    pdf.source(c.kind)
    pdf.facts(c.facts)
    for w in c.warnings:
        pdf.source(w)
    pdf.para(c.verdict, style="B", colour=GREEN)
    pdf.para(c.verdict_detail, size=8.5)
    for fact in c.summary:
        pdf.bullet(fact)
    if c.score:
        pdf.para(f"Score : {c.score}" + (f" — {c.robustness}" if c.robustness else ""), style="B")
    if c.contributions:
        pdf.grid(["Critère", "Valeur", "Points"], [list(x) for x in c.contributions], (100, 55, 27))
    if c.map_png:
        width = 110
        if pdf.get_y() + width * 4.6 / 6.4 > pdf.h - 20:
            pdf.add_page()
        pdf.image(io.BytesIO(base64.b64decode(c.map_png)), x=pdf.l_margin, w=width)
        pdf.source(c.map_note)
    pdf.h3("Chiffres clés")
    pdf.grid(
        ["Indicateur", c.name[:40], f"Département\n{c.reference_departement}", "France"],
        [[f"{f.label}\n{f.source}", f.value, f.departement, f.france] for f in c.figures],
        (92, 30, 30, 30),
    )
    pdf.h3("Accès aux services")
    pdf.grid(
        ["Service", "Dans le territoire", "Le plus proche"],
        [[s.label + (" (manque)" if s.lacking else ""), s.present, s.nearest] for s in c.services],
        (80, 56, 46),
        size=8,
    )
    pdf.source(f"{c.services_source} {c.access_note}")
    pdf.h3("Zonages et programmes")
    pdf.grid(
        ["Zonage ou programme", "Situation", "Pour une implantation"],
        [[z.label + (f"\n{z.source}" if z.source else ""), z.value, z.meaning] for z in c.zonings],
        (50, 55, 77),
        size=8,
    )
    pdf.h3("Accompagnement")
    pdf.para(f"Incubateur du Kiif : {c.incubator}")
    if c.incubator_source:
        pdf.source(f"Source : {c.incubator_source}")
    pdf.para(c.contact)
    if c.actors is not None:
        pdf.h3("Acteurs à rencontrer et coopérations à ouvrir")
        pdf.para(c.actors.summary)
        if c.actors.note:
            pdf.missing(c.actors.note)
        for label, items in c.actors.groups:
            names = " ; ".join(
                x.name
                + (f" ({x.commune}{', ' + x.distance_text if x.distance_text else ''})" if x.commune else "")
                for x in items
            )
            pdf.bullet(f"{label} : {names}")
        if c.actors.same:
            pdf.bullet(
                "Même activité que la vôtre, à consulter (concurrent ou partenaire) : "
                + " ; ".join(f"{x.name} — {x.activity}" for x in c.actors.same)
            )
        if c.actors.complements:
            pdf.bullet(
                "Activités complémentaires, coopérations possibles : "
                + " ; ".join(f"{x.name} — {x.activity}" for x in c.actors.complements)
            )
        if c.actors.source:
            pdf.source(f"Source : {c.actors.source}")
    pdf.h3("Questions pour la visite")
    for group in c.questions:
        pdf.para(group.step, style="B", size=9)
        for q in group.questions:
            pdf.bullet(q)


def dossier_pdf(d: Dossier) -> bytes:
    pdf = DossierPDF(d.title)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.para("SENTIERS · ÉTUDE DE FAISABILITÉ · PROGRAMME LES SENTIERS", size=8, colour=MUTED)
    pdf.h1(d.structure.name)
    pdf.para(f"Défi : {d.structure.defi}", style="B")
    pdf.source(f"Dossier généré le {d.generated_at}. {d.base_note}")
    pdf.ln(4)
    pdf.insert_toc_placeholder(_toc, pages=1)

    s = d.structure
    pdf.part("1. La structure et son état de préparation")
    rows = [
        ("Structure", s.name),
        ("Défi de la ruralité", s.defi),
        ("Publics visés", s.publics),
        ("Mode d'essaimage", s.mode),
        ("Échelle", s.level),
    ]
    if s.activity:
        rows.append(("Activité", s.activity))
    pdf.facts(rows)
    pdf.para(s.description)
    pdf.h3("Êtes-vous prêt·e ? — auto-évaluation sur les critères de sélection")
    pdf.para(d.readiness_summary, style="B")
    pdf.source(d.readiness_note)
    pdf.grid(
        ["Critère du programme", "Réponse", "État", "Pourquoi", "À préparer"],
        [[f"{r.criterion}\n{r.question}", r.answer, r.status_label, r.why, r.prepare] for r in d.readiness],
        (52, 34, 20, 38, 38),
        size=7.5,
    )
    if d.readiness_comment:
        pdf.para(f"Commentaire de la structure : {d.readiness_comment}")

    pdf.part("2. La méthode")
    if d.defi_summary != s.description:
        pdf.para(d.defi_summary)
    pdf.para(d.defi_rationale, size=8.5, colour=MUTED)
    pdf.h3("Critères et poids")
    pdf.grid(
        ["Critère", "Poids", "Sens", "Pourquoi", "Source"],
        [_criterion(c) for c in d.criteria],
        (42, 14, 30, 62, 34),
        size=7.5,
    )
    pdf.h3("Contraintes")
    for line in d.constraints:
        pdf.bullet(line)
    pdf.h3("Entonnoir")
    pdf.grid(
        ["Étape", "Écartés", "Restants"],
        [[f.constraint, f.removed, f.remaining] for f in d.funnel],
        (130, 26, 26),
    )
    for note in d.method_notes:
        pdf.source(note)

    pdf.part("3. La liste courte")
    pdf.para(f"Les {len(d.shortlist)} premiers territoires sur {d.candidates} candidats.")
    for note in d.shortlist_notes:
        pdf.missing(note)
    if d.shortlist:
        pdf.grid(
            ["Rang", "Territoire", "Population", "Score", "Robustesse et dépendance"],
            [
                [
                    str(r.rank),
                    f"{r.name} ({r.departement}, {r.code})",
                    r.population,
                    r.score + (" ex aequo" if r.ex_aequo else ""),
                    r.robustness + (f"\n{r.dependence}" if r.dependence else ""),
                ]
                for r in d.shortlist
            ],
            (12, 56, 22, 18, 74),
            size=8,
        )

    number = 4
    if d.similar is not None:
        sim = d.similar
        pdf.part(f"{number}. Territoires semblables au vôtre")
        number += 1
        if sim.message:
            pdf.missing(sim.message)
        else:
            pdf.para("Communes où la solution fonctionne déjà :", style="B")
            for ref in sim.references:
                pdf.bullet(ref)
            for note in sim.notes:
                pdf.missing(note)
            pdf.grid(
                ["Indicateur", "Poids", "Échelle", "Pourquoi", "Source"],
                [_criterion(c) for c in sim.criteria],
                (42, 14, 22, 70, 34),
                size=7.5,
            )
            pdf.grid(
                ["Rang", "Commune", "Population", "Ressemblance", "Pourquoi"],
                [
                    [
                        str(r.rank),
                        f"{r.name} ({r.departement}, {r.code})",
                        r.population,
                        f"{r.similarity}\n{r.closeness}",
                        r.reason,
                    ]
                    for r in sim.rows
                ],
                (10, 48, 20, 26, 78),
                size=8,
            )
            pdf.source(
                f"Parmi {sim.candidates} communes qui respectent les contraintes du profil. {sim.method}"
            )

    pdf.part(f"{number}. Les territoires en détail")
    if not d.cards:
        pdf.missing("Aucun territoire à décrire : la liste courte est vide.")
    for card in d.cards:
        _card(pdf, card)
    number += 1

    pdf.add_page()
    pdf.part(f"{number}. Les prochaines étapes du programme")
    pdf.source(d.steps_note)
    pdf.grid(
        ["Quand", "Étape", "Détail"],
        [[st.when + (" (passée)" if st.past else ""), st.label, st.detail] for st in d.steps],
        (38, 62, 82),
        size=8,
    )
    pdf.para(d.contact)
    number += 1

    pdf.part(f"{number}. Sources et millésimes")
    for src in d.sources:
        pdf.source(
            f"• {src.title} — {src.publisher}, {src.vintage}" + (f" ({src.licence})" if src.licence else "")
        )
    pdf.source(f"Dossier généré le {d.generated_at} par Sentiers. {d.base_note}")
    return bytes(pdf.output())
