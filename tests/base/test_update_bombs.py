"""Bombs and endless bodies in an update: stopped by the byte, unpacked-size and sheet caps before they fill the disk.

Each update runs in a subprocess under a 1.5 GB address-space limit (RLIMIT_AS), downloading from a local HTTP
server of this test: a regression fails the test (MemoryError, a killed child, a file taken), not the machine.
The hostile files are made here, small on disk: a gzip of 2 GB of zeros (32 gzip members of 64 MB), zips whose
member unpacks to 2 GB (announced, or hidden behind a header announcing 1 MB), a 1.5 KB workbook naming the cells
A1, XFD1 and A1048576, a body announced as 1.5 GB and one streamed without end.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import os
import struct
import subprocess
import sys
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.homes import copy_home

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1536 << 20
ZEROS = 64 << 20
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from sentiers.base.update import update_sources
report = update_sources(only=[sys.argv[1]], urls={{sys.argv[1]: sys.argv[2]}})
print(json.dumps({{"failures": report.failures, "updated": report.updated}}))
"""


def gzip_bomb(members: int = 32) -> bytes:
    """``members`` x 64 MB of zeros as one multi-member gzip (about 64 KB each)."""
    one = gzip.compress(bytes(ZEROS), compresslevel=9)
    return one * members


def _raw_deflate_zeros(total: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``total`` zero bytes (a 64 MB block repeated) and its CRC-32."""
    block = bytes(ZEROS)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    count = total // ZEROS
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return chunk * count + comp.flush(zlib.Z_FINISH), crc


def zip_bomb(name: str, total: int = 2 << 30, declared: int | None = None) -> bytes:
    """A zip holding ``name`` inflating to ``total`` zeros; its headers announce ``declared`` (default: the truth)."""
    data, crc = _raw_deflate_zeros(total)
    size = total if declared is None else declared
    encoded = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(data),
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    offset = len(local) + len(encoded) + len(data)
    directory = central + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), offset, 0)
    return local + encoded + data + directory + end


def sheet_bomb() -> bytes:
    """A 1.5 KB workbook whose one sheet names A1, XFD1 and A1048576 (calamine would allocate 17 G cells)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
            '<sheet name="COM" sheetId="1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>CODGEO</t></is></c><c r="XFD1"><v>1</v></c></row>'
            '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>',
        )
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    bodies: dict[str, bytes] = {}

    def do_HEAD(self):
        self.send_response(200)
        self.end_headers()

    def do_GET(self):
        if self.path == "/announced":  # announces 1.5 GB, sends zeros until the client hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(1536 << 20))
            self.end_headers()
            self._zeros()
        elif self.path == "/endless":  # no length at all, zeros without end
            self.send_response(200)
            self.end_headers()
            self._zeros()
        else:
            body = self.bodies[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _zeros(self) -> None:
        block = bytes(1 << 20)
        try:
            for _ in range(4096):  # 4 GB at most, should the client never stop
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _Handler.bodies = {
        "/gzip": gzip_bomb(),
        "/zip": zip_bomb("base_cc_comparateur.CSV"),
        "/zip-lying": zip_bomb("base_cc_comparateur.CSV", declared=1 << 20),
        "/sheet": sheet_bomb(),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_update(home: Path, source_id: str, url: str) -> dict:
    env = dict(os.environ, SENTIERS_HOME=str(home))
    env.pop("SENTIERS_MIRROR", None)
    result = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=LIMIT), source_id, url],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("source_id", "route", "words"),
    [
        ("etalab_communes", "/gzip", "gzip refusé"),
        ("insee_comparateur", "/zip", "archive refusée"),
        ("insee_comparateur", "/zip-lying", "archive illisible"),
        ("insee_grille_densite_2024", "/sheet", "classeur refusé"),
        ("anct_frr", "/announced", "annoncé trop gros"),
        ("anct_frr", "/endless", "téléchargement arrêté"),
    ],
)
def test_a_bomb_is_refused_within_the_memory_limit(server, embedded_home, tmp_path, source_id, route, words):
    home = copy_home(embedded_home, tmp_path / "home")  # a base in use: the failed update rebuilds nothing
    report = run_update(home, source_id, server + route)
    assert report["updated"] == []
    assert [sid for sid, _ in report["failures"]] == [source_id]
    assert words in report["failures"][0][1], report["failures"]
    raw = home / "raw"
    leftovers = [p.name for p in raw.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp")]
    assert leftovers == []  # the partial download was removed, nothing fills the disk
    assert source_id not in json.loads((raw / "index.json").read_text(encoding="utf-8"))


def test_an_oversized_file_in_a_mirror_is_refused_before_it_is_copied(tmp_path):
    """A 1.5 GB CSV in a mirror folder (sparse: no disk used) is refused from its size, nothing copied."""
    from sentiers.base.fetch import copy_from_mirror
    from sentiers.base.sources import get_source
    from sentiers.errors import SourceError

    source = get_source("anct_frr")
    mirror = tmp_path / "mirror"
    path = mirror / str(source.mirror_path)
    path.parent.mkdir(parents=True)
    with path.open("wb") as f:
        f.truncate(1536 << 20)
    dest = tmp_path / "raw"
    dest.mkdir()
    with pytest.raises(SourceError, match="trop gros"):
        copy_from_mirror(source, mirror, dest)
    assert list(dest.iterdir()) == []
