#!/usr/bin/env bash
# Signing interop: our PAdES signatures made on a SoftHSM2 token, checked by pyHanko and
# poppler's pdfsig; our verifier checked against pyHanko-made signatures; tampering, wrong
# PIN, pulled token, bad input, RFC 3161 timestamps from a local TSA.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"

BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
PYHANKO="$VANTHU_VENV/bin/pyhanko"
PY="$VANTHU_VENV/bin/python"
CORPUS="$VANTHU_SHARED/corpus/pdf-sign"
[ -x "$BIN" ] || die "no vanthu binary at $BIN (cargo build first)"
[ -x "$PYHANKO" ] || die "pyhanko not installed in $VANTHU_VENV (scripts/setup)"
[ -d "$CORPUS" ] || die "corpus not found: $CORPUS (set VANTHU_SHARED)"
for t in softhsm2-util pkcs11-tool pdfsig pdftotext qpdf certutil openssl jq; do command -v "$t" >/dev/null || die "missing $t"; done

work="$(mktemp -d)"
tsa_pid=""
cleanup() { [ -n "$tsa_pid" ] && kill "$tsa_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

tok="$work/token"
tests/fixtures/sign/make-token.sh "$tok"
python3 tests/fixtures/sign/make-images.py "$tok"
export SOFTHSM2_CONF="$tok/softhsm2.conf"
export VANTHU_PKCS11_MODULE="${VANTHU_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
export VANTHU_PIN=1234
ROOT="$tok/root.pem"

pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { local what="$1"; shift; if "$@"; then ok; else bad "$what"; fi; }

pyhanko_ok() { # file [extra args] — every signature intact, ours (the last) trusted, per pyHanko
  local f="$1"; shift
  local out
  # pyHanko exits ≠ 0 when any signature is untrusted (foreign CAs in the corpus): judge by its lines.
  out="$("$PYHANKO" sign validate "$@" --trust "$ROOT" --trust-replace "$f" 2>/dev/null || true)"
  [ -n "$out" ] && ! grep -v ':INTACT:' <<<"$out" | grep -q . && tail -n1 <<<"$out" | grep -q ':INTACT:TRUSTED'
}
pyhanko_all_trusted() { # file — every signature intact and trusted
  local out
  out="$("$PYHANKO" sign validate --trust "$ROOT" --trust-replace "$1" 2>/dev/null)" || return 1
  [ -n "$out" ] && ! grep -v ':INTACT:TRUSTED' <<<"$out" | grep -q .
}
# pdfsig trusts what is in an NSS database: one with the test root only.
make_nss() { NSSDIR="$work/nss-$(basename "$(dirname "$1")")"; mkdir -p "$NSSDIR"
  certutil -N -d "sql:$NSSDIR" --empty-password
  certutil -A -d "sql:$NSSDIR" -n vanthu-test-root -t "CT,C,C" -i "$1"; }
make_nss "$ROOT"
pdfsig_ok() { # file n — n signatures, all cryptographically valid, the last (ours) trusted
  local out; out="$(pdfsig -nssdir "sql:$NSSDIR" "$1" 2>&1)" || true
  [ "$(grep -c 'Signature Validation: Signature is Valid' <<<"$out")" -eq "$2" ] &&
    grep 'Certificate Validation' <<<"$out" | tail -n1 | grep -q 'Certificate is Trusted'
}
ours() { "$BIN" verify "$1" --json --trust "$ROOT"; }

# token list: the four identities with their certificates
tl="$("$BIN" token list --json)"
check "token list shows 4 certificates" [ "$(jq '[.tokens[] | select(.label=="vanthu-test") | .certificates[]] | length' <<<"$tl")" -eq 4 ]
check "token list shows the leader's name" grep -q 'Nguyễn Văn An' <<<"$tl"

# 1. Our signatures on every corpus file, RSA and ECDSA, in pyHanko and pdfsig.
for f in "$CORPUS"/*.pdf; do
  n="$(basename "$f" .pdf)"
  extra=()
  [ "$n" = minimal-hybrid-xref-mswordstyle ] && extra=(--no-strict-syntax)
  prior="$(pdfsig "$f" 2>&1 | grep -c 'Signature Validation' || true)"
  for k in leader-rsa leader-ec; do
    o="$work/$n-$k.pdf"
    if ! "$BIN" sign "$f" -o "$o" --key-label "$k" --image "$tok/signature.png" >/dev/null; then
      bad "sign $n with $k"; continue
    fi
    check "original bytes untouched: $n" cmp -s "$f" <(head -c "$(stat -c %s "$f")" "$o")
    check "pyHanko validates $n ($k)" pyhanko_ok "$o" "${extra[@]}"
    check "pdfsig validates $n ($k)" pdfsig_ok "$o" $((prior + 1))
    j="$(ours "$o")"
    check "we verify our own $n ($k)" [ "$(jq '.signatures[-1] | .intact and .valid and .trusted and .covers_whole_document' <<<"$j")" = true ]
    check "level B-B on $n" [ "$(jq -r '.signatures[-1].level' <<<"$j")" = B-B ]
  done
done

# 1a. Other producers (the rendering corpus): scans, photos, forms, PDF/A, CJK, rotated pages.
RENDER="$VANTHU_SHARED/corpus/pdf-render"
for f in "$RENDER"/*.pdf; do
  n="render-$(basename "$f" .pdf)"
  o="$work/$n.pdf"
  if "$BIN" sign "$f" -o "$o" --key-label leader-ec --image "$tok/signature.png" >/dev/null; then
    check "pyHanko validates $n" pyhanko_ok "$o" --no-strict-syntax
    check "pdfsig validates $n" pdfsig_ok "$o" 1
    check "we verify $n" [ "$(ours "$o" | jq '.signatures[-1] | .intact and .valid and .trusted')" = true ]
  else
    bad "sign $n"
  fi
done
for f in "$RENDER"/bad/*.pdf; do
  o="$work/bad-render.pdf"
  if "$BIN" sign "$f" -o "$o" --key-label leader-ec >/dev/null 2>&1; then bad "signed bad $(basename "$f")"; else ok; fi
  check "no output for bad $(basename "$f")" [ ! -e "$o" ]
done

# 1b. Linearized and object-stream variants made by qpdf (catalog and pages compressed).
qpdf --linearize "$CORPUS/minimal-two-pages.pdf" "$work/lin.pdf"
qpdf --object-streams=generate "$CORPUS/minimal-two-fields.pdf" "$work/objstm.pdf"
qpdf --linearize --object-streams=generate "$CORPUS/fontembed.pdf" "$work/linobj.pdf"
for n in lin objstm linobj; do
  for k in leader-rsa org-ec; do
    o="$work/$n-$k-signed.pdf"
    if "$BIN" sign "$work/$n.pdf" -o "$o" --key-label "$k" >/dev/null; then
      check "pyHanko validates qpdf $n ($k)" pyhanko_ok "$o"
      check "pdfsig validates qpdf $n ($k)" pdfsig_ok "$o" 1
      check "qpdf --check accepts $n ($k)" bash -c "qpdf --check \"$o\" >/dev/null 2>&1 || [ \$? -eq 3 ]"
    else
      bad "sign qpdf $n with $k"
    fi
  done
done

# 2. Leader then organisation (seal overlapping) then attachment stamp: all valid.
"$BIN" sign "$CORPUS/minimal-two-pages.pdf" -o "$work/l.pdf" --key-label leader-rsa --image "$tok/signature.png" --rect 100,20,150,60 >/dev/null
"$BIN" sign "$work/l.pdf" -o "$work/lo.pdf" --key-label org-rsa --role organization --seal "$tok/seal.png" >/dev/null
"$BIN" sign "$work/lo.pdf" -o "$work/loa.pdf" --key-label org-ec --role attachment --notation "123/UBND-VP" >/dev/null
check "pyHanko: leader+org+stamp all valid" pyhanko_all_trusted "$work/loa.pdf"
check "pyHanko: three signatures" [ "$("$PYHANKO" sign validate --trust "$ROOT" --trust-replace "$work/loa.pdf" 2>/dev/null | grep -c INTACT)" -eq 3 ]
check "pdfsig: leader+org+stamp all valid" pdfsig_ok "$work/loa.pdf" 3
check "pdfsig: leader+org+stamp all trusted" [ "$(pdfsig -nssdir "sql:$NSSDIR" "$work/loa.pdf" 2>&1 | grep -c 'Certificate is Trusted')" -eq 3 ]
j="$(ours "$work/loa.pdf")"
check "we verify 3 signatures, all valid" [ "$(jq '[.signatures[] | select(.intact and .valid and .trusted)] | length' <<<"$j")" -eq 3 ]
check "not modified after last signature" [ "$(jq '.modified_after_last_signature' <<<"$j")" = false ]
check "earlier signatures do not cover the whole file" [ "$(jq '[.signatures[] | .covers_whole_document] == [false,false,true]' <<<"$j")" = true ]
check "stamp text extractable (embedded font, ToUnicode)" grep -q '123/UBND-VP' <(pdftotext -f 1 -l 1 "$work/loa.pdf" - 2>/dev/null)
check "signer name extractable in Vietnamese" grep -q 'Nguyễn Văn An' <(pdftotext "$work/loa.pdf" - 2>/dev/null)

# 3. We verify pyHanko-made signatures (adbe.pkcs7 and PAdES, RSA and ECDSA).
"$PYHANKO" sign addsig --field PySig pemder --key "$tok/org-rsa.key" --cert "$tok/org-rsa.pem" --no-pass "$CORPUS/minimal.pdf" "$work/py1.pdf" 2>/dev/null
"$PYHANKO" sign addsig --use-pades --field PySig2 pemder --key "$tok/leader-ec.key" --cert "$tok/leader-ec.pem" --no-pass "$work/py1.pdf" "$work/py2.pdf" 2>/dev/null
j="$(ours "$work/py2.pdf")"
check "we verify pyHanko signatures" [ "$(jq '[.signatures[] | select(.intact and .valid and .trusted)] | length' <<<"$j")" -eq 2 ]
check "pyHanko PAdES signature is B-B" [ "$(jq -r '.signatures[1].level' <<<"$j")" = B-B ]
j="$("$BIN" verify "$CORPUS/minimal-signed-twice-second-created.pdf" --json --trust "$ROOT")"
check "foreign CA: valid but not trusted" [ "$(jq '[.signatures[] | select(.valid and (.trusted|not))] | length' <<<"$j")" -eq 2 ]
check "foreign timestamps read" [ "$(jq '[.signatures[] | select(.timestamp_time != null)] | length' <<<"$j")" -eq 2 ]

# 4. One flipped byte inside the signed range → intact false (exit 0, JSON says so).
python3 - "$work/minimal-leader-rsa.pdf" "$work/flip.pdf" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"Hello")
d[i] ^= 0x01
open(sys.argv[2], "wb").write(d)
EOF
j="$(ours "$work/flip.pdf")"; rc=$?
check "flipped byte: exit 0" [ "$rc" -eq 0 ]
check "flipped byte: intact false" [ "$(jq '.signatures[0].intact' <<<"$j")" = false ]
check "flipped byte: valid false" [ "$(jq '.signatures[0].valid' <<<"$j")" = false ]
check "flipped byte: pdfsig sees the digest mismatch" grep -q 'Digest Mismatch' <(pdfsig -nssdir "sql:$NSSDIR" "$work/flip.pdf" 2>&1 || true)
check "flipped byte: pyHanko disagrees too" bash -c "! \"$PYHANKO\" sign validate --trust \"$ROOT\" --trust-replace \"$work/flip.pdf\" >/dev/null 2>&1"

# 5. Modification after signing is flagged.
python3 - "$work/minimal-leader-rsa.pdf" "$work/mod.pdf" <<'EOF'
import re, sys
d = open(sys.argv[1], "rb").read()
startxref = int(re.findall(rb"startxref\s+(\d+)", d)[-1])
size = int(re.findall(rb"/Size (\d+)", d)[-1])
off = len(d)
obj = b"4 0 obj\n<< /Length 44 >>\nstream\nBT /F1 18 Tf 0 0 Td (Changed text) Tj ET    \nendstream\nendobj\n"
xref = len(d) + len(obj)
upd = obj + b"xref\n4 1\n%010d 00000 n\r\ntrailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (off, size, startxref, xref)
open(sys.argv[2], "wb").write(d + upd)
EOF
j="$(ours "$work/mod.pdf")"
check "content change after signing: flagged" [ "$(jq '.modified_after_last_signature' <<<"$j")" = true ]
check "content change after signing: signature itself still intact" [ "$(jq '.signatures[0].intact' <<<"$j")" = true ]

# 6. Bad input: clear error, exit ≠ 0, no output file.
for f in "$CORPUS"/bad/*.pdf; do
  o="$work/bad-out.pdf"
  if "$BIN" sign "$f" -o "$o" --key-label leader-rsa >/dev/null 2>"$work/err"; then bad "signing $(basename "$f") succeeded"; else ok; fi
  check "no output for $(basename "$f")" [ ! -e "$o" ]
  check "one-line error for $(basename "$f")" [ "$(wc -l <"$work/err")" -eq 1 ]
  if "$BIN" verify "$f" --json >/dev/null 2>&1; then bad "verify $(basename "$f") exit 0"; else ok; fi
done
check "encrypted → says encrypted" grep -q 'mã hóa' <("$BIN" sign "$CORPUS/bad/minimal-aes256.pdf" -o "$work/x.pdf" 2>&1 || true)

# 7. Wrong PIN → message with the token's retry state; no output.
out="$(VANTHU_PIN=0000 "$BIN" sign "$CORPUS/minimal.pdf" -o "$work/wp.pdf" --key-label leader-rsa 2>&1)" && bad "wrong PIN accepted" || ok
check "wrong PIN message" grep -q 'sai mã PIN / wrong PIN' <<<"$out"
check "wrong PIN reports retry state" grep -q -E 'lần thử|tries' <<<"$out"
check "wrong PIN: no output" [ ! -e "$work/wp.pdf" ]

# 8. Pulled token: the module reloaded without it.
softhsm2-util --delete-token --token vanthu-test >/dev/null
out="$("$BIN" sign "$CORPUS/minimal.pdf" -o "$work/pt.pdf" --token-label vanthu-test 2>&1)" && bad "signing without token succeeded" || ok
check "pulled token message" grep -q 'không tìm thấy token' <<<"$out"
check "pulled token: no output" [ ! -e "$work/pt.pdf" ]
check "token list empty after pull" [ "$("$BIN" token list --json | jq '[.tokens[] | select(.label=="vanthu-test")] | length')" -eq 0 ]

# 9. B-T: timestamp from a local TSA (127.0.0.1).
tok2="$work/token2"
tests/fixtures/sign/make-token.sh "$tok2"
export SOFTHSM2_CONF="$tok2/softhsm2.conf"
ROOT="$tok2/root.pem"
make_nss "$ROOT"
"$PY" tests/fixtures/sign/tsa.py "$tok2" "$tok2/tsa.port" &
tsa_pid=$!
for _ in $(seq 50); do [ -s "$tok2/tsa.port" ] && break; sleep 0.1; done
"$BIN" sign "$CORPUS/minimal.pdf" -o "$work/bt.pdf" --key-label leader-ec --tsa "http://127.0.0.1:$(cat "$tok2/tsa.port")/" >/dev/null
j="$(ours "$work/bt.pdf")"
check "B-T level" [ "$(jq -r '.signatures[0].level' <<<"$j")" = B-T ]
check "B-T timestamp time present" [ "$(jq -r '.signatures[0].timestamp_time' <<<"$j")" != null ]
check "pyHanko: timestamp token trusted" bash -c "\"$PYHANKO\" sign validate --trust \"$ROOT\" --trust-replace \"$work/bt.pdf\" 2>/dev/null | grep -q 'TIMESTAMP_TOKEN<INTACT:TRUSTED>'"
check "pdfsig: B-T signature valid" pdfsig_ok "$work/bt.pdf" 1
kill "$tsa_pid" 2>/dev/null; wait "$tsa_pid" 2>/dev/null || true; tsa_pid=""
if "$BIN" sign "$CORPUS/minimal.pdf" -o "$work/bt2.pdf" --key-label leader-ec --tsa "http://127.0.0.1:9/" >/dev/null 2>&1; then bad "unreachable TSA accepted"; else ok; fi
check "unreachable TSA: no output" [ ! -e "$work/bt2.pdf" ]

# 10. The registry's "Chờ ký" queue from the command line: one PIN, each result verified,
#     the signed copy stored as the newest attachment and valid for pdfsig.
reg="$work/reg"
"$BIN" --data-dir "$reg" init --agency-code 000.00.00.H34 --agency-name "UBND Tỉnh Kon Tum" >/dev/null
for i in 1 2; do
  "$BIN" --data-dir "$reg" outgoing create --notation UBND-VP --type "Công văn" \
    --subject "Dự thảo $i" --file "$CORPUS/minimal.pdf" >/dev/null
done
q="$("$BIN" --data-dir "$reg" --json sign-queue)"
check "sign-queue lists both drafts" [ "$(jq length <<<"$q")" -eq 2 ]
ids="$(jq -r '[.[].id] | join(",")' <<<"$q")"
if VANTHU_PIN=9999 "$BIN" --data-dir "$reg" sign-queue --sign "$ids" --key-label leader-rsa >/dev/null 2>&1; then
  bad "sign-queue accepted a wrong PIN"
else ok; fi
check "wrong PIN leaves the queue as it was" [ "$("$BIN" --data-dir "$reg" --json sign-queue | jq length)" -eq 2 ]
r="$("$BIN" --data-dir "$reg" --json sign-queue --all --key-label leader-rsa --trust "$ROOT" 2>/dev/null)"
check "sign-queue signs both, each verified valid and trusted" \
  [ "$(jq '[.[] | .outcome.Ok.verification.Ok.signatures[-1] | select(.valid and .trusted and .intact)] | length' <<<"$r")" -eq 2 ]
check "sign-queue is empty afterwards" [ "$("$BIN" --data-dir "$reg" --json sign-queue | jq length)" -eq 0 ]
first="$(jq -r '.[0].id' <<<"$r")"
att="$("$BIN" --data-dir "$reg" --json show "$first" | jq -r '.attachments[-1].file_name')"
check "signed copy stored as the newest attachment" [ "$att" = "minimal (đã ký).pdf" ]

echo "40-sign: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
