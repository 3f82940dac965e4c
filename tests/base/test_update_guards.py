"""What an update must refuse or say, run as an administrator runs it (``sentiers data update`` in a subprocess).

A home is updated once from a mirror folder this test builds in tmp (three official files copied from
SENTIERS_MIRROR); then, on copies of that home:
- a CSV cut at a line boundary (FRR 34,875 -> 34,081 rows, Filosofi 34,864 -> 34,254, France services
  2,845 -> 2,527, the figures of the hostile test) is refused, the source named, exit 2, the previous good file
  and base kept, and the home page's report (raw/last-update.json) says why;
- the same cut file served by a local HTTP server is refused the same way;
- a first update (no previous file) refuses it against the entry's expected rows; ``--allow-drop`` takes it;
- an update that changed nothing rebuilds nothing and says « Aucune source n'a changé » (exit 0);
- without network (a proxy that refuses every connection) the update says at once, in one line, that the
  official sites cannot be reached (exit 2), before fetching anything;
- what a killed update left in raw/ and bases/ is removed by the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sentiers.base.sources import get_source
from sentiers.base.store import current_dir
from tests.homes import copy_home

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.mirror, pytest.mark.slow, pytest.mark.timeout(600)]

# source id -> data rows kept when the file is cut (the hostile test's figures)
CUTS = {"anct_frr": 34_081, "insee_filosofi_2021": 34_254, "anct_france_services": 2_527}


def sentiers(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    environ = dict(os.environ, SENTIERS_HOME=str(home), **env)
    environ.pop("SENTIERS_MIRROR", None)
    return subprocess.run(
        [sys.executable, "-m", "sentiers", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=400,
        check=False,
    )


def cut_csv(path: Path, rows: int) -> None:
    """Keep the header and the first ``rows`` records, cut at a line boundary (quoted newlines respected)."""
    import csv
    import io

    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    for _ in range(rows):
        next(reader)
    consumed = reader.line_num  # physical lines read: header + the records kept
    lines = data.split(b"\n")
    path.write_bytes(b"\n".join(lines[:consumed]) + b"\n")


def copy_whole_home(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".update.lock"))
    return target


@pytest.fixture(scope="module")
def mirror_folder(mirror_path, tmp_path_factory) -> Path:
    """A mirror folder with only the three files this test needs (copied into tmp, never into the project)."""
    folder = tmp_path_factory.mktemp("mirror-three")
    for source_id in CUTS:
        relative = get_source(source_id).mirror_path
        assert relative
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_path / relative, folder / relative)
    return folder


@pytest.fixture(scope="module")
def good_home(embedded_home, mirror_folder, tmp_path_factory) -> Path:
    home = copy_home(embedded_home, tmp_path_factory.mktemp("home-three") / "home")
    result = sentiers("data", "update", "--mirror", str(mirror_folder), "--only", *CUTS, home=home)
    assert result.returncode == 0, result.stderr
    return home


def _cut_mirror(mirror_folder: Path, target: Path, source_id: str) -> Path:
    shutil.copytree(mirror_folder, target)
    path = target / str(get_source(source_id).mirror_path)
    path.chmod(0o644)
    cut_csv(path, CUTS[source_id])
    return target


@pytest.mark.parametrize("source_id", list(CUTS))
def test_a_csv_cut_at_a_line_boundary_is_refused(good_home, mirror_folder, tmp_path, source_id):
    home = copy_whole_home(good_home, tmp_path / "home")
    version = current_dir(home).name
    raw_file = home / "raw" / get_source(source_id).filename
    before = raw_file.read_bytes()
    mirror = _cut_mirror(mirror_folder, tmp_path / "mirror", source_id)

    result = sentiers("data", "update", "--mirror", str(mirror), "--only", source_id, home=home)

    assert result.returncode == 2, (result.stdout, result.stderr)
    line = next(line for line in result.stderr.splitlines() if f"source {source_id} en échec" in line)
    assert "lignes lues contre" in line and "version précédente" in line, line
    assert line.endswith("la version précédente est conservée"), line
    assert raw_file.read_bytes() == before  # the previous good file stays
    assert current_dir(home).name == version  # and so does the base in use
    report = json.loads((home / "raw" / "last-update.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in report["failures"]] == [source_id] and report["failures"][0]["kept"]
    assert "Aucune source n'a changé" in result.stdout


def test_a_cut_csv_served_over_http_is_refused(good_home, mirror_folder, tmp_path, http_server, monkeypatch):
    from sentiers.base.update import update_sources

    url, routes = http_server
    mirror = _cut_mirror(mirror_folder, tmp_path / "mirror", "anct_france_services")
    routes["/fs.csv"] = (200, {}, (mirror / str(get_source("anct_france_services").mirror_path)).read_bytes())
    home = copy_whole_home(good_home, tmp_path / "home")
    version = current_dir(home).name
    monkeypatch.setenv("SENTIERS_HOME", str(home))
    report = update_sources(only=["anct_france_services"], urls={"anct_france_services": f"{url}/fs.csv"})
    assert report.updated == [] and report.base is None
    assert report.failures[0][0] == "anct_france_services" and "lignes lues" in report.failures[0][1]
    assert report.kept == ["anct_france_services"]
    assert current_dir(home).name == version


def test_a_first_update_checks_the_expected_rows_and_allow_drop_takes_it(
    embedded_home, mirror_folder, tmp_path
):
    home = copy_home(embedded_home, tmp_path / "home")
    mirror = _cut_mirror(mirror_folder, tmp_path / "mirror", "anct_frr")
    refused = sentiers("data", "update", "--mirror", str(mirror), "--only", "anct_frr", home=home)
    assert refused.returncode == 2
    assert "fichier officiel attendu" in refused.stderr and "34 081" in refused.stderr.replace("\u202f", " ")
    assert not (home / "raw" / get_source("anct_frr").filename).exists()

    taken = sentiers(
        "data", "update", "--mirror", str(mirror), "--only", "anct_frr", "--allow-drop", "anct_frr", home=home
    )
    assert taken.returncode == 0, taken.stderr
    index = json.loads((home / "raw" / "index.json").read_text(encoding="utf-8"))
    assert index["anct_frr"]["rows"] == CUTS["anct_frr"]


def test_an_update_that_changed_nothing_is_not_called_a_success(good_home, mirror_folder, tmp_path):
    home = copy_whole_home(good_home, tmp_path / "home")
    version = current_dir(home).name
    result = sentiers("data", "update", "--mirror", str(mirror_folder), "--only", *CUTS, home=home)
    assert result.returncode == 0, result.stderr
    assert "Aucune source n'a changé ; la base reste celle du " in result.stdout
    assert "Base reconstruite" not in result.stdout
    assert current_dir(home).name == version


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("only", [(), ("anct_frr", "insee_filosofi_2021")])
def test_without_network_the_update_says_so_at_once(embedded_home, tmp_path, only):
    home = copy_home(embedded_home, tmp_path / "home")
    version = current_dir(home).name
    proxy = f"http://127.0.0.1:{_closed_port()}"  # every connection refused, as on a machine without network
    args = ("data", "update", *(("--only", *only) if only else ()))
    result = sentiers(*args, home=home, HTTP_PROXY=proxy, HTTPS_PROXY=proxy, NO_PROXY="")
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sentiers : Les sites officiels sont injoignables"), lines[0]
    assert "Traceback" not in result.stderr
    assert current_dir(home).name == version
    assert not [p for p in (home / "raw").iterdir() if p.name.startswith(".")]
    report = json.loads((home / "raw" / "last-update.json").read_text(encoding="utf-8"))
    assert "injoignables" in report["error"] and report["rebuilt"] is False


def test_what_a_killed_update_left_is_cleaned_by_the_next(embedded_home, tmp_path):
    home = copy_home(embedded_home, tmp_path / "home")
    raw = home / "raw"
    raw.mkdir()
    partial = raw / ".anct_frr-k3j2h1"
    partial.write_bytes(b"x" * (1 << 20))
    (raw / "index.json.tmp").write_text("{", encoding="utf-8")
    half = home / "bases" / ".tmp-abcdef"
    half.mkdir()
    (half / "communes.parquet").write_bytes(b"PAR1")
    result = sentiers("data", "update", "--offline", "--only", "anct_frr", home=home)
    assert result.returncode == 0, result.stderr
    assert not partial.exists() and not (raw / "index.json.tmp").exists() and not half.exists()
    assert current_dir(home) is not None
