"""Reading helpers shared by the parsers: every failure becomes a SourceError naming the source."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pandas as pd

from sentiers.base.codes import ARM_PATTERN, COMMUNE_CODE_PATTERN
from sentiers.base.sources import Source
from sentiers.errors import SourceError


def open_member(path: Path, source: Source) -> IO[bytes]:
    """The file itself, or its member ``source.zip_member`` when the download is the official zip.

    An xlsx is a zip too: it is returned as is unless it holds the named member.
    """
    if source.zip_member and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                if source.zip_member in names:
                    return io.BytesIO(zf.read(source.zip_member))
                # INSEE renames members between editions (…-22_v2022-09-27.xlsx): a single file of the
                # expected kind is taken
                suffix = Path(source.zip_member).suffix.lower()
                same_kind = [n for n in names if n.lower().endswith(suffix) and not n.startswith("__MACOSX")]
                if len(same_kind) == 1 and not names[0].startswith("[Content_Types]"):
                    return io.BytesIO(zf.read(same_kind[0]))
                if source.format == "zip":
                    listing = ", ".join(zf.namelist()[:5])
                    raise SourceError(
                        source.id, f"l'archive ne contient pas « {source.zip_member} » (contenu : {listing})"
                    )
        except zipfile.BadZipFile as exc:
            raise SourceError(source.id, f"archive zip illisible ou tronquée ({exc})") from exc
    return open(path, "rb")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: Source) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, list(frame.columns)[:12]))
        raise SourceError(
            source.id, f"colonnes attendues absentes : {', '.join(missing)} (trouvées : {found})"
        )


def clean_codes(codes: pd.Series) -> pd.Series:
    """Commune codes as 5-char strings (zero-padded when a tool read them as numbers)."""
    out = codes.astype("string").str.strip()
    numeric = out.str.fullmatch(r"[0-9]{1,4}").fillna(False)
    out = out.where(~numeric, out.str.zfill(5))
    return out


def drop_arm(frame: pd.DataFrame, column: str = "code") -> pd.DataFrame:
    """Drop the arrondissements municipaux of Paris/Lyon/Marseille (their parent commune is in the file)."""
    codes = frame[column].astype("string")
    mask = codes.str.fullmatch(ARM_PATTERN).fillna(False).astype(bool)
    return frame.loc[~mask.to_numpy()].reset_index(drop=True)


def check_codes(frame: pd.DataFrame, source: Source, column: str = "code") -> pd.DataFrame:
    """Keep well-formed commune codes; fail when too many are malformed (a wrong file)."""
    ok = frame[column].astype("string").str.fullmatch(COMMUNE_CODE_PATTERN).fillna(False)
    if len(frame) and (~ok).mean() > 0.01:
        bad = frame.loc[~ok, column].head(3).tolist()
        raise SourceError(source.id, f"codes commune mal formés (par exemple {bad})")
    return frame.loc[ok].reset_index(drop=True)


def read_excel(path: Path | IO[bytes], source: Source, **kwargs) -> pd.DataFrame:
    """Read a workbook with calamine (INSEE workbooks openpyxl cannot open), errors as SourceError."""
    try:
        return pd.read_excel(path, engine="calamine", **kwargs)
    except SourceError:
        raise
    except Exception as exc:  # calamine raises its own error types
        raise SourceError(source.id, f"classeur illisible ({type(exc).__name__}: {str(exc)[:120]})") from exc


def read_csv(path: Path | IO[bytes], source: Source, **kwargs) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(source.id, f"CSV illisible ({type(exc).__name__}: {str(exc)[:120]})") from exc
