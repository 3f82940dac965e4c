"""Test helpers for SENTIERS_HOME folders (not fixtures: plain functions tests import)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sentiers.base.store import BASES, POINTER, current_dir


def copy_home(source: Path, target: Path) -> Path:
    """Copy the base in use of ``source`` into ``target`` (a new home), never touching the source."""
    folder = current_dir(source)
    assert folder is not None, f"no base in {source}"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder, target / BASES / folder.name)
    (target / POINTER).write_text(folder.name + "\n", encoding="utf-8")
    return target


def manifest_path(home: Path) -> Path:
    folder = current_dir(home)
    assert folder is not None, f"no base in {home}"
    return folder / "manifest.json"
