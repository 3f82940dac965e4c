#!/usr/bin/env bash
# Run every benchmarks/bench_*.py in turn, from the project folder, and collect their Markdown output.
# Usage: benchmarks/run_all.sh [OUT.md]   (default: $TMPDIR/sentiers-bench-results.md)
# Each script runs with its default arguments; SENTIERS_HOME / SENTIERS_MIRROR are passed through.
# A failing script is reported and the others still run; the exit code is the number of failures.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TMPDIR:-/tmp}/sentiers-bench-results.md}"
: > "$out"
failures=0
for script in benchmarks/bench_*.py; do
  [ -e "$script" ] || continue
  echo ">>> $script" >&2
  start=$(date +%s)
  uv run python "$script" >> "$out"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "<<< $script: ok ($(( $(date +%s) - start )) s)" >&2
  else
    echo "<<< $script: FAILED with exit code $rc ($(( $(date +%s) - start )) s)" >&2
    printf '\n## %s\n\nFAILED (exit code %s)\n' "$script" "$rc" >> "$out"
    failures=$((failures + 1))
  fi
  echo >> "$out"
done
echo "results in $out; $failures failure(s)" >&2
exit "$failures"
