"""Nonsense and hostile profiles are refused with the field named, before anything unfolds (issue 17).

``target: .nan`` scored everyone 50.0, ``weight: .inf`` gave "nan", two weights of 1e308 gave 0.0, ``--json``
wrote bare NaN; a 5,000-digit integer or deep nesting raised ValueError / RecursionError; a 458-byte YAML alias
bomb took 2.5 GB. The bombs run in a subprocess under a memory limit, so a regression fails the test and not the
machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sentiers.cli import main
from sentiers.cli.support import json_text
from sentiers.errors import SentiersError
from sentiers.matching.profile import load_profile, parse_profile, validate_profile
from sentiers.matching.share import profile_from_token

ROOT = Path(__file__).resolve().parents[2]
HEAD = "name: Épicerie\ndefi: service-de-proximite\n"
ENGLISH = ("Input should", "should be", "Field required", "Value error", "List should", "at most", "valid ")


def refused(text: str, fmt: str = "yaml") -> str:
    with pytest.raises(SentiersError) as info:
        parse_profile(text, fmt)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith("Profil"), message
    assert "\n" not in message and len(message) < 1_000, message
    for word in ENGLISH:
        assert word not in message, (word, message)
    return message


def criteria(*lines: str) -> str:
    return HEAD + "criteria:\n" + "".join(f"  - {line}\n" for line in lines)


@pytest.mark.parametrize(
    ("text", "field", "why"),
    [
        (criteria("{indicator: population, direction: target, target: .nan}"), "criteria[1].target", "fini"),
        (criteria("{indicator: population, weight: .inf}"), "criteria[1].weight", "fini"),
        (criteria("{indicator: population, weight: -.inf}"), "criteria[1].weight", "fini"),
        (criteria("{indicator: population, weight: 1.0e+400}"), "criteria[1].weight", "fini"),
        (
            criteria("{indicator: population, weight: 1.0e+308}", "{indicator: density, weight: 1.0e+308}"),
            "criteria[2].weight",
            "hors limites",
        ),
        (criteria("{indicator: population, weight: 500}"), "criteria[1].weight", "≤ 100"),
        (criteria("{indicator: population, weight: -3}"), "criteria[1].weight", "positif ou nul"),
        (
            criteria("{indicator: population, direction: target, target: 1.0e+30}"),
            "criteria[1].target",
            "limites",
        ),
        (HEAD + "constraints:\n  population_min: -5\n", "constraints.population_min", "positif ou nul"),
        (HEAD + "constraints:\n  population_max: 1000000000000\n", "constraints.population_max", "≤"),
        (
            HEAD + "constraints:\n  reference_commune: Die\n  max_distance_km: .inf\n",
            "constraints.max_distance_km",
            "fini",
        ),
        (
            HEAD + "constraints:\n  reference_commune: Die\n  max_distance_km: 1.0e+9\n",
            "constraints.max_distance_km",
            "≤",
        ),
        (
            HEAD + "similar:\n  references: [26113]\n  indicators: [{indicator: population, weight: .nan}]\n",
            "similar.indicators[1].weight",
            "fini",
        ),
        (HEAD + "nouveau: [1, 2, .nan]\n", "nouveau[3]", "fini"),  # a non-finite number anywhere is named
    ],
)
def test_nonsense_numbers_are_refused_with_the_field_named(text, field, why):
    message = refused(text)
    assert f"{field} : " in message and why in message, message


def test_json_nan_infinity_and_overflow_are_refused():
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        doc = '{"name": "x", "defi": "service-de-proximite", "criteria": [{"indicator": "population", "weight": %s}]}'
        message = refused(doc % literal, "json")
        assert "criteria[1].weight : nombre fini attendu" in message, message


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_5000_digit_integer_is_refused(fmt):
    digits = "9" * 5000
    text = (
        HEAD + f"constraints:\n  population_min: {digits}\n"
        if fmt == "yaml"
        else '{"name": "x", "defi": "service-de-proximite", "constraints": {"population_min": '
        + digits
        + "}}"
    )
    assert "4 300 chiffres" in refused(text, fmt)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_refused(fmt, depth):
    nested = "[" * depth + "]" * depth
    text = HEAD + f"description: {nested}\n" if fmt == "yaml" else '{"name": "x", "d": ' + nested + "}"
    assert "imbriqué" in refused(text, fmt)


def test_deep_nesting_from_a_page_or_a_link_is_refused():
    data: object = 1
    for _ in range(5000):
        data = [data]
    with pytest.raises(SentiersError, match="imbriqué"):
        validate_profile({"name": "x", "defi": "service-de-proximite", "description": data})


def test_a_recursive_alias_is_refused():
    assert "se contient elle-même" in refused(HEAD + "description: &a [*a]\n")


def test_a_large_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "profil.yaml"
    path.write_text(HEAD + "description: " + "x" * 1_200_000 + "\n", encoding="utf-8")
    with pytest.raises(SentiersError, match="plus de 1 Mo"):
        load_profile(path)
    assert "plus de 1 Mo" in refused(HEAD + "# " + "x" * 1_100_000 + "\n")


BOMB = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    name: x
    defi: service-de-proximite
    """
)
# 16 aliases (within the count), each level doubling: 1,000 * 2**8 values once expanded
WIDE = (
    "a0: &a0 ["
    + ",".join(["1"] * 1000)
    + "]\n"
    + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 9))
    + "name: x\ndefi: service-de-proximite\n"
)

BOUNDED_RUN = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
from sentiers.errors import SentiersError
from sentiers.matching.profile import parse_profile
text = sys.stdin.read()
started = time.monotonic()
try:
    parse_profile(text)
except SentiersError as exc:
    print("REFUSED", exc)
else:
    print("ACCEPTED")
"""


@pytest.mark.parametrize("bomb", [BOMB, WIDE], ids=["billion-laughs", "few-aliases-wide"])
def test_a_yaml_alias_bomb_is_refused_under_a_memory_limit(bomb):
    assert len(BOMB.encode()) < 600  # the 458-byte kind of the issue
    done = subprocess.run(
        [sys.executable, "-c", BOUNDED_RUN],
        input=bomb,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("REFUSED Profil refusé"), done.stdout
    assert "alias" in done.stdout or "références YAML" in done.stdout


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "similar:\n  references: [" + ", ".join(str(26100 + i) for i in range(11)) + "]\n",
        HEAD + "similar:\n  references: []\n",
        HEAD + "similar:\n  references: [26113]\n  indicators: [{indicator: population, weight: 101}]\n",
        HEAD + "criteria: [{indicator: population, reason: [1]}]\n",
        HEAD + "publics: {a: 1}\n",
        HEAD + "constraints: [1]\n",
        HEAD + "constraints:\n  kiif_only: peut-être\n",
        HEAD + "constraints:\n  population_min: 1.5\n",
        HEAD + "readiness: [1]\n",
        HEAD + "readiness: {x: 1}\n",
        HEAD + "name: ''\n",
        "name: " + "x" * 300 + "\ndefi: service-de-proximite\n",
        "defi: service-de-proximite\n",
        HEAD + "level: region\n",
        HEAD + "description: [1]\n",
        HEAD + "activity: [1]\n",
        HEAD + "similar: 5\n",
    ],
)
def test_every_validation_message_is_french(text):
    message = refused(text)
    assert " : " in message.split(" — ", 1)[-1], message  # a field, then why


def test_a_share_link_with_nan_names_the_field():
    import base64
    import zlib

    raw = b'{"name":"x","defi":"service-de-proximite","criteria":[{"indicator":"population","weight":NaN}]}'
    token = base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")
    with pytest.raises(SentiersError) as info:
        profile_from_token(token)
    assert str(info.value).startswith("Lien de partage illisible")
    assert "criteria[1].weight : nombre fini attendu" in str(info.value)


def test_json_output_is_strict():
    text = json_text({"a": float("nan"), "b": [float("inf"), 1.5, -float("inf")], "c": {"d": None, "e": "é"}})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c}")) == {
        "a": None,
        "b": [None, 1.5, None],
        "c": {"d": None, "e": "é"},
    }


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("{indicator: population, weight: .inf}", "criteria[1].weight"),
        ("{indicator: population, direction: target, target: .nan}", "criteria[1].target"),
    ],
)
def test_sentiers_score_refuses_a_nonsense_profile(embedded_home, use_home, tmp_path, capsys, line, field):
    use_home(embedded_home)
    path = tmp_path / "profil.yaml"
    path.write_text(
        HEAD + "constraints: {rural_only: false, kiif_only: false}\n" + f"criteria:\n  - {line}\n",
        encoding="utf-8",
    )
    assert main(["score", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no NaN written, nothing at all
    assert captured.err.count("\n") == 1 and field in captured.err


@pytest.mark.parametrize("body", ["9" * 5000, "[" * 50_000 + "]" * 50_000])
def test_sentiers_score_on_a_hostile_profile_is_one_french_line(
    embedded_home, use_home, tmp_path, capsys, body
):
    use_home(embedded_home)
    path = tmp_path / "profil.yaml"
    path.write_text(HEAD + f"description: {body}\n", encoding="utf-8")
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sentiers : Profil refusé") and err.count("\n") == 1, err[:300]


def test_score_json_on_a_valid_profile_is_strict_json(embedded_home, use_home, tmp_path, capsys):
    use_home(embedded_home)
    path = tmp_path / "profil.yaml"
    path.write_text(
        HEAD
        + "constraints: {rural_only: false, kiif_only: false, departements: ['26']}\n"
        + "criteria:\n  - {indicator: population, weight: 1}\n  - {indicator: secondary_homes_share, weight: 1}\n",
        encoding="utf-8",
    )
    assert main(["score", str(path), "--json", "--top", "50"]) == 0
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"bare {c} in --json"))
    assert doc["results"]
