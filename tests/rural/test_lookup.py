"""Finding communes: codes, old codes, postal codes, names in every spelling, ambiguity, bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiers.base.lookup import index_for, lookup, normalise, normalise_series, suggest
from tests.rural.small_base import make_base


@pytest.fixture
def index(small_base):
    return index_for(small_base)


@pytest.mark.parametrize(
    "query",
    [
        "Die",
        "die",
        "DIE",
        " Die ",
        "Die (26)",
        "Die 26",
        "26113",
    ],
)
def test_die_is_found_however_typed(index, query):
    result = lookup(index, query)
    assert result.status == "ok", result
    assert result.codes == ["26113"]


@pytest.mark.parametrize(
    "query",
    [
        "L'Abergement-Clémenciat",
        "l'abergement clemenciat",
        "Abergement-Clémenciat",
        "ABERGEMENT CLEMENCIAT",
        "L Abergement-Clemenciat",
        "L’Abergement-Clémenciat",  # typographic apostrophe
    ],
)
def test_leading_article_accents_and_hyphens_do_not_matter(index, query):
    assert lookup(index, query).codes == ["01001"]


@pytest.mark.parametrize("query", ["St-Étienne", "Saint Etienne", "ST ETIENNE", "saint-étienne"])
def test_saint_abbreviations(index, query):
    assert lookup(index, query).codes == ["42218"]


def test_saint_martin_is_ambiguous_and_lists_every_match_by_population(index):
    result = lookup(index, "Saint-Martin")
    assert result.status == "ambiguous"
    assert sorted(result.codes) == ["32389", "65392", "67426"]
    pops = [index.populations[index.codes[c]] for c in result.codes]
    assert pops == sorted(pops, reverse=True)
    assert "département" in result.message


@pytest.mark.parametrize(
    "query", ["Saint-Martin (65)", "Saint-Martin 65", "St Martin (65)", "saint martin, 65"]
)
def test_departement_narrows_a_name(index, query):
    result = lookup(index, query)
    assert result.status == "ok"
    assert result.codes == ["65392"]


@pytest.mark.parametrize(
    "query",
    ["Saint-Martin (Hautes-Pyrénées)", "saint martin, hautes pyrenees", "St-Martin (Les Hautes-Pyrénées)"],
)
def test_departement_by_name(index, query):
    assert lookup(index, query).codes == ["65392"]


def test_unknown_departement_name_is_not_swallowed(index):
    result = lookup(index, "Saint-Martin (Nulle Part)")
    assert result.status == "not_found"


def test_departement_given_apart(index):
    assert lookup(index, "Saint-Martin", kind="name", departement="32").codes == ["32389"]
    assert lookup(index, "Saint-Martin", kind="name", departement=" 67 ").codes == ["67426"]
    assert lookup(index, "Saint-Martin", kind="name", departement="zz").status == "invalid"


def test_name_in_the_wrong_departement_points_to_the_others(index):
    result = lookup(index, "Saint-Martin (13)")
    assert result.status == "not_found"
    assert {s.code for s in result.suggestions} == {"32389", "65392", "67426"}


def test_article_distinguishes_when_both_exist(index):
    assert lookup(index, "Vernet").codes == ["31574"]
    assert lookup(index, "Le Vernet").codes == ["03306"]


@pytest.mark.parametrize("code", ["2A004", "2a004", "2B033", "97411", "75056"])
def test_current_codes_corsica_drom_paris(index, code):
    result = lookup(index, code)
    assert result.status == "ok"
    assert result.kind == "code"
    assert result.codes == [code.upper()]


def test_old_code_resolves_to_current_commune_and_says_it_changed(index):
    result = lookup(index, "01330")
    assert result.status == "ok"
    assert result.kind == "old_code"
    assert result.codes == ["01187"]
    assert "Le code a changé" in result.note
    assert "Haut Valromey" in result.note
    assert "insee_cog_2025" in result.note  # no layer of that id in the small base: the id is named


def test_old_code_chains_are_followed():
    base = make_base()
    base.passages.loc[len(base.passages)] = ("01400", "01330", "commune déléguée", "insee_cog_2024")
    base.layers()  # manifest unchanged: labels fall back to the source id
    result = lookup(index_for(base), "01400")
    assert result.status == "ok" and result.codes == ["01187"]


def test_old_corsican_code(index):
    result = lookup(index, "20004")
    assert result.codes == ["2A004"]
    assert "changé" in result.note


def test_paris_arrondissement_and_postal_codes(index):
    arm = lookup(index, "75115")
    assert arm.status == "ok" and arm.kind == "arm" and arm.codes == ["75056"]
    postal = lookup(index, "75015")
    assert postal.status == "ok" and postal.codes == ["75056"]


def test_postal_code_lists_every_commune_sharing_it(small_base):
    index = index_for(small_base)
    assert lookup(index, "26150").codes == ["26113"]
    result = lookup(index, "CP 26150")
    assert result.kind == "postal" and result.codes == ["26113"]
    assert lookup(index, "20000", kind="postal").codes == ["2A004"]


def test_postal_code_shared_by_several_communes_is_ambiguous():
    base = make_base()
    base.communes.loc[base.communes["code"] == "26114", "postal_codes"] = "26150 26220"
    result = lookup(index_for(base), "26150")
    assert result.status == "ambiguous"
    assert result.codes == ["26113", "26114"]


def test_restore_leading_zero_for_spreadsheet_codes(index):
    assert lookup(index, "1001", kind="code").codes == ["01001"]
    assert lookup(index, "1001.0", kind="code").codes == ["01001"]
    assert lookup(index, "1400", kind="postal").codes == ["01001"]
    assert lookup(index, "1001").status == "invalid"  # free text: no guessing


@pytest.mark.parametrize("query", ["99999", "75000", "00000"])
def test_unknown_codes_are_not_found_with_a_message(index, query):
    result = lookup(index, query)
    assert result.status == "not_found"
    assert query in result.message


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        None,
        float("nan"),
        "x" * 5000,
        "<script>alert(1)</script>",
        "'; DROP TABLE communes; --",
        "1 OR 1=1",
        "Die\x00",
        "123",
        "1234567",
        "!!!",
    ],
)
def test_bad_input_is_invalid_with_a_french_message(index, query):
    result = lookup(index, query)
    assert result.status == "invalid"
    assert result.codes == []
    assert len(result.message) > 10 and "\n" not in result.message


def test_typo_gets_suggestions(index):
    result = lookup(index, "Dei")
    assert result.status == "not_found"
    assert "26113" in [s.code for s in result.suggestions]
    result = lookup(index, "Dieulefi")
    assert result.suggestions[0].code == "26114"


def test_nonsense_name_is_not_found_without_crash(index):
    result = lookup(index, "zzzqqq xyz")
    assert result.status == "not_found"


def test_type_ahead(index):
    names = [c.name for c in suggest(index, "Di")]
    assert names[:2] == ["Die", "Dieulefit"]
    assert {c.code for c in suggest(index, "saint mar")} == {"32389", "65392", "67426"}
    assert [c.code for c in suggest(index, "Saint-Martin (65)")] == ["65392"]
    assert [c.code for c in suggest(index, "2611")] == ["26113", "26114"]
    assert suggest(index, "") == []
    assert suggest(index, "<b>") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_vectorised_normalisation_matches_the_scalar_one(text):
    full, bare = normalise_series(pd.Series([text]))
    assert full.iloc[0] == normalise(text)
    assert bare.iloc[0] == normalise(text, drop_article=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_lookup_never_raises(text):
    result = lookup(index_for(_BASE), text)
    assert result.status in ("ok", "ambiguous", "not_found", "invalid")


_BASE = make_base()
