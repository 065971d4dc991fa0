#!/usr/bin/env bash
# edXML reader throughput and memory on a ~200 MB package (4 large attachments), against
# `xmllint --stream --noout` (libxml2's streaming parser, no decoding) on the same file.
# Prints a table with the ratios; record it in bench/RESULTS.md.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
[ -x "$BIN" ] || die "build the release binary first (scripts/bench does)"
command -v xmllint >/dev/null || die "xmllint missing (apt libxml2-utils)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt time)"
work="$(mktemp -d "${TMPDIR:-/tmp}/vanthu-bench-edxml.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "generating attachments (4 × 37 MiB)"
args=()
for i in 1 2 3 4; do
  head -c $((37 * 1024 * 1024)) /dev/urandom > "$work/dinh-kem-$i.pdf"
  args+=(--attach "$work/dinh-kem-$i.pdf")
done
"$BIN" edxml pack --from-id 000.00.00.H34 --from-name "UBND Tỉnh Kon Tum" --to-id 000.00.00.G22 \
  --number 1 --notation UBND-VP --date 2024-03-05 --subject "Gói tin lớn" "${args[@]}" \
  -o "$work/big.edxml" >/dev/null
rm -f "$work"/dinh-kem-*.pdf
size=$(stat -c %s "$work/big.edxml")
mb=$(python3 -c "print(f'{$size/1e6:.1f}')")
log "package: $mb MB"
cat "$work/big.edxml" > /dev/null   # same page-cache state for every run

# run NAME CMD... → prints "seconds max_rss_kb" (best wall time of 3 runs, RSS of that run)
measure() {
  local best="" rss=""
  for _ in 1 2 3; do
    rm -rf "$work/out"
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" \
      || { cat "$work/stderr.txt" >&2; die "failed: $*"; }
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" \
      | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $wall < $best else 1)"; then
      best=$wall; rss=$kb
    fi
  done
  echo "$best $rss"
}

read -r t_ins r_ins < <(measure "$BIN" edxml inspect "$work/big.edxml" --json)
read -r t_ext r_ext < <(measure "$BIN" edxml extract "$work/big.edxml" -o "$work/out")
# --huge: libxml2 refuses text nodes over 10 MB otherwise (our attachments are one text node).
read -r t_xml r_xml < <(measure xmllint --stream --noout --huge "$work/big.edxml")

python3 - "$size" "$t_ins" "$r_ins" "$t_ext" "$r_ext" "$t_xml" "$r_xml" <<'PY'
import sys
size, t_ins, r_ins, t_ext, r_ext, t_xml, r_xml = sys.argv[1:]
size = int(size)
def row(name, t, r):
    t = max(float(t), 0.001); r = int(r)
    return name, size / 1e6 / t, r / 1024, t
rows = [row("vanthu edxml inspect (decode + sha256)", t_ins, r_ins),
        row("vanthu edxml extract (decode + sha256 + write files)", t_ext, r_ext),
        row("xmllint --stream --noout --huge (peer)", t_xml, r_xml)]
peer = rows[-1]
print(f"\nedXML package: {size/1e6:.1f} MB, 4 attachments (best of 3)\n")
print("| command | MB/s | peak RSS MiB | wall s | throughput vs xmllint | RSS vs xmllint |")
print("|---|---|---|---|---|---|")
for name, mbps, rss, t in rows:
    print(f"| {name} | {mbps:.0f} | {rss:.1f} | {t:.2f} | {mbps/peer[1]:.2f}× | {rss/peer[2]:.2f}× |")
ok = all(r[1] >= 200 and r[2] < 64 for r in rows[:2])
print(f"\ntargets (≥ 200 MB/s, RSS < 64 MiB): {'met' if ok else 'NOT met'}")
PY
