"""Comparer : 2 à 5 territoires côte à côte, meilleure et moins bonne valeur marquées, exports HTML/PDF/XLSX.

Lien partageable : ``comparer?codes=26113,05061,48095`` (un SIREN à 9 chiffres désigne un EPCI),
``&preset=SLUG`` pour les scores d'un profil type, ``&p=TOKEN`` pour le profil de la page « Trouver ».
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.search import clear_search, territory_name, territory_search
from app_pages.state import bar_chart, base_stamp, get_base, inert, page_link, profile_picker, say_error
from sentiers.actors.fetch import cache_stamp
from sentiers.base.catalogue import CATALOGUE
from sentiers.briefing.compare import (
    MAX_TERRITORIES,
    MIN_TERRITORIES,
    build_comparison,
    level_of,
    render_compare_html,
    render_compare_pdf,
    render_compare_xlsx,
)
from sentiers.briefing.scoring import profile_from_choice
from sentiers.briefing.territory import resolve_territory
from sentiers.errors import SentiersError
from sentiers.maps import palettes

CODES_KEY = "compare_codes"
CATALOGUE_DECIMALS = {key: entry.decimals for key, entry in CATALOGUE.items()}
LEVELS = {"commune": "Commune", "epci": "Intercommunalité (EPCI)"}
MARKS = {"best": " ▲", "worst": " ▼", "": ""}


@st.cache_data(show_spinner=False, max_entries=12)
def _comparison(stamp: str, codes: tuple[str, ...], preset: str, profile_json: str, actors_stamp: str = ""):
    base = get_base()
    profile = profile_from_choice(preset, profile_json)
    comparison = build_comparison(base, list(codes), "commune", profile=profile)
    return (
        comparison,
        render_compare_html(comparison),
        render_compare_pdf(comparison),
        render_compare_xlsx(comparison),
    )


def _label(base, code: str) -> str:
    return territory_name(base, code, level_of(code, "commune"))[1]


def _add(code: str) -> None:
    """« Ajouter »: the territory joins the list and the box is emptied for the next one."""
    if code not in st.session_state[CODES_KEY]:
        st.session_state[CODES_KEY].append(code)
    clear_search("compare")


st.title("Comparer des territoires")
st.caption(
    f"De {MIN_TERRITORIES} à {MAX_TERRITORIES} communes ou intercommunalités côte à côte : mêmes indicateurs, "
    "meilleure (▲) et moins bonne (▼) valeur marquées, scores sous le profil choisi."
)
base = get_base()
params = st.query_params

if CODES_KEY not in st.session_state:
    raw = str(params.get("codes", "") or "")
    st.session_state[CODES_KEY] = list(dict.fromkeys(c.strip().upper() for c in raw.split(",") if c.strip()))[
        :MAX_TERRITORIES
    ]
codes: list[str] = st.session_state[CODES_KEY]

with st.container(border=True):
    col_level, col_query = st.columns([1, 2])
    with col_level:
        level = st.radio("Niveau", options=list(LEVELS), format_func=LEVELS.get, key="compare_level")
    with col_query:
        found = territory_search(
            "compare",
            level,
            label="Chercher un territoire à ajouter",
            placeholder="ex. Die, 05061, CC du Diois",
        )
        if found is not None:
            full = len(codes) >= MAX_TERRITORIES
            already = found.code in codes
            st.button(
                f"Ajouter {inert(found.label)} à la comparaison",
                key="compare_add",
                disabled=full or already,
                type="primary",
                on_click=_add,
                args=(found.code,),
            )
            if full:
                st.caption(f"{MAX_TERRITORIES} territoires au plus.")
            elif already:
                st.caption("Ce territoire est déjà dans la comparaison.")

invalid = []
for code in list(codes):
    try:
        resolve_territory(base, code, level_of(code, "commune"))
    except SentiersError as exc:
        invalid.append(str(exc))
        codes.remove(code)
for message in invalid:
    say_error(message)

if codes:
    st.markdown("**Territoires comparés**")
    for i, code in enumerate(list(codes)):
        col_name, col_remove = st.columns([5, 1])
        col_name.markdown(f"{i + 1}\\. {inert(_label(base, code))}")
        if col_remove.button("Retirer", key=f"compare_remove_{code}"):
            codes.remove(code)
            st.rerun()

joined = ",".join(codes)
if params.get("codes", "") != joined:
    if joined:
        params["codes"] = joined
    elif "codes" in params:
        del params["codes"]

preset, profile_json = profile_picker("compare_profile", "Profil pour les scores (facultatif)")

if len(codes) < MIN_TERRITORIES:
    st.info(
        f"Ajoutez au moins {MIN_TERRITORIES} territoires pour les comparer ({len(codes)} pour l'instant)."
    )
    st.stop()

try:
    with st.status("Préparation de la comparaison…", expanded=False) as status:
        comparison, html, pdf, xlsx = _comparison(
            base_stamp(), tuple(codes), preset, profile_json, cache_stamp()
        )
        status.update(label="Comparaison prête", state="complete")
except SentiersError as exc:
    say_error(exc)
    st.stop()

st.caption(comparison.direction_note)
headers = [f"{col.name} ({col.code})" for col in comparison.columns]
colours = {
    "best": f"background-color: {palettes.BEST_FILL}; font-weight: bold",
    "worst": f"background-color: {palettes.WORST_FILL}",
    "": "",
}
# one static table per group: every cell wraps inside the page (no cut cell, no sideways scrolling)
# st.table renders each cell as Markdown: every text goes through inert (a profile's name is in a label)
shown_headers = [inert(h, 200) for h in headers]
for group in dict.fromkeys(row.group for row in comparison.rows):
    rows = [row for row in comparison.rows if row.group == group]
    table = pd.DataFrame(
        [[inert(row.label), *[inert(cell.text) + MARKS[cell.mark] for cell in row.cells]] for row in rows],
        columns=["Critère", *shown_headers],
    ).set_index("Critère")
    marks = pd.DataFrame(
        [[cell.mark for cell in row.cells] for row in rows], columns=shown_headers, index=table.index
    )
    st.markdown(f"**{inert(group)}**")
    st.table(table.style.apply(lambda _, m=marks: m.map(colours.get), axis=None))

numeric = [
    row
    for row in comparison.rows
    if row.group == "Indicateurs" and any(c.value is not None for c in row.cells)
]
if numeric:
    st.subheader("Graphiques")
    keys = {row.key: row for row in numeric}
    picked = st.selectbox(
        "Indicateur", options=list(keys), format_func=lambda k: keys[k].label, key="compare_chart_indicator"
    )
    row = keys[picked]
    bar_chart(headers, [c.value for c in row.cells], row.label, decimals=CATALOGUE_DECIMALS.get(row.key, 1))
    st.caption(f"Source : {inert(row.source)}" if row.source else "")

st.subheader("Exporter")
col_html, col_pdf, col_xlsx = st.columns(3)
stem = "comparaison-" + "-".join(codes)
col_html.download_button(
    "Télécharger la comparaison (HTML)",
    data=html.encode("utf-8"),
    file_name=f"{stem}.html",
    mime="text/html",
    key="compare_download_html",
)
col_pdf.download_button(
    "Télécharger la comparaison (PDF)",
    data=pdf,
    file_name=f"{stem}.pdf",
    mime="application/pdf",
    key="compare_download_pdf",
)
col_xlsx.download_button(
    "Télécharger la comparaison (XLSX)",
    data=xlsx,
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="compare_download_xlsx",
)
for col in comparison.columns:
    page_link(
        "app_pages/fiche.py",
        "fiche",
        f"Fiche de {col.name}",
        ":material/description:",
        {
            "code": col.code,
            "level": col.level,
            **({"p": str(params.get("p"))} if params.get("p") else {}),
        },
    )
