#!/usr/bin/env bash
# Two desktops of one unit (docs/sync.md "Numbering while offline") through the CLI: both
# take number blocks from a hub on loopback, the hub goes away, each registers more documents
# than its block holds (the rest get "Số tạm T-…"), the hub comes back and both sync: every
# document has a final number and no number appears on both desktops. Then both close the
# year: the numbers they never used are void, and used + void cover 1..max exactly once.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
WORK="$(mktemp -d /tmp/vanthu-test-numbering.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export VANTHU_SECRET_STORE=file
UNIT=000.01.20.H34
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --json hub add-agency "$UNIT" --name "Sở Nội vụ" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/unit.secret"
start_hub() {
  : > "$WORK/hub.out"
  "$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$WORK/hub.sqlite" > "$WORK/hub.out" 2> "$WORK/hub.log" &
  HUB_PID=$!
  for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
  grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
}
stop_hub() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=""; }
start_hub
for d in VT1 VT2; do
  "$BIN" --data-dir "$WORK/$d" init --agency-code "$UNIT" --agency-name "Sở Nội vụ" > /dev/null
  "$BIN" --data-dir "$WORK/$d" sync setup --hub "http://127.0.0.1:$PORT" --agency "$UNIT" --secret-file "$WORK/unit.secret" > /dev/null
  "$BIN" --data-dir "$WORK/$d" sync numbering --desktop "$d" > /dev/null
  timeout 60 "$BIN" --data-dir "$WORK/$d" sync --once 2> /dev/null
done
stop_hub
# Offline: 25 registrations per desktop, blocks hold 20.
for d in VT1 VT2; do
  for i in $(seq 1 25); do
    "$BIN" --data-dir "$WORK/$d" incoming register --from 000.00.00.G22 --notation "$i/VPCP-KSTT" \
      --date 2026-01-02 --type "Công văn" --subject "Văn bản $i tại $d" > /dev/null
  done
  p=$("$BIN" --data-dir "$WORK/$d" --json sync numbering | jq '.provisional | length')
  [ "$p" -eq 5 ] || die "$d: $p provisional numbers, expected 5"
  "$BIN" --data-dir "$WORK/$d" sync numbering > "$WORK/$d.numbering"
  grep -q "Số tạm T-$d-1 " "$WORK/$d.numbering" || die "$d: no Số tạm shown: $(cat "$WORK/$d.numbering")"
done
start_hub
for d in VT1 VT2; do timeout 60 "$BIN" --data-dir "$WORK/$d" sync --once 2> /dev/null; done
for d in VT1 VT2; do
  p=$("$BIN" --data-dir "$WORK/$d" --json sync numbering | jq '.provisional | length')
  [ "$p" -eq 0 ] || die "$d: $p documents still provisional after sync"
  "$BIN" --data-dir "$WORK/$d" --json list --register incoming --limit 100 | jq -r '.hits[].number' >> "$WORK/numbers"
done
total=$(wc -l < "$WORK/numbers")
distinct=$(grep -v null "$WORK/numbers" | sort -u | wc -l)
[ "$total" -eq 50 ] && [ "$distinct" -eq 50 ] || die "numbers: $total listed, $distinct distinct final, expected 50/50"
# Year end on both desktops: every incoming number the hub handed out is used or void,
# exactly once, with no hole from 1 to the highest.
YEAR=$(date +%Y)
for d in VT1 VT2; do
  "$BIN" --data-dir "$WORK/$d" sync numbering --close-year "$YEAR" > "$WORK/$d.close"
  grep -q "Đã khóa sổ năm $YEAR" "$WORK/$d.close" || die "$d: year not closed: $(cat "$WORK/$d.close")"
  "$BIN" --data-dir "$WORK/$d" --json sync numbering |
    jq -r --argjson y "$YEAR" '.voided[] | select(.register == "incoming" and .series == "normal" and .year == $y) | range(.first; .last + 1)' >> "$WORK/numbers"
  if "$BIN" --data-dir "$WORK/$d" incoming register --from 000.00.00.G22 --notation "99/VPCP-KSTT" \
      --date 2026-01-02 --type "Công văn" --subject "Sau khi khóa sổ" > /dev/null 2> "$WORK/$d.closed.err"; then
    die "$d: registered a document in a closed year"
  fi
  grep -q "đã khóa" "$WORK/$d.closed.err" || die "$d: unclear error: $(cat "$WORK/$d.closed.err")"
done
all=$(grep -v null "$WORK/numbers" | sort -n)
[ "$(echo "$all" | uniq -d | wc -l)" -eq 0 ] || die "a number is both used and void, or void twice"
max=$(echo "$all" | tail -1)
[ "$(echo "$all" | wc -l)" -eq "$max" ] || die "holes in 1..$max after closing the year"
echo "71-sync-numbering: 2 passed, 0 failed"
