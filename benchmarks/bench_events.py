"""Rencontres benchmarks: 200 territories × 200 structures × 8 slots (issue 16): pair scores < 2 s, schedule < 10 s.

Run on a built base (the mirror base, for profile scores with every indicator):

    SENTIERS_HOME=/path/to/home uv run python benchmarks/bench_events.py [--repeat 5] [--out FILE]

Registrations are generated from the base's communes (territories by code, structures with three target
départements and a seat), read through the same path as an import. Figures: reading both lists, pair scores
without profiles (median of the repeats), pair scores when 20 structures bring their own profile (cold: each
profile ranked once; warm: rankings remembered by the base), the schedule (HiGHS, K = 4 and K = 8), and the
CLI end to end (``sentiers rencontres … --json`` in a fresh process).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGETS_S = {"scores": 2.0, "schedule": 10.0}
N_T, N_S, SLOTS = 200, 200, 8


def _rows(base, seed: int = 0):
    import numpy as np

    from sentiers.matching.profile import DEFIS, PUBLICS

    rng = np.random.default_rng(seed)
    slugs = list(DEFIS)
    communes = base.communes[["code", "departement"]].sample(N_T + N_S, random_state=seed)
    codes = communes["code"].tolist()
    deps = sorted(base.communes["departement"].unique())
    territories = [
        {
            "nom": f"Territoire {k}",
            "commune": codes[k],
            "défi": ", ".join(rng.choice(slugs, size=int(rng.integers(1, 3)), replace=False)),
            "publics": ", ".join(rng.choice(list(PUBLICS), size=2, replace=False)),
            "mode": ["antenne", "dissémination", ""][k % 3],
        }
        for k in range(N_T)
    ]
    structures = [
        {
            "nom": f"Structure {k}",
            "défi": ", ".join(rng.choice(slugs, size=int(rng.integers(1, 3)), replace=False)),
            "départements": ", ".join(rng.choice(deps, size=3, replace=False)),
            "commune": codes[N_T + k],
            "publics": ", ".join(rng.choice(list(PUBLICS), size=2, replace=False)),
            "mode": ["antenne", "dissémination"][k % 2],
        }
        for k in range(N_S)
    ]
    return territories, structures


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", help="also write the Markdown section to this file")
    args = parser.parse_args()

    from sentiers.base import open_base
    from sentiers.events.pairs import score_pairs
    from sentiers.events.registrations import guess_mapping, read_structures, read_territories
    from sentiers.events.schedule import solve
    from sentiers.matching.presets import preset_profile
    from sentiers.rural.batch import read_upload

    base = open_base(geometry=False)
    t_rows, s_rows = _rows(base)
    t_frame, s_frame = read_upload(_csv(t_rows), "t.csv"), read_upload(_csv(s_rows), "s.csv")

    start = time.perf_counter()
    territories = read_territories(base, t_frame, guess_mapping("territoires", list(t_frame.columns)))
    structures = read_structures(base, s_frame, guess_mapping("structures", list(s_frame.columns)))
    read_cold = time.perf_counter() - start
    read_warm, _ = _median(
        lambda: (
            read_territories(base, t_frame, guess_mapping("territoires", list(t_frame.columns))),
            read_structures(base, s_frame, guess_mapping("structures", list(s_frame.columns))),
        ),
        args.repeat,
    )
    assert len(territories.accepted) == N_T and len(structures.accepted) == N_S, (
        territories.rejected[:3],
        structures.rejected[:3],
    )

    score_pairs(base, territories.accepted, structures.accepted)  # Kiif file and caches warm
    scores_s, table = _median(
        lambda: score_pairs(base, territories.accepted, structures.accepted), args.repeat
    )
    compatible = int(table.compatible.sum())  # type: ignore[attr-defined]

    with_profiles = [s for s in structures.accepted]
    from sentiers.matching.profile import DEFIS

    for k, slug in enumerate(list(DEFIS) * 4):
        if k >= 20:
            break
        # 20 different profiles (a population floor of its own each): no two share a cached ranking
        constraints = {"kiif_only": k % 2 == 0, "rural_only": k % 3 == 0, "population_min": 50 + 10 * k}
        profile = preset_profile(slug, constraints=constraints)
        with_profiles[k].profile = profile.model_dump(mode="json")
    from sentiers.matching.candidates import candidate_table

    start = time.perf_counter()  # once per base, shared with « Trouver » and every ranking of the server
    for level in sorted({t.level for t in territories.accepted}):
        candidate_table(base, level)
    tables_s = time.perf_counter() - start
    start = time.perf_counter()
    score_pairs(base, territories.accepted, with_profiles)
    profiles_cold = time.perf_counter() - start
    profiles_warm, _ = _median(lambda: score_pairs(base, territories.accepted, with_profiles), args.repeat)

    schedule_s = {}
    quality = {}
    for k in (4, 8):
        seconds, schedule = _median(
            lambda k=k: solve(table.score, table.compatible, slots=SLOTS, max_meetings=k),  # type: ignore[attr-defined]
            args.repeat,
        )
        schedule_s[k] = seconds
        quality[k] = schedule.quality()  # type: ignore[attr-defined]

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "t.csv").write_bytes(_csv(t_rows))
        (Path(folder) / "s.csv").write_bytes(_csv(s_rows))
        command = [
            "sentiers",
            "rencontres",
            "t.csv",
            "s.csv",
            "--creneaux",
            str(SLOTS),
            "--max-rencontres",
            "4",
            "--json",
        ]
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", *command],
            cwd=folder,
            capture_output=True,
            env=dict(os.environ),
            check=False,
        )
        cli_s = time.perf_counter() - start
        cli_ok = done.returncode == 0

    def verdict(value: float, budget: float) -> str:
        return f"budget < {budget:g} s: {'OK' if value < budget else 'OVER'}"

    lines = [
        "## Rencontres (benchmarks/bench_events.py) — issue 16",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        f"- date: {datetime.now(UTC).date().isoformat()}",
        f"- command: `SENTIERS_HOME=<mirror home> uv run python benchmarks/bench_events.py --repeat {args.repeat}`",
        f"- event: {N_T} territories × {N_S} structures × {SLOTS} slots, {compatible} compatible pairs (a shared défi)",
        f"- reading both lists (lookups, targets, seats): first {read_cold:.2f} s (lookup index built), then {read_warm:.2f} s (median of {args.repeat})",
        f"- pair scores, no profile: **{scores_s:.3f} s** (median of {args.repeat}) — {verdict(scores_s, BUDGETS_S['scores'])}",
        f"- candidate tables of the territories' levels (once per base, shared with every ranking): {tables_s:.2f} s",
        f"- pair scores, 20 structures with 20 different profiles: first **{profiles_cold:.2f} s** (each profile ranked once, the tables built) — {verdict(profiles_cold, BUDGETS_S['scores'])}; then {profiles_warm:.3f} s (rankings remembered)",
        f"- schedule, K = 4: **{schedule_s[4]:.2f} s** — {verdict(schedule_s[4], BUDGETS_S['schedule'])} ({quality[4]})",
        f"- schedule, K = 8: **{schedule_s[8]:.2f} s** — {verdict(schedule_s[8], BUDGETS_S['schedule'])} ({quality[8]})",
        f"- CLI end to end (`{' '.join(command)}`, fresh process, base opened, lists read, scores, schedule, JSON): {cli_s:.1f} s{'' if cli_ok else ' (FAILED)'}",
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0 if cli_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
