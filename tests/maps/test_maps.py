"""Map builders: the expected features, classes and legends, escaped names, compact payloads."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from sentiers.maps import payload
from sentiers.maps import web as maps
from tests.maps.conftest import HOSTILE

ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def _geojson_blobs(html: str) -> list[dict]:
    """Every FeatureCollection embedded by CompactGeoJson layers."""
    out = []
    for match in re.finditer(r"L\.geoJSON\((\{\"type\":\"FeatureCollection\".*?\}), \{\n", html, flags=re.S):
        out.append(json.loads(match.group(1).replace("<\\/", "</")))
    return out


def test_france_map_colours_covered_departements_and_names_the_incubator(small_base):
    html = maps.map_html(maps.france_map(small_base))
    blobs = _geojson_blobs(html)
    assert len(blobs) == 1
    props = {f["properties"]["c"]: f["properties"] for f in blobs[0]["features"]}
    assert props["26"]["k"] == "1" and "Ronalpia (Lyon)" in props["26"]["x"]
    assert props["23"]["k"] == "0" and "contactez le programme" in props["23"]["x"]
    assert set(props["26"]) == {"c", "n", "k", "x", "g"}
    # the Outre-mer selector and the legend
    for label in ("Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte", "Métropole"):
        assert label in html
    assert "Couvert par Les Sentiers (2024)" in html
    assert "édition 2024" in html


def test_commune_map_escapes_names_everywhere(small_base):
    html = maps.map_html(maps.communes_map(small_base, departement="26", selected="26005"))
    assert HOSTILE not in html
    assert "<script>alert" not in html
    assert ESCAPED in html
    # point labels and addresses are escaped too
    assert "France services &lt;b&gt;Crest&lt;/b&gt;" in html
    assert "Fabrique &amp; co" in html
    assert "1 rue &quot;Haute&quot;" in html


def test_commune_map_layers_and_legends(small_base):
    m = maps.communes_map(small_base, departement="26")
    html = maps.map_html(m)
    layers = [c for c in m._children.values() if isinstance(c, maps.CompactGeoJson)]
    names = [layer.layer_name for layer in layers]
    assert names == [
        "Ruralité (grille de densité)",
        "Zonage FRR",
        "Programmes ANCT (PVD, VA, ACV)",
        "France services",
        "Fabriques de territoire",
    ]
    rural = _geojson_blobs(html)[0]
    assert len(rural["features"]) == 9
    by_code = {f["properties"]["c"]: f["properties"]["k"] for f in rural["features"]}
    assert by_code["26001"] == "1" and by_code["26007"] == "7"
    frr = _geojson_blobs(html)[1]
    assert {f["properties"]["k"] for f in frr["features"]} == {"FRR socle", "FRR+"}  # "Non classée" not drawn
    prog = _geojson_blobs(html)[2]
    assert {f["properties"]["c"]: f["properties"]["k"] for f in prog["features"]} == {
        "26002": "pvd",
        "26003": "va",
    }
    # the rurality legend reads without help: every level named, rural/urban groups, the source
    for level, label in maps.DENSITY_LABELS.items():
        assert f"{level} · {label}" in html
    assert "Rural (niveaux 5 à 7)" in html and "Urbain (niveaux 1 à 4)" in html
    assert "Source : Insee, grille 2024" in html
    assert "France Ruralités Revitalisation" in html


def test_only_the_first_polygon_layer_is_shown(small_base):
    m = maps.communes_map(small_base, departement="26", layers=["frr", "rural"])
    layers = {c.layer_name: c.show for c in m._children.values() if isinstance(c, maps.CompactGeoJson)}
    assert layers["Zonage FRR"] is True
    assert layers["Ruralité (grille de densité)"] is False


def test_scores_layer(small_base):
    scores = pd.Series({"26001": 5.0, "26002": 99.5, "26003": 60.0})
    m = maps.communes_map(small_base, departement="26", layers=["rural"], scores=scores)
    html = maps.map_html(m)
    blob = _geojson_blobs(html)[0]
    keys = {f["properties"]["c"]: f["properties"]["k"] for f in blob["features"]}
    assert keys["26001"] == "0" and keys["26002"] == "4" and keys["26003"] == "3" and keys["26004"] == "u"
    assert "Score : 99,5" in html
    assert "Pas de score" in html


def test_unknown_code_is_a_french_error(small_base):
    from sentiers.errors import SentiersError

    with pytest.raises(SentiersError, match="Département inconnu"):
        maps.communes_map(small_base, departement="2C")
    with pytest.raises(SentiersError, match="Région inconnue"):
        maps.communes_map(small_base, region="99")


def test_missing_layers_say_how_to_load_them(small_base):
    small_base.communes = small_base.communes.drop(columns=["density_level", "frr"])
    notes = maps.missing_layers(small_base, ["rural", "frr", "programmes", "services"])
    assert len(notes) == 2
    assert all("page d'accueil" in n and "uv run" not in n for n in notes)
    # the map still draws, levels unknown
    html = maps.map_html(maps.communes_map(small_base, departement="26"))
    assert "Niveau de densité inconnu" in html


def test_payload_rounds_coordinates_and_keeps_only_asked_properties(small_base):
    frame = maps.commune_frame(small_base, departement="26")
    frame.loc[0, "geometry"] = frame.loc[0, "geometry"].buffer(0.0123456789)
    doc = payload.feature_collection(frame, ["code"], decimals=3)
    text = payload.dumps(doc)
    assert not re.search(r"\d\.\d{4,}", text)
    assert set(doc["features"][0]["properties"]) == {"code"}
    assert ", " not in text and ": " not in text
    assert "</" not in payload.dumps({"n": "</script>"})


def test_region_map(small_base):
    html = maps.map_html(maps.communes_map(small_base, region="84", layers=["rural"]))
    assert len(_geojson_blobs(html)[0]["features"]) == 9


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed: JavaScript syntax not checked"
)
def test_generated_javascript_parses(small_base, tmp_path):
    html = maps.map_html(maps.communes_map(small_base, departement="26", selected="26001"))
    html += maps.map_html(maps.france_map(small_base))
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert scripts
    for i, script in enumerate(scripts):
        path = tmp_path / f"s{i}.js"
        path.write_text(script, encoding="utf-8")
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_maps_load_leaflet_only_and_tiles_can_be_switched_off(small_base, monkeypatch):
    html = maps.map_html(maps.communes_map(small_base, departement="26"))
    urls = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert urls and all("leaflet" in u for u in urls)
    assert "tile.openstreetmap.org" in html
    monkeypatch.setenv("SENTIERS_MAP_TILES", "none")
    assert "tile.openstreetmap.org" not in maps.map_html(maps.france_map(small_base))


def test_page_maps_need_no_outside_request(small_base):
    """With the app's own Leaflet and no tiles, the map HTML names no outside URL."""
    assert (maps.LEAFLET_DIR / "leaflet.js").is_file() and (maps.LEAFLET_DIR / "leaflet.css").is_file()
    for m in (
        maps.france_map(small_base, tiles=None, leaflet_url="../assets"),
        maps.communes_map(small_base, departement="26", tiles=None, leaflet_url="../assets"),
    ):
        html = maps.map_html(m)
        assert "../assets/leaflet.js" in html and "../assets/leaflet.css" in html
        assert not re.findall(r'(?:src|href)="https?://', html)
        assert "tile.openstreetmap.org" not in html


def test_data_in_a_layer_is_never_read_as_a_template(small_base):
    # the layer's script (its GeoJSON) goes to the page as it is: a name is never evaluated by Jinja
    small_base.communes.loc[small_base.communes["code"] == "26005", "name"] = (
        "Saint-{{ 7*7 }}-{% if 1 %}x{% endif %}"
    )
    html = maps.map_html(maps.communes_map(small_base, departement="26", selected="26005"))
    assert "Saint-{{ 7*7 }}-{% if 1 %}x{% endif %}" in html
    assert "Saint-49" not in html


def test_layers_from_cached_geometry_text_are_the_plain_serialisation(small_base):
    frame = maps.commune_frame(small_base, departement="26")
    props = [{"c": c} for c in frame["code"]]
    expected = payload.dumps(
        {"type": "FeatureCollection", "features": payload.features(frame.geometry, props)}
    )
    assert payload.features_text(frame[maps.GEOJSON], props) == expected
    frame.loc[0, "geometry"] = frame.loc[0, "geometry"].buffer(0.1)  # the caller's copy, not the base's
    assert (
        maps.commune_frame(small_base, departement="26")[maps.GEOJSON].tolist()
        == frame[maps.GEOJSON].tolist()
    )
    assert (
        not maps.commune_frame(small_base, departement="26").geometry.iloc[0].equals(frame.geometry.iloc[0])
    )
