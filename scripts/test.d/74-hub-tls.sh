#!/usr/bin/env bash
# The hub over HTTPS with a private PKI (docs/hub-api.md "Running", docs/sync.md "HTTPS"):
# openssl makes a throwaway CA and a hub certificate; `vanthu hub serve --tls-cert/--tls-key`
# serves on loopback; a desktop set up with `sync setup --ca-file` sends to another, and one
# set up without the CA file is refused with a message naming --ca-file (nothing sent).
# Plain HTTP to a non-loopback host draws a warning at setup.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
for t in openssl jq python3; do command -v "$t" >/dev/null || die "missing $t"; done
WORK="$(mktemp -d /tmp/vanthu-test-tls.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export VANTHU_SECRET_STORE=file
A=000.00.00.H34
B=000.01.20.H34
passed=0

# A private CA and a hub certificate for 127.0.0.1 / localhost, issued by it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=CA thu nghiem truc" -addext "basicConstraints=critical,CA:true" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2> /dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=truc" \
  -keyout "$WORK/hub.key" -out "$WORK/hub.csr" 2> /dev/null
printf 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$WORK/hub.ext"
openssl x509 -req -in "$WORK/hub.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 2 -extfile "$WORK/hub.ext" -out "$WORK/hub.pem" 2> /dev/null

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --json hub add-agency "$A" --name "UBND Tỉnh Kon Tum" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/a.secret"
"$BIN" --json hub add-agency "$B" --name "Sở Nội vụ" --db "$WORK/hub.sqlite" | jq -r .secret > "$WORK/b.secret"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$WORK/hub.sqlite" \
  --tls-cert "$WORK/hub.pem" --tls-key "$WORK/hub.key" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q "https://127.0.0.1:$PORT" "$WORK/hub.out" || die "hub did not start on HTTPS: $(cat "$WORK/hub.out" "$WORK/hub.log")"

# With the CA file: A sends, B receives.
"$BIN" --data-dir "$WORK/a" sync setup --hub "https://127.0.0.1:$PORT" --agency "$A" \
  --secret-file "$WORK/a.secret" --ca-file "$WORK/ca.pem" > /dev/null
"$BIN" --data-dir "$WORK/b" sync setup --hub "https://localhost:$PORT" --agency "$B" \
  --secret-file "$WORK/b.secret" --ca-file "$WORK/ca.pem" > /dev/null
jq -e '.ca_file | endswith("/ca.pem")' "$WORK/a/sync-settings.json" > /dev/null || die "ca_file not stored"
printf '<edXML><Subject>Văn bản qua HTTPS</Subject></edXML>\n' > "$WORK/doc.edxml"
"$BIN" --data-dir "$WORK/a" sync send --to "$B" "$WORK/doc.edxml" > /dev/null
timeout 60 "$BIN" --data-dir "$WORK/a" sync --once 2> "$WORK/a.err" || die "A could not sync over HTTPS: $(cat "$WORK/a.err")"
grep -q "gửi 1," "$WORK/a.err" || die "A did not send: $(cat "$WORK/a.err")"
timeout 60 "$BIN" --data-dir "$WORK/b" sync --once 2> "$WORK/b.err" || die "B could not sync over HTTPS: $(cat "$WORK/b.err")"
n=$("$BIN" --data-dir "$WORK/b" --json sync list | jq '[.received[] | select(.kind=="edoc")] | length')
[ "$n" -eq 1 ] || die "B holds $n packages over HTTPS, expected 1"
passed=$((passed + 1))

# Without it: the hub's certificate is not trusted, the message says what to do, and the
# package stays queued.
"$BIN" --data-dir "$WORK/c" sync setup --hub "https://127.0.0.1:$PORT" --agency "$A" \
  --secret-file "$WORK/a.secret" > /dev/null
"$BIN" --data-dir "$WORK/c" sync send --to "$B" "$WORK/doc.edxml" > /dev/null
if timeout 60 "$BIN" --data-dir "$WORK/c" sync --once 2> "$WORK/c.err"; then
  die "a desktop without the CA file synced with the hub"
fi
grep -q -- "--ca-file" "$WORK/c.err" || die "unclear refusal: $(cat "$WORK/c.err")"
n=$("$BIN" --data-dir "$WORK/c" --json sync list | jq '[.outbox[] | select(.state=="pending")] | length')
[ "$n" -eq 1 ] || die "the package left the outbox of the untrusting desktop ($n pending)"
passed=$((passed + 1))

# Plain HTTP off loopback is warned about; a CA file that is not one is refused at setup.
"$BIN" --data-dir "$WORK/d" sync setup --hub "http://10.0.0.5:8640" --agency "$A" \
  --secret-file "$WORK/a.secret" > /dev/null 2> "$WORK/d.err"
grep -q "không mã hóa" "$WORK/d.err" || die "no warning for plain HTTP: $(cat "$WORK/d.err")"
if "$BIN" --data-dir "$WORK/e" sync setup --hub "https://127.0.0.1:$PORT" --agency "$A" \
  --secret-file "$WORK/a.secret" --ca-file "$WORK/doc.edxml" 2> "$WORK/e.err" > /dev/null; then
  die "a CA file without certificates was accepted"
fi
grep -q "CA" "$WORK/e.err" || die "unclear CA file error: $(cat "$WORK/e.err")"
passed=$((passed + 1))
echo "74-hub-tls: $passed passed, 0 failed"
