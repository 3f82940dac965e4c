"""``sentiers serve`` refuses what it cannot run with one French line and exit code 2, before loading anything."""

from __future__ import annotations

import pytest

from sentiers.cli import main
from sentiers.server import workers


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["serve", "--processus", "0"], "hors des limites (1 à 32)"),
        (["serve", "--processus", "99"], "hors des limites (1 à 32)"),
        (["serve", "--port", "70000"], "hors des limites (1 à 65535)"),
        (["serve", "--processus", "deux"], "un nombre entier est attendu"),
        (["serve", "--port", "http"], "un nombre entier est attendu"),
    ],
)
def test_bad_arguments_are_one_french_line_exit_2(argv, needle, capsys, monkeypatch):
    monkeypatch.setattr(workers, "preload", lambda: pytest.fail("loaded the base before checking"))
    monkeypatch.setattr("sentiers.base.build.build_and_write", lambda *a, **k: pytest.fail("built first"))
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors end there, in French
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1, err


def test_outside_a_checkout_it_says_where_to_run_it(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(workers, "APP", tmp_path / "app.py")
    assert main(["serve"]) == 2
    assert "depuis une copie du dépôt" in capsys.readouterr().err


def test_free_ports_are_distinct_and_free():
    import socket

    ports = workers.free_ports(4)
    assert len(set(ports)) == 4
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # nobody holds it
