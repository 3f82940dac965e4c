"""Compact GeoJSON payloads for web maps: rounded coordinates, only the properties a map needs.

The display geometry of the communes is simplified at build time (sentiers.geometry.simplify_coverage,
stored as ``base.communes_display``). Here: a coarser, border-preserving simplification of the
département outlines for the France view, and the serialisation of a GeoDataFrame into the smallest
GeoJSON text that still draws right (no spaces, shortest float repr after rounding).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from sentiers.geometry import simplify_coverage

log = logging.getLogger(__name__)

# France by département: ~1 km tolerance, 3 decimals (~100 m) is plenty at zoom 5-8.
FRANCE_TOLERANCE = 0.02
FRANCE_DECIMALS = 3
DROM_TOLERANCE = 0.003  # the DROM are small and shown zoomed in
# One département / one région of communes: the build's display geometry (0.001°), 4 decimals.
COMMUNE_DECIMALS = 4


def departement_outlines(
    departements: gpd.GeoDataFrame,
    tolerance: float = FRANCE_TOLERANCE,
    drom_tolerance: float = DROM_TOLERANCE,
) -> gpd.GeoDataFrame:
    """Département outlines for the France view (coarser than the communes' display geometry).

    The DROM are shown zoomed in (the map's Outre-mer selector): they keep more detail.
    """
    out = gpd.GeoDataFrame(
        departements[["code", "name", "region"]].copy(), geometry=departements.geometry.copy()
    )
    drom = out["code"].str.len() == 3
    for mask, tol in ((~drom, tolerance), (drom, drom_tolerance)):
        if mask.any():
            out.loc[mask, "geometry"] = simplify_coverage(out.loc[mask, "geometry"], tol, FRANCE_DECIMALS)
    return out[~out.geometry.isna() & ~out.geometry.is_empty]


def _ring(coords: np.ndarray, decimals: int) -> list:
    return np.round(coords[:, :2], decimals).tolist()


def geometry_coordinates(geom, decimals: int) -> dict[str, Any] | None:
    """GeoJSON geometry dict of a (Multi)Polygon or Point, coordinates rounded."""
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind == "Point":
        return {"type": "Point", "coordinates": [round(geom.x, decimals), round(geom.y, decimals)]}
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(geom, decimals)}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [_polygon(p, decimals) for p in geom.geoms]}
    if kind == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return geometry_coordinates(shapely.union_all(polys), decimals) if polys else None
    return None


def _polygon(poly, decimals: int) -> list:
    rings = [poly.exterior, *poly.interiors]
    return [_ring(np.asarray(r.coords), decimals) for r in rings]


def features(
    geometries: Iterable, properties: Iterable[Mapping[str, Any]], decimals: int = COMMUNE_DECIMALS
) -> list[dict[str, Any]]:
    out = []
    for geom, props in zip(geometries, properties, strict=True):
        g = geometry_coordinates(geom, decimals)
        if g is None:
            continue
        out.append({"type": "Feature", "properties": dict(props), "geometry": g})
    return out


def geometry_text(geom, decimals: int = COMMUNE_DECIMALS) -> str | None:
    """The GeoJSON geometry of ``geom`` as compact JSON text (None for an empty geometry)."""
    g = geometry_coordinates(geom, decimals)
    return None if g is None else dumps(g)


def features_text(geometry_texts: Iterable[str | None], properties: Iterable[Mapping[str, Any]]) -> str:
    """A FeatureCollection as text from geometries already serialised (:func:`geometry_text`).

    The same text as ``dumps({"type": "FeatureCollection", "features": features(...)})``, without turning
    each geometry into lists of floats and back again: a map's communes keep their geometry text once.
    """
    parts = [
        '{"type":"Feature","properties":' + dumps(dict(props)) + ',"geometry":' + geom + "}"
        for geom, props in zip(geometry_texts, properties, strict=True)
        if geom is not None
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def feature_collection(
    frame: gpd.GeoDataFrame, columns: Iterable[str] = (), decimals: int = COMMUNE_DECIMALS
) -> dict[str, Any]:
    """A FeatureCollection of ``frame`` keeping only ``columns`` as properties (NaN -> null)."""
    columns = list(columns)
    records = (
        frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")
        if columns
        else [{}] * len(frame)
    )
    return {"type": "FeatureCollection", "features": features(frame.geometry, records, decimals)}


def dumps(doc: Any) -> str:
    """Compact JSON, safe to embed inside a <script> element."""
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def payload_bytes(doc: Any) -> int:
    return len(dumps(doc).encode("utf-8"))
