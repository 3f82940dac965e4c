"""« Étude de faisabilité » in a real browser: answer the readiness form, build the dossier, download HTML, PDF and
project file, reopen the project file; and « Trouver un territoire » started from a commune where the solution works.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def _download(app, key: str):
    with app.page.expect_download(timeout=120_000) as info:
        app.page.locator(f".st-key-{key} button").first.click()
    return info.value


def _answer(app, key: str, label: str) -> None:
    app.page.locator(f".st-key-{key}").get_by_text(label, exact=True).click()
    app.wait_idle()


def test_readiness_dossier_downloads_and_reopening(app, tmp_path):
    app.goto("etude")
    assert "Êtes-vous prêt·e ?" in app.text()
    _answer(app, "et_q_lucrativite", "Association, coopérative, mutuelle ou fondation")
    _answer(app, "et_q_impact", "Trop tôt : l'activité démarre")
    body = app.text()
    assert "1 bloquant" in body and "2 prêts" in body, body[:3000]
    name = app.page.locator(".st-key-et_name input")
    name.fill("Coop <b>test</b> & Cie")
    name.press("Enter")
    app.wait_idle()
    top = app.page.locator(".st-key-et_top input")
    top.fill("2")
    top.press("Enter")
    app.wait_idle()
    box = app.page.locator(".st-key-et_maps input[type=checkbox]")
    for _ in range(3):  # a click landing while the previous rerun redraws the page can be lost (busy machine)
        if not box.is_checked():
            break
        app.page.locator(".st-key-et_maps").get_by_text("Avec une carte par territoire").click()
        app.wait_idle()
    assert not box.is_checked()
    app.page.locator(".st-key-et_build button").click()
    app.wait_idle(timeout_ms=300_000)
    app.screenshot("etude-dossier")
    assert "Dossier prêt : 2 territoires détaillés" in app.text(), app.text()[-3000:]

    html = _download(app, "et_dl_html").path().read_text(encoding="utf-8")
    assert "Coop &lt;b&gt;test&lt;/b&gt; &amp; Cie" in html and "<b>test</b>" not in html
    assert html.count('class="card"') == 2 and "<script" not in html.lower()
    assert "Trop tôt : l&#39;activité démarre" in html
    pdf = _download(app, "et_dl_pdf")
    reader = PdfReader(io.BytesIO(pdf.path().read_bytes()))
    assert "Sommaire" in reader.pages[0].extract_text() and len(reader.pages) >= 4
    project = _download(app, "et_dl_project")
    assert project.suggested_filename.endswith(".zip")
    saved = tmp_path / "projet.zip"
    saved.write_bytes(project.path().read_bytes())
    with zipfile.ZipFile(saved) as zf:
        assert "profil.yaml" in zf.namelist()
    app.check_clean()

    # a new visitor reopens the study from the project file
    app.goto("etude")
    assert app.page.locator(".st-key-et_name input").input_value() != "Coop <b>test</b> & Cie"
    app.page.locator(".st-key-et_upload input[type=file]").set_input_files(str(saved))
    app.wait_idle(timeout_ms=120_000)
    assert "rouverte depuis" in app.text(), app.text()[:2000]
    assert app.page.locator(".st-key-et_name input").input_value() == "Coop <b>test</b> & Cie"
    assert app.page.locator(".st-key-et_top input").input_value() == "2"
    assert "1 bloquant" in app.text()
    # a file that is not a project is refused with a French message, and the study stays
    junk = tmp_path / "faux.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    app.page.locator(".st-key-et_upload input[type=file]").set_input_files(str(junk))
    app.wait_idle()
    app.screenshot("etude-junk")
    alerts = app.page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert any("pas une archive de projet" in a for a in alerts), alerts
    assert app.page.locator(".st-key-et_name input").input_value() == "Coop <b>test</b> & Cie"
    app.check_clean()


def test_trouver_from_a_commune_where_the_solution_works(app):
    app.goto("trouver")
    app.page.locator(".st-key-tr_way").get_by_text(
        "Partir de communes où ma solution fonctionne déjà"
    ).click()
    app.wait_idle()
    refs = app.page.locator(".st-key-tr_sim_refs input")
    refs.fill("26113")
    refs.press("Enter")
    app.wait_idle(timeout_ms=120_000)
    app.screenshot("trouver-semblables")
    body = app.text()
    assert "Territoires semblables au vôtre" in body and "Die (26113, 26)" in body, body[-3000:]
    cells = " ".join(app.table_cells())
    assert "Ressemblance" in cells and "proche" in cells
    link = app.page.get_by_role("link", name="Préparer l'étude de faisabilité de ce scénario")
    link.scroll_into_view_if_needed()
    link.click()
    app.page.wait_for_url("**/etude?*", timeout=60_000)
    app.wait_idle(timeout_ms=120_000)
    assert "repris de la page « Trouver un territoire »" in app.text()
    assert app.page.locator(".st-key-et_refs input").input_value() == "26113"
    app.check_clean()
