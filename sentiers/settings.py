"""The one reader of environment variables: where Sentiers keeps its files and which services it calls.

Every setting is read when asked for (tests and deployments change them between calls):

- ``SENTIERS_HOME``: folder of the built base, raw downloads and caches (default: the user cache folder);
- ``SENTIERS_MIRROR``: a local mirror of the official files, used instead of downloading;
- ``SENTIERS_MAP_TILES``: background tiles of the interactive maps (a folium tiles name; "none": no tiles);
- ``SENTIERS_ENTREPRISES_API``: base URL of the API « Recherche d'entreprises » (actors of a territory);
- ``SENTIERS_DATABASE_URL``: the events database (SQLAlchemy URL; default: a SQLite file in the home);
- ``SENTIERS_ADMIN_TOKEN``: a password that opens the update of the shared base on the home page (see
  :mod:`sentiers.access`; the secrets' ``[admin]`` section does the same).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

from sentiers.errors import SentiersError, os_reason
from sentiers.fr import quoted

DEFAULT_TILES = "OpenStreetMap"
DEFAULT_ENTREPRISES_API = "https://recherche-entreprises.api.gouv.fr"


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _folder(path: Path, what: str) -> Path:
    """Create ``path`` if needed; a French SentiersError when it cannot be a writable folder."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SentiersError(f"{what} {quoted(path)} existe mais n'est pas un dossier.") from None
    except OSError as exc:
        raise SentiersError(f"{what} {quoted(path)} ne peut pas être créé ({os_reason(exc)}).") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise SentiersError(f"{what} {quoted(path)} n'est pas accessible en écriture.")
    return path


def sentiers_home() -> Path:
    """Folder of the built base, raw downloads, caches (SENTIERS_HOME); created on demand."""
    value = _env("SENTIERS_HOME")
    path = Path(value).expanduser() if value else Path(user_cache_dir("sentiers"))
    return _folder(path, "Le dossier de Sentiers (SENTIERS_HOME)")


def base_dir() -> Path:
    return sentiers_home() / "base"


def raw_dir() -> Path:
    return _folder(sentiers_home() / "raw", "Le dossier des téléchargements")


def cache_dir(name: str) -> Path:
    """A named cache folder inside the home (API answers...)."""
    return _folder(sentiers_home() / "cache" / name, "Le dossier de cache")


def mirror_dir() -> Path | None:
    """The mirror folder named by SENTIERS_MIRROR, when it exists."""
    value = _env("SENTIERS_MIRROR")
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None


def mirror_configured() -> bool:
    """Whether SENTIERS_MIRROR names a folder at all (it may be missing: then :func:`mirror_dir` is None)."""
    return bool(_env("SENTIERS_MIRROR"))


def map_tiles() -> str | None:
    """Background tiles of the interactive maps: a folium tiles name, or None for no tiles."""
    tiles = _env("SENTIERS_MAP_TILES") or DEFAULT_TILES
    return None if tiles.lower() == "none" else tiles


def entreprises_api() -> str:
    """Base URL of the API « Recherche d'entreprises » (no trailing slash)."""
    return (_env("SENTIERS_ENTREPRISES_API") or DEFAULT_ENTREPRISES_API).rstrip("/")


def database_url() -> str | None:
    """SQLAlchemy URL of the events database; None means the default SQLite file in the home."""
    return _env("SENTIERS_DATABASE_URL") or None


def admin_token() -> str:
    """The administrator's password given by the environment (SENTIERS_ADMIN_TOKEN); "" when unset."""
    return _env("SENTIERS_ADMIN_TOKEN")
