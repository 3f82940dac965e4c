"""The one writer of tables people open in a spreadsheet: CSV and XLSX, French, typed, never a live formula.

- No cell that came from a user, a data file or a name ever runs as a formula in Excel or LibreOffice. In a CSV,
  a text cell starting like a formula (= + - @ tab, carriage return) gets a leading apostrophe (:func:`defuse`);
  in an XLSX, every text is an inline string, which a spreadsheet never evaluates: it is kept exactly as typed.
- CSV: UTF-8 with BOM, ``;`` separated, decimal comma, whole numbers without ".0", other numbers rounded to the
  column's decimals (2 by default): what a French spreadsheet opens as numbers.
- XLSX: numbers stay numbers (typed cells): whole numbers as integers with a grouped format (« 4 844 »), others
  rounded to the column's decimals with « # ##0,00 » (the spreadsheet shows its own separators), years and codes
  without grouping (« 2023 »); text is stored inline; a header row in bold,
  optional column widths, wrapped text and a fill per cell (best/worst marks). Written directly rather than
  through openpyxl, which takes seconds for 35,000 rows; openpyxl, calamine and spreadsheets read it back.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_DECIMALS = 2
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_SHEET_NAME = 31


def defuse(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert (prefixed with ')."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and not math.isfinite(value)


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as Python values."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


# -- CSV ----------------------------------------------------------------------------------------------


def _csv_number(value: float | int, decimals: int) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{float(value):.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _csv_cell(value: Any, decimals: int) -> str:
    value = _plain(value)
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        return _csv_number(value, decimals)
    return str(defuse(str(value)))


def to_csv_bytes(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None) -> bytes:
    """CSV for French spreadsheets (see the module docstring); ``decimals`` per column name."""
    decimals = dict(decimals or {})
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(str(c), 0) for c in frame.columns])
    columns = [frame[c].astype(object).tolist() for c in frame.columns]
    digits = [decimals.get(str(c), DEFAULT_DECIMALS) for c in frame.columns]
    for row in zip(*columns, strict=True):
        writer.writerow([_csv_cell(v, d) for v, d in zip(row, digits, strict=True)])
    return out.getvalue().encode("utf-8-sig")


# -- XLSX ---------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One worksheet: a frame, and how it looks."""

    name: str
    frame: pd.DataFrame
    decimals: Mapping[str, int] = field(default_factory=dict)  # number format per column (default 2)
    widths: Mapping[str, float] = field(default_factory=dict)  # column width in characters
    wrap: bool = False  # wrap text in every body cell
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) of the body -> "#rrggbb"
    title_rows: Sequence[str] = ()  # lines written above the header (the table starts below)


class _Styles:
    """cellXfs of the workbook: (bold, number format id, wrap, fill colour) -> index."""

    def __init__(self) -> None:
        self.fills: list[str] = []
        self.formats: dict[int, int] = {}  # decimals -> numFmtId (custom from 164)
        self.xfs: list[tuple[bool, int, bool, str]] = [(False, 0, False, "")]

    def number_format(self, decimals: int, grouped: bool = True) -> int:
        """numFmtId of « # ##0,00 » (thousands grouped, ``decimals`` places), or of a plain « 0 » (years, codes)."""
        if not grouped:
            return 1  # built-in "0"
        if decimals == 0:
            return 3  # built-in "#,##0": the spreadsheet writes its own thousands separator
        if decimals not in self.formats:
            self.formats[decimals] = 164 + len(self.formats)
        return self.formats[decimals]

    def index(self, bold: bool = False, fmt: int = 0, wrap: bool = False, fill: str = "") -> int:
        key = (bold, fmt, wrap, fill.lstrip("#").upper())
        if key[3] and key[3] not in self.fills:
            self.fills.append(key[3])
        if key not in self.xfs:
            self.xfs.append(key)
        return self.xfs.index(key)

    def xml(self) -> str:
        num_fmts = "".join(
            f'<numFmt numFmtId="{fid}" formatCode="#,##0.{"0" * d}"/>' for d, fid in self.formats.items()
        )
        fills = (
            '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        )
        fills += "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor indexed="64"/></patternFill></fill>'
            for c in self.fills
        )
        xfs = []
        for bold, fmt, wrap, fill in self.xfs:
            fill_id = self.fills.index(fill) + 2 if fill else 0
            attrs = (
                f'numFmtId="{fmt}" fontId="{1 if bold else 0}" fillId="{fill_id}" borderId="0" xfId="0"'
                + (' applyNumberFormat="1"' if fmt else "")
                + (' applyFont="1"' if bold else "")
                + (' applyFill="1"' if fill else "")
            )
            if wrap:
                attrs += ' applyAlignment="1"'
            align = '<alignment wrapText="1" vertical="top"/>' if wrap else ""
            xfs.append(f"<xf {attrs}>{align}</xf>")
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (f'<numFmts count="{len(self.formats)}">{num_fmts}</numFmts>' if self.formats else "")
            + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            f'<fills count="{len(self.fills) + 2}">{fills}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def _col_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


def _xlsx_cell(
    value: Any, style: int, number_style: int, decimals: int | None = None, whole_style: int | None = None
) -> str:
    value = _plain(value)
    if _is_missing(value):
        return f"<c{_s(style)}/>"
    if isinstance(value, bool):
        return f'<c t="b"{_s(style)}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)  # 4844, never 4844.0
        if isinstance(value, float) and decimals is not None:
            value = round(value, decimals)
        chosen = whole_style if isinstance(value, int) and whole_style is not None else number_style
        return f"<c{_s(chosen or style)}><v>{value!r}</v></c>"
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    return f'<c t="inlineStr"{_s(style)}><is><t xml:space="preserve">{text}</t></is></c>'


_PLAIN_WORDS = ("année", "annee", "year", "code", "siren", "millésime", "millesime", "insee")


def _plain_number_column(column: Any) -> bool:
    """A column of years or codes: numbers written without a thousands separator (« 2023 », never « 2 023 »)."""
    name = str(column).lower()
    return any(word in name for word in _PLAIN_WORDS)


def _sheet_xml(sheet: Sheet, styles: _Styles) -> str:
    frame = sheet.frame
    bold = styles.index(bold=True)
    body = styles.index(wrap=sheet.wrap) if sheet.wrap else 0
    rows: list[str] = [f"<row>{_xlsx_cell(line, bold, 0)}</row>" for line in sheet.title_rows]
    offset = len(rows)
    rows.append("<row>" + "".join(_xlsx_cell(str(c), bold, 0) for c in frame.columns) + "</row>")
    number_styles, whole_styles = [], []
    digits_of = [sheet.decimals.get(str(c), DEFAULT_DECIMALS) for c in frame.columns]
    grouped_of = [not _plain_number_column(c) for c in frame.columns]
    for column, grouped in zip(frame.columns, grouped_of, strict=True):
        if pd.api.types.is_numeric_dtype(frame[column]) or frame[column].dtype == object:
            digits = sheet.decimals.get(str(column), DEFAULT_DECIMALS)
            number_styles.append(styles.index(fmt=styles.number_format(digits, grouped), wrap=sheet.wrap))
            whole_styles.append(styles.index(fmt=styles.number_format(0, grouped), wrap=sheet.wrap))
        else:
            number_styles.append(body)
            whole_styles.append(body)
    columns = [frame[c].astype(object).tolist() for c in frame.columns]
    fills = sheet.fills
    for r, values in enumerate(zip(*columns, strict=True)):
        cells = []
        for c, value in enumerate(values):
            fill = fills.get((r, c)) if fills else None
            if fill:
                digits = sheet.decimals.get(str(frame.columns[c]), DEFAULT_DECIMALS)
                style = styles.index(wrap=sheet.wrap, fill=fill)
                number_style = styles.index(
                    fmt=styles.number_format(digits, grouped_of[c]), wrap=sheet.wrap, fill=fill
                )
                whole_style = styles.index(
                    fmt=styles.number_format(0, grouped_of[c]), wrap=sheet.wrap, fill=fill
                )
            else:
                style, number_style, whole_style = body, number_styles[c], whole_styles[c]
            cells.append(_xlsx_cell(value, style, number_style, digits_of[c], whole_style))
        rows.append("<row>" + "".join(cells) + "</row>")
    cols = ""
    if sheet.widths:
        widths = [
            f'<col min="{i + 1}" max="{i + 1}" width="{sheet.widths[str(c)]}" customWidth="1"/>'
            for i, c in enumerate(frame.columns)
            if str(c) in sheet.widths
        ]
        cols = f"<cols>{''.join(widths)}</cols>" if widths else ""
    last = _col_name(max(len(frame.columns) - 1, 0))
    freeze = (
        f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{offset + 1}" topLeftCell="A{offset + 2}" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}{len(rows)}"/>{freeze}{cols}<sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    )


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:MAX_SHEET_NAME] or "Feuille"
    base, n = clean, 2
    while clean in used:
        suffix = f" ({n})"
        clean, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    used.add(clean)
    return clean


def to_xlsx_bytes(sheets: pd.DataFrame | Sheet | Iterable[Sheet], sheet: str = "Feuille1") -> bytes:
    """An XLSX workbook of one frame or several :class:`Sheet` (see the module docstring)."""
    if isinstance(sheets, pd.DataFrame):
        sheets = [Sheet(sheet, sheets)]
    elif isinstance(sheets, Sheet):
        sheets = [sheets]
    sheets = list(sheets)
    styles = _Styles()
    used: set[str] = set()
    names = [_sheet_name(s.name, used) for s in sheets]
    bodies = [_sheet_xml(s, styles) for s in sheets]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets))
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, name in enumerate(names)
        )
        + "</sheets></workbook>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/_rels/workbook.xml.rels", book_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/styles.xml", styles.xml())
        for i, body in enumerate(bodies):
            zf.writestr(f"xl/worksheets/sheet{i + 1}.xml", body)
    return buffer.getvalue()
