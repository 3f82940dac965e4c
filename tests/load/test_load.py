"""Bounded load test: 10 concurrent sessions against one server on localhost, for a bounded time.

Each session is driven through Streamlit's agent API (``server.enableAgentApi``; the protocol is described at
``/_stcore/agent/openapi.json``), which takes the browser's rerun and callback path: the page scripts run
exactly as for a browser. Each session alternates:

- the rural check: open « Est-ce rural ? », type a commune code, read the verdict card;
- a scoring run: open « Trouver un territoire », pick a défi preset (and reapply it whole), read the best
  candidate.

Every answer is checked against the base (the verdict) and the scoring package (the best candidate); the
server's resident memory (process tree, psutil) is sampled throughout. Budget: no error, every answer right,
under 2 GB resident. Figures (median and p95 per step) go to $SENTIERS_BENCH_LOAD_OUT (default
tests/artifacts/bench-load.md).

Knobs: SENTIERS_LOAD_SESSIONS (10), SENTIERS_LOAD_SECONDS (60).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.slow, pytest.mark.mirror, pytest.mark.timeout(900)]

_spec = importlib.util.spec_from_file_location(
    "sentiers_e2e_server", Path(__file__).resolve().parents[1] / "e2e" / "streamlit_server.py"
)
server_mod = sys.modules.setdefault("sentiers_e2e_server", importlib.util.module_from_spec(_spec))
if not hasattr(server_mod, "run_app"):
    _spec.loader.exec_module(server_mod)

SESSIONS = int(os.environ.get("SENTIERS_LOAD_SESSIONS", "10"))
SECONDS = float(os.environ.get("SENTIERS_LOAD_SECONDS", "60"))
RSS_BUDGET = 2 * 1024**3
REQUEST_TIMEOUT = 120
WORDS = {True: "RURALE", False: "URBAINE"}


def walk(node):
    yield node
    for child in node.get("children") or []:
        yield from walk(child)


@pytest.fixture(scope="module")
def server(mirror_home, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("load") / "streamlit.log"
    with server_mod.run_app(mirror_home, log_path, ["--server.enableAgentApi", "true"]) as srv:
        spec = requests.get(f"{srv.url}/_stcore/agent/openapi.json", timeout=10)
        if spec.status_code != 200 or "interact" not in spec.text:
            pytest.skip("this Streamlit has no agent API (/_stcore/agent/openapi.json)")
        yield srv
    assert "Traceback (most recent call last)" not in srv.log(), srv.log()[-5000:]


class BestCandidates:
    """The right best candidate for the scenario a page states in its share URL (``p``), from the scoring
    package on the same base; cached per scenario (thread-safe)."""

    def __init__(self, base) -> None:
        self.base = base
        self.lock = threading.Lock()
        self.cache: dict[str, tuple[str, str]] = {}

    def __call__(self, token: str) -> tuple[str, str]:
        from sentiers.matching.score import rank_profile
        from sentiers.matching.share import profile_from_token

        with self.lock:
            if token not in self.cache:
                profile = profile_from_token(token)
                top = rank_profile(self.base, profile, top_n=20).top(1).iloc[0]
                self.cache[token] = (profile.defi, f"1. {top['name']} ({top['departement']}) · {top['code']}")
            return self.cache[token]


@pytest.fixture(scope="module")
def expected(mirror_base):
    """Queries with their right answers: verdicts from the base, best candidates from the scoring package."""
    from sentiers.matching.profile import DEFIS

    communes = mirror_base.communes
    known = communes[communes["rural"].notna()]
    rng = random.Random(7)
    codes = rng.sample(sorted(known["code"]), 60) + ["26113", "75056", "2A004", "97411"]
    rural = known.set_index("code")["rural"]
    verdicts = {code: WORDS[bool(rural[code])] for code in codes if code in rural.index}
    return verdicts, {label: slug for slug, label in DEFIS.items()}, BestCandidates(mirror_base)


class Session:
    """One agent-API session: the same app session for every step, as one browser tab."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/_stcore/agent/interact"
        self.http = requests.Session()
        self.session_id: str | None = None
        self.page = ""

    def send(self, body: dict) -> dict:
        if self.session_id:
            body = {"session_id": self.session_id, **body}
        response = self.http.post(self.url, json=body, timeout=REQUEST_TIMEOUT)
        payload = response.json()
        while response.status_code == 202 and payload.get("error", {}).get("code") == "wait_timed_out":
            response = self.http.post(
                self.url, json={"session_id": payload["error"]["session_id"]}, timeout=120
            )
            payload = response.json()
        if response.status_code != 200:
            raise AssertionError(f"HTTP {response.status_code}: {str(payload)[:300]}")
        self.session_id = payload["session_id"]
        if payload.get("status") != "ready":
            raise AssertionError(f"run ended with status {payload.get('status')}")
        exceptions = [n for n in walk(payload["tree"]) if n.get("type") == "exception"]
        if exceptions:
            raise AssertionError(f"exception in the page: {str(exceptions[0])[:300]}")
        return payload

    def goto(self, page: str) -> dict:
        payload = self.send({"page": page})
        self.page = page
        return payload


def run_worker(url, verdicts, defis, best, deadline, times, errors, counts, worker: int) -> None:
    rng = random.Random(worker)
    session = Session(url)
    step = 0
    while time.monotonic() < deadline:
        step += 1
        try:
            if step % 2:
                start = time.perf_counter()
                session.goto("rural")
                times["ouvrir « Est-ce rural ? »"].append(time.perf_counter() - start)
                code = rng.choice(sorted(verdicts))
                start = time.perf_counter()
                # « Insee »: a code that is also a postal code (97411, 1 in 12) otherwise answers with both readings
                payload = session.send({"widget_state": {"rural_query": f"Insee {code}"}})
                times["verdict d'une commune"].append(time.perf_counter() - start)
                cards = [
                    n["props"]["body"]
                    for n in walk(payload["tree"])
                    if n.get("type") == "markdown" and f"code {code}<" in n.get("props", {}).get("body", "")
                ]
                if not cards or verdicts[code] not in cards[0]:
                    raise AssertionError(f"wrong or missing verdict for {code}: {cards[:1]}")
                counts["rural"] += 1
            else:
                start = time.perf_counter()
                session.goto("trouver")
                times["ouvrir « Trouver un territoire »"].append(time.perf_counter() - start)
                label = rng.choice(sorted(defis))
                start = time.perf_counter()
                # pick the défi, then « Réappliquer le profil type » so that publics and mode are the preset's too
                payload = session.send(
                    {"widget_state": {"tr_defi": label}, "trigger": {"key": "tr_apply_preset"}}
                )
                times["classement d'un profil type"].append(time.perf_counter() - start)
                shown = [n.get("value") for n in walk(payload["tree"]) if n.get("key") == "tr_candidate"]
                # the right answer for the scenario the page says it ranked (its share URL), which must be
                # the défi asked for; that the rest of the scenario survives navigation is an e2e test's job
                defi, right = best(payload["query_params"]["p"][0])
                if defi != defis[label]:
                    raise AssertionError(f"asked for {defis[label]}, the page ranked {defi}")
                if shown != [right]:
                    raise AssertionError(f"best candidate for {label}: {shown} instead of {right}")
                counts["scoring"] += 1
        except Exception as exc:
            errors.append(f"session {worker}, step {step}: {type(exc).__name__}: {exc}")
            if len(errors) > 50:
                return


def tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def test_ten_sessions_check_and_score_correctly_within_memory(server, expected):
    verdicts, defis, best = expected
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    counts: dict[str, int] = defaultdict(int)
    rss: list[int] = [tree_rss(server.process.pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss.append(tree_rss(server.process.pid))
            stop.wait(0.5)

    monitor = threading.Thread(target=sample, daemon=True)
    monitor.start()
    started = time.monotonic()
    deadline = started + SECONDS
    workers = [
        threading.Thread(
            target=run_worker,
            args=(server.url, verdicts, defis, best, deadline, times, errors, counts, i),
            daemon=True,
        )
        for i in range(SESSIONS)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=SECONDS + 4 * REQUEST_TIMEOUT)
    elapsed = time.monotonic() - started
    stop.set()
    monitor.join(timeout=5)

    lines = [
        "## Load: 10 concurrent sessions (tests/load/test_load.py)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};"
        f" load average at the end {os.getloadavg()[0]:.1f} (a shared machine: other work included)",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "- command: `SENTIERS_BENCH_LOAD_OUT=FILE uv run pytest tests/load -q`",
        f"- {SESSIONS} sessions (Streamlit agent API, one app session each) for {elapsed:.0f} s against one server;"
        f" {counts['rural']} rural checks and {counts['scoring']} scoring runs answered, {len(errors)} errors",
        f"- server resident memory (process tree): start {rss[0] / 2**20:.0f} MiB, max {max(rss) / 2**20:.0f} MiB"
        f" (budget 2048 MiB)",
        "",
        "| step | n | median | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for name, values in sorted(times.items()):
        if values:
            lines.append(
                f"| {name} | {len(values)} | {statistics.median(values):.2f} s | {p95(values):.2f} s |"
                f" {max(values):.2f} s |"
            )
    text = "\n".join(lines) + "\n"
    out = Path(
        os.environ.get("SENTIERS_BENCH_LOAD_OUT") or server_mod.ROOT / "tests" / "artifacts" / "bench-load.md"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    sys.stderr.write(text)

    assert not errors, "\n".join(errors[:20])
    assert counts["rural"] >= SESSIONS and counts["scoring"] >= SESSIONS, dict(counts)
    assert max(rss) < RSS_BUDGET, f"server RSS {max(rss) / 2**20:.0f} MiB"
