"""Peak memory and time of the readers of user files on each hostile file of tests/hostile.py (RELIABILITY.md).

Usage (from the project folder):

    uv run python benchmarks/bench_hostile_readers.py                 # every file, markdown table on stdout
    uv run python benchmarks/bench_hostile_readers.py --limit 1.5e9 xlsx_dimension_bomb csv_at_limits

Each file is generated and read in its own child process under an address-space limit (``--limit`` bytes,
RLIMIT_AS), so that a reader that regresses fails its row (« killed » / MemoryError) instead of the machine. The
child reports its peak resident memory (``ru_maxrss``) once the modules are imported (``base``) and after the
read (``peak``): ``peak - base`` is what the read itself cost. Tables go through ``sentiers.rural.batch.read_upload``
(the batch, the CLI and the Rencontres lists), documents through the Rencontres profile loader (YAML/JSON).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
limit = int(float(sys.argv[1]))
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, sys.argv[3])
from tests import hostile
from sentiers.errors import SentiersError
from sentiers.rural.batch import read_upload
from sentiers.events.registrations import profile_loader
make, filename = hostile.ALL[sys.argv[2]]
data = make()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    if filename.endswith((".yaml", ".json")):
        profile_loader({filename: data})(filename)
        outcome = "lu"
    else:
        frame = read_upload(data, filename)
        outcome = f"lu : {len(frame)} lignes × {frame.shape[1]} colonnes"
except SentiersError as exc:
    outcome = "refusé : " + str(exc)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"bytes": len(data), "base_kb": base, "peak_kb": peak, "seconds": seconds, "outcome": outcome}))
"""


def measure(name: str, limit: float, timeout: float) -> dict[str, object]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(limit), name, str(ROOT)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": f"CASSÉ : plus de {timeout:.0f} s"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or [""]
        return {"outcome": f"CASSÉ : code {done.returncode} {tail[0][:120]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests import hostile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="files of tests/hostile.ALL (default: all)")
    parser.add_argument("--limit", type=float, default=1.5e9, help="RLIMIT_AS of each child, bytes")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    names = args.names or list(hostile.ALL)
    print(
        f"| file | size | read (s) | peak RSS (MB) | of which the read (MB) | outcome |  (RLIMIT_AS {args.limit:.2g})"
    )
    print("|---|---:|---:|---:|---:|---|")
    for name in names:
        row = measure(name, args.limit, args.timeout)
        if "peak_kb" in row:
            size = f"{int(row['bytes']) / 1024:,.1f} KB"  # type: ignore[call-overload]
            peak = int(row["peak_kb"]) / 1024  # type: ignore[call-overload]
            own = (int(row["peak_kb"]) - int(row["base_kb"])) / 1024  # type: ignore[call-overload]
            print(
                f"| {name} | {size} | {float(row['seconds']):.2f} | {peak:.0f} | {own:.0f} | "  # type: ignore[arg-type]
                f"{str(row['outcome'])[:110]} |"
            )
        else:
            print(f"| {name} | | | | | {row['outcome']} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
