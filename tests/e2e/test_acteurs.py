"""« Acteurs du territoire » in a real browser: Die and the CC du Diois, the app talking to a local API server.

The app server of this module is its own: SENTIERS_ENTREPRISES_API points at a local server answering like the
API « Recherche d'entreprises » (tests/actors/fake_api.py), SENTIERS_HOME is a fresh folder reading the mirror
base (its own actors cache). Nothing leaves the machine: the map has no tiles and Leaflet comes from the app.
"""

from __future__ import annotations

import re
import sys

import pytest

from tests.actors.fake_api import FakeApi, diois_communes, diois_dataset, linked_home, serve

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


@pytest.fixture(scope="module")
def actors_api(mirror_base):
    with serve(FakeApi(dataset=diois_dataset(diois_communes(mirror_base)))) as api:
        yield api


@pytest.fixture(scope="module")
def actors_server(mirror_home, actors_api, tmp_path_factory):
    server_mod = sys.modules["sentiers_e2e_server"]  # loaded by tests/e2e/conftest.py

    home = linked_home(mirror_home, tmp_path_factory.mktemp("actors-home"))
    log_path = tmp_path_factory.mktemp("streamlit-actors") / "streamlit.log"
    with server_mod.run_app(home, log_path, extra_env={"SENTIERS_ENTREPRISES_API": actors_api.url}) as server:
        yield server
    assert "Traceback (most recent call last)" not in server.log(), server.log()[-5000:]


@pytest.fixture
def page(actors_server, app_factory):
    return app_factory(actors_server.url)


def _metric(app, label: str) -> str:
    metric = app.page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def _map_legend(app) -> str:
    """The legend of the map (points are drawn on a canvas): one line per family with its count."""
    frame = app.page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".leaflet-container canvas").first.wait_for(timeout=30_000)
    return frame.locator(".sentiers-legend").inner_text()


def test_die(page, actors_api):
    page.goto("acteurs", code="26113", level="commune")
    page.wait_idle(timeout_ms=120_000)
    page.screenshot("acteurs-die")
    text = page.text()
    assert "Acteurs du territoire" in text and "Liste du " in text and "Licence Ouverte" in text
    assert _metric(page, "Acteurs de l'ESS") == "7"
    cells = " ".join(page.table_cells())
    assert "CENTRE SOCIAL DU DIOIS" in cells and "DIOIS INSERTION" in cells and "DUPONT" not in cells
    legend = _map_legend(page)
    assert "Association employeuse (3)" in legend and "Incubateur du Kiif (1)" in legend
    assert any(r.params.get("code_commune") == "26113" for r in actors_api.requests)
    page.check_clean()


def test_cc_du_diois_with_a_download(page, actors_api):
    page.goto("acteurs", code="242600534", level="epci", famille="association,siae")
    page.wait_idle(timeout_ms=120_000)
    page.screenshot("acteurs-diois")
    assert "Diois" in page.page.locator("h3").first.inner_text()
    assert _metric(page, "Acteurs de l'ESS") == "13"
    cells = " ".join(page.table_cells())
    assert "AIDE A DOMICILE EN DIOIS" in cells and "SCIC ENERGIES" not in cells  # families filtered
    with page.page.expect_download(timeout=60_000) as info:
        page.page.locator(".st-key-acteurs_csv button").click()
    csv = info.value.path().read_bytes().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Nom;Famille;") and "AIDE A DOMICILE EN DIOIS" in csv
    assert re.search(r"famille=association%2Csiae|famille=association,siae", page.page.url)
    page.check_clean()
