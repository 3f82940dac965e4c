"""Scoring: contributions, monotonicity, determinism, missing values, presets on a small base."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiers.errors import SentiersError
from sentiers.matching.candidates import build_table
from sentiers.matching.presets import preset_profile
from sentiers.matching.profile import Criterion, validate_profile
from sentiers.matching.score import missing_of, percentile_rank, rank_profile, ranking_json, score_frame

from .helpers import COVERAGE, communes_frame, make_base


def crit(indicator, weight=1.0, direction=None, target=None):
    return Criterion(indicator=indicator, weight=weight, direction=direction, target=target)


def table(n=40, seed=1, **overrides):
    return build_table(communes_frame(n, seed, **overrides), "commune", coverage=COVERAGE).frame


CRITERIA = [
    crit("unemployment_rate", 3),
    crit("median_income", 2),
    crit("has_epicerie", 1),
    crit("population", 1, "target", 1500),
    crit("vacancy_share", 0.5, "lower"),
]


def test_contributions_add_up_to_the_score():
    scored = score_frame(table(), CRITERIA)
    pts = scored.frame[[f"pts:{c.indicator}" for c in CRITERIA]].sum(axis=1)
    assert np.allclose(pts, scored.frame["score"], atol=0.01)
    assert scored.frame["score"].between(0, 100).all()
    assert list(scored.frame["rank"]) == list(range(1, len(scored.frame) + 1))
    assert scored.frame["score"].is_monotonic_decreasing


def test_score_formula_on_a_hand_made_case():
    frame = pd.DataFrame({"code": ["a", "b", "c"], "name": list("ABC"), "population": [100.0, 200.0, 300.0]})
    frame["unemployment_rate"] = [5.0, 10.0, 15.0]
    frame["median_income"] = [30000.0, 20000.0, 10000.0]
    scored = score_frame(frame, [crit("unemployment_rate", 3), crit("median_income", 1, "higher")])
    # c: unemployment best (1) ×3/4, income worst (0) -> 75; a: 0 + 1×1/4 -> 25; b: 0.5 -> 50
    got = dict(zip(scored.frame["code"], scored.frame["score"], strict=True))
    assert got == pytest.approx({"c": 75.0, "b": 50.0, "a": 25.0})


def test_all_zero_weights_is_a_clear_error():
    with pytest.raises(SentiersError, match="tous les poids sont nuls"):
        score_frame(table(), [crit("population", 0), crit("median_income", 0)])
    with pytest.raises(SentiersError, match="aucun critère"):
        score_frame(table(), [])


def test_target_direction_prefers_closeness():
    frame = pd.DataFrame(
        {"code": list("abcd"), "name": list("abcd"), "population": [500.0, 1400.0, 1600.0, 9000.0]}
    )
    scored = score_frame(frame, [crit("population", 1, "target", 1500)])
    top = list(scored.frame["code"])
    assert set(top[:2]) == {"b", "c"} and top[-1] == "d"


def test_percentile_rank_ties_and_missing():
    values = np.array([3.0, np.nan, 1.0, 3.0, 2.0])
    ranks = percentile_rank(values)
    assert np.isnan(ranks[1])
    assert ranks[2] == 0.0 and ranks[0] == ranks[3] == pytest.approx(5 / 6)
    assert np.all(percentile_rank(np.array([4.0, 4.0, 4.0])) == 0.5)


@pytest.mark.parametrize("policy,fill", [("neutral", 0.5), ("worst", 0.0)])
def test_missing_values_are_flagged_not_zero(policy, fill):
    frame = table()
    frame.loc[[0, 5], "median_income"] = np.nan
    codes = set(frame.loc[[0, 5], "code"])
    scored = score_frame(frame, [crit("median_income", 1), crit("population", 1)], policy)
    flagged = scored.frame[scored.frame["na:median_income"]]
    assert set(flagged["code"]) == codes
    assert all(missing_of(r, scored.criteria) == ["median_income"] for r in flagged.to_dict("records"))
    assert np.allclose(flagged["pts:median_income"], 100 * fill * 0.5)
    assert np.isnan(flagged["val:median_income"]).all()


def test_missing_policy_exclude_removes_and_counts():
    frame = table()
    frame.loc[[1, 2, 3], "median_income"] = np.nan
    scored = score_frame(frame, [crit("median_income", 1)], "exclude")
    assert scored.excluded_missing == 3 and len(scored.frame) == len(frame) - 3


def test_unavailable_indicator_is_reported_not_zero():
    frame = table()
    scored = score_frame(
        frame,
        [crit("poverty_rate", 2), crit("population", 1)],
        unavailable_reasons={"poverty_rate": "pas chargé"},
    )
    assert [u["indicator"] for u in scored.unavailable] == ["poverty_rate"]
    assert scored.unavailable[0]["reason"] == "pas chargé"
    assert "pts:poverty_rate" not in scored.frame
    with pytest.raises(SentiersError, match="aucun critère de poids positif"):
        score_frame(frame, [crit("poverty_rate", 2), crit("population", 0)])


@settings(max_examples=60, deadline=None)
@given(
    row=st.integers(0, 29),
    indicator=st.sampled_from(
        ["unemployment_rate", "median_income", "population", "vacancy_share", "pensions_share"]
    ),
    bump=st.floats(0.001, 1e5, allow_nan=False),
    weights=st.lists(st.floats(0.0, 10.0), min_size=3, max_size=3).filter(lambda w: sum(w) > 0),
)
def test_raising_a_higher_indicator_never_lowers_the_score(row, indicator, bump, weights):
    frame = table(30, seed=7)
    criteria = [
        crit(indicator, weights[0], "higher"),
        crit("jobs_per_active", weights[1]),
        crit("has_epicerie", weights[2]),
    ]
    before = score_frame(frame, criteria)
    code = frame.loc[row, "code"]
    raised = frame.copy()
    raised.loc[row, indicator] = raised.loc[row, indicator] + bump
    after = score_frame(raised, criteria)
    pts = after.frame[[f"pts:{c.indicator}" for c in after.criteria]].sum(axis=1)
    assert np.allclose(pts, after.frame["score"], atol=0.01)
    s_before = before.frame.set_index("code").loc[code, "score"]
    s_after = after.frame.set_index("code").loc[code, "score"]
    assert s_after >= s_before - 1e-9


def test_seniors_preset_prefers_far_from_food_and_older_population():
    """service-de-proximite + seniors: all else equal, far from any food shop and an older population rank first."""
    frame = communes_frame(4, seed=3)
    same = frame.iloc[0]
    for column in frame.columns:
        if column not in ("code", "name"):
            frame[column] = [same[column]] * 4
    # C and D have a shop; A and B stand 12 km north of them (0.108° of latitude), beyond the 5 km of a lack
    frame["lat"], frame["lon"] = [45.108, 45.108, 45.0, 45.0], [5.0, 5.0, 5.0, 5.0]
    frame["bpe_b202"] = pd.array([0, 0, 1, 1], dtype="Int64")
    frame["pensions_share"] = [45.0, 25.0, 45.0, 25.0]  # A, C older
    frame["code"] = ["14001", "14002", "14003", "14004"]
    frame["departement"] = "14"
    frame["population"] = 800
    base = make_base(frame)
    assert list(base.communes["dist_alimentation_km"].round(1)) == [12.0, 12.0, 0.0, 0.0]
    profile = preset_profile("service-de-proximite", publics=["seniors"])
    ranking = rank_profile(base, profile, coverage=COVERAGE, draws=50)
    scores = dict(zip(ranking.frame["code"], ranking.frame["score"], strict=True))
    a, b, c, d = (scores[k] for k in ["14001", "14002", "14003", "14004"])
    assert a > b > d and a > c > d
    assert list(ranking.frame["code"])[0] == "14001" and list(ranking.frame["code"])[-1] == "14004"
    # without the seniors public, the pensions share plays no part
    plain = rank_profile(base, preset_profile("service-de-proximite"), coverage=COVERAGE, draws=50)
    plain_scores = dict(zip(plain.frame["code"], plain.frame["score"], strict=True))
    assert plain_scores["14001"] == pytest.approx(plain_scores["14002"])
    # the population, the same everywhere, separates nothing: said, and weighs nothing
    assert "population" in {c["indicator"] for c in plain.constant}
    assert (plain.frame["pts:population"] == 0).all()


def test_same_profile_same_base_same_seed_same_ranking():
    base = make_base(communes_frame(60, seed=5))
    profile = validate_profile(
        {
            "name": "x",
            "defi": "emploi-economie-locale",
            "constraints": {"kiif_only": False, "rural_only": False},
        }
    )
    first = rank_profile(base, profile, coverage=COVERAGE, seed=11, top_n=5)
    second = rank_profile(make_base(communes_frame(60, seed=5)), profile, coverage=COVERAGE, seed=11, top_n=5)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    other_seed = rank_profile(base, profile, coverage=COVERAGE, seed=12, top_n=5)
    assert list(other_seed.frame["code"]) == list(first.frame["code"])  # seed only moves robustness


def test_missing_policy_epci_imputes_from_the_intercommunality_and_flags():
    frame = communes_frame(30, seed=9)
    gap = frame.index[frame["epci"] == frame.loc[0, "epci"]][:2]
    members = frame[frame["epci"] == frame.loc[0, "epci"]]
    frame.loc[gap, "pensions_share"] = np.nan
    rest = members.drop(index=gap)
    expected = (rest["pensions_share"] * rest["fiscal_households"]).sum() / rest["fiscal_households"].sum()
    base = make_base(frame)
    profile = validate_profile(
        {
            "name": "x",
            "defi": "service-de-proximite",
            "constraints": {"kiif_only": False, "rural_only": False},
            "criteria": [{"indicator": "pensions_share", "weight": 1}],
            "missing_policy": "epci",
        }
    )
    ranking = rank_profile(base, profile, coverage=COVERAGE, draws=10)
    rows = ranking.frame.set_index("code").loc[frame.loc[gap, "code"]]
    assert rows["na:pensions_share"].all() and rows["imp:pensions_share"].all()
    assert np.allclose(rows["val:pensions_share"], expected)
    others = ranking.frame[~ranking.frame["code"].isin(frame.loc[gap, "code"])]
    assert not others["imp:pensions_share"].any()
    neutral = rank_profile(
        base, profile.model_copy(update={"missing_policy": "neutral"}), coverage=COVERAGE, draws=10
    )
    assert np.allclose(neutral.frame.set_index("code").loc[rows.index, "score"], 50.0)


def test_a_presence_every_epci_shares_is_said_and_weighs_nothing():
    frame = communes_frame(60, seed=17)
    frame["bpe_b202"] = pd.array([1] * 60, dtype="Int64")  # an épicerie in every commune: every EPCI has one
    base = make_base(frame)
    profile = validate_profile(
        {
            "name": "epci",
            "defi": "service-de-proximite",
            "level": "epci",
            "constraints": {"kiif_only": False, "rural_only": False},
            "criteria": [
                {"indicator": "has_epicerie", "weight": 3, "direction": "lower"},
                {"indicator": "far_alimentation", "weight": 1},
                {"indicator": "unemployment_rate", "weight": 1},
            ],
        }
    )
    ranking = rank_profile(base, profile, coverage=COVERAGE, draws=0)
    said = {c["indicator"]: c["reason"] for c in ranking.constant}
    assert set(said) >= {"has_epicerie"} and "ne les départage pas" in said["has_epicerie"]
    assert (ranking.frame["pts:has_epicerie"] == 0).all()
    # the others keep their relative weights and still separate the EPCI
    weights = dict(zip([c.indicator for c in ranking.criteria], ranking.weights, strict=True))
    assert weights["has_epicerie"] == 0 and weights["unemployment_rate"] == 1
    assert ranking.frame["score"].nunique() > 1
    doc = ranking_json(ranking)
    separates = {c["indicator"]: c["separates"] for c in doc["criteria"]}
    assert separates["has_epicerie"] is False and separates["unemployment_rate"] is True
