#!/usr/bin/env bash
# The official national axis SDK (SDKVXP-2.0.1.jar, com.vpcp.services.*, unmodified; read from
# $VANTHU_SHARED/corpus/vxp-sdk/lib, never copied here) against `vanthu hub serve`'s VXP API
# (/vxp, docs/national-axis.md), driven by tests/interop/java/VxpSdkPeer.java. Văn phòng Chính
# phủ (G22) is the SDK's agency; Sở Nội vụ (H34, a vanthu desktop with a register) syncs over
# /v1 of the same hub, and UBND Tỉnh Nghệ An (H41, a vanthu desktop without one) over the VXP
# API itself, as a unit on a real axis would (`sync setup --vxp-system-id`).
#  1. SDK → vanthu: an official package sent with sendEdoc (twice: one DocId, one delivery)
#     is imported by both; their 01 (and H34's 03 from the register) reach the SDK through
#     getReceivedEdocList(status)/getEdoc, read right by the official StatusXmlParser, and
#     leave the list once marked done; getSentEdocList says both deliveries are done; a recall
#     sent with the SDK is applied by H34 and answered 15.
#  2. vanthu → SDK: a package H41 sends (over VXP) reaches the SDK, the official EdXmlParser
#     reads every field; the SDK's 01 and 03 (StatusXmlBuilder) reach H41 in order, related to
#     its own message id.
#  3. Refusals: a bad signature and a stale timestamp (401), a package naming another sender
#     (From/OrganId ≠ the systemId's agency).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
LIB="$VANTHU_SHARED/corpus/vxp-sdk/lib"
[ -f "$LIB/SDKVXP-2.0.1.jar" ] || die "official VXP SDK not found in $LIB"
command -v javac > /dev/null || die "javac not found (apt: openjdk-17-jdk-headless)"
WORK="$(mktemp -d /tmp/vanthu-test-vxp.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT
fail() { echo "46-vxp-sdk: FAIL: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); }

javac -encoding UTF-8 -cp "$LIB/*" -d "$WORK/classes" tests/interop/java/EdxmlInterop.java tests/interop/java/VxpSdkPeer.java
JAVA=(java -Duser.timezone=Asia/Ho_Chi_Minh -cp "$LIB/*:$WORK/classes")
official() { "${JAVA[@]}" EdxmlInterop "$@" 2>> "$WORK/java.log"; }
compare() { python3 tests/interop/compare.py "$@"; }

export VANTHU_SECRET_STORE=file
A=000.00.00.G22 B=000.01.20.H34 C=000.00.00.H41
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HUB="$WORK/hub.sqlite"
"$BIN" --json hub add-agency "$A" --name "Văn phòng Chính phủ" --db "$HUB" > /dev/null
"$BIN" --json hub add-agency "$B" --name "Sở Nội vụ" --db "$HUB" | jq -r .secret > "$WORK/b.secret"
"$BIN" --json hub add-agency "$C" --name "UBND Tỉnh Nghệ An" --db "$HUB" > /dev/null
"$BIN" --json hub add-vxp-system "$A" --system-id vpcp-edoc --db "$HUB" | jq -r .secret > "$WORK/a.vxp"
"$BIN" --json hub add-vxp-system "$C" --system-id nghean-edoc --db "$HUB" | jq -r .secret > "$WORK/c.vxp"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$HUB" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
ENDPOINT="http://127.0.0.1:$PORT/vxp"
sdk() { "${JAVA[@]}" VxpSdkPeer "$ENDPOINT" vpcp-edoc "$(cat "$WORK/a.vxp")" "$@" 2>> "$WORK/sdk.log"; }
"$BIN" --data-dir "$WORK/b" init --agency-code "$B" --agency-name "Sở Nội vụ" > /dev/null
"$BIN" --data-dir "$WORK/b" sync setup --hub "http://127.0.0.1:$PORT" --agency "$B" --name "Sở Nội vụ" --secret-file "$WORK/b.secret" > /dev/null
"$BIN" --data-dir "$WORK/c" sync setup --hub "$ENDPOINT" --vxp-system-id nghean-edoc --agency "$C" --name "UBND Tỉnh Nghệ An" --secret-file "$WORK/c.vxp" > /dev/null
jq -e '.protocol == "vxp" and .vxp_system_id == "nghean-edoc"' "$WORK/c/sync-settings.json" > /dev/null || fail "H41 is not set up for VXP: $(cat "$WORK/c/sync-settings.json")"
sync_once() { timeout 60 "$BIN" --data-dir "$WORK/$1" sync --once 2>> "$WORK/sync.log" || fail "sync of $1: $(tail -3 "$WORK/sync.log")"; }

mkdir -p "$WORK/src"
head -c 250000 /dev/urandom > "$WORK/src/7816-VPCP-TTDT.pdf"
printf 'Ghi chú kèm theo văn bản\n' > "$WORK/src/ghi chú.txt"
official build "$WORK/off" "$WORK/src/7816-VPCP-TTDT.pdf" "$WORK/src/ghi chú.txt" > /dev/null \
  || fail "harness build: $(tail -5 "$WORK/java.log")"

# ---- the agency list ------------------------------------------------------------------------
sdk agencies > "$WORK/agencies.json" || fail "getAgenciesList: $(tail -3 "$WORK/sdk.log")"
jq -e --arg b "$B" 'map(select(.code == $b and .name == "Sở Nội vụ")) | length == 1' "$WORK/agencies.json" > /dev/null \
  || fail "agency list: $(cat "$WORK/agencies.json")"
ok

# ---- 1. SDK → vanthu ------------------------------------------------------------------------
d1=$(sdk send "$A" "$WORK/off/new.edxml") || fail "sendEdoc: $(tail -5 "$WORK/sdk.log")"
again=$(sdk send "$A" "$WORK/off/new.edxml") || fail "sendEdoc again: $(tail -5 "$WORK/sdk.log")"
[ -n "$d1" ] && [ "$d1" = "$again" ] || fail "a resent package got another DocId: $d1 / $again"
ok
sync_once b
sync_once c
list_b() { "$BIN" --data-dir "$WORK/b" --json list --register incoming; }
[ "$(list_b | jq '[.hits[] | select(.notation == "7816/VPCP-TTĐT")] | length')" = 1 ] \
  || fail "H34 should hold the document once: $(list_b)"
doc1=$(list_b | jq -r '.hits[] | select(.notation == "7816/VPCP-TTĐT") | .id')
"$BIN" --data-dir "$WORK/b" --json show "$doc1" > "$WORK/doc1.json"
for f in "7816-VPCP-TTDT.pdf" "ghi chú.txt"; do
  want=$(sha256sum "$WORK/src/$f" | cut -d' ' -f1)
  jq -e --arg s "$want" '[.attachments[] | select(.sha256 == $s)] | length == 1' "$WORK/doc1.json" > /dev/null \
    || fail "H34's record lacks $f as sent: $(jq -c '[.attachments[] | {file_name, sha256}]' "$WORK/doc1.json")"
done
jq -e --arg a "$A" '.sender_code == $a and .subject == "V/v kết nối, liên thông phần mềm quản lý văn bản (7816)"' \
  "$WORK/doc1.json" > /dev/null || fail "H34's record: $(jq -c '{sender_code, subject}' "$WORK/doc1.json")"
ok
"$BIN" --data-dir "$WORK/b" incoming status "$doc1" --to registered > /dev/null
sync_once b

# The statuses, as the SDK lists and fetches them: 01 from both, then H34's 03.
take_statuses() {
  sdk received status > "$WORK/st.json" || fail "getReceivedEdocList(status): $(tail -3 "$WORK/sdk.log")"
  got=""
  for id in $(jq -r '.[].docId' "$WORK/st.json"); do
    sdk get "$id" "$WORK/st-$id.edxml" || fail "getEdoc $id: $(tail -3 "$WORK/sdk.log")"
    official parse-status "$WORK/st-$id.edxml" > "$WORK/st-$id.json" || fail "official parser, status $id: $(tail -5 "$WORK/java.log")"
    jq -e --arg a "$A" '.response_for.organ_id == $a and .response_for.document_id == "000.00.00.G22,2026/03/02,7816/VPCP-TTĐT"
      and .response_for.code == "7816/VPCP-TTĐT" and .timestamp != null' "$WORK/st-$id.json" > /dev/null \
      || fail "status $id through the official parser: $(cat "$WORK/st-$id.json")"
    got="$got $(jq -r '.from.organ_id + ":" + .status_code' "$WORK/st-$id.json")"
    sdk done "$id" || fail "updateStatus done $id: $(tail -3 "$WORK/sdk.log")"
  done
  echo "$got"
}
got=$(take_statuses)
[ "$got" = " $B:01 $C:01 $B:03" ] && ok || fail "statuses through the SDK, in order: got '$got'"
sdk received status | jq -e 'length == 0' > /dev/null || fail "statuses marked done are still listed"
sdk sent > "$WORK/sent.json" || fail "getSentEdocList: $(tail -3 "$WORK/sdk.log")"
jq -e --arg d "$d1" 'map(select(.senderDocId == $d and .receiveStatus == "done")) | length == 2' "$WORK/sent.json" > /dev/null \
  || fail "sent list: $(cat "$WORK/sent.json")"
ok

# A recall sent with the SDK: applied by H34 (related by DocumentId), answered 15.
d2=$(sdk send "$A" "$WORK/off/new-7817.edxml") || fail "sendEdoc 7817: $(tail -3 "$WORK/sdk.log")"
sync_once b
sdk send "$A" "$WORK/off/revocation-7817.edxml" > /dev/null || fail "sendEdoc recall: $(tail -3 "$WORK/sdk.log")"
sync_once b
sync_once b
sync_once c
doc2=$(list_b | jq -r '.hits[] | select(.notation == "7817/VPCP-TTĐT") | .id')
"$BIN" --data-dir "$WORK/b" --json show "$doc2" | jq -e '.state == "revoked"' > /dev/null || fail "the SDK's recall was not applied"
codes=""
sdk received status > "$WORK/st2.json"
for id in $(jq -r '.[].docId' "$WORK/st2.json"); do
  sdk get "$id" "$WORK/st2-$id.edxml"
  official parse-status "$WORK/st2-$id.edxml" > "$WORK/st2-$id.json"
  codes="$codes $(jq -r '.from.organ_id + ":" + .status_code' "$WORK/st2-$id.json")"
  sdk done "$id"
done
for want in "$B:01" "$B:15" "$C:01"; do
  grep -q " $want\b" <<<"$codes " || fail "the SDK did not receive $want after the recall (got:$codes)"
done
ok

# ---- 2. vanthu → SDK ------------------------------------------------------------------------
cat > "$WORK/header.json" <<EOF
{
  "from": {"organ_id": "$C", "organ_name": "UBND Tỉnh Nghệ An", "organ_in_charge": "UBND Tỉnh Nghệ An"},
  "to": [{"organ_id": "$A", "organ_name": "Văn phòng Chính phủ"}],
  "code": {"number": "55", "notation": "UBND-VX"},
  "promulgation": {"place": "Nghệ An", "date": "2026-03-05"},
  "document_type": {"type": 1, "type_name": "Công văn"},
  "subject": "V/v báo cáo kết nối trục liên thông & <VXP>",
  "signer": {"competence": "TM. ỦY BAN NHÂN DÂN", "position": "CHỦ TỊCH", "full_name": "Lê Văn Cường"},
  "steering_type": 1,
  "other_info": {"priority": 1, "promulgation_amount": 1, "page_amount": 2}
}
EOF
"$BIN" edxml pack --header-json "$WORK/header.json" --attach "$WORK/src/7816-VPCP-TTDT.pdf" -o "$WORK/ours.edxml" > /dev/null
"$BIN" --json edxml inspect "$WORK/ours.edxml" > "$WORK/ours.json"
docid=$(jq -r .document_id "$WORK/ours.json")
m3=$("$BIN" --data-dir "$WORK/c" sync send --to "$A" --document-id "$docid" "$WORK/ours.edxml" | cut -f1)
sync_once c
sdk received edoc > "$WORK/in.json" || fail "getReceivedEdocList(edoc): $(tail -3 "$WORK/sdk.log")"
jq -e --arg c "$C" 'length == 1 and .[0].from == $c and .[0].messageType == "edoc"' \
  "$WORK/in.json" > /dev/null || fail "the SDK's received list: $(cat "$WORK/in.json")"
# The axis names it by its own DocId; H41 keeps which of its messages that is.
d3=$(jq -r '.[0].docId' "$WORK/in.json")
[ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT doc_id FROM sent WHERE local_id = ?", (sys.argv[2],)).fetchone()[0])' "$WORK/c/vxp-ids.sqlite" "$m3")" = "$d3" ] \
  || fail "H41 does not map its message $m3 to the axis's DocId $d3"
sdk get "$d3" "$WORK/got.edxml" || fail "getEdoc $d3: $(tail -3 "$WORK/sdk.log")"
cmp -s "$WORK/ours.edxml" "$WORK/got.edxml" || fail "the package the SDK fetched differs from the one sent"
official parse-package "$WORK/got.edxml" > "$WORK/got.official.json" || fail "official parser: $(tail -5 "$WORK/java.log")"
compare "vxp-pack" "$WORK/ours.json" "$WORK/got.official.json" || fail "the official parser reads vanthu's package differently"
ok
for code in 01 03; do
  "${JAVA[@]}" VxpSdkPeer - - - status-for "$WORK/got.edxml" "$code" "$WORK/reply-$code.edxml" 2>> "$WORK/sdk.log" \
    || fail "status-for $code: $(tail -3 "$WORK/sdk.log")"
  sdk send "$A" "$WORK/reply-$code.edxml" > /dev/null || fail "sendEdoc status $code: $(tail -3 "$WORK/sdk.log")"
done
sdk done "$d3" || fail "updateStatus done $d3"
sdk received edoc | jq -e 'length == 0' > /dev/null || fail "a document marked done is still listed"
sync_once c
got=$(python3 - "$WORK/c/sync.sqlite" "$m3" <<'EOF'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT sender, status_code FROM inbox WHERE kind = 'status' AND related = ? ORDER BY local_seq", (sys.argv[2],))
print(" ".join(f"{s}:{c}" for s, c in rows))
EOF
)
[ "$got" = "$A:01 $A:03" ] || fail "H41 should hold the SDK's 01 then 03 for its document once each: '$got'"
ok

# ---- 3. refusals ----------------------------------------------------------------------------
# A package whose From is H34, sent under G22's systemId.
if sdk send "$A" "$WORK/off/status-01.edxml" > /dev/null; then fail "a package naming another sender was accepted"; fi
grep -q "sender_mismatch\|422" "$WORK/sdk.log" || fail "the refusal does not say why: $(tail -3 "$WORK/sdk.log")"
# Signed by hand: a wrong secret, then the right one with a timestamp an hour old.
signed_call() { # SECRET TIMESTAMP → HTTP status of /getReceivedEdocList
  python3 - "$ENDPOINT" "$1" "$2" <<'EOF'
import hashlib, hmac, json, sys, urllib.request, urllib.error
endpoint, secret, ts = sys.argv[1:]
fields = {"XroadVnpt-timestamp": ts, "XroadVnpt-systemid": "vpcp-edoc", "XroadVnpt-messagetype": "edoc"}
sign = json.dumps(fields, separators=(",", ":"))
req = urllib.request.Request(endpoint + "/getReceivedEdocList", data=b"", method="POST", headers={
    **fields, "XroadVnpt-sign-header": sign, "XroadVnpt-sign-header-key": "timestamp;systemid;messagetype",
    "XroadVnpt-hash-header": hmac.new(secret.encode(), sign.encode(), hashlib.sha256).hexdigest()})
try:
    print(urllib.request.urlopen(req).status)
except urllib.error.HTTPError as e:
    print(e.code)
EOF
}
now=$(TZ=Asia/Ho_Chi_Minh date +%d%m%YT%H%M%S+0000)
old=$(TZ=Asia/Ho_Chi_Minh date -d '-1 hour' +%d%m%YT%H%M%S+0000)
[ "$(signed_call "$(cat "$WORK/a.vxp")" "$now")" = 200 ] || fail "a correctly signed request was refused"
[ "$(signed_call "0000$(cat "$WORK/a.vxp")" "$now")" = 401 ] || fail "a wrong secret was accepted"
[ "$(signed_call "$(cat "$WORK/a.vxp")" "$old")" = 401 ] || fail "a stale timestamp was accepted"
ok
echo "46-vxp-sdk: $passed passed, 0 failed"
