"""Acteurs du territoire : les acteurs de l'ESS et les structures d'insertion d'une commune, d'un EPCI ou d'un rayon,
d'après l'API « Recherche d'entreprises » (Sirene et RNE), avec les lieux qui complètent la liste.

Lien partageable : ``acteurs?code=26113&level=commune&rayon=10`` (``level=epci`` avec un SIREN), ``&famille=siae,
association`` pour filtrer, ``&activite=epicerie`` (code NAF ou activité type) et ``&defi=SLUG`` pour les
coopérations. La liste est gardée dans la session : changer un filtre ne l'interroge pas de nouveau ;
« Actualiser » interroge l'API même si une liste récente est enregistrée.

Stable widget keys: ``acteurs_level``, ``acteurs_query`` (the search box), ``acteurs_sugg_<code>``,
``acteurs_rayon``, ``acteurs_activite``, ``acteurs_defi``, ``acteurs_familles``, ``acteurs_refresh``,
``acteurs_csv``, ``acteurs_xlsx``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import map_view
from app_pages.leaflet_assets import leaflet_url
from app_pages.search import territory_search
from app_pages.state import get_base, inert, page_link, progress_bar, say_error
from sentiers import fr
from sentiers.actors.activities import RELATIONS, defi_table, defi_title
from sentiers.actors.area import MAX_RADIUS_KM, check_radius
from sentiers.actors.families import ESS_FAMILIES, FAMILIES, FAMILY_PLURALS, FAMILY_SLUGS, PLACE_FAMILIES
from sentiers.actors.fetch import fetch_actors
from sentiers.actors.model import ActorList, Level
from sentiers.actors.table import actors_frame, defi_counts, to_csv_bytes, to_xlsx_bytes
from sentiers.base.defis import DEFIS
from sentiers.base.naf import ACTIVITY_CHOICES, activity_code, naf_label
from sentiers.errors import SentiersError
from sentiers.exports import to_csv_bytes as table_csv
from sentiers.fr import file_stem
from sentiers.maps import palettes
from sentiers.maps.web import CompactGeoJson, LayerClass, Legend, base_map, esc

LEVELS = {"commune": "Commune", "epci": "Intercommunalité (EPCI)"}
RESULT_KEY = "acteurs_result"
MAP_HEIGHT = 520
HIDDEN_COLUMNS = ["Latitude", "Longitude", "Source", "Code commune"]
SLUG_OF = {key: slug for slug, key in FAMILY_SLUGS.items()}


def _init_from_url() -> None:
    params = st.query_params
    if "acteurs_level" not in st.session_state:
        st.session_state["acteurs_level"] = (
            params.get("level") if params.get("level") in LEVELS else "commune"
        )
    if "acteurs_rayon" not in st.session_state:
        try:
            st.session_state["acteurs_rayon"] = int(check_radius(params.get("rayon") or 0))
        except SentiersError as exc:
            st.warning(inert(exc))
            st.session_state["acteurs_rayon"] = 0
    if "acteurs_activite" not in st.session_state:
        raw = str(params.get("activite") or "").strip()[:20]
        code = activity_code(raw) if raw else None
        if raw and code is None:
            st.warning(f"Activité de l'adresse non reconnue : {inert(fr.quoted(raw, 20))}.")
        slug = next((s for s, (_, c) in ACTIVITY_CHOICES.items() if c == code), "")
        if code and not slug:  # a NAF code outside the short list: offered as it is, never dropped
            st.session_state["acteurs_activite_naf"] = code
            slug = code
        st.session_state["acteurs_activite"] = slug
    if "acteurs_defi" not in st.session_state:
        st.session_state["acteurs_defi"] = params.get("defi") if params.get("defi") in DEFIS else ""
    if "acteurs_familles" not in st.session_state:
        wanted = [FAMILY_SLUGS[s] for s in str(params.get("famille") or "").split(",") if s in FAMILY_SLUGS]
        st.session_state["acteurs_familles"] = wanted


def _sync_url(code: str, level: str, radius: int, families: list[str], activity: str, defi: str) -> None:
    wanted = {
        "code": code,
        "level": level,
        "rayon": str(radius) if radius else "",
        "famille": ",".join(SLUG_OF[f] for f in families),
        "activite": activity,
        "defi": defi,
    }
    for key, value in wanted.items():
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]


def _fetch(code: str, level: Level, radius: int, activity: str, defi: str, refresh: bool) -> ActorList:
    """The list of the session for these choices; the API (or the disk cache) asked only when they change."""
    key = (code, level, radius, activity, defi)
    kept = st.session_state.get(RESULT_KEY)
    if kept is not None and kept[0] == key and not refresh:
        return kept[1]
    with st.status("Récupération de la liste des acteurs…", expanded=True) as status:
        result = fetch_actors(
            get_base(),
            code,
            level,
            radius,
            mode="refresh" if refresh else "fetch",
            activity=activity or None,
            defi=defi or None,
            progress=progress_bar("Interrogation de l'API « Recherche d'entreprises »"),
        )
        label = {
            "online": "Liste récupérée",
            "cache": "Liste enregistrée relue",
            "offline": "Hors connexion : liste enregistrée",
            "unavailable": "Liste non disponible",
        }[result.status]
        status.update(
            label=label, state="error" if result.status == "unavailable" else "complete", expanded=False
        )
    st.session_state[RESULT_KEY] = (key, result)
    return result


def _actors_map(result: ActorList, shown: list[str]):
    points = [a for a in (*result.actors, *result.places) if a.family in shown and a.lat is not None]
    framed = [a for a in points if a.family != "incubator"]  # the incubator may be a région away
    lats = [a.lat for a in framed if a.lat is not None]
    lons = [a.lon for a in framed if a.lon is not None]
    centre = result.area.centre
    if centre is not None:
        lats.append(centre[0])
        lons.append(centre[1])
    bounds = [[min(lats) - 0.01, min(lons) - 0.01], [max(lats) + 0.01, max(lons) + 0.01]] if lats else None
    fmap = base_map(bounds, tiles=None, leaflet_url=leaflet_url())
    entries = []
    for family in (*ESS_FAMILIES, *PLACE_FAMILIES):
        members = [a for a in points if a.family == family]
        if not members:
            continue
        colour = palettes.ACTOR_FAMILIES[family]
        features = [
            {
                "type": "Feature",
                "properties": {
                    "n": esc(a.name),
                    "k": "p",
                    "g": "point",
                    "x": esc(" · ".join(v for v in (a.family_detail, a.activity, a.commune) if v)),
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(a.lon or 0), 5), round(float(a.lat or 0), 5)],
                },
            }
            for a in members
        ]
        CompactGeoJson(
            {"type": "FeatureCollection", "features": features},
            {"p": LayerClass(colour, FAMILIES[family])},
            FAMILIES[family],
            radius=6,
        ).add_to(fmap)
        entries.append((colour, f"{FAMILIES[family]} ({len(members)})"))
    if entries:
        Legend(
            "Acteurs", entries, note="Position de l'établissement (Sirene, géocodage Insee).", point=True
        ).add_to(fmap)
    return fmap


st.title("Acteurs du territoire")
st.caption(
    "Qui rencontrer et avec qui coopérer : les associations employeuses, coopératives, mutuelles, fondations, "
    "entreprises de l'ESS et structures d'insertion d'un territoire, d'après le registre officiel des entreprises, "
    "complétées par les France services, Fabriques, Manufactures et l'incubateur du Kiif."
)
base = get_base()
_init_from_url()
params = st.query_params

chosen_level = st.radio(
    "Niveau", options=list(LEVELS), format_func=LEVELS.get, horizontal=True, key="acteurs_level"
)
level: Level = "epci" if chosen_level == "epci" else "commune"
url_code = str(params.get("code", "") or "").strip()[:20]
found = territory_search("acteurs", level, initial_code=url_code)
code = found.code if found else None  # a link's code that names nothing: the box says why, once

col_radius, col_activity, col_defi = st.columns([1, 1.4, 1.4])
with col_radius:
    radius = st.slider(
        "Rayon autour du territoire (km)",
        0,
        int(MAX_RADIUS_KM),
        step=1,
        key="acteurs_rayon",
        help="0 : le territoire seul ; sinon les communes dont le centre est dans ce rayon s'ajoutent.",
    )
with col_activity:
    linked = st.session_state.get("acteurs_activite_naf")
    activity_slug = st.selectbox(
        "Activité de votre structure (facultatif)",
        options=["", *ACTIVITY_CHOICES, *([linked] if linked else [])],
        format_func=lambda s: (
            "— aucune —"
            if not s
            else f"{ACTIVITY_CHOICES[s][0]} ({ACTIVITY_CHOICES[s][1]})"
            if s in ACTIVITY_CHOICES
            else (naf_label(s) if s in naf_label(s) else f"{naf_label(s)} ({s})")
        ),
        key="acteurs_activite",
        help="Les acteurs de la même activité sont « à consulter : concurrent ou partenaire ».",
    )
with col_defi:
    defi = st.selectbox(
        "Défi de votre structure (facultatif)",
        options=["", *DEFIS],
        format_func=lambda s: "— aucun —" if not s else DEFIS[s],
        key="acteurs_defi",
        help="Les acteurs des activités complémentaires du défi sont des « coopérations possibles ».",
    )

if not code:
    if "code" in st.query_params:
        del st.query_params["code"]  # the link names the territory shown, or none
    st.info("Cherchez une commune ou une intercommunalité par son nom ou son code pour afficher ses acteurs.")
    st.stop()

activity = ACTIVITY_CHOICES[activity_slug][1] if activity_slug in ACTIVITY_CHOICES else activity_slug
refresh = st.button(
    "Actualiser", key="acteurs_refresh", icon=":material/refresh:", help="Interroger l'API de nouveau."
)
try:
    result = _fetch(code, level, int(radius), activity, defi, refresh)
except SentiersError as exc:
    say_error(exc)
    st.stop()

families = st.multiselect(
    "Familles affichées",
    options=[*ESS_FAMILIES, *PLACE_FAMILIES],
    format_func=lambda f: FAMILIES[f],
    key="acteurs_familles",
    placeholder="Toutes les familles",
)
_sync_url(code, level, int(radius), families, activity_slug, defi)
shown = families or [*ESS_FAMILIES, *PLACE_FAMILIES]

st.subheader(inert(result.area.label))
if result.retrieved_at:
    st.caption(f"Liste du {fr.date(result.retrieved_at)} — Source : {result.source}.")
else:
    st.caption(f"Source : {result.source}.")
if result.status == "unavailable":
    st.warning(inert(result.message, 600))
elif result.message:
    st.info(inert(result.message, 600))

if result.available:
    counts = result.counts_by_family()
    cols = st.columns(len(ESS_FAMILIES) + 1)
    cols[0].metric("Acteurs de l'ESS", fr.integer(len(result.actors)))
    for col, family in zip(cols[1:], ESS_FAMILIES, strict=True):
        col.metric(FAMILY_PLURALS[family].capitalize(), fr.integer(counts.get(family, 0)))
    with st.expander("Par défi du programme (lecture du code d'activité)"):
        st.dataframe(defi_counts(result), hide_index=True)
        st.caption(
            "Chaque code d'activité (NAF) est rattaché au défi qu'il sert le plus souvent : une première lecture, "
            "pas un classement de la structure (la table de correspondance se télécharge ci-dessous). "
            + (f"Votre activité : {naf_label(activity)}. " if activity else "")
            + (f"Votre défi : {defi_title(defi)}." if defi else "")
        )
        st.download_button(
            "Table de correspondance NAF → défi (CSV)",
            lambda: table_csv(pd.DataFrame(defi_table())),  # made when asked for, not on every run
            file_name="sentiers-naf-defis.csv",
            mime="text/csv",
            key="acteurs_dl_naf_defis",
            on_click="ignore",
        )

frame = actors_frame(result, family=shown)
col_list, col_map = st.columns([1.35, 1])
with col_list:
    if frame.empty:
        st.info("Aucun acteur de ces familles dans la liste.")
    else:
        st.dataframe(
            fr.frame_text(frame.drop(columns=HIDDEN_COLUMNS), {"Distance (km)": 1}),  # « 2,5 », « 2015 »
            hide_index=True,
            column_config={"Nom": st.column_config.TextColumn(width="large")},
            height=min(640, 38 + 35 * len(frame)),
        )
    related = [RELATIONS[r] for r in ("same", "complement")]
    if activity or defi:
        st.caption(
            f"Colonne « Pour votre structure » : {related[0]} (même groupe d'activité NAF) ; {related[1]} "
            "(activité complémentaire du défi, France services, Fabriques, Manufactures, Kiif)."
        )
with col_map:
    map_view.show(  # not cached: the list behind it may have just been refreshed
        map_view.prepare(_actors_map(result, shown)),
        key=f"acteurs_map_{code}_{level}_{radius}",
        height=MAP_HEIGHT,
        returned_objects=[],
    )
    st.caption(
        "Carte sans fond (aucune requête hors du serveur) : les points sont placés à l'adresse de l'établissement."
    )

c1, c2, c3 = st.columns(3)
with c1:
    st.download_button(
        "Télécharger la liste (CSV)",
        data=to_csv_bytes(result, shown),
        file_name=f"acteurs-{file_stem(result.area.name)}-{code}.csv",
        mime="text/csv",
        key="acteurs_csv",
        icon=":material/download:",
    )
with c2:
    st.download_button(
        "Télécharger la liste (XLSX)",
        data=to_xlsx_bytes(result, shown),
        file_name=f"acteurs-{file_stem(result.area.name)}-{code}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="acteurs_xlsx",
        icon=":material/table:",
    )
with c3:
    page_link(
        "app_pages/fiche.py",
        "fiche",
        "Ouvrir la fiche territoire",
        ":material/description:",
        {"code": code, "level": level},
    )
