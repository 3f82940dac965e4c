"""« Est-ce rural ? » in a real browser: one commune (Die), a shared link, a batch file and its downloads."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

WORDS = {True: "RURALE", False: "URBAINE"}


@pytest.fixture(scope="module")
def die(mirror_base):
    row = mirror_base.communes.set_index("code").loc["26113"]
    assert row["name"] == "Die"
    return row


def _ask(app, query: str) -> None:
    field = app.page.locator(".st-key-rural_query input")
    field.fill(query)
    field.press("Enter")
    app.wait_idle()


def test_die_gets_its_official_verdict(app, die):
    app.goto("rural")
    _ask(app, "Die")
    app.screenshot("rural-die")
    body = app.text()
    assert "Die" in body and "26113" in body
    assert WORDS[bool(die["rural"])] in body, body[:1500]
    assert str(int(die["density_level"])) in body or "niveau" in body.lower()
    assert "Grille communale de densité" in body  # the grid named, with its vintage
    assert parse_qs(urlparse(app.page.url).query).get("q") == ["Die"]
    # the small map beside the card: an SVG image the browser drew (not a broken image), titled, named
    figure = app.page.locator('[data-testid="stImage"] img').first
    figure.wait_for(state="visible", timeout=10_000)
    src = figure.get_attribute("src") or ""
    assert src.startswith("data:image/svg+xml"), src[:80]
    assert figure.evaluate("img => img.complete && img.naturalWidth") > 100
    assert "Die et les communes voisines" in body
    app.check_clean()


def test_a_shared_verdict_link_reopens_the_same_verdict(app, die):
    app.goto("rural", q="26113")
    body = app.text()
    assert "Die" in body and WORDS[bool(die["rural"])] in body
    from playwright.sync_api import expect

    expect(app.page.locator(".st-key-rural_query input")).to_have_value("Die", timeout=10_000)  # its name
    app.check_clean()


def test_an_ambiguous_name_lists_the_communes_and_bad_input_is_explained(app):
    app.goto("rural")
    _ask(app, "Saint-Martin")
    body = app.text()
    assert "précisez le département" in body.lower() or "communes portent ce nom" in body.lower(), body[:1500]
    _ask(app, "<script>alert(1)</script>")
    assert "non admis" in app.text().lower()
    _ask(app, "99999")
    assert "99999" in app.text()
    app.check_clean()


BATCH_ROWS = [
    ("Die", "ligne 1"),
    ("L'Abergement-Clémenciat", "ligne 2"),
    ("Saint-Martin", "ligne 3"),
    ("Zzyzxville-sur-Rien", "ligne 4"),
    ("=cmd|' /C calc'!A0", "ligne 5"),
    ("Crest", "ligne 6"),
]


def test_a_batch_file_comes_back_complete_with_a_status_per_row(app, tmp_path):
    source = tmp_path / "communes.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["commune", "note"])
        writer.writerows(BATCH_ROWS)
    app.goto("rural")
    app.page.get_by_role("tab", name="Un fichier (CSV ou XLSX)").click()
    app.page.locator(".st-key-rural_upload input[type=file]").set_input_files(str(source))
    app.wait_idle()
    assert f"{len(BATCH_ROWS)} lignes" in app.text()
    app.page.locator(".st-key-rural_batch_run button").click()
    app.wait_idle()
    app.screenshot("rural-batch")
    assert f"{len(BATCH_ROWS)} lignes :" in app.text(), app.text()[-2000:]

    with app.page.expect_download() as info:
        app.page.locator(".st-key-rural_dl_csv button").click()
    download = info.value
    assert download.suggested_filename == "communes_rural.csv"
    data = download.path().read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == len(BATCH_ROWS)  # every row, in order
    assert [r[header.index("note")] for r in body] == [note for _, note in BATCH_ROWS]
    status = [r[header.index("statut_verification")] for r in body]
    assert status[0] == "ok" and status[1] == "ok" and status[2] == "ambigu" and status[4] == "invalide"
    assert status[3] == "introuvable"
    assert body[4][header.index("commune")] == "'=cmd|' /C calc'!A0"  # no live formula
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell

    with app.page.expect_download() as info:
        app.page.locator(".st-key-rural_dl_xlsx button").click()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    sheet = book.worksheets[0]
    assert sheet.max_row == len(BATCH_ROWS) + 1
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    app.check_clean()


def test_a_binary_upload_gets_a_french_message(app, tmp_path):
    junk = tmp_path / "photo.csv"
    junk.write_bytes(bytes(range(256)) * 64)
    app.goto("rural")
    app.page.get_by_role("tab", name="Un fichier (CSV ou XLSX)").click()
    app.page.locator(".st-key-rural_upload input[type=file]").set_input_files(str(junk))
    app.wait_idle()
    alerts = app.page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert any("CSV" in a or "binaire" in a or "illisible" in a for a in alerts), alerts
    app.check_clean()
