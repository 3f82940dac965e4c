"""The data update against a local HTTP server that misbehaves.

A first update takes real official files (from the mirror) served by a local server; a second update
of the same sources meets a truncated file, an HTML page instead of data, a file of the wrong schema,
a server that stalls, a connection reset and a 503 error page, while one source is served slowly but
completely. The previous good base must stay loadable with the previous good layers, every failure must
be reported with the source named, and the slow source must be updated.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.mirror, pytest.mark.slow, pytest.mark.timeout(900)]

# source id -> how the second update serves it
BAD = {
    "anct_acv": "truncated",
    "anct_manufactures": "html",
    "anct_fabriques": "wrong_schema",
    "anct_pvd": "stall",
    "anct_va": "reset",
    "anct_france_services": "error_503",
}
SLOW_OK = "anct_frr"
SOURCES = [*BAD, SLOW_OK]
STALL_S = 4.0  # longer than the read timeout the test gives the downloader
TEST_TIMEOUT = (2.0, 2.0)

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Maintenance</title></head>"
    b"<body><h1>Site en maintenance</h1><p>Revenez plus tard.</p></body></html>"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``/<mode>/<source id>``; the body of each source is in ``files``."""

    files: dict[str, bytes] = {}
    hits: dict[str, int] = {}

    def do_GET(self):
        _, mode, source_id = self.path.split("/", 2)
        _Handler.hits[self.path] = _Handler.hits.get(self.path, 0) + 1
        body = self.files.get(source_id, b"")
        if mode == "good":
            self._send(200, body)
        elif mode == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "html":
            self._send(200, HTML_PAGE, "text/html; charset=utf-8")
        elif mode == "wrong_schema":
            self._send(200, self.files["wrong_schema"])
        elif mode == "stall":
            time.sleep(STALL_S)
            self._send(200, body)
        elif mode == "reset":
            # RST instead of an answer: SO_LINGER with a zero timeout, then close
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif mode == "error_503":
            self._send(503, HTML_PAGE, "text/html; charset=utf-8")
        elif mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = max(1, len(body) // 4)
            for start in range(0, len(body), step):
                self.wfile.write(body[start : start + step])
                self.wfile.flush()
                time.sleep(0.4)  # slow, but each pause under the read timeout
        else:
            self._send(404, b"not found")

    def _send(self, status: int, body: bytes, ctype: str = "application/octet-stream") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(mirror_path) -> Iterator[str]:
    from sentiers.base.sources import get_source

    files = {sid: (mirror_path / get_source(sid).mirror_path).read_bytes() for sid in SOURCES}
    # a real FeatureCollection of the wrong source: points of France services would not do (CSV);
    # the Villages d'avenir polygons have none of the properties the Fabriques parser needs
    files["wrong_schema"] = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"nom_du_gagnant": f"Équipe {i}", "score": i},
                    "geometry": {"type": "Point", "coordinates": [2.0 + i / 1000, 46.0]},
                }
                for i in range(500)
            ],
        }
    ).encode()
    _Handler.files = files
    _Handler.hits = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _digest(frame) -> str:
    return hashlib.sha256(frame.drop(columns="geometry").to_csv(index=False).encode()).hexdigest()


@pytest.fixture(scope="module")
def updates(server, tmp_path_factory):
    """Run the good update (API) then the bad one (CLI, as a user runs it); return what both left."""
    import sentiers.base.update
    import sentiers.cli as cli
    from sentiers.base import open_base
    from sentiers.base.fetch import download

    home = tmp_path_factory.mktemp("home-update-server")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SENTIERS_HOME", str(home))
        mp.delenv("SENTIERS_MIRROR", raising=False)
        mp.setattr(sentiers.base.update, "download", functools.partial(download, timeout=TEST_TIMEOUT))

        good = sentiers.base.update.update_sources(
            only=SOURCES, urls={sid: f"{server}/good/{sid}" for sid in SOURCES}
        )
        before = open_base(build_if_missing=False)
        raw_before = {p.name: p.read_bytes() for p in (home / "raw").iterdir() if p.is_file()}

        # the CLI has no URL override: point the registry entries at the misbehaving routes
        real_get_source = sentiers.base.update.get_source
        routes = {
            **{sid: f"{server}/{mode}/{sid}" for sid, mode in BAD.items()},
            SLOW_OK: f"{server}/slow/{SLOW_OK}",
        }

        def get_source(source_id: str):
            source = real_get_source(source_id)
            return dataclasses.replace(source, url=routes.get(source_id, source.url))

        mp.setattr(sentiers.base.update, "get_source", get_source)
        import io
        import sys

        err = io.StringIO()
        mp.setattr(sys, "stderr", err)
        started = time.monotonic()
        code = cli.main(["data", "update", "--only", *SOURCES])
        elapsed = time.monotonic() - started
        mp.undo()  # stderr, env and patches back before reading the result
        mp.setenv("SENTIERS_HOME", str(home))
        after = open_base(build_if_missing=False)
        raw_after = {p.name: p.read_bytes() for p in (home / "raw").iterdir() if p.is_file()}
    return {
        "good": good,
        "before": before,
        "after": after,
        "raw_before": raw_before,
        "raw_after": raw_after,
        "code": code,
        "stderr": err.getvalue(),
        "elapsed": elapsed,
        "home": Path(home),
    }


def test_the_good_update_took_every_source(updates):
    good = updates["good"]
    assert good.failures == []
    assert sorted(good.updated) == sorted(SOURCES)
    for sid in SOURCES:
        assert updates["before"].layer(sid) is not None, sid


def test_the_bad_update_reports_each_failure_naming_its_source(updates):
    assert updates["code"] == 2, updates["stderr"]  # a source failed: exit 2, each named
    lines = [line for line in updates["stderr"].splitlines() if " en échec : " in line]
    failed = {line.split("source ", 1)[1].split(" en échec", 1)[0]: line for line in lines}
    assert set(failed) == set(BAD), updates["stderr"]
    for sid, line in failed.items():
        assert line.startswith(f"sentiers : source {sid} en échec : "), line
        assert line.endswith("la version précédente est conservée"), line
        assert "Traceback" not in line


@pytest.mark.parametrize(
    ("sid", "words"),
    [
        ("anct_acv", ("tronqu",)),
        ("anct_manufactures", ("HTML",)),
        ("anct_fabriques", ("colonne", "propriét", "lieu", "lignes", "code")),
        ("anct_pvd", ("délai", "impossible")),
        ("anct_va", ("impossible",)),
        ("anct_france_services", ("503",)),
    ],
)
def test_the_reason_says_what_went_wrong(updates, sid, words):
    line = next(line for line in updates["stderr"].splitlines() if f"source {sid} en échec" in line)
    assert any(word.lower() in line.lower() for word in words), line


def test_the_previous_good_layers_stay(updates):
    before, after = updates["before"], updates["after"]
    for sid in BAD:
        assert after.layer(sid) is not None, f"{sid} lost after a failed update"
        assert after.layer(sid)["sha256"] == before.layer(sid)["sha256"], sid
    assert len(after.communes) == len(before.communes)
    assert _digest(after.communes) == _digest(before.communes)
    assert (
        after.points.sort_values(list(after.points.columns))
        .reset_index(drop=True)
        .equals(before.points.sort_values(list(before.points.columns)).reset_index(drop=True))
    )


def test_no_raw_file_was_replaced_by_a_bad_one(updates):
    from sentiers.base.sources import get_source

    for sid in BAD:
        name = get_source(sid).filename
        assert updates["raw_after"][name] == updates["raw_before"][name], sid
    # no temporary download left behind
    assert not [name for name in updates["raw_after"] if name.startswith(".")], list(updates["raw_after"])


def test_the_slow_source_was_updated(updates):
    assert f"source {SLOW_OK} en échec" not in updates["stderr"]
    assert _Handler.hits.get(f"/slow/{SLOW_OK}", 0) >= 1
    layer = updates["after"].layer(SLOW_OK)
    assert layer is not None
    assert layer["origin"] == "official"
    assert layer["retrieved_at"] >= updates["before"].layer(SLOW_OK)["retrieved_at"]


def test_a_stalled_server_is_given_up_in_bounded_time(updates):
    # stall: 1 try + 3 retries of a 2 s read timeout, plus backoff; the rest is two rebuilds at most
    assert updates["elapsed"] < 240, updates["elapsed"]
