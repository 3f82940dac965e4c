"""Side-by-side comparison: best/worst marks, limits, exports (HTML escaped, PDF text, XLSX cells)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sentiers.briefing.compare import (
    build_comparison,
    level_of,
    render_compare_html,
    render_compare_pdf,
    render_compare_xlsx,
)
from sentiers.errors import SentiersError
from tests.briefing.small_base import SCRIPT


def row(comparison, key):
    return next(r for r in comparison.rows if r.key == key)


def test_best_and_worst_follow_the_direction(small_base):
    c = build_comparison(small_base, ["26001", "26002", "26004"], with_maps=False)
    unemployment = row(c, "unemployment_rate")  # lower is better
    values = [cell.value for cell in unemployment.cells]
    marks = [cell.mark for cell in unemployment.cells]
    assert marks[values.index(min(values))] == "best"
    assert marks[values.index(max(values))] == "worst"
    assert [cell.mark for cell in row(c, "population").cells] == ["", "", ""]  # no direction: not marked
    income = row(c, "median_income")
    assert income.cells[1].value is None and income.cells[1].mark == ""  # missing is never best or worst


def test_mixed_levels_and_limits(small_base):
    assert level_of("200000001", "commune") == "epci" and level_of("26001", "commune") == "commune"
    c = build_comparison(small_base, ["26001", "200000001"], with_maps=False)
    assert [col.level for col in c.columns] == ["commune", "epci"]
    with pytest.raises(SentiersError, match="de 2 à 5"):
        build_comparison(small_base, ["26001"])
    with pytest.raises(SentiersError, match="de 2 à 5"):
        build_comparison(small_base, ["26001", "26001 "])  # the same territory twice counts once
    with pytest.raises(SentiersError, match="de 2 à 5"):
        build_comparison(small_base, ["26001", "26002", "26003", "26004", "05001", "26099"])
    with pytest.raises(SentiersError, match="ni un code Insee ni un code postal"):
        build_comparison(small_base, ["26001", "99999"])


def test_exports(small_base):
    c = build_comparison(small_base, ["26003", "26004", "05001"])
    html = render_compare_html(c)
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    assert html.count('src="data:image/png;base64,') == 3
    assert 'class="best"' in html and 'class="worst"' in html
    reader = PdfReader(io.BytesIO(render_compare_pdf(c)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Gamma-sur-Drôme" in text and "Sources et millésimes" in text
    wb = load_workbook(io.BytesIO(render_compare_xlsx(c)))
    ws = wb["Comparaison"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Groupe")
    assert header[2] == f"{SCRIPT} (26003)"
    cells = {r[1]: r for r in ws.iter_rows(values_only=True) if r[0] == "Indicateurs"}
    unemployment = cells["Taux de chômage des 15-64 ans (recensement) (% des actifs)"]
    assert unemployment[2] == pytest.approx(4.0)  # numbers stay numbers
    fills = {
        ws.cell(row=r, column=col).fill.fgColor.rgb
        for r in range(1, ws.max_row + 1)
        for col in range(3, 6)
        if ws.cell(row=r, column=2).value == "Taux de chômage des 15-64 ans (recensement) (% des actifs)"
    }
    assert any(str(f).endswith("E3F1E5") for f in fills) and any(str(f).endswith("FBE6DC") for f in fills)
    assert "Sources" in wb.sheetnames


def test_xlsx_text_never_becomes_a_formula(small_base):
    base = small_base
    base.communes.loc[base.communes["code"] == "26001", "name"] = '=HYPERLINK("http://x")'
    c = build_comparison(base, ["26001", "26002"], with_maps=False)
    ws = load_workbook(io.BytesIO(render_compare_xlsx(c)))["Comparaison"]
    header_row = next(r for r in ws.iter_rows() if r[0].value == "Groupe")
    # the name is kept as written, as text: an inline string is never evaluated
    assert header_row[2].value.startswith('=HYPERLINK("http://x")') and header_row[2].data_type == "s"


def test_with_a_profile_looking_for_communes_without_a_shop_absent_is_marked_best(small_base):
    """Issue 10's disagreement: « Épicerie présent » was green for a profile that looks for communes without one."""
    from sentiers.matching.presets import preset_profile

    profile = preset_profile("service-de-proximite", constraints={"kiif_only": False, "rural_only": False})
    plain = build_comparison(small_base, ["26001", "26002"], with_maps=False)
    c = build_comparison(small_base, ["26001", "26002"], profile=profile, with_maps=False)
    shops = [r for r in c.rows if r.key in ("service_epicerie", "service_alimentation")]
    assert shops
    for shop in shops:
        values = [cell.value for cell in shop.cells]
        if None in values or values[0] == values[1]:
            continue
        with_shop, without = (0, 1) if values[0] > values[1] else (1, 0)
        assert shop.cells[without].mark == "best" and shop.cells[with_shop].mark == "worst", shop
        # without a profile, the better value for inhabitants: the shop
        same = row(plain, shop.key)
        assert same.cells[with_shop].mark == "best" and same.cells[without].mark == "worst"
        break
    else:
        pytest.fail("no shop row tells the two communes apart")
