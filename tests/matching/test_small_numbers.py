"""Small numbers: a rate over a small denominator is shrunk toward its département's, with its standard error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiers.base.catalogue import CATALOGUE
from sentiers.matching.candidates import build_table
from sentiers.matching.small_numbers import is_small, priors, shrink, shrinkable
from tests.matching.helpers import COVERAGE


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["code", "departement", "population", "unemployed_15_64", "active_15_64"]
    )


def with_rate(f: pd.DataFrame) -> pd.DataFrame:
    f = f.copy()
    f["unemployment_rate"] = f["unemployed_15_64"] / f["active_15_64"] * 100
    return f


def test_the_departement_rate_comes_from_sums():
    f = frame([("05001", "05", 7, 2, 2), ("05002", "05", 5000, 200, 2000), ("26001", "26", 900, 40, 400)])
    prior = priors(f)
    assert prior.at["05", "unemployment_rate"] == pytest.approx(202 / 2002 * 100)
    assert prior.at["", "unemployment_rate"] == pytest.approx(
        242 / 2402 * 100
    )  # France, for unknown départements


def test_a_hamlet_with_two_unemployed_among_two_actives_is_read_near_its_departement():
    f = with_rate(frame([("05001", "05", 7, 2, 2), ("05002", "05", 5000, 200, 2000)]))
    out = shrink(f, priors(f))
    k = CATALOGUE["unemployment_rate"].small_below
    p = 202 / 2002 * 100
    assert out.loc[0, "raw:unemployment_rate"] == 100.0  # what was measured stays said
    assert out.loc[0, "unemployment_rate"] == pytest.approx((2 * 100 + k * p) / (2 + k))
    assert out.loc[0, "unemployment_rate"] < 15  # 100 % on two actives is not a signal
    # measured on 2,000 actives, barely moved
    assert out.loc[1, "unemployment_rate"] == pytest.approx(10.0, abs=0.05)
    assert out.loc[0, "den:unemployment_rate"] == 2 and bool(is_small(out, "unemployment_rate")[0])
    assert not bool(is_small(out, "unemployment_rate")[1])
    # the standard error shrinks with the denominator
    assert out.loc[0, "sd:unemployment_rate"] > 5 * out.loc[1, "sd:unemployment_rate"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 200),
    st.integers(1, 200),
    st.floats(0.0, 40.0),
)
def test_shrunk_rate_lies_between_measured_and_departement(unemployed, actives, prior_rate):
    unemployed = min(unemployed, actives)
    f = with_rate(frame([("05001", "05", 100, unemployed, actives)]))
    prior = pd.DataFrame({"unemployment_rate": [prior_rate, prior_rate]}, index=["05", ""])
    out = shrink(f, prior)
    measured = unemployed / actives * 100
    value = out.loc[0, "unemployment_rate"]
    assert min(measured, prior_rate) - 1e-9 <= value <= max(measured, prior_rate) + 1e-9


def test_every_rate_with_a_threshold_is_shrinkable_and_kept_measured():
    ids = {e.id for e in shrinkable()}
    assert {
        "unemployment_rate",
        "jobs_per_active",
        "vacancy_share",
        "pop_change_pct",
        "epicerie_per_1000",
    } <= ids
    from tests.matching.helpers import communes_frame

    communes = communes_frame(40, seed=2)
    table = build_table(communes, "commune", coverage=COVERAGE).frame.set_index("code")
    for indicator in ("unemployment_rate", "jobs_per_active", "vacancy_share", "epicerie_per_1000"):
        assert f"raw:{indicator}" in table and f"sd:{indicator}" in table
    # the scored rate is the formula of the module docstring, with the département's rate from its communes' sums
    k = CATALOGUE["unemployment_rate"].small_below
    by_dep = communes.groupby("departement")[["unemployed_15_64", "active_15_64"]].sum()
    for row in communes.itertuples():
        p = by_dep.at[row.departement, "unemployed_15_64"] / by_dep.at[row.departement, "active_15_64"] * 100
        expected = (row.unemployed_15_64 * 100 + k * p) / (row.active_15_64 + k)
        assert table.at[row.code, "unemployment_rate"] == pytest.approx(expected)
        assert table.at[row.code, "raw:unemployment_rate"] == pytest.approx(
            row.unemployed_15_64 / row.active_15_64 * 100
        )


def test_uninhabited_commune_gets_its_departement_rate_not_a_hundred_percent():
    f = frame([("55139", "55", 0, 0, 0), ("55001", "55", 3000, 150, 1500)])
    f["dwellings"] = [3, 1300]
    f["vacant_homes"] = [3, 100]  # a destroyed village: 100 % vacant
    f["unemployment_rate"] = np.nan
    f["vacancy_share"] = f["vacant_homes"] / f["dwellings"] * 100
    out = shrink(f, priors(f))
    assert out.loc[0, "raw:vacancy_share"] == 100
    assert out.loc[0, "vacancy_share"] < 20
    assert out.loc[0, "unemployment_rate"] == pytest.approx(150 / 1500 * 100)
