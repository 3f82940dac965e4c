"""Carrying a layer from an older geography onto the current communes (small frames built here)."""

import math

import pandas as pd
import pytest

from sentiers.base.passage import carry_to_current, resolve_chains

CURRENT = {"10001", "10002", "10003", "10009"}
# 10004 and 10005 merged into 10001 (a commune nouvelle); 10006 renumbered 10002;
# 10009 was restored from 10003 (it was a commune déléguée of 10003 in the source's geography).
OLD_TO_NEW = {"10004": "10001", "10005": "10001", "10006": "10002"}
SPLIT = {"10009": "10003"}
WEIGHTS = {"10001": 100.0, "10004": 900.0, "10005": 50.0, "10006": 10.0, "10003": 500.0}


def carry(frame, spec):
    return carry_to_current(frame, spec, "test_layer", CURRENT, OLD_TO_NEW, SPLIT, WEIGHTS)


def test_counts_are_summed_and_flagged():
    frame = pd.DataFrame({"code": ["10001", "10004", "10005", "10003"], "n": [1, 2, 3, 7]})
    values, deriv, unresolved = carry(frame, {"n": "sum"})
    assert values.loc["10001", "n"] == 6
    assert values.loc["10003", "n"] == 7
    row = deriv.set_index("code").loc["10001"]
    assert row["method"] == "fusion"
    assert set(row["predecessors"].split()) == {"10001", "10004", "10005"}
    assert unresolved == []


def test_class_takes_the_most_populated_predecessor():
    frame = pd.DataFrame({"code": ["10001", "10004", "10005"], "level": [2, 6, 7]})
    values, _, _ = carry(frame, {"level": "class"})
    assert values.loc["10001", "level"] == 6  # 10004 has 900 inhabitants


def test_weighted_mean_uses_the_named_weight():
    frame = pd.DataFrame({"code": ["10004", "10005"], "median": [20_000.0, 30_000.0], "hh": [1.0, 3.0]})
    values, _, _ = carry(frame, {"median": "wmean:hh", "hh": "sum"})
    assert values.loc["10001", "median"] == pytest.approx(27_500.0)
    assert values.loc["10001", "hh"] == 4


def test_renumbered_code_is_a_code_change():
    frame = pd.DataFrame({"code": ["10006"], "n": [5]})
    values, deriv, _ = carry(frame, {"n": "sum"})
    assert values.loc["10002", "n"] == 5
    assert deriv.set_index("code").loc["10002", "method"] == "changement de code"


def test_restored_commune_inherits_classes_not_counts():
    frame = pd.DataFrame({"code": ["10003"], "level": [6], "n": [40]})
    values, deriv, _ = carry(frame, {"level": "class", "n": "sum"})
    assert values.loc["10009", "level"] == 6
    assert math.isnan(values.loc["10009", "n"])
    assert deriv.set_index("code").loc["10009", "method"] == "scission"


def test_unknown_codes_are_reported_not_dropped_silently():
    frame = pd.DataFrame({"code": ["10001", "99999"], "n": [1, 2]})
    _, _, unresolved = carry(frame, {"n": "sum"})
    assert unresolved == ["99999"]


def test_chains_are_followed_to_the_current_code():
    assert resolve_chains({"A": "B", "B": "10001"}, {"10001"}) == {"A": "10001", "B": "10001"}
    assert resolve_chains({"A": "B"}, {"10001"}) == {}


def test_derivations_show_the_predecessors_own_classes():
    frame = pd.DataFrame({"code": ["10001", "10004", "10005"], "level": [2, 6, 7]})
    _, deriv, _ = carry(frame, {"level": "class"})
    shown = dict(
        pair.split(":") for pair in deriv.set_index("code").loc["10001", "predecessor_values"].split()
    )
    assert shown == {"10001": "2", "10004": "6", "10005": "7"}


def test_no_split_derivation_when_nothing_is_inherited():
    frame = pd.DataFrame({"code": ["10003"], "member": [True]})
    values, deriv, _ = carry(frame, {"member": "any"})
    assert "10009" not in values.index
    assert "10009" not in set(deriv["code"])
