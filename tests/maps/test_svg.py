"""The SVG map of « Est-ce rural ? »: the commune among its neighbours, named, with a km scale, safe to show."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from sentiers.maps import layout, svg
from tests.maps.conftest import HOSTILE

NS = {"s": "http://www.w3.org/2000/svg"}


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def test_the_commune_is_filled_with_its_colour_among_its_outlined_neighbours(small_base):
    text = svg.neighbours_svg(small_base, "26001", "#2e7d32", "Commune 0 et ses voisines")
    root = _parse(text)
    paths = root.findall("s:path", NS)
    own = [p for p in paths if p.get("fill") == "#2e7d32"]
    others = [p for p in paths if p.get("fill") == svg.OTHERS_FILL]
    assert len(own) == 1 and len(others) == 1
    # one closed sub-path for the commune; its neighbours in the box (the 3x3 grid's corner: 26002, 26004, 26005)
    assert own[0].get("d").count("M") == 1 and own[0].get("d").endswith("Z")
    assert others[0].get("d").count("M") == 3
    assert root.find("s:title", NS).text == "Commune 0 et ses voisines"


def test_names_are_written_the_communes_own_first_in_bold_and_the_scale_is_in_km(small_base):
    root = _parse(svg.neighbours_svg(small_base, "26005", "#2e7d32"))
    texts = [(t.text, t.get("font-weight")) for t in root.findall("s:text", NS)]
    names = [name for name, _ in texts if not name.endswith("km")]
    # the commune itself first, in bold (its hostile name escaped in the SVG, read back as text)
    assert names[0] == HOSTILE and dict(texts)[HOSTILE] == "bold"
    scale = [name for name, _ in texts if name.endswith("km")]
    assert len(scale) == 1 and re.fullmatch(r"[\d,]+ km", scale[0]) and "mi" not in scale[0]


def test_hostile_names_are_text_never_markup(small_base):
    text = svg.neighbours_svg(small_base, "26005", "#2e7d32", title=HOSTILE)
    assert "<script" not in text and "&lt;script&gt;" in text
    assert not _parse(text).findall(".//s:script", NS)


def test_ground_lengths_keep_their_ratio_and_the_scale_bar_measures_what_it_says(small_base):
    view = layout.neighbour_view(small_base, "26005")
    projection = svg.Projection(view.box)
    minx, miny, maxx, maxy = view.box
    # a degree of longitude at 44.65° N is cos(44.65°) of a degree of latitude on the ground
    west, east = projection.point(minx, miny), projection.point(maxx, miny)
    south, north = projection.point(minx, miny), projection.point(minx, maxy)
    ground_ratio = (maxx - minx) * layout.km_per_degree_lon((miny + maxy) / 2) / ((maxy - miny) * 111.32)
    assert (east[0] - west[0]) / (south[1] - north[1]) == pytest.approx(ground_ratio, rel=0.01)
    root = _parse(svg.neighbours_svg(small_base, "26005", "#2e7d32"))
    bar = [p for p in root.iter(f"{{{NS['s']}}}path") if p.get("d", "").count("H") == 1][0].get("d")
    x0, x1 = (float(v) for v in re.match(r"M([\d.]+),[\d.]+H([\d.]+)", bar).groups())
    km_per_px = (maxx - minx) * layout.km_per_degree_lon((miny + maxy) / 2) / projection.width
    assert (x1 - x0) * km_per_px == pytest.approx(layout.scale_length_km(view.box), rel=0.02)


def test_names_stay_inside_the_frame(small_base):
    base = small_base
    base.communes.loc[base.communes["code"] == "26007", "name"] = "Saint-Martin-de-la-Longue-Vallée-du-Bout"
    root = _parse(svg.neighbours_svg(base, "26007", "#2e7d32"))
    width = float(root.get("width"))
    for text in root.findall("s:text", NS):
        half = len(text.text) * svg.LABEL_SIZE * 0.3
        assert half <= float(text.get("x")) <= width - half


def test_no_outline_no_map(small_base):
    assert svg.neighbours_svg(small_base, "99999", "#2e7d32") is None


@pytest.mark.mirror
def test_real_communes_draw_in_milliseconds_with_their_names(mirror_base):
    """Die (26113), Saint-Flour (15141), Aix-en-Provence (13001), Paris (75056), Ajaccio (2A004): each one's
    own name is written first and its neighbours are outlined; the map is small enough to send at once."""
    for code in ("26113", "15141", "13001", "75056", "2A004"):
        name = mirror_base.communes.set_index("code").at[code, "name"]
        text = svg.neighbours_svg(mirror_base, code, "#2e7d32")
        root = _parse(text)
        written = [t.text for t in root.findall("s:text", NS)]
        assert written[0] == name, (code, written)
        others = [p for p in root.findall("s:path", NS) if p.get("fill") == svg.OTHERS_FILL][0]
        assert others.get("d").count("M") >= 4, code
        assert len(text) < 200_000, (code, len(text))
