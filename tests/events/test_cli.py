"""`sentiers rencontres`: the JSON the issue fixes, the XLSX, profiles beside the list, errors (exit 2, one line)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from sentiers.cli import main
from sentiers.matching.presets import preset_profile
from sentiers.matching.profile import save_profile
from tests.events.conftest import structures_rows, territories_rows, to_csv, to_xlsx


@pytest.fixture
def lists(base, tmp_path):
    t = tmp_path / "territoires.csv"
    t.write_bytes(
        to_csv(territories_rows(base, 20, seed=8) + [{k: "" for k in territories_rows(base, 1)[0]}])
    )
    s = tmp_path / "structures.xlsx"
    s.write_bytes(to_xlsx(structures_rows(base, 12, seed=9)))
    return t, s


def test_json_has_exactly_the_issue_shape(embedded_home, use_home, lists, capsys):
    use_home(embedded_home)
    t, s = lists
    assert main(["rencontres", str(t), str(s), "--creneaux", "3", "--max-rencontres", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["meetings", "unmatched_territories", "unmatched_structures", "rejected_rows"]
    assert doc["meetings"], doc
    for m in doc["meetings"]:
        assert list(m) == ["slot", "territory", "structure", "score", "reasons"]
        assert 1 <= m["slot"] <= 3 and 0 <= m["score"] <= 100 and isinstance(m["score"], int)
        assert m["reasons"] and all(isinstance(r, str) for r in m["reasons"])
    booked = [(m["slot"], m["territory"]) for m in doc["meetings"]] + [
        (m["slot"], m["structure"]) for m in doc["meetings"]
    ]
    assert len(booked) == len(set(booked))  # nobody twice in a slot
    assert [r["line"] for r in doc["rejected_rows"]] == [22]  # the empty row, with its reason
    assert doc["rejected_rows"][0]["reason"] == "ligne vide"
    names = {m["territory"] for m in doc["meetings"]} | set(doc["unmatched_territories"])
    assert len(names) == 20


def test_xlsx_output_and_a_profile_beside_the_list(embedded_home, use_home, base, tmp_path, capsys):
    use_home(embedded_home)
    die = base.communes.loc[base.communes["name"] == "Die", "code"].iloc[0]
    (tmp_path / "t.csv").write_text(
        f"nom;commune;défi\nMairie de Die;{die};Service de proximité\n=SUM(1+1);Crest (26);Service de proximité\n",
        encoding="utf-8",
    )
    save_profile(
        preset_profile("service-de-proximite", constraints={"kiif_only": False, "rural_only": False}),
        tmp_path / "epicerie.yaml",
    )
    (tmp_path / "s.csv").write_text(
        "nom;défi;profil\nÉpicerie;service-de-proximite;epicerie.yaml\nAutre;Service de proximité;manque.yaml\n",
        encoding="utf-8",
    )
    out = tmp_path / "planning.xlsx"
    code = main(
        [
            "rencontres",
            str(tmp_path / "t.csv"),
            str(tmp_path / "s.csv"),
            "--creneaux",
            "2",
            "--max-rencontres",
            "2",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames[:3] == ["Planning", "Territoires", "Structures"]
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    planning = [[c.value for c in row] for row in book["Planning"].iter_rows()]
    flat = " ".join(str(v) for row in planning for v in row if v is not None)
    assert "=SUM(1+1)" in flat and "Score du profil de la structure" in flat
    notes = [row[-1].value for row in book["Structures"].iter_rows(min_row=2)]
    assert notes[0] in ("", None) and "manque.yaml" in notes[1]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--creneaux", "0", "--max-rencontres", "2"], "--creneaux"),
        (["--creneaux", "2", "--max-rencontres", "99"], "--max-rencontres"),
        (["--creneaux", "2", "--max-rencontres", "2", "-o", "x.pdf"], "Format de sortie"),
        (["--creneaux", "2", "--max-rencontres", "2", "--colonnes", "absent.yaml"], "introuvable"),
    ],
)
def test_bad_input_is_one_french_line_and_exit_2(embedded_home, use_home, lists, capsys, args, words):
    use_home(embedded_home)
    t, s = lists
    assert main(["rencontres", str(t), str(s), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sentiers : ") and err.count("\n") == 1 and words in err


def test_an_unreadable_list_is_refused(embedded_home, use_home, tmp_path, capsys):
    use_home(embedded_home)
    junk = tmp_path / "t.csv"
    junk.write_bytes(bytes(range(256)) * 40)
    ok = tmp_path / "s.csv"
    ok.write_text("nom;défi\nA;Engagement citoyen\n", encoding="utf-8")
    assert main(["rencontres", str(junk), str(ok), "--creneaux", "2", "--max-rencontres", "1", "--json"]) == 2
    err = capsys.readouterr().err
    assert "territoires" in err and err.count("\n") == 1


@pytest.mark.slow
def test_stdout_is_pure_json_in_a_fresh_process(embedded_home, lists):
    """HiGHS prints a banner the first time a process builds it: it must not reach stdout."""
    t, s = lists
    env = {"SENTIERS_HOME": str(embedded_home), "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentiers",
            "rencontres",
            str(t),
            str(s),
            "--creneaux",
            "2",
            "--max-rencontres",
            "1",
            "--json",
        ],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    json.loads(done.stdout)
