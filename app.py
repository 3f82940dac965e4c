"""Sentiers — Streamlit entry point: page configuration and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Sentiers", page_icon="assets/favicon.png", layout="wide")

PAGES = [
    st.Page("pages/accueil.py", title="Accueil", icon=":material/home:", url_path="accueil", default=True),
    st.Page("pages/est_ce_rural.py", title="Est-ce rural ?", icon=":material/search:", url_path="rural"),
    st.Page("pages/carte.py", title="Carte", icon=":material/map:", url_path="carte"),
    st.Page(
        "pages/trouver.py",
        title="Trouver un territoire",
        icon=":material/travel_explore:",
        url_path="trouver",
    ),
    st.Page("pages/fiche.py", title="Fiche territoire", icon=":material/description:", url_path="fiche"),
    st.Page("pages/comparer.py", title="Comparer", icon=":material/compare_arrows:", url_path="comparer"),
]

st.navigation(PAGES).run()
