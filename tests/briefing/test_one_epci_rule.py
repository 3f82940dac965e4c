"""One EPCI rural rule: the score's JSON, the fiche and the comparison say the same thing of the same EPCI."""

from __future__ import annotations

import json

import pytest

from sentiers.base.aggregate import EPCI_RURAL_SHARE
from sentiers.briefing.assemble import build_briefing
from sentiers.briefing.compare import build_comparison
from sentiers.cli import main

# CC du Diois (Drôme, 100 % of its inhabitants in rural communes), CC du Pays de Forcalquier et Montagne de Lure
# (Alpes-de-Haute-Provence, 48 %: not rural under the one rule, « mixte » under the briefing's old all-communes
# rule, the case that tells the rules apart), Grenoble-Alpes Métropole (urban)
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


@pytest.mark.mirror
def test_the_epci_between_the_rules_gets_the_scores_verdict_everywhere(mirror_base):
    """Forcalquier's EPCI, measured with the constraints off (its département is outside the Kiif coverage, so
    the preset's funnel drops it whatever its rurality): the score, the fiche and the comparison agree."""
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.score import rank_profile

    profile = preset_profile("service-de-proximite", constraints={"kiif_only": False, "rural_only": False})
    ranking = rank_profile(mirror_base, profile.model_copy(update={"level": "epci"}), level="epci", draws=0)
    rows = ranking.frame.set_index("code")
    forcalquier = "240400440"
    share = float(rows.loc[forcalquier, "rural_pop_share"])
    assert 0 < share < EPCI_RURAL_SHARE  # some rural communes, not enough inhabitants in them
    assert not bool(rows.loc[forcalquier, "rural"])
    fiche = build_briefing(mirror_base, forcalquier, "epci", with_map=False)
    assert fiche.verdict.status == "urbain", fiche.verdict.headline
    assert f"{round(share):d}\u202f%" in fiche.verdict.headline
    comparison = build_comparison(mirror_base, [forcalquier, "242600534"], "epci", with_maps=False)
    verdict_row = next(r for r in comparison.rows if r.key == "verdict")
    assert verdict_row.cells[0].text == fiche.verdict.headline
