"""Benchmark of the territory briefing: one HTML briefing (< 2 s after the base is loaded), one PDF (< 5 s),
HTML size (< 1.5 MB), and a comparison of five territories.

Usage (from the project folder):

    SENTIERS_HOME=MIRROR_HOME uv run python benchmarks/bench_briefing.py
    uv run python benchmarks/bench_briefing.py --home MIRROR_HOME --repeat 5 --out /tmp/notes/bench-briefing.md

The base is loaded once (not timed); the first briefing (warm-up: imports of matplotlib and fpdf2, France and
département references) is reported apart. Then each territory is measured ``--repeat`` times: building the
briefing with its map plus rendering HTML, and the same plus rendering the PDF.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# commune / EPCI codes: rural, DROM, Paris, a 2025 merged commune, a small and the largest EPCI
TERRITORIES = [
    ("26113", "commune"),
    ("97610", "commune"),
    ("75056", "commune"),
    ("49126", "commune"),
    ("242600534", "epci"),
    ("200054781", "epci"),
]
COMPARE = ["26113", "05061", "48095", "242600534", "49126"]
HTML_BUDGET_S, PDF_BUDGET_S, HTML_BUDGET_BYTES = 2.0, 5.0, 1_500_000


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    except ImportError:  # pragma: no cover
        mem = "RAM ?"
    return (
        f"{platform.machine()}, {cpus} cores, {mem}, Python {platform.python_version()}, {platform.system()}"
    )


def median_text(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s, max {max(times):.3f} s (n={len(times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="SENTIERS_HOME holding a built base (default: the environment's)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per territory (default 3)")
    parser.add_argument("--out", help="also write the Markdown section to this file")
    args = parser.parse_args(argv)
    if args.home:
        os.environ["SENTIERS_HOME"] = args.home

    from sentiers.base import open_base
    from sentiers.briefing.assemble import build_briefing
    from sentiers.briefing.compare import build_comparison, render_compare_html, render_compare_pdf
    from sentiers.briefing.render import render_html, render_pdf

    start = time.perf_counter()
    base = open_base()
    load_s = time.perf_counter() - start
    kind = "embedded only" if base.embedded_only else "official sources"

    start = time.perf_counter()
    import sentiers.maps.static  # noqa: F401 - matplotlib
    from sentiers.base.lookup import index_for

    index_for(base)  # the rural verdict's commune index, built once per loaded base
    imports = time.perf_counter() - start
    start = time.perf_counter()
    render_html(build_briefing(base, "26113"))
    warmup = time.perf_counter() - start

    lines = []
    html_all, pdf_all, worst_size = [], [], (0, "")
    for code, level in TERRITORIES:
        html_times, pdf_times = [], []
        size = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            briefing = build_briefing(base, code, level)
            html = render_html(briefing)
            t1 = time.perf_counter()
            render_pdf(build_briefing(base, code, level))
            t2 = time.perf_counter()
            html_times.append(t1 - t0)
            pdf_times.append(t2 - t1)
            size = len(html.encode("utf-8"))
        html_all += html_times
        pdf_all += pdf_times
        worst_size = max(worst_size, (size, code))
        lines.append(
            f"| {code} ({level}) | {statistics.median(html_times):.3f} | {statistics.median(pdf_times):.3f} "
            f"| {size / 1000:.0f} KB |"
        )
    start = time.perf_counter()
    comparison = build_comparison(base, COMPARE)
    compare_html = render_compare_html(comparison)
    compare_s = time.perf_counter() - start
    start = time.perf_counter()
    render_compare_pdf(comparison)
    compare_pdf_s = time.perf_counter() - start

    def verdict(ok: bool) -> str:
        return "within budget" if ok else "OVER BUDGET"

    html_med, pdf_med = statistics.median(html_all), statistics.median(pdf_all)
    section = [
        "## Territory briefing (benchmarks/bench_briefing.py)",
        "",
        f"- machine: {machine()}",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `SENTIERS_HOME={os.environ.get('SENTIERS_HOME', '')} uv run python benchmarks/bench_briefing.py "
        f"--repeat {args.repeat}`",
        f"- base: {kind}, {len(base.communes)} communes, loaded in {load_s:.2f} s (not counted)",
        f"- once per process: matplotlib import and the rural verdict's commune index {imports:.3f} s; then the "
        f"first briefing (France/département references, first map) {warmup:.3f} s — together "
        f"{imports + warmup:.3f} s",
        f"- one HTML briefing (build with map + render), all territories: {median_text(html_all)} — budget "
        f"< {HTML_BUDGET_S:.0f} s: {verdict(max(html_all) < HTML_BUDGET_S)}",
        f"- one PDF briefing (build with map + render): {median_text(pdf_all)} — budget < {PDF_BUDGET_S:.0f} s: "
        f"{verdict(max(pdf_all) < PDF_BUDGET_S)}",
        f"- largest HTML: {worst_size[0] / 1000:.0f} KB ({worst_size[1]}) — budget < 1.5 MB: "
        f"{verdict(worst_size[0] < HTML_BUDGET_BYTES)}",
        f"- comparison of {len(COMPARE)} territories: build + HTML {compare_s:.2f} s "
        f"({len(compare_html.encode('utf-8')) / 1000:.0f} KB), PDF {compare_pdf_s:.2f} s",
        "",
        "| territory | HTML s (median) | PDF s (median) | HTML size |",
        "|---|---|---|---|",
        *lines,
        "",
        f"(medians {html_med:.3f} s HTML, {pdf_med:.3f} s PDF over {len(html_all)} runs each)",
    ]
    text = "\n".join(section) + "\n"
    sys.stdout.write(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
