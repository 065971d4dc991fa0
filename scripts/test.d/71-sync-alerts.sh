#!/usr/bin/env bash
# Sender-side view: A sends one package to B and C through a hub on loopback; B syncs (its
# automatic "01 đã đến" goes back), C does not. `vanthu sync alerts --all` must show B's
# latest status 01 and nothing from C; nothing is overdue yet (threshold in hours; the
# overdue logic itself is unit tested with explicit times in crates/sync/src/alerts.rs).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
WORK="$(mktemp -d /tmp/vanthu-test-alerts.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export VANTHU_SECRET_STORE=file
A=000.00.00.H34 B=000.01.20.H34 C=000.02.20.H34
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for x in a:$A b:$B c:$C; do
  "$BIN" --json hub add-agency "${x#*:}" --name "${x%%:*}" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/${x%%:*}.secret"
done
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$WORK/hub.sqlite" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
for x in a:$A b:$B c:$C; do
  "$BIN" --data-dir "$WORK/${x%%:*}" sync setup --hub "http://127.0.0.1:$PORT" --agency "${x#*:}" \
    --secret-file "$WORK/${x%%:*}.secret" > /dev/null
done
printf '<edXML><Subject>Báo cáo</Subject></edXML>\n' > "$WORK/p.edxml"
id=$("$BIN" --data-dir "$WORK/a" sync send --to "$B,$C" "$WORK/p.edxml" | cut -f1)
timeout 60 "$BIN" --data-dir "$WORK/a" sync --once 2> /dev/null
timeout 60 "$BIN" --data-dir "$WORK/b" sync --once 2> /dev/null
timeout 60 "$BIN" --data-dir "$WORK/a" sync --once 2> /dev/null
"$BIN" --data-dir "$WORK/a" --json sync alerts --all > "$WORK/all.json"
jq -e --arg id "$id" --arg b "$B" --arg c "$C" '
  (.recipients | length) == 2 and
  (.recipients[] | select(.recipient == $b) | .message_id == $id and .latest_code == "01" and .alert == null) and
  (.recipients[] | select(.recipient == $c) | .latest_code == null and .alert == null) and
  .overdue_hours == 24' "$WORK/all.json" > /dev/null || die "unexpected alerts view: $(cat "$WORK/all.json")"
"$BIN" --data-dir "$WORK/a" --json sync alerts --after-hours 6 > "$WORK/over.json"
jq -e '.overdue_hours == 6 and (.recipients | length) == 0' "$WORK/over.json" > /dev/null \
  || die "threshold not kept or false alert: $(cat "$WORK/over.json")"
summary=$("$BIN" --data-dir "$WORK/a" sync alerts)
grep -q "Không có cảnh báo (ngưỡng 6 giờ)" <<<"$summary" || die "no plain-text summary: $summary"
if "$BIN" --data-dir "$WORK/a" sync alerts --after-hours 0 2> "$WORK/err"; then die "accepted --after-hours 0"; fi
echo "71-sync-alerts: 4 passed, 0 failed"
