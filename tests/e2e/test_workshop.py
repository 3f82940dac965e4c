"""The workshop server (``sentiers serve --processus 2``) with the real app on the mirror base: visitors spread
over its two Streamlit processes and kept on theirs (agent API), a browser checking a commune and a file
through its proxy (websocket, upload and download), and a worker that dies restarted for the next visitors."""

from __future__ import annotations

import csv
import io
import os
import signal
import time

import psutil
import pytest
import requests

from sentiers.server.proxy import COOKIE, HEALTH_PATH

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

import importlib.util  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "sentiers_e2e_server", Path(__file__).with_name("streamlit_server.py")
)
server_mod = sys.modules.setdefault("sentiers_e2e_server", importlib.util.module_from_spec(_spec))
if not hasattr(server_mod, "run_app"):
    _spec.loader.exec_module(server_mod)

WORDS = {True: "RURALE", False: "URBAINE"}


@pytest.fixture(scope="module")
def workshop(mirror_home, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("workshop") / "serve.log"
    with server_mod.run_app(mirror_home, log_path, ["--server.enableAgentApi", "true"], workers=2) as srv:
        yield srv
    assert "Traceback (most recent call last)" not in srv.log(), srv.log()[-5000:]


def _verdict(http: requests.Session, url: str, code: str, session_id: str | None) -> tuple[str, str]:
    if session_id is None:  # a new session opens the page first (no widget state on a creating call)
        opened = http.post(f"{url}/_stcore/agent/interact", json={"page": "rural"}, timeout=120)
        assert opened.status_code == 200, opened.text[:300]
        session_id = opened.json()["session_id"]
    body = {"session_id": session_id, "widget_state": {"rural_query": f"Insee {code}"}}
    answer = http.post(f"{url}/_stcore/agent/interact", json=body, timeout=120)
    assert answer.status_code == 200, answer.text[:300]
    payload = answer.json()
    cards = [
        n["props"]["body"]
        for n in _walk(payload["tree"])
        if n.get("type") == "markdown" and f"code {code}<" in n.get("props", {}).get("body", "")
    ]
    assert cards, f"no verdict card for {code}"
    return payload["session_id"], cards[0]


def _walk(node):
    yield node
    for child in node.get("children") or []:
        yield from _walk(child)


def test_visitors_are_spread_over_the_workers_and_each_keeps_its_own(workshop, mirror_base):
    rural = mirror_base.communes.set_index("code")["rural"]
    codes = ["26113", "75056", "05061", "48095", "07186", "2A004"]
    visitors = [requests.Session() for _ in range(4)]
    sessions: list[str | None] = [None] * 4
    for round_ in range(3):
        for i, http in enumerate(visitors):
            code = codes[(i + round_) % len(codes)]
            # a session's id is known only to the worker that made it: a request routed elsewhere would fail
            sessions[i], card = _verdict(http, workshop.url, code, sessions[i])
            assert WORDS[bool(rural[code])] in card
    assert sorted(v.cookies.get(COOKIE) for v in visitors) == ["0", "0", "1", "1"]
    health = requests.get(f"{workshop.url}{HEALTH_PATH}", timeout=10)
    assert health.status_code == 200 and health.text == "ok ok"


def test_a_browser_checks_a_commune_and_a_file_through_the_proxy(
    workshop, app_factory, tmp_path, mirror_base
):
    die = mirror_base.communes.set_index("code").loc["26113"]
    app = app_factory(workshop.url)
    app.goto("rural")
    field = app.page.locator(".st-key-rural_query input")
    field.fill("Die")
    field.press("Enter")
    app.wait_idle()
    body = app.text()
    assert "26113" in body and WORDS[bool(die["rural"])] in body, body[:1500]

    source = tmp_path / "communes.csv"
    source.write_text("commune;note\nDie;a\n26198;b\nCrest;c\n", encoding="utf-8")
    app.page.get_by_role("tab", name="Un fichier (CSV ou XLSX)").click()
    app.page.locator(".st-key-rural_upload input[type=file]").set_input_files(str(source))  # upload route
    app.wait_idle()
    assert "3 lignes" in app.text()
    app.page.locator(".st-key-rural_batch_run button").click()
    app.wait_idle()
    with app.page.expect_download() as info:  # the download (media route) from the same worker
        app.page.locator(".st-key-rural_dl_csv button").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_bytes().decode("utf-8-sig")), delimiter=";"))
    status = [r[rows[0].index("statut_verification")] for r in rows[1:]]
    assert status == ["ok", "ok", "ok"], rows
    app.check_clean()


def _listening(supervisor: int) -> dict[int, set[int]]:
    """The supervisor's children and the ports each listens on (the workers' and the proxy's)."""
    return {
        c.pid: {cn.laddr.port for cn in c.net_connections("tcp") if cn.status == "LISTEN"}
        for c in psutil.Process(supervisor).children()
    }


def test_a_worker_that_dies_is_restarted_for_the_next_visitors(mirror_home, tmp_path):
    log_path = tmp_path / "serve.log"
    with server_mod.run_app(mirror_home, log_path, ["--server.enableAgentApi", "true"], workers=2) as srv:
        public = int(srv.url.rsplit(":", 1)[1])
        listening = _listening(srv.process.pid)
        workers = [pid for pid, ports in listening.items() if ports and public not in ports]
        assert len(workers) == 2 and len(listening) == 3, listening  # two workers and the proxy
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 90
        healthy = False
        while time.monotonic() < deadline and not healthy:
            time.sleep(0.5)
            try:
                answer = requests.get(f"{srv.url}{HEALTH_PATH}", timeout=5)
            except requests.RequestException:
                continue
            healthy = answer.status_code == 200 and victim not in _listening(srv.process.pid)
        assert healthy, srv.log()[-3000:]
        assert srv.process.poll() is None
        for _ in range(4):  # new visitors, on both workers, get their verdicts
            _verdict(requests.Session(), srv.url, "26113", None)
