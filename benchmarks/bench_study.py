"""Benchmark of the feasibility study: similarity over all communes (< 200 ms), a dossier of 5 territories as HTML
(< 5 s) and as PDF (< 10 s), and the project file (write, read back).

Usage (from the project folder):

    SENTIERS_HOME=MIRROR_HOME uv run python benchmarks/bench_study.py
    uv run python benchmarks/bench_study.py --home MIRROR_HOME --repeat 5 --out /tmp/notes/bench-study.md

The base is loaded once (not timed). Similarity: each défi's default indicators against Die (26113), with every
constraint lifted (all 34,869 inhabited communes are candidates); the first call of a process also builds the
candidate table the ranking shares and the indicators' scales (reported apart). Dossier: built from scratch each
time (a new profile name, so the ranking is recomputed, not read from the cache), with a map per territory and the
actors from the cache only (no network in a benchmark), then rendered.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_briefing import machine  # noqa: E402 - after the path is set

SIMILAR_BUDGET_S, HTML_BUDGET_S, PDF_BUDGET_S = 0.2, 5.0, 10.0
REFERENCES = ["26113"]
ALL = {"kiif_only": False, "rural_only": False, "population_min": 0}
HELD_OUT = {
    "name": "Épicerie solidaire itinérante",
    "defi": "service-de-proximite",
    "publics": ["seniors"],
    "mode": "dissemination",
    "similar": {"references": ["26113", "26321"]},
    "readiness": {"impact": "mesure", "lucrativite": "statut_ess"},
}


def stats(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (n={len(times)})"


def stats_s(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s, max {max(times):.2f} s (n={len(times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="SENTIERS_HOME holding a built base (default: the environment's)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (default 3)")
    parser.add_argument("--out", help="also write the Markdown section to this file")
    args = parser.parse_args(argv)
    if args.home:
        os.environ["SENTIERS_HOME"] = args.home

    from sentiers.base import open_base
    from sentiers.matching.presets import preset_profile
    from sentiers.matching.profile import DEFIS, validate_profile
    from sentiers.matching.similar import similar_communes
    from sentiers.study.assemble import StudyParameters, build_dossier
    from sentiers.study.project import read_project, write_project
    from sentiers.study.render import render_html, render_pdf

    load_before = os.getloadavg()[0]
    base = open_base()
    kind = "embedded only" if base.embedded_only else "official sources"

    t0 = time.perf_counter()
    first = similar_communes(base, preset_profile("service-de-proximite", constraints=ALL), REFERENCES)
    cold = time.perf_counter() - t0
    lines, all_times, all_cpu = [], [], []
    for slug in DEFIS:
        profile = preset_profile(slug, constraints=ALL)
        similar_communes(base, profile, REFERENCES)  # this défi's scales, once per base
        times = []
        for _ in range(max(args.repeat, 3) * 3):
            t0, c0 = time.perf_counter(), time.process_time()
            result = similar_communes(base, profile, REFERENCES)
            times.append(time.perf_counter() - t0)
            all_cpu.append(time.process_time() - c0)
        all_times += times
        lines.append(f"| {slug} | {len(result.indicators)} | {len(result.frame)} | {stats(times)} |")

    params = StudyParameters(top=5, maps=True, actors="cache")
    t0 = (
        time.perf_counter()
    )  # once per process: matplotlib and fpdf2 imports, France and département references
    render_pdf(build_dossier(base, preset_profile("engagement-citoyen", name="Warm-up"), params))
    warmup = time.perf_counter() - t0
    html_times, pdf_times, pages, size = [], [], 0, 0
    html_cpu, pdf_cpu = [], []
    for i in range(args.repeat):
        for label, data in (("preset", None), ("held-out", HELD_OUT)):
            profile = (
                preset_profile("service-de-proximite", name=f"Bench {i} {label}")
                if data is None
                else validate_profile({**data, "name": f"{data['name']} {i}"})
            )
            t0, c0 = time.perf_counter(), time.process_time()
            html = render_html(build_dossier(base, profile, params))
            html_times.append(time.perf_counter() - t0)
            html_cpu.append(time.process_time() - c0)
            size = max(size, len(html.encode("utf-8")))
            profile = profile.model_copy(update={"name": profile.name + " (PDF)"})
            t0, c0 = time.perf_counter(), time.process_time()
            pdf = render_pdf(build_dossier(base, profile, params))
            pdf_times.append(time.perf_counter() - t0)
            pdf_cpu.append(time.process_time() - c0)
            from io import BytesIO

            from pypdf import PdfReader

            pages = max(pages, len(PdfReader(BytesIO(pdf)).pages))
    profile = validate_profile(HELD_OUT)
    t0 = time.perf_counter()
    archive = write_project(profile, params, base)
    read_project(archive, base)
    project_s = time.perf_counter() - t0
    load_after = os.getloadavg()[0]

    def verdict(ok: bool) -> str:
        return "within budget" if ok else "OVER BUDGET"

    section = [
        "## Feasibility study (benchmarks/bench_study.py)",
        "",
        f"- machine: {machine()}; load average {load_before:.1f} before, {load_after:.1f} after (shared machine: "
        "upper bounds)",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `SENTIERS_HOME={os.environ.get('SENTIERS_HOME', '')} uv run python benchmarks/bench_study.py "
        f"--repeat {args.repeat}`",
        f"- base: {kind}, {len(base.communes)} communes (load not counted)",
        f"- similarity over all {len(first.frame)} inhabited communes but the reference (no constraint), each défi's default "
        f"indicators, reference Die: {stats(all_times)} — budget < {SIMILAR_BUDGET_S * 1000:.0f} ms: "
        f"{verdict(max(all_times) < SIMILAR_BUDGET_S)}; CPU time {stats(all_cpu)}",
        f"- first similarity of a process (builds the candidate table shared with the ranking, and the scales): "
        f"{cold:.2f} s",
        f"- dossier of 5 territories, built from scratch (ranking, similar territories for the held-out profile, "
        f"5 fiches with maps) + HTML: {stats_s(html_times)} — budget < {HTML_BUDGET_S:.0f} s: "
        f"{verdict(max(html_times) < HTML_BUDGET_S)}; largest {size / 1000:.0f} KB; CPU time of the process "
        f"{stats_s(html_cpu)} (what it costs when the machine is not shared)",
        f"- the same + PDF: {stats_s(pdf_times)} — budget < {PDF_BUDGET_S:.0f} s: "
        f"{verdict(max(pdf_times) < PDF_BUDGET_S)}; up to {pages} pages; CPU time {stats_s(pdf_cpu)}",
        f"- once per process, the first dossier (imports of matplotlib and fpdf2, France and département "
        f"references, first maps), not counted above: {warmup:.2f} s",
        f"- project file written and read back: {project_s * 1000:.0f} ms ({len(archive) / 1000:.1f} KB)",
        "",
        "| défi | indicators available | candidates | similarity time |",
        "|---|---|---|---|",
        *lines,
    ]
    text = "\n".join(section) + "\n"
    sys.stdout.write(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
