"""Leaflet served by the app itself (sentiers/maps/leaflet), so the map page needs no CDN (helper, not a page).

Streamlit serves a declared component's folder at /component/<name>/; declaring it from this importable
module (a page script is not one) gives it a stable name.
"""

from __future__ import annotations

import streamlit.components.v1 as components

from sentiers.maps.web import LEAFLET_DIR


def leaflet_url() -> str:
    """URL of the folder holding leaflet.js and leaflet.css, relative to st_folium's frame.

    st_folium's frame lives at /component/streamlit_folium.st_folium/index.html: a relative URL to the
    sibling component folder also works under a server base path.
    """
    assets = components.declare_component("sentiers_leaflet", path=str(LEAFLET_DIR))
    return f"../{assets.name}"
