"""Fuzz budget of the `sentiers` command, for what it reads and writes (test_cli_fuzz.py covers the arguments):
any file given as a profile, a batch or a registration list, any output path and any number in a profile gives a
result or one French line on stderr with exit code 2 — never a traceback, never another exit code, never a
partial output file, never « nan » in a result.

The command runs in-process (``sentiers.cli.main``) on the embedded base, so a few hundred examples fit in a
minute. What the examples draw is what people type or paste, plus what an attacker would: control characters,
invalid bytes (argv arrives surrogate-escaped), very long parameters, paths that cannot be written, files of
random bytes given as profiles, batches and registration files.
"""

from __future__ import annotations

import contextlib
import io
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentiers.cli import main

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

# what a person types, what a terminal hands over (surrogate-escaped bytes), and what an attacker pastes
TYPED = st.text(alphabet=string.ascii_letters + string.digits + " -'éèàçÉ()°", max_size=40)
HOSTILE = st.one_of(
    st.text(max_size=60),
    st.binary(max_size=30).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.sampled_from(
        ["", " ", "-", "--", "\x00", "\x1b[31mDie", "Die\n26113", "9" * 5000, "A" * 100_000, "../../etc"]
    ),
)
WORD = st.one_of(TYPED, HOSTILE)
CODES = st.sampled_from(["26113", "Die", "2A004", "13001", "75056", "242600534", "99999", "0", "26"])


@pytest.fixture(scope="module")
def home(embedded_home):
    old = os.environ.get("SENTIERS_HOME")
    os.environ["SENTIERS_HOME"] = str(embedded_home)
    yield embedded_home
    if old is None:
        os.environ.pop("SENTIERS_HOME", None)
    else:
        os.environ["SENTIERS_HOME"] = old


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own exits (--help, usage errors)
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


def check(argv: list[str], out_dir: Path | None = None) -> None:
    code, err = run(argv)
    assert "Traceback" not in err, (argv[:4], err[-2000:])
    assert code in (0, 2), (argv[:4], code, err[-500:])
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage:")]
        message = lines[-1] if lines else ""
        assert message, (argv[:4], err)
        assert len(message) < 600, message[:200]
        assert not any(ch in message for ch in "\x00\x1b\r"), repr(message[:200])
        message.encode("utf-8")  # no lone surrogate from an invalid byte reaches the terminal
    if out_dir is not None:
        leftovers = [p.name for p in out_dir.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
        assert not leftovers, leftovers


@SETTINGS
@given(
    preset=st.one_of(WORD, st.sampled_from(["service-de-proximite", "emploi-economie-locale"])),
    level=st.sampled_from(["commune", "epci", "departement", ""]),
    top=st.one_of(WORD, st.sampled_from(["3", "-1", "0"])),
)
def test_score_any_preset_level_top(home, preset, level, top):
    argv = ["score", "--preset", preset, "--top", top]
    if level:
        argv += ["--level", level]
    check(argv)


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json", ".csv", ".xlsx", ""]))
def test_files_of_random_bytes_as_profiles_batches_and_registrations(home, tmp_path_factory, data, suffix):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"entree{suffix}"
    path.write_bytes(data)
    check(["score", str(path), "--top", "3"])
    check(["rural", "--batch", str(path)])
    check(["rencontres", str(path), str(path), "--creneaux", "2", "--max-rencontres", "2"])


@settings(SETTINGS, max_examples=25)
@given(code=st.one_of(CODES, WORD), name=st.one_of(TYPED, HOSTILE, st.just("fiche.html")))
def test_brief_any_code_and_output_name(home, tmp_path_factory, code, name):
    folder = tmp_path_factory.mktemp("out")
    target = folder / name.replace("/", "_").replace("\x00", "_")[:200] if name else folder
    check(["brief", code, "-o", str(target) if name else str(folder)], out_dir=folder)


OUTPUTS = st.sampled_from(
    ["missing-folder/x.html", "readonly/x.html", "a-directory", "/dev/full", "x.html", "x.unknown"]
)


@settings(SETTINGS, max_examples=30)
@given(command=st.sampled_from(["brief", "compare", "map", "score", "rural"]), output=OUTPUTS)
def test_outputs_that_cannot_be_written_are_one_french_line(home, tmp_path_factory, command, output):
    folder = tmp_path_factory.mktemp("out")
    (folder / "readonly").mkdir()
    (folder / "readonly").chmod(0o500)
    (folder / "a-directory").mkdir()
    target = output if output.startswith("/") else str(folder / output)
    argv = {
        "brief": ["brief", "26113", "-o", target],
        "compare": ["compare", "26113", "26198", "-o", target],
        "map": ["map", "--departement", "26", "-o", target],
        "score": ["score", "--preset", "service-de-proximite", "--top", "3", "-o", target],
        "rural": ["rural", "--batch", str(folder / "in.csv"), "-o", target],
    }[command]
    (folder / "in.csv").write_text("commune\nDie\n", encoding="utf-8")
    try:
        code, err = run(argv)
    finally:
        (folder / "readonly").chmod(0o700)
    assert "Traceback" not in err, (argv, err[-1500:])
    assert code in (0, 2), (argv, code, err[-400:])
    if os.geteuid() != 0 and output in (
        "missing-folder/x.html",
        "readonly/x.html",
        "a-directory",
        "/dev/full",
    ):
        assert code == 2, (argv, err)
    if output in ("missing-folder/x.html", "a-directory", "/dev/full"):
        assert code == 2, (argv, err)


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([".nan", ".inf", "-.inf", "1e308", "-1e308", "9" * 5000, "0", "-3", "1e-320"]),
    st.integers(),
)


def _yaml_scalar(value) -> str:
    return str(value) if isinstance(value, str) else repr(value).replace("nan", ".nan").replace("inf", ".inf")


@settings(SETTINGS, max_examples=40)
@given(
    target=NUMBERS,
    weight=NUMBERS,
    second_weight=NUMBERS,
    population=NUMBERS,
    depth=st.integers(min_value=0, max_value=3000),
    json=st.booleans(),
)
def test_profiles_with_absurd_numbers_and_nesting_are_refused_naming_the_field(
    home, tmp_path_factory, target, weight, second_weight, population, depth, json
):
    folder = tmp_path_factory.mktemp("profile")
    text = (
        "name: essai\n"
        "defi: service-de-proximite\n"
        f"constraints:\n  min_population: {_yaml_scalar(population)}\n"
        "criteria:\n"
        f"  - indicator: population\n    weight: {_yaml_scalar(weight)}\n    target: {_yaml_scalar(target)}\n"
        f"  - indicator: dist_alimentation_km\n    weight: {_yaml_scalar(second_weight)}\n"
        f"description: {'[' * depth}{']' * depth}\n"
    )
    path = folder / "profil.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["score", str(path), "--top", "3", *(["--json"] if json else [])])
    assert "Traceback" not in err.getvalue()
    assert code in (0, 2), (code, err.getvalue()[-400:])
    if code == 0:
        # a profile that runs gives finite scores: never « nan », never a bare NaN in JSON
        assert "nan" not in out.getvalue().lower().replace("nancy", "").replace("nant", "")
        assert "Infinity" not in out.getvalue()
