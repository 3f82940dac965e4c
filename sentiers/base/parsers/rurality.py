"""Rurality sources (INSEE): density grid, tables d'appartenance géographique, unités urbaines.

Every INSEE workbook here has a few title rows above the row of variable codes (CODGEO, ...); the
header row is found by looking for ``CODGEO`` in the first rows, so a release that adds or drops a
title line still reads. Workbooks are read with calamine (openpyxl cannot open some INSEE files) and
are accepted either as the xlsx itself or as the official zip that holds it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import IO

import pandas as pd
from python_calamine import CalamineWorkbook

from sentiers.base.parsers.common import check_codes, clean_codes, drop_arm, require_columns
from sentiers.base.sources import Source
from sentiers.errors import SourceError

HEADER_SCAN_ROWS = 10


def open_workbook(path: Path, source: Source) -> CalamineWorkbook:
    """The workbook itself, or the xlsx inside the official zip (named member, else the only xlsx)."""
    book: Path | IO[bytes] = path
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                if "[Content_Types].xml" not in names:  # not an xlsx itself: the official zip
                    member = source.zip_member if source.zip_member in names else None
                    books = [n for n in names if n.lower().endswith((".xlsx", ".xls"))]
                    if member is None and len(books) == 1:
                        member = books[0]
                    if member is None:
                        listing = ", ".join(names[:5]) or "vide"
                        raise SourceError(
                            source.id, f"l'archive ne contient pas le classeur attendu (contenu : {listing})"
                        )
                    book = io.BytesIO(zf.read(member))
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise SourceError(source.id, f"archive zip illisible ou tronquée ({exc})") from exc
    else:
        with open(path, "rb") as f:
            head = f.read(200).lstrip().lower()
        if head.startswith((b"<!doctype", b"<html")):
            raise SourceError(source.id, "une page HTML a été reçue à la place du classeur")
    try:
        if isinstance(book, Path):
            return CalamineWorkbook.from_path(str(book))
        return CalamineWorkbook.from_filelike(book)
    except Exception as exc:  # calamine's own error types
        raise SourceError(source.id, f"classeur illisible ({type(exc).__name__}: {str(exc)[:120]})") from exc


def read_coded_sheet(
    wb: CalamineWorkbook,
    source: Source,
    sheet: str | list[str],
    marker: str = "CODGEO",
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """A data sheet whose header is the row holding ``marker`` among the first rows.

    ``sheet`` may be a list of candidate names: the first present is read (names compared without
    case), else the first sheet whose first rows hold the marker. Columns are named by the last such
    row among the first rows (a label row may also start with the marker); empty cells are "".
    """
    candidates = [sheet] if isinstance(sheet, str) else list(sheet)
    names = list(wb.sheet_names)
    lowered = {n.strip().lower(): n for n in names}
    chosen = next((lowered[c.strip().lower()] for c in candidates if c.strip().lower() in lowered), None)
    for name in [chosen] if chosen else names:
        try:
            rows = wb.get_sheet_by_name(name).to_python()
        except Exception as exc:  # calamine's own error types
            raise SourceError(source.id, f"feuille « {name} » illisible ({type(exc).__name__})") from exc
        hits = [
            i
            for i, row in enumerate(rows[:HEADER_SCAN_ROWS])
            if any(isinstance(v, str) and v.strip() == marker for v in row)
        ]
        if not hits:
            continue
        at = hits[-1]
        header = [str(v).strip() if v != "" else f"_col{j}" for j, v in enumerate(rows[at])]
        data = [r for r in rows[at + 1 :] if any(v != "" for v in r)]
        frame = pd.DataFrame(data, columns=header)
        if columns:
            require_columns(frame, columns, source)
        return frame
    wanted = " ou ".join(f"« {s} »" for s in candidates)
    raise SourceError(
        source.id,
        f"aucune feuille {wanted} avec une ligne d'en-tête « {marker} » (feuilles : {', '.join(names)})",
    )


def _codes(frame: pd.DataFrame, source: Source, column: str = "CODGEO") -> pd.DataFrame:
    # codes stored as numbers by a re-saved workbook (1001.0) become "01001"
    frame = frame.assign(code=clean_codes(_as_code_string(frame[column])))
    frame = frame[frame["code"].notna() & (frame["code"] != "")]
    return drop_arm(check_codes(frame, source))


def _as_code_string(values: pd.Series) -> pd.Series:
    """Codes that a workbook may hold as numbers (11.0) as clean strings ("11"); missing -> ""."""
    out = values.map(
        lambda v: "" if pd.isna(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    )
    return out.astype("string").str.strip()


def _levels(values: pd.Series, source: Source, column: str) -> pd.Series:
    level = pd.to_numeric(values, errors="coerce")
    bad = level.notna() & ~level.isin(range(1, 8))
    if bad.any() or level.isna().mean() > 0.01:
        raise SourceError(source.id, f"niveaux de densité hors 1–7 dans la colonne {column}")
    return pd.array(level, dtype="Int8")


# --- density grid ---------------------------------------------------------------------------------


def _grid_frame(frame: pd.DataFrame, source: Source, level_column: str) -> pd.DataFrame:
    """code, density_level, the shares of population in the seven levels (%) and the grid's population.

    LIBGEO is not used: two communes named « Faux » are stored as booleans in the mirrored copy.
    """
    frame = _codes(frame, source)
    out = pd.DataFrame(
        {
            "code": frame["code"].to_numpy(),
            "density_level": _levels(frame[level_column], source, level_column),
        }
    )
    shares = [f"P{k}" for k in range(1, 8)]
    if all(c in frame.columns for c in shares):
        for k, column in enumerate(shares, start=1):
            out[f"density_share_{k}"] = pd.to_numeric(frame[column], errors="coerce").to_numpy()
    population = next((c for c in frame.columns if str(c).startswith("PMUN")), None)
    if population is not None:
        out["density_population"] = pd.to_numeric(frame[population], errors="coerce").to_numpy()
    return out


def parse_grid_2024(path: Path, source: Source) -> pd.DataFrame:
    """Grille communale de densité 2024 (sheet Grille_Densite): level (DENS), shares P1..P7, PMUN21."""
    wb = open_workbook(path, source)
    frame = read_coded_sheet(wb, source, "Grille_Densite", columns=["CODGEO", "DENS"])
    return _grid_frame(frame, source, "DENS")


def parse_grid_2025(path: Path, source: Source) -> pd.DataFrame:
    """Grille communale de densité 2025 (fichier_diffusion_2025.xlsx, sheet « Maille communale»).

    The 2025 file carries several groupings; the 7-level one is DENS7 (DENS when DENS7 is absent).
    """
    wb = open_workbook(path, source)
    frame = read_coded_sheet(wb, source, ["Maille communale", "Maille_communale", "Grille_Densite"])
    column = "DENS7" if "DENS7" in frame.columns else "DENS"
    require_columns(frame, ["CODGEO", column], source)
    return _grid_frame(frame, source, column)


# --- tables d'appartenance géographique -----------------------------------------------------------


def _zone_names(wb: CalamineWorkbook, source: Source) -> dict[str, dict[str, str]]:
    """{NIVGEO: {zone code: label}} from the sheet Zones_supra_communales."""
    zones = read_coded_sheet(
        wb, source, "Zones_supra_communales", marker="NIVGEO", columns=["NIVGEO", "CODGEO", "LIBGEO"]
    )
    zones = zones.assign(
        NIVGEO=zones["NIVGEO"].astype("string").str.strip(),
        CODGEO=_as_code_string(zones["CODGEO"]),
        LIBGEO=zones["LIBGEO"].astype("string").str.strip(),
    )
    return {
        str(level): dict(zip(group["CODGEO"], group["LIBGEO"], strict=True))
        for level, group in zones.groupby("NIVGEO")
    }


def parse_tagc_2024(path: Path, source: Source) -> pd.DataFrame:
    """Table d'appartenance 2024: AAV2020, UU2020, BV2022 codes with their names.

    ``aav2020`` is "" for the communes hors attraction des villes (code "000").
    """
    wb = open_workbook(path, source)
    frame = read_coded_sheet(wb, source, "COM", columns=["CODGEO", "AAV2020", "UU2020", "BV2022"])
    names = _zone_names(wb, source)
    frame = _codes(frame, source)
    out = pd.DataFrame({"code": frame["code"].to_numpy()})
    for column, level in (("aav2020", "AAV2020"), ("uu2020", "UU2020"), ("bv2022", "BV2022")):
        codes = _as_code_string(frame[level]).to_numpy()
        codes = pd.Series(codes, dtype="string")
        if column == "aav2020":
            codes = codes.where(codes != "000", "")
        out[column] = codes.fillna("").to_numpy()
        out[f"{column}_name"] = codes.map(names.get(level, {})).fillna("").astype("string").to_numpy()
    return out


def parse_tagc_2022(path: Path, source: Source) -> pd.DataFrame:
    """Table d'appartenance 2022: CATEAAV2020, TAAV2017, TUU2017 (codes as strings)."""
    wb = open_workbook(path, source)
    frame = read_coded_sheet(wb, source, "COM", columns=["CODGEO", "CATEAAV2020", "TAAV2017", "TUU2017"])
    frame = _codes(frame, source)
    return pd.DataFrame(
        {
            "code": frame["code"].to_numpy(),
            "cateaav2020": _as_code_string(frame["CATEAAV2020"]).to_numpy(),
            "taav2017": _as_code_string(frame["TAAV2017"]).to_numpy(),
            "tuu2017": _as_code_string(frame["TUU2017"]).to_numpy(),
        }
    )


def parse_uu2020(path: Path, source: Source) -> pd.DataFrame:
    """Unités urbaines 2020 (sheet Composition_communale): uu_status H/C/B/I (STATUT_2017)."""
    wb = open_workbook(path, source)
    frame = read_coded_sheet(wb, source, "Composition_communale", columns=["CODGEO", "STATUT_2017"])
    frame = _codes(frame, source)
    status = frame["STATUT_2017"].astype("string").str.strip().str.upper().fillna("")
    if not status.isin(["H", "C", "B", "I", ""]).all():
        odd = sorted(set(status) - {"H", "C", "B", "I", ""})[:3]
        raise SourceError(source.id, f"valeurs de STATUT_2017 inattendues : {odd}")
    return pd.DataFrame({"code": frame["code"].to_numpy(), "uu_status": status.to_numpy()})
