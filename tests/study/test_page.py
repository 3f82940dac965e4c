"""AppTest of the page « Étude de faisabilité » and of the second way into « Trouver un territoire », on the mirror
base."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sentiers.matching.presets import preset_profile
from sentiers.matching.share import profile_from_token, profile_to_token

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.mirror


def run(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=300)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def readiness_table(at: AppTest):
    return next(d.value for d in at.dataframe if "À préparer" in d.value.columns)


def test_readiness_form_dossier_and_downloads(mirror_home, use_home):
    use_home(mirror_home)
    at = run("etude.py")
    assert not at.exception, at.exception
    assert at.title[0].value == "Étude de faisabilité"
    table = readiness_table(at)
    assert len(table) == 10 and table["État"].str.contains("Sans réponse").sum() == 9
    at.radio(key="et_q_lucrativite").set_value("societe").run()
    at.radio(key="et_q_impact").set_value("mesure").run()
    table = readiness_table(at)
    row = table[table["Critère"].str.contains("statut de votre structure")].iloc[0]
    assert "Bloquant" in row["État"] and "ESUS" in row["À préparer"]
    assert any("1 bloquant" in m.value for m in at.markdown)
    assert any("ne préjuge pas de la décision du comité" in i.value for i in at.info)
    at.number_input(key="et_top").set_value(2).run()
    at.checkbox(key="et_maps").set_value(False).run()
    at.button(key="et_build").click().run()
    assert not at.exception, at.exception
    assert any("Dossier prêt : 2 territoires détaillés" in s.value for s in at.success)
    keys = {b.proto.id for b in at.get("download_button")}
    assert len(keys) == 4
    # a change of answer asks for a new dossier rather than offering the old one
    at.radio(key="et_q_gouvernance").set_value("oui").run()
    assert any("préparez à nouveau le dossier" in i.value for i in at.info)


def test_the_scenario_of_trouver_comes_with_its_answers_and_references(mirror_home, use_home):
    use_home(mirror_home)
    profile = preset_profile(
        "engagement-citoyen",
        name="Coop <script>alert(1)</script>",
        readiness={"impact": "constate"},
        similar={"references": ["26113"]},
    )
    at = run("etude.py", {"p": profile_to_token(profile)})
    assert not at.exception, at.exception
    assert at.text_input(key="et_name").value == "Coop <script>alert(1)</script>"
    assert at.radio(key="et_q_impact").value == "constate"
    assert at.text_input(key="et_refs").value == "26113"
    assert any("repris de la page « Trouver un territoire »" in s.value for s in at.success)
    # hostile text is shown escaped where Markdown would read it
    assert not any("<script>" in m.value for m in at.markdown if not m.value.startswith("["))


def test_trouver_starts_from_communes_where_the_solution_works(mirror_home, use_home):
    use_home(mirror_home)
    at = run("trouver.py")
    assert not at.exception, at.exception
    at.radio(key="tr_way").set_value("semblables").run()
    assert any("Indiquez au moins une commune" in i.value for i in at.info)
    at.text_input(key="tr_sim_refs").set_value("26113, Saint-Nazaire-le-Désert").run()
    assert not at.exception, at.exception
    assert any(s.value == "Territoires semblables au vôtre" for s in at.subheader)
    table = next(d.value for d in at.dataframe if "Ressemblance (0-100)" in d.value.columns)
    assert len(table) == 20 and table["Pourquoi"].str.len().min() > 5
    assert "Commune de référence la plus proche" in table.columns
    token = at.query_params["p"]
    token = token[0] if isinstance(token, list) else token
    shared = profile_from_token(token)
    assert shared.similar is not None and shared.similar.references == ["26113", "Saint-Nazaire-le-Désert"]
    # the link to the study carries the scenario
    assert any("etude" in str(m.value) and "Préparer l'étude" in str(m.value) for m in at.markdown) or any(
        "etude" in str(getattr(p, "proto", "")) for p in at.get("page_link")
    )
    # weights of the comparison are the user's to change, and travel in the link
    at.number_input(key="tr_sw_population").set_value(5.0).run()
    token = at.query_params["p"]
    token = token[0] if isinstance(token, list) else token
    shared = profile_from_token(token)
    assert shared.similar.indicators is not None
    assert next(i.weight for i in shared.similar.indicators if i.indicator == "population") == 5.0
