"""kill -9 while a new base is written or swapped in: the home always holds a readable base, old or new, and the
next writer removes what the killed one left.

A child process writes a first base, then a second one and sends itself SIGKILL at a chosen moment (the test
wraps the store's own steps in the child; nothing in the package knows about it): while the tables are written,
after the version folder is renamed but before the pointer moves, with the new pointer file written but not yet
renamed, and after the pointer moved but before the cleaning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sentiers.base.store import BASES, current_dir, read_base, write_base
from tests.factory import make_base

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import os, signal, sys
from pathlib import Path
import sentiers.base.store as store
from tests.factory import make_base

home, moment = Path(sys.argv[1]), sys.argv[2]

def base(name):
    return make_base([{"code": "26113", "name": name, "departement": "26", "population": 1}], manifest={"label": name})

store.write_base(base("ancienne"), home)
print("first", store.current_dir(home).name, flush=True)

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if moment == "tables":
    real = store._write_tables
    def tables(b, folder):
        b.communes.to_parquet(folder / "communes.parquet")
        die()
    store._write_tables = tables
elif moment == "renamed":
    store._set_pointer = lambda home, version: die()
elif moment == "pointer-file":
    real_replace = os.replace
    def replace(src, dst, *a, **k):
        if Path(dst).name == store.POINTER:
            die()
        return real_replace(src, dst, *a, **k)
    store.os.replace = replace
elif moment == "pointed":
    real_clean = store.clean_leftovers
    calls = []
    def clean(*a, **k):
        calls.append(1)
        if len(calls) == 2:  # the first call is before the write, the second after the pointer moved
            die()
        return real_clean(*a, **k)
    store.clean_leftovers = clean
store.write_base(base("nouvelle"), home)
print("not killed", flush=True)
"""


@pytest.mark.parametrize("moment", ["tables", "renamed", "pointer-file", "pointed"])
def test_kill_9_during_the_swap_leaves_a_readable_base(tmp_path, moment):
    home = tmp_path / "home"
    home.mkdir()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), moment],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, SENTIERS_HOME=str(home)),
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, (child.stdout, child.stderr[-2000:])
    first = child.stdout.split()[1]

    base = read_base(home)  # never a missing or half-written base
    name = base.communes.loc[0, "name"]
    expected = "nouvelle" if moment == "pointed" else "ancienne"
    assert name == expected, (moment, name)
    if moment != "pointed":
        assert current_dir(home).name == first
    left = sorted(p.name for p in (home / BASES).iterdir())
    assert len(left) >= 2, left  # the killed writer did leave something (a partial or unused version)

    write_base(make_base([{"code": "26113", "name": "suivante", "departement": "26", "population": 1}]), home)
    assert read_base(home).communes.loc[0, "name"] == "suivante"
    remaining = sorted(p.name for p in (home / BASES).iterdir())
    assert not [n for n in remaining if n.startswith(".tmp-")], remaining
    assert len(remaining) <= 2, remaining  # the new version and the one before it, nothing else
    assert not list(home.glob(".current-base.*"))


def test_an_update_waits_for_no_other_when_asked_not_to(embedded_home, tmp_path, monkeypatch):
    """The whole update (fetch included) holds the lock across processes: a page asking not to wait is told at once
    that another update runs, and changes nothing."""
    from sentiers.base.update import update_sources
    from sentiers.errors import SentiersError
    from tests.homes import copy_home

    home = copy_home(embedded_home, tmp_path / "home")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom sentiers.base.store import update_lock\n"
            "with update_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(60)\n",
            str(home),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("SENTIERS_HOME", str(home))
        with pytest.raises(SentiersError, match="déjà en cours"):
            update_sources(offline=True, only=["anct_frr"], wait=False)
        assert not (home / "raw" / "last-update.json").exists()
    finally:
        holder.kill()
        holder.wait(timeout=30)


def _one(name: str):
    return make_base([{"code": "26113", "name": name, "departement": "26", "population": 1}], geometry=False)


def test_a_read_that_outlives_two_writes_reads_the_version_then_in_use(tmp_path, monkeypatch):
    """A reader resolves version A; two writes land (B, then C: A is removed) before it opens A's tables. It
    starts again on C instead of saying « Base illisible » (3 writers back to back failed 117 reads of 127)."""
    import sentiers.base.store as store

    first = write_base(_one("A"), tmp_path)
    real = store._read_table
    writes = []

    def slow_reader(path, columns=None):
        if not writes:  # the first table the reader opens: two updates finish meanwhile
            writes.extend([write_base(_one("B"), tmp_path), write_base(_one("C"), tmp_path)])
        return real(path, columns)

    monkeypatch.setattr(store, "_read_table", slow_reader)
    base = read_base(tmp_path, geometry=False)
    assert base.communes["name"].tolist() == ["C"] and base.path == current_dir(tmp_path)
    assert len(writes) == 2 and not first.exists()  # the version the reader started on is gone


def test_a_base_unreadable_where_it_stands_is_still_said(tmp_path):
    from sentiers.errors import BaseNotFoundError

    write_base(_one("A"), tmp_path)
    (current_dir(tmp_path) / "communes.parquet").write_bytes(b"pas du parquet")
    with pytest.raises(BaseNotFoundError, match="illisible"):
        read_base(tmp_path, geometry=False)


def test_a_home_left_half_swapped_by_the_old_code_keeps_its_official_base(tmp_path):
    """The code before versioned folders renamed base/ to base.old/ then the new one to base/: killed between
    the two, the home held base.old/ alone, and the next read silently built the embedded default instead."""
    built = write_base(_one("officielle"), tmp_path / "elsewhere")
    built.rename(tmp_path / "base.old")
    assert read_base(tmp_path, geometry=False).communes["name"].tolist() == ["officielle"]
    write_base(_one("suivante"), tmp_path)  # the next update moves to a versioned folder and removes it
    assert not (tmp_path / "base.old").exists()
    assert read_base(tmp_path, geometry=False).communes["name"].tolist() == ["suivante"]
