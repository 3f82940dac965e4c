"""A folium map on a page, its rendering done once per map instead of once per script run.

``st_folium`` renders the folium map on every run of the page: Jinja templates of every element, the leaflet
script (hundreds of KB of GeoJSON for a département) dedented and hashed. Under a workshop's load that was
about a fifth of the server's time on « Trouver » and « Carte », for maps that had not changed since the
previous run. Here :func:`prepare` does what ``st_folium`` does before it calls its component (the same
functions of streamlit_folium, in the same order), the result is kept in a shared cache keyed on what the map
shows, and :func:`show` hands it to streamlit_folium's component as ``st_folium`` would.
``tests/app/test_map_view.py`` checks that both give the component the same arguments, so an upgrade of
streamlit-folium that changes them fails a test instead of a map.

Only what the pages use is supported: a ``folium.Map`` (no DualMap), no dynamic feature groups or layer
control, no hover return.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf


@dataclass(frozen=True)
class PreparedMap:
    """The component's arguments that depend on the map only."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: dict[str, dict[str, float | None]]
    zoom: Any
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _linked(fmap: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """CSS and JS links of the map's elements, as st_folium collects them."""

    def walk(element):
        if isinstance(element, branca.colormap.ColorMap | folium.elements.JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for element in walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            js.insert(0, "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js")
            js.insert(0, "https://d3js.org/d3.v4.min.js")
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def _bounds(fmap: folium.Map) -> dict[str, dict[str, float | None]]:
    try:
        (south, west), (north, east) = fmap.get_bounds()
    except AttributeError:
        south = west = north = east = None
    return {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}


def prepare(fmap: folium.Map) -> PreparedMap:
    """Render ``fmap`` into the component's arguments (consumes the map: ``_get_map_string`` alters it)."""
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)  # before _get_map_string, which alters the folium structure
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    css, js = _linked(fmap)
    return PreparedMap(
        script=script,
        header=header,
        html=html,
        map_id=sf.get_full_id(fmap),
        bounds=_bounds(fmap),
        zoom=fmap.options.get("zoom") if hasattr(fmap, "options") else {},
        css_links=css,
        js_links=js,
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def _prepared(cache_key: tuple[Hashable, ...], _build: Callable[[], folium.Map]) -> PreparedMap:
    return prepare(_build())


def prepared(cache_key: tuple[Hashable, ...], build: Callable[[], folium.Map]) -> PreparedMap:
    """The map ``build()`` makes, prepared once for every session: ``cache_key`` must name everything the
    map shows (page, base stamp, scenario, département, layers, selection, tiles)."""
    return _prepared(cache_key, build)


def show(
    prepared_map: PreparedMap,
    *,
    key: str,
    height: int,
    returned_objects: Iterable[str],
) -> dict | None:
    """The map at the container's width; returns the ``returned_objects`` the browser sent, as st_folium."""
    returned = list(returned_objects)
    defaults = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": prepared_map.bounds,
        "zoom": prepared_map.zoom,
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }
    hash_key = sf.generate_js_hash(prepared_map.script, key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=prepared_map.script,
        header=prepared_map.header,
        html=prepared_map.html,
        id=prepared_map.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned,
        default={k: v for k, v in defaults.items() if k in returned},
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(prepared_map.css_links),
        js_links=list(prepared_map.js_links),
        on_change=on_change,
        wrap_longitude=False,
    )
