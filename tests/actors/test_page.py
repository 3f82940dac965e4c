"""AppTest of the page « Acteurs du territoire » on the embedded base, against the local API."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "acteurs.py")


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield


def run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def actor_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Nom" in d.value.columns)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_die_from_a_link(actors_home, diois_api):
    at = run({"code": "26113", "level": "commune"})
    assert not at.exception, at.exception
    assert at.title[0].value == "Acteurs du territoire"
    table = actor_table(at)
    names = set(table["Nom"])
    assert {"CENTRE SOCIAL DU DIOIS", "DIOIS INSERTION", "Ronalpia"} <= names and "DUPONT JEAN" not in names
    page = texts(at)
    assert "Liste du " in page and "Licence Ouverte" in page and "Recherche d'entreprises" in page
    assert {m.label: m.value for m in at.metric}["Acteurs de l'ESS"] == "7"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Table de correspondance NAF → défi (CSV)",
        "Télécharger la liste (CSV)",
        "Télécharger la liste (XLSX)",
    ]
    # a filter does not ask the API again: the list is kept in the session
    asked = len(diois_api.requests)
    at.multiselect(key="acteurs_familles").set_value(["siae"]).run()
    assert not at.exception, at.exception
    assert set(actor_table(at)["Famille"]) == {"Structure d'insertion (SIAE)"}
    assert len(diois_api.requests) == asked
    assert at.query_params["famille"] in ("siae", ["siae"])
    # « Actualiser » asks again
    at.button(key="acteurs_refresh").click().run()
    assert not at.exception, at.exception
    assert len(diois_api.requests) == 2 * asked


def test_the_diois_with_a_radius_families_and_cooperation(actors_home, diois_api):
    at = run(
        {
            "code": "242600534",
            "level": "epci",
            "rayon": "10",
            "famille": "association,cooperative",
            "activite": "epicerie",
            "defi": "service-de-proximite",
        }
    )
    assert not at.exception, at.exception
    assert "Diois" in at.text_input(key="acteurs_query").value
    assert at.slider(key="acteurs_rayon").value == 10
    table = actor_table(at)
    assert set(table["Famille"]) == {"Association employeuse", "Coopérative"}
    assert "CUMA DU HAUT DIOIS" in set(table["Nom"])
    relations = dict(zip(table["Nom"], table["Pour votre structure"], strict=True))
    assert relations["CENTRE SOCIAL DU DIOIS"] == "Coopération possible"
    assert "Diois" in at.subheader[0].value and "10 km autour" in at.subheader[0].value


def test_offline_without_a_list(actors_home):
    at = run({"code": "26113"})
    assert not at.exception, at.exception
    assert any("demande une connexion" in w.value for w in at.warning)
    # the rest still works: the Kiif incubator, the link to the fiche, the exports of what there is
    assert "Ronalpia" in set(actor_table(at)["Nom"])
    assert len(at.get("download_button")) == 2


def test_bad_parameters_are_french_messages(actors_home):
    at = run({"code": "99999", "rayon": "99", "activite": "<b>x</b>"})
    assert not at.exception, at.exception
    page = texts(at)
    assert "Rayon hors limites" in page and "Activité de l'adresse non reconnue" in page
    assert "ni un code Insee ni un code postal" in page
    at.text_input(key="acteurs_query").set_value("<script>alert(1)</script>").run()
    assert not at.exception, at.exception
    assert at.warning and all("<script>" not in w.value for w in at.warning)


def test_a_naf_code_outside_the_short_list_is_kept_from_the_link(actors_home, diois_api):
    """« &activite=43.21A » (not one of the short list's activities): offered and used, never silently dropped."""
    at = run({"code": "26113", "level": "commune", "activite": "4321a"})
    assert not at.exception, at.exception
    box = at.selectbox(key="acteurs_activite")
    assert box.value == "43.21A"
    assert "43.21A" in box.format_func(box.value)
    assert "Activité de l'adresse non reconnue" not in texts(at)
    assert at.query_params["activite"] in ("43.21A", ["43.21A"])
    assert "Votre activité : " in texts(at) and "43.21A" in texts(at)
