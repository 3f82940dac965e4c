"""The one export writer: French CSV, typed XLSX with sensible number formats, read back as a person would."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from sentiers import exports, fr


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Commune": ["Die", "=HYPERLINK(1)"],
            "Population": [4844.0, 40595.0],  # whole numbers that arrived as floats
            "Année de la population": [2023.0, 2023.0],
            "Niveau": [5.0, 2.0],
            "Densité": [83.93899249199033, 875.1234],
            "Part": [20.14, 71.5],
        }
    )


def test_xlsx_writes_whole_numbers_as_integers_and_rounds_the_others():
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(frame())))
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][1:4] == (4844, 2023, 5) and all(isinstance(v, int) for v in rows[0][1:4])
    assert rows[0][4] == 83.94 and rows[1][5] == 71.5
    assert rows[1][0] == "=HYPERLINK(1)"  # text kept as typed, an inline string: never evaluated
    formats = {sheet.cell(1, c).value: sheet.cell(2, c).number_format for c in range(2, 7)}
    assert formats["Population"] == "#,##0"  # grouped: « 4 844 » in a French spreadsheet
    assert formats["Année de la population"] == "0"  # a year: « 2023 », never « 2 023 »
    assert formats["Densité"] == "#,##0.00"


def test_csv_is_for_french_spreadsheets():
    text = exports.to_csv_bytes(frame(), {"Densité": 1}).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(";")[:3] == ["Commune", "Population", "Année de la population"]
    assert lines[1] == "Die;4844;2023;5;83,9;20,14"  # no « 4844.0 », one decimal separator: the comma
    assert lines[2].startswith("'=HYPERLINK(1);")  # a formula made inert


def test_page_tables_read_in_french():
    shown = fr.frame_text(frame(), {"Densité": 1})
    assert list(shown.iloc[0]) == ["Die", "4\u202f844", "2023", "5", "83,9", "20,1"]
