"""AppTest of the page « Trouver un territoire » on the embedded base (and on the mirror base when set)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sentiers.matching.presets import preset_profile
from sentiers.matching.share import profile_from_token, profile_to_token

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "trouver.py")


def run_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def funnel_of(at: AppTest):
    return next(d.value for d in at.dataframe if "Contrainte" in d.value.columns)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [x.value for x in at.error] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_opens_with_a_preset_on_the_embedded_base(embedded_home, use_home):
    use_home(embedded_home)
    at = run_page()
    assert not at.exception, at.exception
    assert at.title[0].value == "Trouver un territoire"
    assert at.selectbox(key="tr_defi").value == "service-de-proximite"
    # no density grid in the embedded base: the page says so and still ranks
    assert "grille communale de densité n'est pas chargée" in texts(at)
    assert at.checkbox(key="tr_rural").value is False
    assert "Entonnoir des contraintes" in texts(at)
    assert any("Classement" in s.value for s in at.subheader)
    # the scenario is in the URL and reopens identically
    token = at.query_params["p"]
    token = token[0] if isinstance(token, list) else token
    profile = profile_from_token(token)
    assert profile.defi == "service-de-proximite" and profile.constraints.kiif_only


def test_editing_weights_and_the_defi_changes_the_scenario(embedded_home, use_home):
    use_home(embedded_home)
    at = run_page()
    at.selectbox(key="tr_defi").set_value("engagement-citoyen").run()
    assert not at.exception, at.exception
    chosen = at.multiselect(key="tr_indicators").value
    assert "secondary_homes_share" in chosen and "far_alimentation" not in chosen
    at.multiselect(key="tr_indicators").set_value(["population"]).run()
    at.number_input(key="tr_w_population").set_value(0.0).run()
    assert any("tous les poids sont nuls" in x.value for x in at.error)
    at.number_input(key="tr_w_population").set_value(2.0).run()
    at.selectbox(key="tr_d_population").set_value("target").run()
    at.number_input(key="tr_t_population").set_value(1200.0).run()
    assert not at.error
    token = at.query_params["p"]
    profile = profile_from_token(token[0] if isinstance(token, list) else token)
    assert profile.defi == "engagement-citoyen"
    assert [(c.indicator, c.weight, c.direction, c.target) for c in profile.criteria] == [
        ("population", 2.0, "target", 1200.0)
    ]


def test_shared_link_reopens_the_scenario(embedded_home, use_home):
    use_home(embedded_home)
    shared = preset_profile(
        "solidarite-cohesion-sociale",
        name="Épicerie solidaire <b>",
        level="epci",
        constraints={"rural_only": False, "departements": ["14"]},
    )
    at = run_page({"p": profile_to_token(shared)})
    assert not at.exception, at.exception
    assert at.text_input(key="tr_name").value == "Épicerie solidaire <b>"
    assert at.radio(key="tr_level").value == "epci"
    assert at.multiselect(key="tr_deps").value == ["14"]
    assert at.selectbox(key="tr_candidate").value  # a candidate EPCI is selected
    funnel = funnel_of(at)
    assert funnel.iloc[-1]["Restants"] > 0


def test_damaged_link_and_bad_preset_say_so(embedded_home, use_home):
    use_home(embedded_home)
    at = run_page({"p": "abc!!"})
    assert not at.exception
    assert any("Lien de partage illisible" in x.value for x in at.error)
    at = run_page({"preset": "culture"})
    assert any("Profil type inconnu" in x.value for x in at.error)


@pytest.mark.mirror
def test_mirror_base_preset_link(mirror_home, use_home):
    use_home(mirror_home)
    at = run_page({"preset": "service-de-proximite"})
    assert not at.exception, at.exception
    assert at.checkbox(key="tr_rural").value is True
    funnel = funnel_of(at)
    assert any("rurales" in c for c in funnel["Contrainte"])
    assert at.selectbox(key="tr_candidate").value


def test_a_shared_profile_keeps_its_activity(embedded_home, use_home):
    """The structure's activity (issue 14) survives the page: read from the link, shown, written back."""
    use_home(embedded_home)
    profile = preset_profile("service-de-proximite").model_copy(update={"activity": "47.11B"})
    at = run_page({"p": profile_to_token(profile)})
    assert not at.exception, at.exception
    assert at.text_input(key="tr_activity").value == "47.11B"
    at.text_input(key="tr_activity").set_value("aide-a-domicile").run()
    assert not at.exception, at.exception
    token = at.query_params["p"]
    token = token[0] if isinstance(token, list) else token
    assert profile_from_token(token).activity == "88.10A"
    at.text_input(key="tr_activity").set_value("zz").run()
    assert any("activité" in e.value and "non reconnue" in e.value for e in at.error)


def test_a_new_ranking_details_its_own_first_candidate(embedded_home, use_home):
    """A candidate chosen in one ranking never stays on « Détail d'un candidat » after the scenario changed."""
    use_home(embedded_home)
    at = run_page()
    assert at.selectbox(key="tr_candidate").index == 0
    at.selectbox(key="tr_candidate").select_index(1).run()
    assert at.selectbox(key="tr_candidate").index == 1  # the second, as chosen
    at.number_input(key="tr_top").set_value(15).run()  # the same criteria, another scenario (its top 15)
    assert not at.exception, at.exception
    assert at.selectbox(key="tr_candidate").index == 0  # the new ranking's first, not the one chosen before
    at.selectbox(key="tr_candidate").select_index(1).run()
    at.run()  # a rerun of the same scenario keeps the choice
    assert at.selectbox(key="tr_candidate").index == 1
