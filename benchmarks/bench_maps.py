"""Map payload sizes and build times, for every département and région of the base in SENTIERS_HOME.

    SENTIERS_HOME=/path/to/home uv run python benchmarks/bench_maps.py [-o bench-maps.md]

Payload = the standalone map HTML (the same document st_folium sends to the browser, minus the shared
Leaflet/JS assets loaded from their CDN). "page" is what the map page sends (one commune colouring plus
the points); "all layers" is `sentiers map --departement CODE` with every layer.
Budgets: France < 400 KB; a département's communes < 600 KB median, < 1.2 MB largest; a région < 5 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sentiers.base import open_base
from sentiers.maps import payload
from sentiers.maps import web as maps

KB = 1024


def size(m) -> int:
    return len(maps.map_html(m).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-o", "--output", type=Path, help="write the markdown report here")
    parser.add_argument(
        "--apptest", action="store_true", help="also time département switches in the page (AppTest)"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    base = open_base()
    load_s = time.perf_counter() - t0
    lines = [
        f"# Map payloads — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}; "
        f"base: {base.manifest.get('communes')} communes, built {base.built_at}, "
        f"{'embedded only' if base.embedded_only else 'official layers: ' + str(len(base.layers()))}",
        "command: `SENTIERS_HOME=... uv run python benchmarks/bench_maps.py`",
        f"base read: {load_s:.2f} s",
        "",
    ]
    t = time.perf_counter()
    outlines = payload.departement_outlines(base.departements)
    france = size(maps.france_map(base, outlines=outlines))
    lines.append(
        f"France by département: {france / KB:.0f} KB (budget 400 KB), built in {time.perf_counter() - t:.2f} s"
    )
    lines.append("")
    rows = []
    for dep in sorted(base.communes["departement"].unique()):
        t = time.perf_counter()
        frame = maps.commune_frame(base, departement=dep)
        page = size(maps.communes_map(base, departement=dep, layers=maps.page_layers("rural"), frame=frame))
        switch = time.perf_counter() - t
        full = size(
            maps.communes_map(
                base,
                departement=dep,
                frame=frame,
                layers=["rural", "frr", "programmes", "services", "coverage"],
            )
        )
        rows.append((dep, len(frame), page, full, switch))
    pages = [r[2] for r in rows]
    fulls = [r[3] for r in rows]
    largest = max(rows, key=lambda r: r[2])
    lines += [
        f"Département, page view (rurality + points): median {statistics.median(pages) / KB:.0f} KB (budget 600), "
        f"largest {largest[2] / KB:.0f} KB ({largest[0]}, {largest[1]} communes; budget 1200)",
        f"Département, all layers (CLI default): median {statistics.median(fulls) / KB:.0f} KB, "
        f"largest {max(fulls) / KB:.0f} KB",
        f"Switching département (select communes + build + render map, Python side): median "
        f"{statistics.median(r[4] for r in rows):.3f} s, max {max(r[4] for r in rows):.3f} s (budget 1.5 s)",
        "",
        "| région | communes | KB (rurality + points) | build s |",
        "|---|---:|---:|---:|",
    ]
    for region in sorted(base.communes["region"].unique()):
        t = time.perf_counter()
        frame = maps.commune_frame(base, region=region)
        kb = size(maps.communes_map(base, region=region, layers=["rural", "services"], frame=frame)) / KB
        lines.append(f"| {region} | {len(frame)} | {kb:.0f} | {time.perf_counter() - t:.2f} |")
    if args.apptest:
        chosen = [largest[0], "26", "23", "974", "59"]
        lines += ["", "Switching département in app_pages/carte.py (AppTest, warm caches, no browser):"]
        lines += [f"- {dep}: {s:.2f} s" for dep, s in apptest_switch(chosen)]
    lines += [
        "",
        "| département | communes | page KB | all layers KB | switch s |",
        "|---|---:|---:|---:|---:|",
    ]
    for dep, n, page, full, switch in rows:
        lines.append(f"| {dep} | {n} | {page / KB:.0f} | {full / KB:.0f} | {switch:.3f} |")
    text = "\n".join(lines) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)


def apptest_switch(deps: list[str]) -> list[tuple[str, float]]:
    """Switching département in app_pages/carte.py under Streamlit's AppTest (warm caches, no browser)."""
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    os.chdir(root)
    at = AppTest.from_file(str(root / "app_pages" / "carte.py"), default_timeout=120)
    at.run()
    for dep in deps:  # warm the caches once
        next(s for s in at.selectbox if s.label == "Département").set_value(dep).run()
    out = []
    for dep in deps:
        t = time.perf_counter()
        next(s for s in at.selectbox if s.label == "Département").set_value(dep).run()
        out.append((dep, time.perf_counter() - t))
        assert not at.exception, at.exception
    return out


if __name__ == "__main__":
    main()
