#!/usr/bin/env bash
# Registry benchmark: synthetic registers of 100k and 1M documents (Vietnamese subjects from a
# vocabulary, senders from data/agencies.csv), built through the crate's bulk import.
#  * search: p50/p95 of 20 typical searches via `Registry::search` (folding, filters, keyset
#    cursor, row mapping) against the peer — the raw FTS5 query (`MATCH … ORDER BY rank LIMIT 20`
#    joined to documents) on the same database, in the same process and run.
#  * bulk import: documents/s of `vanthu dev gen-demo` (API bulk import, 50k per transaction)
#    and of `vanthu incoming import-csv` on a 100k-row CSV (one transaction).
# Usage: ./scripts/bench registry   (or VANTHU_BIN=… bash bench/registry/run.sh [SIZES…])
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

printf '| documents | build docs/s (API) | ours p50 ms | ours p95 ms | peer p50 ms | peer p95 ms | ratio p50 | ratio p95 |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  db="$out/db-$n"
  fresh "$db"
  v "$db" dev gen-demo --count "$n" --seed 42 >"$out/gen-$n.json"
  v "$db" dev bench-search --runs "$runs" >"$out/search-$n.json"
  jq -r --argjson g "$(cat "$out/gen-$n.json")" \
    '"| \(.documents) | \($g.docs_per_second) | \(.ours_p50_ms*100|round/100) | \(.ours_p95_ms*100|round/100) | \(.peer_p50_ms*100|round/100) | \(.peer_p95_ms*100|round/100) | \(.ratio_p50*100|round/100) | \(.ratio_p95*100|round/100) |"' \
    "$out/search-$n.json"
done

# CSV import: 100k rows, one transaction, into a fresh register.
csv_db="$out/db-csv"
fresh "$csv_db"
v "$csv_db" dev gen-demo --count 100000 --outgoing-percent 0 --seed 9 --csv "$out/import-100k.csv" >/dev/null
start=$(date +%s.%N)
v "$csv_db" incoming import-csv "$out/import-100k.csv" >/dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "\nincoming import-csv, 100000 rows: %.1f s, %.0f documents/s\n", e - s, 100000 / (e - s) }'
v "$csv_db" audit verify
du -sh "$out"/db-* | sed 's/^/size: /'
echo "per-query detail: $out/search-*.json"
