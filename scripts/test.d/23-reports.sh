#!/usr/bin/env bash
# Reports scenario (docs/reports.md): the three reports over the demo register, their figures
# checked against `vanthu list` (an independent path through the register), every output
# format opened by its own reader (jq, unzip, pdffonts/pdftotext), and bad requests refused.
# The exchange figures (signatures, statuses per counterpart) are covered through a real hub
# by crates/core/tests/reports.rs.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
bin_dir="$CARGO_TARGET_DIR/debug"
[ -x "$bin_dir/vanthu" ] || die "build the vanthu binary first"
export PATH="$bin_dir:$PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "reports scenario: $*" >&2; exit 1; }

export VANTHU_DATA_DIR="$work/unit"
bash scripts/demo/seed.sh >/dev/null
period=(--from 01/01/2025 --to 31/12/2025)

# Processing: registered incoming documents of 2025 (not refused, not waiting in the inbox).
vanthu report processing "${period[@]}" --format json >"$work/p.json"
vanthu --json list --register incoming --from-date 2025-01-01 --to-date 2025-12-31 --limit 100000 >"$work/in.json"
expected=$(jq '[.hits[] | select(.state != "rejected" and .state != "received" and .state != "arrived")] | length' "$work/in.json")
got=$(jq '.received_total' "$work/p.json")
[ "$got" -eq "$expected" ] || fail "received_total $got, the register lists $expected"
[ "$got" -gt 0 ] || fail "the demo register has no incoming document in 2025"
sum=$(jq '[.received_by_month[].count] | add' "$work/p.json")
[ "$sum" -eq "$got" ] || fail "months add up to $sum, not $got"
[ "$(jq '.received_by_month | length' "$work/p.json")" -eq 12 ] || fail "not every month of 2025 listed"
kt=$(jq '[.by_handler[] | select(.handler == "Phòng Kinh tế")][0].received' "$work/p.json")
[ "$kt" -ge 1 ] || fail "the assigned demo report is not counted under Phòng Kinh tế"
one=$(vanthu report processing "${period[@]}" --department "phong kinh te" --format json | jq '.received_total')
[ "$one" -eq "$kt" ] || fail "--department gives $one, the handler row says $kt"

# Issuing: numbered outgoing documents dated in 2025.
vanthu report issuing "${period[@]}" --format json >"$work/i.json"
vanthu --json list --register outgoing --from-date 2025-01-01 --to-date 2025-12-31 --limit 100000 >"$work/out.json"
expected=$(jq '[.hits[] | select(.number != null)] | length' "$work/out.json")
got=$(jq '.issued_total' "$work/i.json")
[ "$got" -eq "$expected" ] || fail "issued_total $got, the register lists $expected"
for key in issued_total_per_month issued_electronic_only signed_ratio_internal signed_ratio_external certificates; do
  jq -e "has(\"$key\")" "$work/i.json" >/dev/null || fail "issuing JSON lacks $key"
done

# Statuses: the demo exchanged nothing over a hub, so this unit would not pass yet.
vanthu report statuses "${period[@]}" --format json >"$work/s.json"
[ "$(jq -r '.own.sent' "$work/s.json")" = "Chưa gửi" ] || fail "own row: $(jq -c .own "$work/s.json")"
[ "$(jq -r '.own.note' "$work/s.json")" = "Chưa phản hồi trạng thái" ] || fail "own note"

# The Phụ lục III form: item 1.10 carries the issuing average, contact details stay blank.
vanthu report survey "${period[@]}" --format json >"$work/f.json"
jq -e --argjson n "$expected" '[.items[] | select(.item == "1.10")][0].answer | contains("(\($n) văn bản")' "$work/f.json" >/dev/null \
  || fail "survey 1.10: $(jq -c '.items[] | select(.item == "1.10")' "$work/f.json")"
[ "$(jq -r '.items[] | select(.item == "2") | .answer' "$work/f.json")" = "(đơn vị điền)" ] || fail "survey contact"

# Every format, read back by its own tool. `grep` reads to the end (not `grep -q`): with
# pipefail, a producer still writing when `grep -q` has its match dies of SIGPIPE and fails the check.
vanthu report processing "${period[@]}" >"$work/p.txt"
grep -q "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT VĂN BẢN ĐẾN" "$work/p.txt" || fail "text heading"
grep -q "Từ ngày 01/01/2025 đến ngày 31/12/2025" "$work/p.txt" || fail "text period"
vanthu report processing "${period[@]}" --format csv -o "$work/p.csv"
head -c 3 "$work/p.csv" | od -An -tx1 | grep "ef bb bf" >/dev/null || fail "CSV without BOM"
grep -q "^Phòng Kinh tế,$kt," "$work/p.csv" || fail "CSV handler row"
vanthu report processing "${period[@]}" --format xlsx -o "$work/p.xlsx"
unzip -l "$work/p.xlsx" | grep "xl/worksheets/sheet6.xml" >/dev/null || fail "XLSX without one sheet per table"
vanthu report statuses "${period[@]}" --format pdf -o "$work/s.pdf"
pdfinfo "$work/s.pdf" | grep "841.89 x 595.276" >/dev/null || fail "PDF is not A4 landscape"
pdffonts "$work/s.pdf" | awk 'NR > 2 { if ($(NF-4) != "yes") bad = 1 } END { exit bad }' || fail "PDF font not embedded"
pdftotext "$work/s.pdf" - | grep "BÁO CÁO PHẢN HỒI TRẠNG THÁI VĂN BẢN ĐIỆN TỬ" >/dev/null || fail "PDF text"
pdftotext "$work/s.pdf" - | grep "Trang 1/1" >/dev/null || fail "PDF page number"

# The register books of 2025: a cover page, then the NĐ 30 columns, pages numbered after it.
vanthu register-book incoming --year 2025 -o "$work/book-in.pdf"
pdftotext -f 1 -l 1 "$work/book-in.pdf" - >"$work/cover.txt"
grep -q "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" "$work/cover.txt" || fail "book cover: $(cat "$work/cover.txt")"
registered=$(jq '[.hits[] | select(.arrival_number != null and .secrecy == "normal")] | length' "$work/in.json")
grep -q "Từ số 1 đến số $registered" "$work/cover.txt" || fail "book cover numbers ($registered): $(cat "$work/cover.txt")"
if grep -q "Trang" "$work/cover.txt"; then fail "the cover carries a page number"; fi
pdftotext -f 2 -l 2 "$work/book-in.pdf" - | grep "Trang 1/" >/dev/null || fail "book page numbers"
# Rendered by pdfium (the viewer's engine): the Vietnamese text comes back intact.
vanthu pdf text --page 2 "$work/book-in.pdf" >"$work/book-page.txt"
grep -q "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2025" "$work/book-page.txt" || fail "pdfium text: $(head -3 "$work/book-page.txt")"
grep -q "Đơn vị: UBND tỉnh Kon Tum" "$work/book-page.txt" || fail "pdfium text: unit"
first=$(jq -r '[.hits[] | select(.arrival_number == 1 and .secrecy == "normal")][0].notation' "$work/in.json")
grep -qF "$first" "$work/book-page.txt" || fail "pdfium text: no $first on the first page"
pdftotext -f 2 -l 2 "$work/book-in.pdf" - | grep "Tác giả" >/dev/null || fail "book columns"
vanthu register-book incoming --year 2025 --secret --format csv -o "$work/book-secret.csv"
grep -q ",M1," "$work/book-secret.csv" || fail "the secret book numbers M1…"
vanthu register-book outgoing --year 2025 --format xlsx -o "$work/book-out.xlsx"
unzip -p "$work/book-out.xlsx" xl/worksheets/sheet1.xml | grep "Nguyễn Văn An\|<v>" >/dev/null || fail "outgoing book XLSX"
slip_id=$(jq '[.hits[] | select(.arrival_number != null)][0].id' "$work/in.json")
vanthu processing-slip "$slip_id" -o "$work/slip.pdf"
pdfinfo "$work/slip.pdf" | grep "595.276 x 841.89" >/dev/null || fail "the slip is not A4 portrait"
pdftotext "$work/slip.pdf" - | grep "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" >/dev/null || fail "slip title"
pdftotext "$work/slip.pdf" - | grep "Ý kiến đề xuất của người giải quyết" >/dev/null || fail "slip part 3"

# Archive (nộp lưu): the 2025 incoming book as one package, verified, restored elsewhere with
# the same numbers; a damaged copy fails verification and imports nothing.
vanthu archive export --register incoming --year 2025 --notation 01.VP --title "Văn bản đến năm 2025" \
  -o "$work/ho-so.vtarc" >/dev/null
vanthu archive verify "$work/ho-so.vtarc" | grep "Gói lưu trữ toàn vẹn" >/dev/null || fail "archive verify"
VANTHU_DATA_DIR="$work/archive" vanthu archive import "$work/ho-so.vtarc" >/dev/null
VANTHU_DATA_DIR="$work/archive" vanthu audit verify >/dev/null || fail "restored register's audit chain"
VANTHU_DATA_DIR="$work/archive" vanthu --json list --register incoming --limit 100000 \
  | jq -c '[.hits[] | [.arrival_number, .notation]] | sort' >"$work/restored.json"
jq -c '[.hits[] | select(.arrival_number != null and .secrecy == "normal") | [.arrival_number, .notation]] | sort' \
  "$work/in.json" >"$work/original.json"
cmp -s "$work/restored.json" "$work/original.json" || fail "restored numbers differ from the register's"
python3 - "$work/ho-so.vtarc" "$work/damaged.vtarc" <<'PY'
import sys, zipfile
src, dst = sys.argv[1:]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "van-ban.xml":
            data = data.replace("Văn phòng Chính phủ".encode(), "Văn phòng Chính phủ!".encode(), 1)
        zout.writestr(item, data)
PY
if vanthu archive verify "$work/damaged.vtarc" >"$work/err" 2>&1; then fail "a damaged package verified"; fi
grep -q "sai mã kiểm tra.*van-ban.xml" "$work/err" || fail "damaged package message: $(cat "$work/err")"
if VANTHU_DATA_DIR="$work/archive2" vanthu archive import "$work/damaged.vtarc" 2>/dev/null; then
  fail "a damaged package imported"
fi
[ ! -e "$work/archive2/vanthu.db" ] || [ "$(VANTHU_DATA_DIR="$work/archive2" vanthu --json list --limit 1 | jq '.hits | length')" -eq 0 ] \
  || fail "a refused import left records"

# Refusals: no file for a binary format, a reversed period; nothing written.
if vanthu report issuing --format xlsx 2>"$work/err"; then fail "xlsx to stdout accepted"; fi
grep -q "\-o" "$work/err" || fail "no hint for -o: $(cat "$work/err")"
if vanthu report issuing --from 02/01/2025 --to 01/01/2025 -o "$work/x.csv" --format csv 2>"$work/err"; then
  fail "a reversed period accepted"
fi
grep -q "kỳ báo cáo không hợp lệ" "$work/err" || fail "reversed period message: $(cat "$work/err")"
[ ! -e "$work/x.csv" ] || fail "a refused report left a file"
echo "reports scenario: ok"
