"""The one search box of the pages: a commune or an EPCI from what is typed, with suggestions while typing.

Typing reruns only this box (an ``st.fragment``; the field commits after a short pause, ``live``): the
suggestions are computed on the server by the one lookup (:mod:`sentiers.base.lookup`), a few at a time, so
no list of 35,000 communes is sent to the browser. The page itself reruns only when what the box names
changes. The rule that keeps a page true: **the latest search wins.** A choice holds for the text and the level
it was made for; typing something else, or switching the level, resolves the text anew (at the EPCI level a
commune's name gives that commune's EPCI first), and a text that names no single territory leaves the page
with none — never the previous one.

Session keys, for a box of key ``K``: ``K_query`` (the field, a widget: tests and links set it), ``K_choice``
(what the box names: code, level, text), ``K_now`` / ``K_sign`` (what the box names now / what the page last
drew) and ``K_full`` (set while the whole page runs). Suggestion buttons are ``K_sugg_<code>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from app_pages.state import get_base, inert
from sentiers import fr
from sentiers.base.lookup import (
    LookupResult,
    epci_index_for,
    index_for,
    lookup_territory,
    suggest_territories,
)

MAX_SUGGESTIONS = 6
MAX_TYPED = 150
LIVE_PAUSE = "300ms"


@dataclass(frozen=True)
class Found:
    """The territory a search box names."""

    code: str
    level: str
    name: str
    label: str  # « Die (Drôme) · 26113 », « CC du Diois · 242600534 »
    note: str = ""  # e.g. « Intercommunalité de la commune Die (26113). »


def departement_names(base: Any) -> dict[str, str]:
    """Département code -> name (« 26 » -> « Drôme »), kept by the base."""

    def make() -> dict[str, str]:
        deps = base.departements
        if not len(deps):
            return {}
        return dict(zip(deps["code"].astype(str), deps["name"].astype(str), strict=True))

    return base.memo("departement_names", make)


def departement_label(base: Any, code: str) -> str:
    """« Drôme (26) », or the code alone when the base has no name for it."""
    name = departement_names(base).get(str(code))
    return f"{name} ({code})" if name else str(code)


def territory_name(base: Any, code: str, level: str) -> tuple[str, str]:
    """(name, label) of a commune or an EPCI, the label naming the département: « Die (Drôme) · 26113 »."""
    if level == "epci":
        name = epci_index_for(base).names.get(code, f"EPCI {code}")
        return name, f"{name} · {code}"
    index = index_for(base)
    if code not in index.codes:
        return code, code
    pos = index.codes[code]
    dep = index.departements[pos]
    dep_name = departement_names(base).get(dep, dep)
    return index.names[pos], f"{index.names[pos]} ({dep_name}) · {code}"


def _friendly_text(base: Any, code: str, level: str, name: str) -> str:
    """What the field shows once a territory is picked: its name when the name alone finds it, else its code."""
    for text in (name, code):
        found = lookup_territory(base, text, level, with_suggestions=False)
        if found.status == "ok" and found.codes[:1] == [code]:
            return text
    return code


def _keys(key: str) -> tuple[str, str, str, str]:
    return f"{key}_query", f"{key}_choice", f"{key}_sign", f"{key}_full"


def _pick(key: str, code: str, level: str) -> None:
    """A suggestion clicked: the field names it and the box holds it."""
    base = get_base()
    name, _label = territory_name(base, code, level)
    text = _friendly_text(base, code, level, name)
    query_key, choice_key, _sign, _full = _keys(key)
    st.session_state[query_key] = text
    st.session_state[choice_key] = {"code": code, "level": level, "text": text, "note": ""}


def set_search(key: str, code: str, level: str) -> None:
    """Name a territory in a box from outside it (a link, a click on a map), before the box is drawn."""
    _pick(key, code, level)


def clear_search(key: str) -> None:
    query_key, choice_key, _sign, _full = _keys(key)
    st.session_state[query_key] = ""
    st.session_state[choice_key] = None


def _resolve(base: Any, text: str, level: str) -> LookupResult | None:
    return lookup_territory(base, text, level, with_suggestions=False) if text else None


def _suggestions(base: Any, key: str, text: str, level: str, result: LookupResult | None) -> None:
    """Buttons for the territories the text may mean; the readings of an ambiguous code, each named."""
    if result is not None and result.status == "invalid":
        st.warning(inert(result.message, 400))
        return
    groups: list[tuple[str, list[str]]] = []
    if result is not None and result.groups:
        groups = [(g.label, g.codes[:MAX_SUGGESTIONS]) for g in result.groups]
    elif result is not None and result.status == "ambiguous":
        groups = [("", result.codes[:MAX_SUGGESTIONS])]
    else:
        groups = [("", [c for c, _ in suggest_territories(base, text, level, limit=MAX_SUGGESTIONS)])]
    if result is not None and result.status == "ambiguous" and result.message:
        st.caption(inert(result.message, 400))
    if not any(codes for _, codes in groups):
        what = "intercommunalité" if level == "epci" else "commune"
        found = result.message if result is not None and result.message else ""
        st.warning(inert(found or f"Aucune {what} ne correspond à {fr.quoted(text, 60)}.", 400))
        return
    if not (result is not None and result.status == "ambiguous"):
        st.caption("Suggestions : choisissez un territoire.")
    for gi, (title, codes) in enumerate(groups):
        if title:
            st.caption(f"**{inert(title)}**")
        cols = st.columns(3)
        for i, code in enumerate(codes):
            _name, label = territory_name(base, code, level)
            pop = _population(base, code, level)
            cols[i % 3].button(
                inert(label + (f" · {pop}" if pop else ""), 120),
                key=f"{key}_sugg_{code}" if gi == 0 else f"{key}_sugg{gi}_{code}",
                on_click=_pick,
                args=(key, code, level),
                width="stretch",
            )


def _population(base: Any, code: str, level: str) -> str:
    if level == "epci":
        pop = epci_index_for(base).populations.get(code)
    else:
        index = index_for(base)
        pop = index.populations[index.codes[code]] if code in index.codes else None
    return f"{fr.integer(pop)} hab." if pop else ""


@st.fragment
def _box(key: str, level: str, label: str, placeholder: str, help: str | None) -> None:
    base = get_base()
    query_key, choice_key, sign_key, full_key = _keys(key)
    text = st.text_input(
        label,
        key=query_key,
        placeholder=placeholder,
        max_chars=MAX_TYPED,
        live=LIVE_PAUSE,
        help=help,
        autocomplete="off",
    )
    text = (text or "").strip()
    choice = st.session_state.get(choice_key)
    if choice and (choice.get("text"), choice.get("level")) != (text, level):
        choice = None  # the latest search wins: a choice holds for the text and level it was made for
    result = None
    if choice is None and text:
        result = _resolve(base, text, level)
        if result is not None and result.status == "ok":
            choice = {"code": result.codes[0], "level": level, "text": text, "note": result.note}
    st.session_state[choice_key] = choice
    sign = (
        ("ok", choice["code"], level)
        if choice
        else ("ambiguous", tuple(result.codes[:50]), level)
        if result is not None and result.status == "ambiguous"
        else None
    )
    st.session_state[f"{key}_now"] = sign
    if sign != st.session_state.get(sign_key) and not st.session_state.get(full_key):
        # what the box names changed: the page follows (before the suggestions, which that run draws)
        st.rerun(scope="app")
    if choice is None and text:
        _suggestions(base, key, text, level, result)


def territory_search(
    key: str,
    level: str = "commune",
    *,
    label: str = "Commune ou intercommunalité : nom ou code",
    placeholder: str = "ex. Die, 26113, CC du Diois",
    initial_code: str = "",
    help: str | None = None,
    initial_is_code: bool = True,
) -> Found | None:
    """Draw the box; the territory it names, or None. ``initial_code`` (from a link) seeds a new session: a
    page's ``code=`` is an Insee code (``initial_is_code``), a shared query (``q=``) is read as typed."""
    base = get_base()
    query_key, choice_key, sign_key, full_key = _keys(key)
    if query_key not in st.session_state:
        st.session_state[query_key] = ""
        if initial_code:
            code = initial_code.strip()[:MAX_TYPED]
            found = lookup_territory(base, code, level, with_suggestions=False)
            if initial_is_code and level == "commune" and code.upper() in index_for(base).codes:
                _pick(key, code.upper(), level)  # a link's code is an Insee code, even when also a postal one
            elif found.status == "ok":
                _pick(key, found.codes[0], level)
            else:
                st.session_state[query_key] = fr.printable(initial_code, MAX_TYPED)
    st.session_state[full_key] = True
    try:
        _box(key, level, label, placeholder, help)
    finally:
        st.session_state[full_key] = False
    choice = st.session_state.get(choice_key)
    st.session_state[sign_key] = st.session_state.get(f"{key}_now")
    if not choice:
        return None
    name, label_text = territory_name(base, choice["code"], choice["level"])
    return Found(
        code=choice["code"], level=choice["level"], name=name, label=label_text, note=choice.get("note", "")
    )


def search_text(key: str) -> str:
    """What the box of ``key`` holds (stripped)."""
    return str(st.session_state.get(f"{key}_query") or "").strip()
