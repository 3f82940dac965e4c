"""AppTest of the pages « Fiche territoire » and « Comparer » on real bases."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
FICHE = str(ROOT / "app_pages" / "fiche.py")
COMPARER = str(ROOT / "app_pages" / "comparer.py")


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield


def run(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(page, default_timeout=180)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def download_labels(at: AppTest) -> list[str]:
    return [el.proto.label for el in at.get("download_button")]


def test_fiche_opens_from_a_link_and_offers_html_and_pdf(embedded_home, use_home):
    use_home(embedded_home)
    at = run(FICHE, {"code": "26113", "level": "commune"})
    assert not at.exception, at.exception
    assert at.title[0].value == "Fiche territoire"
    assert at.text_input(key="fiche_query").value == "Die"
    assert download_labels(at) == ["Télécharger la fiche (HTML)", "Télécharger la fiche (PDF)"]
    names = [el.proto.file_name if hasattr(el.proto, "file_name") else "" for el in at.get("download_button")]
    assert not at.error, names


def test_fiche_latest_search_wins(embedded_home, use_home):
    """After Die's fiche, « Crest » then « Saillans » each give their own fiche; a level switch re-reads."""
    use_home(embedded_home)
    at = run(FICHE, {"code": "26113", "level": "commune"})
    at.text_input(key="fiche_query").set_value("Crest").run()
    assert not at.exception, at.exception
    assert at.query_params["code"] in ("26108", ["26108"]), at.query_params
    # « Saillans » names two communes (Drôme, Gironde): no fiche of Crest left behind, both offered
    at.text_input(key="fiche_query").set_value("Saillans").run()
    assert "code" not in at.query_params and not download_labels(at)
    labels = [b.label for b in at.button]
    assert any("Saillans (Drôme)" in label for label in labels), labels
    at.button(key="fiche_sugg_26289").click().run()
    assert at.query_params["code"] in ("26289", ["26289"])
    assert at.text_input(key="fiche_query").value == "26289"
    at.text_input(key="fiche_query").set_value("Die").run()
    at.radio(key="fiche_level").set_value("epci").run()  # « Die » at the EPCI level: Die's EPCI first
    assert not at.exception, at.exception
    assert at.query_params["code"] in ("242600534", ["242600534"])
    assert not at.error, [e.value for e in at.error]
    at.text_input(key="fiche_query").set_value("Diois").run()
    assert at.query_params["code"] in ("242600534", ["242600534"])
    at.text_input(key="fiche_query").set_value("Zzyzx").run()  # names no territory: no fiche, no old one
    assert "code" not in at.query_params
    assert not download_labels(at)


def test_fiche_search_by_name_and_epci_level(embedded_home, use_home):
    use_home(embedded_home)
    at = run(FICHE)
    assert not at.exception, at.exception
    assert any("Cherchez une commune" in i.value for i in at.info)
    at.radio(key="fiche_level").set_value("epci").run()
    at.text_input(key="fiche_query").set_value("Diois").run()
    assert not at.exception, at.exception
    assert at.query_params["code"] in ("242600534", ["242600534"])
    assert len(download_labels(at)) == 2


def test_fiche_unknown_code_is_a_french_message(embedded_home, use_home):
    use_home(embedded_home)
    at = run(FICHE, {"code": "99999"})
    assert not at.exception, at.exception
    assert any("ni un code Insee ni un code postal" in w.value for w in at.warning)
    at.text_input(key="fiche_query").set_value("<script>alert(1)</script>").run()
    assert not at.exception, at.exception
    assert at.warning and all("<script>" not in w.value for w in at.warning)


def test_comparer_from_a_link_shows_the_table_and_exports(embedded_home, use_home):
    use_home(embedded_home)
    at = run(COMPARER, {"codes": "26113,05061,242600534"})
    assert not at.exception, at.exception
    tables = [t.value for t in at.table]  # static tables, one per group: every cell wraps in the page
    columns = list(tables[0].columns)
    assert columns[:2] == ["Die (26113)", "Gap (05061)"]
    assert "Diois" in columns[2] and columns[2].endswith("(242600534)")
    assert any("Densité de population (hab./km²)" in set(t.index) for t in tables)
    assert download_labels(at) == [
        "Télécharger la comparaison (HTML)",
        "Télécharger la comparaison (PDF)",
        "Télécharger la comparaison (XLSX)",
    ]


def test_comparer_asks_for_two_territories_and_adds_by_search(embedded_home, use_home):
    use_home(embedded_home)
    at = run(COMPARER, {"codes": "26113"})
    assert not at.exception, at.exception
    assert any("au moins 2" in i.value for i in at.info)
    at.text_input(key="compare_query").set_value("Embrun").run()
    at.button(key="compare_add").click().run()
    assert not at.exception, at.exception
    assert at.query_params["codes"] in ("26113,05046", ["26113,05046"])
    assert at.table, "the comparison table is shown once two territories are chosen"
    at.button(key="compare_remove_05046").click().run()
    assert any("au moins 2" in i.value for i in at.info)


def test_fiche_takes_the_profile_shared_by_the_trouver_page(embedded_home, use_home):
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.share import profile_to_token

    use_home(embedded_home)
    token = profile_to_token(preset_profile("service-de-proximite", name="<script>alert(1)</script>"))
    at = run(FICHE, {"code": "26113", "level": "commune", "p": token})
    assert not at.exception, at.exception
    assert at.selectbox(key="fiche_profile").value == "__session__"
    assert len(download_labels(at)) == 2
    bad = run(FICHE, {"code": "26113", "p": "not-a-token"})
    assert not bad.exception, bad.exception
    assert any("profil du lien" in w.value for w in bad.warning)
