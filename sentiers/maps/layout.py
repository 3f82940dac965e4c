"""What a small static map shows, without drawing it: the box, the outlines in it, the place names and the
length of the scale bar. Shared by the matplotlib maps (maps/static.py: the fiche's PDF and HTML) and the SVG
map of « Est-ce rural ? » (maps/svg.py), so both frame, name and scale a territory the same way.

Coordinates are WGS84 degrees; a degree of longitude is shortened by cos(latitude) (``aspect``) so that
ground lengths keep their ratio in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sentiers.base.store import Base

Box = tuple[float, float, float, float]


def aspect(box: Box) -> float:
    """Vertical stretch so that a degree of longitude and of latitude keep their ground length."""
    return 1 / max(float(np.cos(np.radians((box[1] + box[3]) / 2))), 0.2)


def fit_box(box: Box, ratio: float) -> Box:
    """Grow the box's shorter side so that it fills a figure of width/height ``ratio``."""
    minx, miny, maxx, maxy = box
    stretch = aspect(box)
    width, height = maxx - minx, (maxy - miny) * stretch
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (width / ratio - height) / 2 / stretch
        miny, maxy = miny - grow, maxy + grow
    return minx, miny, maxx, maxy


def rings(geom) -> list[np.ndarray]:
    """Exterior rings of a (multi)polygon as (n, 2) arrays."""
    if geom is None or geom.is_empty:
        return []
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    out = []
    for part in parts:
        if part.geom_type == "Polygon":
            out.append(np.asarray(part.exterior.coords)[:, :2])
    return out


KM_PER_DEGREE = 111.32
NICE_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
LABELS_MAX = 8


def scale_length_km(box: Box) -> float:
    """The round length (km) of a scale bar for ``box``: the largest of NICE_KM under a quarter of its width."""
    minx, miny, maxx, maxy = box
    width_km = (maxx - minx) * km_per_degree_lon((miny + maxy) / 2)
    return float(max((k for k in NICE_KM if k <= width_km / 4), default=NICE_KM[0]))


def km_per_degree_lon(lat: float) -> float:
    return KM_PER_DEGREE * max(float(np.cos(np.radians(lat))), 0.05)


def km_text(length: float) -> str:
    return f"{length:g} km".replace(".", ",")


@dataclass(frozen=True)
class PlaceLabel:
    name: str
    lon: float
    lat: float
    own: bool  # one of the territory's communes (written in bold)


def choose_labels(communes: pd.DataFrame, box: Box, first: list[str]) -> list[PlaceLabel]:
    """Names to write on a map of ``box``: the territory's communes (``first``), then the most populated places,
    none closer to another than a sixth of the width and a sixteenth of the height, at most LABELS_MAX."""
    minx, miny, maxx, maxy = box
    inner = (
        (communes["lon"] > minx + (maxx - minx) * 0.03)
        & (communes["lon"] < maxx - (maxx - minx) * 0.03)
        & (communes["lat"] > miny + (maxy - miny) * 0.12)
        & (communes["lat"] < maxy - (maxy - miny) * 0.04)
    )
    inbox = communes.loc[inner, ["code", "name", "lat", "lon", "population"]].copy()
    inbox["first"] = inbox["code"].isin(first)
    inbox["pop"] = pd.to_numeric(inbox["population"], errors="coerce").fillna(0)
    inbox = inbox.sort_values(["first", "pop"], ascending=[False, False])
    gap_x, gap_y = (maxx - minx) * 0.16, (maxy - miny) * 0.06
    labels: list[PlaceLabel] = []
    for row in inbox.itertuples(index=False):
        if len(labels) >= LABELS_MAX:
            break
        x, y = float(row.lon), float(row.lat)
        if any(abs(x - p.lon) < gap_x and abs(y - p.lat) < gap_y for p in labels):
            continue
        labels.append(PlaceLabel(str(row.name), x, y, bool(row.first)))
    return labels


def display_bounds(base: Base) -> pd.DataFrame:
    """Bounds of every commune's display geometry, computed once per base."""

    def make() -> pd.DataFrame:
        display = base.communes_display
        bounds = display.geometry.bounds
        bounds["code"] = display["code"].to_numpy()
        return bounds

    return base.memo("display_bounds", make)


@dataclass(frozen=True)
class NeighbourView:
    """One commune among its neighbours: the box drawn (degrees) and the display shapes in it."""

    box: Box
    mine: list[np.ndarray]
    others: list[np.ndarray]
    labels: list[PlaceLabel]


def neighbour_view(base: Base, code: str) -> NeighbourView | None:
    """The commune ``code`` and the communes whose display outline meets the box around it (its extent padded by
    0.9 times its span), with the place names to write; None when it has no outline."""
    display = base.communes_display
    if not len(display) or "code" not in display or not base.has_geometry:
        return None
    bounds = display_bounds(base)
    own = bounds[bounds["code"] == code]
    if not len(own) or own["minx"].isna().any():
        return None
    minx, miny, maxx, maxy = own[["minx", "miny", "maxx", "maxy"]].iloc[0]
    span = max(maxx - minx, maxy - miny, 0.02)
    pad = span * 0.9
    near = bounds[
        (bounds["maxx"] > minx - pad)
        & (bounds["minx"] < maxx + pad)
        & (bounds["maxy"] > miny - pad)
        & (bounds["miny"] < maxy + pad)
    ]
    shapes = display.loc[near.index]
    shapes = shapes[shapes.geometry.notna() & ~shapes.geometry.is_empty]
    box = (float(minx - pad), float(miny - pad), float(maxx + pad), float(maxy + pad))
    is_mine = (shapes["code"] == code).to_numpy()
    geoms = shapes.geometry.to_numpy()
    communes = base.communes
    labels = choose_labels(communes, box, [code]) if {"lat", "lon", "name"} <= set(communes.columns) else []
    return NeighbourView(
        box=box,
        mine=[ring for geom in geoms[is_mine] for ring in rings(geom)],
        others=[ring for geom in geoms[~is_mine] for ring in rings(geom)],
        labels=labels,
    )
