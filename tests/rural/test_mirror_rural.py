"""Against the official files of the mirror: the verdict agrees with INSEE's density grid, commune by commune."""

from __future__ import annotations

import pandas as pd
import pytest

from sentiers.base.lookup import index_for, lookup
from sentiers.base.schema import DENSITY_LABELS
from sentiers.rural.verdict import answer, commune_verdict, verdict_table

pytestmark = pytest.mark.mirror

GRID_FILE = "insee/grille_densite_7_niveaux_2024.xlsx"


@pytest.fixture(scope="module")
def official_grid(mirror_path) -> pd.DataFrame:
    """The grid file read on its own (not through the base's parser): CODGEO -> DENS."""
    frame = pd.read_excel(
        mirror_path / GRID_FILE,
        sheet_name="Grille_Densite",
        skiprows=4,
        dtype={"CODGEO": str},
        engine="calamine",
    )
    frame = frame[["CODGEO", "LIBGEO", "DENS"]].dropna(subset=["CODGEO"])
    frame["DENS"] = frame["DENS"].astype(int)
    assert len(frame) == 34_935, len(frame)
    return frame


def test_every_unchanged_commune_agrees_with_the_official_grid(mirror_base, official_grid):
    base = mirror_base
    current = set(base.communes["code"])
    derived = set(base.communes.loc[base.communes["density_derived"].astype(bool), "code"])
    table = verdict_table(base)
    compared = 0
    disagreements = []
    for code, name, level in official_grid.itertuples(index=False):
        if code not in current or code in derived:
            continue
        v = commune_verdict(base, code)
        expected_rural = level >= 5
        if (
            v.density_level != level
            or v.rural is not expected_rural
            or v.density_label != DENSITY_LABELS[level]
            or v.derived
            or table.at[code, "rural"] != ("oui" if expected_rural else "non")
        ):
            disagreements.append((code, name, level, v.density_level, v.rural))
        compared += 1
    assert not disagreements, disagreements[:20]
    # the whole file was walked: all but the codes changed since 2024 were compared
    assert compared >= 34_800, compared
    gone = set(official_grid["CODGEO"]) - current
    assert len(gone) + compared + len(derived & set(official_grid["CODGEO"])) == len(official_grid)


def test_grid_vintage_is_stated(mirror_base):
    v = commune_verdict(mirror_base, "26113")
    assert v.grid_year == 2024 and v.grid_geography_year == 2024
    assert "2024" in v.grid_vintage and "Insee" in v.grid_source


def test_derived_communes_are_flagged_and_explained(mirror_base, official_grid):
    in_grid = set(official_grid["CODGEO"])
    derived = mirror_base.communes[mirror_base.communes["density_derived"].astype(bool)]
    assert len(derived) > 0
    for code in derived["code"]:
        v = commune_verdict(mirror_base, code)
        assert v.derived is True
        assert v.derived_note
        if "ancien territoire" in v.derived_note:  # a split: measured on the former, larger commune
            assert not v.predecessors, code
            continue
        assert v.predecessors, code
        assert all(p.code in in_grid for p in v.predecessors), (code, v.predecessors)


@pytest.mark.parametrize(
    ("query", "code", "level"),
    [
        ("Die", "26113", None),
        ("Paris", "75056", 1),
        ("75056", "75056", 1),
        ("2A004", "2A004", 2),
        ("Ajaccio", "2A004", 2),
        ("2B033", "2B033", None),
        ("Insee 97411", "97411", 1),  # 97411 alone is also Saint-Paul's postal code (see below)
        ("Mende", "48095", 3),
        ("L'Abergement-Clémenciat", "01001", 6),
        ("Abergement-Clémenciat", "01001", 6),
        ("Saint-Martin (65)", "65392", None),
    ],
)
def test_known_communes(mirror_base, official_grid, query, code, level):
    result = answer(mirror_base, query)
    assert result.status == "ok", result.message
    assert [m.code for m in result.matches] == [code]
    official = int(official_grid.loc[official_grid["CODGEO"] == code, "DENS"].iloc[0])
    if level is not None:
        assert official == level
    assert result.matches[0].density_level == official


@pytest.mark.parametrize(
    ("query", "first", "first_codes", "second", "second_codes"),
    [
        # the postal code of Die and 13 neighbours (about 7,000 people) before Izon-la-Bruisse (12 inhabitants)
        ("26150", "Code postal 26150", {"26113", "26001", "26282"}, "Code Insee 26150", {"26150"}),
        # Marseille's 1st arrondissement before Aix-en-Provence
        ("13001", "Code postal 13001", {"13055"}, "Code Insee 13001", {"13001"}),
        # Saint-Denis (La Réunion, 150,000 people) before the part of Saint-Paul using 97411
        ("97411", "Code Insee 97411", {"97411"}, "Code postal 97411", {"97415"}),
    ],
)
def test_an_insee_code_that_is_also_a_postal_code_gives_both(
    mirror_base, query, first, first_codes, second, second_codes
):
    result = answer(mirror_base, query)
    assert result.status == "ambiguous" and result.kind == "code_or_postal"
    assert [g.label for g in result.groups] == [first, second]
    assert first_codes <= set(result.groups[0].codes) and second_codes <= set(result.groups[1].codes)
    assert result.matches[0].code in result.groups[0].codes  # the most likely reading first
    assert query in result.message and "CP " in result.message
    # each reading alone, on request
    assert answer(mirror_base, f"CP {query}").groups == []
    assert [m.code for m in answer(mirror_base, f"Insee {query}").matches] == [query]


def test_die_is_die_in_the_drome(mirror_base):
    m = answer(mirror_base, "Die").matches[0]
    assert (m.name, m.departement, m.code) == ("Die", "26", "26113")


def test_every_drom_departement_answers(mirror_base):
    index = index_for(mirror_base)
    for dep in ("971", "972", "973", "974", "976"):
        codes = [c for c in index.codes if c.startswith(dep)]
        assert codes, dep
        assert lookup(index, codes[0]).status == "ok"


def test_saint_martin_lists_every_match(mirror_base):
    communes = mirror_base.communes
    expected = set(communes.loc[communes["name"] == "Saint-Martin", "code"])
    assert len(expected) >= 2
    result = answer(mirror_base, "Saint-Martin")
    assert result.status == "ambiguous"
    assert {m.code for m in result.matches} == expected
    for m in result.matches:
        assert m.departement and m.population is not None and m.population_year


def test_old_delegated_code_resolves_to_its_current_commune(mirror_base):
    """A COMD code of the passages: its commune nouvelle, or where that commune's code went since."""
    passages = mirror_base.passages
    current = set(mirror_base.communes["code"])
    delegated = passages[passages["kind"].str.contains("déléguée") & ~passages["old_code"].isin(current)]
    checked = 0
    for old, parent in delegated[["old_code", "code"]].itertuples(index=False):
        rows = passages[passages["old_code"] == old]
        if rows["code"].nunique() > 1 and not set(rows["code"]) <= {parent} | set(
            passages.loc[passages["old_code"] == parent, "code"]
        ):
            continue  # conflicting sources: see the next test
        expected = (
            {parent}
            if parent in current
            else set(passages.loc[passages["old_code"] == parent, "code"]) & current
        )
        if len(expected) != 1:
            continue
        result = answer(mirror_base, old)
        assert result.status == "ok", (old, result.message)
        assert result.kind == "old_code"
        assert [m.code for m in result.matches] == sorted(expected)
        assert "Le code a changé" in result.note and "déléguée" in result.note
        checked += 1
    assert checked >= 10, checked


def test_old_code_with_conflicting_passages_is_ambiguous_not_guessed(mirror_base):
    passages = mirror_base.passages
    current = set(mirror_base.communes["code"])
    usable = passages[passages["code"].isin(current) & ~passages["old_code"].isin(current)]
    counts = usable.groupby("old_code")["code"].nunique()
    for old in counts[counts > 1].index[:10]:
        result = answer(mirror_base, old)
        assert result.status == "ambiguous"
        assert {m.code for m in result.matches} == set(usable.loc[usable["old_code"] == old, "code"])
        assert "plusieurs" not in result.note and old in result.message


def test_the_issues_mixed_column_comes_back_as_the_single_search_answers(mirror_base):
    """Issue 13: one column of names, codes, an old code and postal codes, as a coach's file has them."""
    from sentiers.rural.batch import MESSAGE_COLUMN, STATUS_COLUMN, check_frame, guess_columns

    cells = ["Die", "26113", "26198", "49069", "13001", "26150", "Crest"]
    frame = pd.DataFrame({"commune": cells})
    out, _ = check_frame(mirror_base, frame, guess_columns(frame))
    assert out[STATUS_COLUMN].tolist() == ["ok", "ok", "ok", "ok", "ambigu", "ambigu", "ok"]
    assert out["commune_code"].tolist()[:4] == ["26113", "26113", "26198", "49126"]
    assert out["commune_code"].tolist()[6] == "26108"
    assert "Orée d'Anjou" in out[MESSAGE_COLUMN].iloc[3]
    # both readings of a code that is Insee and postal: Aix-en-Provence and Marseille 1er; Izon-la-Bruisse and Die
    assert "Aix-en-Provence" in out[MESSAGE_COLUMN].iloc[4] and "Marseille" in out[MESSAGE_COLUMN].iloc[4]
    assert "Izon-la-Bruisse" in out[MESSAGE_COLUMN].iloc[5] and "Die" in out[MESSAGE_COLUMN].iloc[5]
