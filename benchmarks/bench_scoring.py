"""Scoring benchmarks: covered départements, all communes, EPCI level, robustness, CLI end to end.

Run on a built base (the mirror base has every indicator):

    SENTIERS_HOME=/path/to/home uv run python benchmarks/bench_scoring.py [--repeat 7] [--preset SLUG]

Prints one line per budget (median of the repeats, warm: the candidate tables are built once first and
that cold build is reported separately) and exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGETS_MS = {
    "covered": 150.0,
    "all_communes": 300.0,
    "epci": 50.0,
    "robustness_200": 2000.0,
    "cli_json": 4000.0,
}


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--preset", default="service-de-proximite")
    args = parser.parse_args()

    from sentiers.base import open_base
    from sentiers.matching.candidates import candidate_table, kiif_coverage
    from sentiers.matching.presets import effective_criteria, preset_profile
    from sentiers.matching.robustness import top_n_frequency
    from sentiers.matching.score import rank_profile, score_frame

    start = time.perf_counter()
    base = open_base()
    load_ms = (time.perf_counter() - start) * 1000
    coverage = kiif_coverage()
    start = time.perf_counter()
    candidate_table(base, "commune", coverage)
    commune_cold = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    candidate_table(base, "epci", coverage)
    epci_cold = (time.perf_counter() - start) * 1000

    covered = preset_profile(args.preset, publics=["seniors"], constraints={"rural_only": False})
    everything = preset_profile(
        args.preset, publics=["seniors"], constraints={"kiif_only": False, "rural_only": False}
    )
    epci = covered.model_copy(update={"level": "epci"})

    results: dict[str, float] = {}
    results["covered"], r_cov = timed(
        lambda: rank_profile(base, covered, draws=0, coverage=coverage), args.repeat
    )
    results["all_communes"], r_all = timed(
        lambda: rank_profile(base, everything, draws=0, coverage=coverage), args.repeat
    )
    results["epci"], r_epci = timed(lambda: rank_profile(base, epci, draws=0, coverage=coverage), args.repeat)
    table = candidate_table(base, "commune", coverage).frame
    scored = score_frame(table, effective_criteria(everything))
    results["robustness_200"], _ = timed(
        lambda: top_n_frequency(scored.transformed, scored.weights, 20, draws=200, seed=1),
        max(3, args.repeat // 2),
    )
    exe = ROOT / ".venv" / "bin" / "sentiers"
    cmd = [str(exe) if exe.exists() else "sentiers", "score", "--preset", args.preset, "--json"]
    env = dict(os.environ)

    def cli() -> int:
        done = subprocess.run(cmd, capture_output=True, env=env, check=False)
        if done.returncode != 0:
            raise SystemExit(f"CLI failed: {done.stderr.decode()[:300]}")
        json.loads(done.stdout)
        return done.returncode

    results["cli_json"], _ = timed(cli, 3)

    sizes = {
        "covered": len(r_cov.frame),
        "all_communes": len(r_all.frame),
        "epci": len(r_epci.frame),
        "robustness_200": len(table),
        "cli_json": None,
    }
    print(f"# bench_scoring — {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"base: {base.path} ({len(base.communes)} communes); read in {load_ms:.0f} ms")
    print(f"candidate tables (cold, once per base): communes {commune_cold:.0f} ms, EPCI {epci_cold:.0f} ms")
    print(f"preset: {args.preset} + seniors; median of {args.repeat} runs (CLI: 3 runs)")
    failed = False
    for key, value in results.items():
        budget = BUDGETS_MS[key]
        ok = value <= budget
        failed |= not ok
        size = f" ({sizes[key]} candidats)" if sizes[key] is not None else ""
        print(f"{key:>15}: {value:8.1f} ms  budget {budget:6.0f} ms  {'OK' if ok else 'OVER'}{size}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
