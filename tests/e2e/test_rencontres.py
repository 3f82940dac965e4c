"""« Rencontres » end to end in a real browser, on its own server (staff password in a secrets file, SQLite database
in a temporary folder): log in, create an event, import both lists (one column mapped by hand), compute, pin a pair,
recompute, download an agenda."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Iterator

import pytest

from sentiers.access import hash_password

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

PASSWORD = "mot de passe de l'équipe"
TERRITORIES = "Collectivité;Ville concernée;Thème;Besoin\nMairie de Die;26113;Service de proximité;une épicerie\nMairie de Privas;07186;service-de-proximite;un commerce\n"
STRUCTURES = "nom;défi;départements;commune\nÉpicerie mobile;Service de proximité;26, 07;07186\nAtelier vélo;Service de proximité;26;26113\n"


@pytest.fixture(scope="module")
def rencontres_server(mirror_home, tmp_path_factory) -> Iterator:
    server_mod = sys.modules["sentiers_e2e_server"]
    folder = tmp_path_factory.mktemp("rencontres")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[rencontres]\npassword_sha256 = "{hash_password(PASSWORD)}"\n', encoding="utf-8")
    old = os.environ.get("SENTIERS_DATABASE_URL")
    os.environ["SENTIERS_DATABASE_URL"] = f"sqlite:///{folder / 'rencontres.sqlite'}"
    try:
        with server_mod.run_app(
            mirror_home, folder / "streamlit.log", ["--secrets.files", str(secrets)]
        ) as server:
            yield server
    finally:
        if old is None:
            os.environ.pop("SENTIERS_DATABASE_URL", None)
        else:
            os.environ["SENTIERS_DATABASE_URL"] = old
    assert "Traceback (most recent call last)" not in server.log(), server.log()[-5000:]


def _choose(app, key: str, text: str) -> None:
    box = app.page.locator(f".st-key-{key} input")
    box.scroll_into_view_if_needed()
    box.click()
    box.fill(text)
    box.press("Enter")
    app.wait_idle()


def _click(app, key: str) -> None:
    button = app.page.locator(f".st-key-{key} button")
    button.scroll_into_view_if_needed()
    button.click()
    app.wait_idle()


def _upload(app, key: str, path, preview: str, count: int) -> None:
    """Hand a file to an uploader and wait until its preview is drawn: the upload and the rerun it triggers can
    outlast one idle wait on a busy machine."""
    app.page.locator(f".st-key-{key} input[type=file]").set_input_files(str(path))
    deadline = time.monotonic() + 120
    while app.text().count(preview) < count:
        assert time.monotonic() < deadline, app.text()[-2000:]
        app.page.wait_for_timeout(250)
    app.wait_idle()


def _tab(app, name: str) -> None:
    app.page.get_by_role("tab", name=name).click()
    app.wait_idle()


def _agenda_text(app) -> str:
    from pypdf import PdfReader

    _tab(app, "Documents")
    _choose(app, "rencontres_agenda_pick", "Mairie de Die")
    with app.page.expect_download(timeout=60_000) as info:
        app.page.locator(".st-key-rencontres_dl_pdf button").click()
    download = info.value
    assert download.suggested_filename.startswith("agenda_") and download.suggested_filename.endswith(".pdf")
    return PdfReader(io.BytesIO(download.path().read_bytes())).pages[0].extract_text()


def test_an_event_end_to_end(rencontres_server, app_factory, tmp_path):
    app = app_factory(rencontres_server.url)
    app.goto("rencontres")
    assert "Mot de passe" in app.text()
    app.page.locator(".st-key-rencontres_password input").fill(PASSWORD)
    _click(app, "rencontres_login")

    app.page.locator(".st-key-rencontres_new_name input").fill("Rencontres nationales")
    app.page.locator(".st-key-rencontres_new_slots input").fill("2")
    app.page.locator(".st-key-rencontres_new_max input").fill("1")  # one meeting each
    _click(app, "rencontres_new_create")
    assert "evenement=" in app.page.url
    # its three uploaders (two lists, the profiles) in French, as everywhere else
    words = app.uploader_words()
    assert len(words) == 3 and all(button == '"Choisir un fichier"' for button, _ in words), words

    territories = tmp_path / "territoires.csv"
    territories.write_bytes(TERRITORIES.encode("cp1252"))  # a Windows export
    _upload(app, "rencontres_upload_territoires", territories, "Aperçu : 2 lignes", 1)
    _choose(app, "rencontres_map_territoires_territoire", "Ville concernée")  # the column named by hand
    _click(app, "rencontres_import_territoires")
    assert "2 inscriptions retenues" in app.text(), app.text()[-2000:]

    structures = tmp_path / "structures.csv"
    structures.write_text(STRUCTURES, encoding="utf-8")
    _upload(app, "rencontres_upload_structures", structures, "Aperçu : 2 lignes", 2)
    _click(app, "rencontres_import_structures")
    assert app.text().count("Inscriptions enregistrées : 2.") == 2, app.text()[-3000:]

    # one meeting each, two slots: Die meets the bicycle workshop based in Die, Privas the shop based in Privas
    _tab(app, "Planning")
    _click(app, "rencontres_compute")
    assert "Planning optimal" in app.text(), app.text()[-2000:]
    assert "Atelier vélo" in _agenda_text(app)

    # pin Die with the mobile shop, recompute: the pinned meeting is in Die's agenda
    _tab(app, "Couples")
    _choose(app, "rencontres_pair_structure", "Épicerie mobile")
    _click(app, "rencontres_pin")
    assert "rencontre imposée" in app.text()
    _tab(app, "Planning")
    _click(app, "rencontres_compute")
    agenda = _agenda_text(app)
    assert "Épicerie mobile" in agenda and "Atelier vélo" not in agenda
    assert "Mairie de Die" in agenda

    _tab(app, "Journal")
    journal = " ".join(app.table_cells())
    assert (
        "Rencontre imposée" in journal and "Planning calculé" in journal and "Import d'une liste" in journal
    )
    app.screenshot("rencontres-journal")
    app.check_clean()


def test_a_wrong_password_is_refused(rencontres_server, app_factory):
    app = app_factory(rencontres_server.url)
    app.goto("rencontres")
    app.page.locator(".st-key-rencontres_password input").fill("devine")
    _click(app, "rencontres_login")
    assert "Mot de passe incorrect" in app.text()
    assert not app.page.get_by_role("tab", name="Inscriptions").count()
    app.check_clean()
