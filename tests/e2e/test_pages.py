"""Every page opens in a real browser without an exception box or a console error; a screenshot of each."""

from __future__ import annotations

import pytest

from tests.homes import manifest_path

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# url path, a text the page always shows once it has run
PAGES = [
    ("", "Couches de la base"),
    ("rural", ""),
    ("carte", ""),
    ("trouver", ""),
    ("fiche", ""),
    ("comparer", ""),
    ("etude", "Êtes-vous prêt"),
]


def test_the_first_visitor_of_a_fresh_server_gets_the_page_asked_for(first_visit):
    """A folder named pages/ beside app.py makes Streamlit 1.67 run the first session as a v1 multipage app:
    /rural is "not found", a modal "Page not found" covers the page (why the pages moved to app_pages/).
    The first visitor of a fresh server must see the page asked for."""
    assert not first_visit.dialogs, first_visit.dialogs
    assert first_visit.heading.startswith("Est-ce rural"), first_visit.heading
    assert not [e for e in first_visit.console_errors if "does not seem to exist" in e], (
        first_visit.console_errors
    )


@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p or "racine" for p, _ in PAGES])
def test_page_opens(app, path, expected):
    app.goto(path)
    app.screenshot(f"page-{path or 'racine'}")
    body = app.text()
    assert body.strip(), f"page {path} rendered nothing"
    assert expected.lower() in body.lower()
    app.check_clean()


def test_home_lists_the_layers_of_the_base(app, mirror_home):
    import json

    manifest = json.loads(manifest_path(mirror_home).read_text(encoding="utf-8"))
    app.goto("")
    body = app.text()
    # the communes count of the manifest, as the page formats it
    assert f"{manifest['communes']:,}".replace(",", " ") in body
    grid = app.page.locator('[data-testid="stDataFrame"] table[role="grid"]').first
    app.page.locator('[data-testid="stDataFrame"]').first.scroll_into_view_if_needed()
    app.page.locator('[data-testid="stDataFrame"] [role="gridcell"]').first.wait_for(state="attached")
    # one row per layer (plus the header); the grid draws only the rows in view, check those
    assert grid.get_attribute("aria-rowcount") == str(len(manifest["layers"]) + 1)
    cells = app.table_cells()
    visible = [layer["title"] for layer in manifest["layers"] if layer["title"] in cells]
    assert len(visible) >= min(5, len(manifest["layers"])), (cells, manifest["layers"][:5])
    assert visible == [layer["title"] for layer in manifest["layers"]][: len(visible)]
    app.check_clean()
