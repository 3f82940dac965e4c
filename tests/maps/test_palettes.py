"""One colour scale per theme: the web map and the fiche's static map draw density with the same seven colours."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
from matplotlib import image

from sentiers.maps import palettes, static
from sentiers.maps import web as maps


def lightness(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_density_scale_reads_as_rural_greens_and_urban_oranges():
    rural = [lightness(palettes.DENSITY_COLOURS[k]) for k in (5, 6, 7)]
    urban = [lightness(palettes.DENSITY_COLOURS[k]) for k in (4, 3, 2, 1)]
    assert rural == sorted(rural, reverse=True)  # more dispersed: darker green
    assert urban == sorted(urban, reverse=True)  # denser: darker orange
    for level, colour in palettes.DENSITY_COLOURS.items():
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert (g > r) == (level >= 5), (level, colour)
    # an unknown level never looks like a level, nor like the blank of "no score"
    assert palettes.UNKNOWN_COLOUR not in palettes.DENSITY_COLOURS.values()
    assert palettes.UNKNOWN_COLOUR != palettes.NO_VALUE_COLOUR
    # zonings do not borrow the density hues
    assert not set(palettes.FRR_COLOURS.values()) & set(palettes.DENSITY_COLOURS.values())


def test_web_and_static_maps_use_the_same_seven_colours(small_base):
    html = maps.map_html(maps.communes_map(small_base, departement="26", layers=["rural"]))
    classes = json.loads(re.search(r"var cls = (\{.*?\});", html).group(1))
    web = {int(k): v["f"] for k, v in classes.items() if k.isdigit()}
    assert web == palettes.DENSITY_COLOURS

    members = small_base.communes[small_base.communes["code"] == "26005"]
    png, _ = static.render_map_png(small_base, members, dpi=60)
    pixels = image.imread(io.BytesIO(base64.b64decode(png)))[..., :3]
    seen = {tuple(np.round(p * 255).astype(int)) for p in pixels.reshape(-1, 3)[::7]}
    drawn_levels = set(small_base.communes["density_level"].dropna().astype(int))
    for level in drawn_levels:
        colour = palettes.DENSITY_COLOURS[level]
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in seen, (level, colour)
