"""Pair scores say what they rest on: a score built without a component says which, in its reasons."""

from __future__ import annotations

from sentiers.events.pairs import score_pairs
from sentiers.events.registrations import guess_mapping, read_structures, read_territories
from sentiers.rural.batch import read_upload


def _lists(base, territories: str, structures: str):
    t = read_upload(territories.encode(), "t.csv")
    s = read_upload(structures.encode(), "s.csv")
    return (
        read_territories(base, t, guess_mapping("territoires", list(t.columns))).accepted,
        read_structures(base, s, guess_mapping("structures", list(s.columns))).accepted,
    )


def test_a_score_says_what_it_could_not_count(base):
    territories, structures = _lists(
        base,
        "nom;commune;défi;publics;mode\nMairie de Die;26113;Service de proximité;seniors;antenne\n",
        "nom;défi;départements;commune;publics;mode\n"
        "Sans siège;Service de proximité;26;;;\n"
        "Complète;Service de proximité;26;Crest;seniors;antenne\n",
    )
    table = score_pairs(base, territories, structures)
    bare, full = table.reasons(0, 0), table.reasons(0, 1)
    assert bare[-1].startswith("Non comptés dans le score, faute d'information : la distance (siège")
    assert "le mode" in bare[-1] and "les publics" in bare[-1]
    assert not any(r.startswith("Non comptés") for r in full), full
    assert any("du siège de la structure (Crest" in r for r in full)


def test_the_profile_component_is_the_structures_own_ranking_of_each_territory(base):
    """Communes and an EPCI in one list: each pair's profile component is the score the structure's profile
    gives that territory at its level (/100), and 0 where the profile's constraints exclude it (Paris)."""
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.score import rank_profile

    territories, structures = _lists(
        base,
        "nom;commune;défi\nMairie de Die;26113;Service de proximité\nParis;75056;Service de proximité\n"
        "Diois;CC du Diois;Service de proximité\nCrest;26108;Service de proximité\n",
        "nom;défi;départements\nAvec profil;Service de proximité;26\nSans profil;Service de proximité;26\n",
    )
    assert [t.level for t in territories] == ["commune", "commune", "epci", "commune"]
    profile = preset_profile(
        "service-de-proximite",
        constraints={"kiif_only": False, "rural_only": False, "population_max": 50_000},
    )
    structures[0].profile = profile.model_dump(mode="json")
    table = score_pairs(base, territories, structures)
    for i, t in enumerate(territories):
        ranking = rank_profile(base, profile, level=t.level, draws=0).frame.set_index("code")
        expected = float(ranking.loc[t.code, "score"]) / 100 if t.code in ranking.index else 0.0
        assert abs(table.breakdown(i, 0)["profil"] - expected) <= 5e-4, (
            t.name,
            table.breakdown(i, 0),
        )  # 3 decimals
        assert table.breakdown(i, 1)["profil"] is None  # no profile: the component is left out
    assert table.breakdown(1, 0)["profil"] == 0.0  # Paris: over the population ceiling
    assert 0 < table.breakdown(0, 0)["profil"] < 1
