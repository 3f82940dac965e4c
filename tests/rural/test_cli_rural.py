"""``sentiers rural``: queries, JSON shape, batch files, exit codes, one line on stderr for bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sentiers.cli as cli

REPO = Path(__file__).resolve().parents[2]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["rural", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_on_the_embedded_base_says_unknown_and_why(embedded_home, use_home, capsys):
    use_home(embedded_home)
    code, out, err = _run(capsys, "Die", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 1
    assert data[0]["status"] == "ok"
    die = data[0]["matches"][0]
    assert die["code"] == "26113" and die["rural"] is None and die["density_level"] is None
    assert "page d'accueil" in die["reason"]


def test_many_queries_one_call(embedded_home, use_home, capsys):
    use_home(embedded_home)
    code, out, err = _run(capsys, "Die", "Saint-Martin", "99999", "Dei", "2A004", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [d["query"] for d in data] == ["Die", "Saint-Martin", "99999", "Dei", "2A004"]
    assert [d["status"] for d in data] == ["ok", "ambiguous", "not_found", "not_found", "ok"]
    assert len(data[1]["matches"]) >= 2 and data[3]["suggestions"]


def test_text_output(embedded_home, use_home, capsys):
    use_home(embedded_home)
    code, out, _ = _run(capsys, "Die")
    assert code == 0 and "Die (26, code 26113" in out


@pytest.mark.parametrize(
    "argv",
    [
        [""],
        ["Die", "   "],
        ["<script>alert(1)</script>"],
        ["x" * 1000],
        [],
        ["--batch", "missing.csv", "-o", "out.csv"],
        ["--column", "x"],
        ["Die", "--batch", "f.csv"],
    ],
)
def test_unusable_input_exit_2_one_line(embedded_home, use_home, capsys, argv, tmp_path, monkeypatch):
    use_home(embedded_home)
    monkeypatch.chdir(tmp_path)
    code, _out, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("sentiers : ")
    assert "Traceback" not in err


def test_json_on_the_mirror_base(mirror_home, use_home, capsys):
    use_home(mirror_home)
    code, out, err = _run(capsys, "Die", "Paris", "--json")
    assert code == 0, err
    die, paris = (d["matches"][0] for d in json.loads(out))
    assert die["rural"] in (True, False) and die["grid_vintage"].startswith("grille 2024")
    assert paris["rural"] is False and paris["density_level"] == 1
    assert die["zonings"]["frr"]["date"] == "classement au 10 juillet 2025"


def _write_csv(path: Path, rows: list[tuple[str, str]], encoding: str = "utf-8", sep: str = ";") -> Path:
    text = "\n".join(sep.join(r) for r in [("nom", "dep"), *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_batch_to_csv_and_xlsx(embedded_home, use_home, capsys, tmp_path, suffix):
    use_home(embedded_home)
    rows = [("Die", "26"), ("Saint-Martin", ""), ("Zzzz", ""), ("", ""), ("Saint-Martin", "65")]
    src = _write_csv(tmp_path / "in.csv", rows, encoding="cp1252")
    out_path = tmp_path / f"out.{suffix}"
    code, out, err = _run(capsys, "--batch", str(src), "--column", "nom", "dep", "-o", str(out_path))
    assert code == 0, err
    assert "5 lignes" in out
    if suffix == "csv":
        back = pd.read_csv(out_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        back = pd.read_excel(io.BytesIO(out_path.read_bytes()), dtype=str, keep_default_na=False)
        assert openpyxl.load_workbook(out_path).active.max_row == 6
    assert back["nom"].tolist() == [r[0] for r in rows]
    assert back["statut_verification"].tolist() == ["ok", "ambigu", "introuvable", "vide", "ok"]
    assert back["commune_code"].tolist()[0] == "26113"


def test_batch_bad_files(embedded_home, use_home, capsys, tmp_path):
    use_home(embedded_home)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("a;b\n1.5;?\n2.5;!\n", encoding="utf-8")
    big = tmp_path / "big.csv"
    big.write_bytes(b"code\n" + b"26113\n" * (20 * 1024 * 1024 // 6))
    for path in (binary, nocol, big):
        code, _out, err = _run(capsys, "--batch", str(path), "-o", str(tmp_path / "o.csv"))
        assert code == 2, path
        assert err.count("\n") == 1 and "Traceback" not in err
    code, _out, err = _run(capsys, "--batch", str(nocol), "-o", str(tmp_path / "o.pdf"))
    assert code == 2 and ".csv ou .xlsx" in err


def test_end_to_end_process(embedded_home):
    """The console script as a user runs it: JSON on stdout, nothing on stderr, exit 0."""
    env = {"SENTIERS_HOME": str(embedded_home), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "sentiers", "rural", "Die", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["matches"][0]["name"] == "Die"
    bad = subprocess.run(
        [sys.executable, "-m", "sentiers", "rural", "'; DROP TABLE communes; --"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_batch_without_a_recognisable_column_names_the_option(embedded_home, use_home, capsys, tmp_path):
    use_home(embedded_home)
    src = tmp_path / "x.csv"
    src.write_bytes(b"a;b\n1.5;x y z !\n2.5;?\n")
    code, _, err = _run(capsys, "--batch", str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "Aucune colonne reconnue" in err and "--column NOM" in err
    assert not (tmp_path / "out.csv").exists()
