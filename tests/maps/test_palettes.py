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


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference of two #rrggbb colours (about 2.3: just noticeable; 15: plainly different)."""

    def lab(colour: str) -> tuple[float, float, float]:
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in rgb]
        x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
        y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

        def f(t: float) -> float:
            return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

        return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))

    return sum((u - v) ** 2 for u, v in zip(lab(a), lab(b), strict=True)) ** 0.5


THEMES = {
    "density": {
        **{str(k): v for k, v in palettes.DENSITY_COLOURS.items()},
        "inconnu": palettes.UNKNOWN_COLOUR,
    },
    "frr": {**palettes.FRR_COLOURS, "autre": palettes.FRR_OTHER_COLOUR},
    "programmes": {k: colour for k, (_label, colour) in palettes.PROGRAMMES.items()},
    "points": {k: colour for k, (_label, colour, _m) in palettes.POINTS.items()},
}


def test_every_class_of_a_theme_is_told_apart():
    for theme, colours in THEMES.items():
        items = list(colours.items())
        for i, (name_a, a) in enumerate(items):
            for name_b, b in items[i + 1 :]:
                assert delta_e(a, b) >= 15, (theme, name_a, name_b, round(delta_e(a, b), 1))
    # level 7 (rural à habitat très dispersé) never reads as « niveau inconnu »
    assert delta_e(palettes.DENSITY_COLOURS[7], palettes.UNKNOWN_COLOUR) >= 30


def test_points_stand_out_on_every_area_theme():
    for point, colour in THEMES["points"].items():
        for theme in ("density", "frr", "programmes"):
            for name, area in THEMES[theme].items():
                assert delta_e(colour, area) >= 15, (point, theme, name, round(delta_e(colour, area), 1))


def test_web_maps_scale_in_kilometres_and_legends_follow_their_layer(small_base):
    html = maps.map_html(maps.communes_map(small_base, departement="26", layers=["rural", "frr", "services"]))
    assert "control_scale" not in html and "imperial: false" in html
    # two polygon layers, one shown: each legend is tied to its layer and shows only while it is on
    assert html.count("map.hasLayer(") >= 1
    assert "overlayadd overlayremove" in html


def test_static_maps_name_places_and_scale_in_km(small_base):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    box = (5.2, 44.6, 5.6, 44.9)  # about 32 km wide at 44.75° N
    assert static.scale_bar(ax, box) == 5  # the largest round length under a quarter of the width
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["5 km"] and not any("mi" in t for t in texts)
    members = small_base.communes[small_base.communes["code"] == "26005"]
    written = static.place_names(ax, small_base.communes, (4.0, 43.0, 7.0, 46.0), ["26005"])
    assert written and written[0] == str(members["name"].iloc[0])  # the territory's own name first
