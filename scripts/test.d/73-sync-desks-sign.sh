#!/usr/bin/env bash
# Trình ký between two desktops of one unit (docs/sync.md "Several desktops of one unit")
# through the CLI, a hub on loopback and the SoftHSM2 token: B's văn thư desktop (B/VT)
# drafts an outgoing document with a PDF and submits it to the leader's desktop (B/LD); the
# leader signs it from "Chờ ký" with the token; both sync; the clerk's draft is signed with
# the leader's PDF (our verifier and poppler's pdfsig accept it on the CLERK's side), then
# the clerk issues a number and sends it to A. Before that the leader returns it once unsigned
# (trả lại) and the clerk submits it again. Also: a document registered on a Số tạm and
# submitted before the clerk's desktop had number blocks shows its final số đến on the
# leader's mirror once the blocks arrive.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
CORPUS="$VANTHU_SHARED/corpus/pdf-sign"
[ -d "$CORPUS" ] || die "corpus not found: $CORPUS (set VANTHU_SHARED)"
for t in softhsm2-util pdfsig certutil openssl jq python3; do command -v "$t" >/dev/null || die "missing $t"; done
WORK="$(mktemp -d /tmp/vanthu-test-desks-sign.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT

tests/fixtures/sign/make-token.sh "$WORK/token"
export SOFTHSM2_CONF="$WORK/token/softhsm2.conf"
export VANTHU_PKCS11_MODULE="${VANTHU_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
export VANTHU_PIN=1234
ROOT="$WORK/token/root.pem"
NSSDIR="$WORK/nss"; mkdir -p "$NSSDIR"
certutil -N -d "sql:$NSSDIR" --empty-password
certutil -A -d "sql:$NSSDIR" -n vanthu-test-root -t "CT,C,C" -i "$ROOT"

export VANTHU_SECRET_STORE=file
A=000.00.00.H34 B=000.01.20.H34
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HUB="$WORK/hub.sqlite"
"$BIN" --json hub add-agency "$A" --name "UBND Tỉnh Kon Tum" --db "$HUB" | jq -r .secret > "$WORK/a.secret"
"$BIN" --json hub add-agency "$B" --name "Sở Nội vụ" --db "$HUB" > /dev/null
"$BIN" --json hub add-desktop "$B" VT --receiving --db "$HUB" | jq -r .secret > "$WORK/vt.secret"
"$BIN" --json hub add-desktop "$B" LD --db "$HUB" | jq -r .secret > "$WORK/ld.secret"
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
vt() { "$BIN" --data-dir "$WORK/vt" "$@"; }
ld() { "$BIN" --data-dir "$WORK/ld" "$@"; }

# Before the clerk's desktop ever synced it holds no number block: an incoming document
# registered now gets a Số tạm, and is submitted with it.
inc=$(vt --json incoming register --from 000.00.00.G22 --notation 21/VPCP-KSTT --date 2026-01-05 \
  --type "Công văn" --subject "Về việc báo cáo biên chế" | jq -r .id)
vt --json show "$inc" | jq -e '.number == null and .provisional_number == "T-VT-1"' > /dev/null \
  || die "no Số tạm before the first block: $(vt --json show "$inc" | jq '{number, provisional_number}')"
vt sync submit "$inc" --to "$B/LD" > /dev/null

# The clerk's outgoing draft with a PDF, submitted for signature.
doc=$(vt --json outgoing create --notation TTr-SNV --type "Tờ trình" --subject "Tờ trình về việc tuyển dụng công chức" \
  --to "$A" --file "$CORPUS/minimal.pdf" | jq -r .id)
# A secret draft is never submitted, a draft without PDF cannot be signed.
secret=$(vt --json outgoing create --notation TTr-SNV --type "Tờ trình" --subject "Dự thảo mật" --secrecy mật \
  --file "$CORPUS/minimal.pdf" | jq -r .id)
if vt sync submit "$secret" --to "$B/LD" 2> "$WORK/secret.err"; then die "a secret draft was submitted"; fi
grep -q "mật" "$WORK/secret.err" || die "no clear refusal: $(cat "$WORK/secret.err")"
bare=$(vt --json outgoing create --notation TTr-SNV --type "Tờ trình" --subject "Chưa có tệp" | jq -r .id)
if vt sync submit "$bare" --to "$B/LD" 2> /dev/null; then die "a draft without PDF was submitted"; fi
vt sync submit "$doc" --to "$B/LD" --note "Kính trình đồng chí Giám đốc ký" > /dev/null
vt --json show "$doc" | jq -e '.state == "draft"' > /dev/null || die "submitting changed the draft"

sync_once vt   # blocks arrive (the Số tạm resolves), both submissions and the new label go out
sync_once ld
sync_once ld   # a second round changes nothing

# The incoming mirror shows the final số đến, not the Số tạm it was submitted with.
number=$(vt --json show "$inc" | jq -r .number)
[ "$number" != null ] || die "the Số tạm did not resolve on the clerk's desktop"
imid=$(ld --json list --register incoming | jq -r '.hits[0].id')
ld --json show "$imid" > "$WORK/imirror.json"
jq -e --arg n "$number" '.mirror.number_label == $n and .number == null' "$WORK/imirror.json" > /dev/null \
  || die "mirror label not updated to $number: $(jq .mirror "$WORK/imirror.json")"
jq -e --arg n "Văn thư cấp số đến $number (thay Số tạm T-VT-1)" '[.status_events[] | select(.note == $n)] | length == 1' \
  "$WORK/imirror.json" > /dev/null || die "label history: $(jq .status_events "$WORK/imirror.json")"

# The leader's desktop: the draft waits in Chờ ký; only the clerk's desktop may number it.
ld --json sign-queue > "$WORK/queue.json"
[ "$(jq length "$WORK/queue.json")" -eq 1 ] || die "leader's queue: $(cat "$WORK/queue.json")"
mid=$(jq -r '.[0].id' "$WORK/queue.json")
ld --json show "$mid" | jq -e --arg o "$B/VT" '.register == "outgoing" and .state == "draft" and .mirror.origin == $o' > /dev/null \
  || die "the outgoing mirror: $(ld --json show "$mid")"
if ld outgoing issue "$mid" 2> /dev/null; then die "the leader's desktop issued a mirror"; fi
# Trả lại: returned unsigned with a note, it leaves Chờ ký; the clerk sees why and submits again.
ld sync return "$mid" --note "Đề nghị bổ sung căn cứ pháp lý" > /dev/null
[ "$(ld --json sign-queue | jq length)" -eq 0 ] || die "a returned draft is still in Chờ ký"
sync_once ld
sync_once vt
vt --json show "$doc" | jq -e '.state == "draft" and ([.status_events[] | select(.note == "Lãnh đạo trả lại (máy 000.01.20.H34/LD): Đề nghị bổ sung căn cứ pháp lý")] | length == 1)' \
  > /dev/null || die "the return did not reach the clerk: $(vt --json show "$doc" | jq .status_events)"
resub=$(vt --json sync submit "$doc" --to "$B/LD" --note "Đã bổ sung căn cứ" | jq -r .message_id)
case "$resub" in *-r2) ;; *) die "submitted again under $resub, expected a new message id ending in -r2";; esac
sync_once vt
sync_once ld
ld --json sign-queue > "$WORK/queue.json"
[ "$(jq -r '[.[].id] | join(",")' "$WORK/queue.json")" = "$mid" ] || die "the resubmitted draft is not back as the same mirror: $(cat "$WORK/queue.json")"
ld --json sign-queue --sign "$mid" --key-label leader-rsa --trust "$ROOT" > "$WORK/signed.json" 2> "$WORK/sign.err" \
  || die "sign-queue failed: $(cat "$WORK/sign.err")"
jq -e '.[0].outcome.Ok.verification.Ok.signatures[-1] | .valid and .trusted and .intact' "$WORK/signed.json" > /dev/null \
  || die "leader's signature not valid: $(cat "$WORK/signed.json")"
leader_sha=$(ld --json show "$mid" | jq -r '.attachments[-1].sha256')

sync_once ld   # the signed copy goes back
sync_once vt
sync_once vt   # and again: applied once
sync_once ld

vt --json show "$doc" > "$WORK/doc.json"
jq -e '.state == "signed"' "$WORK/doc.json" > /dev/null || die "clerk's draft not signed: $(jq '{state, attachments}' "$WORK/doc.json")"
jq -e '[.attachments[] | select(.file_name == "minimal (đã ký).pdf")] | length == 1' "$WORK/doc.json" > /dev/null \
  || die "signed copy not stored once: $(jq .attachments "$WORK/doc.json")"
sha=$(jq -r '.attachments[-1].sha256' "$WORK/doc.json")
[ "$sha" = "$leader_sha" ] || die "the clerk's signed copy ($sha) differs from the leader's ($leader_sha)"
jq -e '[.status_events[] | select(.to_state == "signed" and (.note // "" | startswith("Lãnh đạo đã ký trên máy 000.01.20.H34/LD")))] | length == 1' \
  "$WORK/doc.json" > /dev/null || die "signing history: $(jq .status_events "$WORK/doc.json")"
pdf=$(find "$WORK/vt" -type f -name "*$sha*" | head -1)
[ -n "$pdf" ] || die "the signed PDF is not in the clerk's blob store"
"$BIN" verify "$pdf" --json --trust "$ROOT" > "$WORK/verify.json"
jq -e '.signatures | length == 1 and (.[0] | .intact and .valid and .trusted and .covers_whole_document)' "$WORK/verify.json" > /dev/null \
  || die "vanthu verify on the clerk's side: $(cat "$WORK/verify.json")"
out="$(pdfsig -nssdir "sql:$NSSDIR" "$pdf" 2>&1 || true)"
grep -q 'Signature Validation: Signature is Valid' <<<"$out" && grep -q 'Certificate is Trusted' <<<"$out" \
  || die "pdfsig on the clerk's side: $out"

# The clerk numbers it and sends it to A.
vt outgoing issue "$doc" > /dev/null
vt --json show "$doc" | jq -e '.state == "issued" and .number != null' > /dev/null || die "not issued"
vt outgoing send "$doc" > /dev/null
sync_once vt
sync_once a
got=$("$BIN" --data-dir "$WORK/a" --json sync list | jq '[.received[] | select(.kind == "edoc")] | length')
[ "$got" -eq 1 ] || die "A received $got document packages, expected 1"
vt audit verify > /dev/null || die "clerk's audit chain broken"
ld audit verify > /dev/null || die "leader's audit chain broken"
echo "73-sync-desks-sign: 1 passed, 0 failed"
