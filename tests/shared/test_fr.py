"""French dates as a person reads them, the same on the home page, the fiche, the dossier and the study."""

from __future__ import annotations

import pytest

from sentiers import fr


@pytest.mark.parametrize(
    ("iso", "text"),
    [
        ("2026-12-07T23:53:05+00:00", "7 décembre 2026 à 23 h 53 (UTC)"),
        ("2026-01-01T08:05:00", "1er janvier 2026 à 8 h 05 (UTC)"),
        ("2026-03-15", "15 mars 2026"),
        ("pas une date", "pas une date"),
        ("2026-13-01T10:00", "2026-13-01T10:00"),
        ("", ""),
    ],
)
def test_date_time(iso, text):
    assert fr.date_time(iso) == text


def test_the_briefings_base_note_has_a_french_date():
    from sentiers.briefing.assemble import base_note
    from tests.factory import make_base

    base = make_base(
        [{"code": "26113", "name": "Die", "departement": "26"}],
        manifest={"built_at": "2026-12-07T23:53:05+00:00"},
        access=False,
    )
    assert "construite le 7 décembre 2026 à 23 h 53 (UTC)" in base_note(base)
