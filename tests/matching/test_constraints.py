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
from sentiers.matching.profile import validate_profile
from sentiers.matching.robustness import top_n_frequency
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


def test_robustness_is_seeded_and_bounded():
    rng = np.random.default_rng(0)
    transformed = rng.uniform(0, 1, (500, 4))
    weights = np.array([3.0, 1.0, 0.0, 2.0])
    first = top_n_frequency(transformed, weights, 10, draws=200, seed=3)
    again = top_n_frequency(transformed, weights, 10, draws=200, seed=3)
    assert np.array_equal(first, again)
    assert ((first >= 0) & (first <= 1)).all()
    assert first.sum() == pytest.approx(10.0)  # each draw has exactly 10 in its top 10
    # the clear winner under the user's weights stays in the top in (nearly) every draw
    best = np.argmax(transformed @ (weights / weights.sum()))
    assert first[best] >= 0.9
    assert np.all(top_n_frequency(transformed[:5], weights, 10) == 1.0)


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
