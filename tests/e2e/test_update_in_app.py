"""The official sources updated from the app, in a real browser: a server on a copy of the embedded-only base whose
deployment configures an administrator's password ([admin] in its secrets) and a mirror folder (SENTIERS_MIRROR).

A visitor opens « Mettre à jour les données officielles » and reads that it is the administrator's, with no
button and no field; the administrator enters the password, updates from the deployment's mirror (progress
shown), then the new base is in use (official layers listed, the embedded-only notice gone, Die's verdict known).
"""

from __future__ import annotations

import json
import sys

import pytest

from sentiers.access import hash_password
from tests.homes import copy_home, manifest_path

pytestmark = [pytest.mark.e2e, pytest.mark.mirror, pytest.mark.timeout(600)]

server_mod = sys.modules["sentiers_e2e_server"]
PASSWORD = "mot de passe de l'administrateur"


@pytest.fixture(scope="module")
def fresh_server(embedded_home, mirror_path, tmp_path_factory):
    home = tmp_path_factory.mktemp("home-update-in-app")
    copy_home(embedded_home, home)  # never touch a shared base
    secrets = home.parent / "update-secrets.toml"
    secrets.write_text(f'[admin]\npassword_sha256 = "{hash_password(PASSWORD)}"\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SENTIERS_MIRROR", str(mirror_path))
        mp.delenv("SENTIERS_ADMIN_TOKEN", raising=False)
        with server_mod.run_app(home, home / "streamlit.log", ["--secrets.files", str(secrets)]) as server:
            yield server, home
    assert "Traceback (most recent call last)" not in server.log(), server.log()[-5000:]


def _open_update(app) -> None:
    app.page.get_by_text("Mettre à jour les données officielles", exact=True).click()
    app.wait_idle()


def test_a_visitor_reads_that_the_update_is_the_administrators(fresh_server, app_factory, mirror_path):
    server, _ = fresh_server
    app = app_factory(server.url)
    app.goto("")
    _open_update(app)
    assert app.page.locator(".st-key-update_run").count() == 0
    assert "Réservé à l'administrateur de Sentiers" in app.text()
    app.page.locator(".st-key-admin_password input").fill("devine")
    app.page.locator(".st-key-admin_login button").click()
    app.wait_idle()
    assert "Mot de passe incorrect" in app.text()
    assert app.page.locator(".st-key-update_run").count() == 0
    assert str(mirror_path) not in app.page.content()  # the server's folders are never shown
    app.check_clean()


def test_the_administrator_updates_from_the_mirror_in_the_browser(fresh_server, app_factory, mirror_base):
    server, home = fresh_server
    app = app_factory(server.url)
    app.goto("")
    assert "Seules les données embarquées" in app.text()
    _open_update(app)
    app.page.locator(".st-key-admin_password input").fill(PASSWORD)
    app.page.locator(".st-key-admin_login button").click()
    app.wait_idle()
    assert app.page.locator(".st-key-update_mirror").count() == 0  # no folder to type
    assert "Dossier miroir du déploiement" in app.text()
    app.page.locator(".st-key-update_run button").click()
    app.page.get_by_text("base reconstruite").first.wait_for(timeout=400_000)
    app.wait_idle(timeout_ms=120_000)
    app.screenshot("update-in-app-done")
    body = app.text()
    manifest = json.loads(manifest_path(home).read_text(encoding="utf-8"))
    assert not all(layer.get("origin") == "embedded" for layer in manifest["layers"])
    assert len(manifest["layers"]) == len(mirror_base.layers()), [layer["id"] for layer in manifest["layers"]]
    assert "base reconstruite" in body

    reload = app.page.locator(".st-key-update_reload button")
    if not reload.is_visible():  # the finished status box folds its content away: open it, as a user must
        app.page.get_by_text("sources mises à jour, base reconstruite").first.click()
    reload.click()
    app.wait_idle(timeout_ms=120_000)
    assert "Seules les données embarquées" not in app.text()
    assert "Dernière mise à jour des données" in app.text()
    app.goto("rural", q="26113")
    die = mirror_base.communes.set_index("code").loc["26113"]
    assert ("RURALE" if bool(die["rural"]) else "URBAINE") in app.text()
    app.check_clean()
