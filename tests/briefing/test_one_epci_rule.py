"""One EPCI rural rule: the score's JSON, the fiche and the comparison say the same thing of the same EPCI."""

from __future__ import annotations

import json

import pytest

from sentiers.base.aggregate import EPCI_RURAL_SHARE
from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.compare import build_comparison
from sentiers.cli import main

# CC du Diois (Drôme, rural), CC du Pays de Forcalquier et Montagne de Lure (rural), Grenoble-Alpes Métropole (urban)
EPCI = ("242600534", "240400440", "200040715")


@pytest.mark.mirror
def test_score_fiche_and_comparison_agree_on_three_epci(mirror_home, mirror_base, use_home, capsys):
    use_home(mirror_home)
    assert (
        main(["score", "--preset", "service-de-proximite", "--level", "epci", "--top", "2000", "--json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    # the funnel keeps rural EPCI only (rural_only is on in the preset) and each result carries its share
    by_code = {r["code"]: r for r in doc["results"]}
    assert all(r["rural"] and r["rural_pop_share"] >= EPCI_RURAL_SHARE for r in doc["results"])
    comparison = build_comparison(mirror_base, list(EPCI), "epci", with_maps=False)
    verdict_row = next(r for r in comparison.rows if r.key == "verdict")
    for i, siren in enumerate(EPCI):
        fiche = build_briefing(mirror_base, siren, "epci", with_map=False)
        rural = fiche.verdict.status == "rural"
        assert (siren in by_code) == rural, (siren, fiche.verdict.headline)
        assert verdict_row.cells[i].text == fiche.verdict.headline
        share = by_code[siren]["rural_pop_share"] if rural else None
        if share is not None:  # the fiche's figure is the score's figure
            assert f"{round(share):d}\u202f%" in fiche.verdict.headline
    assert build_briefing(mirror_base, "242600534", "epci", with_map=False).verdict.status == "rural"
    assert build_briefing(mirror_base, "200040715", "epci", with_map=False).verdict.status == "urbain"
