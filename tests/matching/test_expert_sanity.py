"""The expert sanity suite: what a rural-development expert checks first in each preset's ranking, on the base built
from the official files, over the Kiif's covered départements and over all rural communes.

The figures and the five leading communes of each preset are written out by ``benchmarks/explain_presets.py``
(docs/presets.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from sentiers.base.catalogue import LACK_KM
from sentiers.matching.presets import preset, preset_profile
from sentiers.matching.profile import DEFIS
from sentiers.matching.score import rank_profile

pytestmark = pytest.mark.mirror

# the median population of a preset's top 20 stays above this (inhabitants): a hamlet is not a place to settle
MEDIAN_TOP20_AT_LEAST = {
    "emploi-economie-locale": 1500,
    "service-de-proximite": 500,
    "transition-ecologique-solidaire": 500,
    "solidarite-cohesion-sociale": 1500,
    "mobilisation-collective": 1500,
    "engagement-citoyen": 300,
}
SCOPES = {"covered": {"kiif_only": True}, "all": {"kiif_only": False}}


@pytest.fixture(scope="module")
def rankings(mirror_base):
    return {
        (slug, scope): rank_profile(mirror_base, preset_profile(slug, constraints=constraints))
        for slug in DEFIS
        for scope, constraints in SCOPES.items()
    }


@pytest.mark.parametrize("scope", list(SCOPES))
@pytest.mark.parametrize("slug", list(DEFIS))
def test_no_candidate_under_the_floor_and_a_top_20_of_real_places(rankings, slug, scope):
    ranking = rankings[(slug, scope)]
    floor = preset(slug).population_floor
    assert (ranking.frame["population"] >= floor).all()
    top = ranking.top(20)
    assert len(top) == 20
    assert top["population"].median() >= MEDIAN_TOP20_AT_LEAST[slug]
    assert not ranking.constant, ranking.constant  # every criterion of a preset separates the communes
    # robustness: k is 20 (thousands of candidates), every variant counts exactly 20
    assert ranking.leading == 20 and ranking.frame["robust_hits"].sum() == 20 * ranking.check.variants


@pytest.mark.parametrize("scope", list(SCOPES))
def test_service_de_proximite_top_20_has_no_food_shop_within_the_lack_distance(rankings, mirror_base, scope):
    top = rankings[("service-de-proximite", scope)].top(20)
    communes = mirror_base.communes.set_index("code").loc[top["code"]]
    assert (communes["dist_alimentation_km"] > LACK_KM["alimentation"]).all()
    food = communes[["bpe_b101", "bpe_b102", "bpe_b201", "bpe_b202"]].fillna(0).sum(axis=1)
    assert (food == 0).all()  # no shop of any size in the commune itself either


@pytest.mark.parametrize("scope", list(SCOPES))
def test_mobilisation_and_engagement_look_for_different_places(rankings, scope):
    mobilisation = set(rankings[("mobilisation-collective", scope)].top(20)["code"])
    engagement = set(rankings[("engagement-citoyen", scope)].top(20)["code"])
    assert len(mobilisation & engagement) < 10


def test_drome_bourgs_without_food_shop_rank_above_those_with_a_supermarket(mirror_base):
    ranking = rank_profile(
        mirror_base,
        preset_profile(
            "service-de-proximite",
            constraints={
                "kiif_only": False,
                "departements": ["26"],
                "population_min": 2000,
                "population_max": 10000,
            },
        ),
    )
    communes = mirror_base.communes.set_index("code").loc[ranking.frame["code"]]
    big = (communes["bpe_b101"].fillna(0) + communes["bpe_b102"].fillna(0)).to_numpy() > 0
    without = (communes["dist_alimentation_km"] > 0).to_numpy()
    assert without.any() and big.any()
    ranks = ranking.frame["rank"].to_numpy()
    assert ranks[without].max() < ranks[big].min()


def test_the_diois_is_the_first_drome_epci_for_service_de_proximite(mirror_base):
    ranking = rank_profile(
        mirror_base,
        preset_profile(
            "service-de-proximite", level="epci", constraints={"kiif_only": False, "departements": ["26"]}
        ),
    )
    assert ranking.frame.iloc[0]["name"] == "CC du Diois"
    assert not ranking.constant  # EPCI criteria are shares and distances, not averaged presences
    assert ranking.leading == max(1, len(ranking.frame) // 4)


def test_the_artefacts_of_the_first_version_are_gone(rankings, mirror_base):
    communes = mirror_base.communes.set_index("code")
    # La Haute-Beaume (7 inhabitants, 100 % unemployment) and Cumières-le-Mort-Homme (0 inhabitants, a village
    # destroyed in 1916) are not candidates of any preset any more
    assert communes.loc["05066", "population"] == 7 and communes.loc["55139", "population"] == 0
    for code in ("05066", "55139"):
        for (slug, scope), ranking in rankings.items():
            assert code not in set(ranking.frame["code"]), (code, slug, scope)
    emploi = rankings[("emploi-economie-locale", "all")].top(20)
    assert (emploi["population"] >= 1000).all()
    # the rates that lead a ranking are measured on enough people, or shrunk toward the département
    shrunk = emploi["val:unemployment_rate"].to_numpy()
    measured = emploi["raw:unemployment_rate"].to_numpy()
    assert np.all(np.abs(shrunk - measured) < 2.0)  # large denominators: barely moved


def test_without_any_floor_a_hamlet_no_longer_tops_emploi(mirror_base):
    """The floor aside, the shrunk rates alone keep the 7-inhabitant La Haute-Beaume far from the top."""
    ranking = rank_profile(
        mirror_base,
        preset_profile("emploi-economie-locale", constraints={"kiif_only": False, "population_min": 0}),
        draws=0,
    )
    rank = int(ranking.frame.loc[ranking.frame["code"] == "05066", "rank"].iloc[0])
    assert rank > 1000
    assert ranking.top(20)["population"].median() >= 500


@pytest.mark.parametrize("scope", list(SCOPES))
@pytest.mark.parametrize("slug", ["service-de-proximite", "engagement-citoyen", "mobilisation-collective"])
def test_a_rural_defi_does_not_lead_to_the_crown_of_a_city(rankings, mirror_base, slug, scope):
    """A village of a city's crown (AAV category 20) shops and works in the city: at most half the top 20, and at
    most three in the crown of a city of 200,000 inhabitants or more (Chaponnay, Le Rove, Chambles are not
    where a rural défi is lacking)."""
    top = rankings[(slug, scope)].top(20)
    communes = mirror_base.communes.set_index("code").loc[top["code"]]
    crown = communes["cateaav2020"].astype(str) == "20"
    big = communes["taav2017"].astype(str).isin(["3", "4", "5"])
    assert crown.sum() <= 10, communes.loc[crown, "name"].tolist()
    assert (crown & big).sum() <= 3, communes.loc[crown & big, "name"].tolist()
