"""The type checker and the linter are clean on the package: a regression fails the suite, not only a hook."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_mypy_is_clean_on_the_package():
    """Strictness in pyproject.toml ([tool.mypy]): every body checked, explicit Optional, no stale ignore."""
    pytest.importorskip("mypy")
    result = run("mypy", "--no-error-summary")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_lint_and_format_are_clean():
    if shutil.which("ruff") is None and run("ruff", "--version").returncode != 0:
        pytest.skip("ruff is not installed")
    lint = run("ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = run("ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-4000:]
