"""Page times in a real browser (Debian's Chromium driven by playwright) against one local server.

Measures, from a warm cache (each page opened once first), the time from navigation to a finished script
run (and, for the map, to a drawn Leaflet map) of every page, and on « Carte » the time to switch from one
département to another. Budgets (maps issue): map page first render under 3 s from a warm cache;
switching département under 1.5 s.

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
            switch = switch_departement(browser, srv.url, switches * max(1, args.repeat // 2))
            lines.append("")
            lines.append(
                f"- « Carte » switching département in the list (07, 62, 05, 26 in turn; budget 1.5 s): {summary(switch)}"
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
