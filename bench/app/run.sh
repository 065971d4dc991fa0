#!/usr/bin/env bash
# App benchmark (issue 8): the release vanthu-app on a 1M-document register, in WebKitGTK on
# Xvfb (software rendering).
#  * cold start: spawn → the UI's "first-row" mark (performance.timeOrigin + now() in the page,
#    logged through the ui_mark command), page cache dropped before each run when allowed;
#  * idle memory 5 s after the first row: RSS and PSS summed over the app and WebKit's web and
#    network processes, and the app process alone;
#  * scroll: requestAnimationFrame deltas in the page while the list scrolls 36 px (one row)
#    and 180 px (a fast flick) per frame for 8 s, loading keyset pages as it goes, driven
#    through the e2e harness (tauri-driver + WebKitWebDriver).
# Peer: the same binary on a 1 000-document register in the same run (ratio = 1M / 1k), so
# the figures show what the register size costs. Targets: < 1.5 s, < 150 MB, frames < 16 ms.
# Usage: ./scripts/bench app   (or VANTHU_BIN=… VANTHU_APP_BIN=… bash bench/app/run.sh)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT"
bin="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
app="${VANTHU_APP_BIN:-$CARGO_TARGET_DIR/release/vanthu-app}"
docs="${DOCS:-1000000}"
[ -x "$bin" ] || die "no release CLI at $bin (run ./scripts/bench app)"
if [ ! -x "$app" ] || [ -z "${VANTHU_APP_BIN:-}" ]; then
  # The release app embeds the built UI.
  bash scripts/setup.d/50-ui.sh
  (cd ui && npm run build >/dev/null)
  cargo build --release -p vanthu-app --locked
fi
command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver not found (apt: webkit2gtk-driver)"
out="bench/out/app"
mkdir -p "$out"

register() { # dir count: a synthetic incoming register, built once and reused
  if [ ! -f "$1/.complete" ]; then
    rm -rf "$1"
    "$bin" --data-dir "$1" init --agency-code 000.00.00.H34 --agency-name "UBND tỉnh Kon Tum" >/dev/null
    "$bin" --data-dir "$1" dev gen-demo --count "$2" --outgoing-percent 0 --seed 42 >"$1.gen.json"
    touch "$1/.complete"
  fi
}
register "$out/db-1000" 1000
register "$out/db-$docs" "$docs"

uptime | sed 's/^/load before: /'
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  node bench/app/measure.mjs "$app" "small=$out/db-1000" "large=$out/db-$docs" >"$out/raw.txt"
# Helper processes of the session may print to the same stdout; the JSON starts at "{".
sed -n '/^{/,$p' "$out/raw.txt" >"$out/result.json"
uptime | sed 's/^/load after: /'
jq -r '
  def r: . * 10 | round / 10;
  .targets as $t |
  "| measure | 1k register | \('"$docs"') register | ratio | target |",
  "|---|---:|---:|---:|---|",
  "| first launch, warm cache (incl. any schema upgrade) ms | \($t.small.first_launch_ms|r) | \($t.large.first_launch_ms|r) | | |",
  "| cold start to first row p50 / max ms | \($t.small.first_row_p50_ms|r) / \($t.small.first_row_max_ms|r) | \($t.large.first_row_p50_ms|r) / \($t.large.first_row_max_ms|r) | \(($t.large.first_row_p50_ms / $t.small.first_row_p50_ms)|.*100|round/100) | < 1500 |",
  "| idle RSS, all processes MiB | \($t.small.rss_total_p50_mib|r) | \($t.large.rss_total_p50_mib|r) | \(($t.large.rss_total_p50_mib / $t.small.rss_total_p50_mib)|.*100|round/100) | < 150 MB |",
  "| idle PSS, all processes MiB | \($t.small.pss_total_p50_mib|r) | \($t.large.pss_total_p50_mib|r) | \(($t.large.pss_total_p50_mib / $t.small.pss_total_p50_mib)|.*100|round/100) | |",
  "| idle RSS, app process MiB | \($t.small.rss_app_p50_mib|r) | \($t.large.rss_app_p50_mib|r) | | |",
  (["36px_per_frame", "180px_per_frame"][] as $k |
   "| scroll \($k) frame p50 / p95 / max ms (frames > 16.7 ms) | \($t.small.scroll[$k] | "\(.p50_ms|r) / \(.p95_ms|r) / \(.max_ms|r) (\(.over_16_7ms)/\(.frames))") | \($t.large.scroll[$k] | "\(.p50_ms|r) / \(.p95_ms|r) / \(.max_ms|r) (\(.over_16_7ms)/\(.frames))") | \(($t.large.scroll[$k].p95_ms / $t.small.scroll[$k].p95_ms)|.*100|round/100) (p95) | < 16 |"),
  "",
  "start-up marks, p50 ms after spawn ('"$docs"'): \($t.large.marks_p50_ms | to_entries | map("\(.key) \(.value|r)") | join(" → "))",
  "idle memory by process ('"$docs"', first cold run), RSS / PSS MiB: \($t.large.starts[0].per_process | map("\(.name) \(.rss_mib|r) / \(.pss_mib|r)") | join(", "))",
  "page cache dropped before each start: \($t.large.caches_dropped); runs: \(.runs)"
' "$out/result.json"
echo "detail: $out/result.json"
