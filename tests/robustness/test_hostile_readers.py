"""Hostile files through every reader of user files (issue 17): bombs refused in French, rows never lost.

Each bomb runs in a subprocess under a memory limit (RLIMIT_AS) and a timeout, so that a regression (calamine
allocating 16,384 × 1,048,576 cells, an alias bomb unfolding, a FIFO blocking) fails the test instead of taking
the machine down. The files come from tests/hostile.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sentiers.errors import SentiersError
from sentiers.rural.batch import (
    MESSAGE_COLUMN,
    STATUS_COLUMN,
    ColumnChoice,
    check_frame,
    guess_columns,
    read_upload,
)
from tests import hostile
from tests.rural.small_base import make_base

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1_500_000_000
TIMEOUT = 120

RUNNER = textwrap.dedent(
    """
    import io, json, resource, sys, zipfile
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    entry, name = sys.argv[2], sys.argv[3]
    from tests import hostile
    from sentiers.errors import SentiersError
    make, filename = hostile.ALL[name]
    data = make()
    try:
        if entry == "batch":
            from sentiers.rural.batch import read_upload
            result = f"{len(read_upload(data, filename))} lignes"
        elif entry == "mapping":
            from sentiers.events.registrations import parse_mapping
            result = repr(parse_mapping(data, filename))
        elif entry == "profile_cell":
            from sentiers.events.registrations import profile_loader
            result = repr(profile_loader({filename: data})(filename))
        elif entry == "project":
            from sentiers.study.project import read_project
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("profil.yaml", data)
                archive.writestr("etude.json", json.dumps({"format": "sentiers-etude", "format_version": 1}))
                archive.writestr("manifeste.json", "{}")
            result = repr(read_project(buffer.getvalue()))
        else:
            raise SystemExit(f"unknown entry {entry}")
    except SentiersError as exc:
        print(json.dumps({"refused": str(exc)}))
    else:
        print(json.dumps({"read": result[:200]}))
    """
)


def run_hostile(entry: str, name: str, limit: int = MEMORY_LIMIT) -> dict[str, str]:
    """One hostile file through one entry point, in a child process under ``limit`` bytes of address space."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(limit), entry, name],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_french(message: str) -> None:
    assert message and "\n" not in message and len(message) < 400, message
    for english in ("Error", "error", "Traceback", "invalid", "Exceeds"):
        assert english not in message, message


TABLE_BOMBS = {
    "xlsx_dimension_bomb": "Trop de colonnes",
    "xlsx_dimension_bomb_prefixed": "Trop de colonnes",
    "xlsx_zip_bomb": "décompressé",
    "xlsx_lying_zip_bomb": "décompressé",
    "xlsx_shared_strings_bomb": "textes partagés",
    "xlsx_wide": "Trop de colonnes",
    "ods_repeat_bomb": "XLSX ou en CSV",
    "xls_ole": "XLSX ou en CSV",
    "csv_million_columns": "Trop de colonnes",
    "csv_many_rows": "Trop de lignes",
}


@pytest.mark.parametrize("name", list(TABLE_BOMBS))
def test_table_bombs_are_refused_in_french_under_a_memory_limit(name):
    """Before: the dimension bomb and the ODS bomb aborted the process (calamine: 512 GiB), the lying zip bomb
    was read whole (headers trusted), the million columns went to pandas; the shared-strings bomb took 1 GB
    and aborted under this limit."""
    answer = run_hostile("batch", name)
    assert "refused" in answer, answer
    assert TABLE_BOMBS[name] in answer["refused"], answer
    assert_french(answer["refused"])


DOCUMENT_ENTRIES = [  # a profile named in a list is read by the profile's own bounded reader
    ("profile_cell", "yaml_alias_bomb", "références YAML (alias"),
    ("profile_cell", "yaml_deep", "imbriqué"),
    ("profile_cell", "json_deep", "imbriqué"),
    ("profile_cell", "yaml_long_integer", "nombre"),
    ("mapping", "yaml_alias_bomb", "références YAML"),
    ("mapping", "yaml_deep", "colonnes"),
    ("project", "yaml_alias_bomb", "références YAML"),
    ("project", "yaml_deep", "profil.yaml"),
]


@pytest.mark.parametrize(("entry", "name", "expected"), DOCUMENT_ENTRIES)
def test_document_bombs_are_refused_in_french_under_a_memory_limit(entry, name, expected):
    """Before: a profile named in the structures' list holding the alias bomb took 2.5 GB and 28 s, then
    MemoryError (the profile's validation walked 387 million strings); a 5,000-digit number was a ValueError."""
    answer = run_hostile(entry, name)
    assert "refused" in answer, answer
    assert expected in answer["refused"], answer
    assert_french(answer["refused"])


# --- paths: only regular files, read bounded ------------------------------------------------------------------


def _cli(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    env = {**os.environ, "SENTIERS_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sentiers", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=home,
        env=env,
        preexec_fn=limit,
    )


def _one_french_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return lines[0]


def test_batch_of_dev_zero_stops_at_once(tmp_path):
    """Before: read_bytes() of /dev/zero ran until the memory was gone (a traceback, exit 1)."""
    line = _one_french_line(
        _cli(["rural", "--batch", "/dev/zero", "-o", str(tmp_path / "out.csv")], tmp_path)
    )
    assert "pas un fichier ordinaire" in line


def test_batch_of_a_fifo_does_not_hang(tmp_path):
    """Before: opening the FIFO blocked forever (no writer)."""
    fifo = tmp_path / "liste.csv"
    os.mkfifo(fifo)
    try:
        done = _cli(["rural", "--batch", str(fifo), "-o", str(tmp_path / "out.csv")], tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("sentiers rural --batch on a FIFO hung")
    assert "pas un fichier ordinaire" in _one_french_line(done)


def test_read_path_bounds(tmp_path):
    from sentiers.upload import read_path

    with pytest.raises(SentiersError, match="introuvable"):
        read_path(tmp_path / "absent.csv")
    with pytest.raises(SentiersError, match="dossier"):
        read_path(tmp_path)
    big = tmp_path / "gros.csv"
    big.write_bytes(b"x" * 2_000)
    with pytest.raises(SentiersError, match="trop volumineux"):
        read_path(big, max_bytes=1_000)
    assert read_path(big, max_bytes=2_000) == b"x" * 2_000


# --- rows: every input row back, in order, cells as typed -----------------------------------------------------


@pytest.fixture(scope="module")
def small_base():
    return make_base()


def _check(base, data: bytes, name: str, choice: ColumnChoice | None = None) -> tuple[pd.DataFrame, object]:
    frame = read_upload(data, name)
    return check_frame(base, frame, choice or guess_columns(frame))


def test_a_file_without_a_header_keeps_its_first_commune(small_base):
    """Before: « Die;26113 » became the header and Die was lost."""
    out, summary = _check(small_base, hostile.headerless_csv(), "sans-entete.csv")
    assert len(out) == 3
    assert out.iloc[0, :2].tolist() == ["Die", "26113"]
    assert out["commune_code"].tolist() == ["26113", "26114", "75056"]
    assert summary.headerless and "pas de ligne d'en-tête" in summary.sentence()


def test_a_column_of_names_without_a_header_keeps_its_first_commune(small_base):
    """Before: « Die » was the column's name and only the two other rows were checked."""
    out, summary = _check(small_base, hostile.headerless_names_csv(), "noms.csv")
    assert out.iloc[:, 0].tolist() == ["Die", "Dieulefit", "Paris"]
    assert out[STATUS_COLUMN].tolist() == ["ok", "ok", "ok"]
    assert summary.rows == 3


def test_a_real_header_is_still_a_header(small_base):
    out, summary = _check(small_base, b"Commune\r\nDie\r\nParis\r\n", "liste.csv")
    assert list(out.columns)[0] == "Commune" and len(out) == 2 and not summary.headerless


def test_blank_lines_come_back_as_rows(small_base):
    """Before: blank lines were dropped, so row N of the answer was no longer line N of the file."""
    out, summary = _check(small_base, hostile.csv_blank_lines(), "vides.csv")
    assert out["commune"].tolist() == ["Die", "", "Dieulefit", "", "   ", "Paris"]
    assert out[STATUS_COLUMN].tolist() == ["ok", "vide", "ok", "vide", "vide", "ok"]
    assert (out.loc[out[STATUS_COLUMN] == "vide", MESSAGE_COLUMN] == "Ligne vide.").all()
    assert summary.empty == 3 and "3 vides" in summary.sentence()


def test_formula_cells_without_a_value_are_said_not_dropped(small_base):
    """Before: rows 2 and 4 (formulas saved without their value) vanished: 1 row instead of 3."""
    choice = ColumnChoice(kind="name", column="commune")
    out, summary = _check(small_base, hostile.xlsx_formula_no_cache(), "formules.xlsx", choice)
    assert len(out) == 3
    assert out["commune"].tolist() == ["", "Dieulefit", ""]
    assert out[STATUS_COLUMN].tolist() == ["invalide", "ok", "invalide"]
    assert "formule sans valeur" in out[MESSAGE_COLUMN].iloc[0]
    assert "enregistrez-le" in out[MESSAGE_COLUMN].iloc[2]
    assert summary.rows == 3


def test_a_formula_outside_the_checked_column_is_said_beside_the_verdict(small_base):
    frame = read_upload(hostile.xlsx_formula_no_cache(), "formules.xlsx")
    out, _ = check_frame(small_base, frame, ColumnChoice(kind="code", column="code"))
    assert out[STATUS_COLUMN].tolist() == ["invalide", "ok", "ok"]
    assert "formule sans valeur" in out[MESSAGE_COLUMN].iloc[2] and "commune" in out[MESSAGE_COLUMN].iloc[2]


def test_mixed_encodings_are_decoded_line_by_line():
    """Before: the whole file was read as Windows-1252 and the UTF-8 line became « Ã‰vry-Courcouronnes »."""
    frame = read_upload(hostile.mixed_encoding_csv(), "encodages.csv")
    assert frame["commune"].tolist() == ["Évry-Courcouronnes", "Évry-Courcouronnes", "Die"]
    assert frame["note"].tolist() == ["é en UTF-8", "é en Windows-1252", "sans accent"]


def test_utf16_text_from_excel_is_read():
    """Before: refused as binary (its NUL bytes)."""
    frame = read_upload(hostile.utf16_bom_csv(), "texte-unicode.txt")
    assert list(frame.columns) == ["Commune", "Département"]
    assert frame.values.tolist() == [["Évry-Courcouronnes", "91"], ["Die", "26"]]


def test_cells_come_back_exactly_as_typed(small_base):
    data = hostile.xlsx_from_rows([["commune", "note"], ["  Die ", " a  b "], ["Paris", "=1+1"]])
    out, _ = _check(small_base, data, "tel-quel.xlsx")
    assert out["commune"].tolist() == ["  Die ", "Paris"]
    assert out["note"].tolist() == [" a  b ", "=1+1"]
    assert out[STATUS_COLUMN].tolist() == ["ok", "ok"]
    out, _ = _check(small_base, b"commune;note\r\n Die ;x \r\n", "tel-quel.csv")
    assert out["commune"].tolist() == [" Die "] and out["note"].tolist() == ["x "]


def test_blank_rows_inside_a_workbook_are_rows():
    frame = read_upload(hostile.xlsx_from_rows([["commune"], ["Die"], [""], ["Paris"]]), "vides.xlsx")
    assert frame["commune"].tolist() == ["Die", "", "Paris"]


def test_a_registration_list_keeps_its_line_numbers_past_blank_lines(small_base):
    """Blank lines are rows for the Rencontres lists too: a rejected row names the line of the file."""
    from sentiers.events.registrations import guess_mapping, read_territories

    data = "nom;territoire;défis\r\nA;Die;Engagement citoyen\r\n\r\nB;Zzzz;Engagement citoyen\r\n".encode()
    frame = read_upload(data, "territoires.csv")
    result = read_territories(small_base, frame, guess_mapping("territoires", list(frame.columns)))
    lines = {r.line: r.reason for r in result.rejected}
    assert lines[3] == "ligne vide" and 4 in lines
    assert len(result.accepted) + len(result.rejected) == 3


# --- the shared YAML / JSON reader ------------------------------------------------------------------------------


def test_safe_yaml_refuses_aliases_depth_and_long_numbers():
    from sentiers.safe_yaml import DocumentError, load_document, load_json, load_yaml

    assert load_yaml("a: [1, 2]\nb: {c: d}\n", "x") == {"a": [1, 2], "b": {"c": "d"}}
    assert load_json('{"a": [1, 2.5]}', "x") == {"a": [1, 2.5]}
    for text, why in (
        ("a: &x [1]\nb: *x\n", "références YAML"),
        ("a: " + "[" * 20 + "]" * 20, "trop imbriqué"),
        ("a: [unclosed", "pas un YAML valide"),
        ("a: !!python/object:os.system x", "pas un YAML valide"),
        ("a: " + "9" * 5000, "nombre"),
    ):
        with pytest.raises(DocumentError, match=why):
            load_yaml(text, "profil.yaml")
    for text, why in (
        ('{"a": NaN}', "NaN"),
        ("[" * 20 + "]" * 20, "trop imbriqué"),
        ("[1, 2", "pas un JSON"),
    ):
        with pytest.raises(DocumentError, match=why):
            load_json(text, "profil.json")
    with pytest.raises(DocumentError, match="trop grand"):
        load_document(b"a: b\n" * 1000, "yaml", "profil.yaml", max_bytes=100)
    # a few aliases allowed (as a profile allows them): their expansion is still counted, a bomb still refused
    assert load_yaml("a: &x [1, 2]\nb: *x\n", "x", max_aliases=4) == {"a": [1, 2], "b": [1, 2]}
    with pytest.raises(DocumentError, match="trop de valeurs"):
        load_yaml(hostile.yaml_alias_bomb(), "profil.yaml", max_aliases=100, max_nodes=1_000)
    with pytest.raises(DocumentError, match="plus de 4 références"):
        load_yaml("a: &x [1]\n" + "".join(f"b{i}: *x\n" for i in range(5)), "profil.yaml", max_aliases=4)


def test_project_members_go_through_the_shared_reader():
    from sentiers.study.project import read_project

    buffer = __import__("io").BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("profil.yaml", hostile.yaml_alias_bomb())
        archive.writestr("etude.json", '{"format": "sentiers-etude", "format_version": 1}')
        archive.writestr("manifeste.json", "{}")
    with pytest.raises(SentiersError, match="Fichier de projet refusé : profil.yaml utilise des références"):
        read_project(buffer.getvalue())


# --- the page: a bomb uploaded on « Est-ce rural ? » is an error message, and the app keeps answering ----------

PAGE_RUNNER = textwrap.dedent(
    """
    import json, resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from streamlit.testing.v1 import AppTest
    from tests import hostile
    page, names = sys.argv[2], sys.argv[3:]
    at = AppTest.from_file(page, default_timeout=120).run()
    seen = {}
    for name in names:
        make, filename = hostile.ALL[name]
        at.file_uploader(key="rural_upload").set_value((filename, make(), "application/octet-stream")).run()
        seen[name] = {"exception": [str(e.value) for e in at.exception], "errors": [e.value for e in at.error]}
    at.file_uploader(key="rural_upload").set_value(None).run()
    at.text_input(key="rural_query").set_value("26113").run()
    page_text = "\\n".join(m.value for m in at.markdown)
    print(json.dumps({"uploads": seen, "after": "<b>Die</b> · Drôme" in page_text,
                      "exception": [str(e.value) for e in at.exception]}))
    """
)


@pytest.mark.slow
def test_the_rural_page_refuses_bombs_and_keeps_answering(embedded_home):
    """Before: the dimension bomb made calamine abort the process that serves every session (exit -6)."""
    page = ROOT / "app_pages" / "est_ce_rural.py"
    names = ["xlsx_dimension_bomb", "xlsx_lying_zip_bomb", "csv_million_columns"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SENTIERS_HOME": str(embedded_home)}
    done = subprocess.run(
        [sys.executable, "-c", PAGE_RUNNER, str(MEMORY_LIMIT), str(page), *names],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-3000:])
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    for name in names:
        seen = answer["uploads"][name]
        assert not seen["exception"], (name, seen)
        assert seen["errors"] and all(TABLE_BOMBS[name] in e for e in seen["errors"][:1]), (name, seen)
    assert answer["after"] and not answer["exception"], answer


# --- sheet layouts other than Excel's: bounded the same way ------------------------------------------------------


def test_cells_without_references_are_read_and_bounded():
    cells = [b'<c t="inlineStr"><is><t>commune</t></is></c>']
    rows = {1: cells, 2: [b'<c t="inlineStr"><is><t>Die</t></is></c>'], 3: [b"<c><f>1+1</f></c>"]}
    frame = read_upload(
        hostile.xlsx_package(hostile.sheet_xml(rows).replace(b'<row r="', b'<row x="')), "a.xlsx"
    )
    assert frame["commune"].tolist() == ["Die", ""]
    assert frame.attrs["uncached"] == {1: ["commune"]}
    wide = {1: [b"<c><v>1</v></c>"] * (hostile.MAX_COLUMNS_HINT + 1)}
    with pytest.raises(SentiersError, match="Trop de colonnes"):
        read_upload(hostile.xlsx_package(hostile.sheet_xml(wide)), "large.xlsx")


def test_a_namespace_prefix_does_not_hide_a_dimension_bomb():
    sheet = hostile.xlsx_dimension_bomb_prefixed()
    with pytest.raises(SentiersError, match="Trop de colonnes"):
        read_upload(sheet, "prefixe.xlsx")


def test_a_dtd_in_a_sheet_is_refused():
    sheet = hostile.sheet_xml({1: [hostile.inline_cell("A1", "commune")]})
    sheet = sheet.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet', 1)
    with pytest.raises(SentiersError, match="DTD"):
        read_upload(hostile.xlsx_package(sheet), "dtd.xlsx")


def test_an_unclosed_quote_is_refused_not_swallowing_the_rest():
    """A quote never closed would turn every later line into one cell: refused with its line."""
    with pytest.raises(SentiersError, match="guillemet ouvert"):
        read_upload(b'commune;note\r\n"Die;x\r\nDieulefit;y\r\nParis;z\r\n', "guillemet.csv")
    frame = read_upload(b'commune;note\r\n"Die"x;1\r\n', "guillemet.csv")  # read as a spreadsheet reads it
    assert frame.values.tolist() == [["Diex", "1"]]
