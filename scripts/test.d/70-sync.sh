#!/usr/bin/env bash
# vanthu sync on a terminal: a hub on loopback, agency A sends 30 packages to B; B's
# `vanthu sync --once` runs under a pseudo-terminal (script(1)) and must show the progress
# line "Đang đồng bộ N/M" and the closing summary; a secret document is refused at queueing.
# (The kill -9 / fault-injection scenario is the cargo test crates/cli/tests/sync_chaos.rs.)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
WORK="$(mktemp -d /tmp/vanthu-test-sync.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export VANTHU_SECRET_STORE=file
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --json hub add-agency 000.00.00.H34 --name "UBND Tỉnh Kon Tum" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/a.secret"
"$BIN" --json hub add-agency 000.01.20.H34 --name "Sở Nội vụ" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/b.secret"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$WORK/hub.sqlite" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
"$BIN" --data-dir "$WORK/a" sync setup --hub "http://127.0.0.1:$PORT" --agency 000.00.00.H34 --secret-file "$WORK/a.secret" > /dev/null
"$BIN" --data-dir "$WORK/b" sync setup --hub "http://127.0.0.1:$PORT" --agency 000.01.20.H34 --secret-file "$WORK/b.secret" > /dev/null
mkdir "$WORK/pkgs"
for i in $(seq 1 30); do printf '<edXML><Subject>Văn bản %d</Subject></edXML>\n' "$i" > "$WORK/pkgs/$i.edxml"; done
"$BIN" --data-dir "$WORK/a" sync send --to 000.01.20.H34 "$WORK"/pkgs/*.edxml > /dev/null

# A secret document never enters the outbox.
if "$BIN" --data-dir "$WORK/a" sync send --to 000.01.20.H34 --secrecy "tối mật" "$WORK/pkgs/1.edxml" 2> "$WORK/secret.err"; then
  die "a tối mật document was queued"
fi
grep -q "mật" "$WORK/secret.err" || die "unclear refusal: $(cat "$WORK/secret.err")"

timeout 60 "$BIN" --data-dir "$WORK/a" sync --once 2> "$WORK/a.err"
grep -q "gửi 30," "$WORK/a.err" || die "A did not send 30: $(cat "$WORK/a.err")"
# Under a pseudo-terminal the progress line is rewritten in place.
timeout 60 script -qec "$BIN --data-dir $WORK/b sync --once" /dev/null > "$WORK/b.tty"
grep -q "Đang đồng bộ 30/" "$WORK/b.tty" || die "no progress line on the terminal: $(cat -v "$WORK/b.tty")"
grep -q "nhận 30," "$WORK/b.tty" || die "B did not receive 30: $(cat -v "$WORK/b.tty")"
n=$("$BIN" --data-dir "$WORK/b" --json sync list | jq '[.received[] | select(.kind=="edoc")] | length')
[ "$n" -eq 30 ] || die "B holds $n packages, expected 30"
# A second round moves nothing and duplicates nothing.
timeout 60 "$BIN" --data-dir "$WORK/b" sync --once 2> "$WORK/b2.err"
grep -q "nhận 0," "$WORK/b2.err" || die "second round received again: $(cat "$WORK/b2.err")"
echo "70-sync: 3 passed, 0 failed"
