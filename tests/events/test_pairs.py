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
