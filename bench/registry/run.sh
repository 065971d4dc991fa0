#!/usr/bin/env bash
# Registry benchmark: synthetic registers of 100k and 1M documents (Vietnamese subjects from a
# vocabulary, senders from data/agencies.csv), built through the crate's bulk import.
#  * search: p50/p95 of 20 typical searches via `Registry::search` (folding, filters, keyset
#    cursor, row mapping) against the peer — the raw FTS5 query for the same ranking (vanthu_rank
#    among the newest 1000 matches: `MATCH … AND rowid >= (newest-1000 subquery) ORDER BY
#    vanthu_rank(doc_fts), id DESC LIMIT 20` joined to documents) on the same database and
#    connection, in the same process and run.
#  * bulk import: documents/s of `vanthu dev gen-demo` (API bulk import, 50k per transaction)
#    and of `vanthu incoming import-csv` (one transaction, into a fresh register) on CSV files
#    of CSV_SIZES rows (default 200000 and 1000000), wall and CPU, with the load average
#    before and after each import (the machine is shared).
# Usage: ./scripts/bench registry   (or VANTHU_BIN=… bash bench/registry/run.sh [SIZES…])
#        CSV_ONLY=1 CSV_SIZES="200000 1000000" bash bench/registry/run.sh   (CSV imports only)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT"
bin="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
[ -x "$bin" ] || die "no release binary at $bin (run ./scripts/bench registry)"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
out="bench/out/registry"
mkdir -p "$out"
runs="${RUNS:-20}"

v() { "$bin" --data-dir "$1" "${@:2}"; }
fresh() { rm -rf "$1"; v "$1" init --agency-code 000.00.00.H34 --agency-name "UBND tỉnh Kon Tum" >/dev/null; }

if [ -z "${CSV_ONLY:-}" ]; then
printf '| documents | build docs/s (wall) | build docs/CPU-s | ours p50/p95 ms (wall) | peer p50/p95 ms (wall) | ratio p50/p95 (wall) | ours p50/p95 ms (CPU) | peer p50/p95 ms (CPU) | ratio p50/p95 (CPU) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  db="$out/db-$n"
  fresh "$db"
  v "$db" dev gen-demo --count "$n" --seed 42 >"$out/gen-$n.json"
  v "$db" dev bench-search --runs "$runs" >"$out/search-$n.json"
  jq -r --argjson g "$(cat "$out/gen-$n.json")" \
    'def r: . * 100 | round / 100;
     "| \(.documents) | \($g.docs_per_second) | \($g.docs_per_cpu_second) | \(.ours_p50_ms|r) / \(.ours_p95_ms|r) | \(.peer_p50_ms|r) / \(.peer_p95_ms|r) | \(.ratio_p50|r) / \(.ratio_p95|r) | \(.cpu_ours_p50_ms|r) / \(.cpu_ours_p95_ms|r) | \(.cpu_peer_p50_ms|r) / \(.cpu_peer_p95_ms|r) | \(.cpu_ratio_p50|r) / \(.cpu_ratio_p95|r) |"' \
    "$out/search-$n.json"
done

fi

# CSV import: one transaction into a fresh register, per size.
printf '\n| CSV rows | wall s | documents/s (wall) | CPU s (user + sys) | documents/CPU-s | load avg before → after | audit verify |\n'
printf '|---:|---:|---:|---:|---:|---|---|\n'
read -r -a csv_sizes <<<"${CSV_SIZES:-200000 1000000}"
TIMEFORMAT='%R %U %S'
for n in "${csv_sizes[@]}"; do
  csv_db="$out/db-csv-$n"
  fresh "$csv_db"
  v "$csv_db" dev gen-demo --count "$n" --outgoing-percent 0 --seed 9 --csv "$out/import-$n.csv" >/dev/null
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  t=$( { time v "$csv_db" incoming import-csv "$out/import-$n.csv" >/dev/null; } 2>&1 )
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  read -r real user sys <<<"$t"
  verify=$(v "$csv_db" --json audit verify | jq -r 'if .ok then "ok (\(.rows) rows)" else "BROKEN at \(.first_broken_seq)" end' || true)
  awk -v n="$n" -v r="$real" -v u="$user" -v s="$sys" -v lb="$load_before" -v la="$load_after" -v ver="$verify" 'BEGIN {
    printf "| %d | %.1f | %.0f | %.1f (%.1f + %.1f) | %.0f | %s → %s | %s |\n", n, r, n / r, u + s, u, s, n / (u + s), lb, la, ver }'
  rm -f "$out/import-$n.csv"
done
du -sh "$out"/db-* | sed 's/^/size: /'
echo "per-query detail: $out/search-*.json"
