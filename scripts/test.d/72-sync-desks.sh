#!/usr/bin/env bash
# Trình lãnh đạo between two desktops of one unit (docs/sync.md "Several desktops of one
# unit") through the CLI and a hub on loopback, three data dirs: agency A sends a package to
# unit B; B's văn thư desktop (B/VT, receiving) registers it and submits it to the leader's
# desktop (B/LD); the leader's desktop syncs, sees the mirror record (the clerk's số đến, its
# PDF readable) and assigns it; both sync; the clerk's record is assigned with the leader's
# note and handler, and A holds B's statuses 01, 03, 04 once each, in that order.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
PKG="$(cd "$(dirname "$0")/../.." && pwd)/crates/edxml/tests/data/basic.edxml"
WORK="$(mktemp -d /tmp/vanthu-test-desks.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT
export VANTHU_SECRET_STORE=file
A=000.00.00.H34 B=000.01.20.H34
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HUB="$WORK/hub.sqlite"
"$BIN" --json hub add-agency "$A" --name "UBND Tỉnh Kon Tum" --db "$HUB" | jq -r .secret > "$WORK/a.secret"
"$BIN" --json hub add-agency "$B" --name "Sở Nội vụ" --db "$HUB" | jq -r .secret > "$WORK/b.secret"
"$BIN" --json hub add-desktop "$B" VT --receiving --db "$HUB" | jq -r .secret > "$WORK/vt.secret"
"$BIN" --json hub add-desktop "$B" LD --db "$HUB" | jq -r .secret > "$WORK/ld.secret"
desktops=$("$BIN" hub list-desktops "$B" --db "$HUB")
grep -q "$B/VT.*receiving" <<<"$desktops" || die "list-desktops does not show the receiving desktop: $desktops"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$HUB" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
"$BIN" --data-dir "$WORK/a" sync setup --hub "http://127.0.0.1:$PORT" --agency "$A" --secret-file "$WORK/a.secret" > /dev/null
for d in vt:VT ld:LD; do
  dir="$WORK/${d%%:*}"
  "$BIN" --data-dir "$dir" init --agency-code "$B" --agency-name "Sở Nội vụ" > /dev/null
  "$BIN" --data-dir "$dir" sync setup --hub "http://127.0.0.1:$PORT" --agency "$B/${d#*:}" \
    --name "Sở Nội vụ" --secret-file "$WORK/${d%%:*}.secret" > /dev/null
  "$BIN" --data-dir "$dir" sync numbering --desktop "${d#*:}" > /dev/null
done
sync_once() { timeout 60 "$BIN" --data-dir "$WORK/$1" sync --once 2>> "$WORK/sync.log" || die "sync of $1 failed: $(tail -3 "$WORK/sync.log")"; }

# The edXML DocumentId travels as X-Document-Id: B's statuses are matched to it.
msg=$("$BIN" --data-dir "$WORK/a" sync send --to "$B" --document-id "000.00.00.H34,2024/03/05,412/UBND-HCTC" "$PKG" | cut -f1)
sync_once a
sync_once vt   # receives the package (01 queued and sent)
doc=$("$BIN" --data-dir "$WORK/vt" --json list --register incoming | jq -r '.hits[0].id')
[ "$doc" != null ] || die "the clerk's desktop did not receive the package"
"$BIN" --data-dir "$WORK/vt" incoming status "$doc" --to registered > /dev/null
number=$("$BIN" --data-dir "$WORK/vt" --json show "$doc" | jq -r .number)
[ "$number" != null ] || die "registered document has no số đến"
# A secret document is never submitted, even inside the unit.
secret=$("$BIN" --data-dir "$WORK/vt" --json incoming register --from 000.00.00.G22 --notation 9/VPCP-KSTT \
  --date 2026-01-02 --type "Công văn" --subject "Văn bản mật" --secrecy mật | jq -r .id)
if "$BIN" --data-dir "$WORK/vt" sync submit "$secret" --to "$B/LD" 2> "$WORK/secret.err"; then die "a secret document was submitted"; fi
grep -q "mật" "$WORK/secret.err" || die "no clear refusal: $(cat "$WORK/secret.err")"
# Only desktops of this unit.
if "$BIN" --data-dir "$WORK/vt" sync submit "$doc" --to "$A/LD" 2> /dev/null; then die "submitted outside the unit"; fi
"$BIN" --data-dir "$WORK/vt" sync submit "$doc" --to "$B/LD" --note "Kính trình đồng chí Giám đốc" > /dev/null
"$BIN" --data-dir "$WORK/vt" sync submit "$doc" --to "$B/LD" > /dev/null   # again: the same submission
sync_once vt   # 03 to A, the submission to LD
sync_once ld
sync_once ld   # a second round changes nothing
mirror=$("$BIN" --data-dir "$WORK/ld" --json list --register incoming | jq -r '.hits | length')
[ "$mirror" -eq 1 ] || die "the leader's desktop holds $mirror records, expected 1 mirror"
mid=$("$BIN" --data-dir "$WORK/ld" --json list --register incoming | jq -r '.hits[0].id')
"$BIN" --data-dir "$WORK/ld" --json show "$mid" > "$WORK/mirror.json"
jq -e '.state == "registered" and .number == null' "$WORK/mirror.json" > /dev/null || die "mirror: $(cat "$WORK/mirror.json")"
jq -e '[.attachments[] | select(.media_type == "application/pdf")] | length == 1' "$WORK/mirror.json" > /dev/null \
  || die "the mirror has no PDF: $(jq .attachments "$WORK/mirror.json")"
sha=$(jq -r '.attachments[] | select(.media_type == "application/pdf") | .sha256' "$WORK/mirror.json")
find "$WORK/ld" -type f -name "*$sha*" | grep -q . || die "the mirror's PDF is not in the leader's blob store"
jq -e --arg n "$number" --arg o "$B/VT" '.mirror.number_label == $n and .mirror.origin == $o' "$WORK/mirror.json" > /dev/null \
  || die "the mirror does not carry the clerk's số đến: $(jq .mirror "$WORK/mirror.json")"
# The leader assigns the mirror; it gets no number of its own and nothing goes to A from LD.
"$BIN" --data-dir "$WORK/ld" incoming status "$mid" --to assigned --as leader \
  --note "Giao phòng Tổ chức cán bộ xử lý" --handler "Phòng Tổ chức cán bộ" > /dev/null
if "$BIN" --data-dir "$WORK/ld" incoming status "$mid" --to completed --as handler 2> /dev/null; then
  die "a mirror was moved beyond assignment"
fi
sync_once ld
sync_once vt
sync_once vt
sync_once a
"$BIN" --data-dir "$WORK/vt" --json show "$doc" > "$WORK/doc.json"
jq -e '.state == "assigned" and .handler == "Phòng Tổ chức cán bộ"' "$WORK/doc.json" > /dev/null \
  || die "clerk's record not assigned: $(jq '{state, handler}' "$WORK/doc.json")"
[ "$(jq -r .number "$WORK/doc.json")" = "$number" ] || die "the số đến changed"
jq -e '[.status_events[] | select(.to_state == "assigned" and .actor == "leader"
  and .note == "Giao phòng Tổ chức cán bộ xử lý")] | length == 1' "$WORK/doc.json" > /dev/null \
  || die "the leader's assignment is not on the clerk's record once: $(jq .status_events "$WORK/doc.json")"
codes=$("$BIN" --data-dir "$WORK/a" --json sync list | jq -r --arg m "$msg" \
  '[.received[] | select(.kind == "status" and .related == $m) | .status_code] | join(",")')
[ "$codes" = "01,03,04" ] || die "A holds statuses [$codes] from B, expected 01,03,04"
"$BIN" --data-dir "$WORK/vt" audit verify > /dev/null || die "clerk's audit chain broken"
"$BIN" --data-dir "$WORK/ld" audit verify > /dev/null || die "leader's audit chain broken"
echo "72-sync-desks: 1 passed, 0 failed"
