"""`sentiers score`: JSON, CSV/XLSX exports, errors (exit 2, one French line); real bases."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sentiers.cli import main
from sentiers.exports import defuse as neutralise

PROFILE = """
name: "=HYPERLINK(\\"http://x\\")"
defi: solidarite-cohesion-sociale
constraints:
  rural_only: false
criteria:
  - {indicator: population, weight: 2, direction: target, target: 1500}
  - {indicator: distance_incubator_km, weight: 1}
"""


def test_json_on_the_embedded_base(embedded_home, use_home, tmp_path, capsys):
    use_home(embedded_home)
    path = tmp_path / "profil.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    assert main(["score", str(path), "--json", "--top", "5"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"profile", "level", "funnel", "results"} <= set(doc)
    assert doc["level"] == "commune" and len(doc["results"]) == 5
    for result in doc["results"]:
        assert {"code", "name", "departement", "score", "robustness", "contributions"} <= set(result)
        assert abs(sum(result["contributions"].values()) - result["score"]) <= 0.01
    scores = [r["score"] for r in doc["results"]]
    assert scores == sorted(scores, reverse=True)
    assert doc["funnel"][-1]["remaining"] == doc["candidates"]


def test_exports_neutralise_formulas(embedded_home, use_home, tmp_path):
    use_home(embedded_home)
    path = tmp_path / "profil.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    csv_path, xlsx_path = tmp_path / "court.csv", tmp_path / "court.xlsx"
    assert main(["score", str(path), "--top", "7", "-o", str(csv_path)]) == 0
    assert main(["score", str(path), "--level", "epci", "--top", "7", "-o", str(xlsx_path)]) == 0
    table = pd.read_csv(csv_path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Code Commune": str})
    assert len(table) == 7 and table["Rang"].tolist() == list(range(1, 8))
    sheets = pd.read_excel(xlsx_path, sheet_name=None)
    assert {"Classement", "Critères et sources", "Entonnoir"} <= set(sheets)
    assert len(sheets["Classement"]) == 7
    assert neutralise("=1+1") == "'=1+1" and neutralise("@x") == "'@x" and neutralise("-2") == "'-2"
    assert neutralise("Caen") == "Caen" and neutralise(-2.5) == -2.5


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["score"], "fichier de profil"),
        (["score", "--preset", "culture"], "Profil type inconnu"),
        (["score", "--preset", "engagement-citoyen", "--top", "0"], "--top"),
        (["score", "--preset", "engagement-citoyen", "-o", "x.pdf"], ".csv ou .xlsx"),
        (["score", "absent.yaml"], "introuvable"),
    ],
)
def test_errors_are_one_french_line_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_bad_profile_file_names_the_field(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "name": "x",
                "defi": "engagement-citoyen",
                "criteria": [{"indicator": "population", "weight": -1}],
            }
        ),
        encoding="utf-8",
    )
    assert main(["score", str(path)]) == 2
    assert "criteria[1].weight" in capsys.readouterr().err


@pytest.mark.mirror
def test_preset_on_the_mirror_base_respects_constraints(mirror_home, mirror_base, use_home, capsys):
    use_home(mirror_home)
    assert main(["score", "--preset", "service-de-proximite", "--json", "--top", "50"]) == 0
    doc = json.loads(capsys.readouterr().out)
    from sentiers.base.kiif import covered_departements

    communes = mirror_base.communes.set_index("code")
    codes = [r["code"] for r in doc["results"]]
    assert len(codes) == 50
    assert communes.loc[codes, "departement"].isin(covered_departements()).all()
    assert communes.loc[codes, "rural"].fillna(False).astype(bool).all()
    assert any(step["constraint"].startswith("Départements couverts") for step in doc["funnel"])
    floor = next(s for s in doc["funnel"] if "seuil par défaut du défi" in s["constraint"])
    assert floor["constraint"].startswith("Population d'au moins 300 habitants")
    assert (communes.loc[codes, "population"] >= 300).all()
    for result in doc["results"]:
        assert abs(sum(result["contributions"].values()) - result["score"]) <= 0.01
        assert 0 <= result["robustness"] <= 1
    assert (
        main(["score", "--preset", "service-de-proximite", "--level", "epci", "--json", "--top", "10"]) == 0
    )
    epci = json.loads(capsys.readouterr().out)
    assert epci["level"] == "epci" and all(len(r["code"]) == 9 for r in epci["results"])
