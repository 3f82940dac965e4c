"""Trouver un territoire : classer les communes ou les EPCI candidats selon le profil d'une structure.

Start from a défi preset, a profile file or a shared link; edit the criteria and weights; read the
funnel, the ranked shortlist (score, robustness, key figures, sources), the score map and the breakdown
of one candidate, with a link to its briefing. The whole scenario lives in the URL (``?p=<token>``,
see :func:`sentiers.matching.profile.profile_to_token`); ``?preset=<slug>`` opens a défi preset.

Stable widget keys (browser tests use them): ``tr_defi`` (profil type), ``tr_upload`` (fichier de
profil), ``tr_apply_preset``, ``tr_name``, ``tr_publics``, ``tr_mode``, ``tr_level``, ``tr_kiif``,
``tr_rural``, ``tr_deps``, ``tr_pop_min``, ``tr_pop_max``, ``tr_ref``, ``tr_dist``, ``tr_zonings``,
``tr_missing``, ``tr_indicators``, ``tr_w_<indicator>``, ``tr_d_<indicator>``, ``tr_t_<indicator>``,
``tr_top``, ``tr_map_dep``, ``tr_map_<dép.>`` (in ``tr_map_wrap``), ``tr_candidate``, ``tr_dl_yaml``, ``tr_dl_json``, ``tr_dl_csv``,
``tr_dl_xlsx``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import map_view, semblables
from app_pages.leaflet_assets import leaflet_url
from app_pages.state import bar_chart, base_stamp, french_uploader, get_base, inert, page_link
from sentiers import fr
from sentiers.base.catalogue import CATALOGUE, DIRECTION_LABELS
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.errors import SentiersError
from sentiers.matching.export import shortlist_table, to_csv_bytes, to_xlsx_bytes
from sentiers.matching.presets import effective_criteria, preset, preset_criteria, preset_profile
from sentiers.matching.profile import (
    DEFIS,
    LEVELS,
    MISSING_POLICIES,
    MODES,
    PUBLICS,
    ZONINGS,
    StructureProfile,
    parse_profile,
    to_json,
    to_yaml,
    validate_profile,
)
from sentiers.matching.score import (
    SCORE_METHOD,
    Ranking,
    check_summary,
    dependence_text,
    leading_group,
    missing_of,
    rank_profile,
    robustness_sentence,
    score_sentence,
    ties_text,
)
from sentiers.matching.share import profile_from_token, profile_to_token
from sentiers.matching.small_numbers import SHRINK_METHOD

DEFAULT_DEFI = "service-de-proximite"
DIRECTIONS = ["higher", "lower", "target"]
INDICATOR_IDS = list(CATALOGUE)
ss = st.session_state
e = inert  # every text of this page that reaches Markdown goes through the one helper
MAP_HEIGHT = 560
PROFILE_MAX_BYTES = 1_048_576


def _round(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 2)


# -- state: seeding the widgets from a profile ------------------------------------------------------------


def _seed(profile: StructureProfile, has_rurality: bool = True) -> None:
    """Write a profile into the widgets' session state (before they are drawn)."""
    crits = effective_criteria(profile)
    c = profile.constraints
    ss["tr_name"] = profile.name
    ss["tr_defi"] = profile.defi
    ss["tr_publics"] = list(profile.publics)
    ss["tr_mode"] = profile.mode
    ss["tr_level"] = profile.level
    ss["tr_kiif"] = c.kiif_only
    ss["tr_rural"] = c.rural_only and has_rurality
    ss["tr_deps"] = list(c.departements)
    ss["tr_regions"] = list(c.regions)
    floor = preset(profile.defi).population_floor if profile.level == "commune" else 0
    ss["tr_pop_min"] = int(c.population_min if c.population_min is not None else floor)
    ss["tr_pop_max"] = int(c.population_max or 0)
    ss["tr_ref"] = c.reference_commune or ""
    ss["tr_dist"] = float(c.max_distance_km or 0.0)
    ss["tr_zonings"] = list(c.zonings_required)
    ss["tr_missing"] = profile.missing_policy
    ss["tr_description"] = profile.description
    ss["tr_activity"] = profile.activity or ""
    _seed_criteria(crits)
    semblables.seed(profile)
    ss["tr_readiness"] = profile.readiness.model_dump(mode="json") if profile.readiness else None


def _seed_criteria(crits) -> None:
    ss["tr_indicators"] = [c.indicator for c in crits]
    ss["tr_reasons"] = {c.indicator: c.reason for c in crits}
    for crit in crits:
        ss[f"tr_w_{crit.indicator}"] = float(crit.weight)
        ss[f"tr_d_{crit.indicator}"] = crit.direction
        ss[f"tr_t_{crit.indicator}"] = float(crit.target or 0.0)


def _on_defi() -> None:
    """A new défi: its preset's criteria, for the publics and mode already chosen."""
    slug = ss["tr_defi"]
    _seed_criteria(preset_criteria(slug, ss.get("tr_publics", []), ss.get("tr_mode", "antenne")))
    ss["tr_description"] = preset(slug).summary
    semblables.on_defi(slug)
    if ss.get("tr_level", "commune") == "commune":
        ss["tr_pop_min"] = preset(slug).population_floor
    if not ss.get("tr_name") or str(ss.get("tr_name", "")).startswith("Profil type"):
        ss["tr_name"] = f"Profil type — {preset(slug).title}"


def _on_apply_preset() -> None:
    _on_defi()


def _on_upload() -> None:
    upload = ss.get("tr_upload")
    if upload is None:
        return
    name = upload.name.lower()
    if upload.size > PROFILE_MAX_BYTES:  # a profile is a few kilobytes: refused before it is read
        ss["tr_error"] = "Profil refusé : le fichier dépasse 1 Mo (un profil en fait quelques kilo-octets)."
        return
    try:
        text = upload.getvalue().decode("utf-8")
        profile = parse_profile(text, "json" if name.endswith(".json") else "yaml")
    except UnicodeDecodeError:
        ss["tr_error"] = "Profil illisible : le fichier n'est pas un texte UTF-8."
        return
    except SentiersError as exc:
        ss["tr_error"] = str(exc)
        return
    ss.pop("tr_error", None)
    _seed(profile, ss.get("tr_has_rurality", True))
    ss["tr_notice"] = f"Profil « {profile.name} » chargé depuis {upload.name}."


def _init(has_rurality: bool) -> None:
    """First run of a session: the scenario of the URL, a preset named in the URL, or the default preset."""
    if ss.get("tr_init"):
        # Streamlit drops the state of widgets a run does not draw: after a visit to another page the
        # scenario comes back from its last token (kept under a non-widget key)
        saved = ss.get("tr_saved_token")
        if "tr_kiif" not in ss and saved:
            with contextlib.suppress(SentiersError):  # a damaged token: the widgets keep their defaults
                _seed(profile_from_token(saved), has_rurality)
            if "tr_saved_top" in ss:
                ss["tr_top"] = ss["tr_saved_top"]
        return
    ss["tr_init"] = True
    ss["tr_has_rurality"] = has_rurality
    token = st.query_params.get("p")
    slug = st.query_params.get("preset")
    profile = None
    if token:
        try:
            profile = profile_from_token(token)
            ss["tr_notice"] = f"Scénario partagé « {profile.name} » rouvert depuis le lien."
        except SentiersError as exc:
            ss["tr_error"] = str(exc)
    if profile is None and slug:
        try:
            profile = preset_profile(slug)
        except SentiersError as exc:
            ss["tr_error"] = str(exc)
    _seed(profile or preset_profile(DEFAULT_DEFI), has_rurality)


def _profile_from_widgets() -> StructureProfile:
    reasons = ss.get("tr_reasons", {})
    criteria = []
    for ind in ss.get("tr_indicators", []):
        direction = ss.get(f"tr_d_{ind}", CATALOGUE[ind].need)
        criteria.append(
            {
                "indicator": ind,
                "weight": float(ss.get(f"tr_w_{ind}", 1.0)),
                "direction": direction,
                "target": float(ss.get(f"tr_t_{ind}", 0.0)) if direction == "target" else None,
                "reason": reasons.get(ind, ""),
            }
        )
    ref = str(ss.get("tr_ref", "")).strip()
    dist = float(ss.get("tr_dist", 0.0) or 0.0)
    data = {
        "name": str(ss.get("tr_name", "")).strip() or "Ma structure",
        "defi": ss["tr_defi"],
        "publics": ss.get("tr_publics", []),
        "mode": ss.get("tr_mode", "antenne"),
        "level": ss.get("tr_level", "commune"),
        "constraints": {
            "kiif_only": bool(ss.get("tr_kiif", True)),
            "rural_only": bool(ss.get("tr_rural", True)),
            "departements": ss.get("tr_deps", []),
            "regions": ss.get("tr_regions", []),
            "population_min": int(ss.get("tr_pop_min", 0)),  # 0: no floor, said so
            "population_max": int(ss.get("tr_pop_max", 0)) or None,
            "reference_commune": ref or None,
            "max_distance_km": dist if (dist > 0 and ref) else None,
            "zonings_required": ss.get("tr_zonings", []),
        },
        "criteria": criteria,
        "missing_policy": ss.get("tr_missing", "neutral"),
        "description": ss.get("tr_description", ""),
        "activity": str(ss.get("tr_activity", "") or "").strip() or None,
        "similar": semblables.from_widgets(ss["tr_defi"]),
        "readiness": ss.get("tr_readiness"),  # answered on the page « Étude de faisabilité »
    }
    return validate_profile(data)


@st.cache_resource(show_spinner=False, max_entries=8)
def _rank(token: str, stamp: str, top: int) -> Ranking:
    return rank_profile(get_base(), profile_from_token(token), top_n=top)


# -- widgets ------------------------------------------------------------------------------------------------


def _start_section() -> None:
    left, right = st.columns(2)
    with left:
        st.selectbox(
            "Profil type (défi de la ruralité)",
            list(DEFIS),
            format_func=lambda s: DEFIS[s],
            key="tr_defi",
            on_change=_on_defi,
            help="Choisir un défi recharge ses critères et leurs poids.",
        )
        st.caption(e(preset(ss["tr_defi"]).summary))
        st.button(
            "Réappliquer le profil type (publics et mode compris)",
            key="tr_apply_preset",
            on_click=_on_apply_preset,
        )
    with right:
        french_uploader("tr_upload", "YAML ou JSON", 1)
        st.file_uploader(
            "Ou ouvrir un fichier de profil (YAML ou JSON)",
            type=["yaml", "yml", "json"],
            key="tr_upload",
            on_change=_on_upload,
        )


def _project_section(base) -> None:
    with st.expander("Votre projet", expanded=True):
        st.text_input("Nom de la structure", key="tr_name", max_chars=200)
        st.multiselect(
            "Publics visés",
            list(PUBLICS),
            format_func=lambda p: PUBLICS[p],
            key="tr_publics",
            placeholder="Tous les publics",
        )
        cols = st.columns(2)
        cols[0].radio("Mode d'essaimage", list(MODES), format_func=lambda m: MODES[m], key="tr_mode")
        cols[1].radio(
            "Échelle des candidats", list(LEVELS), format_func=lambda lv: LEVELS[lv], key="tr_level"
        )
        st.caption(
            "Publics et mode ajustent les critères du profil type : cliquez sur « Réappliquer le profil type » "
            "après les avoir changés."
        )
        st.text_input(
            "Activité de la structure (facultatif) : code NAF ou activité type",
            key="tr_activity",
            max_chars=40,
            placeholder="ex. 88.99B, epicerie, aide-a-domicile",
            help="Sert à la page « Acteurs du territoire » et à la fiche : les acteurs de la même activité sont "
            "à consulter (concurrent ou partenaire), ceux d'activités complémentaires sont des coopérations possibles.",
        )


def _constraints_section(base, has_rurality: bool) -> None:
    with st.expander("Contraintes (les candidats qui ne les respectent pas sont écartés)", expanded=False):
        cols = st.columns(2)
        cols[0].checkbox("Départements couverts par le Kiif seulement", key="tr_kiif")
        cols[1].checkbox(
            "Communes rurales seulement (grille de densité)",
            key="tr_rural",
            disabled=not has_rurality,
            help=None if has_rurality else f"Grille de densité absente : {HOW_TO_LOAD}.",
        )
        deps = sorted(base.communes["departement"].dropna().unique().tolist())
        cols = st.columns(2)
        cols[0].multiselect("Départements (vide = tous)", deps, key="tr_deps", placeholder="Tous")
        regions = sorted(base.communes["region"].dropna().astype(str).unique().tolist())
        cols[1].multiselect("Régions (vide = toutes)", regions, key="tr_regions", placeholder="Toutes")
        cols = st.columns(2)
        cols[0].number_input("Population minimale (0 = sans limite)", min_value=0, step=100, key="tr_pop_min")
        cols[1].number_input("Population maximale (0 = sans limite)", min_value=0, step=100, key="tr_pop_max")
        chosen = preset(ss["tr_defi"])
        if chosen.population_floor:
            cols[0].caption(
                f"Seuil par défaut du défi : {fr.integer(chosen.population_floor)} habitants (communes). "
                + e(chosen.floor_reason)
            )
        cols = st.columns(2)
        cols[0].text_input("Commune de référence (code Insee ou nom)", key="tr_ref")
        cols[1].number_input(
            "Distance maximale à la commune de référence (km, 0 = sans limite)",
            min_value=0.0,
            step=5.0,
            key="tr_dist",
        )
        st.multiselect(
            "Zonages requis",
            list(ZONINGS),
            format_func=lambda z: ZONINGS[z],
            key="tr_zonings",
            placeholder="Aucun",
        )
        st.radio(
            "Valeurs manquantes",
            list(MISSING_POLICIES),
            format_func=lambda m: MISSING_POLICIES[m],
            key="tr_missing",
            horizontal=True,
        )


def _criteria_section(unavailable: dict[str, str], expanded: bool = True) -> None:
    with st.expander("Critères et poids", expanded=expanded):
        st.multiselect(
            "Critères retenus",
            INDICATOR_IDS,
            format_func=lambda i: CATALOGUE[i].label,
            key="tr_indicators",
            placeholder="Choisir des critères",
        )
        reasons = ss.get("tr_reasons", {})
        if ss.get("tr_indicators"):
            head = st.columns([3, 1, 2, 1])
            head[0].markdown("**Critère**")
            head[1].markdown("**Poids**")
            head[2].markdown("**Sens**")
            head[3].markdown("**Cible**")
        for ind in ss.get("tr_indicators", []):
            entry = CATALOGUE[ind]
            ss.setdefault(f"tr_w_{ind}", 1.0)
            ss.setdefault(f"tr_d_{ind}", entry.need)
            ss.setdefault(f"tr_t_{ind}", 0.0)
            cols = st.columns([3, 1, 2, 1])
            cols[0].markdown(f"**{e(entry.label)}** ({e(entry.unit)})")
            why = reasons.get(ind) or entry.meaning
            cols[0].caption(e(why, 2000) + (f" — {e(entry.note, 2000)}" if entry.note else ""))
            if ind in unavailable:
                cols[0].caption("⚠️ " + e(unavailable[ind]))
            cols[1].number_input(
                f"Poids — {entry.label}",
                min_value=0.0,
                step=0.5,
                key=f"tr_w_{ind}",
                label_visibility="collapsed",
            )
            cols[2].selectbox(
                f"Sens — {entry.label}",
                DIRECTIONS,
                format_func=lambda d: DIRECTION_LABELS[d],
                key=f"tr_d_{ind}",
                label_visibility="collapsed",
            )
            if ss.get(f"tr_d_{ind}") == "target":
                cols[3].number_input(
                    f"Cible — {entry.label}", key=f"tr_t_{ind}", label_visibility="collapsed"
                )


# -- results ----------------------------------------------------------------------------------------------


def _funnel(ranking: Ranking) -> None:
    st.subheader("Entonnoir des contraintes")
    table = pd.DataFrame(ranking.funnel).rename(
        columns={"constraint": "Contrainte", "removed": "Écartés", "remaining": "Restants"}
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if ranking.frame.empty:
        emptied = next((s for s in ranking.funnel if s["remaining"] == 0 and s["removed"] > 0), None)
        why = f" La contrainte « {emptied['constraint']} » a écarté les derniers." if emptied else ""
        st.warning(
            "Aucun candidat ne satisfait toutes les contraintes."
            + why
            + " Assouplissez-la pour voir un classement."
        )


def _shortlist(ranking: Ranking, base, top: int) -> pd.DataFrame:
    st.subheader(
        f"Classement : les {min(top, len(ranking.frame))} meilleurs sur {len(ranking.frame)} candidats"
    )
    table = shortlist_table(ranking, top)
    shown = ranking.memo(  # French numbers, as everywhere a person reads; formatted once per ranking
        ("shortlist_text", top), lambda: fr.frame_text(table, {"Score (0-100)": 1}, default=2)
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 * (len(table) + 1), 560),
    )
    for item in ranking.constant:
        st.info(e(item["reason"]))
    ties = ties_text(ranking)
    if ties:
        st.warning(e(ties))
    total = float(ranking.weights.sum())
    notes = [
        f"{CATALOGUE[c.indicator].label} (poids {float(w) / total:.0%}) : {ranking.sources.get(c.indicator, '')}"
        for c, w in zip(ranking.criteria, ranking.weights, strict=True)
    ]
    st.caption(
        "Le score (0 à 100) dit quelle part des candidats chaque territoire dépasse, en moyenne sur les critères "
        "pondérés ; la robustesse, s'il reste en tête quand on change un peu les poids et les chiffres incertains. "
        f"Valeurs manquantes : {e(MISSING_POLICIES[ranking.missing_policy])}."
    )
    with st.expander("Méthode du score et de la robustesse"):
        st.markdown(e(SCORE_METHOD, 2000))
        st.markdown(e(check_summary(ranking), 2000))
        st.markdown(e(SHRINK_METHOD, 2000))
    st.caption("Sources et millésimes — " + " · ".join(e(n) for n in notes))
    return table


def _map(ranking: Ranking, base, top: int) -> str | None:
    """The score map of one département; returns the code clicked (commune or EPCI) when it changed."""
    st.subheader("Carte des scores")
    best = ranking.top(top)
    deps = list(dict.fromkeys(best["departement"].astype(str)))
    if not deps:
        return None
    if ss.get("tr_map_dep") not in deps:
        ss["tr_map_dep"] = deps[0]
    names = dict(
        zip(base.departements["code"].astype(str), base.departements["name"].astype(str), strict=True)
    )
    dep = st.selectbox(
        "Département affiché", deps, key="tr_map_dep", format_func=lambda d: f"{d} · {names.get(d, d)}"
    )
    communes = base.communes
    # the commune outlined is the one « Détail d'un candidat » shows, from the first run on: st_folium keys its
    # component on the map's script, so a map that changed between the first run and the next (no outline,
    # then the first candidate's) was a new component that dropped the click made on the old one
    shown = ss.get("tr_candidate") or str(best["code"].iloc[0])
    selected = shown if ranking.level == "commune" else None

    def build():
        from sentiers.maps.web import communes_map

        scores = ranking.frame.set_index("code")["score"]
        if ranking.level == "epci":
            in_dep = communes[communes["departement"] == dep]
            commune_scores = in_dep.set_index("code")["epci"].map(scores)
        else:
            commune_scores = scores

        # Leaflet served by the app itself and no web tiles: the page makes no request off the server
        return communes_map(
            base,
            departement=dep,
            layers=(),  # the scores only: one layer, one legend
            scores=commune_scores,
            selected=selected,
            tiles=None,
            leaflet_url=leaflet_url(),
        )

    try:
        with st.spinner("Carte en préparation…"):
            # once per scenario, département and candidate outlined, for every session
            prepared = map_view.prepared(
                ("trouver", base_stamp(), ss["tr_saved_token"], top, dep, selected), build
            )
        with st.container(key="tr_map_wrap"):  # at the page's width (st_folium's default is 500 px)
            out = map_view.show(
                prepared, key=f"tr_map_{dep}", height=MAP_HEIGHT, returned_objects=["last_active_drawing"]
            )
    except (ImportError, SentiersError, ValueError) as exc:
        st.info(f"Carte indisponible : {e(str(exc))}")
        return None
    st.caption(
        "Communes colorées par leur score"
        + (" (celui de leur EPCI)" if ranking.level == "epci" else "")
        + " ; en blanc, les communes écartées par les contraintes. Cliquez une commune pour voir son détail."
    )
    drawing = (out or {}).get("last_active_drawing") or {}
    code = ((drawing.get("properties") or {}).get("c")) if isinstance(drawing, dict) else None
    if not code or code == ss.get("tr_last_click"):
        return None
    ss["tr_last_click"] = code  # the same click comes back on every rerun: only a new one counts
    if ranking.level == "epci":
        match = communes.loc[communes["code"] == code, "epci"]
        code = str(match.iloc[0]) if len(match) else None
    return code


def _detail(ranking: Ranking, clicked: str | None, top: int) -> None:
    st.subheader("Détail d'un candidat")
    shortlist = list(ranking.top(top)["code"].astype(str))
    options = list(shortlist)
    if clicked and clicked in set(ranking.frame["code"]) and clicked not in options:
        options.append(clicked)
    if clicked in options:
        ss["tr_candidate"] = clicked
    if ss.get("tr_candidate") not in options:
        ss["tr_candidate"] = options[0]
    # the labels, the candidate's sentences and its table are made once per ranking and candidate (shared by
    # every session showing that scenario), not on every run of the page
    rows = ranking.memo("rows_by_code", lambda: ranking.frame.set_index("code"))

    def label(c: str) -> str:
        return f"{int(rows.loc[c, 'rank'])}. {rows.loc[c, 'name']} ({rows.loc[c, 'departement']}) · {c}"

    labels = ranking.memo(("candidate_labels", top), lambda: {c: label(c) for c in shortlist})
    code = st.selectbox(
        "Candidat", options, format_func=lambda c: labels.get(c) or label(c), key="tr_candidate"
    )
    view = ranking.memo(("candidate_view", code), lambda: _candidate_view(ranking, rows, code))
    cols = st.columns(3)
    for col, (name, value) in zip(cols, view.metrics, strict=True):
        col.metric(name, value)
    for sentence in view.sentences:
        st.markdown(sentence)
    if view.caption:
        st.caption(view.caption)
    bar_chart(view.chart_labels, view.chart_points, "Points (sur 100)", decimals=1)
    st.dataframe(view.table, hide_index=True, width="stretch")
    token = profile_to_token(ranking.profile)
    params = {"code": code, "level": ranking.level, "p": token}
    page_link("app_pages/fiche.py", "fiche", f"Ouvrir la fiche territoire : {view.name}", "📄", params)
    # the actors of the candidate, read with the structure's activity and défi (what the activity field says)
    actors = {"code": code, "level": ranking.level, "defi": ranking.profile.defi}
    if ranking.profile.activity:
        actors["activite"] = ranking.profile.activity
    page_link("app_pages/acteurs.py", "acteurs", f"Acteurs du territoire : {view.name}", "🤝", actors)


@dataclass(frozen=True)
class CandidateView:
    """What « Détail d'un candidat » shows of one candidate of one ranking, escaped for the page."""

    name: str
    metrics: tuple[tuple[str, str], ...]
    sentences: tuple[str, ...]
    caption: str
    chart_labels: list[str]
    chart_points: list[float | None]
    table: pd.DataFrame


def _candidate_view(ranking: Ranking, rows: pd.DataFrame, code: str) -> CandidateView:
    row = rows.loc[code]
    hits = row.get("robust_hits")
    variants = ranking.check.variants if ranking.check is not None else 0
    metrics = (
        ("Score", fr.number(row["score"], 1)),
        ("Rang", f"{int(row['rank'])} / {len(rows)}"),
        (
            leading_group(ranking.leading).capitalize(),
            "—" if hits is None or pd.isna(hits) or not variants else f"{int(hits)} variantes sur {variants}",
        ),
    )
    facts = row.to_dict() | {"name": row["name"]}
    sentences = (e(score_sentence(ranking, facts), 600), e(robustness_sentence(ranking, facts), 600))
    said = [dependence_text(ranking, row)]
    if bool(row.get("ex_aequo", False)):
        said.append(f"ex aequo avec le {ranking.leading}e (à moins de 0,5 point)")
    said = [x for x in said if x]
    caption = ""
    if said:
        text = " ; ".join(said)
        caption = e(text[:1].upper() + text[1:] + ".")
    total = float(ranking.weights.sum())
    missing = set(missing_of(row, ranking.criteria))
    detail = pd.DataFrame(
        [
            {
                "Critère": CATALOGUE[c.indicator].label,
                "Points": round(float(row[f"pts:{c.indicator}"]), 2),
                "Points possibles": round(100 * float(w) / total, 2),
                "Valeur": _round(row[f"val:{c.indicator}"]),
                "Mesuré": _measured(row, c.indicator),
                "Unité": CATALOGUE[c.indicator].unit,
                "Sens": DIRECTION_LABELS[c.direction or "higher"],
                "Manquante": (
                    (
                        "oui — valeur de l'EPCI"
                        if bool(row.get(f"imp:{c.indicator}", False))
                        else "oui — rang médian"
                    )
                    if c.indicator in missing
                    else ""
                ),
                "Source": ranking.sources.get(c.indicator, ""),
            }
            for c, w in zip(ranking.criteria, ranking.weights, strict=True)
        ]
    )
    return CandidateView(
        name=str(row["name"]),
        metrics=metrics,
        sentences=sentences,
        caption=caption,
        chart_labels=list(detail["Critère"]),
        chart_points=list(detail["Points"]),
        table=fr.frame_text(detail, default=2),
    )


def _measured(row, indicator: str) -> str:
    """The measured value of a rate scored shrunk, with its denominator when it is a small number."""
    raw = row.get(f"raw:{indicator}")
    if raw is None or pd.isna(raw):
        return ""
    entry = CATALOGUE[indicator]
    den = row.get(f"den:{indicator}")
    text = fr.number(float(raw), entry.decimals)
    if den is not None and not pd.isna(den) and float(den) < entry.small_below:
        text += f" sur {fr.integer(float(den))} (effectif faible : valeur lissée vers le département)"
    return text


def _profile_files(profile: StructureProfile) -> tuple[bytes, bytes]:
    return to_yaml(profile).encode("utf-8"), to_json(profile).encode("utf-8")


def _save_share(profile: StructureProfile, ranking: Ranking | None, top: int) -> None:
    st.subheader("Enregistrer, partager, exporter")
    token = profile_to_token(profile)
    if st.query_params.get("p") != token:
        st.query_params["p"] = token
    if "preset" in st.query_params:
        del st.query_params["preset"]
    base_url = str(getattr(st.context, "url", "") or "").split("?")[0] or "trouver"
    st.markdown("**Lien de partage du scénario** (profil complet) :")
    st.code(f"{base_url}?p={token}", language=None, wrap_lines=True)
    st.caption("Ce lien rouvre exactement ce scénario : profil, contraintes, critères et poids.")
    cols = st.columns(4)
    slug = "".join(ch if ch.isalnum() else "-" for ch in profile.name.lower()).strip("-")[:40] or "profil"
    files = (  # the profile's files once per ranking (the scenario's), not on every run
        ranking.memo("profile_files", lambda: _profile_files(profile))
        if ranking is not None
        else _profile_files(profile)
    )
    cols[0].download_button(
        "Profil (YAML)",
        files[0],
        f"{slug}.yaml",
        "application/x-yaml",
        key="tr_dl_yaml",
    )
    cols[1].download_button(
        "Profil (JSON)",
        files[1],
        f"{slug}.json",
        "application/json",
        key="tr_dl_json",
    )
    if ranking is not None and not ranking.frame.empty:
        cols[2].download_button(
            "Classement (CSV)",
            to_csv_bytes(ranking, top),
            f"classement-{slug}.csv",
            "text/csv",
            key="tr_dl_csv",
        )
        cols[3].download_button(
            "Classement (XLSX)",
            to_xlsx_bytes(ranking, top),
            f"classement-{slug}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="tr_dl_xlsx",
        )


# -- page ---------------------------------------------------------------------------------------------------


def main() -> None:
    st.title("Trouver un territoire")
    st.markdown(
        "Trouvez le meilleur endroit où diffuser votre solution : partez d'un profil type (un des six défis de "
        "la ruralité), ajustez les contraintes et les poids des critères, et lisez un classement expliqué."
    )
    base = get_base()
    has_rurality = "rural" in base.communes.columns
    _init(has_rurality)
    if not has_rurality:
        st.warning(
            "La grille communale de densité n'est pas chargée : la contrainte « communes rurales » est désactivée "
            f"et plusieurs critères manquent ; {HOW_TO_LOAD}."
        )
    if ss.get("tr_error"):
        st.error(e(ss.pop("tr_error"), 600))
    if ss.get("tr_notice"):
        st.success(e(ss.pop("tr_notice"), 600))

    from sentiers.matching.candidates import candidate_table

    unavailable = candidate_table(base, ss.get("tr_level", "commune")).unavailable
    _start_section()
    way = semblables.way_picker()
    semblables.inputs(expanded=way == "semblables")
    _project_section(base)
    _constraints_section(base, has_rurality)
    _criteria_section(unavailable, expanded=way != "semblables")
    with st.expander("Catalogue des critères (sources, millésimes, sens par défaut)", expanded=False):
        from sentiers.base.catalogue import catalogue_table

        table = base.memo(
            ("catalogue_table", tuple(sorted(unavailable.items()))),
            lambda: pd.DataFrame(catalogue_table(base, unavailable)),
        )
        st.dataframe(table, hide_index=True, width="stretch")
    top = int(
        st.number_input(
            "Nombre de territoires retenus (top N)", min_value=1, max_value=200, value=20, key="tr_top"
        )
    )

    try:
        profile = _profile_from_widgets()
    except SentiersError as exc:
        st.error(e(exc, 600))
        return
    ss["tr_saved_token"] = profile_to_token(profile)
    ss["tr_saved_top"] = top
    ranking = None
    if way == "semblables":
        semblables.section(profile, base_stamp(), top)
    else:
        try:
            with st.spinner("Calcul du classement…"):
                ranking = _rank(profile_to_token(profile), base_stamp(), top)
        except SentiersError as exc:
            st.error(e(exc, 600))
    if ranking is not None:
        for item in ranking.unavailable:
            st.warning(e(item["reason"], 600))
        _funnel(ranking)
        if not ranking.frame.empty:
            # a new ranking shows its own first candidate: a choice made in an earlier ranking never carries over
            if ss.get("tr_candidate_for") != (ss["tr_saved_token"], top):
                ss["tr_candidate_for"] = (ss["tr_saved_token"], top)
                ss.pop("tr_candidate", None)
            _shortlist(ranking, base, top)
            clicked = _map(ranking, base, top)
            _detail(ranking, clicked, top)
    _save_share(profile, ranking, top)
    page_link(
        "app_pages/etude.py",
        "etude",
        "Préparer l'étude de faisabilité de ce scénario",
        "📑",
        {"p": profile_to_token(profile)},
    )


main()
