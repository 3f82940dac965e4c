"""The search box: suggestions while typing, measured on the server and in a real browser.

Server side (no browser): the time of one suggestion request (``suggest_territories``) and of one lookup
(``lookup_territory``) for what a person types letter by letter (« D », « Di », « Die », « Saint-Ét… », a
postal code, an EPCI name), median and p95 over every prefix. Browser side (Debian's Chromium, one local
server): on « Est-ce rural ? » and « Fiche territoire », the time from the last key typed to the first
suggestion drawn (this includes the box's commit pause, ``app_pages.search.LIVE_PAUSE``), the time from a
click on a suggestion to the finished page, and the largest message the server sent while typing (the former
type-ahead sent ~1 MB of 35,000 labels). Budget (issue 13): suggestions while typing < 0.3 s of server time.

    uv run python benchmarks/bench_search.py [--home SENTIERS_HOME] [--repeat 5] [--no-browser] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

TYPED = [
    ("commune", "Die"),
    ("commune", "Saint-Étienne"),
    ("commune", "saint-martin"),
    ("commune", "Crest"),
    ("commune", "26150"),
    ("commune", "l'abergement"),
    ("epci", "Diois"),
    ("epci", "CC du Crestois"),
]


def server_side(base, repeat: int) -> tuple[list[float], list[float]]:
    from sentiers.base.lookup import lookup_territory, suggest_territories

    suggest_territories(base, "warm", "commune")  # indexes built once per base
    suggest_territories(base, "warm", "epci")
    suggest_ms: list[float] = []
    lookup_ms: list[float] = []
    for _ in range(repeat):
        for level, text in TYPED:
            for end in range(1, len(text) + 1):
                prefix = text[:end]
                start = time.perf_counter()
                suggest_territories(base, prefix, level, limit=6)
                suggest_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                lookup_territory(base, prefix, level, with_suggestions=False)
                lookup_ms.append((time.perf_counter() - start) * 1000)
    return suggest_ms, lookup_ms


def _idle(page, timeout_s: float = 180) -> None:
    app = page.locator('[data-testid="stApp"]')
    app.wait_for(state="attached", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    since = None
    while time.monotonic() < deadline:
        if app.get_attribute("data-test-script-state") == "notRunning":
            since = since or time.monotonic()
            if time.monotonic() - since > 0.4:
                return
        else:
            since = None
        page.wait_for_timeout(20)
    raise TimeoutError("script still running")


def browser_side(home: Path, repeat: int) -> dict[str, list[float]]:
    import streamlit_server as server_mod
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {"suggest_s": [], "pick_s": [], "frame_kb": []}
    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    with server_mod.run_app(home, log) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(server_mod.CHROMIUM), args=server_mod.CHROMIUM_ARGS, headless=True
        )
        for i in range(repeat + 1):  # the first round warms the caches
            for path, key, text, code in (
                ("rural", "rural", "saint-etie", "42218"),
                ("fiche", "fiche", "Saill", "26289"),
            ):
                context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
                page = context.new_page()
                sizes: list[int] = []
                page.on(
                    "websocket", lambda ws, s=sizes: ws.on("framereceived", lambda d, s=s: s.append(len(d)))
                )
                page.goto(f"{server.url}/{path}")
                _idle(page)
                before = len(sizes)
                field = page.locator(f".st-key-{key}_query input")
                field.press_sequentially(text, delay=80)
                start = time.perf_counter()
                button = page.locator(f".st-key-{key}_sugg_{code} button")
                button.wait_for(state="visible", timeout=60_000)
                suggest = time.perf_counter() - start
                start = time.perf_counter()
                button.click()
                page.wait_for_timeout(50)
                _idle(page)
                pick = time.perf_counter() - start
                if i:
                    figures["suggest_s"].append(suggest)
                    figures["pick_s"].append(pick)
                    figures["frame_kb"].append(max(sizes[before:] or [0]) / 1024)
                context.close()
        browser.close()
    return figures


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, default=None, help="SENTIERS_HOME holding a built base")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="server-side figures only")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.home:
        os.environ["SENTIERS_HOME"] = str(args.home)
    from sentiers.base import open_base
    from sentiers.settings import sentiers_home

    home = args.home or sentiers_home()
    base = open_base(geometry=False)
    suggest_ms, lookup_ms = server_side(base, args.repeat)
    load = os.getloadavg()[0]
    lines = [
        "## Search box and suggestions (benchmarks/bench_search.py)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.2f} when started",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- command: `uv run python benchmarks/bench_search.py --repeat {args.repeat}`",
        f"- one suggestion request (server, {len(suggest_ms)} prefixes typed letter by letter): median "
        f"{statistics.median(suggest_ms):.2f} ms, p95 {p95(suggest_ms):.2f} ms (budget: < 300 ms)",
        f"- one lookup of the same prefixes: median {statistics.median(lookup_ms):.2f} ms, "
        f"p95 {p95(lookup_ms):.2f} ms",
    ]
    if not args.no_browser:
        figures = browser_side(home, args.repeat)
        lines += [
            f"- browser, last key to first suggestion drawn (includes the box's "
            f"300 ms commit pause; {len(figures['suggest_s'])} samples): median "
            f"{statistics.median(figures['suggest_s']):.2f} s, p95 {p95(figures['suggest_s']):.2f} s",
            f"- browser, click on a suggestion to the finished page (verdict or fiche): median "
            f"{statistics.median(figures['pick_s']):.2f} s, p95 {p95(figures['pick_s']):.2f} s "
            "(was 4.6–23.7 s with the list of every commune)",
            f"- largest message from the server while typing: {max(figures['frame_kb']):.0f} KB "
            "(was ~1 MB: 35,000 labels)",
        ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
