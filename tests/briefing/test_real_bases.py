"""Briefings on the real bases: the embedded default (no indicators) and the mirror of official files.

DROM communes, Paris/Lyon/Marseille and 2025 merged communes must build, render and say what is missing.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.compare import build_comparison, render_compare_xlsx
from sentiers.briefing.render import render_html, render_pdf
from sentiers.briefing.territory import reference_values
from sentiers.briefing.texts import SECTION_TITLES

SPECIAL = ["97411", "97610", "75056", "69123", "13055", "49126", "12218", "14581", "69114"]
HTML_BUDGET = 1_500_000


@pytest.mark.parametrize("code", SPECIAL)
def test_special_communes_on_the_embedded_base(embedded_base, code):
    b = build_briefing(embedded_base, code)
    assert b.header.code == code
    assert b.verdict.status == "inconnu" and "page d'accueil" in b.verdict.detail
    assert all(row.missing for row in b.indicators if row.key not in ("population", "density"))
    html = render_html(b)
    assert len(html.encode("utf-8")) < HTML_BUDGET
    assert "est pas chargée" in html
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(b))).pages)
    assert SECTION_TITLES["indicateurs"] in text


def test_merged_commune_says_its_outline_is_rebuilt(embedded_base):
    b = build_briefing(embedded_base, "49126")
    assert any("communes déléguées" in w for w in b.warnings)


def test_embedded_epci_of_paris(embedded_base):
    b = build_briefing(embedded_base, "200054781", "epci")
    assert len(b.header.members) > 100
    assert len(render_html(b).encode("utf-8")) < HTML_BUDGET


@pytest.mark.mirror
@pytest.mark.parametrize("code", SPECIAL)
def test_special_communes_on_the_mirror_base(mirror_base, code):
    b = build_briefing(mirror_base, code)
    html = render_html(b)
    assert len(html.encode("utf-8")) < HTML_BUDGET
    assert b.verdict.source.startswith("Insee")
    for row in b.indicators:
        assert row.value is not None or row.note, row.key  # a missing value always says why
    assert render_pdf(b)[:5] == b"%PDF-"


@pytest.mark.mirror
def test_mirror_values_agree_with_the_base(mirror_base):
    communes = mirror_base.communes
    b = build_briefing(mirror_base, "26113", with_map=False)
    die = communes[communes["code"] == "26113"].iloc[0]
    assert b.verdict.status == ("rural" if int(die["density_level"]) >= 5 else "urbain")
    assert f"niveau {int(die['density_level'])}" in b.verdict.headline
    row = next(r for r in b.indicators if r.key == "unemployment_rate")
    assert row.value == pytest.approx(die["unemployed_15_64"] / die["active_15_64"] * 100)
    dep = communes[communes["departement"] == "26"]
    num = pd.to_numeric(dep["unemployed_15_64"], errors="coerce").sum()
    den = pd.to_numeric(dep["active_15_64"], errors="coerce").sum()
    assert row.departement == pytest.approx(num / den * 100)
    assert reference_values(mirror_base)["france"]["population"] == pytest.approx(
        pd.to_numeric(communes["population"], errors="coerce").sum()
    )
    assert row.source.startswith("Insee") and "2018" in row.source
    # the AAV and typology rows carry their sources
    assert all(f.source for f in b.rurality if not f.missing)


@pytest.mark.mirror
def test_mirror_epci_and_comparison(mirror_base):
    b = build_briefing(mirror_base, "242600534", "epci")
    assert b.verdict.status in ("rural", "mixte")
    assert any(r.kind == "France services" for r in b.resources)
    c = build_comparison(mirror_base, ["26113", "05061", "242600534"], with_maps=False)
    assert any(cell.mark for r in c.rows for cell in r.cells)
    assert render_compare_xlsx(c)[:2] == b"PK"


@pytest.mark.mirror
def test_mirror_mayotte_says_the_sources_do_not_cover_it(mirror_base):
    b = build_briefing(mirror_base, "97610", with_map=False)
    income = next(r for r in b.indicators if r.key == "median_income")
    assert income.value is None and "ne couvre pas ce département d'outre-mer" in income.note


@pytest.mark.mirror
def test_mirror_briefing_with_a_preset_has_score_breakdown_and_robustness(mirror_base):
    from sentiers.briefing.scoring import load_profile_arg

    profile = load_profile_arg(preset="service-de-proximite")
    b = build_briefing(mirror_base, "26113", profile=profile, with_map=False)
    s = b.score
    assert s.available and 0 <= s.score <= 100 and 1 <= s.rank <= s.candidates
    assert sum(c.points for c in s.contributions) == pytest.approx(s.score, abs=0.01)
    # Die: a newcomer's sentence, « entre parmi les 20 premiers dans 0 variante sur 20 » or « reste … »
    assert re.fullmatch(r"(reste|entre) parmi les 20 premiers dans \d+ variantes? sur 20.*", s.robustness)
    assert "variantes du classement" in s.robustness_note
    outside = build_briefing(mirror_base, "05061", profile=profile, with_map=False)  # not covered by the Kiif
    assert not outside.score.available and "contraintes du profil" in outside.score.message


def test_mirror_pdf_first_page_is_not_half_empty(mirror_base):
    """Die's fiche: header, summary and verdict leave room for the map, drawn on page 1 (not pushed to page 2)."""
    from sentiers.matching.presets import preset_profile

    briefing = build_briefing(mirror_base, "26113", "commune", profile=preset_profile("service-de-proximite"))
    first = PdfReader(io.BytesIO(render_pdf(briefing))).pages[0].extract_text()
    assert "Rural ou urbain" in first and "Carte du territoire" in first, first[-400:]


@pytest.mark.mirror
def test_mirror_score_table_writes_values_with_their_units(mirror_base):
    """Die under « service de proximité »: the distances in km, the shares in %, no bare « 15 » or scale text
    (the dossier wrote « 15 » for 15,2 % and « 3,00 1 à 3 »)."""
    from sentiers.base.catalogue import CATALOGUE
    from sentiers.briefing.scoring import load_profile_arg

    profile = load_profile_arg(preset="service-de-proximite")
    s = build_briefing(mirror_base, "26113", profile=profile, with_map=False).score
    by_label = {c.label: c.value for c in s.contributions}
    from sentiers.matching.presets import effective_criteria

    units = {CATALOGUE[c.indicator].label: CATALOGUE[c.indicator].unit for c in effective_criteria(profile)}
    assert by_label and set(by_label) <= set(units)
    for label, value in by_label.items():
        assert "1 à 3" not in value and "0 = " not in value, (label, value)
        unit = units.get(label, "")
        if value != "manquante" and unit.startswith("km"):
            assert value.endswith("km"), (label, value)
        if value != "manquante" and unit.startswith("%"):
            assert value.endswith("%"), (label, value)
    assert any(v.endswith("km") for v in by_label.values()), by_label
