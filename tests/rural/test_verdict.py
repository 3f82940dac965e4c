"""The verdict: rural yes/no/unknown, level, dates, derived levels, zonings, JSON shape."""

from __future__ import annotations

import json

from sentiers.base.schema import DENSITY_LABELS, RURAL_DEFINITION
from sentiers.rural.verdict import GRID_MISSING, answer, answers_to_json, commune_verdict, verdict_table

MATCH_KEYS = {
    "code",
    "name",
    "departement",
    "population",
    "population_year",
    "rural",
    "density_level",
    "density_label",
    "grid_vintage",
    "derived",
    "zonings",
    "sources",
}


def test_levels_5_to_7_are_rural_1_to_4_urban(small_base):
    for code, level in small_base.communes[["code", "density_level"]].itertuples(index=False):
        v = commune_verdict(small_base, code)
        if level is None or str(level) == "<NA>":
            assert v.verdict == "inconnu" and v.rural is None
            continue
        assert v.density_level == int(level)
        assert v.density_label == DENSITY_LABELS[int(level)]
        assert v.rural is (int(level) >= 5)
        assert v.verdict == ("rural" if int(level) >= 5 else "urbain")
        assert f"Niveau {int(level)}" in v.reason


def test_verdict_is_dated_defined_and_sourced(small_base):
    v = commune_verdict(small_base, "26113")
    assert v.grid_vintage == "grille 2024 (géographie 2024, population 2021)"
    assert v.grid_year == 2024 and v.grid_geography_year == 2024
    assert v.definition == RURAL_DEFINITION
    assert v.population == 4500 and v.population_year == 2021
    ids = [s.id for s in v.sources]
    assert "insee_grille_densite_2024" in ids and "test_identity" in ids


def test_zonings_with_their_dates(small_base):
    v = commune_verdict(small_base, "26113")
    assert v.zonings["pvd"].concerned is True
    assert v.zonings["pvd"].date == "convention signée le 15 mars 2021"
    frr = v.zonings["frr"]
    assert frr.loaded and frr.date == "classement au 10 juillet 2025"
    assert frr.value in ("FRR socle", "Non classée")
    assert v.zonings["va"].loaded is False and v.zonings["va"].concerned is None


def test_derived_level_is_flagged_with_predecessors(small_base):
    v = commune_verdict(small_base, "01187")
    assert v.derived is True
    assert "fusion" in v.derived_note
    assert {p.code for p in v.predecessors} == {"01187", "01330"}
    assert "dérivé" in v.reason


def test_commune_absent_from_grid_is_unknown_with_reason(small_base):
    v = commune_verdict(small_base, "15031")
    assert v.verdict == "inconnu" and v.rural is None and v.density_level is None
    assert "Absente de la grille" in v.reason


def test_without_grid_every_verdict_is_unknown_never_a_guess(small_base_no_grid):
    for code in small_base_no_grid.communes["code"]:
        v = commune_verdict(small_base_no_grid, code)
        assert v.verdict == "inconnu" and v.rural is None
        assert GRID_MISSING in v.reason
        assert v.grid_vintage == ""
    table = verdict_table(small_base_no_grid)
    assert set(table["rural"]) == {"inconnu"}


def test_json_shape(small_base):
    answers = [answer(small_base, q) for q in ("Die", "Saint-Martin", "Dei", "")]
    data = json.loads(answers_to_json(answers))
    assert isinstance(data, list) and len(data) == 4
    assert [d["status"] for d in data] == ["ok", "ambiguous", "not_found", "invalid"]
    for d in data:
        assert {"query", "status", "matches", "suggestions"} <= set(d)
    die = data[0]["matches"][0]
    assert set(die) >= MATCH_KEYS
    assert die["code"] == "26113" and die["rural"] is True and die["derived"] is False
    assert isinstance(die["zonings"], dict) and isinstance(die["sources"], list)
    assert len(data[1]["matches"]) == 3
    assert all({"code", "name", "departement", "population"} <= set(m) for m in data[1]["matches"])
    assert data[2]["matches"] == [] and data[2]["suggestions"][0]["code"] == "26113"


def test_verdict_table_agrees_with_single_verdicts(small_base):
    table = verdict_table(small_base)
    for code in small_base.communes["code"]:
        v = commune_verdict(small_base, code)
        expected = {True: "oui", False: "non", None: "inconnu"}[v.rural]
        assert table.at[code, "rural"] == expected


def test_french_dates():
    from sentiers.fr import date as french_date

    assert french_date("2021-03-12") == "12 mars 2021"
    assert french_date("2024-08-01") == "1er août 2024"
    assert french_date("liste du 7 août 2024") == "liste du 7 août 2024"
    assert french_date("2024-13-01") == "2024-13-01"


def test_predecessor_levels_are_shown_when_the_base_keeps_them():
    from tests.rural.small_base import make_base

    base = make_base()
    base.derivations["predecessor_values"] = ["01187:7 01330:6"]
    v = commune_verdict(base, "01187")
    assert [(p.code, p.density_level, p.density_label) for p in v.predecessors] == [
        ("01187", 7, "Rural à habitat très dispersé"),
        ("01330", 6, "Rural à habitat dispersé"),
    ]
    assert "01330 : niveau 6" in v.reason
