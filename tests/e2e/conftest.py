"""End-to-end fixtures: one Streamlit server per session on the mirror base, Debian's Chromium via playwright.

- ``app_server``: ``streamlit run app.py`` on a free 127.0.0.1 port with SENTIERS_HOME = the mirror base home,
  ready once /_stcore/health answers.
- ``browser`` (tests/conftest.py): Debian's /usr/bin/chromium, one per test session, shared with the load test.
- ``app``: a fresh browser context + page per test, wrapped in :class:`AppPage`, which records console errors,
  page errors and requests leaving localhost, and fails the test on any of them and on any Streamlit
  exception box.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

_spec = importlib.util.spec_from_file_location(
    "sentiers_e2e_server", Path(__file__).with_name("streamlit_server.py")
)
server_mod = sys.modules.setdefault("sentiers_e2e_server", importlib.util.module_from_spec(_spec))
if not hasattr(server_mod, "run_app"):
    _spec.loader.exec_module(server_mod)

ARTIFACTS = server_mod.ROOT / "tests" / "artifacts"
RUN_TIMEOUT_MS = 60_000

# Console messages that do not come from the app. Add a pattern only with the reason.
IGNORED_CONSOLE: list[re.Pattern[str]] = [
    # Streamlit's frontend, opened on a page URL (/rural), first probes that path as the server's base path
    # (/rural/_stcore/health, /rural/_stcore/host-config), gets a 404, then uses the root: not the app's doing.
    re.compile(r"status of 404 .*\[https?://[^/]+/[\w-]+/_stcore/(health|host-config)\]$"),
]


@pytest.fixture(scope="session")
def app_server(mirror_home, tmp_path_factory) -> Iterator:
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with server_mod.run_app(mirror_home, log_path) as server:
        yield server
    # a traceback in the server log means the app raised somewhere, even if the page hid it
    assert "Traceback (most recent call last)" not in server.log(), server.log()[-5000:]


@dataclass
class FirstVisit:
    """What the very first visitor of a fresh server saw (see test_pages.py)."""

    url: str
    dialogs: list[str]
    console_errors: list[str]
    heading: str


@pytest.fixture(scope="session")
def first_visit(app_server, browser) -> FirstVisit:
    """Open /rural as the first visitor of the server, before any other test touches it.

    Streamlit runs the first session's first script run as a v1 multipage app when a folder named pages/
    sits beside app.py (the reason the app's pages live in app_pages/); what that visitor sees is recorded
    here and judged by a test, and every other test then meets a server past its first run.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    wrapped = AppPage(page=page, base_url=app_server.url)
    try:
        wrapped.goto("rural")
        wrapped.screenshot("first-visit-rural")
        dialogs = page.locator('[role="dialog"]').all_inner_texts()
        heading = page.locator("h1").first.inner_text() if page.locator("h1").count() else ""
        return FirstVisit(url=page.url, dialogs=dialogs, console_errors=errors, heading=heading)
    finally:
        context.close()


@dataclass
class AppPage:
    """A browser page on the app, with everything the app causes that is a defect recorded."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def goto(self, path: str = "", **params: str) -> AppPage:
        query = f"?{urlencode(params)}" if params else ""
        self.page.goto(f"{self.base_url}/{path}{query}", wait_until="domcontentloaded")
        self.wait_idle()
        return self

    def wait_idle(self, timeout_ms: int = RUN_TIMEOUT_MS, settle_ms: int = 600) -> None:
        """Wait until the script has stopped running and stayed stopped for ``settle_ms``."""
        server_mod.wait_idle(self.page, timeout_ms, settle_ms)

    def text(self) -> str:
        return self.page.locator('[data-testid="stMain"]').inner_text()

    def uploader_words(self, settle_ms: int = 10_000) -> list[list[str]]:
        """What each file uploader shows in place of Streamlit's « Upload » and « 200MB per file » (the CSS
        ``::after`` contents of app_pages.state.french_uploader; "" or "none" where Streamlit's English shows)."""
        script = """() => Array.from(document.querySelectorAll('[data-testid="stFileUploaderDropzone"]')).map(zone => {
                const button = zone.querySelector('button [data-testid="stMarkdownContainer"] p');
                const limit = zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span');
                return [button ? getComputedStyle(button, '::after').content : '',
                        limit ? getComputedStyle(limit, '::after').content : ''];
            })"""
        # the style sheet is an element of its own, drawn a moment after the uploader: wait for it a little
        deadline = time.monotonic() + settle_ms / 1000
        while True:
            words = self.page.evaluate(script)
            if (
                words and all(button not in ("", "none") for button, _ in words)
            ) or time.monotonic() > deadline:
                return words
            self.page.wait_for_timeout(250)

    def table_cells(self) -> list[str]:
        """Texts of the visible cells of every st.dataframe (drawn on a canvas; read its accessible table)."""
        return self.page.eval_on_selector_all(
            '[data-testid="stDataFrame"] [role="gridcell"], [data-testid="stDataFrame"] [role="columnheader"]',
            "els => els.map(e => e.textContent)",
        )

    def exceptions(self) -> list[str]:
        boxes = self.page.locator('[data-testid="stException"]')
        return [boxes.nth(i).inner_text() for i in range(boxes.count())]

    def check_clean(self) -> None:
        """Fail on any Streamlit exception box, console error or request leaving localhost."""
        assert not self.exceptions(), f"Streamlit exception on {self.page.url}: {self.exceptions()}"
        dialogs = self.page.locator('[role="dialog"]').all_inner_texts()
        assert not [d for d in dialogs if "not found" in d.lower()], f"dialog on {self.page.url}: {dialogs}"
        assert not self.console_errors, f"console errors on {self.page.url}: {self.console_errors}"
        assert not self.outside_requests, f"requests leaving localhost: {self.outside_requests}"

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextlib.contextmanager
def open_app(browser, base_url: str, request) -> Iterator[AppPage]:
    """A fresh browser context on ``base_url`` with console, page errors and outside requests recorded."""
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="fr-FR"
    )
    page = context.new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    wrapped = AppPage(page=page, base_url=base_url)

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        text = f"{msg.text} [{where}]" if where else msg.text
        if not any(p.search(text) for p in IGNORED_CONSOLE):
            wrapped.console_errors.append(text)

    def on_request(req) -> None:
        host = urlparse(req.url).hostname
        if req.url.startswith(("http://", "https://", "ws://", "wss://")) and host not in (
            "127.0.0.1",
            "localhost",
        ):
            wrapped.outside_requests.append(req.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: wrapped.console_errors.append(f"page error: {exc}"))
    page.on("request", on_request)
    try:
        yield wrapped
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            with contextlib.suppress(Exception):  # best effort on a failing test
                wrapped.screenshot(f"FAILED-{request.node.name}")
        context.close()


@pytest.fixture
def app(app_server, browser, first_visit, request) -> Iterator[AppPage]:
    with open_app(browser, app_server.url, request) as wrapped:
        yield wrapped


@pytest.fixture
def app_factory(browser, request):
    """``app_factory(base_url)``: an AppPage on another server (e.g. one running on the embedded base)."""
    with contextlib.ExitStack() as stack:
        yield lambda base_url: stack.enter_context(open_app(browser, base_url, request))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
