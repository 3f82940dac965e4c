"""Where Sentiers keeps its files: SENTIERS_HOME (default: the user cache folder)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir


def sentiers_home() -> Path:
    """Folder of the built base, raw downloads and manifest; created on demand."""
    home = os.environ.get("SENTIERS_HOME")
    path = Path(home).expanduser() if home else Path(user_cache_dir("sentiers"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_dir() -> Path:
    return sentiers_home() / "base"


def raw_dir() -> Path:
    path = sentiers_home() / "raw"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_dir() -> Path | None:
    """The mirror folder named by SENTIERS_MIRROR, when it exists."""
    value = os.environ.get("SENTIERS_MIRROR")
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None
