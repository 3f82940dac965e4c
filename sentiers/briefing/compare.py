"""Side-by-side comparison of 2 to 5 territories: indicators with best/worst marked, same charts, scores.

Built from the same Briefing models as the single fiche (so the figures agree), exported as HTML, PDF or XLSX.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from sentiers import exports, fr
from sentiers.actors.families import ESS_FAMILIES, FAMILY_PLURALS
from sentiers.base.catalogue import CATALOGUE
from sentiers.briefing.assemble import Progress, base_note, build_briefing, now_text
from sentiers.briefing.model import Briefing, Level, SourceRow
from sentiers.briefing.render import environment
from sentiers.briefing.texts import ACCESS_NOTE
from sentiers.errors import SentiersError
from sentiers.maps import palettes

if TYPE_CHECKING:
    from sentiers.base.store import Base

MIN_TERRITORIES, MAX_TERRITORIES = 2, 5
COMPARE_MAP_DPI = 80  # five maps side by side: smaller images keep the document light
Mark = Literal["best", "worst", ""]


class Cell(BaseModel):
    text: str
    value: float | None = None
    mark: Mark = ""
    bar: float = 0.0  # percent of the row's largest absolute value


class Row(BaseModel):
    key: str
    label: str
    group: str
    direction: str = "neutral"
    source: str = ""
    cells: list[Cell]


class Column(BaseModel):
    code: str
    level: str
    name: str
    kind: str
    departement: str
    verdict: str
    map_png: str | None = None


class Comparison(BaseModel):
    columns: list[Column]
    rows: list[Row]
    profile_name: str = ""
    direction_note: str
    sources: list[SourceRow] = Field(default_factory=list)
    generated_at: str
    base_note: str


def level_of(code: str, default: Level) -> Level:
    """A 9-digit code is an EPCI SIREN; anything else follows ``default``."""
    raw = str(code).strip()
    return "epci" if len(raw) == 9 and raw.isdigit() else default


def check_codes(codes: list[str]) -> list[str]:
    unique = list(dict.fromkeys(str(c).strip().upper() for c in codes if str(c).strip()))
    if not MIN_TERRITORIES <= len(unique) <= MAX_TERRITORIES:
        raise SentiersError(
            f"Comparer demande de {MIN_TERRITORIES} à {MAX_TERRITORIES} territoires différents ({len(unique)} {'donné' if len(unique) < 2 else 'donnés'})."
        )
    return unique


def _profile_directions(profile: Any) -> dict[str, str]:
    """indicator -> higher/lower from the profile's criteria, when it has any."""
    criteria = getattr(profile, "criteria", None)
    if criteria is None and isinstance(profile, dict):
        criteria = profile.get("criteria")
    if criteria is None and hasattr(profile, "defi"):
        from sentiers.matching.presets import effective_criteria

        criteria = effective_criteria(profile)
    out: dict[str, str] = {}
    for criterion in criteria or []:
        get = criterion.get if isinstance(criterion, dict) else lambda k, c=criterion: getattr(c, k, None)
        indicator, direction = get("indicator"), get("direction")
        if indicator and str(direction) in ("higher", "lower"):
            out[str(indicator)] = str(direction)
    return out


_OPPOSITE = {"higher": "lower", "lower": "higher"}


def _service_direction(directions: dict[str, str], key: str, kind: str) -> str:
    """The sense of a service row under a profile: its own criterion, or the opposite of the other measure.

    ``kind`` "count" (how many in the territory) or "access" (distance to the nearest, share of inhabitants far
    from one). A profile looking for communes far from a food shop (``dist_alimentation_km`` higher) wants few
    food shops: the count row is marked « lower », never « présent » as the best.
    """
    count_ids, access_ids = (f"has_{key}", f"{key}_per_1000"), (f"dist_{key}_km", f"far_{key}")
    own, other = (count_ids, access_ids) if kind == "count" else (access_ids, count_ids)
    for indicator in own:
        if indicator in directions:
            return directions[indicator]
    for indicator in other:
        if indicator in directions:
            return _OPPOSITE[directions[indicator]]
    return "neutral"


def _mark(cells: list[Cell], direction: str) -> None:
    values = [c.value for c in cells if c.value is not None]
    top = max((abs(v) for v in values), default=0)
    for c in cells:
        c.bar = round(abs(c.value) / top * 100, 1) if c.value is not None and top > 0 else 0.0
    if direction not in ("higher", "lower") or len(values) < 2 or max(values) == min(values):
        return
    best = max(values) if direction == "higher" else min(values)
    worst = min(values) if direction == "higher" else max(values)
    for c in cells:
        if c.value == best:
            c.mark = "best"
        elif c.value == worst:
            c.mark = "worst"


def build_comparison(
    base: Base,
    codes: list[str],
    level: Level = "commune",
    profile: Any = None,
    with_maps: bool = True,
    progress: Progress | None = None,
) -> Comparison:
    report = progress or (lambda fraction, message: None)
    codes = check_codes(codes)
    briefings: list[Briefing] = []
    for i, code in enumerate(codes):
        report(i / (len(codes) + 1), f"Territoire {code}")
        briefings.append(
            build_briefing(
                base,
                code,
                level_of(code, level),
                profile=profile,
                with_map=with_maps,
                map_dpi=COMPARE_MAP_DPI,
            )
        )
    report(len(codes) / (len(codes) + 1), "Comparaison")
    directions = _profile_directions(profile) if profile is not None else {}
    columns = [
        Column(
            code=b.header.code,
            level=b.header.level,
            name=b.header.name,
            kind=b.header.kind,
            departement=b.header.departements[0] if b.header.departements else "",
            verdict=b.verdict.headline,
            map_png=b.map_png,
        )
        for b in briefings
    ]
    rows: list[Row] = []
    if profile is not None:
        cells = []
        for b in briefings:
            s = b.score
            if s is not None and s.available and s.score is not None:
                rank = f" (rang {s.rank})" if s.rank else ""
                cells.append(Cell(text=f"{fr.number(s.score, 1)} / 100{rank}", value=s.score))
            else:
                cells.append(Cell(text=(s.message if s else "") or "non calculé"))
        name = briefings[0].score.profile_name if briefings[0].score else "profil"
        rows.append(
            Row(
                key="score",
                label=f"Score (profil « {name} »)",
                group="Profil",
                direction="higher",
                cells=cells,
            )
        )
        robust = [
            Cell(text=(b.score.robustness if b.score and b.score.robustness else "—")) for b in briefings
        ]
        rows.append(Row(key="robustness", label="Robustesse", group="Profil", cells=robust))
    rows.append(
        Row(
            key="verdict",
            label="Rural ou urbain",
            group="Ruralité",
            cells=[Cell(text=b.verdict.headline) for b in briefings],
            source=briefings[0].verdict.source,
        )
    )
    for i, fact in enumerate(briefings[0].rurality):
        rows.append(
            Row(
                key=f"rurality_{i}",
                label=fact.label,
                group="Ruralité",
                source=fact.source,
                cells=[Cell(text=b.rurality[i].value) for b in briefings],
            )
        )
    for i, first in enumerate(briefings[0].indicators):
        spec = CATALOGUE.get(first.key)
        # with a profile only its criteria are marked, in its sense; without, what is better for inhabitants
        direction = directions.get(first.key, "neutral") if profile is not None else first.direction
        cells = []
        for b in briefings:
            row = b.indicators[i]
            text = row.value_text if row.value is not None else ("non disponible" if row.missing else "—")
            cells.append(Cell(text=text, value=row.value))
        _mark(cells, direction)
        source = next((b.indicators[i].source for b in briefings if b.indicators[i].source), "")
        if not source:
            source = first.note
        rows.append(
            Row(
                key=first.key,
                label=first.label + (f" ({spec.unit})" if spec and spec.unit else ""),
                group="Indicateurs",
                direction=direction,
                source=source,
                cells=cells,
            )
        )
    for i, service in enumerate(briefings[0].services):
        cells = []
        for b in briefings:
            count = b.services[i].count
            cells.append(Cell(text=b.services[i].text, value=float(count) if count is not None else None))
        service_direction = (
            _service_direction(directions, service.key, "count") if profile is not None else "higher"
        )
        _mark(cells, service_direction)
        rows.append(
            Row(
                key=f"service_{service.key}",
                label=service.label,
                group="Services du quotidien",
                direction=service_direction,
                source=service.source,
                cells=cells,
            )
        )
        access_row = _access_row(
            briefings,
            i,
            _service_direction(directions, service.key, "access") if profile is not None else "lower",
        )
        if access_row is not None:
            rows.append(access_row)
    for i, zoning in enumerate(briefings[0].zonings):
        rows.append(
            Row(
                key=f"zoning_{i}",
                label=zoning.label,
                group="Zonages et programmes",
                source=zoning.source,
                cells=[Cell(text=b.zonings[i].value) for b in briefings],
            )
        )
    rows.append(
        Row(
            key="kiif",
            label="Incubateur du Kiif",
            group="Ressources",
            cells=[
                Cell(
                    text=(b.incubator.name + ("" if b.incubator.verified else " (à confirmer)"))
                    if b.incubator.available
                    else b.incubator.message
                )
                for b in briefings
            ],
        )
    )
    for kind in ("France services", "Fabrique de territoire", "Manufacture de proximité"):
        cells = []
        for b in briefings:
            near = [r for r in b.resources if r.kind == kind]
            cells.append(
                Cell(
                    text=f"{len(near)} (la plus proche : {fr.number(near[0].distance_km, 1, 'km')})"
                    if near
                    else "aucune",
                    value=float(len(near)),
                )
            )
        _mark(cells, "higher" if profile is None else "neutral")
        rows.append(
            Row(
                key=f"resource_{kind}",
                label=f"{kind} à moins de {fr.number(briefings[0].radius_km, 0, 'km')}",
                group="Ressources",
                direction="higher" if profile is None else "neutral",
                source=briefings[0].resources_note.split("Sources : ")[-1]
                if briefings[0].resources_note
                else "",
                cells=cells,
            )
        )
    rows += actor_rows(briefings)
    seen: set[str] = set()
    sources: list[SourceRow] = []
    for b in briefings:
        for src in b.sources:
            if src.title not in seen:
                seen.add(src.title)
                sources.append(src)
    report(1.0, "Prêt")
    return Comparison(
        columns=columns,
        rows=rows,
        profile_name=briefings[0].score.profile_name if profile is not None and briefings[0].score else "",
        direction_note=_direction_note(rows, profile is not None),
        sources=sources,
        generated_at=now_text(),
        base_note=base_note(base),
    )


ACTORS_GROUP = "Acteurs de l'ESS"


def actor_rows(briefings: list[Briefing]) -> list[Row]:
    """ESS actor counts (total and per family) of each territory, with the date of each list; not marked best or
    worst: more actors means more partners and more competitors alike."""
    sections = [b.actors for b in briefings]
    if all(s is None for s in sections):
        return []

    def cell(section, count) -> Cell:
        if section is None or not section.available:
            return Cell(text="liste non disponible (connexion nécessaire)")
        return Cell(text=fr.integer(count), value=float(count))

    dates = sorted({s.date_text for s in sections if s is not None and s.available and s.date_text})
    source = "API « Recherche d'entreprises » (DINUM, Sirene et RNE), Licence Ouverte 2.0" + (
        f" — liste du {', '.join(dates)}" if dates else ""
    )
    rows = [
        Row(
            key="actors_total",
            label="Acteurs de l'ESS et de l'insertion",
            group=ACTORS_GROUP,
            source=source,
            cells=[cell(s, s.total if s else 0) for s in sections],
        )
    ]
    for i, family in enumerate(ESS_FAMILIES):
        label = FAMILY_PLURALS[family]
        rows.append(
            Row(
                key=f"actors_{family}",
                label=label[:1].upper() + label[1:],
                group=ACTORS_GROUP,
                source=source,
                cells=[
                    cell(s, s.by_family[i][1] if s and s.available and i < len(s.by_family) else 0)
                    for s in sections
                ],
            )
        )
    return rows


# --- exports -------------------------------------------------------------------------------------


def render_compare_html(comparison: Comparison) -> str:
    return environment().get_template("compare.html.j2").render(c=comparison)


def render_compare_pdf(comparison: Comparison) -> bytes:
    from fpdf.enums import XPos, YPos

    from sentiers.briefing.pdf import GREEN, MUTED, BriefPDF

    c = comparison
    pdf = BriefPDF("Comparaison de territoires")
    pdf.alias_nb_pages()
    pdf.add_page(orientation="L")
    pdf.para("SENTIERS · COMPARAISON DE TERRITOIRES", size=8, colour=MUTED)
    pdf.h1(" / ".join(col.name for col in c.columns))
    pdf.source(c.base_note)
    if c.profile_name:
        pdf.para(f"Profil : {c.profile_name}", style="B")
    pdf.source(c.direction_note + " ▲ meilleure valeur, ▼ moins bonne.")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    label_w = 62
    col_w = (width - label_w) / len(c.columns)
    group = None
    body: list[list[str]] = []
    headings = ["", *[f"{col.name} ({col.code})" for col in c.columns]]
    for row in c.rows:
        if row.group != group:
            group = row.group
            body.append([f"— {group} —", *["" for _ in c.columns]])
        label = row.label + (f"\n{row.source}" if row.source else "")
        body.append(
            [label, *[cell.text + {"best": " ▲", "worst": " ▼", "": ""}[cell.mark] for cell in row.cells]]
        )
    pdf.grid(headings, body, (label_w, *[col_w] * len(c.columns)), size=7.5)
    maps = [col for col in c.columns if col.map_png]
    if maps:
        pdf.add_page(orientation="L")
        pdf.h2("Cartes")
        w = min(90.0, (width - 4 * (len(maps) - 1)) / min(len(maps), 3))
        x, y = pdf.l_margin, pdf.get_y()
        for i, col in enumerate(maps):
            if i and i % 3 == 0:
                x, y = pdf.l_margin, y + w * 4.6 / 6.4 + 10
            pdf.set_xy(x, y)
            pdf.set_font("DejaVu", "B", 8.5)
            pdf.cell(w, 5, col.name[:50])
            pdf.image(io.BytesIO(base64.b64decode(col.map_png or "")), x=x, y=y + 5, w=w)
            x += w + 4
        pdf.set_xy(pdf.l_margin, y + w * 4.6 / 6.4 + 8)
    pdf.h2("Sources et millésimes")
    for s in c.sources:
        pdf.source(f"• {s.title} — {s.publisher}, {s.vintage}")
    pdf.set_text_color(*GREEN)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.cell(
        0, 5, f"Comparaison générée le {c.generated_at} par Sentiers.", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    return bytes(pdf.output())


def render_compare_xlsx(comparison: Comparison) -> bytes:
    """The comparison as a workbook: one row per figure, best and worst filled, numbers typed; its sources."""
    c = comparison
    names = [f"{col.name} ({col.code})" for col in c.columns]
    records, fills = [], {}
    for r, row in enumerate(c.rows):
        values = [
            cell.value if cell.value is not None and row.group in ("Indicateurs", ACTORS_GROUP) else cell.text
            for cell in row.cells
        ]
        records.append([row.group, row.label, *values, row.source])
        for i, cell in enumerate(row.cells):
            if cell.mark:
                fills[(r, 2 + i)] = palettes.BEST_FILL if cell.mark == "best" else palettes.WORST_FILL
    table = pd.DataFrame(records, columns=["Groupe", "Critère", *names, "Source"])
    decimals = {
        name: max((CATALOGUE[row.key].decimals for row in c.rows if row.key in CATALOGUE), default=2)
        for name in names
    }
    titles = [f"Comparaison de territoires — Sentiers, générée le {c.generated_at}", c.direction_note]
    if c.profile_name:
        titles.append(f"Profil : {c.profile_name}")
    sources = pd.DataFrame(
        [(s.title, s.publisher, s.vintage, s.licence, s.url) for s in c.sources],
        columns=["Source", "Éditeur", "Millésime", "Licence", "Adresse"],
    )
    return exports.to_xlsx_bytes(
        [
            exports.Sheet(
                "Comparaison",
                table,
                decimals=decimals,
                widths={"Groupe": 20, "Critère": 45, "Source": 40, **dict.fromkeys(names, 28)},
                wrap=True,
                fills=fills,
                title_rows=titles,
            ),
            exports.Sheet("Sources", sources, widths={"Source": 60, "Éditeur": 30, "Millésime": 30}),
        ]
    )


def _direction_note(rows: list[Row], with_profile: bool) -> str:
    """What the marks mean, read from the rows as marked: the caption cannot say one thing and the table another."""

    def short(row: Row) -> str:
        return row.label.split(" (")[0]

    indicators = [r for r in rows if r.group == "Indicateurs"]
    if with_profile:
        marked = [short(r) for r in rows if r.direction in ("higher", "lower") and r.group != "Profil"]
        return (
            "Marqués : les critères du profil seulement, dans son sens (▲ ce que le profil cherche le plus, ▼ le "
            "moins)"
            + (f" : {', '.join(dict.fromkeys(marked))}" if marked else " ; aucun ne figure dans le tableau")
            + ". Les autres lignes ne sont pas marquées."
        )
    unmarked = [short(r) for r in indicators if r.direction not in ("higher", "lower")]
    return (
        "Marqués : la meilleure (▲) et la moins bonne (▼) valeur pour les habitants, selon le sens de chaque "
        "indicateur (plus de services est mieux, plus loin est moins bien)."
        + (f" Non marqués, faute de sens : {', '.join(unmarked)}." if unmarked else "")
    )


def _access_row(briefings: list[Briefing], i: int, direction: str = "lower") -> Row | None:
    """The nearest one (communes: commune and km) or the share of inhabitants beyond the lack distance (EPCI)."""
    from sentiers.base.catalogue import ACCESS_FAMILIES, from_phrase

    service = briefings[0].services[i]
    spec = next((f for f in ACCESS_FAMILIES if f.key == service.key), None)
    if spec is None or not any(b.services[i].nearest_text for b in briefings):
        return None
    levels = {b.header.level for b in briefings}
    cells = []
    for b in briefings:
        row = b.services[i]
        value = row.nearest_km if b.header.level == "commune" else row.far_share
        cells.append(Cell(text=row.nearest_text or "—", value=value))
    if len(levels) == 1:  # km and shares of inhabitants are not compared with each other
        _mark(cells, direction)
    lack = fr.number(spec.lack_km, 0, "km")
    label = (
        f"{spec.nearest_label[0].upper()}{spec.nearest_label[1:]} (distance)"
        if levels == {"commune"}
        else f"Habitants à plus de {lack} {from_phrase(spec.nearest_label)}"
    )
    return Row(
        key=f"access_{service.key}",
        label=label,
        group="Services du quotidien",
        direction=direction,
        source=ACCESS_NOTE,
        cells=cells,
    )
