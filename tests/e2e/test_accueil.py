"""The home page in a real browser: every page is one click away, and the régions whose Kiif member is not
confirmed say whom a structure writes to."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.mirror]


@pytest.mark.parametrize(("label", "url_path"), [("Comparer", "comparer"), ("Étude de faisabilité", "etude")])
def test_the_home_page_links_to_every_page(app, label, url_path):
    app.goto("")
    main = app.page.locator('[data-testid="stMain"]')
    main.get_by_role("link", name=label, exact=True).click()
    app.page.wait_for_url(f"**/{url_path}**")
    app.wait_idle()
    app.check_clean()


def test_the_regions_without_a_confirmed_member_give_the_programmes_contact(app):
    from sentiers.base.kiif import load_kiif

    coverage = load_kiif()
    app.goto("")
    app.page.get_by_text("Les régions du programme Les Sentiers", exact=False).first.click()
    app.wait_idle()
    body = app.text()
    assert "à compléter" not in body
    for region in coverage.regions:
        assert region.name in body
    assert body.count(coverage.contact.email) == sum(not r.incubator.verified for r in coverage.regions)
    app.check_clean()
