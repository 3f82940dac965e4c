"""Fiche territoire : la fiche d'une commune ou d'un EPCI, à lire, imprimer ou télécharger (HTML, PDF).

Lien partageable : ``fiche?code=26113&level=commune`` (ou ``level=epci`` avec un SIREN), ``&preset=SLUG``
pour ajouter le score d'un profil type, ``&p=TOKEN`` pour le profil partagé par la page « Trouver un
territoire » (sentiers.matching.profile.profile_to_token).
"""

from __future__ import annotations

import streamlit as st

from app_pages.search import territory_search
from app_pages.state import base_stamp, get_base, inert, page_link, profile_picker, say_error
from sentiers.actors.fetch import cache_stamp
from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.render import render_html, render_pdf
from sentiers.briefing.scoring import profile_from_choice
from sentiers.errors import SentiersError
from sentiers.fr import file_stem

LEVELS = {"commune": "Commune", "epci": "Intercommunalité (EPCI)"}


@st.cache_data(show_spinner=False, max_entries=24)
def _documents(
    stamp: str, code: str, level: str, preset: str, profile_json: str, radius: float, actors_stamp: str = ""
):
    """(name, HTML, PDF) of a briefing — cached per base, territory, profile and state of the actors cache."""
    base = get_base()
    profile = profile_from_choice(preset, profile_json)
    briefing = build_briefing(base, code, level, profile=profile, radius_km=radius)
    return briefing.header.name, render_html(briefing), render_pdf(briefing)


st.title("Fiche territoire")
st.caption(
    "La fiche d'une commune ou d'une intercommunalité pour préparer une première visite : verdict rural, carte, "
    "indicateurs comparés au département et à la France, services, zonages, ressources locales et questions à poser."
)
base = get_base()
params = st.query_params

if "fiche_level" not in st.session_state:
    st.session_state["fiche_level"] = params.get("level") if params.get("level") in LEVELS else "commune"
level = st.radio("Niveau", options=list(LEVELS), format_func=LEVELS.get, horizontal=True, key="fiche_level")

url_code = str(params.get("code", "") or "").strip()[:20]
found = territory_search("fiche", level, initial_code=url_code)
code = found.code if found else None  # a link's code that names nothing: the box says why, once
if found is not None and found.note:
    st.caption(inert(found.note))

col_profile, col_radius = st.columns([2, 1])
with col_profile:
    preset, profile_json = profile_picker(
        "fiche_profile", "Profil (facultatif : ajoute le score et son détail)"
    )
with col_radius:
    radius = st.slider("Rayon des ressources locales (km)", 5, 60, 20, step=5, key="fiche_radius")

if not code:
    if "code" in params:
        del params["code"]  # the link names the territory shown, or none
    st.info("Cherchez une commune ou une intercommunalité par son nom ou son code pour afficher sa fiche.")
    st.stop()

if params.get("code") != code or params.get("level") != level:
    params["code"] = code
    params["level"] = level

try:
    with st.status("Préparation de la fiche…", expanded=False) as status:
        name, html, pdf = _documents(
            base_stamp(), code, level, preset, profile_json, float(radius), cache_stamp()
        )
        status.update(label=f"Fiche prête : {inert(name)}", state="complete")
except SentiersError as exc:
    say_error(exc)
    st.stop()

col_html, col_pdf, col_compare = st.columns(3)
with col_html:
    st.download_button(
        "Télécharger la fiche (HTML)",
        data=html.encode("utf-8"),
        file_name=f"fiche-{file_stem(name)}-{code}.html",
        mime="text/html",
        key="fiche_download_html",
        icon=":material/download:",
    )
with col_pdf:
    st.download_button(
        "Télécharger la fiche (PDF)",
        data=pdf,
        file_name=f"fiche-{file_stem(name)}-{code}.pdf",
        mime="application/pdf",
        key="fiche_download_pdf",
        icon=":material/picture_as_pdf:",
    )
with col_compare:
    page_link(
        "app_pages/comparer.py",
        "comparer",
        "Comparer avec d'autres territoires",
        ":material/compare_arrows:",
        {"codes": code, **({"p": str(params.get("p"))} if params.get("p") else {})},
    )
# The document is built by sentiers.briefing.render with every data and user text escaped (Jinja2 autoescape).
# height="content": the page grows to the fiche's height, one scrollbar (the page's), none nested
st.iframe(html, height="content", alt=f"Fiche territoire : {name}")
