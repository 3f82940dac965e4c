"""Robustness said the way a newcomer reads it: the leading group, variants of weights and uncertain data, the
criterion a rank depends on, ties at the cut."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentiers.matching.presets import preset_profile
from sentiers.matching.profile import Criterion, validate_profile
from sentiers.matching.robustness import (
    TIE_POINTS,
    check,
    leading_group_size,
    leave_one_out,
    top_n_frequency,
)
from sentiers.matching.score import (
    dependence_text,
    rank_profile,
    rescaler,
    robustness_text,
    score_frame,
    ties_text,
)
from tests.matching.helpers import COVERAGE, communes_frame, make_base


@pytest.mark.parametrize(
    ("top_n", "candidates", "k"),
    [(20, 5, 1), (20, 80, 20), (20, 60, 15), (20, 3, 1), (5, 1000, 5), (20, 0, 0)],
)
def test_leading_group_is_never_more_than_a_quarter_of_the_candidates(top_n, candidates, k):
    assert leading_group_size(top_n, candidates) == k


def test_weight_only_frequency_is_seeded_and_bounded():
    rng = np.random.default_rng(0)
    transformed = rng.uniform(0, 1, (500, 4))
    weights = np.array([3.0, 1.0, 0.0, 2.0])
    first = top_n_frequency(transformed, weights, 10, draws=200, seed=3)
    assert np.array_equal(first, top_n_frequency(transformed, weights, 10, draws=200, seed=3))
    assert first.sum() == pytest.approx(10.0)  # each draw has exactly 10 in its top 10
    assert first[np.argmax(transformed @ (weights / weights.sum()))] >= 0.9


def _scored(values: np.ndarray, sd: np.ndarray, weights=(1.0, 1.0)):
    frame = pd.DataFrame(
        {
            "code": [f"{i:05d}" for i in range(len(values))],
            "name": [f"C{i}" for i in range(len(values))],
            "a": values[:, 0],
            "b": values[:, 1],
            "sd:a": sd[:, 0],
            "sd:b": sd[:, 1],
        }
    )
    # two catalogue indicators stand for "a" and "b"
    frame = frame.rename(columns={"a": "unemployment_rate", "b": "median_income"})
    frame = frame.rename(columns={"sd:a": "sd:unemployment_rate", "sd:b": "sd:median_income"})
    criteria = [
        Criterion(indicator="unemployment_rate", weight=weights[0], direction="higher"),
        Criterion(indicator="median_income", weight=weights[1], direction="higher"),
    ]
    return score_frame(frame, criteria)


def _check(scored, top_n=5, variants=20, seed=1):
    rescale = [rescaler(c, scored.missing_policy) for c in scored.criteria]
    return check(
        scored.values,
        scored.transformed,
        scored.weights,
        scored.frame["score"].to_numpy(),
        scored.uncertainty,
        rescale,
        top_n,
        variants,
        seed,
    )


def test_a_rank_resting_on_an_uncertain_value_is_less_robust():
    rng = np.random.default_rng(4)
    values = rng.uniform(0, 10, (60, 2))
    values[0] = [30.0, 9.9]  # first on both, but its first value is measured on a handful of people
    values[1] = [25.0, 9.8]  # second, measured on many
    exact = _check(_scored(values, np.zeros_like(values)))
    sd = np.zeros_like(values)
    sd[0, 0] = 40.0  # very uncertain
    shaky = _check(_scored(values, sd))
    codes = list(_scored(values, sd).frame["code"])
    first, second = codes.index("00000"), codes.index("00001")
    assert exact.hits[first] == 20 and exact.hits[second] == 20
    assert shaky.hits[first] < 20  # redrawn from its error, it falls out of the first 5 in some variants
    assert shaky.hits[second] == 20
    assert shaky.perturbed == [0] and exact.perturbed == []
    # the same seed gives the same figures
    again = _check(_scored(values, sd))
    assert np.array_equal(shaky.hits, again.hits)


def test_each_variant_counts_exactly_k_candidates():
    rng = np.random.default_rng(9)
    values = rng.uniform(0, 1, (80, 2))
    result = _check(_scored(values, np.full_like(values, 0.1)), top_n=20)
    assert result.k == 20 and result.hits.sum() == 20 * result.variants


def test_leave_one_out_names_the_criterion_a_rank_depends_on():
    # candidate 0 leads only through criterion 0; candidate 1 through both
    transformed = np.array(
        [[1.0, 0.0], [0.8, 0.8], [0.5, 0.6], [0.4, 0.5], [0.1, 0.4], [0.0, 0.3], [0.2, 0.2]]
    )
    weights = np.array([2.0, 1.0])
    scores = transformed @ (weights / weights.sum())
    order = np.argsort(-scores, kind="stable")
    depends, rank_without = leave_one_out(transformed[order], weights, 2)
    ranked_first = int(np.flatnonzero(order == 0)[0])
    assert depends[ranked_first] == 0  # without criterion 0, candidate 0 falls to the last rank
    assert rank_without[ranked_first] == 7
    assert all(d is None for d in depends[2:])  # only the leading group is examined


def test_ties_at_the_cut_are_marked():
    values = np.column_stack([np.arange(40, 0, -1, dtype=float), np.zeros(40)])
    values[9:14, 0] = 31.0  # candidates 10 to 14 share the same value: the same score around the cut
    result = _check(_scored(values, np.zeros_like(values), weights=(1.0, 0.0)), top_n=10)
    scored = _scored(values, np.zeros_like(values), weights=(1.0, 0.0))
    cut = scored.frame["score"].iloc[9]
    within = np.abs(scored.frame["score"].to_numpy() - cut) < TIE_POINTS
    assert np.array_equal(result.ex_aequo, within) and result.ex_aequo.sum() >= 5


def test_rankings_say_robustness_dependence_and_ties_in_words():
    base = make_base(communes_frame(120, seed=12))
    profile = validate_profile(
        {
            "name": "x",
            "defi": "emploi-economie-locale",
            "constraints": {"kiif_only": False, "rural_only": False, "population_min": 0},
        }
    )
    ranking = rank_profile(base, profile, coverage=COVERAGE, top_n=20, draws=20, seed=5)
    assert ranking.leading == 20 and ranking.check is not None and ranking.check.variants == 20
    first = ranking.frame.iloc[0]
    text = robustness_text(ranking, first)
    assert text.startswith("reste parmi les 20 premiers dans ") and text.endswith(" sur 20")
    assert int(text.split(" dans ")[1].split(" ")[0]) == int(first["robust_hits"])
    outside = ranking.frame.iloc[-1]
    assert robustness_text(ranking, outside).startswith("entre parmi les 20 premiers dans ")
    said = dependence_text(ranking, first)
    assert said.startswith(("sans le critère « ", "son rang dépend surtout du critère « ", "aucun critère"))
    assert dependence_text(ranking, outside) == ""  # only the leading group is examined
    tied = int(ranking.frame["ex_aequo"].sum())
    assert (ties_text(ranking) != "") == (tied > 1)
    # five EPCI: the leading group is the first one, not « top 20 » holding every candidate
    few = rank_profile(base, profile.model_copy(update={"level": "epci"}), coverage=COVERAGE, draws=20)
    assert len(few.frame) == 5 and few.leading == 1
    assert robustness_text(few, few.frame.iloc[0]).startswith("reste en tête dans ")
    assert few.frame["robust_hits"].sum() == 20
    # and every text about that group of one says « en tête », never « parmi les 1 premiers »
    from sentiers.matching.export import shortlist_table
    from sentiers.matching.score import check_summary

    texts = [check_summary(few), *shortlist_table(few).columns]
    texts += [dependence_text(few, row) for _, row in few.frame.iterrows()]
    assert any("en tête" in text for text in texts)
    assert not any("les 1 premiers" in text or "des 1 premiers" in text for text in texts), texts


def test_preset_rankings_redraw_uncertain_rates():
    base = make_base(communes_frame(120, seed=13))
    ranking = rank_profile(
        base,
        preset_profile("emploi-economie-locale", constraints={"kiif_only": False, "rural_only": False}),
        coverage=COVERAGE,
    )
    perturbed = {ranking.criteria[j].indicator for j in ranking.check.perturbed}
    assert "unemployment_rate" in perturbed and "centralite_level" not in perturbed
