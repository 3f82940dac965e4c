"""Every failure a person can cause on the command line is one French line on stderr and exit code 2.

The cases of issue 17 (« CLI and files »): a SENTIERS_HOME that is a file, under a file, read-only or with a file
where the base's folder should be, for each of the ten commands; ``-o`` into a missing or read-only folder, onto a
folder, a device or a pipe; a full disk (a real one, a fault injected at the write, and stdout on /dev/full); an
argument holding a byte that is not UTF-8; control characters and 100,000-character parameters echoed; argparse's
English. A bug (any other exception) keeps its traceback.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from sentiers.cli import main

ROOT = Path(__file__).resolve().parents[2]
PRESET = "service-de-proximite"
ENGLISH = (
    "Traceback",
    "Errno",
    "No such file",
    "Not a directory",
    "Is a directory",
    "Read-only",
    "Permission denied",
    "File exists",
    "No space left",
    "invalid choice",
    "required",
    "unrecognized",
    "expected one argument",
    "Input should",
    "Error tokenizing",
)


def one_french_line(err: str) -> str:
    """The one line of stderr, checked: « sentiers : … », no English, no raw control character, bounded."""
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    assert line.startswith("sentiers : "), line
    for word in ENGLISH:
        assert word not in line, (word, line)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in line), line
    assert len(line) <= 500, len(line)
    return line


def lists(folder: Path) -> tuple[Path, Path]:
    """Two registration lists that read well (so that `sentiers rencontres` goes on to the base)."""
    territories, structures = folder / "t.csv", folder / "s.csv"
    territories.write_text("nom;commune;défi\nMairie de Die;26113;Service de proximité\n", encoding="utf-8")
    structures.write_text(
        "nom;défi;commune du siège\nÉpicerie;Service de proximité;Crest\n", encoding="utf-8"
    )
    return territories, structures


def commands(folder: Path) -> dict[str, list[str]]:
    """The ten commands that open the home, each with arguments that are otherwise right."""
    profile = folder / "profil.yaml"
    profile.write_text(f"name: Épicerie\ndefi: {PRESET}\n", encoding="utf-8")
    territories, structures = lists(folder)
    out = folder / "sorties"
    out.mkdir(exist_ok=True)
    out.chmod(0o777)
    return {
        "rural": ["rural", "26113"],
        "rural --batch": ["rural", "--batch", str(territories), "-o", str(out / "r.csv")],
        "score": ["score", "--preset", PRESET],
        "brief": ["brief", "26113", "-o", str(out / "b.html")],
        "compare": ["compare", "26113", "26198", "-o", str(out / "c.html")],
        "map": ["map", "--departement", "26", "-o", str(out / "m.html")],
        "dossier": ["dossier", str(profile), "-o", str(out / "d.html")],
        "acteurs": ["acteurs", "26113", "--hors-ligne"],
        "rencontres": [
            "rencontres",
            str(territories),
            str(structures),
            "--creneaux",
            "2",
            "--max-rencontres",
            "1",
        ],
        "data status": ["data", "status"],
    }


def broken_home(kind: str, folder: Path) -> Path:
    """A SENTIERS_HOME that cannot be used, in one of the ways people meet."""
    if kind == "a file":
        home = folder / "home"
        home.write_text("pas un dossier", encoding="utf-8")
    elif kind == "under a file":
        (folder / "fichier").write_text("x", encoding="utf-8")
        home = folder / "fichier" / "home"
    elif kind == "a file where the bases go":
        home = folder / "home"
        home.mkdir()
        (home / "bases").write_text("x", encoding="utf-8")
    elif kind == "a folder where the pointer goes":
        home = folder / "home"
        (home / "current-base").mkdir(parents=True)
    else:
        raise AssertionError(kind)
    return home


HOMES = ["a file", "under a file", "a file where the bases go", "a folder where the pointer goes"]
COMMANDS = [
    "rural",
    "rural --batch",
    "score",
    "brief",
    "compare",
    "map",
    "dossier",
    "acteurs",
    "rencontres",
    "data status",
]


# a file where the bases go: the embedded base is built (~15 s) before the write fails, so two commands only
CASES = [(kind, command) for kind in HOMES if kind != "a file where the bases go" for command in COMMANDS] + [
    pytest.param("a file where the bases go", command, marks=pytest.mark.slow) for command in ("rural", "map")
]


@pytest.mark.parametrize(("kind", "command"), CASES)
def test_an_unusable_home_is_one_french_line(kind, command, tmp_path, monkeypatch, capsys):
    home = broken_home(kind, tmp_path)
    monkeypatch.setenv("SENTIERS_HOME", str(home))
    argv = commands(tmp_path)[command]
    assert main(argv) == 2, capsys.readouterr()
    captured = capsys.readouterr()
    line = one_french_line(captured.err)
    assert "home" in line or "SENTIERS_HOME" in line or "bases" in line or "current-base" in line, line


# -- a read-only home -----------------------------------------------------------------------------------------


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    """A folder nobody can write to: a read-only tmpfs for root (root writes through file modes), a folder in
    mode 0555 for anyone else; skipped where root cannot mount."""
    folder = Path(tempfile.mkdtemp(prefix="sentiers-ro-"))
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
            folder.rmdir()
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "sentiers-ro", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.decode()[-200:]}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        folder.rmdir()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_home_is_one_french_line(command, read_only_folder, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SENTIERS_HOME", str(read_only_folder))
    assert main(commands(tmp_path)[command]) == 2
    assert "accessible en écriture" in one_french_line(capsys.readouterr().err)


# -- -o: where the output goes --------------------------------------------------------------------------------


def output_commands(folder: Path, out: str) -> dict[str, list[str]]:
    base = commands(folder)
    return {
        "score": ["score", "--preset", PRESET, "-o", out],
        "rural": base["rural --batch"][:-1] + [out],
        "brief": ["brief", "26113", "-o", out],
        "compare": ["compare", "26113", "26198", "-o", out],
        "map": ["map", "--departement", "26", "-o", out],
        "dossier": base["dossier"][:-1] + [out],
    }


SUFFIX = {
    "score": ".csv",
    "rural": ".csv",
    "brief": ".html",
    "compare": ".html",
    "map": ".html",
    "dossier": ".html",
}


@pytest.fixture
def emb_home(embedded_home, use_home):
    return use_home(embedded_home)


@pytest.mark.parametrize("command", list(SUFFIX))
@pytest.mark.parametrize(
    "where", ["missing folder", "onto a folder", "parent is a file", "a pipe", "a device"]
)
def test_output_in_a_wrong_place_is_one_french_line(command, where, emb_home, tmp_path, capsys):
    name = "sortie" + SUFFIX[command]
    if where == "missing folder":
        out = tmp_path / "absent" / name
    elif where == "onto a folder":
        out = tmp_path / name
        out.mkdir()
    elif where == "parent is a file":
        (tmp_path / "fichier").write_text("x", encoding="utf-8")
        out = tmp_path / "fichier" / name
    elif where == "a pipe":
        out = tmp_path / name
        os.mkfifo(out)
    else:  # a name that leads to /dev/full: never replaced by a regular file
        out = tmp_path / name
        out.symlink_to("/dev/full")
    argv = output_commands(tmp_path, str(out))[command]
    assert main(argv) == 2
    one_french_line(capsys.readouterr().err)
    if where == "a pipe":
        assert stat.S_ISFIFO(out.stat().st_mode)  # the pipe is still a pipe
    if where == "a device":
        assert out.is_symlink() and os.readlink(out) == "/dev/full"
    assert not list(tmp_path.rglob(".*.part"))


@pytest.mark.parametrize("command", list(SUFFIX))
def test_output_to_dev_full_is_one_french_line(command, emb_home, tmp_path, capsys):
    assert main(output_commands(tmp_path, "/dev/full")[command]) == 2
    one_french_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", list(SUFFIX))
def test_output_into_a_read_only_folder(command, read_only_folder, emb_home, tmp_path, capsys):
    assert main(output_commands(tmp_path, str(read_only_folder / ("x" + SUFFIX[command])))[command]) == 2
    assert "accessible en écriture" in one_french_line(capsys.readouterr().err)
    assert not list(read_only_folder.iterdir())


# -- a full disk -----------------------------------------------------------------------------------------------


def test_a_write_failing_midway_leaves_nothing(emb_home, tmp_path, capsys, monkeypatch):
    """A fault injected at the write boundary: half the bytes go, then ENOSPC; nothing is left behind."""
    import sentiers.cli.support as support

    real_fdopen = os.fdopen

    class HalfFull:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(support.os, "fdopen", lambda fd, mode: HalfFull(real_fdopen(fd, mode)))
    out = tmp_path / "france.html"
    assert main(["map", "-o", str(out)]) == 2
    assert "disque plein" in one_french_line(capsys.readouterr().err)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no partial temporary file


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 64 KB file system (tmpfs), for a real ENOSPC; skipped where mounting is not allowed."""
    point = Path(tempfile.mkdtemp(prefix="sentiers-full-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "sentiers-test", str(point)], capture_output=True
    )
    if done.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode()[-200:]}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)
        point.rmdir()


def test_a_really_full_disk_leaves_nothing(emb_home, tiny_disk, capsys):
    out = tiny_disk / "france.html"  # the map of France is hundreds of KB
    assert main(["map", "-o", str(out)]) == 2
    assert "disque plein" in one_french_line(capsys.readouterr().err)
    assert list(tiny_disk.iterdir()) == []


@pytest.mark.parametrize("argv", [["rural", "26113"], ["rural", "Die", "--json"], ["data", "status"]])
def test_stdout_on_a_full_disk_is_one_french_line(embedded_home, argv):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sentiers", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            env={**os.environ, "SENTIERS_HOME": str(embedded_home), "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "La sortie n'a pas pu être écrite : disque plein" in one_french_line(err)


# -- arguments: bytes, control characters, length, argparse ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [b"brief", b"\xff26113", b"-o", b"x.html"],
        [b"rural", b"\xff26113"],
        [b"rural", b"Die", b"--json", b"\xe9"],
        [b"score", b"--preset", b"service-de-proximit\xe9"],
        [b"map", b"--departement", b"2\xff", b"-o", b"x.html"],
    ],
)
@pytest.mark.parametrize("encoding", ["", "utf-8:strict"])
def test_a_byte_that_is_not_utf8_is_refused_in_french(argv, encoding, embedded_home, tmp_path):
    env = {**os.environ, "SENTIERS_HOME": str(embedded_home), "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    done = subprocess.run(
        [sys.executable, "-m", "sentiers", *argv], capture_output=True, env=env, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert b"\xff" not in done.stdout + done.stderr and b"\xe9" not in done.stdout  # no raw byte echoed
    line = one_french_line(done.stderr.decode("utf-8"))
    assert "\\x" in line  # the byte shown as an escape
    assert not list(tmp_path.iterdir())


def test_a_file_name_with_a_latin1_byte_is_still_read(embedded_home, tmp_path):
    """File names are the exception: a name in Latin-1 on disk opens (Python keeps its bytes)."""
    name = b"communes-\xe9t\xe9.csv"
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
        handle.write(b"code\n26113\n")
    out = tmp_path / "verdicts.csv"
    done = subprocess.run(
        [sys.executable, "-m", "sentiers", b"rural", b"--batch", name, b"-o", str(out).encode()],
        capture_output=True,
        env={**os.environ, "SENTIERS_HOME": str(embedded_home), "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "26113" in out.read_text(encoding="utf-8-sig")


HUGE = "x" * 100_000
HOSTILE = "Die\x1b[2J\x1b[31m\x07\r\nrouge\u202e"


@pytest.mark.parametrize(
    "argv",
    [
        ["rural", HUGE],
        ["rural", HOSTILE],
        ["brief", HUGE, "-o", "{tmp}/x.html"],
        ["brief", HOSTILE, "-o", "{tmp}/x.html"],
        ["map", "--departement", HOSTILE, "-o", "{tmp}/x.html"],
        ["map", "--departement", HUGE, "-o", "{tmp}/x.html"],
        ["score", "--preset", HUGE],
        ["score", "--preset", HOSTILE],
        ["acteurs", "Die", "--activite", HOSTILE, "--hors-ligne"],
        ["acteurs", "Die", "--rayon", HUGE, "--hors-ligne"],
        ["compare", HOSTILE, "26113", "-o", "{tmp}/x.html"],
        ["map", "--layer", HOSTILE, "-o", "{tmp}/x.html"],
        ["rural", "--frobnicate", HUGE],
        ["score", "--top", HUGE],
    ],
)
def test_messages_echo_user_text_escaped_and_cut(argv, emb_home, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == 2
    captured = capsys.readouterr()
    line = one_french_line(captured.err)
    assert len(line) < 400
    if HOSTILE in argv:
        assert "\\x1b" in line or "\\u202e" in line or "…" in line, line
    # stdout is bounded too, and holds no raw control character
    assert len(captured.out) < 5_000
    assert "\x1b" not in captured.out and "\x07" not in captured.out


@pytest.mark.parametrize(
    ("argv", "french"),
    [
        (["map", "--layer", "foo", "-o", "x.html"], "choix non reconnu « foo »"),
        (["brief"], "argument(s) obligatoire(s) manquant(s)"),
        (["rural", "--foo"], "argument(s) non reconnu(s) : « --foo »"),
        (["score", "--top", "abc"], "un nombre entier est attendu"),
        (["frob"], "choix non reconnu « frob »"),
        (["brief", "26113", "--profile", "a", "--preset", "b", "-o", "x.html"], "ne s'emploie pas avec"),
        (["score", "--level"], "une valeur est attendue"),
    ],
)
def test_argparse_speaks_french(argv, french, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    line = one_french_line(capsys.readouterr().err)
    assert line.startswith("sentiers : erreur d'usage : ") and french in line, line


def test_help_is_french(capsys):
    with pytest.raises(SystemExit):
        main(["map", "-h"])
    out = capsys.readouterr().out
    assert "affiche cette aide" in out and "show this help" not in out
    assert "positional arguments" not in out and "--tuiles" in out


# -- a bug is not hidden ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error", [KeyError("x"), ValueError("a bug"), TypeError("a bug"), AttributeError("x")]
)
def test_a_bug_keeps_its_traceback(error, monkeypatch):
    import sentiers.cli.rural as rural

    def broken(args, base_loader=None):
        raise error

    monkeypatch.setattr(rural, "run", broken)
    with pytest.raises(type(error)):
        main(["rural", "26113"])


@pytest.mark.parametrize(
    ("error", "french"),
    [
        (OSError(errno.EIO, "Input/output error", "/x"), "erreur de lecture ou d'écriture du disque"),
        (PermissionError(errno.EACCES, "Permission denied", "/x"), "accès refusé"),
        (OSError(errno.EROFS, "Read-only file system", "/x"), "lecture seule"),
        (RecursionError("maximum recursion depth exceeded"), "imbriquées trop profondément"),
        (MemoryError(), "mémoire"),
        (ValueError("Exceeds the limit (4300 digits) for integer string conversion"), "4 300 chiffres"),
    ],
)
def test_what_users_cause_is_caught_in_the_one_entry(error, french, monkeypatch, capsys):
    import sentiers.cli.rural as rural

    def failing(args, base_loader=None):
        raise error

    monkeypatch.setattr(rural, "run", failing)
    assert main(["rural", "26113"]) == 2
    assert french in one_french_line(capsys.readouterr().err)
