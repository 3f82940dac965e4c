"""Bounded load test: one session, then 10 concurrent sessions, against the app on localhost, for a bounded
time, served both ways: one ``streamlit run app.py`` process, and the workshop server ``sentiers serve
--processus 2`` (two Streamlit processes sharing the loaded base behind the sticky proxy of
:mod:`sentiers.server`), which is what a seminar's machine runs.

Each session is driven through Streamlit's agent API (``server.enableAgentApi``; the protocol is described at
``/_stcore/agent/openapi.json``), which takes the browser's rerun and callback path: the page scripts run
exactly as for a browser. Each session goes round the workshop's steps:

- the rural check: open « Est-ce rural ? », type a commune code, read the verdict card; type the start of a
  commune's name and read the suggestions (they must offer that commune);
- a scoring run: open « Trouver un territoire », pick a défi preset (and reapply it whole), read the best
  candidate;
- open one of the other pages (Accueil, Carte, Fiche, Comparer, Acteurs, Étude, Rencontres) in turn.

Every answer is checked against the base (the verdict), the lookup (the suggestions) and the scoring package
(the best candidate); the server's memory (its process tree's PSS, psutil) is sampled throughout. The test
asserts no error, every answer right, and the memory budget (1.2 GB). Timings are figures, not assertions
(no timed test): the single-session median and the 10-session median and p95 of each step, the ratio of the
10-session p95 to the single-session median, against the budgets of issue 13, go to
$SENTIERS_BENCH_LOAD_OUT (default tests/artifacts/bench-load.md; « -streamlit-run » or « -sentiers-serve »
added to its name) with the machine's load average.

Knobs: SENTIERS_LOAD_SESSIONS (10), SENTIERS_LOAD_SECONDS (60), SENTIERS_LOAD_SINGLE_SECONDS (20),
SENTIERS_LOAD_THINK_SECONDS (0: each session sends its next step as soon as it has an answer, the hardest case;
a positive value pauses 0.5 to 1.5 times that long after each step of the 10 sessions, as a person reading the
answer does, for the paced figures of BENCHMARKS.md).
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

try:  # the client shares the machine's cores with the server: it parses answers with the fast parser
    from orjson import loads
except ImportError:  # pragma: no cover - orjson comes with streamlit[performance]
    from json import loads

SESSIONS = int(os.environ.get("SENTIERS_LOAD_SESSIONS", "10"))
SECONDS = float(os.environ.get("SENTIERS_LOAD_SECONDS", "60"))
SINGLE_SECONDS = float(os.environ.get("SENTIERS_LOAD_SINGLE_SECONDS", "20"))
THINK_SECONDS = float(os.environ.get("SENTIERS_LOAD_THINK_SECONDS", "0"))
RSS_BUDGET = int(1.2 * 1024**3)
REQUEST_TIMEOUT = 120
WORDS = {True: "RURALE", False: "URBAINE"}

VERDICT = "verdict d'une commune"
SUGGEST = "suggestions pendant la frappe"
RANKING = "classement d'un profil type"
# url path -> step name; the budget of issue 13 for each kind of step, with 10 sessions (p95)
PAGES = {
    "": "ouvrir « Accueil »",
    "rural": "ouvrir « Est-ce rural ? »",
    "carte": "ouvrir « Carte »",
    "trouver": "ouvrir « Trouver un territoire »",
    "fiche": "ouvrir « Fiche territoire »",
    "comparer": "ouvrir « Comparer »",
    "acteurs": "ouvrir « Acteurs du territoire »",
    "rencontres": "ouvrir « Rencontres »",
    "etude": "ouvrir « Étude de faisabilité »",
}
OTHER_PAGES = ["", "carte", "fiche", "comparer", "acteurs", "etude", "rencontres"]
BUDGETS = {VERDICT: 1.0, SUGGEST: 0.3, RANKING: 2.0, **{name: 1.5 for name in PAGES.values()}}


def walk(node):
    yield node
    for child in node.get("children") or []:
        yield from walk(child)


# the two ways to serve the app: one `streamlit run app.py` (one process, one core), and the workshop server
# `sentiers serve` with 2 Streamlit processes behind its sticky proxy (what a seminar's machine runs)
SERVERS = {"streamlit-run": 0, "sentiers-serve": 2}


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request, mirror_home, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("load") / "streamlit.log"
    workers = SERVERS[request.param]
    with server_mod.run_app(
        mirror_home, log_path, ["--server.enableAgentApi", "true"], workers=workers
    ) as srv:
        srv.name = request.param  # type: ignore[attr-defined]
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


def _typed_starts(base, rng: random.Random) -> dict[str, str]:
    """The start of a commune's name as someone types it -> that commune's code, for communes the lookup
    offers among its first six suggestions for that start (prefix search) and among its close matches."""
    from sentiers.base.lookup import fuzzy_suggestions, index_for, suggest

    index = index_for(base)
    communes = base.communes
    towns = communes[(communes["population"] > 3000) & (communes["name"].str.len() >= 8)]
    starts: dict[str, str] = {}
    for code, name in rng.sample(sorted(zip(towns["code"], towns["name"], strict=True)), 200):
        typed = name[: len(name) - 2]
        if code in [c.code for c in suggest(index, typed, 6)] and code in [
            c.code for c in fuzzy_suggestions(index, typed)
        ]:
            starts[typed] = code
        if len(starts) >= 30:
            break
    return starts


@pytest.fixture(scope="module")
def expected(mirror_base):
    """Queries with their right answers: verdicts from the base, suggestions from the lookup, best candidates
    from the scoring package."""
    from sentiers.matching.profile import DEFIS

    communes = mirror_base.communes
    known = communes[communes["rural"].notna()]
    rng = random.Random(7)
    codes = rng.sample(sorted(known["code"]), 60) + ["26113", "75056", "2A004", "97411"]
    rural = known.set_index("code")["rural"]
    verdicts = {code: WORDS[bool(rural[code])] for code in codes if code in rural.index}
    starts = _typed_starts(mirror_base, rng)
    assert len(starts) >= 10, starts
    return verdicts, starts, {label: slug for slug, label in DEFIS.items()}, BestCandidates(mirror_base)


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
        payload = loads(response.content)
        while response.status_code == 202 and payload.get("error", {}).get("code") == "wait_timed_out":
            response = self.http.post(
                self.url, json={"session_id": payload["error"]["session_id"]}, timeout=120
            )
            payload = loads(response.content)
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
        if (payload.get("page") or {}).get("url_path", "") != page:
            raise AssertionError(f"asked for page {page!r}, got {payload.get('page')}")
        if not any(n.get("type") == "title" for n in walk(payload["tree"])):
            raise AssertionError(f"page {page!r} shows no title")
        self.page = page
        return payload


class Timed:
    """Times a step into ``times`` (the step's name -> seconds), then pauses ``think`` seconds (0.5 to 1.5 times,
    drawn from ``rng``) as the person reads the answer; the pause is not timed."""

    def __init__(
        self, times: dict[str, list[float]], think: float = 0.0, rng: random.Random | None = None
    ) -> None:
        self.times = times
        self.think = think
        self.rng = rng or random.Random(0)

    @contextlib.contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        yield
        self.times[name].append(time.perf_counter() - start)
        if self.think > 0:
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))


def rural_round(session: Session, timed: Timed, rng: random.Random, verdicts, starts, counts) -> None:
    with timed(PAGES["rural"]):
        session.goto("rural")
    code = rng.choice(sorted(verdicts))
    with timed(VERDICT):
        # « Insee »: a code that is also a postal code (97411, 1 in 12) otherwise answers with both readings
        payload = session.send({"widget_state": {"rural_query": f"Insee {code}"}})
    cards = [
        n["props"]["body"]
        for n in walk(payload["tree"])
        if n.get("type") == "markdown" and f"code {code}<" in n.get("props", {}).get("body", "")
    ]
    if not cards or verdicts[code] not in cards[0]:
        raise AssertionError(f"wrong or missing verdict for {code}: {cards[:1]}")
    counts["rural"] += 1
    typed = rng.choice(sorted(starts))
    with timed(SUGGEST):
        payload = session.send({"widget_state": {"rural_query": typed}})
    offered = [
        str(n.get("key", "")).rsplit("_", 1)[-1]
        for n in walk(payload["tree"])
        if n.get("type") == "button" and str(n.get("key", "")).startswith("rural_sugg")
    ]
    if starts[typed] not in offered:
        raise AssertionError(f"typing {typed!r} does not offer {starts[typed]}: {offered}")
    counts["suggestions"] += 1


def ranking_round(session: Session, timed: Timed, rng: random.Random, defis, best, counts) -> None:
    with timed(PAGES["trouver"]):
        session.goto("trouver")
    label = rng.choice(sorted(defis))
    with timed(RANKING):
        # pick the défi, then « Réappliquer le profil type » so that publics and mode are the preset's too
        payload = session.send({"widget_state": {"tr_defi": label}, "trigger": {"key": "tr_apply_preset"}})
    shown = [n.get("value") for n in walk(payload["tree"]) if n.get("key") == "tr_candidate"]
    # the right answer for the scenario the page says it ranked (its share URL), which must be the défi
    # asked for; that the rest of the scenario survives navigation is an e2e test's job
    defi, right = best(payload["query_params"]["p"][0])
    if defi != defis[label]:
        raise AssertionError(f"asked for {defis[label]}, the page ranked {defi}")
    if shown != [right]:
        raise AssertionError(f"best candidate for {label}: {shown} instead of {right}")
    counts["scoring"] += 1


def run_worker(url, expected, deadline, times, errors, counts, worker: int, think: float = 0.0) -> None:
    verdicts, starts, defis, best = expected
    rng = random.Random(worker)
    session = Session(url)
    timed = Timed(times, think, random.Random(1000 + worker))
    step = 0
    while time.monotonic() < deadline:
        step += 1
        try:
            kind = (step + worker) % 3
            if kind == 0:
                rural_round(session, timed, rng, verdicts, starts, counts)
            elif kind == 1:
                ranking_round(session, timed, rng, defis, best, counts)
            else:
                page = OTHER_PAGES[(step // 3 + worker) % len(OTHER_PAGES)]
                with timed(PAGES[page]):
                    session.goto(page)
                counts["pages"] += 1
        except Exception as exc:
            errors.append(f"session {worker}, step {step}: {type(exc).__name__}: {exc}")
            if len(errors) > 50:
                return


def tree_rss(pid: int) -> int:
    """The memory of the server's process tree: the sum of each process's proportional set size (PSS: a page
    shared by k processes counts 1/k in each, so the workshop server's workers, which share the loaded base,
    are not counted once per worker); RSS where PSS cannot be read. For one process PSS <= RSS."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            try:
                total += p.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                total += p.memory_info().rss
    return total


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_phase(url, expected, sessions: int, seconds: float, seed: int, think: float = 0.0):
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    counts: dict[str, int] = defaultdict(int)
    started = time.monotonic()
    deadline = started + seconds
    workers = [
        threading.Thread(
            target=run_worker,
            args=(url, expected, deadline, times, errors, counts, seed + i, think),
            daemon=True,
        )
        for i in range(sessions)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=seconds + 4 * REQUEST_TIMEOUT)
    return times, errors, counts, time.monotonic() - started


SERVED_BY = {
    "streamlit-run": "one `streamlit run app.py` process",
    "sentiers-serve": "the workshop server `sentiers serve --processus 2` (2 Streamlit processes behind its proxy)",
}


def report(
    single, loaded, rss: list[int], loads: list[float], elapsed: float, counts, errors: int, served: str
) -> str:
    lines = [
        f"## Load: 1 then {SESSIONS} concurrent sessions, {SERVED_BY[served]} (tests/load/test_load.py)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};"
        f" load average (1 min) {loads[0]:.1f} at the start, {loads[1]:.1f} before the {SESSIONS} sessions,"
        f" {loads[2]:.1f} at the end (other work on the machine included)",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "- command: `SENTIERS_BENCH_LOAD_OUT=FILE uv run pytest tests/load -q`",
        f"- 1 session for {SINGLE_SECONDS:.0f} s (warm: after one round of every step), then {SESSIONS} sessions"
        f" (Streamlit agent API, one app session each) for {elapsed:.0f} s,"
        + (
            f" each pausing {THINK_SECONDS:g} s on average (0.5 to 1.5 times) after each step;"
            if THINK_SECONDS > 0
            else " each sending its next step as soon as it has an answer (no pause);"
        )
        + f" {counts['rural']} verdicts, {counts['suggestions']} suggestion lists, {counts['scoring']} rankings and"
        f" {counts['pages']} other pages answered under load, {errors} errors",
        f"- server memory (process tree, sum of PSS): start {rss[0] / 2**20:.0f} MiB, max {max(rss) / 2**20:.0f} MiB"
        f" (budget {RSS_BUDGET / 2**20:.0f} MiB)",
        "",
        f"| step | 1 session: n, median | {SESSIONS} sessions: n, median | p95 | max | budget (p95) |"
        f" p95 {SESSIONS} / median 1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in sorted(set(single) | set(loaded)):
        one, many = single.get(name, []), loaded.get(name, [])
        if not many:
            continue
        base = statistics.median(one) if one else None
        budget = BUDGETS.get(name)
        verdict = "" if budget is None else f"{budget:.1f} s {'met' if p95(many) < budget else 'NOT met'}"
        single_text = f"{len(one)}, {base:.3f} s" if base else "0, —"
        ratio = f"{p95(many) / base:.1f}" if base else "—"
        lines.append(
            f"| {name} | {single_text} | {len(many)}, {statistics.median(many):.2f} s |"
            f" {p95(many):.2f} s | {max(many):.2f} s | {verdict} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def test_sessions_check_suggest_score_and_open_pages_correctly_within_memory(server, expected):
    rss: list[int] = [tree_rss(server.process.pid)]
    loads = [os.getloadavg()[0]]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss.append(tree_rss(server.process.pid))
            stop.wait(0.5)

    monitor = threading.Thread(target=sample, daemon=True)
    monitor.start()
    # warm: one round of every step (first runs of each page, caches per base), not counted
    verdicts, starts, defis, best = expected
    warm, rng, scratch = Session(server.url), random.Random(100), Timed(defaultdict(list))
    rural_round(warm, scratch, rng, verdicts, starts, defaultdict(int))
    ranking_round(warm, scratch, rng, defis, best, defaultdict(int))
    for page in PAGES:
        warm.goto(page)
    single, single_errors, _, _ = run_phase(server.url, expected, 1, SINGLE_SECONDS, seed=200)
    loads.append(os.getloadavg()[0])
    loaded, loaded_errors, counts, elapsed = run_phase(
        server.url, expected, SESSIONS, SECONDS, seed=0, think=THINK_SECONDS
    )
    loads.append(os.getloadavg()[0])
    stop.set()
    monitor.join(timeout=5)

    errors = single_errors + loaded_errors
    text = report(single, loaded, rss, loads, elapsed, counts, len(errors), server.name)
    out = Path(
        os.environ.get("SENTIERS_BENCH_LOAD_OUT") or server_mod.ROOT / "tests" / "artifacts" / "bench-load.md"
    )
    out = out.with_name(f"{out.stem}-{server.name}{out.suffix}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    sys.stderr.write(text)

    assert not errors, "\n".join(errors[:20])
    assert counts["rural"] >= SESSIONS and counts["scoring"] >= SESSIONS, dict(counts)
    assert counts["suggestions"] >= SESSIONS and counts["pages"] >= SESSIONS, dict(counts)
    assert max(rss) < RSS_BUDGET, f"server RSS {max(rss) / 2**20:.0f} MiB"


# the hostile files of issue 17 (tests/hostile.py), uploaded through a real browser while the sessions run:
# (page, file name, bytes)
def _hostile_uploads() -> list[tuple[str, str, bytes]]:
    sys.path.insert(0, str(server_mod.ROOT))
    from tests import hostile

    return [
        ("rural", "bombe-dimension.xlsx", hostile.xlsx_dimension_bomb()),
        ("rural", "bombe-dimension-prefixe.xlsx", hostile.xlsx_dimension_bomb_prefixed()),
        ("rural", "bombe-zip.xlsx", hostile.xlsx_zip_bomb()),
        ("rural", "bombe-zip-menteuse.xlsx", hostile.xlsx_lying_zip_bomb()),
        ("rural", "large.xlsx", hostile.xlsx_wide()),
        ("rural", "million-colonnes.csv", hostile.csv_million_columns()),
        ("rural", "trop-de-lignes.csv", hostile.csv_many_rows()),
        ("rural", "texte-unicode.txt", hostile.utf16_bom_csv()),
        ("rural", "encodages-meles.csv", hostile.mixed_encoding_csv()),
        ("rural", "au-plus-pres-des-limites.csv", hostile.csv_at_limits()),
        ("trouver", "alias.yaml", hostile.yaml_alias_bomb()),
        ("trouver", "profond.yaml", hostile.yaml_deep()),
        ("trouver", "profond.json", hostile.json_deep()),
        ("trouver", "entier.yaml", hostile.yaml_long_integer()),
        ("etude", "alias.yaml", hostile.yaml_alias_bomb()),
    ]


def _answered(page, alerts_before: int) -> bool:
    """A new message (the French refusal) or the check offered for a readable file."""
    read = page.get_by_text("Aperçu :").count() + page.get_by_text("Vérifier le fichier").count()
    return page.locator('[data-testid="stAlert"]').count() > alerts_before or read > 0


def test_soak_hostile_uploads_mid_run_leave_the_server_up_for_everyone(server, expected, browser):
    """While sessions check, score and open pages, a browser uploads each hostile file of issue 17 on the pages that
    take files: each upload gets a French message or a result in that tab, the server stays up, its memory under
    the budget, and the other sessions see no error and every answer right."""
    uploads = _hostile_uploads()
    sessions = max(2, SESSIONS // 2)
    result: dict = {}

    def sessions_run() -> None:
        result["phase"] = run_phase(server.url, expected, sessions, max(SECONDS, 30.0), seed=500)

    rss: list[int] = [tree_rss(server.process.pid)]
    runner = threading.Thread(target=sessions_run, daemon=True)
    runner.start()
    answered: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        for path, name, data in uploads:
            page.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
            dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
            dropzone.wait_for(state="attached", timeout=120_000)
            server_mod.wait_idle(page, 180_000)
            alerts = page.locator('[data-testid="stAlert"]').count()
            dropzone.set_input_files({"name": name, "mimeType": "application/octet-stream", "buffer": data})
            # the tab answers: a new message (the French refusal) or the check offered for a readable file
            deadline = time.monotonic() + 180

            while not _answered(page, alerts) and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            server_mod.wait_idle(page, 180_000)
            if not _answered(page, alerts):
                shot = server_mod.ROOT / "tests" / "artifacts" / f"soak-{name}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True)
                raise AssertionError(f"{name}: no answer on {path} (screenshot {shot.name})")
            boxes = page.locator('[data-testid="stException"]')
            assert boxes.count() == 0, f"{name} on {path}: {boxes.first.inner_text()[:500]}"
            assert server.process.poll() is None, f"the server died on {name} ({path})"
            assert requests.get(f"{server.url}/_stcore/health", timeout=30).status_code == 200
            rss.append(tree_rss(server.process.pid))
            answered.append(name)
    finally:
        context.close()
    runner.join(timeout=max(SECONDS, 30.0) + 4 * REQUEST_TIMEOUT)
    times, errors, counts, _ = result["phase"]
    rss.append(tree_rss(server.process.pid))
    sys.stderr.write(
        f"soak: {len(answered)} hostile uploads answered while {sessions} sessions ran: {dict(counts)},"
        f" {len(errors)} errors, server RSS max {max(rss) / 2**20:.0f} MiB\n"
    )
    assert answered == [name for _, name, _ in uploads]
    assert not errors, "\n".join(errors[:20])
    assert counts["rural"] >= 1 and counts["scoring"] >= 1, dict(counts)
    assert max(rss) < RSS_BUDGET, f"server RSS {max(rss) / 2**20:.0f} MiB"
