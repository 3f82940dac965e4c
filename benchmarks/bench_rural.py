"""Benchmarks of "Est-ce rural ?": one lookup, a 35,000-row batch, the CLI end to end.

Budgets (issue 3): one lookup after the base is loaded under 5 ms (p95), names included; a batch of
35,000 rows under 5 s. Issue 13: ``sentiers rural Die --json`` end to end under 0.5 s (it reads the lookup
extract written with the base, without pandas, pyarrow or geopandas).

Run on a built base (the mirror base has the density grid):

    SENTIERS_HOME=/path/to/home uv run python benchmarks/bench_rural.py [--out FILE.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def bench_lookups(base, rng: random.Random) -> list[str]:
    from sentiers.base.lookup import index_for
    from sentiers.rural.verdict import answer

    lines = []
    seconds, index = timed(index_for, base)
    lines.append(f"| index build (once per base) | {seconds * 1000:.0f} ms | |")
    communes = base.communes
    codes = communes["code"].tolist()
    names = communes["name"].tolist()
    deps = communes["departement"].tolist()
    sample = rng.sample(range(len(codes)), 2000)
    postal = [p.split()[0] for p in communes["postal_codes"].fillna("") if p.strip()]
    old = list(index.old_codes)
    typos = []
    for i in sample[:300]:
        n = names[i]
        if len(n) > 4:
            j = rng.randrange(1, len(n) - 1)
            typos.append(n[:j] + n[j + 1 :])
    kinds = {
        "code Insee": [codes[i] for i in sample],
        "nom exact": [names[i] for i in sample],
        "nom + département": [f"{names[i]} ({deps[i]})" for i in sample],
        "nom sans accents, minuscules": [
            names[i].lower().replace("é", "e").replace("è", "e").replace("-", " ") for i in sample
        ],
        "code postal": rng.sample(postal, min(1000, len(postal))),
        "ancien code": rng.sample(old, min(1000, len(old))),
        "nom avec faute (suggestions)": typos,
    }
    answer(base, "Die")  # warm the column cache
    everything: list[float] = []
    for kind, queries in kinds.items():
        times = []
        for q in queries:
            start = time.perf_counter()
            answer(base, q)
            times.append(time.perf_counter() - start)
        if kind != "nom avec faute (suggestions)":
            everything += times
        lines.append(
            f"| answer(), {kind} (n={len(times)}) | p50 {percentile(times, 0.5) * 1000:.2f} ms | "
            f"p95 {percentile(times, 0.95) * 1000:.2f} ms |"
        )
    lines.append(
        f"| **answer(), all found kinds (n={len(everything)})** | p50 {percentile(everything, 0.5) * 1000:.2f} ms | "
        f"**p95 {percentile(everything, 0.95) * 1000:.2f} ms** (budget 5 ms) |"
    )
    return lines


def bench_batch(base, rng: random.Random) -> list[str]:
    import pandas as pd

    from sentiers.rural.batch import check_frame, export, guess_columns, read_upload

    communes = base.communes
    lines = []
    n = 35_000
    idx = [rng.randrange(len(communes)) for _ in range(n)]
    frames = {
        "codes": pd.DataFrame({"code_insee": communes["code"].iloc[idx].to_numpy()}),
        "noms + département": pd.DataFrame(
            {
                "commune": communes["name"].iloc[idx].to_numpy(),
                "dep": communes["departement"].iloc[idx].to_numpy(),
            }
        ),
    }
    frames["adresses (mauvaise colonne : tout introuvable)"] = pd.DataFrame(
        {"commune": [f"{i} rue des Lilas, bâtiment {i % 7}" for i in range(n)]}
    )
    for label, frame in frames.items():
        data = frame.to_csv(sep=";", index=False).encode("cp1252", errors="replace")
        start = time.perf_counter()
        table = read_upload(data, "lot.csv")
        choice = guess_columns(table)
        t_read = time.perf_counter() - start
        out, summary = check_frame(base, table, choice)
        total = time.perf_counter() - start
        t_csv, _ = timed(export, out, "csv")
        t_xlsx, _ = timed(export, out, "xlsx")
        lines.append(
            f"| **batch {n} lignes, {label}** (read+detect {t_read:.2f} s) | **{total:.2f} s** (budget 5 s) | "
            f"{summary.ok} ok, {summary.ambiguous} ambigus ; export CSV {t_csv:.2f} s, XLSX {t_xlsx:.2f} s |"
        )
    return lines


def bench_cli(home: str, runs: int = 7) -> list[str]:
    exe = shutil.which("sentiers") or str(REPO / ".venv" / "bin" / "sentiers")
    env = dict(os.environ, SENTIERS_HOME=home)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run([exe, "rural", "Die", "--json"], env=env, capture_output=True, timeout=60)
        times.append(time.perf_counter() - start)
        assert proc.returncode == 0, proc.stderr
    times = times[1:]  # the first run warms the file cache
    # what the command imports: the lookup extract is read without pandas, pyarrow or geopandas
    probe = (
        "import sys, time; t = time.perf_counter(); from sentiers.cli import main; main(['rural', 'Die', '--json']);"
        "sys.stderr.write(','.join(m for m in ('pandas', 'pyarrow', 'geopandas', 'numpy') if m in sys.modules))"
    )
    heavy = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    from sentiers.base.extract import read_extract

    t_extract, extract = timed(read_extract, Path(home))
    return [
        f"| lookup extract read (`read_extract`, {'present' if extract else 'ABSENT: base read instead'}) |"
        f" {t_extract:.3f} s | |",
        f"| **`sentiers rural Die --json` end to end** ({runs} runs, new process each) |"
        f" median {statistics.median(times):.2f} s | **max {max(times):.2f} s** (budget 0.5 s);"
        f" heavy modules imported: {heavy.stderr.strip().splitlines()[-1] if heavy.stderr.strip() else 'none'} |",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", help="append the figures to this Markdown file")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from sentiers.cli.rural import read_verdict_base

    home = os.environ.get("SENTIERS_HOME", "")
    rng = random.Random(args.seed)
    t_load, base = timed(read_verdict_base)
    grid = base.layer("grille_densite")
    header = [
        f"## Est-ce rural ? — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"base: {base.manifest.get('communes')} communes, grid {grid['vintage'] if grid else 'absent'}.",
        "Command: `SENTIERS_HOME=<home> uv run python benchmarks/bench_rural.py`",
        "",
        "| what | figure | detail |",
        "|---|---|---|",
        f"| base read for verdicts (no geometry) | {t_load:.2f} s | |",
    ]
    lines = header + bench_lookups(base, rng) + bench_batch(base, rng) + bench_cli(home)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
