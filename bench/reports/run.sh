#!/usr/bin/env bash
# Reports benchmark (issue 16): the monthly issuing, statuses and processing reports over a
# synthetic register of SIZE documents (`vanthu dev gen-demo`, 11 months of 2025) with a year of
# synthetic hub traffic in its sync queues (bench/reports/traffic.sql), each timed
# in-process by `vanthu dev bench-reports` against its peer — one raw SQL statement computing
# the same figures on the same connection — in the same run. Target: each report < 500 ms.
# Usage: ./scripts/bench reports   (or VANTHU_BIN=… bash bench/reports/run.sh [SIZE] [MONTH])
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT"
bin="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
[ -x "$bin" ] || die "no release binary at $bin (run ./scripts/bench reports)"
size="${1:-1000000}"
month="${2:-2025-06}"
out="bench/out/reports"
db="$out/db-$size"
mkdir -p "$out"
if [ ! -s "$db/vanthu.db" ]; then
  rm -rf "$db"
  "$bin" --data-dir "$db" init --agency-code 000.00.00.H34 --agency-name "UBND tỉnh Kon Tum" >/dev/null
  "$bin" --data-dir "$db" dev gen-demo --count "$size" --seed 42 >"$out/gen-$size.json"
fi
if [ "$(sqlite3 "$db/vanthu.db" 'SELECT count(*) FROM sync_outbox')" -eq 0 ]; then
  sqlite3 "$db/vanthu.db" <bench/reports/traffic.sql | sed 's/^/sync traffic (outbox|received): /'
fi
"$bin" --data-dir "$db" dev bench-reports --runs "${RUNS:-10}" --month "$month" >"$out/reports-$size.json"
printf '| report | figure | ours p50 ms (wall) | ours max ms | peer p50 ms | ratio p50 | ours p50 ms (CPU) | peer p50 ms (CPU) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
jq -r 'def r: . * 100 | round / 100;
  .reports[] | "| \(.report) | \(.figure // "—") | \(.ours_p50_ms|r) | \(.ours_max_ms|r) | \(.peer_p50_ms|r) | \(.ratio_p50|r) | \(.cpu_ours_p50_ms|r) | \(.cpu_peer_p50_ms|r) |"' \
  "$out/reports-$size.json"
echo "documents: $(jq .documents "$out/reports-$size.json"), month $month; detail: $out/reports-$size.json"
