"""Every page opens in a real browser without an exception box or a console error; a screenshot of each."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# url path, a text the page always shows once it has run
PAGES = [
    ("", "Couches de la base"),
    ("accueil", "Couches de la base"),
    ("rural", ""),
    ("carte", ""),
    ("trouver", ""),
    ("fiche", ""),
    ("comparer", ""),
]


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

    manifest = json.loads((mirror_home / "base" / "manifest.json").read_text(encoding="utf-8"))
    app.goto("")
    body = app.text()
    cells = app.table_cells()
    for layer in manifest["layers"]:
        assert layer["title"] in cells, (layer["title"], cells)
    # the communes count of the manifest, as the page formats it
    assert f"{manifest['communes']:,}".replace(",", " ") in body
    app.check_clean()
