#!/usr/bin/env bash
# Sign a 50 MB PDF on a SoftHSM2 token: vanthu vs pyHanko (same file, same token, same key),
# then verify the signed 50 MB file. Prints medians of RUNS runs and the ratio.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
PYHANKO="$VANTHU_VENV/bin/pyhanko"
RUNS="${RUNS:-7}"
MB="${MB:-50}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
[ -x "$PYHANKO" ] || die "pyhanko not installed in $VANTHU_VENV"
MODULE="${VANTHU_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tests/fixtures/sign/make-token.sh "$work/tok"
export SOFTHSM2_CONF="$work/tok/softhsm2.conf" VANTHU_PIN=1234 PYHANKO_PKCS11_PIN=1234
python3 bench/sign/make-big-pdf.py "$work/big.pdf" "$MB"
size=$(stat -c %s "$work/big.pdf")

# "wall_ms cpu_ms" of one command (stdout/stderr discarded). CPU time (user+sys) is shown
# too because on a shared, loaded machine wall time mostly measures waiting for a core.
ms() {
  local t TIMEFORMAT='%3R %3U %3S'
  t=$( { time "$@" >/dev/null 2>&1 || die "command failed: $*"; } 2>&1 )
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v c="$1" '{print $c}'; }

cat "$work/big.pdf" >/dev/null # warm the page cache for both tools alike
ours=(); theirs=(); ver=()  # each entry: "wall cpu"
for i in $(seq "$RUNS"); do
  rm -f "$work/o.pdf" "$work/p.pdf"
  ours+=("$(ms "$BIN" sign "$work/big.pdf" -o "$work/o.pdf" --module "$MODULE" --key-label leader-rsa --invisible)")
  theirs+=("$(ms "$PYHANKO" sign addsig --field Sig1 pkcs11 --lib "$MODULE" --token-label vanthu-test --cert-label leader-rsa --key-label leader-rsa "$work/big.pdf" "$work/p.pdf")")
  ver+=("$(ms "$BIN" verify "$work/o.pdf" --json --trust "$work/tok/root.pem")")
done
# Sanity: both outputs are valid signatures, so the comparison is like for like.
"$BIN" verify "$work/o.pdf" --json --trust "$work/tok/root.pem" | jq -e '.signatures[0].valid' >/dev/null || die "our output does not verify"
"$BIN" verify "$work/p.pdf" --json --trust "$work/tok/root.pem" | jq -e '.signatures[0].valid' >/dev/null || die "pyHanko output does not verify"
m() { printf '%s\n' "$@" | col "$c" | median; }
c=1; o=$(m "${ours[@]}"); p=$(m "${theirs[@]}"); v=$(m "${ver[@]}")
c=2; oc=$(m "${ours[@]}"); pc=$(m "${theirs[@]}"); vc=$(m "${ver[@]}")
echo
echo "sign ${size} bytes (${MB} MB) on SoftHSM2, RSA-2048, median of $RUNS (load: $(cut -d' ' -f1 /proc/loadavg)):"
printf '| %-28s | %8s | %8s |\n' tool "wall ms" "cpu ms"
printf '| %-28s | %8s | %8s |\n' "vanthu sign" "$o" "$oc" "pyHanko addsig pkcs11" "$p" "$pc" "vanthu verify (signed file)" "$v" "$vc"
awk -v o="$o" -v p="$p" -v oc="$oc" -v pc="$pc" 'BEGIN { printf "ratio pyHanko/vanthu (sign): %.1fx wall, %.1fx cpu\n", p / o, pc / (oc > 0 ? oc : 1) }'
