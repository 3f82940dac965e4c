"""The official sources updated from the app, in a real browser: a server on a copy of the embedded-only base,
« Mettre à jour et reconstruire la base » from the mirror folder, progress shown, then the new base in use
(official layers listed, the embedded-only notice gone, Die's verdict known)."""

from __future__ import annotations

import json
import sys

import pytest

from tests.homes import copy_home, manifest_path

pytestmark = [pytest.mark.e2e, pytest.mark.mirror, pytest.mark.timeout(600)]

server_mod = sys.modules["sentiers_e2e_server"]


@pytest.fixture(scope="module")
def fresh_server(embedded_home, mirror_path, tmp_path_factory):
    home = tmp_path_factory.mktemp("home-update-in-app")
    copy_home(embedded_home, home)  # never touch a shared base
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SENTIERS_MIRROR", str(mirror_path))
        with server_mod.run_app(home, home / "streamlit.log") as server:
            yield server, home
    assert "Traceback (most recent call last)" not in server.log(), server.log()[-5000:]


def test_update_from_the_mirror_in_the_browser(fresh_server, app_factory, mirror_base):
    server, home = fresh_server
    app = app_factory(server.url)
    app.goto("")
    assert "Seules les données embarquées" in app.text()
    app.page.get_by_text("Mettre à jour les données officielles", exact=True).click()
    mirror_field = app.page.locator(".st-key-update_mirror input")
    assert mirror_field.input_value().strip()  # the mirror folder of SENTIERS_MIRROR, proposed
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
    app.goto("rural", q="26113")
    die = mirror_base.communes.set_index("code").loc["26113"]
    assert ("RURALE" if bool(die["rural"]) else "URBAINE") in app.text()
    app.check_clean()
