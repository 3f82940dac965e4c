"""Hostile files, generated (nothing hostile is stored in the repository): one function per kind, each returning
the bytes of a file a person could upload or pass on the command line.

Used by the reader tests (tests/robustness/test_hostile_readers.py), the benchmark of their memory
(benchmarks/bench_hostile_readers.py), and meant for the load soak and the fuzz tests: ``ALL`` maps a short name to
``(generator, file name)`` so a caller can upload each in turn.

Workbook bombs:
    xlsx_dimension_bomb      1.5 KB, cells at A1, XFD1 and A1048576 (calamine allocated 16,384 × 1,048,576 cells)
    xlsx_dimension_bomb_prefixed  the same with namespace prefixes (« <x:c r="XFD1"> »)
    xlsx_zip_bomb            a sheet that inflates to ``size`` bytes (default 300 MB) from a few hundred KB
    xlsx_lying_zip_bomb      the same, its headers declaring 1 KB per member
    xlsx_shared_strings_bomb  two cells and 39 million empty shared texts (195 MB inflated, 0.3 MB on disk)
    xlsx_wide                one row of ``columns`` cells (default the whole sheet width, 16,384)
    xlsx_formula_no_cache    formula cells saved without their value (a program that never computed them)
    xlsx_from_rows           a plain, valid workbook (inline strings) from rows of text — building block
    ods_repeat_bomb          an OpenDocument sheet repeating a cell over 16,384 columns × 1,048,576 rows
    xls_ole                  the header of an old .xls (OLE) file
CSV:
    csv_million_columns      9.9 MB, a header of a million columns
    csv_many_rows            ``rows`` one-cell rows (default one past the reader's limit)
    csv_blank_lines          blank lines between rows (row N of the answer is line N of the file)
    headerless_csv           no header: the first line is already a commune (« Die;26113 »)
    headerless_names_csv     one column of names without a header (« Die », « Dieulefit », « Paris »)
    mixed_encoding_csv       UTF-8 lines and Windows-1252 lines in one file (« Évry » both ways)
    utf16_bom_csv            Excel's « Texte Unicode »: UTF-16 LE with a BOM, tab-separated
At the limits (not hostile: the largest tables the readers accept, for their memory ceiling):
    csv_at_limits            99,000 rows × 20 columns (1.98 million cells, ~6 MB)
    xlsx_at_limits           99,000 rows × 20 columns of numbers (~5 MB)
YAML / JSON:
    yaml_alias_bomb          « billion laughs » in 354 bytes (nine levels of nine aliases; the issue's took 458)
    yaml_deep                nesting 100,000 levels deep
    json_deep                nesting 100,000 levels deep
    yaml_long_integer        an integer of 5,000 digits
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable

# --- workbooks ------------------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def inline_cell(ref: str, text: str) -> bytes:
    return b'<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
        ref.encode(),
        _escape(text),
    )


def sheet_xml(rows: dict[int, list[bytes]], dimension: str | None = None) -> bytes:
    """A worksheet from {row number: [cell XML]}."""
    body = b"".join(b'<row r="%d">' % r + b"".join(cells) + b"</row>" for r, cells in sorted(rows.items()))
    dim = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return _SHEET_HEAD + dim + b"<sheetData>" + body + b"</sheetData></worksheet>"


def xlsx_package(sheet: bytes) -> bytes:
    """A minimal valid XLSX around one worksheet's XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def xlsx_from_rows(rows: Iterable[Iterable[str]]) -> bytes:
    """A plain workbook: each row's cells as inline strings ('' leaves the cell out)."""
    cells: dict[int, list[bytes]] = {}
    for r, row in enumerate(rows, start=1):
        cells[r] = [inline_cell(f"{_column_letters(c)}{r}", v) for c, v in enumerate(row, start=1) if v != ""]
    return xlsx_package(sheet_xml(cells))


def xlsx_dimension_bomb_sheet() -> bytes:
    rows = {
        1: [inline_cell("A1", "commune"), inline_cell("XFD1", "x")],
        1_048_576: [inline_cell("A1048576", "Die")],
    }
    return sheet_xml(rows, "A1:XFD1048576")


def xlsx_dimension_bomb() -> bytes:
    """About 1.5 KB: three cells at the sheet's corners, the dimension saying the whole sheet."""
    return xlsx_package(xlsx_dimension_bomb_sheet())


MAX_COLUMNS_HINT = 300  # the readers' column limit (sentiers.upload.MAX_COLUMNS), for files just past it


def xlsx_dimension_bomb_prefixed() -> bytes:
    """The dimension bomb written with a namespace prefix (« <x:c> »), as some libraries write sheets."""
    sheet = xlsx_dimension_bomb_sheet().replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
    for tag in (b"sheetData", b"row", b"c", b"is", b"t", b"dimension"):
        sheet = sheet.replace(b"<" + tag + b" ", b"<x:" + tag + b" ").replace(
            b"<" + tag + b">", b"<x:" + tag + b">"
        )
        sheet = sheet.replace(b"</" + tag + b">", b"</x:" + tag + b">")
    sheet = sheet.replace(b"</worksheet>", b"</x:worksheet>")
    return xlsx_package(sheet)


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, compressed bytes, method, crc, declared uncompressed size) per member."""
    out = io.BytesIO()
    central = io.BytesIO()
    for name, payload, method, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(payload), size, len(encoded), 0
            )
        )
        out.write(encoded)
        out.write(payload)
        central.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(payload),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(encoded)
    start = out.tell()
    directory = central.getvalue()
    out.write(directory)
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0)
    )
    return out.getvalue()


def _deflate_stream(parts: Iterable[bytes]) -> tuple[bytes, int, int]:
    """Raw deflate of the concatenated parts: (compressed, crc32, size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunks, crc, size = [], 0, 0
    for part in parts:
        crc = zlib.crc32(part, crc)
        size += len(part)
        chunks.append(packer.compress(part))
    chunks.append(packer.flush())
    return b"".join(chunks), crc, size


def _streamed_package(members: Iterable[tuple[str, bytes | Iterable[bytes]]], lie: bool = False) -> bytes:
    """A workbook zip of deflated members, each bytes or parts streamed into the deflater (a bomb is never whole in
    memory); the minimal workbook's parts unless ``members`` replaces them; ``lie``: every header says 1,000 bytes."""
    base = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _RELS),
        ("xl/workbook.xml", _WORKBOOK),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
    ]
    given = dict(members)
    ordered = [(name, given.pop(name, content)) for name, content in base]
    ordered += list(given.items())
    out = []
    for name, content in ordered:
        packed, crc, n = _deflate_stream([content] if isinstance(content, bytes) else content)
        out.append((name, packed, 8, crc, 1000 if lie else n))
    return _raw_zip(out)


def xlsx_zip_bomb(size: int = 300 * 1024 * 1024, lie: bool = False) -> bytes:
    """A workbook whose sheet inflates to ``size`` bytes of XML (whitespace inside sheetData): ~0.3 MB per 300 MB.

    ``lie``: every header declares 1,000 bytes uncompressed (readers trusting headers see a tiny file)."""
    block = b" " * (1 << 20)
    head = _SHEET_HEAD + b"<sheetData>" + b'<row r="1">' + inline_cell("A1", "commune") + b"</row>"
    tail = b"</sheetData></worksheet>"

    def body() -> Iterable[bytes]:
        yield head
        left = size - len(head) - len(tail)
        while left > 0:
            yield block[: min(left, len(block))]
            left -= len(block)
        yield tail

    return _streamed_package([("xl/worksheets/sheet1.xml", body())], lie=lie)


def xlsx_lying_zip_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    return xlsx_zip_bomb(size, lie=True)


def xlsx_shared_strings_bomb(count: int = 39_000_000) -> bytes:
    """Two cells and a shared-string table of ``count`` empty texts (``<si/>``): 195 MB inflated, under the
    200 MB cap, ~0.3 MB on disk; calamine built every one (1 GB, an abort under a 1.5 GB limit)."""
    sheet = sheet_xml({1: [b'<c r="A1" t="s"><v>0</v></c>'], 2: [b'<c r="A2" t="s"><v>1</v></c>']})
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>commune</t></si><si><t>Die</t></si>"
    )
    block = b"<si/>" * 200_000

    def strings() -> Iterable[bytes]:
        yield head
        left = count
        while left > 0:
            yield block[: 5 * min(left, 200_000)]
            left -= 200_000
        yield b"</sst>"

    types = _CONTENT_TYPES.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = _WORKBOOK_RELS.replace(
        b"</Relationships>",
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return _streamed_package(
        [
            ("[Content_Types].xml", types),
            ("xl/_rels/workbook.xml.rels", rels),
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", strings()),
        ]
    )


def xlsx_wide(columns: int = 16_384, rows: int = 3) -> bytes:
    """``rows`` rows of ``columns`` one-letter cells (the issue's « million columns » workbook, at the sheet's width)."""
    cells = {
        r: [
            b'<c r="%s%d" t="inlineStr"><is><t>a</t></is></c>' % (_column_letters(c).encode(), r)
            for c in range(1, columns + 1)
        ]
        for r in range(1, rows + 1)
    }
    return xlsx_package(sheet_xml(cells))


def xlsx_formula_no_cache() -> bytes:
    """Header « commune;code », then: a row of formulas without values (A2, B2), a normal row, a formula row last.

    Rows 2 and 4 are the ones calamine leaves out (it reads only cells with a value)."""
    rows = {
        1: [inline_cell("A1", "commune"), inline_cell("B1", "code")],
        2: [b'<c r="A2"><f>CONCAT("D","ie")</f></c>', b'<c r="B2"><f>26000+113</f></c>'],
        3: [inline_cell("A3", "Dieulefit"), b'<c r="B3"><f>26000+114</f><v>26114</v></c>'],
        4: [b'<c r="A4" t="str"><f>"Ny"&amp;"ons"</f></c>', inline_cell("B4", "75056")],
    }
    return xlsx_package(sheet_xml(rows))


def ods_repeat_bomb() -> bytes:
    """An OpenDocument spreadsheet repeating one cell over the whole sheet (a few hundred bytes)."""
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        b'<table:table table:name="F"><table:table-row table:number-rows-repeated="1048576">'
        b'<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
        b"<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
        b"</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def xls_ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000


# --- CSV ------------------------------------------------------------------------------------------------------


def csv_million_columns(columns: int = 1_000_000) -> bytes:
    """About 9.9 MB (under the 10 MB limit): a header of a million column names, then one row."""
    header = ";".join(f"col{i:06d}" for i in range(columns))
    return (header + "\r\nDie\r\n").encode("ascii")


def csv_many_rows(rows: int = 100_001) -> bytes:
    return ("commune\r\n" + "Die\r\n" * rows).encode("ascii")


def csv_blank_lines() -> bytes:
    """Line 1 the header; lines 2..7: Die, blank, Dieulefit, blank, blank, Paris."""
    return b"commune;dep\r\nDie;26\r\n\r\nDieulefit;26\r\n;\r\n   \r\nParis;75\r\n"


def headerless_csv() -> bytes:
    """No header: name and Insee code of three communes (Die, Dieulefit, Paris)."""
    return b"Die;26113\r\nDieulefit;26114\r\nParis;75056\r\n"


def headerless_names_csv() -> bytes:
    return b"Die\r\nDieulefit\r\nParis\r\n"


def mixed_encoding_csv() -> bytes:
    """UTF-8 lines, then lines added in a Windows-1252 editor: « Évry » must stay « Évry » on both."""
    return (
        b"commune;note\r\n"
        + "Évry-Courcouronnes;é en UTF-8\r\n".encode()
        + "Évry-Courcouronnes;é en Windows-1252\r\n".encode("cp1252")
        + b"Die;sans accent\r\n"
    )


def utf16_bom_csv() -> bytes:
    """Excel's « Texte Unicode » export: UTF-16 little-endian with a BOM, tab-separated."""
    text = "Commune\tDépartement\r\nÉvry-Courcouronnes\t91\r\nDie\t26\r\n"
    return b"\xff\xfe" + text.encode("utf-16-le")


def csv_at_limits(rows: int = 99_000, columns: int = 20) -> bytes:
    header = ";".join(f"c{j}" for j in range(columns))
    line = ";".join(f"{j % 10}{j % 7}" for j in range(columns))
    return (header + "\r\n" + (line + "\r\n") * rows).encode("ascii")


def xlsx_at_limits(rows: int = 99_000, columns: int = 20) -> bytes:
    """``rows`` × ``columns`` number cells under a header row, deflated (a few MB for 3 million cells)."""
    letters = [_column_letters(c).encode() for c in range(1, columns + 1)]

    def body() -> Iterable[bytes]:
        yield _SHEET_HEAD + b"<sheetData>"
        yield (
            b'<row r="1">'
            + b"".join(inline_cell(f"{x.decode()}1", f"c{j}") for j, x in enumerate(letters))
            + b"</row>"
        )
        for r in range(2, rows + 2):
            yield (
                b'<row r="%d">' % r
                + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (x, r, j) for j, x in enumerate(letters))
                + b"</row>"
            )
        yield b"</sheetData></worksheet>"

    return _streamed_package([("xl/worksheets/sheet1.xml", body())])


# --- YAML / JSON ----------------------------------------------------------------------------------------------


def yaml_alias_bomb() -> bytes:
    """The classic « billion laughs »: nine levels of nine aliases, 9^9 strings once unfolded (354 bytes)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    # a field a profile's validation walks: 387 million strings (2.5 GB, then MemoryError, in 28 s before the fix)
    lines.append("publics: *i")
    return ("\n".join(lines) + "\n").encode()


def yaml_deep(depth: int = 100_000) -> bytes:
    return b"name: " + b"[" * depth + b"]" * depth + b"\n"


def json_deep(depth: int = 100_000) -> bytes:
    return b'{"name": ' + b"[" * depth + b"]" * depth + b"}"


def yaml_long_integer(digits: int = 5_000) -> bytes:
    return b"name: x\nweight: " + b"7" * digits + b"\n"


# --- the catalogue --------------------------------------------------------------------------------------------

ALL: dict[str, tuple[Callable[[], bytes], str]] = {
    "xlsx_dimension_bomb": (xlsx_dimension_bomb, "bombe-dimension.xlsx"),
    "xlsx_dimension_bomb_prefixed": (xlsx_dimension_bomb_prefixed, "bombe-prefixe.xlsx"),
    "xlsx_zip_bomb": (xlsx_zip_bomb, "bombe-zip.xlsx"),
    "xlsx_lying_zip_bomb": (xlsx_lying_zip_bomb, "bombe-zip-menteuse.xlsx"),
    "xlsx_shared_strings_bomb": (xlsx_shared_strings_bomb, "bombe-textes.xlsx"),
    "xlsx_wide": (xlsx_wide, "large.xlsx"),
    "xlsx_formula_no_cache": (xlsx_formula_no_cache, "formules.xlsx"),
    "ods_repeat_bomb": (ods_repeat_bomb, "bombe.ods"),
    "xls_ole": (xls_ole, "ancien.xls"),
    "csv_million_columns": (csv_million_columns, "colonnes.csv"),
    "csv_many_rows": (csv_many_rows, "lignes.csv"),
    "csv_blank_lines": (csv_blank_lines, "lignes-vides.csv"),
    "headerless_csv": (headerless_csv, "sans-entete.csv"),
    "headerless_names_csv": (headerless_names_csv, "noms-sans-entete.csv"),
    "mixed_encoding_csv": (mixed_encoding_csv, "encodages.csv"),
    "utf16_bom_csv": (utf16_bom_csv, "texte-unicode.txt"),
    "csv_at_limits": (csv_at_limits, "limites.csv"),
    "xlsx_at_limits": (xlsx_at_limits, "limites.xlsx"),
    "yaml_alias_bomb": (yaml_alias_bomb, "profil-bombe.yaml"),
    "yaml_deep": (yaml_deep, "profil-profond.yaml"),
    "json_deep": (json_deep, "profil-profond.json"),
    "yaml_long_integer": (yaml_long_integer, "profil-entier.yaml"),
}
# the ones a table reader must refuse (the others are read, their rows kept)
TABLE_BOMBS = (
    "xlsx_dimension_bomb",
    "xlsx_dimension_bomb_prefixed",
    "xlsx_zip_bomb",
    "xlsx_lying_zip_bomb",
    "xlsx_shared_strings_bomb",
    "xlsx_wide",
    "ods_repeat_bomb",
    "xls_ole",
    "csv_million_columns",
    "csv_many_rows",
)
DOCUMENT_BOMBS = ("yaml_alias_bomb", "yaml_deep", "json_deep", "yaml_long_integer")
