"""ANCT and DGCL zonings and programmes: FRR, PVD, Villages d'avenir, ACV, France services,
Fabriques de territoire, Manufactures de proximité, centralités, typologie des ruralités.

The PVD/VA/ACV/Fabriques/Manufactures files are ANCT's cartography GeoJSON: the INSEE code of a
commune is either ``id_geo`` or only inside ``liste_geo`` ("Name (CODE)"; several joined with "; ").
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sentiers.base.codes import arm_parent, is_arm
from sentiers.base.parsers.common import check_codes, clean_codes, read_csv, require_columns
from sentiers.base.schema import CENTRALITE_LEVELS
from sentiers.base.sources import Source
from sentiers.errors import SourceError

CODE_IN_PARENS = re.compile(r"\(((?:[0-9]{5}|2[AB][0-9]{3}))\)")


# --- helpers --------------------------------------------------------------------------------------


def _read_text(path: Path, source: Source) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        import gzip

        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SourceError(source.id, f"fichier gzip tronqué ({type(exc).__name__})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source.id, "encodage inattendu (UTF-8 attendu)") from exc
    if text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        raise SourceError(source.id, "une page HTML a été reçue à la place des données")
    return text


def _features(path: Path, source: Source) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (plain or gzip)."""
    text = _read_text(path, source)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(source.id, f"GeoJSON illisible ou tronqué ({exc.msg}, ligne {exc.lineno})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise SourceError(source.id, "une FeatureCollection GeoJSON était attendue")
    features = doc.get("features") or []
    if not isinstance(features, list):
        raise SourceError(source.id, "« features » n'est pas une liste")
    return features


def _properties(features: list[dict[str, Any]], source: Source, required: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([f.get("properties") or {} for f in features])
    if not len(frame):
        raise SourceError(source.id, "aucune entité dans le GeoJSON")
    require_columns(frame, required, source)
    return frame


def _codes_in_liste(value: Any) -> list[str]:
    return CODE_IN_PARENS.findall(value) if isinstance(value, str) else []


def _member_rows(frame: pd.DataFrame, source: Source) -> pd.DataFrame:
    """One row per member commune of each feature (codes from liste_geo), feature index kept."""
    codes = frame["liste_geo"].map(_codes_in_liste)
    empty = codes.map(len) == 0
    if empty.mean() > 0.01:
        raise SourceError(
            source.id, "codes INSEE introuvables dans « liste_geo » (format « Nom (CODE) » attendu)"
        )
    rows = frame.assign(code=codes).explode("code")
    rows = rows[rows["code"].notna()]
    return rows.reset_index(names="feature")


def _clean_label(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(value).split())


# --- communes layers ------------------------------------------------------------------------------


def parse_frr(path: Path, source: Source) -> pd.DataFrame:
    """FRR classification (DGCL, ';' CSV with a trailing ';'): code, frr label."""
    _read_text(path, source)  # HTML page / encoding check
    frame = read_csv(path, source, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    label = next((c for c in frame.columns if c.lower().startswith("classement")), None)
    code = next(
        (c for c in frame.columns if c.lower() in ("code_insee", "codgeo", "insee_com", "code insee")), None
    )
    if label is None or code is None:
        found = ", ".join(frame.columns[:6])
        raise SourceError(
            source.id, f"colonnes « Code_insee » et « Classement … » attendues (trouvées : {found})"
        )
    out = pd.DataFrame(
        {"code": clean_codes(frame[code]), "frr": frame[label].astype("string").str.strip().fillna("")}
    )
    return check_codes(out, source).drop_duplicates("code").reset_index(drop=True)


def parse_pvd(path: Path, source: Source) -> pd.DataFrame:
    """Petites villes de demain: one row per commune: code, pvd=True, pvd_date (ISO or "")."""
    frame = _properties(_features(path, source), source, ["liste_geo"])
    rows = _member_rows(frame, source)
    dates = rows["date_signature"] if "date_signature" in rows else pd.Series("", index=rows.index)
    dates = pd.to_datetime(dates, errors="coerce", format="ISO8601")
    out = pd.DataFrame(
        {
            "code": rows["code"].astype("string"),
            "pvd": True,
            "pvd_date": dates.dt.strftime("%Y-%m-%d").fillna("").astype("string"),
        }
    )
    # a commune listed twice keeps its earliest known signature date
    out = out.assign(_d=out["pvd_date"].replace("", "9999")).sort_values(["code", "_d"])
    return check_codes(out.drop_duplicates("code").drop(columns="_d"), source)


def parse_va(path: Path, source: Source) -> pd.DataFrame:
    """Villages d'avenir: code, va=True."""
    frame = _properties(_features(path, source), source, ["liste_geo"])
    rows = _member_rows(frame, source)
    out = pd.DataFrame({"code": rows["code"].astype("string"), "va": True}).drop_duplicates("code")
    return check_codes(out, source)


def parse_acv(path: Path, source: Source) -> pd.DataFrame:
    """Action cœur de ville: one row per member commune: code, acv=True, acv_name (territory)."""
    frame = _properties(_features(path, source), source, ["liste_geo", "lib_territoire"])
    rows = _member_rows(frame, source)
    out = pd.DataFrame(
        {
            "code": rows["code"].astype("string"),
            "acv": True,
            "acv_name": rows["lib_territoire"].map(_clean_label).astype("string"),
        }
    ).drop_duplicates("code")
    return check_codes(out, source)


def parse_centralites(path: Path, source: Source) -> pd.DataFrame:
    """Centralités (ANCT / INRAE-CESAER): centralite_label and centralite_level (0..4).

    The DROM are outside the study (' - undefined'): label "" and level <NA>.
    """
    frame = read_csv(path, source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    require_columns(frame, ["insee_com", "niveau_centralite"], source)
    label = frame["niveau_centralite"].astype("string").str.strip()
    undefined = label.str.lower().str.endswith("undefined") | (label == "")
    label = label.where(~undefined, "")
    unknown = sorted(set(label[label != ""]) - set(CENTRALITE_LEVELS))
    if unknown:
        raise SourceError(source.id, f"niveaux de centralité inconnus : {unknown[:3]}")
    out = pd.DataFrame(
        {
            "code": clean_codes(frame["insee_com"]),
            "centralite_level": pd.array(label.map(CENTRALITE_LEVELS), dtype="Int8"),
            "centralite_label": label.fillna(""),
        }
    )
    return check_codes(out, source).drop_duplicates("code").reset_index(drop=True)


def parse_ruralites(path: Path, source: Source) -> pd.DataFrame:
    """Typologie des ruralités: ruralite_type, the label as published (leading space stripped).

    "Hors champ : DOM ou commune urbaine" and the "périmètre a changé" label are kept: they say why
    a commune has no rural type.
    """
    frame = read_csv(path, source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    require_columns(frame, ["insee_com", "niveau_ruralite"], source)
    out = pd.DataFrame(
        {
            "code": clean_codes(frame["insee_com"]),
            "ruralite_type": frame["niveau_ruralite"].astype("string").str.strip().fillna(""),
        }
    )
    return check_codes(out, source).drop_duplicates("code").reset_index(drop=True)


# --- points ---------------------------------------------------------------------------------------


def parse_france_services(path: Path, source: Source) -> pd.DataFrame:
    """France services structures: code, lat, lon, label, address, kind (Principal/Antenne) and more."""
    _read_text(path, source)
    frame = read_csv(path, source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    require_columns(frame, ["insee_com", "lib_fs", "latitude", "longitude", "adresse", "type_fs"], source)

    def col(name: str) -> pd.Series:
        return frame[name].astype("string").fillna("") if name in frame else pd.Series("", index=frame.index)

    def join(*parts: pd.Series) -> pd.Series:
        out = parts[0].str.strip()
        for part in parts[1:]:
            part = part.str.strip()
            out = (out + " " + part).where(part != "", out)
        return out.map(lambda s: " ".join(str(s).split()))

    street = join(col("adresse"), col("complement_adresse").map(lambda s: f", {s}" if s.strip() else ""))
    street = street.str.replace(" ,", ",", regex=False)
    town = join(col("code_postal"), col("lib_com"))
    address = (street + ", " + town).where(town != "", street).str.strip(", ")
    out = pd.DataFrame(
        {
            "code": clean_codes(frame["insee_com"]),
            "lat": pd.to_numeric(frame["latitude"].str.replace(",", ".", regex=False), errors="coerce"),
            "lon": pd.to_numeric(frame["longitude"].str.replace(",", ".", regex=False), errors="coerce"),
            "label": col("lib_fs").map(lambda s: " ".join(s.split())),
            "address": address,
            "kind": col("type_fs").str.strip(),
            "format": col("format_fs").str.strip(),
            "id": col("id_fs").str.strip(),
            "phone": col("telephone").str.strip(),
            "email": col("mail").str.strip(),
        }
    )
    out = check_codes(out, source)
    # a structure in an arrondissement municipal belongs to Paris, Lyon or Marseille (code kept in ``arm``)
    out["arm"] = out["code"].where(out["code"].map(is_arm), "")
    out["code"] = out["code"].map(arm_parent)
    return out


def _tiers_lieux(path: Path, source: Source) -> pd.DataFrame:
    """Fabriques / Manufactures: one row per tiers-lieu (a commune feature may hold several)."""
    features = _features(path, source)
    rows = []
    for feature in features:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        code = props.get("id_geo")
        if not isinstance(code, str) or not code.strip():
            codes = _codes_in_liste(props.get("liste_geo"))
            code = codes[0] if codes else None
        if code is None:
            continue
        lon, lat = _point(geometry)
        if lon is None:
            continue  # 97801 (Saint-Martin) has an empty GeometryCollection and is not a commune of the COG
        ids = [s.strip() for s in str(props.get("id_territoire") or "").split("; ") if s.strip()]
        labels_raw = str(props.get("lib_territoire") or "")
        labels = [s for s in labels_raw.split("; ")] if len(ids) > 1 else [labels_raw]
        if len(labels) != len(ids):
            labels = [labels_raw] * len(ids)  # a name holding "; " itself, or one name for several ids
        for ident, label in zip(ids or [""], labels or [""], strict=False):
            rows.append((code.strip(), lat, lon, _clean_label(label), ident))
    if not rows:
        raise SourceError(source.id, "aucun lieu avec un code commune et un point")
    out = pd.DataFrame(rows, columns=["code", "lat", "lon", "label", "id"])
    out["code"] = clean_codes(out["code"])
    out["address"] = ""
    out["kind"] = ""
    return check_codes(out, source)


def _point(geometry: dict[str, Any]) -> tuple[float | None, float | None]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    try:
        if kind == "Point" and coords:
            return float(coords[0]), float(coords[1])
        if kind == "MultiPoint" and coords:
            return float(coords[0][0]), float(coords[0][1])
    except (TypeError, ValueError, IndexError):
        return None, None
    return None, None


def parse_fabriques(path: Path, source: Source) -> pd.DataFrame:
    out = _tiers_lieux(path, source)
    out["kind"] = "Fabrique de territoire"
    return out


def parse_manufactures(path: Path, source: Source) -> pd.DataFrame:
    out = _tiers_lieux(path, source)
    out["kind"] = "Manufacture de proximité"
    return out
