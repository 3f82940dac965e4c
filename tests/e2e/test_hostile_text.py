"""A stranger's link must not make the browser fetch or show outside content (issue 17, « Pages »).

Markdown images and links in a URL parameter (``carte?dep=![t](http://HOST/x.png)``), a typed query, and a
share token whose name, description and criterion reasons are images or a « Mettre à jour votre mot de passe »
link: no request leaves the machine (any that would is aborted before it is sent and fails the test), and no
``<img>`` or ``<a>`` pointing outside appears in the page or in its frames.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

HOST = "sentiers-outside.invalid"
IMAGE = f"![t](http://{HOST}/x.png)"
LINK = f"[Mettre à jour votre mot de passe](http://{HOST}/login)"


def _token() -> str:
    from sentiers.matching.presets import effective_criteria, preset_profile
    from sentiers.matching.share import profile_to_token

    profile = preset_profile("service-de-proximite")
    criteria = [c.model_copy(update={"reason": IMAGE}) for c in effective_criteria(profile)]
    return profile_to_token(
        profile.model_copy(update={"name": LINK + " " + IMAGE, "description": IMAGE, "criteria": criteria})
    )


def _outside_elements(app) -> list[str]:
    found: list[str] = []
    for frame in app.page.frames:
        try:
            found += frame.evaluate(
                """(host) => [...document.querySelectorAll('img[src], a[href], image, source, iframe[src]')]
                    .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('xlink:href') || '')
                    .filter(u => u.includes(host))""",
                HOST,
            )
        except Exception:  # a frame torn down by a rerun
            continue
    return found


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("carte", {"dep": IMAGE}),
        ("rural", {"q": LINK}),
        ("trouver", {"p": "TOKEN"}),
        ("fiche", {"code": "26113", "p": "TOKEN"}),
        ("comparer", {"codes": "26113,26289", "p": "TOKEN"}),
        ("acteurs", {"code": IMAGE, "activite": LINK}),
    ],
)
def test_markdown_from_links_stays_text(app, path, params):
    # anything not served by the app is aborted before it leaves (and recorded: it fails check_clean)
    app.page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost")
            else route.abort()
        ),
    )
    params = {k: (_token() if v == "TOKEN" else v) for k, v in params.items()}
    app.goto(path, **params)
    app.wait_idle(timeout_ms=240_000)
    app.page.wait_for_timeout(1500)
    assert not _outside_elements(app), _outside_elements(app)
    assert "Mettre à jour votre mot de passe" not in " ".join(app.page.locator("a").all_inner_texts())
    app.check_clean()  # no exception, no console error, no request leaving 127.0.0.1
