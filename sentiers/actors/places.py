"""Places that complete an actors list: France services, Fabriques de territoire, Manufactures de proximité (the
base's points, ANCT) and the Kiif incubator covering the département (:mod:`sentiers.base.kiif`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sentiers.actors.activities import COMPLEMENT
from sentiers.actors.model import Actor, Area
from sentiers.errors import SentiersError
from sentiers.fr import clean
from sentiers.geometry import haversine_km

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

POINT_FAMILIES = {
    "anct_france_services": "france_services",
    "anct_fabriques": "fabrique",
    "anct_manufactures": "manufacture",
}
DEFAULT_PLACES_RADIUS_KM = 15.0
MAX_PLACES_PER_FAMILY = 10


def nearby_places(base: Base, area: Area) -> list[Actor]:
    """Points of the base in the area's communes or within its radius (15 km when it has none), nearest first."""
    points = base.points
    out: list[Actor] = []
    if points is not None and len(points) and area.centre is not None:
        pts = points[points["layer"].isin(list(POINT_FAMILIES))]
        lat = pd.to_numeric(pts["lat"], errors="coerce").to_numpy(float)
        lon = pd.to_numeric(pts["lon"], errors="coerce").to_numpy(float)
        dist = haversine_km(lat, lon, area.centre[0], area.centre[1])
        members = set(area.communes[: area.member_count])
        inside = pts["code"].astype("string").isin(members).fillna(False).to_numpy(bool)
        radius = area.radius_km or DEFAULT_PLACES_RADIUS_KM
        keep = inside | (np.nan_to_num(dist, nan=np.inf) <= radius)
        near = pts[keep].assign(dist_km=dist[keep]).sort_values("dist_km")
        names = base.memo(
            "actors_commune_names",
            lambda: dict(
                zip(base.communes["code"].astype(str), base.communes["name"].astype(str), strict=True)
            ),
        )
        for layer, group in near.groupby("layer", sort=False):
            family = POINT_FAMILIES[str(layer)]
            for row in group.head(MAX_PLACES_PER_FAMILY).itertuples(index=False):
                code = str(clean(row.code) or "")
                distance = float(row.dist_km) if np.isfinite(row.dist_km) else None
                out.append(
                    Actor(
                        family=family,
                        name=str(clean(row.label) or "(sans nom)")[:200],
                        address=str(clean(getattr(row, "address", "")) or "")[:300],
                        commune_code=code,
                        commune=names.get(code, ""),
                        lat=float(row.lat) if clean(row.lat) is not None else None,
                        lon=float(row.lon) if clean(row.lon) is not None else None,
                        distance_km=round(distance, 2) if distance is not None else None,
                        relation=COMPLEMENT,
                        source=base.source_note(str(layer)),
                    )
                )
    incubator = kiif_place(area)
    if incubator is not None:
        out.append(incubator)
    order = {
        family: i for i, family in enumerate(("france_services", "fabrique", "manufacture", "incubator"))
    }
    out.sort(key=lambda a: (order.get(a.family, 9), a.distance_km if a.distance_km is not None else 1e9))
    return out


def kiif_place(area: Area) -> Actor | None:
    """The Kiif incubator covering the area's département, with its distance; None when none is listed."""
    from sentiers.base import kiif

    if not area.departement:
        return None
    try:
        coverage = kiif.load_kiif()
        found = kiif.covering_incubator(area.departement, coverage)
    except SentiersError as exc:
        log.warning("kiif lookup failed: %s", exc)
        return None
    if found is None:
        return None
    distance = None
    if area.centre is not None and found.lat is not None and found.lon is not None:
        distance = round(float(haversine_km(found.lat, found.lon, area.centre[0], area.centre[1])), 2)
    return Actor(
        family="incubator",
        family_detail="membre confirmé" if found.verified else "membre à confirmer",
        name=found.name,
        commune=found.city or "",
        lat=found.lat,
        lon=found.lon,
        distance_km=distance,
        relation=COMPLEMENT,
        source=f"{coverage.programme} {coverage.edition} — {coverage.source}",
    )
