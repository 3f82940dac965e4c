"""Page under construction (owned by its issue)."""

import streamlit as st

st.info("Cette page arrive bientôt.")
