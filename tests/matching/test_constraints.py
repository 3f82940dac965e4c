"""Hard constraints, the funnel, EPCI aggregation and robustness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiers.base.catalogue import RATES
from sentiers.errors import SentiersError
from sentiers.geometry import haversine_km
from sentiers.matching.candidates import build_table
from sentiers.matching.presets import preset, preset_profile
from sentiers.matching.profile import DEFIS, validate_profile
from sentiers.matching.score import rank_profile

from .helpers import COVERAGE, communes_frame, make_base

BASE = make_base(communes_frame(90, seed=2))


def profile(**constraints):
    return validate_profile(
        {
            "name": "test",
            "defi": "service-de-proximite",
            "constraints": constraints,
            "criteria": [
                {"indicator": "has_epicerie", "weight": 2},
                {"indicator": "median_income", "weight": 1},
            ],
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    kiif=st.booleans(),
    rural=st.booleans(),
    deps=st.lists(st.sampled_from(["14", "50", "35"]), max_size=2, unique=True),
    pop_min=st.one_of(st.none(), st.integers(0, 3000)),
    pop_max=st.one_of(st.none(), st.integers(3000, 7000)),
    distance=st.one_of(st.none(), st.floats(5, 150)),
    zonings=st.lists(st.sampled_from(["frr", "pvd", "france_services"]), max_size=2, unique=True),
)
def test_every_result_satisfies_every_constraint(kiif, rural, deps, pop_min, pop_max, distance, zonings):
    constraints = {
        "kiif_only": kiif,
        "rural_only": rural,
        "departements": deps,
        "population_min": pop_min,
        "population_max": pop_max,
        "zonings_required": zonings,
    }
    if distance is not None:
        constraints |= {"reference_commune": "14000", "max_distance_km": distance}
    ranking = rank_profile(BASE, profile(**constraints), coverage=COVERAGE, draws=20)
    communes = BASE.communes.set_index("code").loc[ranking.frame["code"]]
    if kiif:
        assert communes["departement"].isin(COVERAGE.departements).all()
    if rural:
        assert communes["rural"].all()
    if deps:
        assert communes["departement"].isin(deps).all()
    if pop_min is not None:
        assert (communes["population"] >= pop_min).all()
    if pop_max is not None:
        assert (communes["population"] <= pop_max).all()
    if distance is not None:
        ref = BASE.communes.set_index("code").loc["14000"]
        dist = haversine_km(communes["lat"].to_numpy(), communes["lon"].to_numpy(), ref["lat"], ref["lon"])
        assert (dist <= distance + 1e-9).all()
    if "frr" in zonings:
        assert (communes["frr"] == "FRR socle").all()
    if "pvd" in zonings:
        assert communes["pvd"].all()
    if "france_services" in zonings:
        assert (communes["france_services"] > 0).all()
    # the funnel adds up
    funnel = ranking.funnel
    assert funnel[0]["remaining"] == len(BASE.communes)
    for before, after in zip(funnel, funnel[1:], strict=False):
        assert after["remaining"] == before["remaining"] - after["removed"]
    assert funnel[-1]["remaining"] == len(ranking.frame)


def test_empty_result_explains_itself():
    ranking = rank_profile(BASE, profile(population_min=6500, population_max=6600), coverage=COVERAGE)
    assert ranking.frame.empty
    emptied = [s for s in ranking.funnel if s["removed"] > 0 and s["remaining"] == 0]
    assert emptied and "Population" in emptied[0]["constraint"]


def test_constraints_the_base_cannot_check_are_errors():
    frame = communes_frame(10).drop(columns=["rural", "density_level"])
    with pytest.raises(SentiersError, match="rural_only"):
        rank_profile(make_base(frame), profile(), coverage=COVERAGE)
    with pytest.raises(SentiersError, match="kiif_only"):
        _no_coverage()
    with pytest.raises(SentiersError, match="zonings_required"):
        rank_profile(BASE, profile(zonings_required=["va"]), coverage=COVERAGE)
    with pytest.raises(SentiersError, match="departements"):
        rank_profile(BASE, profile(departements=["99"]), coverage=COVERAGE)
    with pytest.raises(SentiersError, match="reference_commune"):
        rank_profile(BASE, profile(reference_commune="99999", max_distance_km=10), coverage=COVERAGE)


def _no_coverage():
    from sentiers.matching.constraints import apply_constraints

    table = build_table(BASE.communes, "commune", coverage=None)
    apply_constraints(table, profile().constraints, coverage=None)


def test_epci_rates_come_from_summed_counts():
    communes = communes_frame(50, seed=4)
    epci = build_table(communes, "epci", coverage=COVERAGE).frame.set_index("code")
    for code, members in communes.groupby("epci"):
        row = epci.loc[code]
        assert row["population"] == members["population"].sum()
        for rate, entry in RATES.items():
            num, den, factor = entry.numerator, entry.denominator, entry.factor
            if rate in epci and num in members and den in members:
                expected = members[num].sum() / members[den].sum() * factor
                measured = row[f"raw:{rate}"] if f"raw:{rate}" in epci else row[rate]  # scored shrunk
                assert measured == pytest.approx(expected)
                assert measured != pytest.approx((members[num] / members[den] * factor).mean(), rel=1e-9)
        assert row["has_epicerie"] == float(members["bpe_b202"].sum() > 0)
        assert row["raw:epicerie_per_1000"] == pytest.approx(
            members["bpe_b202"].sum() / members["population"].sum() * 1000
        )
        rural_share = members.loc[members["rural"], "population"].sum() / members["population"].sum() * 100
        assert row["rural_pop_share"] == pytest.approx(rural_share)
        largest = members.sort_values("population", ascending=False).iloc[0]
        assert row["departement"] == largest["departement"]


def test_epci_level_ranks_epci():
    ranking = rank_profile(
        BASE,
        profile(kiif_only=False, rural_only=False).model_copy(update={"level": "epci"}),
        coverage=COVERAGE,
    )
    assert ranking.level == "epci" and set(ranking.frame["code"]) <= set(BASE.communes["epci"])
    assert ranking.frame["name"].str.startswith("CC ").all()


def test_distance_indicators():
    frame = communes_frame(10)
    table = build_table(frame, "commune", coverage=COVERAGE).frame
    inc = COVERAGE.incubator_points["14"]
    in_14 = table["departement"] == "14"
    expected = haversine_km(table.loc[in_14, "lat"], table.loc[in_14, "lon"], inc[0], inc[1])
    assert np.allclose(table.loc[in_14, "distance_incubator_km"], expected)
    assert table.loc[table["departement"] != "14", "distance_incubator_km"].isna().all()  # unknown -> missing
    assert haversine_km(np.array([48.8566]), np.array([2.3522]), 45.764, 4.8357)[0] == pytest.approx(
        392, abs=2
    )
    ranking = rank_profile(
        BASE,
        validate_profile(
            {
                "name": "d",
                "defi": "engagement-citoyen",
                "constraints": {"kiif_only": False, "rural_only": False, "reference_commune": "14000"},
                "criteria": [{"indicator": "distance_reference_km", "weight": 1}],
            }
        ),
        coverage=COVERAGE,
    )
    assert ranking.frame.iloc[0]["code"] == "14000"
    assert pd.Series(ranking.frame["val:distance_reference_km"]).is_monotonic_increasing


def test_unknown_rurality_is_removed_and_said():
    frame = communes_frame(30, seed=8)
    frame["rural"] = pd.array([pd.NA, pd.NA] + [True] * 28, dtype="boolean")
    ranking = rank_profile(make_base(frame), profile(kiif_only=False), coverage=COVERAGE, draws=0)
    step = next(s for s in ranking.funnel if s["constraint"].startswith("Communes rurales"))
    assert step["removed"] == 2 and "dont 2 à la ruralité inconnue" in step["constraint"]
    assert not ranking.frame["code"].isin(frame["code"][:2]).any()


def test_an_uninhabited_commune_is_never_a_candidate_and_the_defi_floor_applies_by_default():
    frame = communes_frame(30, seed=21)
    frame["population"] = pd.array([0, 7, 250, 350] + [800] * 26, dtype="Int64")
    base = make_base(frame)
    open_ = {"kiif_only": False, "rural_only": False}
    # service de proximité: 300 inhabitants by default, said as the défi's default
    ranking = rank_profile(base, preset_profile("service-de-proximite", constraints=open_), coverage=COVERAGE)
    labels = [s["constraint"] for s in ranking.funnel]
    assert labels[1] == "Communes habitées (population supérieure à 0)" and ranking.funnel[1]["removed"] == 1
    floor = next(s for s in ranking.funnel if "seuil par défaut du défi" in s["constraint"])
    assert floor["constraint"].startswith("Population d'au moins 300 habitants") and floor["removed"] == 2
    assert (ranking.frame["population"] >= 300).all()
    # the user changes it: 0 is no floor at all (the uninhabited commune still stays out), 100 is theirs
    none = rank_profile(
        base,
        preset_profile("service-de-proximite", constraints={**open_, "population_min": 0}),
        coverage=COVERAGE,
    )
    assert set(none.frame["population"]) >= {7, 250} and 0 not in set(none.frame["population"])
    own = rank_profile(
        base,
        preset_profile("service-de-proximite", constraints={**open_, "population_min": 100}),
        coverage=COVERAGE,
    )
    assert any(s["constraint"] == "Population d'au moins 100 habitants" for s in own.funnel)
    assert 7 not in set(own.frame["population"]) and 250 in set(own.frame["population"])
    # an EPCI has no floor
    epci = rank_profile(
        base, preset_profile("service-de-proximite", level="epci", constraints=open_), coverage=COVERAGE
    )
    assert not any("seuil" in s["constraint"] for s in epci.funnel)


@pytest.mark.parametrize("slug", list(DEFIS))
def test_every_defi_has_a_floor_a_rationale_and_says_what_is_missing(slug):
    chosen = preset(slug)
    assert chosen.population_floor >= 200 and chosen.floor_reason and chosen.rationale
    assert chosen.measures and chosen.missing
    labels = {"va", "pvd", "acv", "frr", "has_fabrique", "has_manufacture"}
    weights = {c.indicator: c.weight for c in chosen.criteria}
    # a programme label may support a criterion, never be the whole of it
    assert sum(w for i, w in weights.items() if i in labels) <= 0.1 * sum(weights.values())


def test_a_reference_code_that_is_also_a_postal_code_is_the_commune_the_fiche_opens():
    """01090 / 26150: an Insee code of one commune and the postal code of others. A profile's reference commune
    reads it as the fiche and a link do (the Insee code), instead of refusing it as ambiguous."""
    from sentiers.briefing.territory import resolve_territory
    from sentiers.matching.constraints import resolve_reference
    from tests.factory import make_base as factory_base

    base = factory_base(
        [
            {"code": "26150", "name": "Izon-la-Bruisse", "departement": "26", "postal_codes": "26560"},
            {"code": "26113", "name": "Die", "departement": "26", "postal_codes": "26150"},
            {"code": "26001", "name": "Solaure en Diois", "departement": "26", "postal_codes": "26150"},
        ],
        access=False,
    )
    assert resolve_reference(base, "26150").code == resolve_territory(base, "26150").code == "26150"
    assert resolve_reference(base, "Die").code == "26113"
    with pytest.raises(SentiersError, match="reference_commune"):
        resolve_reference(base, "CP 26150")  # asked as a postal code: two communes, said so
