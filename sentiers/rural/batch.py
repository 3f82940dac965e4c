"""Batch check of a spreadsheet: read a CSV/XLSX upload, find each row's commune, add the verdict columns.

Every input row comes back, in its order, with a status (ok / ambiguous / not_found / invalid / empty) and a
French message; nothing is dropped and nothing is guessed: a blank row is a row (« vide »), a formula cell saved
without its value is said (« formule sans valeur »), a file whose first row is already a commune keeps it. Files
are read by the one bounded reader, :mod:`sentiers.upload` (bytes, rows, columns, cells, decompressed size and
sheet extent bounded before anything is allocated; UTF-8 / Windows-1252 line by line, UTF-16; separators ; , tab),
and the user's cells come back as typed. Exports never carry live formulas: a text cell starting with
= + - @ is written as text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel

from sentiers import fr
from sentiers.base.lookup import index_for, lookup, normalise
from sentiers.errors import SentiersError
from sentiers.exports import Sheet, to_csv_bytes, to_xlsx_bytes
from sentiers.rural.verdict import VERDICT_COLUMNS, verdict_table
from sentiers.upload import FORMULA_WITHOUT_VALUE, MAX_COLUMNS, MAX_ROWS, read_table
from sentiers.upload import MAX_BYTES as MAX_BYTES  # re-exported: the limit the pages and tests name

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

# close-match suggestions cost milliseconds each: given for the first distinct values not found only
MAX_SUGGESTED_ROWS = 300
STATUS_COLUMN = "statut_verification"
MESSAGE_COLUMN = "message_verification"
CANDIDATES_COLUMN = "communes_candidates"
STATUS_LABELS = {
    "ok": "ok",
    "ambiguous": "ambigu",
    "not_found": "introuvable",
    "invalid": "invalide",
    "empty": "vide",
}
Role = Literal["code", "name", "postal", "departement"]
Progress = Callable[[float, str], None]

# header words that say what a column holds (normalised: lower case, no accents, single spaces)
_HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "code": ("code insee", "insee", "codgeo", "code commune", "cog", "depcom", "code geo", "com", "code"),
    "postal": ("code postal", "cp", "postal", "codepostal", "code_postal", "zip"),
    "departement": ("departement", "dep", "dept", "code departement", "num departement", "dpt"),
    "name": (
        "commune",
        "nom commune",
        "nom de la commune",
        "libgeo",
        "nom",
        "ville",
        "localite",
        "libelle",
        "lieu",
        "territoire",
    ),
}


class ColumnChoice(BaseModel):
    """Which column holds what: one of code / name / postal (+ département with the name)."""

    kind: Literal["code", "name", "postal"]
    column: str
    departement: str | None = None

    def describe(self) -> str:
        what = {"code": "code Insee", "name": "nom de commune", "postal": "code postal"}[self.kind]
        text = f"{what} : colonne « {self.column} »"
        if self.departement:
            text += f", département : colonne « {self.departement} »"
        return text


class BatchSummary(BaseModel):
    rows: int
    ok: int
    ambiguous: int
    not_found: int
    invalid: int
    rural: int
    choice: ColumnChoice
    empty: int = 0
    headerless: bool = False  # the file had no header: its first row was read as a commune

    def sentence(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count <= 1 else many}"

        text = (
            f"{n(self.rows, 'ligne', 'lignes')} : {n(self.ok, 'trouvée', 'trouvées')} "
            f"({n(self.rural, 'rurale', 'rurales')}), {n(self.ambiguous, 'ambiguë', 'ambiguës')}, "
            f"{n(self.not_found, 'introuvable', 'introuvables')}, {n(self.invalid, 'invalide', 'invalides')}"
        )
        text += f", {n(self.empty, 'vide', 'vides')}." if self.empty else "."
        if self.headerless:
            text += " Le fichier n'a pas de ligne d'en-tête : sa première ligne est lue comme une commune."
        if self.rows >= 10 and (self.not_found + self.invalid) > self.rows / 2:
            text += f" Plus de la moitié des lignes ne donnent rien : la colonne « {self.choice.column} » est-elle la bonne ?"
        return text


# --- reading ------------------------------------------------------------------------------------------

# a cell that can only be a commune's code (never a column's name): a header row holding one is data
_CODE_CELL = re.compile(r"\s*(\d{5}|2[ABab]\d{3})\s*")


# a cell shaped as a code (digits, 2A/2B, dots, spaces), read with its column's kind
_CODE_SHAPE = re.compile(r"[0-9ABab. ]+")


def cell_kind(column_kind: str, value: str) -> Literal["auto", "code", "postal"]:
    """How one cell is read. In a column of names, every cell as the single search reads it (a name, an Insee
    code, an old code, a postal code, « CP 26150 »; a code that is both Insee and postal gives both readings).
    In a column of Insee or postal codes, a cell shaped as a code is read as the column says; any other cell
    (« Die », « Insee 26113 ») as the single search reads it, not refused."""
    if column_kind == "name" or not _CODE_SHAPE.fullmatch(value.strip() or "-"):
        return "auto"
    return "code" if column_kind == "code" else "postal"


def _blank(row: list[str]) -> bool:
    return not any(str(cell).strip() for cell in row)


def read_upload(data: bytes, filename: str = "") -> pd.DataFrame:
    """A CSV or XLSX upload as a frame of strings: every cell as typed ('' for empty), every row in its order.

    Read by the one bounded reader (:func:`sentiers.upload.read_table`: bytes, rows, columns, cells, what a
    workbook unfolds to). Blank rows are rows (row N of the frame is line N + 1 of a CSV with a header); title
    lines above a workbook's header are not, nor blank lines above the header. A first row holding a commune's
    code is data, not a header (columns ``colonne_1``…). ``frame.attrs``: ``uncached`` ({row position: [column]}
    of formula cells saved without a value), ``header_cells`` and ``header_known`` (whether a header cell names a
    known column), which :func:`check_frame` reads to tell a header from a first commune.
    """
    table = read_table(data, filename)
    rows = table.rows
    filled: list[int] = []  # the first rows holding something (where the header and title lines are)
    for i, row in enumerate(rows):
        if not _blank(row):
            filled.append(i)
            if len(filled) >= 15:
                break
    if not filled:
        raise SentiersError(
            "La première feuille du classeur est vide." if table.fmt == "xlsx" else "Le fichier est vide."
        )
    start = filled[0]
    if table.fmt == "xlsx":
        # title lines above the header (as in INSEE workbooks): thinner rows than the table, then the first full
        # row naming a known column is the header; a file without such title lines starts at its first row
        counts = {i: sum(1 for v in rows[i] if str(v).strip()) for i in filled[:15]}
        widest = max(counts.values())
        for i in filled[:15]:
            if counts[i] * 2 < widest:
                continue  # a title line
            if any(_header_role(str(v).strip()) for v in rows[i] if str(v).strip()):
                start = i
            break
    header_cells = [str(v) for v in rows[start]]
    header_known = any(_header_role(h.strip()) for h in header_cells if h.strip())
    headerless = not header_known and any(_CODE_CELL.fullmatch(h) for h in header_cells)
    first = start if headerless else start + 1
    body = rows[first:]
    if len(body) > MAX_ROWS:
        raise SentiersError(
            f"Trop de lignes ({fr.integer(len(body))}) : {fr.integer(MAX_ROWS)} au plus ; découpez le fichier."
        )
    width = len(header_cells)
    for row in body:  # cells beyond the header's width are kept when they hold something
        if len(row) > width and any(str(v).strip() for v in row[width:]):
            width = max(i + 1 for i, v in enumerate(row) if str(v).strip())
    if width > MAX_COLUMNS:
        raise SentiersError(
            f"Trop de colonnes ({width}) : {MAX_COLUMNS} au plus ; gardez les colonnes utiles."
        )
    names = [] if headerless else [h.strip() for h in header_cells]
    names += [""] * (width - len(names))
    columns = _unique_headers(names[:width])
    cells = [row if len(row) == width else [*row[:width], *[""] * (width - len(row))] for row in body]
    # column by column (a transposition in C): every cell is already text, as typed
    by_column = dict(zip(range(width), zip(*cells, strict=True), strict=True)) if cells else {}
    frame = pd.DataFrame({i: pd.Series(by_column.get(i, ()), dtype=object) for i in range(width)})
    frame.columns = pd.Index(columns, dtype=object)
    uncached: dict[int, list[str]] = {}
    for i, j in sorted(table.uncached):
        if i >= first and j < width:
            uncached.setdefault(i - first, []).append(columns[j])
    frame.attrs["uncached"] = uncached
    frame.attrs["header_cells"] = [] if headerless else header_cells[:width]
    frame.attrs["header_known"] = header_known
    frame.attrs["headerless"] = headerless
    return frame


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = h.strip() or f"colonne_{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}_{seen[h]}"
        else:
            seen[h] = 0
        out.append(h)
    return out


# --- column choice -------------------------------------------------------------------------------------


def _header_role(header: str) -> Role | None:
    key = normalise(header.replace("_", " "))
    order: tuple[Role, ...] = ("postal", "departement", "code", "name")
    for role in order:
        if key in _HEADER_HINTS[role]:
            return role
    for role in order:
        if any(hint in key.split() or key.startswith(hint) for hint in _HEADER_HINTS[role] if len(hint) > 3):
            return role
    return None


def _content_role(values: pd.Series) -> Role | None:
    sample = values[values.str.strip() != ""].head(200)
    if sample.empty:
        return None
    s = sample.str.strip().str.upper()
    if (s.str.fullmatch(r"\d{4,5}|2[AB]\d{3}")).mean() >= 0.8:
        return "code"
    if (s.str.fullmatch(r"\d{1,3}|2[AB]")).mean() >= 0.8:
        return "departement"
    if (s.str.contains(r"[A-ZÀ-Ÿ]{2,}", regex=True)).mean() >= 0.8 and s.str.len().mean() < 60:
        return "name"
    return None


def guess_columns(
    frame: pd.DataFrame, wanted: list[str] | None = None, how_to_choose: str = "choisissez la colonne à lire"
) -> ColumnChoice:
    """Which columns to read: the ones asked for (``role:column`` or plain names), else recognised headers.
    ``how_to_choose`` ends the message when none is recognised (the page's pickers, the command's option)."""
    columns = list(frame.columns)
    if wanted:
        roles: dict[str, str] = {}
        for item in wanted:
            role, sep, name = str(item).partition(":") if ":" in str(item) else ("", "", str(item))
            name = name.strip()
            if name not in columns:
                lowered = {c.lower(): c for c in columns}
                if name.lower() not in lowered:
                    shown = ", ".join(columns[:12])
                    raise SentiersError(f"Colonne « {name} » absente du fichier (colonnes : {shown}).")
                name = lowered[name.lower()]
            role = _role_alias(role) if sep else (_header_role(name) or _content_role(frame[name]) or "")
            if not role:
                role = "name" if "name" not in roles else "departement"
            if role == "code" and len(wanted) == 2 and "code" in roles:
                role = "departement"
            roles.setdefault(role, name)
        return _choice_from_roles(roles, from_user=True)
    roles = {}
    for name in columns:
        found = _header_role(name)
        if found and found not in roles:
            roles[found] = name
    if not any(r in roles for r in ("code", "name", "postal")):
        for name in columns:
            found = _content_role(frame[name])
            if found in ("code", "name") and found not in roles:
                roles[found] = name
    return _choice_from_roles(roles, from_user=False, columns=columns, how_to_choose=how_to_choose)


def _role_alias(role: str) -> str:
    role = normalise(role)
    aliases = {
        "code": "code",
        "insee": "code",
        "nom": "name",
        "name": "name",
        "commune": "name",
        "cp": "postal",
        "postal": "postal",
        "code postal": "postal",
        "dep": "departement",
        "departement": "departement",
    }
    if role not in aliases:
        raise SentiersError(f"Rôle de colonne « {role} » inconnu : code, nom, cp ou dep.")
    return aliases[role]


def _choice_from_roles(
    roles: dict[str, str],
    from_user: bool,
    columns: list[str] | None = None,
    how_to_choose: str = "choisissez la colonne à lire",
) -> ColumnChoice:
    dep = roles.get("departement")
    if "code" in roles:
        return ColumnChoice(kind="code", column=roles["code"])
    if "name" in roles:
        return ColumnChoice(kind="name", column=roles["name"], departement=dep)
    if "postal" in roles:
        return ColumnChoice(kind="postal", column=roles["postal"])
    if from_user and dep:
        raise SentiersError(
            "Une colonne département seule ne suffit pas : ajoutez la colonne du nom de commune."
        )
    shown = ", ".join((columns or [])[:12])
    raise SentiersError(
        "Aucune colonne reconnue (code Insee, nom de commune ou code postal) parmi : "
        f"{shown} ; {how_to_choose}."
    )


# --- checking -------------------------------------------------------------------------------------------


def check_frame(
    base: Base, frame: pd.DataFrame, choice: ColumnChoice, progress: Progress | None = None
) -> tuple[pd.DataFrame, BatchSummary]:
    """The input frame, same rows in the same order, with the status and verdict columns added."""
    index = index_for(base)
    table = verdict_table(base)
    for name in (choice.column, choice.departement):
        if name and name not in frame.columns:
            raise SentiersError(f"Colonne « {name} » absente du fichier.")
    headerless = _without_header(index, frame, choice)
    if headerless is not None:
        frame, choice = headerless
    uncached: dict[int, list[str]] = frame.attrs.get("uncached") or {}
    blank = (frame.astype(str).apply(lambda column: column.str.strip() == "")).all(axis=1).tolist()
    values = frame[choice.column].astype(str).tolist()
    deps = frame[choice.departement].astype(str).tolist() if choice.departement else [""] * len(values)
    n = len(values)
    statuses: list[str] = []
    messages: list[str] = []
    codes: list[str | None] = []
    candidates: list[str] = []
    cache: dict[tuple[str, str], tuple[str, str, str | None, str]] = {}
    suggested = 0
    step = max(n // 50, 500)
    read = {choice.column, choice.departement}
    for i, (value, dep) in enumerate(zip(values, deps, strict=True)):
        key = (value, dep)
        found: tuple[str, str, str | None, str] | None = cache.get(key)
        formulas = uncached.get(i, [])
        if blank[i] and not formulas:
            found = ("empty", "Ligne vide.", None, "")
        elif read & set(formulas):
            found = ("invalid", f"Cellule {_cells(formulas)} : {FORMULA_WITHOUT_VALUE}.", None, "")
        elif found is None:
            try:
                result = lookup(
                    index,
                    value,
                    kind=cell_kind(choice.kind, value),
                    departement=dep or None,
                    with_suggestions=suggested < MAX_SUGGESTED_ROWS,
                )
            except Exception as exc:  # one bad row must not stop the batch
                log.exception("row %d failed", i)
                result = None
                found = ("invalid", f"Ligne non traitée : {type(exc).__name__}.", None, "")
            if result is not None:
                message = " ".join(x for x in (result.message, result.note) if x)
                code = result.codes[0] if result.status == "ok" else None
                listed = ""
                if result.status == "ambiguous":
                    listed = " ; ".join(
                        f"{index.names[index.codes[c]]} ({index.departements[index.codes[c]]}, {c}, "
                        f"{_pop(index.populations[index.codes[c]])})"
                        for c in result.codes[:30]
                    )
                elif result.status == "not_found":
                    suggested += 1
                if result.status == "not_found" and result.suggestions:
                    listed = "suggestions : " + " ; ".join(
                        f"{s.name} ({s.departement}, {s.code})" for s in result.suggestions[:5]
                    )
                found = (result.status, message, code, listed)
            assert found is not None
            cache[key] = found
        statuses.append(STATUS_LABELS[found[0]])
        if formulas and found[0] not in ("invalid", "empty"):
            messages.append(f"{found[1]} Cellule {_cells(formulas)} : {FORMULA_WITHOUT_VALUE}.".strip())
        else:
            messages.append(found[1])
        codes.append(found[2])
        candidates.append(found[3])
        if progress is not None and (i % step == 0 or i == n - 1):
            progress((i + 1) / max(n, 1), f"{i + 1} / {n} lignes")
    out = frame.copy()
    out[STATUS_COLUMN] = statuses
    out[MESSAGE_COLUMN] = messages
    verdicts = table.reindex(pd.Index(codes, dtype=object))
    verdicts.index = out.index
    for column in VERDICT_COLUMNS:
        name = column if column not in out.columns else f"{column}_verdict"
        values = verdicts[column]
        if not pd.api.types.is_numeric_dtype(values):
            values = values.astype(object).where(values.notna(), "")
        out[name] = values.to_numpy()
    out[CANDIDATES_COLUMN] = candidates
    status_series = pd.Series(statuses)
    summary = BatchSummary(
        rows=n,
        ok=int((status_series == "ok").sum()),
        ambiguous=int((status_series == "ambigu").sum()),
        not_found=int((status_series == "introuvable").sum()),
        invalid=int((status_series == "invalide").sum()),
        empty=int((status_series == STATUS_LABELS["empty"]).sum()),
        rural=int((verdicts["rural"] == "oui").sum()),
        choice=choice,
        headerless=headerless is not None or bool(frame.attrs.get("headerless")),
    )
    return out, summary


def _cells(columns: list[str]) -> str:
    return ", ".join(fr.quoted(c, 40) for c in columns[:3]) + (" …" if len(columns) > 3 else "")


def _without_header(
    index: Any, frame: pd.DataFrame, choice: ColumnChoice
) -> tuple[pd.DataFrame, ColumnChoice] | None:
    """A file without a header: when no header cell names a known column and the chosen column's header cell
    names a commune (« Die »), the header row is the first row of data. Then the frame with that row put back
    first (columns ``colonne_1``…) and the choice on the renamed columns; None otherwise."""
    cells = frame.attrs.get("header_cells") or []
    if frame.attrs.get("header_known", True) or len(cells) != len(frame.columns):
        return None
    position = list(frame.columns).index(choice.column)
    dep = cells[list(frame.columns).index(choice.departement)] if choice.departement else None
    try:
        found = lookup(
            index, cells[position], kind=choice.kind, departement=dep or None, with_suggestions=False
        )
        if found.status not in ("ok", "ambiguous") and choice.kind != "name":
            found = lookup(index, cells[position], departement=dep or None, with_suggestions=False)
    except Exception:  # a header cell is user text: never let it stop the batch
        return None
    if found.status not in ("ok", "ambiguous"):
        return None
    names = [f"colonne_{i + 1}" for i in range(len(cells))]
    rename = dict(zip(frame.columns, names, strict=True))
    first = pd.DataFrame([cells], columns=names, dtype=object).astype(str)
    rest = frame.rename(columns=rename)
    out = pd.concat([first, rest], ignore_index=True)
    out.attrs = {
        "uncached": {
            i + 1: [rename[c] for c in cols] for i, (cols) in (frame.attrs.get("uncached") or {}).items()
        },
        "header_cells": [],
        "header_known": False,
        "headerless": True,
    }
    moved = ColumnChoice(
        kind=choice.kind,
        column=rename[choice.column],
        departement=rename[choice.departement] if choice.departement else None,
    )
    return out, moved


def _pop(value: int | None) -> str:
    return "population inconnue" if value is None else f"{fr.integer(value)} hab."


# --- writing --------------------------------------------------------------------------------------------


def export(frame: pd.DataFrame, fmt: str) -> bytes:
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt in ("xlsx", "xlsm"):
        return to_xlsx_bytes(Sheet("verification", frame))
    raise SentiersError(f"Format de sortie « {fmt} » non pris en charge : .csv ou .xlsx.")
