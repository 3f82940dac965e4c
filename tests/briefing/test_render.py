"""Rendering: escaping of data and user text, self-contained HTML, a PDF whose text can be read back."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.render import render_html, render_pdf
from sentiers.briefing.texts import SECTION_TITLES
from sentiers.matching.presets import preset_profile
from tests.briefing.small_base import SCRIPT

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def pdf_text(payload: bytes) -> str:
    reader = PdfReader(io.BytesIO(payload))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def hostile_profile():
    return preset_profile("service-de-proximite", name=SCRIPT)


def test_names_and_profile_fields_are_escaped(small_base, hostile_profile):
    b = build_briefing(small_base, "26003", profile=hostile_profile)
    assert b.header.name == SCRIPT and b.score is not None and b.score.profile_name == SCRIPT
    html = render_html(b)
    assert "<script" not in html.lower()
    assert html.count(ESCAPED) >= 3  # title, header, profile, typology...
    assert f"<title>Fiche territoire — {ESCAPED}</title>" in html
    epci = render_html(build_briefing(small_base, "200000002", "epci"))
    assert "<script" not in epci.lower() and ESCAPED in epci  # EPCI name and a resource label


def test_html_is_self_contained(small_base):
    html = render_html(build_briefing(small_base, "26002"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "@font-face" not in html
    assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', html)
    assert "@page" in html and "size: A4" in html and "@media print" in html
    for anchor in (
        "entete",
        "ruralite",
        "carte",
        "indicateurs",
        "services",
        "zonages",
        "ressources",
        "questions",
    ):
        assert f'id="{anchor}"' in html


def test_pdf_opens_has_sections_and_text_can_be_extracted(small_base, hostile_profile):
    b = build_briefing(small_base, "26002", profile=hostile_profile)
    payload = render_pdf(b)
    assert payload[:5] == b"%PDF-"
    text = pdf_text(payload)
    for title in SECTION_TITLES.values():
        assert title in text, title
    assert "Bêta" in text and "Drôme" in text  # accents survive (embedded DejaVu Sans)
    assert "Aucun commerce alimentaire dans la commune" in text
    assert "Alpha, 7,9 km" in text  # the nearest one, in the services table
    assert SCRIPT in text  # the PDF prints the profile name as plain text
    reader = PdfReader(io.BytesIO(payload))
    assert reader.metadata.title == "Fiche territoire — Bêta"


def test_pdf_without_profile_has_no_profile_section(small_base):
    text = pdf_text(render_pdf(build_briefing(small_base, "200000001", "epci")))
    assert SECTION_TITLES["profil"] not in text
    assert "3 communes membres" in text and SECTION_TITLES["questions"] in text


def test_missing_indicator_reason_printed_in_both_formats(small_base):
    b = build_briefing(small_base, "26002", with_map=False)
    html = render_html(b)
    assert "secret statistique" in html and "Part des 60 ans ou plus" in html
    text = " ".join(pdf_text(render_pdf(b)).split())
    assert "secret statistique" in text


def test_epci_counts_are_written_in_french_not_with_parenthesised_plurals(small_base):
    """« 3 communes », « 1 commune lauréate » — never « commune(s) » in a document a coach hands over."""
    for code in ("200000001", "200000002"):
        html = render_html(build_briefing(small_base, code, "epci"))
        assert "(s)" not in html
        assert re.search(r"\d communes?\b", html)
