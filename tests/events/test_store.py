"""The events database: SQLite always, PostgreSQL when SENTIERS_TEST_DATABASE_URL names a reachable server
(.ci/run starts Debian's PostgreSQL and sets it)."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from sentiers.errors import SentiersError
from sentiers.events.plan import EventSettings, compute_plan, default_slots
from sentiers.events.registrations import guess_mapping, read_structures, read_territories
from sentiers.events.store import Model, close_stores, database_url, migrate, open_store
from sentiers.rural.batch import read_upload
from tests.events.conftest import structures_rows, territories_rows, to_csv


def _postgres_url() -> str:
    url = os.environ.get("SENTIERS_TEST_DATABASE_URL", "")
    if not url:
        pytest.skip(
            "PostgreSQL tests skipped: SENTIERS_TEST_DATABASE_URL is not set (.ci/run starts a server)"
        )
    engine = create_engine(database_url_for(url))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(
            f"PostgreSQL tests skipped: no server reachable at SENTIERS_TEST_DATABASE_URL ({type(exc).__name__})"
        )
    finally:
        engine.dispose()
    return url


def database_url_for(url: str) -> str:
    return (
        "postgresql+psycopg://" + url.split("://", 1)[1]
        if url.startswith(("postgresql://", "postgres://"))
        else url
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        monkeypatch.setenv("SENTIERS_HOME", str(tmp_path))
        monkeypatch.delenv("SENTIERS_DATABASE_URL", raising=False)
        url = database_url()
        assert url.startswith("sqlite:///") and str(tmp_path) in url
        yield url
    else:
        base_url = _postgres_url()
        schema = f"t_{uuid.uuid4().hex[:10]}"  # one schema per test: tests never see each other's rows
        admin = create_engine(database_url_for(base_url))
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in base_url else "?"
        url = f"{base_url}{sep}options=-csearch_path%3D{schema}"
        monkeypatch.setenv("SENTIERS_DATABASE_URL", url)
        yield database_url()
        close_stores()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    close_stores()


def _lists(base):
    t = read_upload(
        to_csv(
            territories_rows(base, 25, seed=4)
            + [
                {
                    "Nom de la collectivité": "X",
                    "Commune ou EPCI": "Inconnue",
                    "Défi(s)": "Engagement citoyen",
                    "Besoin": "",
                    "Publics concernés": "",
                    "Rôle du contact": "",
                    "Courriel": "",
                }
            ]
        ),
        "t.csv",
    )
    s = read_upload(to_csv(structures_rows(base, 15, seed=5)), "s.csv")
    return (
        read_territories(base, t, guess_mapping("territoires", list(t.columns))),
        read_structures(base, s, guess_mapping("structures", list(s.columns))),
    )


def test_the_migrations_build_exactly_the_models(store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = open_store(store_url)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Model.metadata) == []
    assert migrate(store.engine) == "0001"  # already at head: nothing to do


def test_an_event_from_creation_to_deletion(base, store_url):
    store = open_store(store_url)
    spec = EventSettings(
        name="Rencontres 2026", date=date(2026, 6, 12), place="Die", slots=default_slots(4), max_meetings=3
    )
    event_id = store.create_event(spec)
    assert store.settings(event_id) == spec
    territories, structures = _lists(base)
    store.replace_participants(event_id, territories, "territoires.csv")
    store.replace_participants(event_id, structures, "structures.csv")
    people = store.participants(event_id)
    assert len(people.territories) == 25 and len(people.structures) == 15
    assert [r.name for r in people.rejected] == ["X"]
    assert people.territories[0].contact.email.endswith("@mairie.example")

    tid, sid = people.territory_ids[0], people.structure_ids[0]
    store.set_rule(event_id, tid, sid, "pin")
    store.set_rule(event_id, people.territory_ids[1], people.structure_ids[1], "forbid")
    store.set_absent(event_id, people.structure_ids[2], True)
    people = store.participants(event_id)
    assert people.structures[2].absent
    t_index, s_index = people.index_of()
    rules = store.rules(event_id)
    plan = compute_plan(
        base,
        people.territories,
        people.structures,
        slots=4,
        max_meetings=3,
        pinned=[(t_index[a], s_index[b]) for a, b, r in rules if r == "pin"],
        forbidden=[(t_index[a], s_index[b]) for a, b, r in rules if r == "forbid"],
    )
    store.save_schedule(event_id, plan, people)
    meetings = store.meetings(event_id)
    assert (tid, sid) in {(m.territory_id, m.structure_id) for m in meetings}
    assert (people.territory_ids[1], people.structure_ids[1]) not in {
        (m.territory_id, m.structure_id) for m in meetings
    }
    assert all(m.structure_id != people.structure_ids[2] for m in meetings)
    assert all(m.reasons for m in meetings)

    actions = [line.action for line in store.journal(event_id)]
    for expected in (
        "Événement créé",
        "Import d'une liste",
        "Rencontre imposée",
        "Rencontre interdite",
        "Participant absent",
        "Planning calculé",
    ):
        assert expected in actions
    assert all(line.at.tzinfo is not None for line in store.journal(event_id))
    # nothing personal in the journal
    assert not any("@" in line.detail for line in store.journal(event_id))

    store.delete_event(event_id)
    with store.engine.connect() as connection:
        for table in ("participants", "meetings", "pair_rules", "rejected_rows", "imports"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
        emails = connection.execute(
            text("SELECT count(*) FROM participants WHERE contact_email <> ''")
        ).scalar()
        assert emails == 0
    assert [line.action for line in store.journal()] == ["Événement supprimé"]
    with pytest.raises(SentiersError, match="introuvable"):
        store.settings(event_id)


def test_reimporting_a_list_replaces_it_and_its_rules(base, store_url):
    store = open_store(store_url)
    event_id = store.create_event(EventSettings(name="E", slots=default_slots(2), max_meetings=2))
    territories, structures = _lists(base)
    store.replace_participants(event_id, territories, "t.csv")
    store.replace_participants(event_id, structures, "s.csv")
    people = store.participants(event_id)
    store.set_rule(event_id, people.territory_ids[0], people.structure_ids[0], "pin")
    store.replace_participants(event_id, structures, "s2.csv")
    assert store.rules(event_id) == []
    assert len(store.participants(event_id).structures) == 15
    assert len(store.imports(event_id)) == 3


def test_absence_drops_the_pins_and_pinning_an_absent_is_refused(base, store_url):
    store = open_store(store_url)
    event_id = store.create_event(EventSettings(name="E", slots=default_slots(2), max_meetings=2))
    territories, structures = _lists(base)
    store.replace_participants(event_id, territories, "t.csv")
    store.replace_participants(event_id, structures, "s.csv")
    people = store.participants(event_id)
    t, s = people.territory_ids[0], people.structure_ids[0]
    store.set_rule(event_id, t, s, "pin")
    store.set_absent(event_id, t, True)
    assert store.rules(event_id) == []
    with pytest.raises(SentiersError, match="absent"):
        store.set_rule(event_id, t, s, "pin")
    with pytest.raises(SentiersError):
        store.set_rule(event_id, s, t, "pin")  # a structure is not a territory


def test_several_processes_opening_together_migrate_once(store_url):
    errors: list[BaseException] = []

    def open_one():
        try:
            from sentiers.events.store import _engine

            migrate(_engine(store_url))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_an_unreachable_database_is_a_french_error(monkeypatch):
    monkeypatch.setenv("SENTIERS_DATABASE_URL", "postgresql://nobody:x@127.0.0.1:1/none")
    with pytest.raises(SentiersError, match="injoignable"):
        open_store()
    monkeypatch.setenv("SENTIERS_DATABASE_URL", "pas une adresse")
    with pytest.raises(SentiersError, match="illisible"):
        open_store()
