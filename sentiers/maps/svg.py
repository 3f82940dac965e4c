"""The small map of « Est-ce rural ? » as SVG text: one commune filled with its verdict's colour among its
outlined neighbours, their names and a kilometre scale bar; no tiles, no script, no matplotlib.

Why SVG and not the matplotlib PNG of the fiche: under a workshop's load the verdict card's map was the slowest
part of the page (0.05–0.1 s of CPU per commune, a quarter of it rasterising place names' glyphs), and every
session's script waits for the others' CPU (one GIL). Writing the display outlines (already simplified when the
base is built) as SVG paths takes a few milliseconds; the browser draws it. The framing, the names and the scale
come from maps/layout.py, as for the fiche's map.

The SVG is shown through ``st.image`` (an <img> of a data URI: any script in it would not run) and every text
in it is XML-escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import numpy as np

from sentiers.maps import layout

if TYPE_CHECKING:
    from sentiers.base.store import Base

SIZE = 400  # px, the map's larger side
OTHERS_FILL, OTHERS_EDGE = "#eeeeee", "#9e9e9e"
INK = "#111111"
LABEL_SIZE = 11  # px
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


class Projection:
    """Degrees to SVG pixels for ``box``: longitude shortened by cos(latitude), y pointing down."""

    def __init__(self, box: layout.Box) -> None:
        self.minx, self.miny, self.maxx, self.maxy = box
        width_deg = self.maxx - self.minx
        height_deg = (self.maxy - self.miny) * layout.aspect(box)
        self.scale = SIZE / max(width_deg, height_deg)
        self.stretch = layout.aspect(box)
        self.width = round(width_deg * self.scale)
        self.height = round(height_deg * self.scale)

    def xy(self, points: np.ndarray) -> np.ndarray:
        x = (points[:, 0] - self.minx) * self.scale
        y = (self.maxy - points[:, 1]) * self.stretch * self.scale
        return np.column_stack([x, y])

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.xy(np.array([[lon, lat]]))[0]
        return float(x), float(y)


def _path(rings: list[np.ndarray], projection: Projection) -> str:
    """One SVG path for ``rings`` (closed), coordinates to a tenth of a pixel."""
    parts = []
    for ring in rings:
        xy = np.round(projection.xy(ring), 1)
        if len(xy) < 3:
            continue
        coords = " ".join(f"{x:g},{y:g}" for x, y in xy)
        parts.append(f"M{coords}Z")
    return "".join(parts)


def _scale_bar(projection: Projection, box: layout.Box) -> str:
    length = layout.scale_length_km(box)
    px = length / layout.km_per_degree_lon((box[1] + box[3]) / 2) * projection.scale
    x1 = projection.width * 0.96
    x0 = x1 - px
    y = projection.height * 0.95
    tick = 5
    text = escape(layout.km_text(length))
    return (
        f'<g stroke="{INK}" stroke-width="2" fill="none">'
        f'<path d="M{x0:.1f},{y:.1f}H{x1:.1f}M{x0:.1f},{y - tick:.1f}V{y + tick:.1f}'
        f'M{x1:.1f},{y - tick:.1f}V{y + tick:.1f}"/></g>'
        f'<text x="{(x0 + x1) / 2:.1f}" y="{y - tick - 3:.1f}" text-anchor="middle" font-size="12" '
        f'class="halo">{text}</text>'
    )


def neighbours_svg(base: Base, code: str, colour: str, title: str = "") -> str | None:
    """The commune ``code`` filled with ``colour`` among its neighbours, as an SVG document; None when the
    commune has no outline in the base."""
    view = layout.neighbour_view(base, code)
    if view is None:
        return None
    projection = Projection(view.box)
    body = [
        f'<path d="{_path(view.others, projection)}" fill="{OTHERS_FILL}" stroke="{OTHERS_EDGE}" '
        'stroke-width="0.8" stroke-linejoin="round"/>',
        f'<path d="{_path(view.mine, projection)}" fill="{escape(colour)}" fill-opacity="0.45" '
        f'stroke="{escape(colour)}" stroke-width="2.5" stroke-linejoin="round"/>',
    ]
    for label in view.labels:
        x, y = projection.point(label.lon, label.lat)
        weight = ' font-weight="bold"' if label.own else ""
        # keep the whole name inside the frame: its centre moves, the dot stays on the place
        half = len(label.name) * LABEL_SIZE * 0.3
        text_x = min(max(x, half + 2), projection.width - half - 2)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{INK}"/>')
        body.append(
            f'<text x="{text_x:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="{LABEL_SIZE}"{weight} '
            f'class="halo">{escape(label.name)}</text>'
        )
    body.append(_scale_bar(projection, view.box))
    heading = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {projection.width} {projection.height}" '
        f'width="{projection.width}" height="{projection.height}" role="img" font-family="{FONT}">'
        f"{heading}<style>.halo{{fill:{INK};stroke:#fff;stroke-width:3px;stroke-opacity:.8;"
        "paint-order:stroke;stroke-linejoin:round}</style>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(body)}</svg>'
    )
