"""``sentiers data ...`` end to end, as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def sentiers(*args: str, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, SENTIERS_HOME=str(home))
    env.pop("SENTIERS_MIRROR", None)
    return subprocess.run(
        [sys.executable, "-m", "sentiers", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_status_json_on_the_embedded_base(embedded_home):
    result = sentiers("data", "status", "--json", home=embedded_home)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["communes"] == 34_875
    assert payload["population_total"] > 66_000_000
    assert payload["embedded_only"] is True
    layer = payload["layers"][0]
    assert {"id", "title", "vintage", "rows", "origin"} <= set(layer)
    assert layer["origin"] == "embedded"


def test_status_text_says_how_to_get_official_layers(embedded_home):
    result = sentiers("data", "status", home=embedded_home)
    assert result.returncode == 0
    assert "sentiers data update" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("data", "update", "--only", "no_such_source"),
        ("data", "update", "--mirror", "/nonexistent/mirror/folder"),
        ("data", "frobnicate"),
    ],
)
def test_user_errors_are_one_line_exit_2(args, tmp_path):
    result = sentiers(*args, home=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_sources_lists_the_registry(tmp_path):
    result = sentiers("data", "sources", "--json", home=tmp_path)
    assert result.returncode == 0
    ids = {row["id"] for row in json.loads(result.stdout)}
    assert {"insee_grille_densite_2024", "anct_frr", "insee_filosofi_2021"} <= ids


def test_update_shows_a_progress_bar_on_a_terminal(embedded_home, tmp_path):
    """On a terminal, ``data update`` draws its bar on stderr (tqdm hides it when stderr is a pipe)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    from tests.homes import copy_home

    home = copy_home(embedded_home, tmp_path / "home")
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a terminal 120 wide
    env = dict(os.environ, SENTIERS_HOME=str(home))
    env.pop("SENTIERS_MIRROR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "sentiers", "data", "update", "--offline", "--only", "anct_frr"],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert process.wait(timeout=60) == 0
    text = seen.decode("utf-8", errors="replace")
    assert "Mise à jour" in text and "%" in text, text
