"""AppTest of the page « Rencontres »: refused without access rules, a password gate, an event created and stored."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sentiers.access import hash_password
from sentiers.events.store import close_stores, open_store

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "rencontres.py")


def _page(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    return at


def test_refused_without_access_rules(embedded_home, use_home, tmp_path, monkeypatch):
    use_home(embedded_home)
    monkeypatch.setenv("SENTIERS_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    at = _page().run()
    assert not at.exception, at.exception
    assert "réservée à l'équipe" in at.error[0].value
    assert not at.tabs  # nothing else drawn
    assert not (tmp_path / "r.sqlite").exists()  # the database is not even opened


def test_password_gate_then_an_event_is_created(embedded_home, use_home, tmp_path, monkeypatch):
    use_home(embedded_home)
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    monkeypatch.setenv("SENTIERS_DATABASE_URL", url)
    at = _page({"rencontres": {"password_sha256": hash_password("équipe")}}).run()
    assert not at.exception, at.exception
    at.text_input(key="rencontres_password").input("mauvais")
    at.button(key="rencontres_login").click().run()
    assert "incorrect" in at.error[0].value and not at.tabs
    at.text_input(key="rencontres_password").input("équipe")
    at.button(key="rencontres_login").click().run()
    assert not at.exception, at.exception
    at.text_input(key="rencontres_new_name").input("Rencontres <b>2026</b>")
    at.button(key="rencontres_new_create").click().run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Inscriptions", "Couples", "Planning", "Documents", "Journal"]
    events = open_store(url).list_events()
    assert [e.name for e in events] == ["Rencontres <b>2026</b>"]
    assert at.query_params["evenement"] == [str(events[0].id)] or at.query_params["evenement"] == str(
        events[0].id
    )
    close_stores()
