"""French formatting for everything a person reads: numbers, dates, plurals, names, quoted user text.

One place, so that a figure reads the same in a page, a fiche, a PDF and an export: thin no-break space
between thousands, decimal comma, "—" for a missing value, « 12 mars 2021 » for a date.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from typing import Any

NBSP = "\u202f"  # narrow no-break space: thousands separator and before % ‰
MISSING = "—"
_TIGHT_UNITS = ("%", "‰", "%/an")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def is_missing(value: Any) -> bool:
    """None, NaN, pandas NA/NaT and infinities are missing."""
    if value is None:
        return True
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT", "nan")
    return not math.isfinite(number)


def clean(value: Any) -> Any:
    """The value, or None when it is missing (None, NaN, pandas NA): what a model field receives."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    pd = sys.modules.get("pandas")  # a pandas NA can only come from a loaded pandas: never import it here
    if pd is not None:
        try:
            if pd.isna(value):
                return None
        except (TypeError, ValueError):
            pass
    return value


def number(value: Any, decimals: int = 0, unit: str = "") -> str:
    """« 4 844 », « 20,1 % », « 1,24 pour 1 000 hab. »; "—" when missing."""
    if is_missing(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if text.startswith("-") and set(text[1:]) <= set("0," + NBSP):
        text = text[1:]  # no "-0,0"
    if not unit:
        return text
    if unit in _TIGHT_UNITS:
        return f"{text}{NBSP}{unit}"
    return f"{text} {unit}"


def integer(value: Any) -> str:
    """« 34 875 »; "—" when missing."""
    return number(value, 0)


def either(items: list[str] | tuple[str, ...]) -> str:
    """« .csv ou .xlsx », « .html, .pdf ou .xlsx »."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " ou " + items[-1]


def plural(count: int, one: str, many: str | None = None) -> str:
    """« 1 commune », « 3 communes », « 0 commune » (French: 0 and 1 take the singular)."""
    word = one if abs(count) < 2 else (many or one + "s")
    return f"{integer(count)} {word}"


def date(iso: str) -> str:
    """'2021-03-12' -> '12 mars 2021' ('1er' for the first); anything else comes back unchanged."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", str(iso).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return str(iso)
    day = int(match.group(3))
    return f"{'1er' if day == 1 else day} {_MONTHS[int(match.group(2)) - 1]} {match.group(1)}"


def date_time(iso: str) -> str:
    """'2025-12-07T14:32:05+00:00' -> '7 décembre 2025 à 14 h 32 (UTC)' (a date alone when there is no time).
    The base's and the updates' times are written in UTC."""
    text = date(iso)
    clock = str(iso)[11:16]
    if len(clock) == 5 and clock[2] == ":" and text != str(iso):
        text += f" à {int(clock[:2])} h {clock[3:]} (UTC)"
    return text


def of_name(name: str) -> str:
    """French "de" before a name: « de Die », « d'Orée d'Anjou », « du Mans », « des Mureaux »."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1].upper() in "AEIOUYÉÈÊÀÂÎÔH" and not name.startswith("L'") and not name.startswith("La "):
        return "d'" + name
    return "de " + name


def named_codes(codes: Any, names: Any) -> str:
    """« Celles (15031), Chalinargues (15035) »: commune codes as a person reads them (``names``: code -> name;
    a code without a name stays alone)."""
    return ", ".join(f"{names[c]} ({c})" if names.get(c) else str(c) for c in codes)


def printable(text: Any, limit: int = 60) -> str:
    """User text fit to echo in a one-line message: control characters as spaces, long text cut with "…"."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(text))
    cleaned = " ".join(cleaned.split()) if cleaned.strip() != cleaned or "  " in cleaned else cleaned
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def visible(text: Any, limit: int = 80) -> str:
    """User text fit to echo in a message, shown as typed: control, format and line-separator characters
    (ESC, NUL, newlines, bidi overrides, bytes that were not UTF-8) written as escapes (``\\x1b``,
    ``\\n``, ``\\u202e``, ``\\xff``), text longer than ``limit`` cut with "…"."""
    pieces: list[str] = []
    for ch in str(text)[: limit + 1]:  # every character shows as one or more: no need to read further
        if "\udc80" <= ch <= "\udcff":  # a byte that was not UTF-8, as Python's surrogateescape keeps it
            pieces.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"):
            pieces.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            pieces.append(ch)
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept, size = [], 0
    for piece in pieces:  # cut between characters, never inside an escape
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "…"


def quoted(text: Any, limit: int = 80) -> str:
    """« text » with :func:`visible` applied (escaped, cut near ``limit``): how a message echoes what a person
    typed or a file held, never its raw control characters nor a 100,000-character parameter."""
    return f"« {visible(text, limit)} »"


def file_stem(name: Any, limit: int = 40) -> str:
    """A name fit for a file name: « Saint-Étienne-de-Tinée » -> « saint-etienne-de-tinee » (ASCII, dashes)."""
    text = unicodedata.normalize("NFKD", str(name).replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    stem = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")
    return stem or "territoire"


def frame_text(frame: Any, decimals: dict[str, int] | None = None, default: int = 1) -> Any:
    """A copy of a table for reading on a page: every number as French text (« 4 844 », « 20,1 »).

    Whole-number columns lose their ".0", others keep ``decimals[column]`` (``default`` otherwise); years and
    codes (columns whose name says so) are written without a thousands separator. Text columns are unchanged.
    """
    import pandas as pd

    decimals = decimals or {}
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        values = pd.to_numeric(series, errors="coerce")
        whole = bool(((values.dropna() % 1) == 0).all())
        digits = 0 if whole and column not in decimals else decimals.get(str(column), default)
        words = ("année", "annee", "code", "millésime", "rang", "création", "siren", "siret")
        plain = any(word in str(column).lower() for word in words)
        out[column] = [
            MISSING if is_missing(v) else (str(int(v)) if plain and whole else number(v, digits))
            for v in values
        ]
    return out
