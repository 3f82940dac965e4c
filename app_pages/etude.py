"""Étude de faisabilité : l'auto-évaluation « Êtes-vous prêt·e ? », puis le dossier que la structure apporte au
programme (HTML, PDF) et le fichier de projet qui rouvre l'étude.

The profile comes from the Trouver page (``?p=<token>``), from a profile file or a project file (one uploader),
or from a défi preset. The answers are written into the profile (``readiness``), so they travel with it.

Stable widget keys: ``et_upload`` (profil ou fichier de projet), ``et_defi``, ``et_name``, ``et_q_<question>``
(answers), ``et_origine``, ``et_siege``, ``et_comment``, ``et_refs`` (communes de référence), ``et_top``,
``et_maps``, ``et_build``, ``et_dl_html``, ``et_dl_pdf``, ``et_dl_project``, ``et_dl_yaml``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.state import base_stamp, french_uploader, get_base, inert, page_link, progress_bar
from sentiers.base.sources import HOW_TO_LOAD
from sentiers.errors import SentiersError
from sentiers.matching.presets import defi_titles, preset_profile
from sentiers.matching.profile import DEFIS, StructureProfile, parse_profile, to_yaml, validate_profile
from sentiers.matching.readiness import DISCLAIMER, ORIGINS, QUESTIONS, STATUS_LABELS, assess, summary_text
from sentiers.matching.share import profile_from_token, profile_to_token
from sentiers.study.assemble import MAX_FICHES, StudyParameters, build_dossier
from sentiers.study.project import read_project, write_project

ss = st.session_state
e = inert  # every user text of this page that reaches Markdown goes through the one helper
_md = inert


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:40] or "etude"


# -- state ----------------------------------------------------------------------------------------------------


def _seed(profile: StructureProfile, params: StudyParameters | None = None) -> None:
    """Write a profile (and the study's parameters) into the widgets' state, before they are drawn."""
    ss["et_profile"] = profile.model_dump(mode="json")
    ss["et_defi"] = profile.defi
    ss["et_name"] = profile.name
    answers = profile.readiness
    for question in QUESTIONS:
        ss[f"et_q_{question.key}"] = getattr(answers, question.key) if answers else None
    ss["et_origine"] = answers.origine if answers else None
    ss["et_siege"] = (answers.siege_departement or "") if answers else ""
    ss["et_comment"] = answers.comment if answers else ""
    ss["et_refs"] = ", ".join(profile.similar.references) if profile.similar else ""
    params = params or StudyParameters()
    ss["et_top"] = params.top
    ss["et_maps"] = params.maps
    ss.pop("et_built", None)


def _on_upload() -> None:
    upload = ss.get("et_upload")
    if upload is None:
        return
    ss["et_upload_id"] = upload.file_id  # its message stays shown while this file is in the uploader
    name = upload.name.lower()
    data = upload.getvalue()
    try:
        if name.endswith(".zip"):
            project = read_project(data, get_base())
            _seed(project.profile, project.parameters)
            ss["et_notice"] = f"Étude « {_md(project.profile.name)} » rouverte depuis {_md(upload.name)}."
            ss["et_notes"] = project.notes
        else:
            profile = parse_profile(data.decode("utf-8"), "json" if name.endswith(".json") else "yaml")
            _seed(profile)
            ss["et_notice"] = f"Profil « {_md(profile.name)} » chargé depuis {_md(upload.name)}."
    except UnicodeDecodeError:
        ss["et_error"] = "Profil illisible : le fichier n'est pas un texte UTF-8."
    except SentiersError as exc:
        ss["et_error"] = _md(str(exc))


def _on_defi() -> None:
    current = ss.get("et_profile") or {}
    keep = {k: current[k] for k in ("readiness", "similar") if current.get(k)}
    _seed(preset_profile(ss["et_defi"], **keep))


def _init() -> None:
    if ss.get("et_init") and "et_profile" in ss:
        return
    ss["et_init"] = True
    token = st.query_params.get("p")
    profile = None
    if token:
        try:
            profile = profile_from_token(str(token))
            ss["et_notice"] = f"Scénario « {_md(profile.name)} » repris de la page « Trouver un territoire »."
        except SentiersError as exc:
            ss["et_error"] = _md(str(exc))
    _seed(profile or preset_profile("service-de-proximite"))


def _profile() -> StructureProfile:
    """The profile with the page's answers written in (validated: a bad answer is a French message)."""
    data: dict[str, Any] = dict(ss.get("et_profile") or {})
    data["name"] = str(ss.get("et_name", "") or "").strip() or data.get("name") or "Ma structure"
    readiness = {q.key: ss.get(f"et_q_{q.key}") for q in QUESTIONS}
    readiness.update(
        origine=ss.get("et_origine"),
        siege_departement=str(ss.get("et_siege", "") or "").strip() or None,
        comment=str(ss.get("et_comment", "") or ""),
    )
    data["readiness"] = readiness
    refs = [p.strip() for p in str(ss.get("et_refs", "") or "").replace(";", ",").split(",") if p.strip()]
    similar = dict(data.get("similar") or {})
    data["similar"] = {"references": refs[:10], "indicators": similar.get("indicators")} if refs else None
    return validate_profile(data)


def _params() -> StudyParameters:
    return StudyParameters(top=int(ss.get("et_top", 5)), maps=bool(ss.get("et_maps", True)))


# -- sections -------------------------------------------------------------------------------------------------


def _start() -> None:
    left, right = st.columns(2)
    with left:
        titles = defi_titles()
        st.selectbox(
            "Profil type (défi de la ruralité)",
            list(DEFIS),
            format_func=lambda s: titles.get(s, s),
            key="et_defi",
            on_change=_on_defi,
            help="Choisir un défi repart de son profil type (vos réponses sont gardées).",
        )
        st.text_input("Nom de la structure", key="et_name", max_chars=200)
    with right:
        french_uploader("et_upload", "YAML, JSON ou ZIP", 2)
        st.file_uploader(
            "Ou ouvrir un profil (YAML, JSON) ou rouvrir un fichier de projet (.zip)",
            type=["yaml", "yml", "json", "zip"],
            key="et_upload",
            on_change=_on_upload,
        )


def _readiness() -> None:
    st.header("Êtes-vous prêt·e ?")
    st.caption(
        "Les critères de sélection du programme « Les Sentiers », question par question : chaque réponse dit si "
        "vous êtes prêt·e, ce qui est à consolider ou ce qui bloque, et ce qu'il faut préparer."
    )
    group = ""
    for question in QUESTIONS:
        if question.group != group:
            group = question.group
            st.subheader(group)
        st.radio(
            question.label,
            list(question.options),
            format_func=lambda v, q=question: q.options[v].label,
            key=f"et_q_{question.key}",
            index=None,
            help=question.criterion,
        )
    st.subheader("4. Territoires visés")
    cols = st.columns(2)
    cols[0].radio(
        "Où votre structure agit-elle aujourd'hui ?",
        list(ORIGINS),
        format_func=lambda v: ORIGINS[v],
        key="et_origine",
        index=None,
        horizontal=True,
    )
    cols[1].text_input("Département de votre siège (code, facultatif)", key="et_siege", max_chars=3)
    st.text_area("Commentaire (facultatif)", key="et_comment", max_chars=1000)


def _assessment(profile: StructureProfile) -> None:
    lines = assess(profile.readiness, profile)
    st.markdown(f"**{e(summary_text(lines))}**")
    st.info(DISCLAIMER)
    table = pd.DataFrame(
        [
            {
                "Critère": f"{line.group} — {line.question}",
                "État": STATUS_LABELS[line.status],
                "Réponse": line.answer or "—",
                "Pourquoi": line.why,
                "À préparer": line.prepare,
            }
            for line in lines
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")


def _documents(profile: StructureProfile, params: StudyParameters) -> None:
    st.header("Le dossier d'étude de faisabilité")
    st.caption(
        "Un document à lire sans l'outil : la structure et son état de préparation, la méthode, la liste courte, "
        "les territoires semblables, une fiche condensée des premiers territoires, les prochaines étapes du "
        "programme et les sources."
    )
    with st.expander("Territoires semblables (facultatif)", expanded=bool(profile.similar)):
        st.text_input(
            "Communes où votre solution fonctionne déjà (codes Insee ou noms, séparés par des virgules)",
            key="et_refs",
            max_chars=400,
        )
        st.caption(
            "Les indicateurs comparés sont ceux du défi, ou ceux choisis dans « Trouver un territoire »."
        )
    cols = st.columns(2)
    cols[0].number_input("Territoires détaillés", min_value=1, max_value=MAX_FICHES, key="et_top")
    cols[1].checkbox("Avec une carte par territoire", key="et_maps")
    key = hashlib.sha256(
        (profile.model_dump_json() + params.model_dump_json() + base_stamp()).encode("utf-8")
    ).hexdigest()
    if st.button("Préparer le dossier", key="et_build", type="primary"):
        with st.status("Préparation du dossier…", expanded=True) as status:
            report = progress_bar("Classement des territoires")
            try:
                dossier = build_dossier(get_base(), profile, params, progress=report)
                report(0.95, "Mise en page du PDF")
                from sentiers.study.render import render_html, render_pdf

                built = {
                    "key": key,
                    "html": render_html(dossier),
                    "pdf": render_pdf(dossier),
                    "summary": dossier.readiness_summary,
                    "shortlist": [r.model_dump() for r in dossier.shortlist],
                    "cards": [c.name for c in dossier.cards],
                    "similar": [r.model_dump() for r in dossier.similar.rows] if dossier.similar else None,
                    "similar_message": dossier.similar.message if dossier.similar else "",
                }
                ss["et_built"] = built
                report(1.0, "Dossier prêt")
                status.update(label="Dossier prêt", state="complete", expanded=False)
            except SentiersError as exc:
                status.update(label="Le dossier n'a pas pu être préparé", state="error")
                st.error(_md(str(exc)))
    built = ss.get("et_built")
    slug = _slug(profile.name)
    cols = st.columns(4)
    cols[2].download_button(
        "Fichier de projet (.zip)",
        write_project(profile, params, get_base()),
        f"etude-{slug}.zip",
        "application/zip",
        key="et_dl_project",
        help="Rouvre toute l'étude dans Sentiers : profil, réponses, paramètres, version de la base.",
    )
    cols[3].download_button(
        "Profil (YAML)",
        to_yaml(profile).encode("utf-8"),
        f"{slug}.yaml",
        "application/x-yaml",
        key="et_dl_yaml",
    )
    if not built or built.get("key") != key:
        if built:
            st.info("Le profil ou les paramètres ont changé : préparez à nouveau le dossier.")
        return
    cols[0].download_button(
        "Dossier (HTML)", built["html"].encode("utf-8"), f"etude-{slug}.html", "text/html", key="et_dl_html"
    )
    cols[1].download_button(
        "Dossier (PDF)", built["pdf"], f"etude-{slug}.pdf", "application/pdf", key="et_dl_pdf"
    )
    names = _md(", ".join(built["cards"]))
    st.success(f"Dossier prêt : {len(built['cards'])} territoires détaillés ({names}).")
    if built["shortlist"]:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Rang": r["rank"],
                        "Territoire": f"{r['name']} ({r['departement']})",
                        "Score": r["score"],
                        "Robustesse": r["robustness"],
                        "Dépend de": r["dependence"],
                    }
                    for r in built["shortlist"]
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if built.get("similar_message"):
        st.warning(built["similar_message"])
    elif built.get("similar"):
        st.markdown("**Territoires semblables**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Rang": r["rank"],
                        "Commune": f"{r['name']} ({r['departement']})",
                        "Ressemblance": r["similarity"],
                        "Pourquoi": r["reason"],
                    }
                    for r in built["similar"]
                ]
            ),
            hide_index=True,
            width="stretch",
        )


# -- page -----------------------------------------------------------------------------------------------------


def main() -> None:
    st.title("Étude de faisabilité")
    st.markdown(
        "Assurez-vous que vous êtes prêt·e à essaimer, puis rassemblez votre étude : le dossier que lisent les "
        "accompagnateurs et le comité de sélection du programme « Les Sentiers »."
    )
    base = get_base()
    if "rural" not in base.communes.columns:
        st.warning(
            "La grille communale de densité n'est pas chargée : la ruralité des territoires ne peut pas être "
            f"vérifiée, et le dossier d'un profil limité aux communes rurales ne peut pas être préparé ; {HOW_TO_LOAD}."
        )
    _init()
    upload = ss.get("et_upload")
    if upload is not None and upload.file_id == ss.get("et_upload_id"):
        # the message of the file in the uploader stays until it is removed or replaced (uploads rerun twice)
        ss["et_upload_error"] = ss.pop("et_error", ss.get("et_upload_error"))
        ss["et_upload_notice"] = ss.pop("et_notice", ss.get("et_upload_notice"))
    else:
        ss.pop("et_upload_error", None)
        ss.pop("et_upload_notice", None)
    for message in (ss.pop("et_error", None), ss.get("et_upload_error")):
        if message:
            st.error(message)
    for message in (ss.pop("et_notice", None), ss.get("et_upload_notice")):
        if message:
            st.success(message)
    for note in ss.pop("et_notes", []) or []:
        st.warning(_md(note))
    _start()
    _readiness()
    try:
        profile = _profile()
    except SentiersError as exc:
        st.error(_md(str(exc)))
        return
    _assessment(profile)
    params = _params()
    _documents(profile, params)
    page_link(
        "app_pages/trouver.py",
        "trouver",
        "Ajuster critères, contraintes et territoires semblables dans « Trouver un territoire »",
        "🔎",
        {"p": profile_to_token(profile)},
    )


main()
