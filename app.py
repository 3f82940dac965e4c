"""Sentiers — Streamlit entry point: page configuration and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Sentiers", page_icon="assets/favicon.png", layout="wide")

PAGES = [
    st.Page(
        "app_pages/accueil.py", title="Accueil", icon=":material/home:", url_path="accueil", default=True
    ),
    st.Page("app_pages/est_ce_rural.py", title="Est-ce rural ?", icon=":material/search:", url_path="rural"),
    st.Page("app_pages/carte.py", title="Carte", icon=":material/map:", url_path="carte"),
    st.Page(
        "app_pages/trouver.py",
        title="Trouver un territoire",
        icon=":material/travel_explore:",
        url_path="trouver",
    ),
    st.Page("app_pages/fiche.py", title="Fiche territoire", icon=":material/description:", url_path="fiche"),
    st.Page("app_pages/comparer.py", title="Comparer", icon=":material/compare_arrows:", url_path="comparer"),
    st.Page(
        "app_pages/etude.py", title="Étude de faisabilité", icon=":material/assignment:", url_path="etude"
    ),
    st.Page(
        "app_pages/acteurs.py", title="Acteurs du territoire", icon=":material/groups:", url_path="acteurs"
    ),
    st.Page(
        "app_pages/rencontres.py", title="Rencontres", icon=":material/handshake:", url_path="rencontres"
    ),
]

st.navigation(PAGES).run()
