#!/usr/bin/env bash
# Who may say what (docs/sync.md, issue 15 items 1-3), through the CLI and a hub on loopback:
# agencies A (genuine sender), B (receiver), C (attacker with its own hub account) and G (the
# gateway, a relay). Each attack fails with a clear message and nothing written:
#   * C sends a package whose From names A            -> the hub refuses it (sender_mismatch);
#   * C recalls A's document (hub operation / a recall package in its own name) -> refused,
#     B's document unchanged, the refusal listed by `sync list` for the clerk;
#   * C pre-claims A's next DocumentId                 -> A's genuine package still arrives;
#   * a package marked mật in its header, sent with --secrecy thường -> never queued, and the
#     hub refuses it even when a client declares X-Secrecy: thuong.
# And the legitimate case: G (hub set-relay) forwards a package written by A; B's register
# shows A "qua" G.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
PKG="$(cd "$(dirname "$0")/../.." && pwd)/crates/edxml/tests/data/basic.edxml"
WORK="$(mktemp -d /tmp/vanthu-test-trust.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT
export VANTHU_SECRET_STORE=file
A=000.00.00.H34 B=000.01.20.H34 C=000.02.20.H34 G=000.00.00.G22
ID="$A,2024/03/05,412/UBND-HCTC"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HUB="$WORK/hub.sqlite"
for x in a:$A b:$B c:$C; do
  "$BIN" --json hub add-agency "${x#*:}" --name "${x%%:*}" --db "$HUB" | jq -r .secret > "$WORK/${x%%:*}.secret"
done
"$BIN" --json hub add-agency "$G" --name "Trục tỉnh" --db "$HUB" | jq -r .secret > "$WORK/g.secret"
# Relay is an explicit, separate step; listed as such.
"$BIN" hub list-agencies --db "$HUB" | grep "^$G" | grep -q relay && die "a new agency is a relay by default"
"$BIN" hub set-relay "$G" --db "$HUB" > /dev/null
"$BIN" --json hub list-agencies --db "$HUB" | jq -e --arg g "$G" '.[] | select(.code == $g) | .relay' > /dev/null \
  || die "set-relay did not stick"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$HUB" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
for x in a:$A b:$B c:$C g:$G; do
  "$BIN" --data-dir "$WORK/${x%%:*}" sync setup --hub "http://127.0.0.1:$PORT" --agency "${x#*:}" \
    --secret-file "$WORK/${x%%:*}.secret" > /dev/null
done
"$BIN" --data-dir "$WORK/b" init --agency-code "$B" --agency-name "Sở Nội vụ" > /dev/null
sync_once() { timeout 60 "$BIN" --data-dir "$WORK/$1" sync --once 2>> "$WORK/sync.log" || die "sync of $1 failed: $(tail -3 "$WORK/sync.log")"; }
count_b() { "$BIN" --data-dir "$WORK/b" --json list --register incoming | jq '.hits | length'; }
# The sample package (A's 412/UBND-HCTC) with another From, number N (CodeNumber and the
# DocumentId A would give it), BussinessDocType or phạm vi lưu hành.
variant() { # FROM N BUSINESS [SPHERE]
  sed -e "0,/<edXML:OrganId>$A</s//<edXML:OrganId>$1</" -e "s|$ID|$A,2024/03/05,$2/UBND-HCTC|" \
    -e "s|<edXML:CodeNumber>412<|<edXML:CodeNumber>$2<|" \
    -e "s|<edXML:BussinessDocType>0<|<edXML:BussinessDocType>$3<|" \
    -e "s|Liên thông văn bản quốc gia|${4:-Liên thông văn bản quốc gia}|" "$PKG"
}
passed=0

# 1. A forged From: refused by the hub, B receives nothing.
variant "$C" 412 0 > "$WORK/own.edxml"
grep -q "<edXML:OrganId>$C<" "$WORK/own.edxml" || die "variant did not rewrite From"
forged=$("$BIN" --data-dir "$WORK/c" sync send --to "$B" "$PKG" | cut -f1)
sync_once c
"$BIN" --data-dir "$WORK/c" --json sync list > "$WORK/c.json"
jq -e --arg id "$forged" '.outbox[] | select(.package.message_id == $id) | .state == "failed"' "$WORK/c.json" > /dev/null \
  || die "the forged package was not refused: $(jq .outbox "$WORK/c.json")"
jq -r --arg id "$forged" '.outbox[] | select(.package.message_id == $id) | .last_error' "$WORK/c.json" \
  | grep -q "không khớp tài khoản trục" || die "unclear refusal: $(jq .outbox "$WORK/c.json")"
sync_once b
[ "$(count_b)" -eq 0 ] || die "a forged package reached B's register"
passed=$((passed + 1))

# 2. A foreign recall: A's document reaches B; C's recall (hub operation) is forbidden, C's
#    recall package in its own name finds no document of C's; B's document is unchanged.
orig=$("$BIN" --data-dir "$WORK/a" sync send --to "$B" --document-id "$ID" "$PKG" | cut -f1)
sync_once a
sync_once b
[ "$(count_b)" -eq 1 ] || die "A's document did not arrive"
doc=$("$BIN" --data-dir "$WORK/b" --json list --register incoming | jq -r '.hits[0].id')
before=$("$BIN" --data-dir "$WORK/b" --json show "$doc" | jq -c '{state, updated_at, pending_action}')
variant "$C" 412 1 > "$WORK/recall.edxml"
op=$("$BIN" --data-dir "$WORK/c" sync send --op recall --related "$orig" "$WORK/recall.edxml" | cut -f1)
own=$("$BIN" --data-dir "$WORK/c" sync send --to "$B" "$WORK/recall.edxml" | cut -f1)
sync_once c
"$BIN" --data-dir "$WORK/c" --json sync list > "$WORK/c.json"
jq -e --arg id "$op" '.outbox[] | select(.package.message_id == $id) | .state == "failed"' "$WORK/c.json" > /dev/null \
  || die "the hub let C recall A's message: $(jq .outbox "$WORK/c.json")"
sync_once b
after=$("$BIN" --data-dir "$WORK/b" --json show "$doc" | jq -c '{state, updated_at, pending_action}')
[ "$before" = "$after" ] || die "a foreign recall changed B's document: $before -> $after"
"$BIN" --data-dir "$WORK/b" --json sync list > "$WORK/b.json"
jq -e --arg id "$own" '.refused[] | select(.package_id == $id) | .error | test("không tìm thấy văn bản gốc của")' \
  "$WORK/b.json" > /dev/null || die "the refused recall is not listed for the clerk: $(jq .refused "$WORK/b.json")"
listing=$("$BIN" --data-dir "$WORK/b" sync list)
grep -q "không vào sổ" <<<"$listing" || die "sync list does not show refusals: $listing"
passed=$((passed + 1))

# 3. A pre-claimed DocumentId: C sends its own package with A's next DocumentId first; A's
#    genuine package is still registered as A's.
NEXT="$A,2024/03/05,77/UBND-HCTC"
variant "$C" 77 0 > "$WORK/claim.edxml"
"$BIN" --data-dir "$WORK/c" sync send --to "$B" "$WORK/claim.edxml" > /dev/null
sync_once c
sync_once b
variant "$A" 77 0 > "$WORK/next.edxml"
"$BIN" --data-dir "$WORK/a" sync send --to "$B" --document-id "$NEXT" "$WORK/next.edxml" > /dev/null
sync_once a
sync_once b
n=$("$BIN" --data-dir "$WORK/b" --json list --register incoming \
  | jq --arg a "$A" '[.hits[] | select(.sender_code == $a)] | length')
[ "$n" -eq 2 ] || die "A's genuine package was shadowed by C's DocumentId ($n documents from A)"
passed=$((passed + 1))

# 4. Secrecy on the content: a package marked mật is refused whatever --secrecy says.
variant "$A" 78 0 "Mật - Lưu hành nội bộ" > "$WORK/secret.edxml"
before_out=$("$BIN" --data-dir "$WORK/a" --json sync list | jq '.outbox | length')
if "$BIN" --data-dir "$WORK/a" sync send --to "$B" --secrecy thường "$WORK/secret.edxml" 2> "$WORK/secret.err"; then
  die "a package marked mật was queued"
fi
grep -q "độ mật" "$WORK/secret.err" || die "unclear refusal: $(cat "$WORK/secret.err")"
[ "$("$BIN" --data-dir "$WORK/a" --json sync list | jq '.outbox | length')" -eq "$before_out" ] \
  || die "the refused package is in the outbox"
# A client that declares thường anyway: the hub reads the header.
code=$(curl -s -o "$WORK/hub.json" -w '%{http_code}' -u "$A:$(cat "$WORK/a.secret")" \
  -H "X-Message-Id: raw-secret" -H "X-Recipients: $B" -H "X-Secrecy: thuong" \
  --data-binary @"$WORK/secret.edxml" "http://127.0.0.1:$PORT/v1/messages")
[ "$code" = 422 ] && jq -e '.error == "secret_refused"' "$WORK/hub.json" > /dev/null \
  || die "the hub accepted a mật package declared thường: $code $(cat "$WORK/hub.json")"
passed=$((passed + 1))

# 5. The relay: G forwards a package written by A; B's register shows A through G.
variant "$A" 79 0 > "$WORK/relayed.edxml"
"$BIN" --data-dir "$WORK/g" sync send --to "$B" "$WORK/relayed.edxml" > /dev/null
sync_once g
sync_once b
"$BIN" --data-dir "$WORK/b" --json list --register incoming \
  | jq -e --arg a "$A" '.hits[] | select(.notation == "79/UBND-HCTC") | .sender_code == $a and (.sender | test(" \\(qua "))' > /dev/null \
  || die "the relayed document does not name both: $("$BIN" --data-dir "$WORK/b" --json list --register incoming | jq -c '.hits[] | {notation, sender_code, sender}')"
passed=$((passed + 1))

# The hub stored none of the refused packages.
stored=$(sqlite3 "$HUB" "SELECT count(*) FROM messages WHERE message_id IN ('$forged', '$op', 'raw-secret')")
[ "$stored" -eq 0 ] || die "the hub stored $stored refused packages"
echo "74-trust-sender: $passed passed, 0 failed"
