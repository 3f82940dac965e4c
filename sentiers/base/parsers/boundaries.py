"""Boundaries: Etalab contours administratifs (communes, départements) and régions (france-geojson).

GeoJSON files are read with pyogrio (plain or gzip-compressed), repaired with ``make_valid`` and
returned in EPSG:4326 with ``code`` (and ``name``) columns.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sentiers.base.codes import COMMUNE_CODE_PATTERN, DEPARTEMENT_CODES, is_arm
from sentiers.base.sources import Source
from sentiers.errors import SourceError
from sentiers.geometry import make_valid

REGION_PATTERN = r"^[0-9]{2}$"


def read_geojson(path: Path, source: Source) -> gpd.GeoDataFrame:
    """A GeoJSON file (or its gzip) as a GeoDataFrame in EPSG:4326; errors as SourceError."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(source.id, f"fichier gzip illisible ou tronqué ({type(exc).__name__})") from exc
    head = raw[:200].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html")):
        raise SourceError(source.id, "une page HTML a été reçue à la place du GeoJSON")
    if not head.startswith(b"{"):
        raise SourceError(source.id, "un GeoJSON était attendu")
    try:
        frame = gpd.read_file(io.BytesIO(raw), engine="pyogrio")
    except Exception as exc:  # pyogrio / GDAL errors
        raise SourceError(
            source.id, f"GeoJSON illisible ou tronqué ({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    return frame


def _named(frame: gpd.GeoDataFrame, source: Source, codes: pd.Series, keep: pd.Series) -> gpd.GeoDataFrame:
    name_col = next((c for c in ("nom", "name", "libelle", "NOM") if c in frame.columns), None)
    names = frame[name_col].astype("string").fillna("") if name_col else pd.Series("", index=frame.index)
    out = gpd.GeoDataFrame(
        {"code": codes[keep].to_numpy(), "name": names[keep].to_numpy()},
        geometry=make_valid(frame.geometry[keep].to_numpy()),
        crs="EPSG:4326",
    )
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    return out.drop_duplicates("code").reset_index(drop=True)


def _code_column(frame: gpd.GeoDataFrame, source: Source) -> pd.Series:
    column = next(
        (c for c in ("code", "CODE", "insee", "INSEE_COM", "code_insee") if c in frame.columns), None
    )
    if column is None:
        found = ", ".join(map(str, list(frame.columns)[:8]))
        raise SourceError(source.id, f"propriété « code » absente des entités (trouvées : {found})")
    return frame[column].astype("string").str.strip()


def parse_departements(path: Path, source: Source) -> gpd.GeoDataFrame:
    """Etalab départements: the 101 départements only (the COM 975, 977, 978, 984, 986-989 dropped)."""
    frame = read_geojson(path, source)
    codes = _code_column(frame, source)
    return _named(frame, source, codes, codes.isin(DEPARTEMENT_CODES).fillna(False))


def parse_regions(path: Path, source: Source) -> gpd.GeoDataFrame:
    """Régions (métropole and outre-mer): code, name, geometry."""
    frame = read_geojson(path, source)
    codes = _code_column(frame, source)
    return _named(frame, source, codes, codes.str.fullmatch(REGION_PATTERN).fillna(False))


def parse_commune_contours(path: Path, source: Source) -> gpd.GeoDataFrame:
    """Etalab contours administratifs, communes: code, name, geometry (communes of the COG only).

    Arrondissements municipaux and collectivités d'outre-mer (975, 977, 978, 98x) are dropped.
    """
    frame = read_geojson(path, source)
    codes = _code_column(frame, source)
    keep = codes.str.fullmatch(COMMUNE_CODE_PATTERN).fillna(False)
    keep &= ~codes.str[:3].isin(["975", "977", "978", "984", "986", "987", "988", "989"]).fillna(False)
    keep &= ~codes.map(lambda c: isinstance(c, str) and is_arm(c)).astype(bool)
    out = _named(frame, source, codes, keep)
    return out[out.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].reset_index(drop=True)
