"""« Comparer » in a real browser: a shared link with three territories (two communes and an EPCI), the
side-by-side table, the three exports."""

from __future__ import annotations

import io

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

CODES = ["26113", "05061"]


def _download(app, key: str):
    with app.page.expect_download(timeout=120_000) as info:
        app.page.locator(f".st-key-{key} button").click()
    return info.value


def test_a_comparison_link_shows_and_exports_the_territories(app, mirror_base):
    communes = mirror_base.communes.set_index("code")
    epci = str(communes.loc["26113", "epci"])
    codes = [*CODES, epci]
    names = [communes.loc[c, "name"] for c in CODES]
    app.goto("comparer", codes=",".join(codes))
    app.wait_idle(timeout_ms=180_000)
    app.screenshot("comparer")
    body = app.text()
    for name in names:
        assert name in body, name

    xlsx = _download(app, "compare_download_xlsx")
    assert xlsx.suggested_filename == f"comparaison-{'-'.join(codes)}.xlsx"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.path().read_bytes()))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    for name in names:
        assert name in cells, name
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)

    html = _download(app, "compare_download_html").path().read_text(encoding="utf-8")
    assert all(name in html for name in names)
    pdf = _download(app, "compare_download_pdf")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.path().read_bytes())).pages)
    assert "Die" in text
    app.check_clean()


def test_a_comparison_link_with_one_bad_code_says_which(app):
    app.goto("comparer", codes="26113,99999")
    body = app.text()
    assert "99999" in body
    assert not app.exceptions()
