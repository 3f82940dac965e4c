"""« Fiche territoire » in a real browser: an EPCI's briefing from a link, a bad code, and a hostile profile name
carried by a shared link that must stay text everywhere (page, HTML download), never run."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

HOSTILE = '<script>alert("sentiers")</script><img src=x onerror=alert(2)>'


def _download(app, key: str):
    with app.page.expect_download(timeout=120_000) as info:
        app.page.locator(f".st-key-{key} button").click()
    return info.value


def test_an_epci_briefing_from_a_link(app, mirror_base):
    siren = str(mirror_base.communes.set_index("code").loc["26113", "epci"])
    name = mirror_base.epci.set_index("code").loc[siren, "name"]
    app.goto("fiche", code=siren, level="epci")
    app.wait_idle(timeout_ms=180_000)
    app.screenshot("fiche-epci")
    assert name in app.text() or name in app.page.locator(".st-key-fiche_query input").input_value()
    html = _download(app, "fiche_download_html").path().read_text(encoding="utf-8")
    assert name in html
    app.check_clean()


def test_an_unknown_code_is_explained(app):
    app.goto("fiche", code="99999", level="commune")
    alerts = " ".join(app.page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "99999" in alerts, alerts
    assert not app.exceptions()


def test_a_hostile_profile_name_stays_text(app):
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.share import profile_to_token

    token = profile_to_token(preset_profile("service-de-proximite").model_copy(update={"name": HOSTILE}))
    dialogs: list[str] = []
    app.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    app.goto("fiche", code="26113", level="commune", p=token)
    app.wait_idle(timeout_ms=180_000)
    html = _download(app, "fiche_download_html").path().read_text(encoding="utf-8")
    assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;" in html or "&#34;sentiers&#34;" in html or "&lt;img" in html
    # the briefing shown in the page (an iframe of the same HTML) ran nothing either
    app.page.wait_for_timeout(1000)
    assert dialogs == [], dialogs
    app.check_clean()


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("15141", "ancien territoire"),  # split in 2025: its former territory's figures are left out, said so
        ("15031", "rétablie"),  # restored in 2025: no figures of its own yet, said so
        ("26030", "effectif faible"),  # six inhabitants: rates flagged
        ("62447", "reconstitué"),  # merged in 2025: whole territory drawn, said so
    ],
)
def test_special_communes_read_true_in_the_page(app, code, says):
    app.goto("fiche", code=code, level="commune")
    app.wait_idle(timeout_ms=180_000)
    app.screenshot(f"fiche-{code}")
    frame = app.page.frame_locator("iframe").first
    text = frame.locator("body").inner_text(timeout=60_000)
    assert says in text, text[:3000]
    assert "uv run" not in text
    # the whole fiche as a person reads it (the page screenshot shows its top only): its document, full length
    document = frame.locator("html").evaluate("e => e.outerHTML")
    view = app.page.context.new_page()
    try:
        view.set_content(document, wait_until="load")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        view.screenshot(path=str(ARTIFACTS / f"fiche-{code}-document.png"), full_page=True)
    finally:
        view.close()
    app.check_clean()
