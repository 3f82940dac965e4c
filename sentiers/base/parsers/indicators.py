"""INSEE commune indicators: comparateur de territoires, Filosofi, BPE theme files, age structure.

Every INSEE commune file here lists the arrondissements municipaux of Paris, Lyon and Marseille in
addition to the three communes: the ARM rows are dropped so nothing is counted twice.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from sentiers.base.lookup import plain_spelling
from sentiers.base.parsers.common import check_codes, clean_codes, drop_arm, read_csv, require_columns
from sentiers.base.parsers.rurality import open_workbook, read_coded_sheet
from sentiers.base.sources import Source
from sentiers.errors import SourceError

# comparateur de territoires: variable of the census year yy (or of the establishments' year) -> column
COMPARATEUR = {
    "P{yy}_POP": "pop_census",
    "P{prev}_POP": "pop_census_prev",
    "P{yy}_MEN": "households",
    "P{yy}_LOG": "dwellings",
    "P{yy}_RP": "main_homes",
    "P{yy}_RSECOCC": "secondary_homes",
    "P{yy}_LOGVAC": "vacant_homes",
    "P{yy}_EMPLT": "jobs",
    "P{yy}_POP1564": "pop_15_64",
    "P{yy}_ACT1564": "active_15_64",
    "P{yy}_CHOM1564": "unemployed_15_64",
    "ETTOT{et}": "establishments",
    "SUPERF": "area_official",
}
FILOSOFI = {
    "NBMENFISC21": "fiscal_households",
    "MED21": "median_income",
    "TP6021": "poverty_rate",
    "PPEN21": "pensions_share",
}
# age structure: suffix of the P<yy>_ variable -> column
POP_AGE = {
    "POP": "pop_age_total",
    "POP0014": "pop_0_14",
    "POP1529": "pop_15_29",
    "POP6074": "pop_60_74",
    "POP65P": "pop_65_plus",
    "POP75P": "pop_75_plus",
}


def _looks_like_html(head: bytes) -> bool:
    return head.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))


def csv_member(path: Path, source: Source, pattern: str | None = None) -> IO[bytes]:
    """The CSV itself, or the data CSV inside the official zip.

    In a zip, ``source.zip_member`` is taken when present, else the one member whose name matches
    ``pattern`` (case-insensitive regex; ``meta_*`` dictionaries are skipped).
    """
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                if source.zip_member and source.zip_member in names:
                    return io.BytesIO(zf.read(source.zip_member))
                regex = re.compile(pattern or r"\.csv$", re.IGNORECASE)
                data = [
                    n
                    for n in names
                    if regex.search(n.rsplit("/", 1)[-1])
                    and not n.rsplit("/", 1)[-1].lower().startswith("meta")
                ]
                if len(data) != 1:
                    listing = ", ".join(names[:6]) or "vide"
                    wanted = source.zip_member or (pattern or "un fichier CSV")
                    raise SourceError(
                        source.id,
                        f"l'archive ne contient pas le fichier de données attendu « {wanted} » (contenu : {listing})",
                    )
                return io.BytesIO(zf.read(data[0]))
        except zipfile.BadZipFile as exc:
            raise SourceError(source.id, f"archive zip illisible ou tronquée ({exc})") from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(source.id, f"archive zip tronquée ({type(exc).__name__})") from exc
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        raise SourceError(source.id, "archive zip illisible ou tronquée")
    if _looks_like_html(raw[:200]):
        raise SourceError(source.id, "une page HTML a été reçue à la place des données")
    return io.BytesIO(raw)


def _numeric_frame(handle: IO[bytes], source: Source, mapping: dict[str, str], **kwargs) -> pd.DataFrame:
    """CODGEO + mapped numeric columns, ARM dropped, codes checked."""
    wanted = ["CODGEO", *mapping]
    frame = read_csv(
        handle,
        source,
        sep=";",
        dtype={"CODGEO": str},
        usecols=lambda c: c.strip() in wanted,
        encoding="utf-8-sig",
        encoding_errors="replace",
        **kwargs,
    )
    frame.columns = [c.strip() for c in frame.columns]
    require_columns(frame, wanted, source)
    out = pd.DataFrame({"code": clean_codes(frame["CODGEO"])})
    for column, name in mapping.items():
        out[name] = pd.to_numeric(frame[column], errors="coerce").astype(float).to_numpy()
    return drop_arm(check_codes(out, source))


def _census_years(header: list[str], prefix: str = "P", suffix: str = "_POP") -> list[str]:
    """Two-digit census years present as <prefix><yy><suffix> columns, oldest first."""
    pattern = re.compile(rf"{prefix}(\d{{2}}){re.escape(suffix)}")
    years = {m.group(1) for h in header if (m := pattern.fullmatch(h.strip()))}
    return sorted(years, key=lambda y: int(y) + (1900 if int(y) > 50 else 2000))


def parse_comparateur(path: Path, source: Source) -> pd.DataFrame:
    """Comparateur de territoires: census counts of the newest census year in the file (and the census five years
    earlier), establishments, surface; ARM dropped. The file at the official address is replaced each year by
    INSEE: the years are read from the variable names and the manifest says which ones the base holds.
    """
    handle = csv_member(path, source, r"^base_cc_comparateur.*\.csv$")
    raw = handle.read()
    header = raw.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip().split(";")
    years = _census_years(header)
    if len(years) < 2:
        found = ", ".join(header[:8])
        raise SourceError(
            source.id, f"colonnes P<aa>_POP de deux recensements attendues (trouvées : {found})"
        )
    yy, prev = years[-1], years[-2]
    establishments = _census_years(header, prefix="ETTOT", suffix="")
    et = establishments[-1] if establishments else yy
    mapping = {k.format(yy=yy, prev=prev, et=et): v for k, v in COMPARATEUR.items()}
    optional = {f"ETTOT{et}", "SUPERF"} - {h.strip() for h in header}
    for column in optional:
        mapping.pop(column, None)
    frame = _numeric_frame(io.BytesIO(raw), source, mapping)
    census, before = 2000 + int(yy), 2000 + int(prev)
    frame.attrs.update(
        vintage=f"recensement {census} (et {before}), établissements 20{et}, géographie {census + 3}",
        year=census,
        geography_year=census + 3,
    )
    return frame


def parse_filosofi_2021(path: Path, source: Source) -> pd.DataFrame:
    """Filosofi 2021 (decimal comma; 's' secret and 'nd' not available -> NaN)."""
    handle = csv_member(path, source, r"filosofi.*\.csv$")
    return _numeric_frame(handle, source, FILOSOFI, decimal=",", na_values=["s", "nd"], keep_default_na=True)


def _bpe(frame: pd.DataFrame, source: Source) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    counts = [c for c in frame.columns if c.upper().startswith("NB_")]
    if "CODGEO" not in frame.columns or not counts:
        found = ", ".join(map(str, list(frame.columns)[:8]))
        raise SourceError(
            source.id, f"colonnes CODGEO et NB_<type d'équipement> attendues (trouvées : {found})"
        )
    values = frame[counts].apply(pd.to_numeric, errors="coerce").fillna(0).round().astype(np.int64)
    values.columns = ["bpe_" + c[3:].lower() for c in counts]
    out = pd.concat([pd.DataFrame({"code": clean_codes(frame["CODGEO"])}), values], axis=1)
    return drop_arm(check_codes(out, source))


def parse_bpe_csv(path: Path, source: Source) -> pd.DataFrame:
    """BPE theme file (wide: one NB_<TYPEQU> column per equipment type) -> bpe_<typequ> counts."""
    handle = csv_member(path, source, r"^equip-.*\.csv$")
    frame = read_csv(
        handle, source, sep=";", dtype={"CODGEO": str}, encoding="utf-8-sig", encoding_errors="replace"
    )
    return _bpe(frame, source)


def parse_bpe_xlsx(path: Path, source: Source) -> pd.DataFrame:
    """BPE theme workbook (santé 2020: sheet COM, codes on row 6)."""
    wb = open_workbook(path, source)
    frame = read_coded_sheet(wb, source, "COM", columns=["CODGEO"])
    return _bpe(frame, source)


def parse_pop_age(path: Path, source: Source) -> pd.DataFrame:
    """Évolution et structure de la population (base-cc-evol-struct-pop-YYYY): age bands.

    Variables are P<yy>_POP, P<yy>_POP0014, P<yy>_POP1529, P<yy>_POP65P, P<yy>_POP75P for the
    census year of the file (P21_ for the 2021 edition); the newest year present is used.
    """
    handle = csv_member(path, source, r"^base-cc-evol-struct-pop.*\.csv$")
    raw = handle.read()
    header = raw.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip().split(";")
    years = sorted(
        {m.group(1) for h in header if (m := re.fullmatch(r"P(\d{2})_POP", h.strip()))},
        key=lambda y: int(y) + (1900 if int(y) > 50 else 2000),
    )
    if not years:
        found = ", ".join(header[:8])
        raise SourceError(source.id, f"colonne P<aa>_POP absente (trouvées : {found})")
    yy = years[-1]
    mapping = {f"P{yy}_{suffix}": name for suffix, name in POP_AGE.items()}
    return _numeric_frame(io.BytesIO(raw), source, mapping)


# BPE « dénombrement des équipements » (one long file, every type, every geographic level; nomenclature of 2023
# onwards): type of the file -> the base's column (types of the 2020-2021 theme files the catalogue reads) and
# a word its label must hold in the file's own metadata. A label that no longer says it stops the parse: the
# theme files stay in use and the mapping is reviewed, never guessed.
BPE_DENOMBREMENT: dict[str, tuple[str, str]] = {
    "B202": ("bpe_b202", "epicerie"),
    "B201": ("bpe_b201", "superette"),
    "B104": ("bpe_b101", "hypermarche"),
    "B105": ("bpe_b102", "supermarche"),
    "B207": ("bpe_b203", "boulangerie"),
    "B316": ("bpe_b316", "station-service"),
    "C107": ("bpe_c101", "maternelle"),  # école maternelle
    "C108": ("bpe_c104", "primaire"),  # école primaire (maternelle et élémentaire)
    "C109": ("bpe_c104", "elementaire"),  # école élémentaire
    "D265": ("bpe_d201", "generaliste"),
    "D281": ("bpe_d232", "infirmier"),
    "D307": ("bpe_d307", "pharmacie"),
    "D113": ("bpe_d113", "maison de sante"),
    "A206": ("bpe_a206", "bureau de poste"),
    "A207": ("bpe_a207", "relais poste"),
    "A208": ("bpe_a208", "agence postale"),
    "A203": ("bpe_a203", "banque"),
    "A504": ("bpe_a504", "restaurant"),
    "D502": ("bpe_d502", "jeune enfant"),
    "D401": ("bpe_d401", "hebergement"),  # personnes âgées : hébergement
    "E107": ("bpe_e107", "gare"),
    "E108": ("bpe_e108", "gare"),
    "E109": ("bpe_e109", "gare"),
}
# columns the theme files had and the long file has no type for (regroupements pédagogiques): zero, so a
# family's sum stays whole
BPE_DENOMBREMENT_ZERO = ("bpe_c102", "bpe_c105")
_BPE_CHUNK_ROWS = 500_000


def _bpe_member(zf: zipfile.ZipFile, source: Source, suffix: str) -> str:
    names = [n for n in zf.namelist() if re.search(rf"DS_BPE.*_{suffix}\.csv$", n, re.IGNORECASE)]
    if len(names) != 1:
        listing = ", ".join(zf.namelist()[:6]) or "vide"
        raise SourceError(
            source.id,
            f"l'archive ne contient pas le fichier DS_BPE…_{suffix}.csv attendu (contenu : {listing})",
        )
    return names[0]


def _bpe_labels(zf: zipfile.ZipFile, source: Source) -> dict[str, str]:
    """FACILITY_TYPE code -> label, from the archive's metadata file (COD_VAR;LIB_VAR;COD_MOD;LIB_MOD)."""
    with zf.open(_bpe_member(zf, source, "metadata")) as handle:
        meta = read_csv(handle, source, sep=";", dtype=str, encoding="utf-8-sig", encoding_errors="replace")
    meta.columns = [str(c).strip().upper() for c in meta.columns]
    require_columns(meta, ["COD_VAR", "COD_MOD", "LIB_MOD"], source)
    types = meta[meta["COD_VAR"].str.strip() == "FACILITY_TYPE"]
    return dict(zip(types["COD_MOD"].str.strip(), types["LIB_MOD"].fillna(""), strict=True))


def parse_bpe_denombrement(path: Path, source: Source) -> pd.DataFrame:
    """BPE « dénombrement des équipements » (DS_BPE_CSV_FR.zip): commune rows of the long file -> bpe_<type>.

    Data: ``GEO;GEO_OBJECT;FACILITY_DOM;FACILITY_SDOM;FACILITY_TYPE;BPE_MEASURE;…;TIME_PERIOD;OBS_VALUE``, one
    row per territory (communes, arrondissements, départements…) and type; only ``GEO_OBJECT = COM`` and the
    ``FACILITIES`` measure are read, in chunks (the file holds every level). A commune the file does not list
    has none of the types. The types are translated to the catalogue's columns (:data:`BPE_DENOMBREMENT`)
    once the archive's own labels confirm each of them. INSEE replaces the file at the same address each
    year: the vintage is read from TIME_PERIOD.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            labels = _bpe_labels(zf, source)
            for code, (_, word) in BPE_DENOMBREMENT.items():
                if word not in plain_spelling(labels.get(code, "")):
                    found = labels.get(code, "absent des métadonnées")
                    raise SourceError(
                        source.id,
                        f"type d'équipement {code} : « {found} » au lieu de « {word} » attendu "
                        "(nomenclature changée : table de correspondance à revoir)",
                    )
            wanted = set(BPE_DENOMBREMENT)
            parts = []
            years: set[str] = set()
            listed: set[str] = set()  # every commune of the file (a town hall is a type: all of them)
            with zf.open(_bpe_member(zf, source, "data")) as handle:
                try:
                    reader = pd.read_csv(
                        handle,
                        sep=";",
                        dtype=object,  # plain Python strings: the long file is read faster than as Arrow strings
                        usecols=lambda c: (
                            c.strip().upper()
                            in {
                                "GEO",
                                "GEO_OBJECT",
                                "FACILITY_TYPE",
                                "BPE_MEASURE",
                                "TIME_PERIOD",
                                "OBS_VALUE",
                            }
                        ),
                        encoding="utf-8-sig",
                        encoding_errors="replace",
                        skipinitialspace=True,
                        chunksize=_BPE_CHUNK_ROWS,
                    )
                    for chunk in reader:
                        chunk.columns = [c.strip().upper() for c in chunk.columns]
                        require_columns(chunk, ["GEO", "GEO_OBJECT", "FACILITY_TYPE", "OBS_VALUE"], source)
                        communes = (
                            chunk["GEO_OBJECT"] == "COM"
                        )  # values unpadded (skipinitialspace for the rest)
                        listed.update(chunk.loc[communes, "GEO"].dropna().unique().tolist())
                        keep = communes & chunk["FACILITY_TYPE"].isin(wanted)
                        if "BPE_MEASURE" in chunk:
                            keep &= chunk["BPE_MEASURE"].fillna("FACILITIES") == "FACILITIES"
                        chunk = chunk[keep]
                        if "TIME_PERIOD" in chunk:
                            years |= {str(y).strip() for y in chunk["TIME_PERIOD"].dropna().unique().tolist()}
                        parts.append(chunk[["GEO", "FACILITY_TYPE", "OBS_VALUE"]])
                except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
                    raise SourceError(
                        source.id, f"CSV illisible ({type(exc).__name__}: {str(exc)[:120]})"
                    ) from exc
    except zipfile.BadZipFile as exc:
        raise SourceError(source.id, f"archive zip illisible ou tronquée ({exc})") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(source.id, f"archive zip tronquée ({type(exc).__name__})") from exc
    rows = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["GEO", "FACILITY_TYPE", "OBS_VALUE"])
    )
    if len(years) > 1:
        raise SourceError(source.id, f"plusieurs millésimes dans le fichier ({', '.join(sorted(years))})")
    listed = set(clean_codes(pd.Series(sorted(listed), dtype="string")).dropna())
    rows["code"] = clean_codes(rows["GEO"])
    rows["column"] = rows["FACILITY_TYPE"].str.strip().map({k: v[0] for k, v in BPE_DENOMBREMENT.items()})
    rows["count"] = pd.to_numeric(rows["OBS_VALUE"], errors="coerce").fillna(0)
    wide = rows.pivot_table(index="code", columns="column", values="count", aggfunc="sum", fill_value=0)
    columns = sorted({v[0] for v in BPE_DENOMBREMENT.values()})
    wide = wide.reindex(index=sorted(listed | set(wide.index)), columns=columns, fill_value=0)
    wide = wide.round().astype(np.int64)
    wide.index.name = "code"
    for column in BPE_DENOMBREMENT_ZERO:
        wide[column] = np.int64(0)
    out = drop_arm(check_codes(wide.reset_index(), source))
    if years:
        year = int(next(iter(years)))
        out.attrs.update(
            vintage=f"BPE {year} (dénombrement des équipements), géographie {year}",
            year=year,
            geography_year=year,
        )
    return out
