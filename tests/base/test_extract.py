"""The lookup extract written with the base: same index and verdicts as the base, no pandas to read it,
and a base without (or with a damaged) extract still answered from the base itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from sentiers.base.extract import EXTRACT_FILE, extract_for, read_extract
from sentiers.base.store import current_dir

REPO = Path(__file__).resolve().parents[2]


def _copy_home(home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns(".update.lock", "raw"))
    return copy


@pytest.mark.mirror
def test_the_extract_on_disk_is_the_base_s_index_and_columns(mirror_home, mirror_base):
    on_disk = read_extract(mirror_home)
    assert on_disk is not None, f"no {EXTRACT_FILE} beside the mirror base"
    in_memory = extract_for(mirror_base)
    assert on_disk.version == mirror_base.version
    for f in fields(in_memory.index):
        if not f.name.startswith("_"):
            assert getattr(on_disk.index, f.name) == getattr(in_memory.index, f.name), f.name
    assert set(on_disk.columns) == set(in_memory.columns)
    assert on_disk.grid_derivations == in_memory.grid_derivations
    assert on_disk.grid_derivations, "the mirror base has derived density levels (mergers since the grid)"
    for code in ["26113", "75056", "2A004", "97411", *list(on_disk.grid_derivations)[:20]]:
        assert on_disk.row(code) == in_memory.row(code), code


@pytest.mark.mirror
def test_every_verdict_from_the_extract_is_the_verdict_from_the_base(mirror_home, mirror_base):
    from sentiers.rural.verdict import answer, commune_verdict

    on_disk = read_extract(mirror_home)
    assert on_disk is not None
    for code in mirror_base.communes["code"]:
        assert commune_verdict(on_disk, code) == commune_verdict(mirror_base, code), code
    for query in ["Die", "CP 26150", "Saint-Martin", "Dei", "01039", "Marseille 1er", "xyz"]:
        assert answer(on_disk, query) == answer(mirror_base, query), query


def test_the_cli_answers_from_the_extract_without_pandas(embedded_home, tmp_path):
    home = _copy_home(embedded_home, tmp_path)
    assert (current_dir(home) / EXTRACT_FILE).is_file()
    script = (
        "import sys; from sentiers.cli import main; code = main(['rural', 'Die', '26113', '--json']);"
        "heavy = [m for m in ('pandas', 'pyarrow', 'geopandas', 'numpy', 'shapely') if m in sys.modules];"
        "sys.stderr.write('HEAVY=' + ','.join(heavy)); raise SystemExit(code)"
    )
    env = dict(os.environ, SENTIERS_HOME=str(home))
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().endswith("HEAVY="), proc.stderr
    data = json.loads(proc.stdout)
    assert [d["matches"][0]["code"] for d in data] == ["26113", "26113"]


@pytest.mark.parametrize("damage", ["missing", "garbage", "other_format", "truncated_column"])
def test_a_base_without_a_good_extract_is_answered_from_the_base(
    embedded_home, tmp_path, damage, capsys, use_home
):
    from sentiers.cli import main

    home = _copy_home(embedded_home, tmp_path)
    path = current_dir(home) / EXTRACT_FILE
    good = subprocess.run(
        [sys.executable, "-m", "sentiers", "rural", "Die", "CP 26150", "--json"],
        env=dict(os.environ, SENTIERS_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert good.returncode == 0, good.stderr
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"\x00{not json")
    else:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if damage == "other_format":
            doc["format"] = 999
        else:
            column = doc["columns"]["name"]
            column["values"] = column["values"][:10]
        path.write_text(json.dumps(doc), encoding="utf-8")
    assert read_extract(home) is None
    use_home(home)
    code = main(["rural", "Die", "CP 26150", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out) == json.loads(good.stdout)
