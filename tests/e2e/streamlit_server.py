"""Start ``streamlit run app.py`` (or the workshop server, ``sentiers serve``) on a free localhost port and stop it (shared by e2e and load tests).

Not a test module: the e2e and load conftests load it by path (pytest runs with --import-mode=importlib).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
STARTUP_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


@contextlib.contextmanager
def run_app(
    home: Path,
    log_path: Path,
    extra_args: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
    workers: int = 0,
) -> Iterator[AppServer]:
    """Run the app against the base in ``home`` (SENTIERS_HOME), with ``extra_env`` added to the environment;
    wait until it is healthy. ``workers`` 0: ``streamlit run app.py``; N: the workshop server, ``sentiers
    serve --processus N`` (N Streamlit processes behind its proxy), healthy when every worker is."""
    port = free_port()
    env = dict(os.environ, SENTIERS_HOME=str(home), PYTHONUNBUFFERED="1", **(extra_env or {}))
    streamlit_args = ["--server.fileWatcherType", "none", *(extra_args or [])]
    if workers:
        cmd = [sys.executable, "-m", "sentiers", "serve", "--port", str(port), "--processus", str(workers)]
        cmd += ["--", *streamlit_args]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
        cmd += ["--browser.gatherUsageStats", "false", *streamlit_args]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        server = AppServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
        try:
            _wait_healthy(server, "/_sentiers/health" if workers else "/_stcore/health")
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)  # the workshop server stops its workers first (15 s at most)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait_healthy(server: AppServer, path: str = "/_stcore/health") -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            if requests.get(f"{server.url}{path}", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit not healthy after {STARTUP_TIMEOUT_S:.0f} s:\n{server.log()[-3000:]}")


def wait_idle(page, timeout_ms: int = 60_000, settle_ms: int = 600) -> None:
    """Wait until the app's script has stopped running and stayed stopped for ``settle_ms`` (a playwright page)."""
    app = page.locator('[data-testid="stApp"]')
    app.wait_for(state="attached", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since: float | None = None
    while time.monotonic() < deadline:
        state = app.get_attribute("data-test-script-state")
        connection = app.get_attribute("data-test-connection-state")
        if state == "notRunning" and connection in (None, "CONNECTED"):
            idle_since = idle_since or time.monotonic()
            if (time.monotonic() - idle_since) * 1000 >= settle_ms:
                return
        else:
            idle_since = None
        page.wait_for_timeout(100)
    raise AssertionError(f"the app was still running after {timeout_ms} ms ({page.url})")
