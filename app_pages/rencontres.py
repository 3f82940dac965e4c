"""Rencontres (staff only): create an event, import the two registration lists, score the pairs, pin / forbid /
mark absent, compute the schedule, hand out the agendas.

Access is decided by :mod:`sentiers.access` from the deployment's secrets (a staff password, or an identity
provider with allowed e-mails); without either the page says so and stops. The chosen event lives in the URL
(``?evenement=3``). Widget keys the browser test uses: ``rencontres_password``, ``rencontres_login``,
``rencontres_new_*``, ``rencontres_upload_<liste>``, ``rencontres_map_<liste>_<rôle>``, ``rencontres_import_<liste>``,
``rencontres_pair_territory``, ``rencontres_pair_structure``, ``rencontres_pin``, ``rencontres_forbid``,
``rencontres_free``, ``rencontres_compute``, ``rencontres_agenda_pick``, ``rencontres_dl_pdf``, ``rencontres_dl_ics``,
``rencontres_dl_xlsx``.
"""

from __future__ import annotations

import hashlib
from datetime import date as Date
from datetime import time as Time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from app_pages.state import french_uploader, get_base, inert, password_form, progress_bar
from sentiers import fr
from sentiers.access import REFUSED_TEXT, config_from_secrets, identity_ok
from sentiers.errors import SentiersError
from sentiers.events.documents import (
    Booking,
    Programme,
    agenda_ics,
    agenda_pdf,
    all_agendas_pdf,
    gaps_text,
    pairs_map,
    pairs_map_html,
    schedule_xlsx,
)
from sentiers.events.pairs import PairTable, score_pairs
from sentiers.events.plan import EventSettings, compute_plan, default_slots
from sentiers.events.registrations import (
    KIND_LABELS,
    KINDS,
    ROLES,
    guess_mapping,
    profile_loader,
    read_structures,
    read_territories,
)
from sentiers.events.store import EventStore, Participants, database_url, describe_url, open_store
from sentiers.matching.presets import defi_titles
from sentiers.rural.batch import read_upload

PARIS = ZoneInfo("Europe/Paris")
STAFF_KEY = "rencontres_staff"
NONE = "(aucune)"


def md(text: Any) -> str:
    """User text shown through Markdown: the pages' one helper (app_pages.state.inert)."""
    return inert(text, 2000)


# -- access ------------------------------------------------------------------------------------------------


def _guard() -> None:
    """Stop the page unless the visitor is staff, as the deployment's secrets say."""
    config = config_from_secrets(st.secrets)
    if config.mode == "refused":
        st.error(REFUSED_TEXT)
        st.stop()
    if config.mode == "identity":
        user = st.user
        if not getattr(user, "is_logged_in", False):
            st.info("Page réservée à l'équipe du programme : connectez-vous avec votre compte.")
            st.button("Se connecter", key="rencontres_sso", on_click=st.login)
            st.stop()
        if not identity_ok(config, getattr(user, "email", None)):
            st.error("Votre compte n'a pas accès aux Rencontres : demandez-le à l'équipe du programme.")
            st.button("Se déconnecter", key="rencontres_logout", on_click=st.logout)
            st.stop()
        return
    if st.session_state.get(STAFF_KEY):
        return
    password_form(config, "rencontres", "Mot de passe de l'équipe", STAFF_KEY)
    st.stop()


# -- data --------------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str) -> EventStore:
    return open_store(url)


def _fingerprint(people: Participants) -> str:
    digest = hashlib.sha256()
    for pid in people.territory_ids + people.structure_ids:
        digest.update(str(pid).encode())
    for p in [*people.territories, *people.structures]:
        digest.update(b"1" if p.absent else b"0")
    return digest.hexdigest()


def _pairs(event_id: int, people: Participants) -> PairTable:
    """Pair scores of the stored participants, kept in the session until the lists change."""
    key = ("rencontres_pairs", event_id, _fingerprint(people))
    cached = st.session_state.get("rencontres_pairs")
    if cached is not None and cached[0] == key:
        return cached[1]
    progress = progress_bar("Scores des couples…")
    table = score_pairs(get_base(), people.territories, people.structures, progress=progress)
    st.session_state["rencontres_pairs"] = (key, table)
    return table


def _programme(store: EventStore, event_id: int, people: Participants, settings: EventSettings) -> Programme:
    t_index, s_index = people.index_of()
    meetings = [
        Booking(m.slot, t_index[m.territory_id], s_index[m.structure_id], m.score, m.reasons)
        for m in store.meetings(event_id)
        if m.territory_id in t_index and m.structure_id in s_index
    ]
    note, _ = store.schedule_note(event_id)
    return Programme(settings, people.territories, people.structures, meetings, people.rejected, note)


def _local(value) -> str:
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S") if value else ""


# -- event ---------------------------------------------------------------------------------------------------


def _new_event(store: EventStore) -> None:
    with st.expander("Créer un événement", expanded=not store.list_events()), st.form("rencontres_new"):
        name = st.text_input("Nom de l'événement", key="rencontres_new_name", max_chars=200)
        c1, c2 = st.columns(2)
        day = c1.date_input("Date", value=Date.today(), key="rencontres_new_date", format="DD/MM/YYYY")
        place = c2.text_input("Lieu", key="rencontres_new_place", max_chars=300)
        c3, c4, c5, c6 = st.columns(4)
        count = c3.number_input("Créneaux", 1, 48, 8, key="rencontres_new_slots")
        start = c4.time_input("Premier créneau", Time(9, 30), key="rencontres_new_start")
        minutes = c5.number_input("Durée (minutes)", 5, 240, 30, key="rencontres_new_minutes")
        pause = c6.number_input("Pause (minutes)", 0, 120, 10, key="rencontres_new_pause")
        k = st.number_input("Rencontres par participant, au plus", 1, 48, 4, key="rencontres_new_max")
        if st.form_submit_button("Créer l'événement", key="rencontres_new_create", type="primary"):
            try:
                spec = EventSettings(
                    name=name.strip() or "Rencontres",
                    date=day if isinstance(day, Date) else None,
                    place=place.strip(),
                    slots=default_slots(int(count), start.strftime("%H:%M"), int(minutes), int(pause)),
                    max_meetings=int(k),
                )
                event_id = store.create_event(spec)
            except (SentiersError, ValueError) as exc:
                st.error(f"Événement non créé : {md(exc)}")
            else:
                st.query_params["evenement"] = str(event_id)
                st.rerun()


def _pick_event(store: EventStore) -> int | None:
    events = store.list_events()
    if not events:
        st.info("Aucun événement pour l'instant : créez-en un.")
        return None
    ids = [e.id for e in events]
    wanted = st.query_params.get("evenement", "")
    current = int(wanted) if wanted.isdigit() and int(wanted) in ids else ids[0]
    labels = {
        e.id: f"{e.name} — {fr.date(e.day.isoformat()) if e.day else 'sans date'} "
        f"({e.territories} territoires, {e.structures} structures, {e.meetings} rencontres)"
        for e in events
    }
    chosen = st.selectbox(
        "Événement", ids, index=ids.index(current), format_func=labels.get, key="rencontres_event"
    )
    if st.query_params.get("evenement") != str(chosen):
        st.query_params["evenement"] = str(chosen)
    return int(chosen)


# -- tabs ----------------------------------------------------------------------------------------------------


def _import_tab(store: EventStore, event_id: int, people: Participants) -> None:
    st.markdown(
        "Déposez chaque liste telle que l'outil de formulaire l'exporte (CSV ou XLSX). Les colonnes aux noms "
        "usuels sont reconnues ; désignez les autres ci-dessous. Chaque ligne est retenue ou écartée avec son motif."
    )
    for kind in KINDS:
        st.subheader(f"Liste des {KIND_LABELS[kind]}")
        count = len(people.territories if kind == "territoires" else people.structures)
        st.caption(f"Inscriptions enregistrées : {count}.")
        french_uploader(f"rencontres_upload_{kind}", "CSV, TXT, TSV ou XLSX", 10)
        upload = st.file_uploader(
            f"Fichier des {KIND_LABELS[kind]}",
            type=["csv", "txt", "tsv", "xlsx"],
            key=f"rencontres_upload_{kind}",
        )
        profiles: dict[str, bytes] = {}
        if kind == "structures":
            french_uploader("rencontres_profiles", "YAML ou JSON", 1)
            files = st.file_uploader(
                "Profils Sentiers des structures (facultatif, YAML ou JSON, nommés dans la colonne profil)",
                type=["yaml", "yml", "json"],
                accept_multiple_files=True,
                key="rencontres_profiles",
            )
            profiles = {f.name: f.getvalue() for f in files or []}
        if upload is None:
            continue
        try:
            frame = read_upload(upload.getvalue(), upload.name)
        except SentiersError as exc:
            st.error(md(exc))
            continue
        columns = list(frame.columns)
        guessed = guess_mapping(kind, columns)
        st.caption(f"Aperçu : {fr.plural(len(frame), 'ligne')}, {fr.plural(len(columns), 'colonne')}.")
        st.dataframe(frame.head(8), hide_index=True, width="stretch")
        options = [NONE, *columns]
        mapping: dict[str, str] = {}
        cols = st.columns(3)
        for n, (role, label) in enumerate(ROLES[kind].items()):
            default = guessed.get(role)
            chosen = cols[n % 3].selectbox(
                label,
                options,
                index=options.index(default) if default in options else 0,
                key=f"rencontres_map_{kind}_{role}",
            )
            if chosen != NONE:
                mapping[role] = chosen
        if st.button(
            f"Importer la liste des {KIND_LABELS[kind]}", key=f"rencontres_import_{kind}", type="primary"
        ):
            progress = progress_bar("Lecture des inscriptions…")
            try:
                if kind == "territoires":
                    result = read_territories(get_base(), frame, mapping, progress=progress)
                else:
                    result = read_structures(
                        get_base(), frame, mapping, profiles=profile_loader(profiles), progress=progress
                    )
                store.replace_participants(event_id, result, upload.name)
            except SentiersError as exc:
                st.error(md(exc))
            else:
                st.session_state[f"rencontres_imported_{kind}"] = result.sentence()
                st.rerun()
        done = st.session_state.get(f"rencontres_imported_{kind}")
        if done:
            st.success(f"Liste importée : {md(done)}")
    if people.rejected:
        st.subheader("Lignes écartées")
        st.caption("Chaque ligne écartée avec son motif : corrigez le fichier et importez-le de nouveau.")
        st.dataframe(
            pd.DataFrame(
                [
                    {"Liste": r.list, "Ligne": r.line, "Nom": r.name, "Motif": r.reason}
                    for r in people.rejected
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    noted = [(p.name, " ; ".join(p.notes)) for p in [*people.territories, *people.structures] if p.notes]
    if noted:
        with st.expander(
            f"Remarques sur {fr.plural(len(noted), 'inscription retenue', 'inscriptions retenues')}"
        ):
            st.dataframe(pd.DataFrame(noted, columns=["Nom", "Remarque"]), hide_index=True, width="stretch")


def _pairs_tab(store: EventStore, event_id: int, people: Participants, table: PairTable) -> None:
    t_names = [f"{t.name} — {t.label}" for t in people.territories]
    s_names = [s.name for s in people.structures]
    c1, c2 = st.columns(2)
    i = c1.selectbox(
        "Territoire", range(len(t_names)), format_func=lambda k: t_names[k], key="rencontres_pair_territory"
    )
    ranked = sorted(range(len(s_names)), key=lambda j: -table.score[i, j])
    j = c2.selectbox(
        "Structure (la mieux notée d'abord)",
        ranked,
        format_func=lambda k: f"{s_names[k]} — {fr.integer(round(float(table.score[i, k])))}/100",
        key="rencontres_pair_structure",
    )
    t_index, s_index = people.index_of()
    rules = {(t_index.get(a), s_index.get(b)): r for a, b, r in store.rules(event_id)}
    rule = rules.get((i, j))
    words = {"pin": "imposée", "forbid": "interdite"}
    st.markdown(
        f"**{md(people.territories[i].name)} — {md(people.structures[j].name)}** : score "
        f"{fr.integer(round(float(table.score[i, j])))}/100"
        + ("" if table.compatible[i, j] else " (aucun défi commun)")
        + (f" — rencontre {words[rule]}" if rule else "")
    )
    for reason in table.reasons(i, j):
        st.markdown(f"- {md(reason)}")
    b1, b2, b3 = st.columns(3)
    tid, sid = people.territory_ids[i], people.structure_ids[j]
    try:
        if b1.button("Imposer cette rencontre", key="rencontres_pin", disabled=rule == "pin"):
            store.set_rule(event_id, tid, sid, "pin")
            st.rerun()
        if b2.button("Interdire cette rencontre", key="rencontres_forbid", disabled=rule == "forbid"):
            store.set_rule(event_id, tid, sid, "forbid")
            st.rerun()
        if b3.button("Retirer la règle", key="rencontres_free", disabled=rule is None):
            store.set_rule(event_id, tid, sid, None)
            st.rerun()
    except SentiersError as exc:
        st.error(md(exc))
    if rules:
        st.markdown("**Règles en cours**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Territoire": people.territories[a].name,
                        "Structure": people.structures[b].name,
                        "Règle": words[r],
                    }
                    for (a, b), r in rules.items()
                    if a is not None and b is not None
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    st.markdown("**Participants absents**")
    everyone = [("t", k) for k in range(len(people.territories))] + [
        ("s", k) for k in range(len(people.structures))
    ]

    def label(item: tuple[str, int]) -> str:
        side, k = item
        p = people.territories[k] if side == "t" else people.structures[k]
        return f"{'Territoire' if side == 't' else 'Structure'} : {p.name}" + (
            " (absent)" if p.absent else ""
        )

    if everyone and st.session_state.get("rencontres_absent_pick") not in range(len(everyone)):
        st.session_state["rencontres_absent_pick"] = 0  # a list imported since the page last drew this picker
    pick = st.selectbox(
        "Participant",
        range(len(everyone)),
        format_func=lambda n: label(everyone[n]),
        key="rencontres_absent_pick",
        placeholder="Choisissez un participant",
    )
    if pick is not None:
        side, k = everyone[pick]
        person = people.territories[k] if side == "t" else people.structures[k]
        pid = people.territory_ids[k] if side == "t" else people.structure_ids[k]
        if st.button(
            "Marquer présent" if person.absent else "Marquer absent", key="rencontres_absent_toggle"
        ):
            store.set_absent(event_id, pid, not person.absent)
            st.rerun()


def _schedule_tab(
    store: EventStore, event_id: int, people: Participants, table: PairTable, settings: EventSettings
) -> None:
    st.caption(
        f"{fr.plural(len(settings.slots), 'créneau', 'créneaux')}, {settings.max_meetings} rencontres au plus par "
        "participant. Le planning donne au moins une rencontre au plus grand nombre de participants possible, puis "
        "maximise la somme des scores (optimisation exacte, solveur HiGHS) ; les rencontres imposées sont gardées, "
        "les interdites écartées."
    )
    if st.button("Calculer le planning", key="rencontres_compute", type="primary"):
        t_index, s_index = people.index_of()
        rules = [(t_index.get(a), s_index.get(b), r) for a, b, r in store.rules(event_id)]
        progress = progress_bar("Calcul du planning…")
        try:
            plan = compute_plan(
                get_base(),
                people.territories,
                people.structures,
                slots=len(settings.slots),
                max_meetings=settings.max_meetings,
                rejected=people.rejected,
                pinned=[(a, b) for a, b, r in rules if r == "pin" and a is not None and b is not None],
                forbidden=[(a, b) for a, b, r in rules if r == "forbid" and a is not None and b is not None],
                min_score=settings.min_score,
                slot_times=settings.slots,
                pairs=table,
                progress=progress,
            )
            store.save_schedule(event_id, plan, people)
        except SentiersError as exc:
            st.error(md(exc))
        else:
            st.rerun()
    programme = _programme(store, event_id, people, settings)
    note, computed = store.schedule_note(event_id)
    if not programme.meetings:
        st.info("Pas encore de planning : calculez-le.")
    else:
        st.success(f"{note} (calculé le {_local(computed)})")
        rows = [
            {
                "Créneau": m.slot,
                "Horaire": programme.slot_time(m.slot).label() if programme.slot_time(m.slot) else "",  # type: ignore[union-attr]
                "Territoire": people.territories[m.territory].name,
                "Structure": people.structures[m.structure].name,
                "Score": round(m.score),
            }
            for m in programme.meetings
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.subheader("Ce qui manque à l'événement")
    for sentence in gaps_text(programme):
        st.markdown(f"- {md(sentence)}")


def _documents_tab(store: EventStore, event_id: int, people: Participants, settings: EventSettings) -> None:
    programme = _programme(store, event_id, people, settings)
    stem = "rencontres"
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Planning complet (XLSX)",
        lambda: schedule_xlsx(programme),
        file_name=f"{stem}_planning.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="rencontres_dl_xlsx",
        on_click="ignore",
    )
    c2.download_button(
        "Tous les agendas (PDF)",
        lambda: all_agendas_pdf(programme),
        file_name=f"{stem}_agendas.pdf",
        mime="application/pdf",
        key="rencontres_dl_all_pdf",
        on_click="ignore",
    )
    c3.download_button(
        "Carte des rencontres (HTML)",
        lambda: pairs_map_html(programme),
        file_name=f"{stem}_carte.html",
        mime="text/html",
        key="rencontres_dl_map",
        on_click="ignore",
    )
    st.subheader("Agenda d'un participant")
    everyone = [("territoire", k) for k in range(len(people.territories))] + [
        ("structure", k) for k in range(len(people.structures))
    ]

    def label(item: tuple[str, int]) -> str:
        side, k = item
        p = people.territories[k] if side == "territoire" else people.structures[k]
        return f"{side.capitalize()} : {p.name}"

    if everyone and st.session_state.get("rencontres_agenda_pick") not in range(len(everyone)):
        st.session_state["rencontres_agenda_pick"] = 0  # a list imported since the page last drew this picker
    pick = st.selectbox(
        "Participant",
        range(len(everyone)),
        format_func=lambda n: label(everyone[n]),
        key="rencontres_agenda_pick",
        placeholder="Choisissez un participant",
    )
    if pick is not None:
        side, k = everyone[pick]
        name = (people.territories[k] if side == "territoire" else people.structures[k]).name
        safe = "".join(ch if ch.isalnum() else "_" for ch in name)[:40] or "participant"
        d1, d2 = st.columns(2)
        d1.download_button(
            "Agenda (PDF)",
            lambda: agenda_pdf(programme, side, k),  # type: ignore[arg-type]
            file_name=f"agenda_{safe}.pdf",
            mime="application/pdf",
            key="rencontres_dl_pdf",
            on_click="ignore",
        )
        if settings.date is not None:
            d2.download_button(
                "Agenda (calendrier .ics)",
                lambda: agenda_ics(programme, side, k, f"evenement{event_id}"),  # type: ignore[arg-type]
                file_name=f"agenda_{safe}.ics",
                mime="text/calendar",
                key="rencontres_dl_ics",
                on_click="ignore",
            )
        else:
            d2.caption("Indiquez la date de l'événement pour le fichier de calendrier.")
    if programme.meetings and st.toggle("Afficher la carte des rencontres", key="rencontres_show_map"):
        from app_pages import map_view
        from app_pages.leaflet_assets import leaflet_url

        map_view.show(
            map_view.prepare(pairs_map(programme, tiles=None, leaflet_url=leaflet_url())),
            height=520,
            returned_objects=[],
            key="rencontres_map",
        )


def _journal_tab(store: EventStore, event_id: int) -> None:
    lines = store.journal(event_id)
    st.dataframe(
        pd.DataFrame([{"Quand": _local(j.at), "Quoi": j.action, "Détail": j.detail} for j in lines]),
        hide_index=True,
        width="stretch",
    )
    with st.expander("Supprimer l'événement"):
        st.warning(
            "La suppression efface l'événement, ses inscriptions et les contacts des participants, les règles, le "
            "planning et le journal ; une ligne du journal général garde la trace de la suppression."
        )
        sure = st.checkbox("Je confirme la suppression", key="rencontres_delete_sure")
        if st.button("Supprimer", key="rencontres_delete", disabled=not sure):
            store.delete_event(event_id)
            del st.query_params["evenement"]
            st.rerun()


# -- page ----------------------------------------------------------------------------------------------------

st.title("Rencontres")
st.caption(
    "L'événement national : faire se rencontrer les besoins des territoires et les solutions des structures. "
    "Page réservée à l'équipe du programme."
)
_guard()
try:
    url = database_url()
    store = _store(url)
except SentiersError as exc:
    st.error(md(exc))
    st.stop()
st.caption(f"Données : {describe_url(url)}. Défis : {', '.join(defi_titles().values())}.")
_new_event(store)
event_id = _pick_event(store)
if event_id is None:
    st.stop()
try:
    settings = store.settings(event_id)
    people = store.participants(event_id)
except SentiersError as exc:
    st.error(md(exc))
    st.stop()
st.caption(
    f"{md(settings.place) or 'Lieu non précisé'} — créneaux : " + ", ".join(s.label() for s in settings.slots)
)
tabs = st.tabs(["Inscriptions", "Couples", "Planning", "Documents", "Journal"])
with tabs[0]:
    _import_tab(store, event_id, people)
ready = bool(people.territories and people.structures)
table = _pairs(event_id, people) if ready else None
with tabs[1]:
    if table is None:
        st.info("Importez les deux listes pour voir les couples.")
    else:
        _pairs_tab(store, event_id, people, table)
with tabs[2]:
    if table is None:
        st.info("Importez les deux listes pour calculer le planning.")
    else:
        _schedule_tab(store, event_id, people, table, settings)
with tabs[3]:
    _documents_tab(store, event_id, people, settings)
with tabs[4]:
    _journal_tab(store, event_id)
