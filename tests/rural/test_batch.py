"""Batch check: reading uploads (separators, encodings, XLSX), column choice, every row back, safe exports."""

from __future__ import annotations

import io
import os

import openpyxl
import pandas as pd
import pytest

from sentiers.errors import SentiersError
from sentiers.exports import to_csv_bytes, to_xlsx_bytes
from sentiers.rural.batch import (
    CANDIDATES_COLUMN,
    MAX_BYTES,
    MESSAGE_COLUMN,
    STATUS_COLUMN,
    ColumnChoice,
    check_frame,
    guess_columns,
    read_upload,
)

ROWS = [
    ("Die", "26"),
    ("Saint-Martin", ""),
    ("Saint-Martin", "65"),
    ("Dei", ""),
    ("", ""),
    ("<script>alert(1)</script>", ""),
    ('=HYPERLINK("http://x")', ""),
    ("L'Abergement-Clémenciat", "01"),
    ("Saint-Étienne", ""),
]


def _csv(sep: str, encoding: str, header=("Commune", "Département")) -> bytes:
    lines = [sep.join(header)] + [sep.join(r) for r in ROWS]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("sep", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_separators_and_encodings(sep, encoding):
    frame = read_upload(_csv(sep, encoding), "communes.csv")
    assert list(frame.columns) == ["Commune", "Département"]
    assert frame["Commune"].tolist() == [r[0] for r in ROWS]
    assert frame["Département"].tolist() == [r[1] for r in ROWS]


def test_xlsx_upload_keeps_codes_as_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code_insee", "libellé"])
    ws.append(["01001", "a"])
    ws.append([26113, "b"])  # a code typed as a number
    ws.append(["2A004", "c"])
    buf = io.BytesIO()
    wb.save(buf)
    frame = read_upload(buf.getvalue(), "codes.xlsx")
    assert frame["code_insee"].tolist() == ["01001", "26113", "2A004"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "vide.csv"),
        (bytes(range(256)) * 40, "binaire.csv"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "image.csv"),
        (b"PK\x03\x04" + os.urandom(2000), "faux.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "ancien.xls"),
    ],
)
def test_unreadable_uploads_give_a_french_message(data, name):
    with pytest.raises(SentiersError) as err:
        read_upload(data, name)
    message = str(err.value)
    assert message and "\n" not in message and "Traceback" not in message


def test_twenty_megabyte_file_is_refused_clearly():
    data = b"code;nom\n" + b"26113;Die\n" * (20 * 1024 * 1024 // 10)
    assert len(data) > MAX_BYTES
    with pytest.raises(SentiersError, match="trop volumineux"):
        read_upload(data, "gros.csv")


def test_no_recognisable_column():
    frame = read_upload(b"a;b\n1.5;x y z !\n2.5;?\n", "x.csv")
    with pytest.raises(SentiersError, match="Aucune colonne reconnue"):
        guess_columns(frame)


def test_column_guess_from_headers_and_content():
    frame = pd.DataFrame({"Code INSEE": ["26113"], "Nom": ["Die"]})
    assert guess_columns(frame) == ColumnChoice(kind="code", column="Code INSEE")
    frame = pd.DataFrame({"Commune": ["Die"], "Dép.": ["26"]})
    assert guess_columns(frame) == ColumnChoice(kind="name", column="Commune", departement="Dép.")
    frame = pd.DataFrame({"cp": ["26150"]})
    assert guess_columns(frame).kind == "postal"
    frame = pd.DataFrame({"x": ["26113", "01001", "2A004"]})
    assert guess_columns(frame) == ColumnChoice(kind="code", column="x")
    frame = pd.DataFrame({"Ville": ["Die"], "Num": ["26"]})
    assert guess_columns(frame, ["nom:Ville", "dep:Num"]) == ColumnChoice(
        kind="name", column="Ville", departement="Num"
    )
    assert guess_columns(frame, ["Ville", "Num"]).departement == "Num"
    with pytest.raises(SentiersError, match="absente"):
        guess_columns(frame, ["Inconnue"])


def test_every_row_back_in_order_with_status(small_base):
    frame = read_upload(_csv(";", "utf-8"), "communes.csv")
    choice = guess_columns(frame)
    assert choice == ColumnChoice(kind="name", column="Commune", departement="Département")
    calls = []
    out, summary = check_frame(small_base, frame, choice, progress=lambda f, m: calls.append(f))
    assert len(out) == len(ROWS)
    assert out["Commune"].tolist() == [r[0] for r in ROWS]
    assert out[STATUS_COLUMN].tolist() == [
        "ok",
        "ambigu",
        "ok",
        "introuvable",
        "vide",  # a blank row is a row, said as such
        "invalide",
        "invalide",
        "ok",
        "ok",
    ]
    assert out["commune_code"].tolist()[:3] == ["26113", "", "65392"]
    assert out["rural"].tolist()[0] == "oui"
    assert "Saint-Martin (65" in out[CANDIDATES_COLUMN].iloc[1]
    assert "Die" in out[CANDIDATES_COLUMN].iloc[3]
    assert all(out[MESSAGE_COLUMN].iloc[i] for i in (1, 3, 4, 5))
    assert summary.rows == 9 and summary.ok == 4 and summary.ambiguous == 1
    assert summary.not_found == 1 and summary.invalid == 2 and summary.empty == 1
    assert calls and calls[-1] == 1.0


def test_code_column_with_old_codes_and_lost_zeros(small_base):
    frame = pd.DataFrame({"code": ["1001", "01330", "99999", "2A004", "abc", "1.5", "Die", "Insee 26113"]})
    out, _ = check_frame(small_base, frame, ColumnChoice(kind="code", column="code"))
    # a cell shaped as a code is an Insee code, as the column says; any other is read as the search reads it
    assert out[STATUS_COLUMN].tolist() == [
        "ok",
        "ok",
        "introuvable",
        "ok",
        "introuvable",
        "invalide",
        "ok",
        "ok",
    ]
    assert out["commune_code"].tolist() == ["01001", "01187", "", "2A004", "", "", "26113", "26113"]
    assert "changé" in out[MESSAGE_COLUMN].iloc[1]
    assert "abc" in out[MESSAGE_COLUMN].iloc[4]


def test_a_mixed_column_is_read_cell_by_cell_as_the_single_search_reads_it(small_base):
    from sentiers.base.lookup import index_for, lookup

    cells = ["Die", "26113", "01330", "26150", "cp 42100", "Dieulefit (26)", "Insee 75056", "2A004", "Dei"]
    frame = pd.DataFrame({"Lieu": cells, "Autre": ["x"] * len(cells)})
    choice = guess_columns(frame)
    assert choice == ColumnChoice(kind="name", column="Lieu")  # « Lieu » names the places
    out, summary = check_frame(small_base, frame, choice)
    index = index_for(small_base)
    single = [lookup(index, cell, with_suggestions=False) for cell in cells]
    expected = {"ok": "ok", "ambiguous": "ambigu", "not_found": "introuvable", "invalid": "invalide"}
    assert out[STATUS_COLUMN].tolist() == [expected[r.status] for r in single]
    assert out["commune_code"].tolist() == [r.codes[0] if r.status == "ok" else "" for r in single]
    assert out[STATUS_COLUMN].tolist()[:3] == ["ok", "ok", "ok"]  # a name, a code, an old code
    # 26150: the postal code of Die and the code of no commune here; « cp 42100 »: Saint-Étienne's postal code
    assert out["commune_code"].tolist()[3:5] == ["26113", "42218"]
    assert "changé" in out[MESSAGE_COLUMN].iloc[2]
    assert summary.ok == 8 and summary.not_found == 1


def test_exports_never_carry_live_formulas(small_base):
    frame = pd.DataFrame({"nom": ["=1+1", "+33 1 23", "-2", "@SUM(A1)", "Die", '=HYPERLINK("http://x")']})
    out, _ = check_frame(small_base, frame, ColumnChoice(kind="name", column="nom"))
    text = to_csv_bytes(out).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(";")[0] == "nom"
    for line in lines[1:]:
        assert not line.startswith(("=", "+", "-", "@")), line
    back = pd.read_csv(io.BytesIO(to_csv_bytes(out)), sep=";", dtype=str, encoding="utf-8-sig")
    assert back["nom"].tolist()[0] == "'=1+1"
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(out)))
    sheet = book.active
    values = [sheet.cell(row=i, column=1) for i in range(2, 8)]
    assert [c.value for c in values] == frame["nom"].tolist()  # kept as typed...
    assert all(c.data_type == "s" for c in values)  # ...but as text, never a formula
    assert [c.value for c in sheet[1]][:3] == ["nom", STATUS_COLUMN, MESSAGE_COLUMN]


def test_quoted_commas_do_not_change_the_separator():
    data = b'commune;lien\n"=HYPERLINK(""http://x"",""clic"")";Die\nDie;Crest\n'
    frame = read_upload(data, "liens.csv")
    assert list(frame.columns) == ["commune", "lien"]
    assert frame["lien"].tolist() == ["Die", "Crest"]


@pytest.mark.parametrize(
    "text", ["nom;dép\r\nDie;26\r\n", "Libellé\r\nÉvry\r\n", "Commune;Département\r\nÈze;06\r\n"]
)
def test_short_windows_1252_files(text):
    frame = read_upload(text.encode("cp1252"), "court.csv")
    lines = text.split("\r\n")
    assert list(frame.columns) == lines[0].split(";")
    assert frame.iloc[0].tolist() == lines[1].split(";")


def test_a_column_of_garbage_is_processed_fast_and_flagged(small_base):
    import time

    from sentiers.rural.batch import MAX_SUGGESTED_ROWS

    values = [f"{i} rue des Lilas, appartement {i % 7}" for i in range(3000)]
    frame = pd.DataFrame({"adresse": values})
    start = time.perf_counter()
    out, summary = check_frame(small_base, frame, ColumnChoice(kind="name", column="adresse"))
    assert time.perf_counter() - start < 20  # no close-match search for every row
    assert len(out) == 3000 and set(out[STATUS_COLUMN]) <= {"introuvable", "invalide"}
    assert "la bonne" in summary.sentence()
    assert out[CANDIDATES_COLUMN].iloc[MAX_SUGGESTED_ROWS + 10 :].eq("").all()


def test_single_column_file_keeps_cells_with_separators():
    frame = read_upload(b"commune\nDie\n;\nSaint-Martin, 65\n", "une_colonne.csv")
    assert list(frame.columns) == ["commune"]
    assert frame["commune"].tolist() == ["Die", ";", "Saint-Martin, 65"]


def test_workbook_with_title_rows_above_the_header():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Communes du programme"])
    ws.append(["Mise à jour : mars 2025"])
    ws.append([])
    ws.append(["CODGEO", "LIBGEO", "Remarque"])
    ws.append(["26113", "Die", "x"])
    ws.append(["01001", "L'Abergement-Clémenciat", ""])
    buf = io.BytesIO()
    wb.save(buf)
    frame = read_upload(buf.getvalue(), "insee.xlsx")
    assert list(frame.columns) == ["CODGEO", "LIBGEO", "Remarque"]
    assert frame["CODGEO"].tolist() == ["26113", "01001"]
    assert guess_columns(frame) == ColumnChoice(kind="code", column="CODGEO")


def test_a_formula_openpyxl_saved_without_computing_it_is_flagged():
    """openpyxl writes a formula's value as « <v /> »: no value, the cell is said, not read as empty text."""
    book = openpyxl.Workbook()
    book.active.append(["commune", "code"])
    book.active.append(['=CONCAT("D";"ie")', "26113"])
    buffer = io.BytesIO()
    book.save(buffer)
    frame = read_upload(buffer.getvalue(), "f.xlsx")
    assert frame.attrs["uncached"] == {0: ["commune"]}
