#!/usr/bin/env bash
# Sign a 50 MB PDF on a SoftHSM2 token: vanthu vs pyHanko (same file, same token, same key),
# then verify the signed 50 MB file. Also measures, in the same runs, the floor for writing
# the signed file durably: `cp` of the same file plus an fsync of the copy (`sync FILE`).
# Prints medians of RUNS runs, the ratio vanthu/floor and the ratio pyHanko/vanthu.
# BASE_BIN=path/to/older/vanthu also times that binary's signing in the same runs (before/after
# comparisons on a machine whose load changes from one minute to the next).
# PROFILE=1 also prints, for one extra vanthu run, its syscalls (strace -f -c, and the
# reads, writes and fsyncs with their times).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
PYHANKO="$VANTHU_VENV/bin/pyhanko"
RUNS="${RUNS:-7}"
MB="${MB:-50}"
BASE_BIN="${BASE_BIN:-}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
[ -z "$BASE_BIN" ] || [ -x "$BASE_BIN" ] || die "no baseline binary at $BASE_BIN"
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
sign_base() { "$BASE_BIN" sign "$work/big.pdf" -o "$work/b.pdf" --module "$MODULE" --key-label leader-rsa --invisible; }
sign_ours() { "$BIN" sign "$work/big.pdf" -o "$work/o.pdf" --module "$MODULE" --key-label leader-rsa --invisible; }
# The floor: the same bytes copied and made durable (coreutils `sync FILE` is one fsync of
# that file, not of the whole filesystem).
floor_copy() { cp "$work/big.pdf" "$work/f.pdf" && sync "$work/f.pdf"; }
uptime_before="$(uptime)"
ours=(); theirs=(); ver=(); floor=(); base=()  # each entry: "wall cpu"
for i in $(seq "$RUNS"); do
  rm -f "$work/o.pdf" "$work/p.pdf" "$work/f.pdf" "$work/b.pdf"
  floor+=("$(ms floor_copy)")
  [ -z "$BASE_BIN" ] || base+=("$(ms sign_base)")
  ours+=("$(ms sign_ours)")
  theirs+=("$(ms "$PYHANKO" sign addsig --field Sig1 pkcs11 --lib "$MODULE" --token-label vanthu-test --cert-label leader-rsa --key-label leader-rsa "$work/big.pdf" "$work/p.pdf")")
  # pyHanko does not fsync: flush its 50 MB outside the timing so the next run's fsyncs
  # do not pay for it.
  sync "$work/p.pdf"
  ver+=("$(ms "$BIN" verify "$work/o.pdf" --json --trust "$work/tok/root.pem")")
done
uptime_after="$(uptime)"
# Sanity: both outputs are valid signatures, so the comparison is like for like.
"$BIN" verify "$work/o.pdf" --json --trust "$work/tok/root.pem" | jq -e '.signatures[0].valid' >/dev/null || die "our output does not verify"
"$BIN" verify "$work/p.pdf" --json --trust "$work/tok/root.pem" | jq -e '.signatures[0].valid' >/dev/null || die "pyHanko output does not verify"
m() { printf '%s\n' "$@" | col "$c" | median; }
c=1; o=$(m "${ours[@]}"); p=$(m "${theirs[@]}"); v=$(m "${ver[@]}"); f=$(m "${floor[@]}")
c=2; oc=$(m "${ours[@]}"); pc=$(m "${theirs[@]}"); vc=$(m "${ver[@]}"); fc=$(m "${floor[@]}")
# Each run's own vanthu/floor ratio: both were measured seconds apart, so load changes
# between runs cancel out more than in the ratio of the medians.
paired=$(for i in "${!ours[@]}"; do
  awk -v o="${ours[$i]%% *}" -v f="${floor[$i]%% *}" 'BEGIN { printf "%.3f\n", o / (f > 0 ? f : 1) }'
done | median)
echo
echo "sign ${size} bytes (${MB} MB) on SoftHSM2, RSA-2048, median of $RUNS"
echo "uptime before: $uptime_before"
echo "uptime after:  $uptime_after"
printf '| %-28s | %8s | %8s |\n' tool "wall ms" "cpu ms"
printf '| %-28s | %8s | %8s |\n' "floor: cp + fsync" "$f" "$fc"
if [ -n "$BASE_BIN" ]; then
  c=1; bw=$(m "${base[@]}"); c=2; bc=$(m "${base[@]}")
  printf '| %-28s | %8s | %8s |\n' "vanthu sign (BASE_BIN)" "$bw" "$bc"
  awk -v b="$bw" -v f="$f" 'BEGIN { printf "ratio BASE_BIN/floor (sign): %.2fx\n", b / (f > 0 ? f : 1) }'
fi
printf '| %-28s | %8s | %8s |\n' "vanthu sign" "$o" "$oc" "pyHanko addsig pkcs11" "$p" "$pc" "vanthu verify (signed file)" "$v" "$vc"
awk -v o="$o" -v f="$f" -v q="$paired" 'BEGIN { printf "ratio vanthu/floor (sign): %.2fx (median of the per-run ratios: %.2fx; target <= 1.3x)\n", o / (f > 0 ? f : 1), q }'
awk -v o="$o" -v p="$p" -v oc="$oc" -v pc="$pc" 'BEGIN { printf "ratio pyHanko/vanthu (sign): %.1fx wall, %.1fx cpu\n", p / o, pc / (oc > 0 ? oc : 1) }'

if [ "${PROFILE:-0}" = 1 ] && command -v strace >/dev/null; then
  rm -f "$work/o.pdf"
  echo
  echo "profile of one vanthu sign (strace -f -c; time is syscall time, not wall):"
  strace -f -c -o "$work/strace-c" "$BIN" sign "$work/big.pdf" -o "$work/o.pdf" --module "$MODULE" --key-label leader-rsa --invisible >/dev/null 2>&1 || die "strace run failed"
  head -n 25 "$work/strace-c"
  rm -f "$work/o.pdf"
  echo
  echo "file I/O of one vanthu sign (calls, bytes or -, seconds in the call):"
  strace -f -T -e trace=read,pread64,write,pwrite64,copy_file_range,sendfile,fsync,fdatasync,sync_file_range,rename,renameat,renameat2 \
    -o "$work/strace-t" "$BIN" sign "$work/big.pdf" -o "$work/o.pdf" --module "$MODULE" --key-label leader-rsa --invisible >/dev/null 2>&1 || die "strace run failed"
  # Reads/writes of 64 KiB or more (the bulk data path) and every fsync, writeback start
  # and rename, summed per call; a call interrupted by another thread's line is counted
  # where strace shows it resuming.
  awk '/unfinished \.\.\.>$/ { next }
    {
      if ($2 == "<...") call = $3; else { call = $2; sub(/\(.*/, "", call) }
      t = $NF; gsub(/[<>]/, "", t)
      ret = $0; sub(/.*= /, "", ret); sub(/ .*/, "", ret)
      data = call ~ /read|write|copy_file_range|sendfile/
      if (call ~ /fsync|fdatasync|sync_file_range|rename/ || (data && ret + 0 >= 65536)) {
        n[call]++; s[call] += t; if (data) b[call] += ret
      }
    } END { for (c in n) printf "  %-16s %5d calls %12d bytes %8.1f ms\n", c, n[c], b[c], s[c] * 1000 }' "$work/strace-t" | sort

  # The two costs the floor does not have: the token session (process start, module
  # load, login, key lookup, one RSA signature), seen as the time to sign a 1 MB file,
  # and SHA-256 over the whole file, at the best rate this CPU reaches (OpenSSL, SHA-NI).
  python3 bench/sign/make-big-pdf.py "$work/small.pdf" 1
  small=(); for i in $(seq "$RUNS"); do rm -f "$work/s.pdf"
    small+=("$(ms "$BIN" sign "$work/small.pdf" -o "$work/s.pdf" --module "$MODULE" --key-label leader-rsa --invisible)"); done
  c=1; sw=$(m "${small[@]}"); c=2; sc=$(m "${small[@]}")
  echo
  echo "vanthu sign of a 1 MB file (fixed cost): ${sw} ms wall, ${sc} ms cpu (median of $RUNS)"
  if command -v openssl >/dev/null; then
    rate=$(openssl speed -evp sha256 -bytes 1048576 -seconds 1 2>/dev/null | awk '/^sha256/ {sub(/k$/, "", $NF); print $NF * 1000}')
    awk -v r="$rate" -v n="$size" 'BEGIN { printf "SHA-256 at %.2f GB/s (openssl speed): %.1f ms for the file\n", r / 1e9, n / r * 1000 }'
  fi
fi
