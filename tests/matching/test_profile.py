"""The structure profile: validation with French messages naming the field, YAML/JSON round trips, presets."""

from __future__ import annotations

import json

import pytest
import yaml

from sentiers.base.catalogue import CATALOGUE
from sentiers.errors import SentiersError
from sentiers.matching.presets import effective_criteria, preset, preset_criteria, preset_profile
from sentiers.matching.profile import DEFIS, load_profile, parse_profile, save_profile, validate_profile


def minimal(**extra):
    return {"name": "Ma structure", "defi": "service-de-proximite", **extra}


def error_of(data) -> str:
    with pytest.raises(SentiersError) as info:
        validate_profile(data)
    return str(info.value)


def test_defaults_are_sensible():
    profile = validate_profile(minimal())
    assert profile.mode == "antenne" and profile.level == "commune"
    assert profile.constraints.kiif_only is True and profile.constraints.rural_only is True
    assert profile.criteria is None
    assert [c.indicator for c in effective_criteria(profile)] == [
        c.indicator for c in preset_criteria(profile.defi)
    ]


def test_unknown_key_names_the_field():
    message = error_of(minimal(colour="bleu"))
    assert "colour" in message and "clé inconnue" in message
    message = error_of(minimal(constraints={"kiif_only": True, "rayon": 3}))
    assert "constraints.rayon" in message


def test_unknown_indicator_names_the_field():
    message = error_of(
        minimal(criteria=[{"indicator": "population", "weight": 1}, {"indicator": "boulangeries"}])
    )
    assert "criteria[2].indicator" in message and "boulangeries" in message and "inconnu" in message


def test_negative_weight_names_the_field():
    message = error_of(minimal(criteria=[{"indicator": "population", "weight": -2}]))
    assert "criteria[1].weight" in message and "positif ou nul" in message


def test_unknown_defi_lists_the_choices():
    message = error_of({"name": "x", "defi": "culture"})
    assert "defi" in message and "service-de-proximite" in message


def test_missing_name_and_target_without_value():
    assert "name : champ obligatoire manquant" in error_of({"defi": "engagement-citoyen"})
    message = error_of(minimal(criteria=[{"indicator": "population", "direction": "target"}]))
    assert "criteria[1]" in message and "cible" in message


def test_incoherent_constraints():
    assert "population_min" in error_of(minimal(constraints={"population_min": 5000, "population_max": 100}))
    assert "reference_commune" in error_of(minimal(constraints={"max_distance_km": 30}))


def test_direction_defaults_to_the_catalogue():
    profile = validate_profile(minimal(criteria=[{"indicator": "median_income", "weight": 2}]))
    assert profile.criteria[0].direction == CATALOGUE["median_income"].need == "lower"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip(tmp_path, suffix):
    profile = validate_profile(
        minimal(
            publics=["seniors"],
            level="epci",
            constraints={"departements": ["14", 50], "population_min": 200},
            criteria=[{"indicator": "population", "weight": 1, "direction": "target", "target": 1500}],
        )
    )
    assert profile.constraints.departements == ["14", "50"]
    path = save_profile(profile, tmp_path / f"profil{suffix}")
    again = load_profile(path)
    assert again == profile


def test_bad_files_give_french_errors(tmp_path):
    broken = tmp_path / "p.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SentiersError, match="YAML mal formé"):
        load_profile(broken)
    with pytest.raises(SentiersError, match="JSON mal formé"):
        parse_profile("{", "json")
    with pytest.raises(SentiersError, match="objet"):
        parse_profile("- a\n- b\n")
    with pytest.raises(SentiersError, match="introuvable"):
        load_profile(tmp_path / "absent.yaml")
    with pytest.raises(SentiersError, match="non reconnu"):
        save_profile(validate_profile(minimal()), tmp_path / "p.txt")


@pytest.mark.parametrize("slug", list(DEFIS))
def test_every_defi_has_a_preset_with_reasons(slug):
    chosen = preset(slug)
    assert chosen.defi == slug
    assert chosen.criteria and all(c.reason.strip() for c in chosen.criteria)
    for extra in list(chosen.publics.values()) + list(chosen.modes.values()):
        assert all(c.reason.strip() for c in extra)
    profile = preset_profile(slug)
    assert profile.defi == slug and profile.criteria is None
    # a preset expanded for every public and mode still validates as a profile
    crits = preset_criteria(slug, list(chosen.publics), "dissemination")
    validate_profile(minimal(defi=slug, criteria=[c.model_dump() for c in crits]))


def test_publics_and_mode_change_the_preset():
    base = {c.indicator for c in preset_criteria("service-de-proximite")}
    seniors = {c.indicator for c in preset_criteria("service-de-proximite", ["seniors"])}
    assert {"pensions_share", "share_75_plus"} <= seniors - base
    dissemination = {c.indicator for c in preset_criteria("service-de-proximite", [], "dissemination")}
    assert "dist_france_services_km" in dissemination and "distance_incubator_km" not in dissemination


def test_unknown_preset():
    with pytest.raises(SentiersError, match="Profil type inconnu"):
        preset("culture")


def test_yaml_and_json_files_with_the_same_content_agree(tmp_path):
    data = minimal(criteria=[{"indicator": "has_epicerie", "weight": 3}])
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_profile(tmp_path / "a.yaml") == load_profile(tmp_path / "a.json")


def test_share_token_round_trip_and_damage():
    from sentiers.matching.share import profile_from_token, profile_to_token

    profile = validate_profile(
        minimal(name="<script>alert(1)</script> é", publics=["familles"], level="epci")
    )
    token = profile_to_token(profile)
    assert all(ch.isalnum() or ch in "-_" for ch in token)
    assert profile_from_token(token) == profile
    with pytest.raises(SentiersError, match="Lien de partage"):
        profile_from_token(token[:-6] + "!!!!")
    with pytest.raises(SentiersError, match="Lien de partage"):
        profile_from_token("")
