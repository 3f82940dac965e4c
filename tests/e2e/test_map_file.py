"""The file `sentiers map` writes draws in a browser with no network at all (README: a standalone map).

Chromium opens the written file with every request that is not the file itself refused (``page.route``): Leaflet
must come from the file, there must be no tiles to fetch, and the communes of the département must be drawn.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sentiers.cli import main

pytestmark = pytest.mark.e2e

# the folium map object of the page, and what Leaflet drew of it (the maps draw on a canvas: prefer_canvas)
DRAWN = """() => {
    const name = Object.keys(window).find(k => k.startsWith("map_") && window.L && window[k] instanceof L.Map);
    if (!name) { return {leaflet: typeof window.L, map: false}; }
    const map = window[name];
    let polygons = 0, drawn = 0;
    map.eachLayer(layer => {
        if (layer instanceof L.Polygon) {
            polygons += 1;
            if (layer._parts && layer._parts.length) { drawn += 1; }  // projected and clipped to the view
        }
    });
    const canvas = document.querySelector(".leaflet-overlay-pane canvas");
    let painted = 0;
    if (canvas) {
        const ctx = canvas.getContext("2d");
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4 * 97) { if (data[i] > 0) { painted += 1; } }
    }
    const tiles = document.querySelectorAll(".leaflet-tile").length;
    return {leaflet: typeof window.L, map: true, polygons, drawn, painted, tiles,
            paths: document.querySelectorAll(".leaflet-overlay-pane path").length};
}"""


def _open_offline(browser, html_file: Path) -> tuple[dict, list[str], list[str]]:
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="fr-FR")
    refused: list[str] = []
    errors: list[str] = []

    def only_the_file(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(html_file.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        return page.evaluate(DRAWN), refused, errors
    finally:
        context.close()


def test_the_written_map_draws_its_communes_with_no_network(browser, embedded_home, use_home, tmp_path):
    use_home(embedded_home)
    out = tmp_path / "drome.html"
    assert main(["map", "--departement", "26", "--layer", "rural", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    # no script nor style sheet from elsewhere, no tile server
    assert not re.findall(r"<script[^>]+src=|<link[^>]+stylesheet", html)
    assert not re.findall(r"""(?:src|href)=["']https?://[^"']*\.(?:js|css)""", html)
    assert "tile.openstreetmap.org" not in html
    seen, refused, errors = _open_offline(browser, out)
    assert not errors, errors
    assert not refused, refused  # nothing was even asked of the network
    assert seen["leaflet"] == "object" and seen["map"], seen
    from sentiers.base import open_base

    communes = open_base(embedded_home, geometry=False, build_if_missing=False).communes
    in_drome = int((communes["departement"] == "26").sum())
    assert in_drome > 300
    assert seen["polygons"] >= in_drome, seen  # each commune is a polygon (a few are several)
    assert seen["drawn"] >= in_drome * 0.9, seen  # and in view, drawn
    assert seen["painted"] > 100, seen  # the canvas holds colour
    assert seen["tiles"] == 0, seen


def test_tiles_are_asked_for_only_with_tuiles_osm(browser, embedded_home, use_home, tmp_path):
    use_home(embedded_home)
    out = tmp_path / "drome-osm.html"
    assert main(["map", "--departement", "26", "--layer", "rural", "--tuiles", "osm", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in html
    assert not re.findall(r"<script[^>]+src=|<link[^>]+stylesheet", html)  # Leaflet still in the file
    seen, refused, errors = _open_offline(browser, out)
    assert not errors, errors
    assert seen["drawn"] > 300, seen  # offline, the communes draw all the same
    assert refused and all("tile.openstreetmap.org" in url for url in refused), refused
