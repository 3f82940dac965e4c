"""Geometry shared by the build, the maps and the features: repair, areas, dissolve, simplification, distances.

One simplification (:func:`simplify_coverage`) serves the build's display geometry and the maps' coarser
outlines; one great-circle distance (:func:`haversine_km`) serves scoring, briefings and catchments.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

if TYPE_CHECKING:  # geopandas is imported by the functions that build frames: a lookup never loads it
    import geopandas as gpd

log = logging.getLogger(__name__)

EQUAL_AREA_CRS = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: equal-area, metro and DROM alike
# tolerance of the display geometry, in degrees (~100 m at French latitudes)
DISPLAY_TOLERANCE = 0.001
DISPLAY_DECIMALS = 4


def make_valid(geoms: Any) -> np.ndarray:
    """Valid polygons only: fix self-intersections and drop stray lines/points from make_valid."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(np.where(present, geoms, None))
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        geoms = geoms.copy()
        geoms[invalid] = [_polygonal(g) for g in fixed]
    return geoms


def _polygonal(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def areas_km2(geoms: gpd.GeoSeries) -> np.ndarray:
    """Areas in km² on an equal-area projection; 0 for points and missing geometries."""
    projected = geoms.to_crs(EQUAL_AREA_CRS)
    return np.nan_to_num(projected.area.to_numpy() / 1e6)


def rebuild_from_parts(own, parts: list) -> tuple[object, bool]:
    """Union of a commune's own polygon and those of its former communes when they add area.

    Returns (geometry, rebuilt?). A commune nouvelle whose polygon predates the merger covers only
    its chef-lieu; the union of its communes déléguées restores the whole territory.
    """
    parts = [p for p in parts if p is not None and not p.is_empty]
    if not parts:
        return own, False
    union = shapely.union_all([own, *parts] if own is not None else parts)
    union = _polygonal(shapely.make_valid(union)) if not union.is_valid else union
    if own is None:
        return union, True
    # compare in degrees² (same-latitude shapes: the ratio is what matters)
    if union.area > own.area * 1.01:
        return union, True
    return own, False


def dissolve(frame: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Union of polygons per key (départements, EPCI) using the coverage union where it holds."""
    import geopandas as gpd
    import pandas as pd

    polys = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    rows = []
    for key, group in polys.groupby(by, sort=True):
        geoms = group.geometry.to_numpy()
        try:
            merged = shapely.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            merged = shapely.union_all(geoms)
        if not merged.is_valid:
            merged = _polygonal(shapely.make_valid(merged))
        rows.append((key, merged))
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=[by, "geometry"]), geometry="geometry", crs=frame.crs)


def simplify_coverage(
    geoms: gpd.GeoSeries, tolerance: float = DISPLAY_TOLERANCE, decimals: int | None = None
) -> gpd.GeoSeries:
    """Simplify neighbouring polygons together, keeping shared borders shared (no gaps, no slivers).

    GEOS coverage simplification over the whole set; points and missing geometries pass through.
    ``decimals``: round coordinates afterwards (only for coarse outlines: rounding a fine coverage opens
    gaps between neighbours, so the build's display geometry is stored unrounded and the map payloads
    round when they write JSON).
    """
    import geopandas as gpd

    values = np.asarray(geoms.to_numpy(), dtype=object)
    polygonal = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in values])
    out = values.copy()
    if polygonal.any():
        try:
            simplified = shapely.coverage_simplify(values[polygonal], tolerance)
        except shapely.errors.GEOSException:
            log.warning("coverage simplification failed; falling back to per-polygon simplification")
            simplified = shapely.simplify(values[polygonal], tolerance, preserve_topology=True)
        if decimals is not None:
            simplified = shapely.set_precision(simplified, 10**-decimals, mode="pointwise")
        invalid = ~shapely.is_valid(simplified)
        if invalid.any():
            simplified[invalid] = [_polygonal(g) for g in shapely.make_valid(simplified[invalid])]
        out[polygonal] = simplified
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def interior_holes(geom) -> list:
    """Interior rings of a (multi)polygon, as polygons: gaps between neighbours show up here."""
    if geom is None or geom.is_empty:
        return []
    parts = getattr(geom, "geoms", [geom])
    return [shapely.Polygon(ring) for part in parts if part.geom_type == "Polygon" for ring in part.interiors]


# pieces of a département not covered by its communes, smaller than this (degrees², ~0.1 km²), are slivers of
# generalisation between two files, not a former commune's territory
GAP_MIN_AREA = 1e-5
TOUCH_DEGREES = 1e-3  # ~100 m: the generalisation step of the contours


def union_coverage(geoms: Any) -> Any:
    """Union of neighbouring polygons (coverage union when it holds)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    try:
        merged = shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        merged = shapely.union_all(geoms)
    return merged if merged.is_valid else _polygonal(shapely.make_valid(merged))


def fill_holes(geom: Any) -> Any:
    """The polygon(s) without their interior rings."""
    parts = getattr(geom, "geoms", [geom])
    return shapely.union_all([shapely.Polygon(p.exterior) for p in parts if p.geom_type == "Polygon"])


def pieces(geom: Any) -> list:
    """The polygons of a (multi)polygon or collection."""
    if geom is None or geom.is_empty:
        return []
    return [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"]


def longest_border(piece: Any, owners: dict) -> Any:
    """Key of the owner geometry sharing the longest border with ``piece`` (touching within ~100 m), or None."""
    best, best_length = None, 0.0
    ring = piece.boundary.buffer(TOUCH_DEGREES)
    for key, geom in owners.items():
        if geom is None or geom.is_empty or geom.distance(piece) > TOUCH_DEGREES:
            continue
        length = geom.boundary.intersection(ring).length
        if length > best_length:
            best, best_length = key, length
    return best


def merge_parts(own: Any, parts: list) -> Any:
    """A polygon and pieces of territory touching it (cut from the same coverage), as one valid (multi)polygon."""
    merged = shapely.union_all([own, *parts])
    merged = merged if merged.is_valid else shapely.make_valid(merged)
    return _polygonal(merged) or own


EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat, lon, lat0, lon0) -> np.ndarray:
    """Great-circle distance in km between points (arrays or scalars, broadcast), straight line."""
    lat1 = np.radians(np.asarray(lat, dtype=float))
    lon1 = np.radians(np.asarray(lon, dtype=float))
    lat2 = np.radians(np.asarray(lat0, dtype=float))
    lon2 = np.radians(np.asarray(lon0, dtype=float))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
