#!/usr/bin/env bash
# PDF rendering benchmark (issue 6). Run by ./scripts/bench pdf (exports VANTHU_BIN).
#  1. all pages of a 50-page mixed corpus at 150 DPI to PNG: vanthu vs pdftoppm vs mutool draw
#  2. time to first page of a 500-page PDF (process start → PNG written)
#  3. peak RSS while rendering the 50 pages
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT"
bin="${VANTHU_BIN:-$CARGO_TARGET_DIR/release/vanthu}"
[ -x "$bin" ] || die "vanthu binary not found: $bin (run ./scripts/bench pdf)"
for t in pdftoppm mutool hyperfine qpdf jq; do command -v "$t" >/dev/null || die "$t missing (scripts/apt-packages.txt)"; done
runs="${BENCH_RUNS:-5}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- inputs: the shared corpus + fixtures of other producers, merged and cycled to 50 pages
"$VANTHU_VENV/bin/python" tests/fixtures/pdf/make_fixtures.py "$work/fx" >/dev/null
"$VANTHU_VENV/bin/python" tests/fixtures/pdf/make_fixtures.py "$work/fx" --pages 500 >/dev/null
srcs=("$VANTHU_SHARED"/corpus/pdf-render/*.pdf "$work"/fx/{reportlab-vi,libreoffice,pikepdf-objstm,scanned,signature-field}.pdf)
args=(); pages=0
while [ "$pages" -lt 50 ]; do
  for f in "${srcs[@]}"; do
    n=$(qpdf --show-npages "$f")
    take=$(( n < 50 - pages ? n : 50 - pages ))
    [ "$take" -gt 0 ] || break
    args+=("$f" "1-$take"); pages=$((pages + take))
  done
done
qpdf --empty --pages "${args[@]}" -- "$work/mixed.pdf"
[ "$(qpdf --show-npages "$work/mixed.pdf")" -eq 50 ] || die "mixed corpus is not 50 pages"
big="$work/fx/many-500.pdf"
mkdir -p "$work/v" "$work/p" "$work/m"

echo "## 50-page mixed corpus, 150 DPI, PNG ($runs runs)"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/all.json" \
  -n vanthu "$bin pdf render $work/mixed.pdf --all --dpi 150 -o $work/v" \
  -n pdftoppm "pdftoppm -r 150 -png $work/mixed.pdf $work/p/p" \
  -n mutool "mutool draw -q -r 150 -o $work/m/p%d.png $work/mixed.pdf" >/dev/null
[ "$(ls "$work/v" | wc -l)" -eq 50 ] || die "vanthu did not write 50 pages"
mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean' "$2"; }
cpu() { jq -r --arg n "$1" '.results[] | select(.command == $n) | (.user + .system)' "$2"; }
# Wall time is the goal; CPU time (user+sys) is printed too because on a loaded machine wall
# time also measures the wait for a core.
python3 - "$(mean vanthu "$work/all.json")" "$(mean pdftoppm "$work/all.json")" "$(mean mutool "$work/all.json")" \
  "$(cpu vanthu "$work/all.json")" "$(cpu pdftoppm "$work/all.json")" "$(cpu mutool "$work/all.json")" <<'PY'
import sys
v, p, m, cv, cp, cm = map(float, sys.argv[1:])
print("| tool | mean wall time | vanthu ratio (wall) | CPU user+sys | vanthu ratio (CPU) |\n|---|---|---|---|---|")
print(f"| vanthu | {v:.3f} s | 1.00 | {cv:.3f} s | 1.00 |")
print(f"| pdftoppm -r 150 -png | {p:.3f} s | {v/p:.2f}× (goal ≤ 1.0×) | {cp:.3f} s | {cv/cp:.2f}× |")
print(f"| mutool draw -r 150 | {m:.3f} s | {v/m:.2f}× (goal ≤ 1.2×) | {cm:.3f} s | {cv/cm:.2f}× |")
PY
echo "output size: vanthu $(du -sk "$work/v" | cut -f1) KiB, pdftoppm $(du -sk "$work/p" | cut -f1) KiB, mutool $(du -sk "$work/m" | cut -f1) KiB"

echo
echo "## time to first page of a 500-page PDF (96 DPI PNG, process start to file written)"
hyperfine -N --warmup 2 --runs $((runs * 4)) --export-json "$work/first.json" \
  -n vanthu "$bin pdf render $big --page 1 --dpi 96 -o $work/first.png" \
  -n pdftoppm "pdftoppm -r 96 -png -f 1 -l 1 -singlefile $big $work/first-p" \
  -n mutool "mutool draw -q -r 96 -o $work/first-m.png $big 1" >/dev/null
fv=$(mean vanthu "$work/first.json"); fp=$(mean pdftoppm "$work/first.json"); fm=$(mean mutool "$work/first.json")
python3 - "$fv" "$fp" "$fm" <<'PY'
import sys
v, p, m = map(float, sys.argv[1:])
print(f"vanthu {v*1000:.0f} ms (goal < 150 ms); pdftoppm {p*1000:.0f} ms ({v/p:.2f}×); mutool {m*1000:.0f} ms ({v/m:.2f}×)")
PY

echo
echo "## peak RSS rendering the 50 pages at 150 DPI"
for cmd in "$bin pdf render $work/mixed.pdf --all --dpi 150 -o $work/v" \
           "pdftoppm -r 150 -png $work/mixed.pdf $work/p/p" \
           "mutool draw -q -r 150 -o $work/m/p%d.png $work/mixed.pdf"; do
  rss=$(/usr/bin/time -f '%M' $cmd 2>&1 >/dev/null | tail -1)
  echo "$(basename "${cmd%% *}"): $((rss / 1024)) MiB"
done
echo "(goal for vanthu: < 300 MB)"
