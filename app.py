"""Sentiers — Streamlit entry point: page configuration and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Sentiers", page_icon="🌾", layout="wide")

PAGES = [
    st.Page("pages/accueil.py", title="Accueil", icon="🏠", url_path="accueil", default=True),
    st.Page("pages/est_ce_rural.py", title="Est-ce rural ?", icon="🔎", url_path="rural"),
    st.Page("pages/carte.py", title="Carte", icon="🗺️", url_path="carte"),
    st.Page("pages/trouver.py", title="Trouver un territoire", icon="🎯", url_path="trouver"),
    st.Page("pages/fiche.py", title="Fiche territoire", icon="📄", url_path="fiche"),
    st.Page("pages/comparer.py", title="Comparer", icon="⚖️", url_path="comparer"),
]

st.navigation(PAGES).run()
