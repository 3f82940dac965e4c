"""``sentiers brief`` / ``sentiers compare`` end to end on the embedded base (real files written)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from sentiers.cli import main


def test_brief_html_and_pdf(embedded_home, use_home, tmp_path):
    use_home(embedded_home)
    out = tmp_path / "die.html"
    assert main(["brief", "26113", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<h1>Die</h1>" in html and "accueil de Sentiers" in html
    assert "uv run" not in html and "`" not in html  # no command line in a document for the field
    pdf = tmp_path / "diois.pdf"
    assert main(["brief", "242600534", "--level", "epci", "-o", str(pdf)]) == 0
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Diois" in text and "Questions pour la visite" in text


def test_brief_with_a_preset(embedded_home, use_home, tmp_path):
    use_home(embedded_home)
    out = tmp_path / "die.html"
    assert main(["brief", "26113", "--preset", "service-de-proximite", "-o", str(out)]) == 0
    assert "Adéquation au profil" in out.read_text(encoding="utf-8")


def test_bad_input_is_one_french_line_and_exit_2(embedded_home, use_home, tmp_path, capsys):
    use_home(embedded_home)
    cases = [
        (["brief", "99999", "-o", str(tmp_path / "x.html")], "ni un code Insee ni un code postal"),
        (["brief", "26113", "-o", str(tmp_path / "x.docx")], "Format de sortie non reconnu"),
        (["brief", "26113", "--preset", "nope", "-o", str(tmp_path / "x.html")], "Profil type inconnu"),
        (["brief", "26113", "-o", str(tmp_path / "absent" / "x.html")], "dossier de sortie"),
        (["compare", "26113", "-o", str(tmp_path / "x.html")], "de 2 à 5"),
        (["compare", "26113", "12345678", "-o", str(tmp_path / "x.xlsx")], "pas un code à 5 caractères"),
        (["brief", "Saint-Martin", "-o", str(tmp_path / "x.html")], "précisez le département"),
    ]
    for argv, message in cases:
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("sentiers : ") and message in err[0], (argv, err)
    assert not list(tmp_path.iterdir())  # nothing written on bad input


def test_compare_xlsx_and_pdf(embedded_home, use_home, tmp_path):
    use_home(embedded_home)
    xlsx = tmp_path / "cmp.xlsx"
    assert main(["compare", "26113", "05061", "242600534", "-o", str(xlsx)]) == 0
    ws = load_workbook(io.BytesIO(xlsx.read_bytes()))["Comparaison"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Groupe")
    assert header[2:4] == ("Die (26113)", "Gap (05061)")
    pdf = tmp_path / "cmp.pdf"
    assert main(["compare", "26113", "05061", "-o", str(pdf)]) == 0
    assert PdfReader(pdf).pages
