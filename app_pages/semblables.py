"""« Territoires semblables au vôtre » — the second way into « Trouver un territoire » (widgets and results).

Not a page of its own: :mod:`app_pages.trouver` calls :func:`seed`, :func:`from_widgets` and :func:`section`.
The reference communes and the indicators are part of the profile (``similar``), so they travel in the share link,
the profile file and the project file like the rest of the scenario.

Stable widget keys: ``tr_way`` (classer ou partir de communes), ``tr_sim_refs`` (communes de référence),
``tr_sim_inds`` (indicateurs), ``tr_sw_<indicator>`` (poids), ``tr_dl_sim_csv``, ``tr_dl_sim_xlsx``.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from sentiers.base.catalogue import CATALOGUE
from sentiers.errors import SentiersError
from sentiers.matching.presets import preset
from sentiers.matching.profile import NOT_SIMILARITY, StructureProfile
from sentiers.matching.similar import SIMILAR_METHOD, similar_communes, similar_table

WAYS = {
    "classer": "Classer les territoires selon les critères du défi",
    "semblables": "Partir de communes où ma solution fonctionne déjà",
}
SIMILAR_IDS = [i for i in CATALOGUE if i not in NOT_SIMILARITY]
ss = st.session_state
e = html.escape


def seed(profile: StructureProfile) -> None:
    """Write the profile's ``similar`` into the widgets' state (before they are drawn)."""
    spec = profile.similar
    ss["tr_way"] = "semblables" if spec is not None else ss.get("tr_way", "classer")
    ss["tr_sim_refs"] = ", ".join(spec.references) if spec is not None else ""
    items = spec.indicators if spec is not None and spec.indicators else preset(profile.defi).similar
    ss["tr_sim_inds"] = [i.indicator for i in items]
    ss["tr_sim_custom"] = bool(spec is not None and spec.indicators)
    for item in items:
        ss[f"tr_sw_{item.indicator}"] = float(item.weight)


def on_defi(slug: str) -> None:
    """A new défi: its default indicators, unless the user chose their own."""
    if not ss.get("tr_sim_custom"):
        items = preset(slug).similar
        ss["tr_sim_inds"] = [i.indicator for i in items]
        for item in items:
            ss[f"tr_sw_{item.indicator}"] = float(item.weight)


def _references() -> list[str]:
    text = str(ss.get("tr_sim_refs", "") or "")
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()][:10]


def from_widgets(defi: str) -> dict[str, Any] | None:
    """The profile's ``similar`` from the widgets (None when no reference commune is given)."""
    refs = _references()
    if not refs:
        return None
    chosen = list(ss.get("tr_sim_inds", []))
    defaults = {i.indicator: i for i in preset(defi).similar}
    same = [i for i in chosen] == list(defaults) and all(
        float(ss.get(f"tr_sw_{i}", 1.0)) == defaults[i].weight for i in chosen
    )
    if same or not chosen:
        return {"references": refs, "indicators": None}
    return {
        "references": refs,
        "indicators": [
            {
                "indicator": ind,
                "weight": float(ss.get(f"tr_sw_{ind}", 1.0)),
                "reason": defaults[ind].reason if ind in defaults else "",
            }
            for ind in chosen
        ],
    }


def way_picker() -> str:
    st.radio("Comment chercher ?", list(WAYS), format_func=lambda w: WAYS[w], key="tr_way", horizontal=True)
    return str(ss.get("tr_way", "classer"))


def _on_indicators() -> None:
    ss["tr_sim_custom"] = True


def inputs(expanded: bool = True) -> None:
    """Reference communes and indicators (always drawn: Streamlit forgets the state of a widget it does not draw)."""
    with st.expander(
        "Territoires semblables : communes de référence et indicateurs comparés", expanded=expanded
    ):
        st.text_input(
            "Communes où votre solution fonctionne déjà (codes Insee ou noms, séparés par des virgules)",
            key="tr_sim_refs",
            max_chars=400,
            placeholder="ex. 26113, Saint-Nazaire-le-Désert",
        )
        st.multiselect(
            "Indicateurs comparés (ceux du défi par défaut)",
            SIMILAR_IDS,
            format_func=lambda i: CATALOGUE[i].label,
            key="tr_sim_inds",
            on_change=_on_indicators,
            placeholder="Choisir des indicateurs",
        )
        reasons = {i.indicator: i.reason for i in preset(ss["tr_defi"]).similar}
        for ind in ss.get("tr_sim_inds", []):
            ss.setdefault(f"tr_sw_{ind}", 1.0)
            cols = st.columns([4, 1])
            cols[0].markdown(f"**{e(CATALOGUE[ind].label)}**")
            cols[0].caption(e(reasons.get(ind) or CATALOGUE[ind].meaning))
            cols[1].number_input(
                f"Poids — {CATALOGUE[ind].label}",
                min_value=0.0,
                max_value=100.0,
                step=0.5,
                key=f"tr_sw_{ind}",
                label_visibility="collapsed",
                on_change=_on_indicators,
            )


@st.cache_resource(show_spinner=False, max_entries=8)
def _similar(profile_json: str, stamp: str, top: int):
    import json

    from app_pages.state import get_base
    from sentiers.matching.profile import validate_profile

    return similar_communes(get_base(), validate_profile(json.loads(profile_json)), top_n=top)


def section(profile: StructureProfile, stamp: str, top: int) -> None:
    """The similar communes of the profile's reference communes, under its constraints."""
    st.subheader("Territoires semblables au vôtre")
    if profile.similar is None:
        st.info("Indiquez au moins une commune où votre solution fonctionne déjà.")
        return
    try:
        with st.spinner("Recherche des communes semblables…"):
            result = _similar(profile.model_dump_json(), stamp, top)
    except SentiersError as exc:
        st.error(str(exc))
        return
    for item in result.unavailable:
        st.warning(item["reason"])
    for note in result.notes:
        st.warning(note)
    st.markdown("**Communes de référence :**")
    from sentiers.matching.similar import references_text

    for line in references_text(result):
        st.caption(e(line))
    funnel = pd.DataFrame(result.funnel).rename(
        columns={"constraint": "Contrainte", "removed": "Écartés", "remaining": "Restants"}
    )
    with st.expander("Entonnoir des contraintes", expanded=False):
        st.dataframe(funnel, hide_index=True, width="stretch")
    if result.frame.empty:
        st.warning("Aucune commune ne satisfait toutes les contraintes : assouplissez-les.")
        return
    table = similar_table(result, top)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 * (len(table) + 1), 560),
        column_config={"Ressemblance (0-100)": st.column_config.NumberColumn(format="%.0f")},
    )
    total = float(result.weights.sum()) or 1.0
    st.caption(
        e(SIMILAR_METHOD)
        + " Sources — "
        + " · ".join(
            e(
                f"{CATALOGUE[i.indicator].label} ({float(w) / total:.0%}) : {result.sources.get(i.indicator, '')}"
            )
            for i, w in zip(result.indicators, result.weights, strict=True)
        )
    )
    from sentiers import exports

    cols = st.columns(2)
    cols[0].download_button(
        "Communes semblables (CSV)",
        exports.to_csv_bytes(table),
        "communes-semblables.csv",
        "text/csv",
        key="tr_dl_sim_csv",
    )
    cols[1].download_button(
        "Communes semblables (XLSX)",
        exports.to_xlsx_bytes(table, "Territoires semblables"),
        "communes-semblables.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="tr_dl_sim_xlsx",
    )
