"""Static map of a territory and its surroundings (matplotlib, no web tiles): prints and works offline.

Communes around are coloured by density level (grey when the grid is not loaded), the territory is
outlined, France services / Fabriques / Manufactures are drawn as points, the territory's name and the most
populated places around are written, and a kilometre scale bar is drawn (metric only). Returned as base64 PNG.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from matplotlib.artist import Artist
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sentiers.base.schema import DENSITY_LABELS
from sentiers.maps import palettes

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

MARGIN_DEG = 0.12
MAX_POLYGONS = 4000
FIG_SIZE = (6.4, 4.6)


def _aspect(box: tuple[float, float, float, float]) -> float:
    """Vertical stretch so that a degree of longitude and of latitude keep their ground length."""
    return 1 / max(float(np.cos(np.radians((box[1] + box[3]) / 2))), 0.2)


def _fit_box(box: tuple[float, float, float, float], ratio: float) -> tuple[float, float, float, float]:
    """Grow the box's shorter side so that it fills a figure of width/height ``ratio``."""
    minx, miny, maxx, maxy = box
    aspect = _aspect(box)
    width, height = maxx - minx, (maxy - miny) * aspect
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (width / ratio - height) / 2 / aspect
        miny, maxy = miny - grow, maxy + grow
    return minx, miny, maxx, maxy


def _rings(geom) -> list[np.ndarray]:
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


def scale_bar(ax, box: tuple[float, float, float, float], fontsize: float = 7) -> float:
    """A kilometre scale bar in the lower right corner (about a fifth of the width); returns its length in km."""
    minx, miny, maxx, maxy = box
    mid_lat = (miny + maxy) / 2
    km_per_deg = KM_PER_DEGREE * max(float(np.cos(np.radians(mid_lat))), 0.05)
    width_km = (maxx - minx) * km_per_deg
    length = max((k for k in NICE_KM if k <= width_km / 4), default=NICE_KM[0])
    x1 = maxx - (maxx - minx) * 0.04
    x0 = x1 - length / km_per_deg
    y = miny + (maxy - miny) * 0.05
    tick = (maxy - miny) * 0.012
    style = {"color": "#111111", "linewidth": 1.6, "solid_capstyle": "butt", "zorder": 8}
    ax.plot([x0, x1], [y, y], **style)
    ax.plot([x0, x0], [y - tick, y + tick], **style)
    ax.plot([x1, x1], [y - tick, y + tick], **style)
    text = f"{length:g} km".replace(".", ",")
    ax.text(
        (x0 + x1) / 2,
        y + tick * 1.6,
        text,
        ha="center",
        va="bottom",
        fontsize=fontsize,
        zorder=8,
        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1},
    )
    return float(length)


def place_names(
    ax,
    communes: pd.DataFrame,
    box: tuple[float, float, float, float],
    first: list[str],
    fontsize: float = 6.5,
) -> list[str]:
    """Names of the territory's communes (``first``) and of the most populated places in the box, none
    overlapping another; returns the names written."""
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
    placed: list[tuple[float, float]] = []
    written: list[str] = []
    for row in inbox.itertuples(index=False):
        if len(written) >= LABELS_MAX:
            break
        x, y = float(row.lon), float(row.lat)
        if any(abs(x - px) < gap_x and abs(y - py) < gap_y for px, py in placed):
            continue
        placed.append((x, y))
        written.append(str(row.name))
        ax.plot([x], [y], marker="o", markersize=2.2, color="#111111", zorder=7)
        ax.text(
            x,
            y + (maxy - miny) * 0.012,
            str(row.name),
            ha="center",
            va="bottom",
            fontsize=fontsize,
            zorder=7,
            weight="bold" if row.first else "normal",
            bbox={"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 0.6},
        )
    return written


def render_map_png(base: Base, members: pd.DataFrame, dpi: int = 110) -> tuple[str, str]:
    """(base64 PNG, caption) of a territory (its member communes, rows of ``base.communes``) and its surroundings."""
    communes = base.communes
    codes = set(members["code"])
    display = base.communes_display
    geoms = display.geometry.to_numpy()
    display_codes = display["code"].to_numpy()
    code_series = display["code"].astype(str)
    mine = code_series.isin(codes).to_numpy()
    own = [g for g in geoms[mine] if g is not None]
    if not own:
        own = [g for g in members.geometry if g is not None]
    if not own:
        return "", "Pas de contour connu pour ce territoire."
    outline = shapely.union_all(own)
    minx, miny, maxx, maxy = outline.bounds
    span = max(maxx - minx, maxy - miny, 0.05)
    margin = max(MARGIN_DEG, span * 0.35)
    box = _fit_box((minx - margin, miny - margin, maxx + margin, maxy + margin), FIG_SIZE[0] / FIG_SIZE[1])

    lat = communes["lat"].to_numpy(float)
    lon = communes["lon"].to_numpy(float)
    near = (lon >= box[0] - 0.3) & (lon <= box[2] + 0.3) & (lat >= box[1] - 0.3) & (lat <= box[3] + 0.3)
    near_codes = set(communes.loc[near, "code"]) | codes
    sel = code_series.isin(near_codes).to_numpy()
    level_by_code = (
        pd.to_numeric(communes.loc[communes["code"].isin(near_codes), "density_level"], errors="coerce")
        .set_axis(communes.loc[communes["code"].isin(near_codes), "code"])
        .to_dict()
        if "density_level" in communes
        else {}
    )
    polys, colours = [], []
    for code, geom in zip(display_codes[sel][:MAX_POLYGONS], geoms[sel][:MAX_POLYGONS], strict=False):
        level = level_by_code.get(code)
        colour = (
            palettes.density_colour(level)
            if level is not None and pd.notna(level)
            else palettes.UNKNOWN_COLOUR
        )
        for ring in _rings(geom):
            polys.append(ring)
            colours.append(colour)

    aspect = _aspect(box)
    fig = Figure(figsize=FIG_SIZE, dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors="#ffffff", linewidths=0.3))
    rings = _rings(outline)
    for ring in rings:
        ax.plot(ring[:, 0], ring[:, 1], color="#111111", linewidth=1.8)
    if not rings:  # a commune known only by a point
        centre = outline.centroid
        ax.scatter(
            [centre.x], [centre.y], s=60, facecolors="none", edgecolors="#111111", linewidths=1.8, zorder=6
        )

    handles: list[Artist] = []
    points = base.points
    if points is not None and len(points):
        inbox = points[
            (points["lon"] >= box[0])
            & (points["lon"] <= box[2])
            & (points["lat"] >= box[1])
            & (points["lat"] <= box[3])
        ]
        for layer, (label, colour, marker) in palettes.POINTS.items():
            pts = inbox[inbox["layer"] == layer]
            if len(pts):
                ax.scatter(
                    pts["lon"],
                    pts["lat"],
                    s=28,
                    c=colour,
                    marker=marker,
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=5,
                )
                handles.append(Line2D([], [], color=colour, marker=marker, linestyle="", label=label))
    has_grid = "density_level" in communes
    if has_grid:
        shown = sorted(
            {int(v) for v in (level_by_code.get(c) for c in near_codes) if v is not None and pd.notna(v)}
        )
        patches: list[Artist] = [
            Patch(facecolor=palettes.DENSITY_COLOURS[v], label=f"{v} {DENSITY_LABELS[v]}") for v in shown
        ]
        handles = patches + handles
    handles.append(Line2D([], [], color="#111111", linewidth=1.8, label="Territoire"))
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, framealpha=0.85)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    if {"lat", "lon", "name"} <= set(communes.columns):
        place_names(ax, communes, box, list(members["code"].astype(str))[:3])
    scale_bar(ax, box)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    caption = (
        "Communes colorées selon la grille communale de densité ; territoire cerclé de noir."
        if has_grid
        else "Grille de densité non chargée : communes en gris. Territoire cerclé de noir."
    )
    kinds = set(members["geometry_kind"].astype(str)) if "geometry_kind" in members else set()
    if "rebuilt" in kinds:
        caption += " Contour reconstitué à partir des communes déléguées."
    if kinds & {"point", "point_parent"}:
        caption += " Commune connue par un point seulement (pas encore de contour) : cercle noir."
    return base64.b64encode(buffer.getvalue()).decode("ascii"), caption


def _display_bounds(base: Base) -> pd.DataFrame:
    """Bounds of every commune's display geometry, computed once per base."""

    def make() -> pd.DataFrame:
        display = base.communes_display
        bounds = display.geometry.bounds
        bounds["code"] = display["code"].to_numpy()
        return bounds

    return base.memo("display_bounds", make)


def neighbours_png(base: Base, code: str, colour: str) -> bytes | None:
    """A small map (PNG) of one commune filled with ``colour`` among its outlined neighbours (no tiles)."""
    display = base.communes_display
    if not len(display) or "code" not in display or not base.has_geometry:
        return None
    bounds = _display_bounds(base)
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
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    others = [ring for geom in shapes[shapes["code"] != code].geometry for ring in _rings(geom)]
    mine = [ring for geom in shapes[shapes["code"] == code].geometry for ring in _rings(geom)]
    ax.add_collection(PolyCollection(others, facecolors="#eeeeee", edgecolors="#9e9e9e", linewidths=0.6))
    ax.add_collection(PolyCollection(mine, facecolors=colour, alpha=0.45, edgecolors=colour, linewidths=2))
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    communes = base.communes
    if {"lat", "lon", "name"} <= set(communes.columns):
        place_names(ax, communes, box, [code], fontsize=7)
    scale_bar(ax, box)
    ax.set_aspect(_aspect(box))
    ax.set_axis_off()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
