"""« Acteurs à rencontrer » in the fiche and ESS actor counts in the comparison, against the local API."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sentiers.briefing import actors_section as section_mod
from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.compare import build_comparison, render_compare_xlsx
from sentiers.briefing.render import render_html, render_pdf
from sentiers.matching.presets import preset_profile
from tests.conftest import REFUSING_API


def epicerie():
    return preset_profile("service-de-proximite").model_copy(
        update={"activity": "47.11B", "name": "Épicerie"}
    )


def test_the_fiche_lists_actors_to_meet(actors_home, diois_api, embedded_base):
    briefing = build_briefing(embedded_base, "26113", profile=epicerie(), with_map=False)
    actors = briefing.actors
    assert actors is not None and actors.available and actors.status == "online"
    assert actors.total == 7 and actors.date_text and actors.mode_note == ""
    assert [g.family for g in actors.groups] == [
        "siae",
        "cooperative",
        "mutual",
        "association",
        "ess_company",
    ]
    assert all(len(g.actors) <= 3 for g in actors.groups)
    assert [x.name for x in actors.same] == ["EPICERIE SOLIDAIRE DE DIE"]
    assert "CENTRE SOCIAL DU DIOIS" in [x.name for x in actors.complements]
    assert any(
        s.title.startswith("Acteurs de l'ESS") and s.licence == "Licence Ouverte 2.0"
        for s in briefing.sources
    )
    questions = " ".join(q for group in briefing.questions for q in group.questions)
    assert "EPICERIE SOLIDAIRE DE DIE" in questions and "concurrent ou partenaire" in questions
    assert "DIOIS INSERTION" in questions  # the structure d'insertion to meet
    assert any(fact.startswith("Acteurs de l'ESS et de l'insertion : 7") for fact in briefing.summary)
    html = render_html(briefing)
    assert "Acteurs à rencontrer" in html and "CENTRE SOCIAL DU DIOIS" in html
    assert f"liste du {actors.date_text}" in html and "Recherche d" in html
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(briefing))).pages)
    assert "Acteurs à rencontrer" in text and "DIOIS INSERTION" in text


def test_a_fiche_made_from_the_cache_alone_matches_the_one_made_online(
    actors_home, diois_api, embedded_base, monkeypatch
):
    online = build_briefing(embedded_base, "242600534", "epci", profile=epicerie(), with_map=False)
    asked = len(diois_api.requests)
    monkeypatch.setenv("SENTIERS_ENTREPRISES_API", REFUSING_API)
    offline = build_briefing(
        embedded_base, "242600534", "epci", profile=epicerie(), with_map=False, actors="cache"
    )
    assert len(diois_api.requests) == asked
    assert offline.actors is not None and online.actors is not None
    assert offline.actors.mode_note.startswith("Fiche préparée sans connexion")
    assert offline.actors.date_text in offline.actors.mode_note
    a = online.model_dump(exclude={"generated_at"})
    b = offline.model_dump(exclude={"generated_at"})
    b["actors"]["mode_note"] = ""
    b["actors"]["status"] = a["actors"]["status"]
    assert a == b
    assert "Fiche préparée sans connexion" in render_html(offline)
    # a fiche made later online reads the recent list from the cache: no request, the same section
    again = build_briefing(embedded_base, "242600534", "epci", profile=epicerie(), with_map=False)
    assert again.actors is not None and again.actors.groups == online.actors.groups


def test_offline_without_a_list_the_fiche_says_so_and_the_rest_is_there(actors_home, embedded_base):
    started = time.monotonic()
    briefing = build_briefing(embedded_base, "26113", with_map=False)  # the refusing address
    assert time.monotonic() - started < 20
    assert briefing.actors is not None and not briefing.actors.available
    assert "demande une connexion" in briefing.actors.note
    assert briefing.indicators and briefing.zonings and briefing.header.name == "Die"
    questions = " ".join(q for group in briefing.questions for q in group.questions)
    assert "n'a pas pu être consultée" in questions
    html = render_html(briefing)
    assert "Acteurs à rencontrer" in html and "demande une connexion" in html
    assert "uv run" not in html and "`" not in html
    assert build_briefing(embedded_base, "26113", with_map=False, actors="off").actors is None


def test_a_stalling_api_never_holds_the_fiche(actors_home, diois_api, embedded_base, monkeypatch):
    monkeypatch.setattr(section_mod, "FICHE_DEADLINE_S", 1.0)
    diois_api.script = [("stall", 8.0)]
    started = time.monotonic()
    briefing = build_briefing(embedded_base, "26113", with_map=False)
    assert time.monotonic() - started < 6
    assert briefing.actors is not None and not briefing.actors.available
    assert "délai" in briefing.actors.note or "temps imparti" in briefing.actors.note


def test_the_comparison_counts_ess_actors(actors_home, diois_api, embedded_base):
    comparison = build_comparison(embedded_base, ["26113", "242600534"], with_maps=False)
    rows = {row.key: row for row in comparison.rows if row.group == "Acteurs de l'ESS"}
    assert [c.value for c in rows["actors_total"].cells] == [7.0, 13.0]
    assert "liste du" in rows["actors_total"].source
    labels = [row.label for row in comparison.rows if row.group == "Acteurs de l'ESS"]
    assert "Associations employeuses" in labels and "Structures d'insertion" in labels
    assert all(cell.mark == "" for row in rows.values() for cell in row.cells)
    book = load_workbook(io.BytesIO(render_compare_xlsx(comparison)))
    values = [
        r
        for r in book["Comparaison"].iter_rows(values_only=True)
        if r and r[1] == "Acteurs de l'ESS et de l'insertion"
    ]
    assert values and values[0][2:4] == (7, 13)


@pytest.mark.parametrize("codes", [["26113", "05061"]])
def test_the_comparison_offline_says_the_list_is_missing(actors_home, embedded_base, codes):
    comparison = build_comparison(embedded_base, codes, with_maps=False)
    row = next(row for row in comparison.rows if row.key == "actors_total")
    assert all(cell.text == "liste non disponible (connexion nécessaire)" for cell in row.cells)


def test_hostile_names_stay_text_everywhere(actors_home, fake_api, embedded_base, tmp_path, capsys):
    """A name from the register is data: escaped in the fiche, defused in a CSV, no control character kept."""
    from sentiers.cli import main
    from tests.actors.fake_api import make_result

    die = ("26113", "Die", "242600534", 44.7528, 5.3688)
    fake_api.dataset = [
        make_result("810000101", '<script>alert("x")</script>', commune=die),
        make_result("810000102", '=HYPERLINK("http://example.invalid","clic")', commune=die),
        make_result("810000103", "ASSO\x1b[2JEFFACE\x07", commune=die),
    ]
    briefing = build_briefing(embedded_base, "26113", with_map=False)
    html = render_html(briefing)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    out = tmp_path / "die.csv"
    assert main(["acteurs", "26113", "-o", str(out)]) == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\x1b" not in text and "\x07" not in text
    assert main(["acteurs", "26113"]) == 0
    assert "\x1b" not in capsys.readouterr().out
