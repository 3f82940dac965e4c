"""Page times in a real browser (Debian's Chromium driven by playwright) against one local server.

Measures, from a warm cache (each page opened once first), the time from navigation to a finished script
run (and, for the map, to a drawn Leaflet map) of every page; on « Carte » the time to switch from one
département to another; on « Est-ce rural ? » the time from typing the start of a commune's name (Enter) to
its suggestion on screen, then from clicking it to its verdict on screen. Budgets (issue 13): the map page's
first render under 2 s from a warm cache; switching département under 1.5 s; suggestions while typing
under 0.3 s of server time (here measured in the browser, so an upper bound); every interaction under 0.5 s
of server time (the single-session column of tests/load/test_load.py).

    uv run python benchmarks/bench_pages.py [--home SENTIERS_HOME] [--repeat 5] [--out FILE.md]

Needs /usr/bin/chromium and a built base in SENTIERS_HOME (default: the user cache folder).
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

import streamlit_server as server_mod  # noqa: E402

PAGES = [
    ("Accueil", "", None),
    ("Est-ce rural ? (Die)", "rural?q=Die", None),
    ("Carte (France)", "carte", 96),
    ("Carte (Drôme)", "carte?dep=26", 300),
    ("Trouver un territoire (profil type)", "trouver?preset=service-de-proximite", None),
    ("Fiche territoire (Die)", "fiche?code=26113&level=commune", None),
    ("Comparer (2 communes)", "comparer?codes=26113,05061", None),
]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# what is typed in « Est-ce rural ? » -> the commune it must offer (code): the start of real names
TYPED = [
    ("Montbélia", "25388"),
    ("Saillan", "26289"),
    ("Chambér", "73065"),
    ("Grenob", "38185"),
    ("Montélima", "26198"),
]
MAP_BUDGET_S = 2.0


def wait_run(page, timeout_s: float = 180) -> None:
    """Until the script has started and finished (script state back to notRunning after the navigation)."""
    deadline = time.monotonic() + timeout_s
    app = page.locator('[data-testid="stApp"]')
    app.wait_for(state="attached", timeout=timeout_s * 1000)
    while time.monotonic() < deadline:
        state = app.get_attribute("data-test-script-state")
        if state == "notRunning":
            return
        page.wait_for_timeout(25)
    raise TimeoutError("script still running")


def wait_map(page, features: int, timeout_s: float = 180) -> None:
    iframe = page.locator(MAP_FRAME).first
    iframe.wait_for(state="visible", timeout=timeout_s * 1000)
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function(
        f"() => {{ if (!(window.map && window.map._loaded)) return false; let n = 0;"
        f" window.map.eachLayer(l => {{ if (l.feature) n += 1; }}); return n >= {features}; }}",
        timeout=timeout_s * 1000,
        polling=25,
    )


def open_page(browser, url: str, features: int | None) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        wait_run(page)
        if features:
            wait_map(page, features)
        return time.perf_counter() - start
    finally:
        context.close()


def open_in_app(browser, base_url: str, path: str, features: int | None, repeat: int) -> list[float]:
    """The page opened from an app already open in the tab (Accueil first): the browser has Streamlit's and
    Leaflet's files in its cache, as for a person who arrives on the page from the home page or a link."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    times = []
    try:
        page = context.new_page()
        for _ in range(repeat + 1):
            page.goto(f"{base_url}/", wait_until="commit")
            wait_run(page)
            start = time.perf_counter()
            page.goto(f"{base_url}/{path}", wait_until="commit")
            wait_run(page)
            if features:
                wait_map(page, features)
            times.append(time.perf_counter() - start)
    finally:
        context.close()
    return times[1:]  # the first one fills the browser's cache


def switch_departement(browser, base_url: str, names: list[tuple[str, str, int]]) -> list[float]:
    """On « Carte », pick one département after the other in the « Département » list; time each switch."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    times = []
    try:
        page = context.new_page()
        page.goto(f"{base_url}/carte?dep=26", wait_until="commit")
        wait_run(page)
        wait_map(page, 300)
        for code, name, features in names:
            field = page.locator(".st-key-carte_dep input")
            field.click()
            field.fill(name)
            option = page.get_by_role("option", name=f"{code} · {name}", exact=False).first
            option.wait_for(timeout=30_000)
            start = time.perf_counter()
            option.click()
            page.wait_for_function(
                f"() => new URL(location.href).searchParams.get('dep') === '{code}'",
                timeout=120_000,
                polling=25,
            )
            wait_run(page)
            wait_map(page, features)
            times.append(time.perf_counter() - start)
    finally:
        context.close()
    return times


def type_and_pick(browser, base_url: str, rounds: int) -> tuple[list[float], list[float]]:
    """On « Est-ce rural ? »: type the start of a name and press Enter, until its suggestion shows; click it,
    until its verdict card shows. Returns (typing -> suggestion, click -> verdict) times."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    typing, picking = [], []
    try:
        page = context.new_page()
        page.goto(f"{base_url}/rural", wait_until="commit")
        wait_run(page)
        for _ in range(rounds):
            for typed, code in TYPED:
                field = page.locator(".st-key-rural_query input")
                field.click()
                field.fill(typed)
                start = time.perf_counter()
                field.press("Enter")
                # the suggestion button of that commune (« rural_suggest_<code> » or « rural_sugg_<code> »)
                button = page.locator(f'[class*="st-key-rural_sugg"][class*="_{code}"] button').first
                button.wait_for(state="visible", timeout=120_000)
                typing.append(time.perf_counter() - start)
                start = time.perf_counter()
                button.click()
                page.get_by_text(f"code {code}", exact=False).first.wait_for(state="visible", timeout=120_000)
                picking.append(time.perf_counter() - start)
                wait_run(page)
    finally:
        context.close()
    return typing, picking


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(values):.2f} s, p95 {p95:.2f} s, max {max(values):.2f} s (n={len(values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, default=os.environ.get("SENTIERS_HOME"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not server_mod.CHROMIUM.exists():
        parser.error("Debian's chromium is absent (/usr/bin/chromium)")
    home = args.home
    if home is None:
        from sentiers.settings import sentiers_home

        home = sentiers_home()
    from playwright.sync_api import sync_playwright

    from sentiers.base import open_base

    base = open_base(Path(home))
    counts = base.communes.groupby("departement").size()
    names = dict(zip(base.departements["code"], base.departements["name"], strict=True))
    # the Drôme, then the largest département by communes, then a small one
    switches = [(code, names[code], int(counts[code])) for code in ("07", "62", "05", "26") if code in names]

    lines = [
        "## Pages in a real browser (benchmarks/bench_pages.py)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};"
        f" load average {os.getloadavg()[0]:.1f} at the start",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- command: `uv run python benchmarks/bench_pages.py {' '.join(argv if argv is not None else sys.argv[1:])}`",
        "- browser: Debian chromium (headless) via playwright; time from navigation to the end of the script run"
        " (and to a drawn Leaflet map on « Carte »); warm cache = the page was opened once before",
        "",
        "| page | first open (cold cache) | warm cache |",
        "|---|---|---|",
    ]
    map_medians: list[float] = []
    log = Path(tempfile.mkdtemp(prefix="sentiers-bench-pages-")) / "streamlit.log"
    with server_mod.run_app(Path(home), log) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(server_mod.CHROMIUM), args=server_mod.CHROMIUM_ARGS, headless=True
        )
        try:
            open_page(browser, f"{srv.url}/", None)  # the server's first session (base load)
            for label, path, features in PAGES:
                cold = open_page(browser, f"{srv.url}/{path}", features)
                warm = [open_page(browser, f"{srv.url}/{path}", features) for _ in range(args.repeat)]
                lines.append(f"| {label} | {cold:.2f} s | {summary(warm)} |")
                if features:
                    map_medians.append(statistics.median(warm))
            switch = switch_departement(browser, srv.url, switches * max(1, args.repeat // 2))
            lines.append("")
            lines.append(
                f"- « Carte » switching département in the list (07, 62, 05, 26 in turn; budget 1.5 s): {summary(switch)}"
            )
            worst = max(map_medians) if map_medians else float("nan")
            lines.append(
                f"- « Carte » in a new browser (nothing in the browser's cache: Streamlit's own scripts included),"
                f" slowest median: {worst:.2f} s"
            )
            for label, path, features in PAGES:
                if features:
                    inside = open_in_app(browser, srv.url, path, features, args.repeat)
                    met = "met" if statistics.median(inside) < MAP_BUDGET_S else "NOT met"
                    lines.append(
                        f"- {label} opened from the open app (browser cache warm), until the map is drawn:"
                        f" {summary(inside)} (budget {MAP_BUDGET_S:.0f} s: {met})"
                    )
            typing, picking = type_and_pick(browser, srv.url, max(1, args.repeat // 2))
            lines.append(
                "- « Est-ce rural ? » typing the start of a name (Montbélia, Saillan, Chambér, Grenob, Montélima) then Enter,"
                f" until its suggestion shows: {summary(typing)}"
            )
            lines.append(
                f"- « Est-ce rural ? » clicking that suggestion, until its verdict shows: {summary(picking)}"
            )
        finally:
            browser.close()
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
