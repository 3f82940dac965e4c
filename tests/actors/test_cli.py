"""``sentiers acteurs`` end to end on the embedded base, against the local API (real files written)."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from sentiers.cli import main


def test_text_json_and_families(actors_home, diois_api, capsys):
    assert main(["acteurs", "Die"]) == 0
    out = capsys.readouterr().out
    assert "Acteurs du territoire — Die (26113)" in out
    assert "CENTRE SOCIAL DU DIOIS" in out and "DIOIS INSERTION" in out and "Liste du " in out
    assert "Licence Ouverte" in out and "DUPONT" not in out
    assert main(["acteurs", "242600534", "--json", "--famille", "cooperative", "siae"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["territoire"] == {
        "code": "242600534",
        "niveau": "epci",
        "nom": data["territoire"]["nom"],
        "rayon_km": 0.0,
    }
    assert "Diois" in data["territoire"]["nom"] and data["etat"] in ("online", "cache")
    assert {a["family"] for a in data["acteurs"]} == {"cooperative", "siae"}
    assert data["par_famille"]["association"] >= 5  # the counts cover the whole list


def test_cooperation_and_radius(actors_home, diois_api, capsys):
    assert (
        main(
            [
                "acteurs",
                "26113",
                "--rayon",
                "10",
                "--activite",
                "epicerie",
                "--defi",
                "service-de-proximite",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["territoire"]["rayon_km"] == 10.0
    relations = {a["name"]: a["relation"] for a in data["acteurs"]}
    assert relations["EPICERIE SOLIDAIRE DE DIE"] == "same"
    assert relations["CENTRE SOCIAL DU DIOIS"] == "complement"


def test_csv_and_xlsx_exports(actors_home, diois_api, tmp_path, capsys):
    csv = tmp_path / "die.csv"
    assert main(["acteurs", "26113", "-o", str(csv)]) == 0
    text = csv.read_bytes().decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:3] == ["Nom", "Famille", "Type ou forme"] and "Distance (km)" in header
    assert "CENTRE SOCIAL DU DIOIS" in text and "Ronalpia" in text
    xlsx = tmp_path / "diois.xlsx"
    assert main(["acteurs", "242600534", "-o", str(xlsx), "--famille", "association"]) == 0
    book = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames == ["Acteurs", "Par famille", "Par défi"]
    rows = list(book["Acteurs"].iter_rows(values_only=True))
    assert rows[0][0].startswith("Acteurs du territoire") and "Licence Ouverte" in rows[1][0]
    header_row = next(i for i, r in enumerate(rows) if r[0] == "Nom")
    body = rows[header_row + 1 :]
    assert body and all(r[1] == "Association employeuse" for r in body)
    assert isinstance(body[0][header.index("Distance (km)")], float)
    capsys.readouterr()


def test_offline_then_cache_only(actors_home, diois_api, monkeypatch, capsys):
    from tests.conftest import REFUSING_API

    assert main(["acteurs", "26113", "--json"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SENTIERS_ENTREPRISES_API", REFUSING_API)
    assert main(["acteurs", "26113", "--hors-ligne"]) == 0
    assert "CENTRE SOCIAL DU DIOIS" in capsys.readouterr().out
    # another commune, never fetched: unavailable, exit 1, said in French
    assert main(["acteurs", "Gap"]) == 1
    out = capsys.readouterr().out
    assert "demande une connexion" in out and "Traceback" not in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["acteurs", "99999"], "ni un code Insee ni un code postal"),
        (["acteurs", "Die", "--rayon", "75"], "Rayon hors limites"),
        (["acteurs", "Die", "--rayon", "dix"], "Rayon illisible"),
        (["acteurs", "Die", "--activite", "12345"], "Activité non reconnue"),
        (["acteurs", "Die", "--famille", "club"], "erreur d'usage"),
        (["acteurs", "Die", "--json", "-o", "x.csv"], "erreur d'usage"),
        (["acteurs", "Die", "-o", "x.docx"], "Format de sortie non reconnu"),
        (["acteurs", "Die", "--defi", "autre"], "erreur d'usage"),
    ],
)
def test_bad_input_is_one_french_line_and_exit_2(actors_home, argv, expected, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sentiers : ") and expected in err
