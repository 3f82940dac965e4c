"""NAF codes, the NAF -> défi table, complementary activities and the relation of an actor to a structure."""

from __future__ import annotations

import json

import pytest

from sentiers.actors.activities import COMPLEMENT, COMPLEMENTS, NAF_DEFI, OTHER, SAME, defi_of, relation
from sentiers.base.defis import DEFIS
from sentiers.base.naf import ACTIVITY_CHOICES, DIVISIONS, SUBCLASSES, activity_code, naf_label, normalise_naf


def _official(reference) -> dict[str, str]:
    return json.loads((reference / "labels_codes-NAF.json").read_text(encoding="utf-8"))


def _same(a: str, b: str) -> bool:
    return " ".join(a.replace("’", "'").split()) == " ".join(b.replace("’", "'").split())


def test_labels_agree_with_the_official_nomenclature(reference):
    """Every sub-class labelled here has the API's label; every official code has a known division."""
    official = _official(reference)
    for code, label in SUBCLASSES.items():
        assert code in official, code
        assert _same(label, official[code]), (code, label, official[code])
    assert {code[:2] for code in official} == set(DIVISIONS)
    for code in official:
        assert normalise_naf(code) == code
        assert naf_label(code)


def test_every_code_of_the_nomenclature_gets_a_defi_or_other(reference):
    official = _official(reference)
    found = {defi_of(code) for code in official}
    assert found <= {*DEFIS, OTHER}
    assert set(DEFIS) <= found  # each défi is reached by some activity
    assert set(NAF_DEFI.values()) <= set(DEFIS) and set(COMPLEMENTS) == set(DEFIS)
    # every prefix of the tables names real codes
    for prefix in [*NAF_DEFI, *(p for ps in COMPLEMENTS.values() for p in ps)]:
        assert any(code.startswith(prefix) for code in official), prefix


@pytest.mark.parametrize(
    ("naf", "defi"),
    [
        ("88.99B", "solidarite-cohesion-sociale"),
        ("88.10A", "service-de-proximite"),
        ("88.10C", "emploi-economie-locale"),
        ("47.11B", "service-de-proximite"),
        ("47.79Z", "transition-ecologique-solidaire"),
        ("38.32Z", "transition-ecologique-solidaire"),
        ("94.99Z", "mobilisation-collective"),
        ("90.01Z", "engagement-citoyen"),
        ("85.59A", "emploi-economie-locale"),
        ("85.52Z", "engagement-citoyen"),
        ("99.00Z", OTHER),
        ("", OTHER),
        ("garbage", OTHER),
    ],
)
def test_defi_of_takes_the_longest_prefix(naf, defi):
    assert defi_of(naf) == defi


def test_relations():
    # an épicerie (47.11B) in the défi « service de proximité »
    assert relation("47.11C", "47.11B", "service-de-proximite") == SAME  # same NAF group 47.1
    assert relation("88.99B", "47.11B", "service-de-proximite") == COMPLEMENT  # social action brings people
    assert relation("01.13Z", "47.11B", "service-de-proximite") == COMPLEMENT  # a local grower
    assert relation("90.01Z", "47.11B", "service-de-proximite") == ""
    # without a défi, the activity's own défi chooses the complements
    assert relation("88.99B", "47.11B", None) == COMPLEMENT
    # without an activity, only complements
    assert relation("38.32Z", None, "transition-ecologique-solidaire") == COMPLEMENT
    assert relation("47.79Z", None, "transition-ecologique-solidaire") == COMPLEMENT
    assert relation("47.79Z", None, None) == ""
    assert relation("", "47.11B", "service-de-proximite") == ""


def test_activity_codes_and_the_short_list():
    assert normalise_naf("8899b") == "88.99B" and normalise_naf(" 88.99 B ") == "88.99B"
    for bad in ("", "88.99", "00.00Z", "889", "ABCDE", None, 8899):
        assert normalise_naf(bad) is None
    for slug, (label, code) in ACTIVITY_CHOICES.items():
        assert activity_code(slug) == code and code in SUBCLASSES and label
    assert naf_label("10.71C") == "Boulangerie et boulangerie-pâtisserie"
    assert naf_label("10.13A") == "Industries alimentaires (10.13A)"


def test_profile_activity_is_validated_and_old_profiles_stay_valid():
    from sentiers.errors import SentiersError
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.profile import validate_profile
    from sentiers.matching.share import profile_from_token, profile_to_token

    base = {"name": "Épicerie", "defi": "service-de-proximite"}
    assert validate_profile(base).activity is None
    assert validate_profile({**base, "activity": "epicerie"}).activity == "47.11B"
    assert validate_profile({**base, "activity": "8899b"}).activity == "88.99B"
    assert validate_profile({**base, "activity": ""}).activity is None
    with pytest.raises(SentiersError, match=r"activity : activité « 12345 » non reconnue"):
        validate_profile({**base, "activity": "12345"})
    # a share link made before the field existed, and one carrying it
    old = profile_to_token(preset_profile("service-de-proximite"))
    assert profile_from_token(old).activity is None
    with_activity = preset_profile("service-de-proximite").model_copy(update={"activity": "47.11B"})
    assert profile_from_token(profile_to_token(with_activity)).activity == "47.11B"


def test_the_published_naf_defi_table_is_the_one_the_page_applies():
    from sentiers.actors.activities import COMPLEMENTS, NAF_DEFI, defi_table, defi_title

    rows = defi_table()
    served = {(r["Code NAF (préfixe)"], r["Défi"]) for r in rows if r["Lecture"] == "défi servi"}
    assert served == {(prefix, defi_title(slug)) for prefix, slug in NAF_DEFI.items()}
    complements = {
        (r["Code NAF (préfixe)"], r["Défi"]) for r in rows if r["Lecture"] == "activité complémentaire"
    }
    assert complements == {(p, defi_title(slug)) for slug, prefixes in COMPLEMENTS.items() for p in prefixes}
    assert all(r["Activités"] and "None" not in r["Activités"] for r in rows)
    by_prefix = {r["Code NAF (préfixe)"]: r["Activités"] for r in rows}
    assert by_prefix["88.10C"] == "Aide par le travail" and by_prefix["01"].startswith(
        "Culture et production"
    )
