"""app_pages/map_view.py hands streamlit_folium's component what st_folium would, from a map prepared once."""

from __future__ import annotations

import re

import pytest
import streamlit_folium as sf

from app_pages import map_view
from sentiers.maps.web import communes_map, france_map
from tests.maps.conftest import tiny_base

# folium names every element with a random hex id; st_folium's own hash ignores them the same way
RANDOM_ID = re.compile(r"_[a-f0-9]{32}")


def _maps():
    base = tiny_base()
    yield "communes", lambda: communes_map(base, departement="26", layers=["rural", "services"], tiles=None)
    yield (
        "scores",
        lambda: communes_map(
            base,
            departement="26",
            layers=(),
            scores=base.communes.set_index("code")["population"].astype(float) / 10,
            selected="26005",
            tiles=None,
        ),
    )
    yield "france", lambda: france_map(base, tiles=None)


@pytest.mark.parametrize(("name", "build"), list(_maps()), ids=[name for name, _ in _maps()])
def test_the_component_gets_what_st_folium_would_give_it(monkeypatch, name, build):
    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: calls.append(kwargs) or None)
    returned = ["last_active_drawing"]
    sf.st_folium(build(), key="m", height=600, use_container_width=True, returned_objects=returned)
    map_view.show(map_view.prepare(build()), key="m", height=600, returned_objects=returned)
    theirs, ours = calls
    assert set(ours) == set(theirs)
    for arg in theirs:
        if arg == "on_change":
            continue
        mine, expected = ours[arg], theirs[arg]
        if isinstance(expected, str):
            mine, expected = RANDOM_ID.sub("", mine), RANDOM_ID.sub("", expected)
        assert mine == expected, arg
    assert ours["script"] and "L.map" in ours["script"]


def test_a_prepared_map_is_built_once_for_every_session():
    built: list[int] = []

    def build():
        built.append(1)
        return communes_map(tiny_base(), departement="26", layers=["rural"], tiles=None)

    first = map_view.prepared(("test", "26", "rural"), build)
    again = map_view.prepared(("test", "26", "rural"), build)
    other = map_view.prepared(("test", "23", "rural"), build)
    assert first is again and other is not first
    assert len(built) == 2
