"""« Carte » in a real browser: click a département on the map of France, see its communes, click one of them,
see its card; the selection is in the URL and a shared URL reopens it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _map_frame(app):
    """The Leaflet map of the page, once drawn (st_folium puts it in an iframe as ``window.map``)."""
    iframe = app.page.locator(MAP_FRAME).first
    iframe.wait_for(state="visible", timeout=60_000)
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function(
        "() => window.map && window.map._loaded && !window.map._animatingZoom", timeout=60_000
    )
    app.page.wait_for_timeout(800)  # fitBounds may still be panning
    return iframe, frame


def _layer_count(frame) -> int:
    """Features drawn on the map (polygons are drawn on a canvas: count Leaflet's layers, not SVG paths)."""
    return frame.evaluate(
        "() => { let n = 0; window.map.eachLayer(l => { if (l.feature) n += 1; }); return n; }"
    )


def _click_at(app, lon: float, lat: float) -> None:
    """A real mouse click where the map draws (lon, lat)."""
    iframe, frame = _map_frame(app)
    x, y = frame.evaluate(
        """([lat, lon]) => {
            const p = window.map.latLngToContainerPoint([lat, lon]);
            const r = window.map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [lat, lon],
    )
    box = iframe.bounding_box()
    app.page.mouse.click(box["x"] + x, box["y"] + y)


def _inside(geometry) -> tuple[float, float]:
    point = geometry.representative_point()
    return point.x, point.y


def _query(app) -> dict[str, list[str]]:
    return parse_qs(urlparse(app.page.url).query)


def test_click_a_departement_then_a_commune(app, mirror_base):
    communes = mirror_base.communes
    deps = mirror_base.departements.set_index("code")
    app.goto("carte")
    _, frame = _map_frame(app)
    assert _layer_count(frame) >= 96  # métropole at least, one feature per département
    app.screenshot("carte-france")

    _click_at(app, *_inside(deps.loc["26", "geometry"]))  # la Drôme
    app.page.wait_for_function(
        "() => new URL(location.href).searchParams.get('dep') === '26'", timeout=60_000
    )
    app.wait_idle(timeout_ms=120_000)
    in_dep = communes[communes["departement"] == "26"]
    assert "26" in app.page.locator(".st-key-carte_dep input").input_value()
    _, frame = _map_frame(app)
    frame.wait_for_function(
        f"() => {{ let n = 0; window.map.eachLayer(l => {{ if (l.feature) n += 1; }}); return n >= {len(in_dep)}; }}",
        timeout=60_000,
    )
    app.screenshot("carte-departement")

    # the places (France services...) are drawn over the communes: hide them, then click the commune itself
    app.page.locator(".st-key-carte_points label").click()
    app.wait_idle(timeout_ms=120_000)
    die = in_dep[in_dep["code"] == "26113"].iloc[0]
    _click_at(app, *_inside(die.geometry))
    app.page.wait_for_function(
        "() => new URL(location.href).searchParams.get('commune') === '26113'", timeout=60_000
    )
    app.wait_idle(timeout_ms=120_000)
    assert die["name"] in app.page.locator(".st-key-carte_commune input").input_value()
    assert "fiche?code=26113" in app.page.content()
    app.screenshot("carte-commune")
    app.check_clean()


def test_a_shared_map_url_reopens_the_selection(app, mirror_base):
    communes = mirror_base.communes
    die = communes[communes["code"] == "26113"].iloc[0]
    app.goto("carte", dep="26", commune="26113")
    assert "26" in app.page.locator(".st-key-carte_dep input").input_value()
    assert die["name"] in app.page.locator(".st-key-carte_commune input").input_value()
    assert "fiche?code=26113" in app.page.content()
    _, frame = _map_frame(app)
    assert _layer_count(frame) >= int((communes["departement"] == "26").sum())
    app.check_clean()


def test_an_unknown_departement_in_the_url_is_explained(app):
    app.goto("carte", dep="ZZ")
    assert "Département inconnu" in app.text()
    assert not app.exceptions()
