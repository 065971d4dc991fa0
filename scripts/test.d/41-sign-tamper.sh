#!/usr/bin/env bash
# Tampered PDFs: updates appended after a signature that change what a reader sees (a new
# catalog and page tree that keep the signature field, an annotation covering the page, a
# rewritten content stream) and permitted ones (a second signature, a DSS update), on
# files signed by vanthu (SoftHSM2 token) and by pyHanko. `vanthu verify` must agree with
# pyHanko's difference analysis on every signature of every file. Then the certificate
# rules (an issuer that is no CA, a signer certificate not for signing) and CRL revocation
# (--crl and the data directory's trust/ folder) through the CLI.
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
for t in softhsm2-util pkcs11-tool openssl jq; do command -v "$t" >/dev/null || die "missing $t"; done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tok="$work/token"
tests/fixtures/sign/make-token.sh "$tok"
tests/fixtures/sign/make-bad-certs.sh "$tok"
export SOFTHSM2_CONF="$tok/softhsm2.conf"
export VANTHU_PKCS11_MODULE="${VANTHU_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
export VANTHU_PIN=1234
ROOT="$tok/root.pem"
DATA="$work/data" # an empty data directory: no trust folder of the user's leaks in

pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { local what="$1"; shift; if "$@"; then ok; else bad "$what"; fi; }

ours() { "$BIN" --data-dir "$DATA" verify "$@" --json; }
# "field modified intact" per signature, sorted: pyHanko's lines look like
# Sig1:<hash>:INTACT:TRUSTED,EXTENDED_WITH_OTHER,ILLEGAL_MODIFICATIONS
py_lines() {
  "$PYHANKO" sign validate --trust "$ROOT" --trust-replace "$1" 2>/dev/null |
    awk -F: '/:(INTACT|TAMPERED)/ { print $1, (/ILLEGAL_MODIFICATIONS/ ? "true" : "false"), (/:INTACT:/ ? "true" : "false") }' |
    sort || true
}
our_lines() { ours "$1" --trust "$ROOT" | jq -r '.signatures[] | "\(.field) \(.modified_after) \(.intact)"' | sort; }
verdicts=()
agree() { # file expected(tampered|clean)
  local f="$1" want="$2" py us top
  py="$(py_lines "$f")"; us="$(our_lines "$f")"
  top="$(ours "$f" --trust "$ROOT" | jq -r .modified_after_last_signature)"
  verdicts+=("$(basename "$f" .pdf): pyHanko [$(tr '\n' ';' <<<"$py")] vanthu [$(tr '\n' ';' <<<"$us")]")
  check "$(basename "$f"): pyHanko gave a verdict" [ -n "$py" ]
  check "$(basename "$f"): vanthu agrees with pyHanko ($py | $us)" [ "$py" = "$us" ]
  if [ "$want" = tampered ]; then
    check "$(basename "$f"): modified after signing" [ "$top" = true ]
    check "$(basename "$f"): Vietnamese problem line" \
      grep -q 'không bao phủ toàn bộ tệp: sau khi ký, tệp bị sửa' <("$BIN" --data-dir "$DATA" verify "$f" --trust "$ROOT")
  else
    check "$(basename "$f"): not modified" [ "$top" = false ]
  fi
}

# Signed bases: vanthu on the token (classic xref and xref stream), pyHanko with the same
# identities' PEM keys.
"$BIN" sign "$CORPUS/minimal.pdf" -o "$work/v1.pdf" --key-label leader-rsa >/dev/null
"$BIN" sign "$CORPUS/minimal-xref.pdf" -o "$work/v2.pdf" --key-label leader-ec >/dev/null
"$PYHANKO" sign addsig --field PySig pemder --key "$tok/leader-rsa.key" --cert "$tok/leader-rsa.pem" \
  --no-pass "$CORPUS/minimal.pdf" "$work/p1.pdf" 2>/dev/null
"$PYHANKO" sign addsig --use-pades --field PySig pemder --key "$tok/leader-ec.key" --cert "$tok/leader-ec.pem" \
  --no-pass "$CORPUS/minimal-two-pages.pdf" "$work/p2.pdf" 2>/dev/null

for b in v1 v2 p1 p2; do
  base="$work/$b.pdf"
  agree "$base" clean
  for m in swap-catalog overlay content; do
    "$PY" tests/fixtures/sign/tamper.py "$m" "$base" "$work/$b-$m.pdf"
    agree "$work/$b-$m.pdf" tampered
  done
  "$PY" tests/fixtures/sign/tamper.py dss "$base" "$work/$b-dss.pdf" "$tok/leader-rsa.der" "$tok/root.der"
  agree "$work/$b-dss.pdf" clean
  # A second signature by each tool, on each tool's file.
  "$BIN" sign "$base" -o "$work/$b-second-v.pdf" --key-label org-ec >/dev/null
  agree "$work/$b-second-v.pdf" clean
  "$PYHANKO" sign addsig --field PySig2 pemder --key "$tok/org-rsa.key" --cert "$tok/org-rsa.pem" \
    --no-pass "$base" "$work/$b-second-p.pdf" 2>/dev/null
  agree "$work/$b-second-p.pdf" clean
done
# A tampering update hidden under a later, legitimate signature breaks the first one only.
"$BIN" sign "$work/v1-overlay.pdf" -o "$work/v1-overlay-resigned.pdf" --key-label org-rsa >/dev/null
agree "$work/v1-overlay-resigned.pdf" tampered
check "resigned: the later signature itself is fine" \
  [ "$(ours "$work/v1-overlay-resigned.pdf" --trust "$ROOT" | jq '[.signatures[] | .modified_after] == [true,false]')" = true ]

# Certificate rules: pyHanko signs with certificates we made wrong on purpose; both
# verifiers find the signature intact but do not trust it.
"$PYHANKO" sign addsig --field S pemder --key "$tok/org-rsa.key" --cert "$tok/nonca-issued.pem" \
  --chain "$tok/leader-rsa.pem" --no-pass "$CORPUS/minimal.pdf" "$work/nonca.pdf" 2>/dev/null
"$PYHANKO" sign addsig --field S pemder --key "$tok/leader-rsa.key" --cert "$tok/no-ku.pem" \
  --no-pass "$CORPUS/minimal.pdf" "$work/noku.pdf" 2>/dev/null
for n in nonca noku; do
  check "$n: pyHanko does not trust it" grep -q ':INTACT:UNTRUSTED' <("$PYHANKO" sign validate --trust "$ROOT" --trust-replace "$work/$n.pdf" 2>/dev/null || true)
  check "$n: vanthu finds it intact but not trusted" \
    [ "$(ours "$work/$n.pdf" --trust "$ROOT" | jq '.signatures[0] | .intact and .valid and (.trusted | not)')" = true ]
done
check "nonca: says the issuer is no CA" grep -q 'không phải CA' <("$BIN" --data-dir "$DATA" verify "$work/nonca.pdf" --trust "$ROOT")
check "noku: names the key usage" grep -q 'keyUsage' <("$BIN" --data-dir "$DATA" verify "$work/noku.pdf" --trust "$ROOT")

# Revocation: the root's CRL lists leader-rsa. Given with --crl, or placed in trust/.
j="$(ours "$work/v1.pdf" --trust "$ROOT" --crl "$tok/revoke-leader-rsa.crl")"
check "--crl: revoked signer is not valid" [ "$(jq '.signatures[0] | .intact and (.valid | not) and (.trusted | not)' <<<"$j")" = true ]
check "--crl: says revoked" grep -q 'thu hồi' <("$BIN" --data-dir "$DATA" verify "$work/v1.pdf" --trust "$ROOT" --crl "$tok/revoke-leader-rsa.crl")
j="$(ours "$work/v1.pdf" --trust "$ROOT" --crl "$tok/forged-revoke-leader-rsa.crl" --crl "$tok/empty.crl")"
check "a CRL not signed by the issuer revokes nothing" [ "$(jq '.signatures[0] | .valid and .trusted' <<<"$j")" = true ]
check "another signer is not affected" [ "$(ours "$work/v2.pdf" --trust "$ROOT" --crl "$tok/revoke-leader-rsa.crl" | jq '.signatures[0].trusted')" = true ]
mkdir -p "$work/data2/trust"
cp "$ROOT" "$work/data2/trust/root.pem"
j="$("$BIN" --data-dir "$work/data2" verify "$work/v1.pdf" --json)"
check "trust/ folder: anchors read" [ "$(jq '.signatures[0].trusted' <<<"$j")" = true ]
cp "$tok/revoke-leader-rsa.crl" "$work/data2/trust/"
j="$("$BIN" --data-dir "$work/data2" verify "$work/v1.pdf" --json)"
check "trust/ folder: CRL applied" [ "$(jq '.signatures[0] | (.valid | not) and (.trusted | not)' <<<"$j")" = true ]
# pyHanko with the same CRL (no fetching) agrees that the signer is revoked.
check "pyHanko agrees the signer is revoked" "$PY" - "$work/v1.pdf" "$ROOT" "$tok/revoke-leader-rsa.crl" <<'EOF'
import logging, sys
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule)
logging.disable(logging.CRITICAL)  # the revocation is logged with a traceback
pdf, root, crl_file = sys.argv[1:4]
# Our test certificates name no CRL distribution point: ask for the CRL explicitly.
policy = CertRevTrustPolicy(RevocationCheckingPolicy(
    ee_certificate_rule=RevocationCheckingRule.CRL_REQUIRED,
    intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK))
vc = ValidationContext(trust_roots=[load_cert_from_pemder(root)], revinfo_policy=policy,
                       crls=[open(crl_file, "rb").read()], allow_fetching=False)
with open(pdf, "rb") as f:
    st = validate_pdf_signature(PdfFileReader(f).embedded_signatures[0], vc)
sys.exit(0 if st.intact and not st.trusted and st.revoked else 1)
EOF

printf '%s\n' "${verdicts[@]}"
echo "41-sign-tamper: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
