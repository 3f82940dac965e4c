"""The map page (app_pages/carte.py) run by Streamlit's AppTest on real bases."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _page(home: Path, monkeypatch, **params: str) -> AppTest:
    monkeypatch.setenv("SENTIERS_HOME", str(home))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app_pages" / "carte.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_france_view_lists_coverage_contact_and_faq(embedded_home, monkeypatch):
    at = _page(embedded_home, monkeypatch)
    text = _markdown(at)
    for name in ("Ronalpia", "Atis", "Adress", "Les Écossolies", "membre du Kiif de la région, à compléter"):
        assert name in text
    assert "Lucas PERRIER" in text and "lucas.perrier@ronalpia.fr" in text
    assert any("contacter" in i.value for i in at.info)
    dep = _selectbox(at, "Département")
    assert len(dep.options) == 102  # France entière + 101 départements
    assert "Commune" not in [s.label for s in at.selectbox]


def test_choosing_a_departement_then_a_commune(embedded_home, monkeypatch):
    at = _page(embedded_home, monkeypatch)
    _selectbox(at, "Département").set_value("26").run()
    assert not at.exception
    assert at.query_params["dep"] == ["26"] or at.query_params["dep"] == "26"
    # the embedded base has no density grid: the page says so and how to get it
    assert any("page d'accueil" in i.value for i in at.info)
    commune = _selectbox(at, "Commune")
    assert "Die (26113)" in commune.options
    commune.set_value("26113").run()
    assert not at.exception
    text = _markdown(at)
    assert "Die (26113)" in text
    assert "fiche?code=26113" in text
    assert "Population" in text
    qp = dict(at.query_params)
    assert "26113" in str(qp.get("commune"))
    # back to France clears the selection
    next(b for b in at.button if b.key == "carte_back").click().run()
    assert not at.exception
    assert _selectbox(at, "Département").value == ""
    assert "dep" not in at.query_params


def test_selection_from_the_url(embedded_home, monkeypatch):
    at = _page(embedded_home, monkeypatch, dep="26", commune="26113")
    assert _selectbox(at, "Département").value == "26"
    assert "Die (26113)" in _markdown(at)


def test_unknown_departement_in_the_url_is_said_in_french(embedded_home, monkeypatch):
    at = _page(embedded_home, monkeypatch, dep="99")
    assert any("Département inconnu" in w.value for w in at.warning)
    assert _selectbox(at, "Département").value == ""


def test_mirror_base_shows_the_rural_verdict_and_no_missing_layer(mirror_home, monkeypatch):
    at = _page(mirror_home, monkeypatch, dep="23", commune="23096")  # Guéret
    assert not [i for i in at.info if "page d'accueil" in i.value]
    text = _markdown(at)
    assert "Guéret (23096)" in text
    assert "Commune urbaine" in text or "Commune rurale" in text
    assert "France Ruralités Revitalisation" in text
    captions = "\n".join(c.value for c in at.caption)
    assert "Sources des zonages" in captions and "population" in captions
    assert "non couvert" in _selectbox(at, "Département").format_func("23")


@pytest.mark.parametrize("theme", ["frr", "programmes"])
def test_themes_render(mirror_home, monkeypatch, theme):
    at = _page(mirror_home, monkeypatch, dep="26")
    at.radio(key="carte_theme").set_value(theme).run()
    assert not at.exception


def test_map_script_as_streamlit_folium_sends_it_defines_what_it_uses(embedded_base):
    """st_folium renames elements; every layer variable the script uses must be declared in it."""
    import re

    from streamlit_folium import _get_map_string

    from sentiers.maps import web as maps

    for m in (
        maps.france_map(embedded_base),
        maps.communes_map(embedded_base, departement="26", layers=["rural", "services"], selected="26113"),
    ):
        m.get_root().render()
        script = _get_map_string(m)
        used = set(re.findall(r"\b(compact_geo_json_\w+)\b", script))
        declared = set(re.findall(r"var (compact_geo_json_\w+)", script))
        assert used and used <= declared, used - declared


def test_region_view(embedded_home, monkeypatch):
    at = _page(embedded_home, monkeypatch, dep="26")
    at.checkbox(key="carte_region_view").check().run()
    assert not at.exception
    assert _selectbox(at, "Département").value == "26"
