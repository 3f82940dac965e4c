"""A fuzz budget over the command line: any text in any argument of any command ends as exit 0, or exit 2 with
one French line on stderr (escaped, bounded) — never another exception, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentiers.cli import main
from tests.robustness.test_cli_failures import one_french_line

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TEMPLATES = [
    ["rural", "{x}"],
    ["rural", "{x}", "--json"],
    ["rural", "Die", "{x}"],
    ["map", "--departement", "{x}", "-o", "{out}.html"],
    ["map", "--region", "{x}", "-o", "{out}.html"],
    ["map", "--layer", "{x}", "-o", "{out}.html"],
    ["map", "-o", "{x}"],
    ["score", "--preset", "{x}"],
    ["score", "--preset", "service-de-proximite", "--top", "{x}"],
    ["score", "--preset", "service-de-proximite", "--level", "{x}"],
    ["score", "--preset", "service-de-proximite", "-o", "{x}"],
    ["score", "{x}"],
    ["brief", "{x}", "-o", "{out}.html"],
    ["brief", "26113", "--preset", "{x}", "-o", "{out}.html"],
    ["brief", "26113", "--profile", "{x}", "-o", "{out}.html"],
    ["compare", "{x}", "26113", "-o", "{out}.html"],
    ["dossier", "{x}", "-o", "{out}.html"],
    ["acteurs", "{x}", "--hors-ligne"],
    ["acteurs", "Die", "--rayon", "{x}", "--hors-ligne"],
    ["acteurs", "Die", "--activite", "{x}", "--hors-ligne"],
    ["rencontres", "{x}", "{x}", "--creneaux", "2", "--max-rencontres", "1"],
    ["rencontres", "a.csv", "b.csv", "--creneaux", "{x}", "--max-rencontres", "1"],
    ["data", "{x}"],
    ["{x}"],
]
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "-",
        "--",
        "-h-",
        "\x1b[2J",
        "\udcff26113",
        "26113\udce9",
        "\u202e26113",
        "9" * 5000,
        "x" * 100_000,
        "=SUM(1)",
        "../../etc/passwd",
        "/dev/zero",
        "/dev/full",
        "nan",
        "inf",
        "-1",
        "0",
        "1e308",
        "2A",
        "975",
        "{x}",
        "%s%n",
    ]
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@pytest.fixture
def emb_home(embedded_home, use_home):
    return use_home(embedded_home)


@SETTINGS
@given(template=st.sampled_from(TEMPLATES), text=HOSTILE | TEXT)
def test_any_argument_is_done_or_one_french_line(emb_home, tmp_path, capsys, template, text):
    argv = [part.replace("{x}", text).replace("{out}", str(tmp_path / "sortie")) for part in template]
    if any(part.startswith("-h") or part in ("--help",) for part in argv):
        return  # help, not an error
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's errors (and -h)
        code = exc.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2), (argv[:3], code)
    if code == 2:
        one_french_line(captured.err)
    assert "Traceback" not in captured.err
