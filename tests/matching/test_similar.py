"""« Territoires semblables au vôtre » on the base built from the official files: credible neighbours for real
reference communes, the défi's floor and the ranking's constraints applied, small numbers smoothed and said, reasons
in words, and the profile, CLI and share link carrying the references."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sentiers.errors import SentiersError
from sentiers.matching.candidates import candidate_table
from sentiers.matching.presets import preset, preset_profile
from sentiers.matching.profile import SimilarIndicator, validate_profile
from sentiers.matching.share import profile_from_token, profile_to_token
from sentiers.matching.similar import (
    reason_text,
    references_text,
    similar_communes,
    similar_json,
    similar_table,
    words,
)

pytestmark = pytest.mark.mirror

DIE, SAINT_NAZAIRE, BATIE_DES_FONDS = "26113", "26321", "26030"  # 4,844, 206 and 6 inhabitants (Drôme)


@pytest.fixture(scope="module")
def table(mirror_base):
    return candidate_table(mirror_base, "commune").frame.set_index("code")


def test_die_finds_small_rural_towns_that_are_poles_with_shops(mirror_base, table):
    result = similar_communes(mirror_base, preset_profile("service-de-proximite"), [DIE])
    top = result.top(20)
    codes = top["code"].tolist()
    assert DIE not in set(result.frame["code"])  # the reference itself is not a result
    assert any(s["constraint"].startswith("Communes de référence") for s in result.funnel)
    # size: within a factor two of Die's 4,844 inhabitants
    assert top["population"].between(2400, 9700).all(), top[["name", "population"]]
    # rurality and access: rural bourgs (level 5), pôles of their own small aire, with a food shop and a doctor
    assert (table.loc[codes, "rural"] == 1).all()
    assert (table.loc[codes, "density_level"] == 5).mean() >= 0.9
    assert (table.loc[codes, "aav_remoteness"] == 1).mean() >= 0.9
    assert (table.loc[codes, "dist_alimentation_km"] == 0).all()
    assert top["similarity"].is_monotonic_decreasing
    assert (top["similarity"] > 90).all()
    # same constraints as the ranking: covered départements only
    assert top["departement"].isin(set(table.loc[codes, "departement"])).all()
    assert bool(table.loc[codes, "kiif_covered"].all())


def test_a_remote_village_finds_remote_villages_and_says_it_is_under_the_floor(mirror_base, table):
    profile = preset_profile("service-de-proximite")
    result = similar_communes(mirror_base, profile, [SAINT_NAZAIRE])
    top = result.top(20)
    codes = top["code"].tolist()
    assert (top["population"] >= preset("service-de-proximite").population_floor).all()
    assert any("206 habitants" in n and "population minimale" in n for n in result.notes)
    assert (table.loc[codes, "aav_remoteness"] >= 2).all()
    assert (table.loc[codes, "aav_remoteness"] == 3).mean() >= 0.8
    assert (table.loc[codes, "density_level"] >= 6).all()
    # without a floor, villages of its own size come first
    free = similar_communes(
        mirror_base,
        preset_profile("service-de-proximite", constraints={"population_min": 0}),
        [SAINT_NAZAIRE],
    )
    assert free.top(20)["population"].between(60, 700).all()
    assert free.top(20)["similarity"].iloc[0] > result.top(20)["similarity"].iloc[0]


def test_a_hamlet_is_kept_out_by_the_floor(mirror_base):
    result = similar_communes(mirror_base, preset_profile("service-de-proximite"), [BATIE_DES_FONDS])
    assert result.frame["population"].min() >= 300
    assert any("6 habitants" in n for n in result.notes)
    # the resemblance says these are not alike, rather than pretending
    assert result.top(5)["similarity"].max() < 50
    hamlets = similar_communes(
        mirror_base,
        preset_profile("service-de-proximite", constraints={"population_min": 0}),
        [BATIE_DES_FONDS],
    )
    assert hamlets.top(10)["population"].max() < 60  # only when the user lowers the floor


def test_several_references_name_the_nearest_one(mirror_base):
    result = similar_communes(
        mirror_base, preset_profile("solidarite-cohesion-sociale"), [DIE, "Saint-Nazaire-le-Désert"]
    )
    assert [r.code for r in result.references] == [DIE, SAINT_NAZAIRE]
    assert set(result.frame["nearest_reference"]) <= {DIE, SAINT_NAZAIRE}
    first = result.top(1).to_dict("records")[0]
    assert reason_text(result, first).startswith("proche de Die")
    assert len(references_text(result)) == 2


def test_reasons_say_what_is_close_and_what_differs(mirror_base):
    result = similar_communes(mirror_base, preset_profile("service-de-proximite"), [SAINT_NAZAIRE])
    records = result.frame.head(300).to_dict("records")
    farther = [r for r in records if (r.get("gap:dist_alimentation_km") or 0) >= 0.75]
    assert farther, "some similar communes are farther from a food shop"
    assert any("plus loin d'un commerce alimentaire" in reason_text(result, r) for r in farther)
    for rec in records[:20]:
        text = reason_text(result, rec)
        assert "proche" in text
        assert "_" not in text  # no internal identifier
    assert words("population")[0] == "taille"
    assert words("dist_epicerie_km")[1] == "plus loin d'une épicerie"


def test_small_numbers_are_smoothed_and_said(mirror_base):
    profile = preset_profile(
        "solidarite-cohesion-sociale", constraints={"population_min": 0, "kiif_only": False}
    )
    result = similar_communes(mirror_base, profile, [BATIE_DES_FONDS])
    ref = result.references[0]
    assert "unemployment_rate" in ref.small  # 6 inhabitants: a handful of actives
    assert "effectif faible" in references_text(result)[0]
    raw = candidate_table(mirror_base, "commune").frame.set_index("code").loc[BATIE_DES_FONDS]
    assert ref.values["unemployment_rate"] == pytest.approx(
        float(raw["unemployment_rate"])
    )  # the shrunk value
    smoothed = [reason_text(result, r) for r in result.top(20).to_dict("records")]
    assert any("taux lissé" in t for t in smoothed)


def test_unavailable_indicators_are_said_and_the_others_keep_working(mirror_base):
    result = similar_communes(mirror_base, preset_profile("service-de-proximite"), [DIE])
    said = {u["indicator"] for u in result.unavailable}
    assert "share_75_plus" in said  # the age structure is not in the mirror
    assert "share_75_plus" not in [i.indicator for i in result.indicators]
    with pytest.raises(SentiersError, match="similar.indicators : aucun des indicateurs"):
        similar_communes(
            mirror_base,
            preset_profile("service-de-proximite"),
            [DIE],
            indicators=[SimilarIndicator(indicator="share_75_plus")],
        )


def test_bad_references_are_one_french_message(mirror_base):
    with pytest.raises(SentiersError, match="similar.references : « 99999 »"):
        similar_communes(mirror_base, preset_profile("service-de-proximite"), ["99999"])
    with pytest.raises(SentiersError, match="au moins une commune"):
        similar_communes(mirror_base, preset_profile("service-de-proximite"))
    with pytest.raises(SentiersError, match="similar.references"):
        validate_profile({"name": "x", "defi": "service-de-proximite", "similar": {"references": []}})
    with pytest.raises(SentiersError, match="ne décrit pas un territoire"):
        validate_profile(
            {
                "name": "x",
                "defi": "service-de-proximite",
                "similar": {"references": [DIE], "indicators": [{"indicator": "distance_incubator_km"}]},
            }
        )


def test_the_profile_and_the_share_link_carry_the_references(mirror_base):
    profile = preset_profile(
        "engagement-citoyen",
        similar={
            "references": [DIE, "Saint-Nazaire-le-Désert"],
            "indicators": [{"indicator": "population", "weight": 2}, {"indicator": "density"}],
        },
    )
    again = profile_from_token(profile_to_token(profile))
    assert again.similar == profile.similar
    result = similar_communes(mirror_base, again)
    assert [i.indicator for i in result.indicators] == ["population", "density"]
    assert result.weights.tolist() == [2.0, 1.0]


def test_tables_and_json_are_readable(mirror_base):
    result = similar_communes(mirror_base, preset_profile("service-de-proximite"), [DIE], top_n=10)
    table = similar_table(result)
    assert len(table) == 10 and list(table.columns[:7]) == [
        "Rang",
        "Code commune",
        "Nom",
        "Département",
        "Population",
        "Ressemblance (0-100)",
        "Pourquoi",
    ]
    doc = json.loads(json.dumps(similar_json(result)))
    assert doc["results"][0]["code"] == result.frame["code"].iloc[0]
    assert doc["candidates"] == len(result.frame)
    assert np.isclose(sum(i["weight_share"] for i in doc["indicators"]), 1.0, atol=1e-3)
