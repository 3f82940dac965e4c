"""Commune lists: INSEE COG (v_commune_YYYY.csv) and Etalab découpage administratif (JSON)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd

from sentiers.base.parsers.common import read_csv, require_columns
from sentiers.base.sources import Source
from sentiers.errors import SourceError

COG_TYPES = {"COM", "COMD", "COMA", "ARM"}
ETALAB_TYPES = {
    "commune-actuelle": "COM",
    "commune-deleguee": "COMD",
    "commune-associee": "COMA",
    "arrondissement-municipal": "ARM",
}


def _read_json(path: Path, source: Source):
    raw = path.read_bytes()
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(source.id, f"JSON illisible ou tronqué ({type(exc).__name__})") from exc


def parse_cog_communes(path: Path, source: Source) -> pd.DataFrame:
    """COG list: code, type (COM/COMD/COMA/ARM), name, departement, region, parent."""
    frame = read_csv(path, source, dtype=str, keep_default_na=False, encoding="utf-8")
    require_columns(frame, ["TYPECOM", "COM", "REG", "DEP", "LIBELLE", "COMPARENT"], source)
    frame = frame[frame["TYPECOM"].isin(COG_TYPES)]
    return pd.DataFrame(
        {
            "code": frame["COM"].str.strip(),
            "type": frame["TYPECOM"],
            "name": frame["LIBELLE"],
            "departement": frame["DEP"],
            "region": frame["REG"],
            "parent": frame["COMPARENT"].replace("", pd.NA),
        }
    ).reset_index(drop=True)


def parse_etalab_communes(path: Path, source: Source) -> pd.DataFrame:
    """Etalab communes.json: the COG list plus 2023 populations, postal codes and old codes.

    Only métropole and DROM (the collectivités d'outre-mer, zone "com", are not communes of the COG list).
    """
    records = _read_json(path, source)
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise SourceError(source.id, "une liste d'objets JSON était attendue")
    frame = pd.DataFrame.from_records(records)
    require_columns(frame, ["code", "nom", "type", "departement", "region"], source)
    frame = frame[frame["type"].isin(ETALAB_TYPES) & (frame.get("zone", "metro") != "com")]
    parent = frame["chefLieu"] if "chefLieu" in frame else pd.Series(pd.NA, index=frame.index)
    if "commune" in frame:
        parent = parent.fillna(frame["commune"])
    postal = (
        frame["codesPostaux"] if "codesPostaux" in frame else pd.Series([[]] * len(frame), index=frame.index)
    )
    old = (
        frame["anciensCodes"] if "anciensCodes" in frame else pd.Series([[]] * len(frame), index=frame.index)
    )
    out = pd.DataFrame(
        {
            "code": frame["code"].astype(str),
            "type": frame["type"].map(ETALAB_TYPES),
            "name": frame["nom"].astype(str),
            "departement": frame["departement"].astype("string"),
            "region": frame["region"].astype("string"),
            "parent": parent.astype("string"),
            "population": pd.array(pd.to_numeric(frame.get("population"), errors="coerce"), dtype="Int64"),
            "postal_codes": postal.map(lambda v: " ".join(v) if isinstance(v, list) else ""),
            "old_codes": old.map(lambda v: " ".join(v) if isinstance(v, list) else ""),
        }
    )
    out.loc[out["type"] == "COM", "parent"] = pd.NA
    return out.reset_index(drop=True)


def parse_etalab_epci(path: Path, source: Source) -> pd.DataFrame:
    """Etalab epci.json: one row per member commune: code, epci, epci_name, epci_type."""
    records = _read_json(path, source)
    if not isinstance(records, list) or not records or "membres" not in records[0]:
        raise SourceError(source.id, "une liste d'EPCI avec leurs « membres » était attendue")
    rows = [
        (member["code"], epci["code"], epci["nom"], epci.get("type", ""))
        for epci in records
        for member in epci.get("membres", [])
    ]
    return pd.DataFrame(rows, columns=["code", "epci", "epci_name", "epci_type"]).drop_duplicates("code")
