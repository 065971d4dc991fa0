#!/usr/bin/env bash
# Scenario test of `vanthu pdf …` through the real binary: info JSON, render, text, bad input.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"

bin="$CARGO_TARGET_DIR/debug/vanthu"
[ -x "$bin" ] || die "$bin not built"
corpus="$VANTHU_SHARED/corpus/pdf-render"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
check() { # name, then a command that must succeed
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name" >&2; fi
}

"$VANTHU_VENV/bin/python" tests/fixtures/pdf/make_fixtures.py "$tmp/fx" >/dev/null

info=$("$bin" --json pdf info "$corpus/four-pages.pdf")
check "info json" test "$(jq -c . <<<"$info")" = '{"encrypted":false,"pages":4,"signatures":0}'
signed=$("$bin" --json pdf info "$VANTHU_SHARED/corpus/pdf-sign/minimal-signed-twice-second-created.pdf")
check "info signatures" test "$(jq .signatures <<<"$signed")" = 2
owner=$("$bin" --json pdf info "$tmp/fx/owner-only.pdf")
check "info encrypted" test "$(jq .encrypted <<<"$owner")" = true

"$bin" pdf render "$corpus/rotated-90-barcode.pdf" --page 1 --dpi 144 -o "$tmp/p1.png"
check "render png" bash -c "file '$tmp/p1.png' | grep -q 'PNG image data, 288 x 600'"
"$bin" pdf render "$corpus/four-pages.pdf" --all --dpi 50 -o "$tmp/all"
check "render all" test "$(ls "$tmp/all" | wc -l)" = 4
"$bin" pdf render "$corpus/four-pages.pdf" --page 2 --width 300 -o "$tmp/p2.jpg"
check "render jpeg" bash -c "file '$tmp/p2.jpg' | grep -q 'JPEG image data'"

text=$("$bin" pdf text "$tmp/fx/reportlab-vi.pdf" --page 1)
check "text vi" grep -qx "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" <<<"$text"
pw=$(jq -r .password "$tmp/fx/expected-text.json")
text=$("$bin" pdf text "$tmp/fx/password.pdf" --page 3 --password "$pw")
check "text with password" grep -qx "Nguyễn Thị Hường" <<<"$text"

found=$("$bin" --json pdf find "$tmp/fx/reportlab-vi.pdf" "nguyen thi huong")
check "find" test "$(jq -c '[.[].page]' <<<"$found")" = '[2]'

expect_error() { # file, pattern, extra args…
  local file="$1" pattern="$2"; shift 2
  local err rc=0
  err=$("$bin" pdf info "$file" "$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "$pattern" <<<"$err"
}
check "not a pdf" expect_error "$corpus/bad/not-a-pdf.pdf" "not a PDF"
check "truncated" expect_error "$corpus/bad/truncated-half.pdf" "damaged or truncated"
check "password" expect_error "$corpus/bad/encrypted-user-password.pdf" "password is required"
check "wrong password" expect_error "$tmp/fx/password.pdf" "wrong PDF password" --password sai
check "zero pages" expect_error "$corpus/bad/zero-pages.pdf" "no pages"
rc=0; "$bin" pdf render "$tmp/fx/huge-page.pdf" --dpi 150 -o "$tmp/huge.png" 2>"$tmp/err" || rc=$?
check "huge page" bash -c "[ $rc -ne 0 ] && grep -q 'too large' '$tmp/err' && [ ! -e '$tmp/huge.png' ]"
rc=0; VANTHU_PDFIUM=/nonexistent/libpdfium.so "$bin" pdf info "$corpus/four-pages.pdf" 2>"$tmp/err" || rc=$?
check "missing library" bash -c "[ $rc -ne 0 ] && grep -q 'pdfium library not found' '$tmp/err'"

# The demo data set's generated công văn is a real PDF with its Vietnamese text.
"$bin" dev demo-pdf --agency "Văn phòng Chính phủ" --notation "2887/VPCP-KSTT" --date 2019-04-01 \
  --subject "Đôn đốc triển khai gửi, nhận văn bản điện tử" -o "$tmp/demo.pdf" >/dev/null
check "demo pdf" bash -c "'$bin' pdf text '$tmp/demo.pdf' | tr -s ' \n' ' ' | grep -q 'Đôn đốc triển khai gửi, nhận văn bản điện tử'"

echo "pdf cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
