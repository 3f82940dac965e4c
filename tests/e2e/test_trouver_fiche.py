"""« Trouver un territoire » → « Fiche territoire » in a real browser: run a preset, download the shortlist,
open the best candidate's briefing, download it as HTML and PDF, reopen the shared scenario URL.

The expected ranking is the library's (sentiers.matching.score.rank_profile on the same base): the browser must show
and export exactly what the package computes, in order.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

PRESET = "service-de-proximite"
TOP = 20


@pytest.fixture(scope="module")
def ranking(mirror_base):
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.score import rank_profile

    return rank_profile(mirror_base, preset_profile(PRESET), top_n=TOP)


def _candidates_shown(app) -> str:
    box = app.page.locator(".st-key-tr_candidate input")
    box.scroll_into_view_if_needed()
    return box.input_value()


def _download(app, key: str):
    with app.page.expect_download(timeout=60_000) as info:
        app.page.locator(f".st-key-{key} button").click()
    return info.value


def test_a_preset_ranks_exports_and_opens_a_briefing(app, ranking, tmp_path):
    best = ranking.top(TOP)
    first = best.iloc[0]
    app.goto("trouver", preset=PRESET)
    app.screenshot("trouver-preset")
    body = app.text()
    assert "Entonnoir" in body or "candidats" in body.lower(), body[:2000]
    shown = _candidates_shown(app)
    assert f"1. {first['name']} ({first['departement']}) · {first['code']}" in shown, shown

    # the scenario is in the URL
    token = parse_qs(urlparse(app.page.url).query).get("p", [""])[0]
    assert token

    # shortlist CSV: the ranking, in order, no live formula
    download = _download(app, "tr_dl_csv")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_bytes().decode("utf-8-sig")), delimiter=";"))
    header, body_rows = rows[0], rows[1:]
    code_col = next(i for i, h in enumerate(header) if "code" in h.lower())
    assert [r[code_col] for r in body_rows] == best["code"].astype(str).tolist()
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    xlsx = _download(app, "tr_dl_xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.path().read_bytes()))
    assert book.worksheets[0].max_row >= len(best) + 1

    # its actors, with the profile's défi (the activity field's help says the page uses them)
    actors = app.page.get_by_role("link", name=f"Acteurs du territoire : {first['name']}")
    actors_query = parse_qs(urlparse(actors.get_attribute("href")).query)
    assert actors_query.get("code") == [str(first["code"])] and actors_query.get("defi") == [
        ranking.profile.defi
    ]

    # the best candidate's briefing, through the page's own link
    link = app.page.get_by_role("link", name=f"Ouvrir la fiche territoire : {first['name']}")
    link.scroll_into_view_if_needed()
    link.click()
    app.page.wait_for_url("**/fiche?*", timeout=60_000)
    app.wait_idle(timeout_ms=120_000)
    app.screenshot("fiche-from-trouver")
    query = parse_qs(urlparse(app.page.url).query)
    assert query.get("code") == [str(first["code"])] and query.get("p") == [token]
    assert first["name"] in app.text()

    html_file = _download(app, "fiche_download_html")
    from sentiers.fr import file_stem

    stem = f"fiche-{file_stem(first['name'])}-{first['code']}"  # the file names the territory shown
    assert html_file.suggested_filename == f"{stem}.html"
    html = html_file.path().read_text(encoding="utf-8")
    assert first["name"] in html
    assert "<script" not in html.lower()  # self-contained and inert

    pdf_file = _download(app, "fiche_download_pdf")
    assert pdf_file.suggested_filename == f"{stem}.pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_file.path().read_bytes()))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert str(first["name"]).split("-")[0] in text, text[:500]
    app.check_clean()


def test_a_shared_scenario_url_reopens_the_same_ranking(app, browser, ranking):
    best = ranking.top(TOP)
    app.goto("trouver", preset=PRESET)
    shared_url = app.page.url
    assert "p=" in shared_url and "preset=" not in shared_url
    first_view = _candidates_shown(app)

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        other = context.new_page()
        other.goto(shared_url, wait_until="domcontentloaded")
        again = type(app)(page=other, base_url=app.base_url)
        again.wait_idle()
        assert "rouvert depuis le lien" in again.text()
        second_view = _candidates_shown(again)
        assert second_view == first_view
        first = best.iloc[0]
        assert f"1. {first['name']} ({first['departement']}) · {first['code']}" in second_view
        assert parse_qs(urlparse(other.url).query).get("p") == parse_qs(urlparse(shared_url).query).get("p")
        assert not again.exceptions()
    finally:
        context.close()
    app.check_clean()


def test_a_damaged_shared_link_says_so(app):
    app.goto("trouver", p="eNqrVkrOz0nNTVWyUkpKzSlWqgUAR5IGxw-abime")
    assert "Lien de partage illisible" in app.text()
    assert not app.exceptions()


def test_leaving_the_page_and_coming_back_keeps_the_scenario(app):
    """Through the sidebar, as a user does: Trouver → Est-ce rural ? → Trouver."""
    app.goto("trouver", preset=PRESET)
    before = _candidates_shown(app)
    kiif = app.page.locator(".st-key-tr_kiif input[type=checkbox]")
    rural = app.page.locator(".st-key-tr_rural input[type=checkbox]")
    assert kiif.is_checked() and rural.is_checked()
    app.page.get_by_role("link", name="Est-ce rural ?").first.click()
    app.page.wait_for_url("**/rural*", timeout=60_000)
    app.wait_idle()
    app.page.get_by_role("link", name="Trouver un territoire").first.click()
    app.page.wait_for_url("**/trouver*", timeout=60_000)
    app.wait_idle(timeout_ms=120_000)
    assert kiif.is_checked(), "« Départements couverts par le Kiif seulement » lost on the way back"
    assert rural.is_checked(), "« communes rurales seulement » lost on the way back"
    assert _candidates_shown(app) == before
    assert not app.exceptions()
