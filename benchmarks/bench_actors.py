"""Benchmark of « Acteurs du territoire »: a commune's actors from the cache (< 0.3 s), a first fetch of 4 pages
(< 2 s plus the API's own time, and never faster than the rate limit of 7 requests per second allows).

Usage (from the project folder):

    SENTIERS_HOME=MIRROR_HOME uv run python benchmarks/bench_actors.py
    uv run python benchmarks/bench_actors.py --home MIRROR_HOME --repeat 7 --api-delay 0.15 --out bench-actors.md

No network: the API is the tests' local server (tests/actors/fake_api.py) answering for the Diois with enough
associations in Die for the first query to take two pages (4 requests in all), its answers delayed by
``--api-delay`` seconds to stand for the API's own time. The base is loaded once (not timed); the cache is a
temporary folder; the first call (imports, per-base memos) is reported apart.
"""

from __future__ import annotations

import argparse
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CACHE_BUDGET_S = 0.3
FETCH_BUDGET_S = 2.0
RATE = 7.0


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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--api-delay", type=float, default=0.1, help="seconds the local API takes per answer")
    parser.add_argument("--out", help="also write the Markdown section to this file")
    args = parser.parse_args(argv)
    if args.home:
        os.environ["SENTIERS_HOME"] = args.home

    from sentiers.actors.cache import ActorsCache
    from sentiers.actors.fetch import fetch_actors
    from sentiers.base import open_base
    from tests.actors.fake_api import FakeApi, diois_communes, diois_dataset, padding, serve

    base = open_base(geometry=False)
    die = next(c for c in diois_communes(base) if c[0] == "26113")
    dataset = diois_dataset(diois_communes(base)) + padding(40, (die[0], die[1], "242600534", die[2], die[3]))
    lines = [
        "## Acteurs du territoire (benchmarks/bench_actors.py)",
        "",
        f"- machine: {machine()}",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- command: `uv run python benchmarks/bench_actors.py {' '.join(argv or sys.argv[1:])}`".rstrip(),
        f"- base: {len(base.communes)} communes ({'embedded only' if base.embedded_only else 'official sources'})",
    ]
    with serve(FakeApi(dataset=dataset, delay_s=args.api_delay)) as api:
        os.environ["SENTIERS_ENTREPRISES_API"] = api.url
        first_fetch: list[float] = []
        requests: list[int] = []
        spans: list[float] = []
        warm = None
        for i in range(args.repeat + 1):
            folder = Path(tempfile.mkdtemp(prefix="sentiers-bench-actors-"))
            api.requests.clear()
            started = time.perf_counter()
            result = fetch_actors(base, "26113", cache=ActorsCache(folder))
            elapsed = time.perf_counter() - started
            assert result.status == "online", result.message
            if i == 0:
                warm = elapsed
                continue
            first_fetch.append(elapsed)
            requests.append(len(api.requests))
            times = [r.at for r in api.requests]
            spans.append(times[-1] - times[0])
        pages = requests[0]
        api_time = pages * args.api_delay
        floor = (pages - 1) / RATE
        lines.append(
            f"- first fetch of Die ({pages} pages, {len(result.actors)} actors, API answering in "
            f"{args.api_delay:.2f} s a page): {median_text(first_fetch)}; budget < {FETCH_BUDGET_S:.1f} s + "
            f"API time {api_time:.2f} s = {FETCH_BUDGET_S + api_time:.2f} s; warm-up {warm:.3f} s"
        )
        lines.append(
            f"- rate limit: first to last request start {statistics.median(spans):.3f} s median, min "
            f"{min(spans):.3f} s for {pages} requests; floor at 7 requests/s {floor:.3f} s "
            f"({'respected' if min(spans) >= floor - 0.005 else 'NOT respected'})"
        )
        cache_folder = Path(tempfile.mkdtemp(prefix="sentiers-bench-actors-cache-"))
        cache = ActorsCache(cache_folder)
        fetch_actors(base, "26113", cache=cache)
        fetch_actors(base, "242600534", "epci", cache=cache)
        for code, level in (("26113", "commune"), ("242600534", "epci")):
            api.requests.clear()
            fetch_actors(base, code, level, cache=cache)  # warm
            times = []
            for _ in range(max(args.repeat, 5)):
                started = time.perf_counter()
                again = fetch_actors(base, code, level, cache=cache)
                times.append(time.perf_counter() - started)
            assert not api.requests and again.status == "cache"
            lines.append(
                f"- {code} ({level}) from the cache, {len(again.actors)} actors: {median_text(times)}; "
                f"budget < {CACHE_BUDGET_S} s"
            )
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # compiled modules kept
        cli = []
        home = os.environ.get("SENTIERS_HOME")
        if home:
            subprocess.run(  # warm-up: fills the home's cache and compiles the modules
                [sys.executable, "-m", "sentiers", "acteurs", "26113", "--json"], env=env, capture_output=True
            )
            for _ in range(3):
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "sentiers", "acteurs", "26113", "--hors-ligne", "--json"],
                    env=env,
                    capture_output=True,
                )
                cli.append(time.perf_counter() - started)
            lines.append(
                f"- `sentiers acteurs 26113 --hors-ligne --json` end to end (new process, home cache, compiled modules): "
                f"{median_text(cli)} (exit {done.returncode})"
            )
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
