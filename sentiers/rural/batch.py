"""Batch check of a spreadsheet: read a CSV/XLSX upload, find each row's commune, add the verdict columns.

Every input row comes back, in its order, with a status (ok / ambiguous / not_found / invalid) and a
French message; nothing is dropped and nothing is guessed. Files are read defensively: size limit,
binary content refused, encodings UTF-8 / UTF-8-BOM / Windows-1252 detected, separators ; , tab.
Exports never carry live formulas: a text cell starting with = + - @ is written as text.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel

from sentiers import fr
from sentiers.base.lookup import index_for, lookup, normalise
from sentiers.errors import SentiersError
from sentiers.exports import Sheet, to_csv_bytes, to_xlsx_bytes
from sentiers.rural.verdict import VERDICT_COLUMNS, verdict_table

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 300
# what a workbook may unfold to (its XML parts, uncompressed): a few-megabyte zip never becomes gigabytes
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# close-match suggestions cost milliseconds each: given for the first distinct values not found only
MAX_SUGGESTED_ROWS = 300
STATUS_COLUMN = "statut_verification"
MESSAGE_COLUMN = "message_verification"
CANDIDATES_COLUMN = "communes_candidates"
STATUS_LABELS = {"ok": "ok", "ambiguous": "ambigu", "not_found": "introuvable", "invalid": "invalide"}
Role = Literal["code", "name", "postal", "departement"]
Progress = Callable[[float, str], None]

# header words that say what a column holds (normalised: lower case, no accents, single spaces)
_HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "code": ("code insee", "insee", "codgeo", "code commune", "cog", "depcom", "code geo", "com", "code"),
    "postal": ("code postal", "cp", "postal", "codepostal", "code_postal", "zip"),
    "departement": ("departement", "dep", "dept", "code departement", "num departement", "dpt"),
    "name": ("commune", "nom commune", "nom de la commune", "libgeo", "nom", "ville", "localite", "libelle"),
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

    def sentence(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count <= 1 else many}"

        text = (
            f"{n(self.rows, 'ligne', 'lignes')} : {n(self.ok, 'trouvée', 'trouvées')} "
            f"({n(self.rural, 'rurale', 'rurales')}), {n(self.ambiguous, 'ambiguë', 'ambiguës')}, "
            f"{n(self.not_found, 'introuvable', 'introuvables')}, {n(self.invalid, 'invalide', 'invalides')}."
        )
        if self.rows >= 10 and (self.not_found + self.invalid) > self.rows / 2:
            text += f" Plus de la moitié des lignes ne donnent rien : la colonne « {self.choice.column} » est-elle la bonne ?"
        return text


# --- reading ------------------------------------------------------------------------------------------


# encodings a French spreadsheet export can have, in order of preference
_ENCODINGS = ["utf_8", "cp1252", "utf_16", "latin_1"]


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252, detected with charset-normalizer.

    The detector is limited to the encodings French files come in: left free, it reads a short
    Windows-1252 file ("nom;dép") as Arabic or Chinese.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=_ENCODINGS).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in ("utf_8", "utf_16"):  # the full file failed UTF-8: a sample fooled the detector
        encoding = "cp1252"
    log.info("encoding detected: %s", encoding)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.01


def _sniff_separator(text: str) -> str:
    """The separator (; tab ,) whose csv-parsed field counts are the most consistent over the first lines.

    Counting is done by the csv module, so commas inside a quoted cell do not count; for a single
    column, the separator occurring least is returned so that no cell is split.
    """
    lines = [line for line in text.splitlines()[:50] if line.strip()]
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


def read_upload(data: bytes, filename: str = "") -> pd.DataFrame:
    """A CSV or XLSX upload as a frame of strings (every cell as typed, '' for empty)."""
    if not data:
        raise SentiersError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise SentiersError(
            f"Fichier trop volumineux ({len(data) / 1_048_576:.1f} Mo) : la limite est de "
            f"{MAX_BYTES // 1_048_576} Mo ({MAX_ROWS:,} lignes) ; découpez-le.".replace(",", "\u202f")
        )
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if is_zip or is_ole or filename.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        frame = _read_workbook(data)
    else:
        if _looks_binary(data):
            raise SentiersError("Ce fichier n'est ni un CSV ni un classeur XLSX lisible (contenu binaire).")
        text = _decode(data)
        sep = _sniff_separator(text)
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=True,
                on_bad_lines="error",
            )
        except (pd.errors.ParserError, ValueError, csv.Error) as exc:
            raise SentiersError(f"CSV illisible : {str(exc).splitlines()[0][:160]}") from exc
    if frame.shape[1] == 0:
        raise SentiersError("Le fichier ne contient aucune colonne.")
    if frame.shape[1] > MAX_COLUMNS:
        raise SentiersError(
            f"Trop de colonnes ({frame.shape[1]}) : {MAX_COLUMNS} au plus ; gardez les colonnes utiles."
        )
    if len(frame) > MAX_ROWS:
        raise SentiersError(f"Trop de lignes ({len(frame)}) : {MAX_ROWS} au plus ; découpez le fichier.")
    frame.columns = _unique_headers([str(c) for c in frame.columns])
    return frame.fillna("").astype(str)


def _unzipped_size(data: bytes) -> int:
    """What a zip (XLSX) says its parts unfold to; 0 when it is not a readable zip (calamine will say)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _read_workbook(data: bytes) -> pd.DataFrame:
    if data[:4] == b"PK\x03\x04" and _unzipped_size(data) > MAX_UNZIPPED_BYTES:
        raise SentiersError(
            "Classeur trop volumineux une fois décompressé : enregistrez la feuille utile en CSV ou découpez-la."
        )
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=True)
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise SentiersError(
            f"Classeur illisible ({type(exc).__name__}) : enregistrez-le en XLSX ou CSV."
        ) from exc
    rows = [r for r in rows if any(str(v).strip() for v in r)]
    if not rows:
        raise SentiersError("La première feuille du classeur est vide.")
    # title lines above the header (as in INSEE workbooks): thinner rows than the table, then the first full row
    # naming a known column is the header; a file without such title lines starts at its first row
    filled = [sum(1 for v in r if _cell_text(v)) for r in rows[:15]]
    widest = max(filled)
    start = 0
    for i, r in enumerate(rows[:15]):
        if filled[i] * 2 < widest:
            continue  # a title line
        if any(_header_role(_cell_text(v)) for v in r if _cell_text(v)):
            start = i
        break
    header = [_cell_text(v) or f"colonne_{i + 1}" for i, v in enumerate(rows[start])]
    body = [[_cell_text(v) for v in r] + [""] * (len(header) - len(r)) for r in rows[start + 1 :]]
    return pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=str)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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


def guess_columns(frame: pd.DataFrame, wanted: list[str] | None = None) -> ColumnChoice:
    """Which columns to read: the ones asked for (``role:column`` or plain names), else recognised headers."""
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
    return _choice_from_roles(roles, from_user=False, columns=columns)


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
    roles: dict[str, str], from_user: bool, columns: list[str] | None = None
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
        f"{shown} ; choisissez-la (--column NOM)."
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
    for i, (value, dep) in enumerate(zip(values, deps, strict=True)):
        key = (value, dep)
        found: tuple[str, str, str | None, str] | None = cache.get(key)
        if found is None:
            try:
                result = lookup(
                    index,
                    value,
                    kind=choice.kind,
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
        rural=int((verdicts["rural"] == "oui").sum()),
        choice=choice,
    )
    return out, summary


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
