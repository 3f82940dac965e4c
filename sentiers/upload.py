"""The one bounded reader of the tables a person hands us (CSV, TXT/TSV, XLSX): a path or bytes in, rows of text out.

Everything is bounded *before* it is allocated, and anything beyond a bound is refused with a French message
(:class:`sentiers.errors.SentiersError`), never a crash of the process that serves everyone:

- a path: only a regular file (a FIFO, a device such as ``/dev/zero`` or a directory is refused on ``stat``, and
  the file is opened non-blocking and checked again on its descriptor), read for at most ``MAX_BYTES + 1`` bytes;
- bytes: ``MAX_BYTES``; rows ``MAX_ROWS``; columns ``MAX_COLUMNS``; cells ``MAX_CELLS`` (the rectangle a
  spreadsheet engine allocates, not only the cells present);
- CSV: decoded line by line (UTF-8 where a line is valid UTF-8, else Windows-1252), UTF-16 and UTF-8 with a BOM;
  separator ``;`` tab or ``,``; every record kept, blank ones included;
- XLSX: the zip's members counted, their compression method checked, and each member *inflated* here under a cap
  (``MAX_UNZIPPED_BYTES`` in all, whatever sizes the headers declare) and the shared-string table counted
  (``MAX_SHARED_STRINGS``: calamine builds every text); then the first sheet's XML is scanned as a
  stream (expat, no DTD or entity allowed) for the real extent of its cells — a 1.5 KB workbook with cells at A1,
  XFD1 and A1048576 is refused here, before python-calamine would allocate 16,384 × 1,048,576 cells — and for
  formula cells saved without a value (a program that wrote formulas without computing them: the cell is
  reported, never dropped). Only then does calamine read the values.
- ODS, XLS (the older OLE format) and XLSB are refused, with a word on saving as XLSX or CSV: their layouts can
  declare repeated rows and columns that we do not bound.

YAML and JSON documents have their own bounded reader, :mod:`sentiers.safe_yaml`.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import stat
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from sentiers import fr
from sentiers.errors import SentiersError, os_reason

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 300
# the cells a reader may hold (rows x columns of the rectangle a spreadsheet engine allocates): 100,000 rows of
# 20 columns; reading that many takes a few seconds and ~0.5 GB (RELIABILITY.md)
MAX_CELLS = 2_000_000
# what a workbook's parts may unfold to, all together, measured by inflating them (not read from the headers)
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# texts in a workbook's shared-string table: calamine keeps every one (about 26 bytes each even when empty),
# whether a cell uses it or not; a 286 KB file of 39 million empty strings took 1 GB
MAX_SHARED_STRINGS = 2_000_000
MAX_MEMBERS = 1_000
# title lines a sheet may have above its header, on top of MAX_ROWS data rows
_TITLE_ROWS = 20
_CHUNK = 1 << 20
_BOM_UTF8 = b"\xef\xbb\xbf"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "enregistrez-le en XLSX ou en CSV depuis votre tableur"
FORMULA_WITHOUT_VALUE = (
    "formule sans valeur enregistrée : ouvrez le fichier dans Excel ou LibreOffice, enregistrez-le, "
    "puis déposez-le à nouveau"
)


@dataclass
class Table:
    """Rows of text as typed ('' for an empty cell; rows may be ragged). ``uncached``: (row, column) indices of
    formula cells saved without a value (their text is '')."""

    rows: list[list[str]]
    fmt: Literal["csv", "xlsx"]
    uncached: set[tuple[int, int]] = field(default_factory=set)


def too_big(size: int | None = None, limit: int = MAX_BYTES) -> SentiersError:
    shown = f" ({size / 1_048_576:.1f} Mo)" if size else ""
    return SentiersError(
        f"Fichier trop volumineux{shown} : la limite est de {limit // 1_048_576} Mo "
        f"({fr.integer(MAX_ROWS)} lignes) ; découpez-le."
    )


def _too_many_rows(rows: int) -> SentiersError:
    return SentiersError(
        f"Trop de lignes (plus de {fr.integer(rows)}) : {fr.integer(MAX_ROWS)} au plus ; découpez le fichier."
    )


def _too_many_columns(columns: int) -> SentiersError:
    return SentiersError(
        f"Trop de colonnes ({fr.integer(columns)}) : {MAX_COLUMNS} au plus ; gardez les colonnes utiles."
    )


def _too_many_cells() -> SentiersError:
    return SentiersError(
        f"Tableau trop grand (plus de {fr.integer(MAX_CELLS)} cellules) : gardez les colonnes utiles "
        "ou découpez le fichier."
    )


# --- a path -------------------------------------------------------------------------------------------------


def read_path(path: str | Path, max_bytes: int = MAX_BYTES, what: str = "Fichier") -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` (more is refused without reading further): a missing
    file, a folder, a pipe or a device (``/dev/zero``, a FIFO that would hang) refused in French before reading."""
    path = Path(path)
    name = fr.quoted(path.name or str(path), 60)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SentiersError(f"{what} introuvable : {name}.") from None
    except OSError as exc:
        raise SentiersError(f"{what} illisible : {name} ({os_reason(exc)}).") from None
    except ValueError:  # a NUL byte in the name
        raise SentiersError(f"{what} illisible : {name} (nom de fichier invalide).") from None
    if stat.S_ISDIR(info.st_mode):
        raise SentiersError(f"{what} illisible : {name} est un dossier, pas un fichier.")
    if not stat.S_ISREG(info.st_mode):
        raise SentiersError(
            f"{what} refusé : {name} n'est pas un fichier ordinaire (tube, périphérique…) ; "
            "donnez un fichier enregistré sur le disque."
        )
    if info.st_size > max_bytes:
        raise _file_too_big(what, name, info.st_size, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SentiersError(f"{what} illisible : {name} ({os_reason(exc)}).") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped for a FIFO since the stat
            raise SentiersError(f"{what} refusé : {name} n'est pas un fichier ordinaire.")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _file_too_big(what, name, None, max_bytes)
    return data


def _file_too_big(what: str, name: str, size: int | None, limit: int) -> SentiersError:
    """The table readers' message (with their row limit) at their limit; a plain one at any other."""
    if limit == MAX_BYTES:
        return too_big(size, limit)
    return SentiersError(
        f"{what} {name} : fichier trop volumineux ({fr.number(limit / 1_000_000, 1, 'Mo')} au plus)."
    )


# --- bytes ---------------------------------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> Table:
    """A CSV or XLSX as rows of text; SentiersError (French, one line) for anything unreadable or too large."""
    if not data:
        raise SentiersError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    lower = filename.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if data[:8] == _OLE:
        raise SentiersError(
            f"Ce fichier est un ancien classeur Excel (.xls) ou un classeur protégé par mot de passe : {SAVE_AS}."
        )
    if not is_zip and lower.endswith((".xls", ".ods", ".xlsb", ".numbers")):
        raise SentiersError(
            f"Ce format de classeur (.xls, .ods, .xlsb) n'est pas pris en charge : {SAVE_AS}."
        )
    if is_zip or lower.endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    return read_csv(data)


# --- CSV -----------------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-16 / UTF-8 with a BOM; else each line as UTF-8 when it is valid UTF-8, as Windows-1252 otherwise.

    Line by line, because files are pasted together: a UTF-8 export with lines added in a Windows-1252 editor
    keeps « Évry » on both kinds of lines (a whole-file guess rewrote one kind as « Ã‰vry »).
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(_BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return "".join(_decode_line(line) for line in data.splitlines(keepends=True))


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return line.decode("cp1252")
        except (
            UnicodeDecodeError
        ):  # the five bytes Windows-1252 leaves undefined: kept as their Latin-1 letters
            return line.decode("latin_1")


def _looks_binary(text: str) -> bool:
    head = text[:8192]
    if "\x00" in head:
        return True
    controls = sum(1 for ch in head if ord(ch) < 9 or 13 < ord(ch) < 32)
    return controls > len(head) * 0.01


def sniff_separator(text: str) -> str:
    """The separator (; tab ,) whose csv-parsed field counts are the most consistent over the first lines.

    Counting is done by the csv module, so commas inside a quoted cell do not count; for a single
    column, the separator occurring least is returned so that no cell is split. Each sample line is cut
    to 64 KB (a header of a million columns is judged on its start).
    """
    lines = []
    for line in text.splitlines():
        if line.strip():
            lines.append(line[:65_536])
        if len(lines) >= 50:
            break
    if not lines:
        return ";"
    sample = "\n".join(lines)
    best, best_score = ";", (-1.0, 0)
    for sep in (";", "\t", ","):
        try:
            counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=sep) if row]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = sep, score
    if best_score[1] == 0:  # a single column: the separator that never (or least) occurs keeps cells whole
        best = min((";", "\t", ","), key=sample.count)
    return best


def read_csv(data: bytes) -> Table:
    """Every record of a CSV, blank lines included (as empty rows), bounded in rows, columns and cells."""
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    bom = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not bom and b"\x00" in data[:8192]:
        raise SentiersError("Ce fichier n'est ni un CSV ni un classeur XLSX lisible (contenu binaire).")
    text = decode_text(data)
    if _looks_binary(text):
        raise SentiersError("Ce fichier n'est ni un CSV ni un classeur XLSX lisible (contenu binaire).")
    sep = sniff_separator(text)
    if csv.field_size_limit() < MAX_BYTES + 1:  # a single cell may be as large as the file
        csv.field_size_limit(MAX_BYTES + 1)
    try:
        rows = _records(text, sep, strict=True)
    except csv.Error as exc:
        if "end of data" in str(exc):  # a quote opened and never closed: it would swallow every line after it
            raise SentiersError(
                f"CSV illisible vers la ligne {getattr(exc, 'line', '?')} : un guillemet ouvert n'est pas refermé "
                "(il avalerait toutes les lignes suivantes)."
            ) from None
        rows = _records(text, sep, strict=False)  # « "abc"def » as spreadsheets read it: abcdef
    return Table(rows=rows, fmt="csv")


def _records(text: str, sep: str, strict: bool) -> list[list[str]]:
    """Every record, bounded as it is parsed (columns of each record, cells, rows)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=strict)
    rows: list[list[str]] = []
    cells = 0
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise _too_many_columns(len(row))
            cells += max(len(row), 1)
            if cells > MAX_CELLS:
                raise _too_many_cells()
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise _too_many_rows(MAX_ROWS)
    except csv.Error as exc:
        exc.line = reader.line_num  # type: ignore[attr-defined]
        raise
    return rows


def _drop_trailing_blanks(rows: list[list[str]], keep: set[int] | None = None) -> list[list[str]]:
    """Without the blank rows after the last one holding something (``keep``: rows that count as holding)."""
    end = len(rows)
    while end and not any(str(c).strip() for c in rows[end - 1]) and (end - 1) not in (keep or ()):
        end -= 1
    return rows[:end]


# --- XLSX ----------------------------------------------------------------------------------------------------


def _unreadable(why: str) -> SentiersError:
    return SentiersError(f"Classeur illisible ({why}) : {SAVE_AS}.")


def _member_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's compressed bytes begin (after its local header)."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _unreadable("archive abîmée")
    method = int.from_bytes(header[8:10], "little")
    if method != info.compress_type:
        raise _unreadable("archive incohérente")
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    return offset + 30 + name_length + extra_length


def inflate(data: bytes, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """A member's content in chunks, inflated here: more than ``cap`` bytes is refused, whatever the header says."""
    if info.flag_bits & 0x1:
        raise SentiersError(f"Classeur protégé par mot de passe : retirez la protection ou {SAVE_AS}.")
    start = _member_start(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        size = min(info.compress_size, len(data) - start)
        if size > cap:
            raise _unzipped_too_big()
        for pos in range(start, start + size, _CHUNK):
            yield data[pos : min(pos + _CHUNK, start + size)]
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _unreadable(f"méthode de compression {info.compress_type} non prise en charge")
    view = memoryview(data)
    inflater = zlib.decompressobj(-15)
    pos, produced = start, 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk: bytes | memoryview = inflater.unconsumed_tail
            elif pos < len(data):
                chunk = view[pos : pos + _CHUNK]
                pos += _CHUNK
            else:
                raise _unreadable("archive tronquée")
            piece = inflater.decompress(chunk, _CHUNK)
            produced += len(piece)
            if produced > cap:
                raise _unzipped_too_big()
            if piece:
                yield piece
    except zlib.error:
        raise _unreadable("archive abîmée") from None


def _unzipped_too_big() -> SentiersError:
    return SentiersError(
        f"Classeur trop volumineux une fois décompressé (plus de {MAX_UNZIPPED_BYTES // 1_048_576} Mo) : "
        "enregistrez la feuille utile en CSV ou découpez-la."
    )


def _small_member(data: bytes, archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    return b"".join(inflate(data, info, 16 * 1024 * 1024))


def _no_dtd(*_: Any) -> None:
    raise SentiersError("Classeur refusé : son XML déclare des entités (DTD), ce qu'aucun tableur n'écrit.")


def _expat() -> xml.parsers.expat.XMLParserType:
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    return parser


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _first_sheet(data: bytes, archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first sheet (the one calamine reads as index 0), from workbook.xml and its rels."""
    workbook = _small_member(data, archive, "xl/workbook.xml")
    rels = _small_member(data, archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    first: list[str] = []
    targets: dict[str, str] = {}

    def on_workbook(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet" and not first:
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            first.append(rid)

    def on_rels(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    try:
        parser = _expat()
        parser.StartElementHandler = on_workbook
        parser.Parse(workbook, True)
        parser = _expat()
        parser.StartElementHandler = on_rels
        parser.Parse(rels, True)
    except xml.parsers.expat.ExpatError:
        raise _unreadable("XML abîmé") from None
    if not first or first[0] not in targets:
        return None
    target = targets[first[0]].replace("\\", "/")
    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
    parts: list[str] = []
    for part in target.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def column_number(letters: str | bytes) -> int:
    """A spreadsheet column's number from its letters: A 1, Z 26, AA 27, XFD 16,384."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    number = 0
    for ch in text.upper():
        number = number * 26 + ord(ch) - 64
    return number


_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
# cells as spreadsheets write them: « <c r="B7" ...> » (r first, a value inside) or « <c r="B7" s="3"/> » (empty)
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>/]*>')
_PLAIN_EMPTY = re.compile(rb'<c r="[A-Z]{1,3}\d{1,7}"[^>/]*/>')
_FORMULA_CELL = re.compile(
    rb"<" + _NS + rb"c\s[^>]*?\br=[\"']([A-Za-z]{1,3})(\d{1,7})[\"'][^>/]*>\s*"
    rb"<" + _NS + rb"f\b[^>]*?(?:/>|>[^<]*</" + _NS + rb"f>)\s*(<" + _NS + rb"(?:v|is)\b(?!\s*/>))?"
)
# any other layout, row by row
_ROW_ELEMENT = re.compile(rb"<" + _NS + rb"row\b([^>]*?)(?:/>|>(.*?)</" + _NS + rb"row>)", re.S)
_ROW_NUMBER = re.compile(rb"""\br\s*=\s*["'](\d{1,7})["']""")
_CELL_ELEMENT = re.compile(rb"<" + _NS + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _NS + rb"c>)", re.S)
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})(\d{1,7})?["']""")
_MAX_PENDING = 16 * 1024 * 1024


@dataclass
class SheetScan:
    """What a sheet's XML holds: the extent of its cells with a value, and its formula cells without one."""

    first_row: int = 0
    last_row: int = 0
    first_column: int = 0
    last_column: int = 0
    cells: int = 0
    uncached: list[tuple[int, int]] = field(default_factory=list)  # (row, column), 1-based

    def extend(self, low: int, high: int, left: int, right: int) -> None:
        """Widen the extent to rows low..high and columns left..right; refuse it past a bound."""
        self.first_row = low if not self.first_row else min(self.first_row, low)
        self.last_row = max(self.last_row, high)
        self.first_column = left if not self.first_column else min(self.first_column, left)
        self.last_column = max(self.last_column, right)
        width = self.last_column - self.first_column + 1
        height = self.last_row - self.first_row + 1
        if width > MAX_COLUMNS:
            raise _too_many_columns(width)
        if height > MAX_ROWS + _TITLE_ROWS:
            raise _too_many_rows(MAX_ROWS)
        if height * width > MAX_CELLS:
            raise _too_many_cells()


def _row_end(text: bytes) -> int:
    """Just after the last ``</row>`` (or ``</x:row>``) of a piece of sheet XML, -1 when it holds none (``<`` never
    appears unescaped in text, so this is always a tag)."""
    end = text.rfind(b"</row>")
    if end >= 0:
        return end + 6
    end = text.rfind(b":row>")
    if end >= 0 and text.rfind(b"</", max(0, end - 40), end) >= 0:
        return end + 5
    return -1


_SELF_CLOSED_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\s*/>")


def _has_formula(text: bytes) -> bool:
    return b"<f" in text or b":f" in text  # two finds: faster than a regular expression


def scan_sheet(chunks: Iterator[bytes]) -> SheetScan:
    """Stream a worksheet's XML and refuse it as soon as its cells pass a bound (rows, columns, cells, rectangle).

    With ``re`` at C speed (about 1 s for two million cells, no Python code per cell in the usual layout), cut
    after the last ``</row>`` of each inflated chunk so that no row straddles two pieces. Cells as spreadsheets
    write them (``<c r="B7" …>``) are counted in bulk; any other layout (no references, namespace prefixes,
    attributes in another order) is read row by row, a cell without reference taking the next column as calamine
    does. A cell without a value (``<c r="XFD1" s="3"/>``, a format only) does not count: calamine skips it. A
    formula saved without its value is listed (``uncached``): calamine skips it too, and the row would vanish.
    No DTD or entity is accepted (no spreadsheet writes one).
    """
    scan = SheetScan()
    pending = b""
    first = True
    previous_row = [0]

    def by_rows(text: bytes) -> None:
        for row in _ROW_ELEMENT.finditer(text):
            number = _ROW_NUMBER.search(row.group(1))
            r = int(number.group(1)) if number else previous_row[0] + 1
            previous_row[0] = r
            body = row.group(2)
            if not body:
                continue
            if b"r=" not in body and not _has_formula(body) and b":c" not in body:
                # cells one after the other (no references): as many columns as cells, counted in bulk
                count = body.count(b"<c>") + body.count(b"<c ") + body.count(b"<c/")
                if count:
                    scan.cells += count
                    scan.extend(r, r, 1, count)
                continue
            column = 0
            for cell in _CELL_ELEMENT.finditer(body):
                ref = _CELL_REF.search(cell.group(1))
                row_of_cell = r
                if ref:
                    column = column_number(ref.group(1).decode("ascii"))
                    if ref.group(2):
                        row_of_cell = int(ref.group(2))
                else:
                    column += 1
                content = cell.group(2) or b""
                valued = b"<v" in content or b"<is" in content or b":v" in content or b":is" in content
                formula = _has_formula(content)
                if formula and valued and b"/>" in content:  # « <v/> »: openpyxl's formula never computed
                    bare = _SELF_CLOSED_VALUE.sub(b"", content)
                    valued = b"<v" in bare or b"<is" in bare or b":v" in bare or b":is" in bare
                if column > 16_384 or row_of_cell > 1_048_576:
                    raise _unreadable("référence de cellule hors de la feuille")
                if valued or formula:
                    scan.cells += 1
                    scan.extend(row_of_cell, row_of_cell, column, column)
                if formula and not valued and len(scan.uncached) < MAX_ROWS:
                    scan.uncached.append((row_of_cell, column))

    def take(text: bytes) -> None:
        starts = text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/")
        plain = _PLAIN_CELL.findall(text)
        empty = len(_PLAIN_EMPTY.findall(text)) if b'"/>' in text else 0
        if not (len(plain) + empty == starts and b":c" not in text):
            by_rows(text)
            return
        number = _ROW_NUMBER.findall(text[text.rfind(b"<row") :]) if b"<row" in text else []
        if number:
            previous_row[0] = int(number[0])
        if not plain:
            return
        rows = [int(d) for d in set(map(itemgetter(1), plain))]  # no Python code per cell
        columns = [column_number(c.decode("ascii")) for c in set(map(itemgetter(0), plain))]
        scan.cells += len(plain)
        scan.extend(min(rows), max(rows), min(columns), max(columns))
        if _has_formula(text):
            for letters, digits, value in _FORMULA_CELL.findall(text):
                if not value and len(scan.uncached) < MAX_ROWS:
                    scan.uncached.append((int(digits), column_number(letters.decode("ascii"))))

    for chunk in chunks:
        text = pending + bytes(chunk)
        if first:
            first = False
            if b"<!DOCTYPE" in text[:4096] or b"<!ENTITY" in text[:4096]:
                raise SentiersError(
                    "Classeur refusé : son XML déclare des entités (DTD), ce qu'aucun tableur n'écrit."
                )
        cut = _row_end(text)
        if cut < 0:
            if len(text) > _MAX_PENDING:
                raise _unreadable("une ligne de la feuille est démesurée")
            pending = text
            continue
        take(text[:cut])
        pending = text[cut:]
    if pending:
        take(pending)
    return scan


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _too_many_strings() -> SentiersError:
    return SentiersError(
        f"Classeur refusé : plus de {fr.integer(MAX_SHARED_STRINGS)} textes dans sa table de textes partagés (un "
        "tableur en écrit un par texte différent) ; enregistrez la feuille utile seule, en XLSX ou CSV."
    )


def counted_shared_strings(
    chunks: Iterable[bytes], limit: int, too_many: Callable[[], Exception]
) -> Iterator[bytes]:
    """The chunks of a shared-string table passed through while its ``<si>`` entries are counted (a tag cut
    between two chunks is counted once); ``too_many()`` is raised past ``limit``, before calamine builds them.
    The reader that inflates the part anyway counts on the way, so the part is read once."""
    count = 0
    tail = b""
    for chunk in chunks:
        text = tail + chunk
        keep = max(0, len(text) - 64)  # a tag starting in the last bytes is counted with the next chunk
        count += sum(1 for m in _SHARED_STRING.finditer(text) if m.start() < keep)
        tail = text[keep:]
        if count > limit:
            raise too_many()
        yield chunk
    if count + sum(1 for _ in _SHARED_STRING.finditer(tail)) > limit:
        raise too_many()


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook, bounded before calamine allocates anything (see the module's docstring)."""
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise _unreadable("archive abîmée") from None
    with archive:
        if len(infos) > MAX_MEMBERS:
            raise _unreadable(f"plus de {MAX_MEMBERS} parties dans l'archive")
        names = {info.filename for info in infos}
        if "content.xml" in names or "mimetype" in names:
            raise SentiersError(f"Ce fichier est un classeur OpenDocument (.ods) : {SAVE_AS}.")
        if "xl/workbook.bin" in names:
            raise SentiersError(f"Ce fichier est un classeur binaire Excel (.xlsb) : {SAVE_AS}.")
        if "xl/workbook.xml" not in names:
            raise _unreadable("ce n'est pas un classeur XLSX")
        if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
            raise _unzipped_too_big()
        left = MAX_UNZIPPED_BYTES
        for info in infos:  # the real sizes: every member inflated under what is left of the cap
            pieces = inflate(data, info, left)
            if info.filename.lower().endswith("sharedstrings.xml"):
                pieces = counted_shared_strings(pieces, MAX_SHARED_STRINGS, _too_many_strings)
            left -= sum(len(piece) for piece in pieces)
        sheet = _first_sheet(data, archive)
        sheets = [sheet] if sheet in names else sorted(n for n in names if n.startswith("xl/worksheets/"))
        if not sheets:
            raise _unreadable("aucune feuille")
        scans = [scan_sheet(inflate(data, archive.getinfo(name), MAX_UNZIPPED_BYTES)) for name in sheets]
    scan = scans[0]
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_data = book.get_sheet_by_index(0)
        values = sheet_data.to_python(skip_empty_area=True)
        start = sheet_data.start
        origin = (int(start[0]), int(start[1])) if values and start else (0, 0)
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise _unreadable(type(exc).__name__) from exc
    return _grid(values, origin, scan)


def _grid(values: list[list[Any]], origin: tuple[int, int], scan: SheetScan) -> Table:
    """calamine's rectangle, placed at its origin, with the formula cells it leaves out put back (empty, flagged)."""
    top, left = origin  # 0-based
    if scan.uncached:
        top = min(top if values else 1 << 30, *(r - 1 for r, _ in scan.uncached))
        left = min(left if values else 1 << 30, *(c - 1 for _, c in scan.uncached))
    shift_rows = (origin[0] - top) if values else 0
    shift_cols = (origin[1] - left) if values else 0
    rows: list[list[str]] = [[] for _ in range(shift_rows)]
    for row in values:
        rows.append([""] * shift_cols + [v if type(v) is str else cell_text(v) for v in row])
    uncached: set[tuple[int, int]] = set()
    for r, c in scan.uncached:
        i, j = r - 1 - top, c - 1 - left
        while len(rows) <= i:
            rows.append([])
        if len(rows[i]) <= j:
            rows[i].extend([""] * (j + 1 - len(rows[i])))
        uncached.add((i, j))
    return Table(rows=_drop_trailing_blanks(rows, {i for i, _ in uncached}), fmt="xlsx", uncached=uncached)


def cell_text(value: Any) -> str:
    """A workbook cell as its text: whole numbers without « .0 » (codes typed as numbers), text untouched."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
