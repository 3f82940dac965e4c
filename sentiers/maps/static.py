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

import pandas as pd
import shapely
from matplotlib.artist import Artist
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sentiers.base.schema import DENSITY_LABELS
from sentiers.maps import layout, palettes
from sentiers.maps.layout import Box

if TYPE_CHECKING:
    from sentiers.base.store import Base

log = logging.getLogger(__name__)

MARGIN_DEG = 0.12
MAX_POLYGONS = 4000
FIG_SIZE = (6.4, 4.6)


def scale_bar(ax, box: Box, fontsize: float = 7) -> float:
    """A kilometre scale bar in the lower right corner (about a fifth of the width); returns its length in km."""
    minx, miny, maxx, maxy = box
    km_per_deg = layout.km_per_degree_lon((miny + maxy) / 2)
    length = layout.scale_length_km(box)
    x1 = maxx - (maxx - minx) * 0.04
    x0 = x1 - length / km_per_deg
    y = miny + (maxy - miny) * 0.05
    tick = (maxy - miny) * 0.012
    style = {"color": "#111111", "linewidth": 1.6, "solid_capstyle": "butt", "zorder": 8}
    ax.plot([x0, x1], [y, y], **style)
    ax.plot([x0, x0], [y - tick, y + tick], **style)
    ax.plot([x1, x1], [y - tick, y + tick], **style)
    ax.text(
        (x0 + x1) / 2,
        y + tick * 1.6,
        layout.km_text(length),
        ha="center",
        va="bottom",
        fontsize=fontsize,
        zorder=8,
        bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1},
    )
    return length


def place_names(
    ax,
    communes: pd.DataFrame,
    box: Box,
    first: list[str],
    fontsize: float = 6.5,
) -> list[str]:
    """Write :func:`choose_labels` on ``ax``; returns the names written."""
    miny, maxy = box[1], box[3]
    labels = layout.choose_labels(communes, box, first)
    for label in labels:
        ax.plot([label.lon], [label.lat], marker="o", markersize=2.2, color="#111111", zorder=7)
        ax.text(
            label.lon,
            label.lat + (maxy - miny) * 0.012,
            label.name,
            ha="center",
            va="bottom",
            fontsize=fontsize,
            zorder=7,
            weight="bold" if label.own else "normal",
            bbox={"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 0.6},
        )
    return [label.name for label in labels]


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
    box = layout.fit_box(
        (minx - margin, miny - margin, maxx + margin, maxy + margin), FIG_SIZE[0] / FIG_SIZE[1]
    )

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
        for ring in layout.rings(geom):
            polys.append(ring)
            colours.append(colour)

    stretch = layout.aspect(box)
    fig = Figure(figsize=FIG_SIZE, dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors="#ffffff", linewidths=0.3))
    outline_rings = layout.rings(outline)
    for ring in outline_rings:
        ax.plot(ring[:, 0], ring[:, 1], color="#111111", linewidth=1.8)
    if not outline_rings:  # a commune known only by a point
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
    ax.set_aspect(stretch)
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
