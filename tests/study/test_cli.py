"""``sentiers dossier`` and ``sentiers score --semblable`` end to end on the mirror base (real files written)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from sentiers.cli import main
from sentiers.matching.presets import preset_profile
from sentiers.matching.profile import save_profile

pytestmark = pytest.mark.mirror


@pytest.fixture
def profile_file(tmp_path):
    profile = preset_profile(
        "service-de-proximite",
        name="Épicerie <b>solidaire</b>",
        similar={"references": ["26113"]},
        readiness={"impact": "mesure"},
    )
    return save_profile(profile, tmp_path / "profil.yaml")


def test_dossier_html_pdf_and_project(mirror_home, use_home, profile_file, tmp_path, capsys):
    use_home(mirror_home)
    html_out = tmp_path / "etude.html"
    assert main(["dossier", str(profile_file), "--top", "3", "--hors-ligne", "-o", str(html_out)]) == 0
    html = html_out.read_text(encoding="utf-8")
    assert html.count('class="card"') == 3
    assert "Épicerie &lt;b&gt;solidaire&lt;/b&gt;" in html and 'id="semblables"' in html
    assert "Dossier écrit" in capsys.readouterr().err
    pdf_out = tmp_path / "etude.pdf"
    assert main(["dossier", str(profile_file), "--top", "2", "--hors-ligne", "-o", str(pdf_out)]) == 0
    reader = PdfReader(pdf_out)
    assert "Sommaire" in reader.pages[0].extract_text() and len(reader.pages) > 3
    project = tmp_path / "etude.zip"
    assert main(["dossier", str(profile_file), "--top", "4", "-o", str(project)]) == 0
    with zipfile.ZipFile(project) as zf:
        assert json.loads(zf.read("etude.json"))["parameters"]["top"] == 4
    # a project file is an input too: the same study again, its parameters kept
    again = tmp_path / "again.html"
    assert main(["dossier", str(project), "--hors-ligne", "-o", str(again)]) == 0
    assert again.read_text(encoding="utf-8").count('class="card"') == 4


def test_score_semblable(mirror_home, use_home, profile_file, tmp_path, capsys):
    use_home(mirror_home)
    assert main(["score", "--preset", "service-de-proximite", "--semblable", "26113", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "territoires semblables à Die (26)" in out and "   1. " in out and "ressemblance" in out
    # without codes: the profile's own references
    assert main(["score", str(profile_file), "--semblable", "--json", "--top", "3"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["references"][0]["code"] == "26113" and len(doc["results"]) == 3
    assert (
        main(
            [
                "score",
                "--preset",
                "engagement-citoyen",
                "--semblable",
                "26113",
                "26321",
                "--indicateurs",
                "population:2",
                "density",
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert [i["indicator"] for i in doc["indicators"]] == ["population", "density"]
    assert [i["weight"] for i in doc["indicators"]] == [2.0, 1.0]
    out_csv = tmp_path / "semblables.csv"
    assert (
        main(
            [
                "score",
                "--preset",
                "service-de-proximite",
                "--semblable",
                "26113",
                "-o",
                str(out_csv),
                "--top",
                "7",
            ]
        )
        == 0
    )
    rows = list(csv.reader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 8 and rows[0][:3] == ["Rang", "Code commune", "Nom"]


def test_bad_input_is_one_french_line_and_exit_2(mirror_home, use_home, profile_file, tmp_path, capsys):
    use_home(mirror_home)
    bad_zip = tmp_path / "faux.zip"
    bad_zip.write_bytes(b"not a zip")
    cases = [
        (["dossier", str(profile_file), "--top", "0", "-o", str(tmp_path / "x.html")], "--top"),
        (["dossier", str(profile_file), "--top", "11", "-o", str(tmp_path / "x.html")], "--top"),
        (["dossier", str(tmp_path / "absent.yaml"), "-o", str(tmp_path / "x.html")], "Profil introuvable"),
        (["dossier", str(profile_file), "-o", str(tmp_path / "x.docx")], "Format de sortie non reconnu"),
        (["dossier", str(bad_zip), "-o", str(tmp_path / "x.html")], "pas une archive de projet"),
        (["dossier", str(profile_file)], "erreur d'usage"),
        (["score", "--preset", "service-de-proximite", "--semblable", "99999"], "similar.references"),
        (["score", "--preset", "service-de-proximite", "--semblable"], "au moins une commune"),
        (
            ["score", "--preset", "service-de-proximite", "--semblable", "26113", "--level", "epci"],
            "compare des communes",
        ),
        (["score", "--preset", "service-de-proximite", "--indicateurs", "population"], "va avec --semblable"),
        (
            ["score", "--preset", "service-de-proximite", "--semblable", "26113", "--indicateurs", "nope"],
            "indicateur inconnu",
        ),
    ]
    for argv, message in cases:
        capsys.readouterr()
        with pytest.raises(SystemExit) if message == "erreur d'usage" else _nothing():
            assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("sentiers : ") and message in err[0], (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faux.zip", "profil.yaml"]  # nothing written


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
