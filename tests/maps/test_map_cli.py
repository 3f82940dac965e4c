"""`sentiers map`: a standalone HTML file, or exit code 2 with one French line."""

from __future__ import annotations

import pytest

from sentiers.cli import main


@pytest.fixture
def emb_home(embedded_home, use_home):
    return use_home(embedded_home)


def test_writes_a_standalone_departement_map(emb_home, tmp_path, capsys):
    assert main(["map", "--departement", "26", "-o", str(tmp_path / "absent" / "drome.html")]) == 2
    assert "dossier de sortie n'existe pas" in capsys.readouterr().err  # a typo does not create folders
    out = tmp_path / "drome.html"
    assert main(["map", "--departement", "26", "--layer", "rural", "coverage", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "leaflet" in html and "L.geoJSON(" in html
    assert '"c":"26113"' in html  # Die
    assert "Ronalpia (Lyon)" in html
    assert "Grille communale de densité" in html
    assert "Carte écrite" in capsys.readouterr().out
    assert not list(out.parent.glob(".*.part"))  # no temporary file left


def test_the_written_map_needs_no_network(emb_home, tmp_path):
    """Leaflet is in the file (no CDN, nothing loaded without integrity) and no tiles unless asked."""
    import re

    out = tmp_path / "drome.html"
    assert main(["map", "--departement", "26", "--layer", "rural", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert not re.findall(r"<script[^>]+src=|<link[^>]+stylesheet", html)
    assert not re.findall(r"https?://[^\"' ]+\.(?:js|css)\b", html)
    assert "tile.openstreetmap.org" not in html and "L.tileLayer" not in html
    assert "Leaflet 1.9.4" in html or "leaflet" in html.lower()
    assert "data:image/png;base64," in html  # the layer control's images too
    out_osm = tmp_path / "drome-osm.html"
    assert main(["map", "--departement", "26", "--tuiles", "osm", "-o", str(out_osm)]) == 0
    assert "tile.openstreetmap.org" in out_osm.read_text(encoding="utf-8")


def test_writes_the_france_map(emb_home, tmp_path):
    out = tmp_path / "france.html"
    assert main(["map", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count('"g":"dep"') == 101
    assert "Guadeloupe" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--departement", "99"], "Département inconnu : « 99 »"),
        (["--departement", "2C"], "Département inconnu"),
        (["--region", "99"], "Région inconnue : « 99 »"),
        (["--layer", "rural"], "précisez --departement CODE ou --region CODE"),
    ],
)
def test_bad_input_exits_2_with_one_line(emb_home, tmp_path, capsys, args, message):
    out = tmp_path / "x.html"
    assert main(["map", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_output_must_be_html(emb_home, tmp_path, capsys):
    assert main(["map", "--departement", "26", "-o", str(tmp_path / "x.png")]) == 2
    assert ".html" in capsys.readouterr().err


def test_region_map_defaults_to_one_polygon_layer(emb_home, tmp_path):
    out = tmp_path / "aura.html"
    assert main(["map", "--region", "84", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("L.geoJSON(") == 1  # no points in the embedded base: rurality only
    assert out.stat().st_size < 5 * 1024 * 1024
