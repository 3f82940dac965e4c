"""« Êtes-vous prêt·e ? »: the answers' schema matches the questions, each answer says its status with why and what
to prepare, the target territories follow the programme's coverage and FAQ, and no score is made of it."""

from __future__ import annotations

import typing

import pytest

from sentiers.errors import SentiersError
from sentiers.matching.presets import preset_profile
from sentiers.matching.profile import parse_profile, to_yaml, validate_profile
from sentiers.matching.readiness import QUESTIONS, STATUS_LABELS, Readiness, assess, counts, summary_text


def test_each_field_accepts_exactly_its_questions_options():
    for question in QUESTIONS:
        annotation = Readiness.model_fields[question.key].annotation
        (literal,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        assert set(typing.get_args(literal)) == set(question.options), question.key
        for value, option in question.options.items():
            assert option.status in ("pret", "consolider", "bloquant"), (question.key, value)
            assert option.why and option.prepare and option.label


def test_every_status_is_reachable_and_unanswered_is_said():
    statuses = {o.status for q in QUESTIONS for o in q.options.values()}
    assert statuses == {"pret", "consolider", "bloquant"}
    lines = assess(None, preset_profile("service-de-proximite"))
    assert len(lines) == len(QUESTIONS) + 1  # + the target territories
    assert all(line.status == "sans_reponse" for line in lines[:-1])
    assert lines[0].criterion.endswith("Défi choisi : « Service de proximité ».")


def test_answers_give_their_status_why_and_what_to_prepare():
    profile = preset_profile(
        "service-de-proximite",
        readiness={"lucrativite": "societe", "impact": "constate", "gouvernance": "oui"},
    )
    by_key = {q.key: line for q, line in zip(QUESTIONS, assess(profile.readiness, profile), strict=False)}
    assert by_key["lucrativite"].status == "bloquant" and "ESUS" in by_key["lucrativite"].prepare
    assert by_key["impact"].status == "consolider"
    assert by_key["gouvernance"].status == "pret"
    assert by_key["gouvernance"].answer == "Oui, c'est prévu par les statuts et pratiqué"


def test_the_summary_counts_statuses_and_is_no_score():
    profile = preset_profile("service-de-proximite", readiness={"lucrativite": "societe", "impact": "mesure"})
    lines = assess(profile.readiness, profile)
    found = counts(lines)
    assert found["bloquant"] == 1 and found["pret"] == 2 and sum(found.values()) == len(lines)
    text = summary_text(lines)
    assert text.startswith("10 critères : 2 prêts, 1 bloquant")
    assert "/ 100" not in text and "score" not in text.lower() and "%" not in text
    assert set(STATUS_LABELS) == set(found)


def test_target_territories_follow_the_coverage_and_the_faq():
    inside = preset_profile("service-de-proximite", constraints={"departements": ["26", "07"]})
    line = assess(inside.readiness, inside)[-1]
    assert line.status == "pret" and "26" in line.answer
    outside = preset_profile(
        "service-de-proximite",
        mode="dissemination",
        constraints={"departements": ["48"], "kiif_only": False},
        readiness={"origine": "urbaine", "siege_departement": "30"},
    )
    line = assess(outside.readiness, outside)[-1]
    assert line.status == "consolider"
    assert "48" in line.answer
    assert "lucas.perrier@ronalpia.fr" in line.prepare  # the contact the FAQ gives
    assert "projets urbains" in line.why or "Projet urbain" in line.why
    assert "dissémination" in line.why
    same_region = preset_profile(
        "service-de-proximite", constraints={"departements": ["26"]}, readiness={"siege_departement": "69"}
    )
    assert "même région que le siège" in assess(same_region.readiness, same_region)[-1].why
    open_profile = preset_profile("service-de-proximite", constraints={"kiif_only": False})
    assert assess(None, open_profile)[-1].status == "consolider"


def test_the_answers_live_in_the_profile_file_and_are_validated_in_french():
    profile = preset_profile(
        "engagement-citoyen",
        readiness={"innovation": "offre_existe", "siege_departement": "2a", "comment": "Ligne 1\nLigne 2"},
    )
    again = parse_profile(to_yaml(profile))
    assert again.readiness == profile.readiness
    assert again.readiness.siege_departement == "2A"
    assert again.readiness.comment == "Ligne 1\nLigne 2"
    with pytest.raises(
        SentiersError,
        match=r"readiness\.impact : valeur « bof » non reconnue \(valeurs possibles : mesure, constate ou trop_tot\)",
    ):
        validate_profile({"name": "x", "defi": "engagement-citoyen", "readiness": {"impact": "bof"}})
    with pytest.raises(SentiersError, match="readiness.score : clé inconnue"):
        validate_profile({"name": "x", "defi": "engagement-citoyen", "readiness": {"score": 12}})
    with pytest.raises(SentiersError, match="département du siège inconnu"):
        validate_profile(
            {"name": "x", "defi": "engagement-citoyen", "readiness": {"siege_departement": "99"}}
        )
    with pytest.raises(SentiersError, match="readiness.comment : trop long"):
        validate_profile({"name": "x", "defi": "engagement-citoyen", "readiness": {"comment": "x" * 1001}})
