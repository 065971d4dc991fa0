#!/usr/bin/env bash
# Scenario test of `vanthu edxml`: pack → inspect → extract → status-new → status, the JSON
# contract other tools rely on, and the one-line errors for malformed input.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
BIN="$CARGO_TARGET_DIR/debug/vanthu"
DATA=crates/edxml/tests/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "edxml-cli: FAIL: $*" >&2; exit 1; }

# pack from flags + attachments, then inspect
head -c 300000 /dev/urandom > "$work/van-ban.pdf"
printf 'Ghi chú kèm theo\n' > "$work/ghi chú.txt"
"$BIN" edxml pack --from-id 000.00.00.H34 --from-name "UBND Tỉnh Kon Tum" \
  --to-id 000.00.00.G22 --to-id 000.00.00.H41 --number 412 --notation UBND-HCTC \
  --place "Kon Tum" --date 05/03/2024 --type-name "Công văn" \
  --subject "V/v báo cáo quý I" --signer "Trần Văn An" --due-date 2024-03-15 --priority 2 \
  --attach "$work/van-ban.pdf" --attach "$work/ghi chú.txt" -o "$work/pkg.edxml" >/dev/null
"$BIN" edxml inspect "$work/pkg.edxml" --json > "$work/inspect.json"
jq -e '
  .document_id == "000.00.00.H34,2024/03/05,412/UBND-HCTC" and
  .from.organ_id == "000.00.00.H34" and (.from | keys | length) == 8 and
  ([.to[].organ_id] == ["000.00.00.G22","000.00.00.H41"]) and
  .code == {"number":"412","notation":"UBND-HCTC"} and
  .promulgation.date == "2024-03-05" and .due_date == "2024-03-15" and
  .document_type.type_name == "Công văn" and .other_info.priority == 2 and
  .content == null and (.attachments | length) == 2 and
  .attachments[0].name == "van-ban.pdf" and .attachments[0].size == 300000 and
  .attachments[1].name == "ghi chú.txt" and (.trace | length) == 1 and
  .business.doc_type == 0' "$work/inspect.json" >/dev/null || fail "inspect JSON contract"
want=$(sha256sum "$work/van-ban.pdf" | cut -d' ' -f1)
[ "$(jq -r '.attachments[0].sha256' "$work/inspect.json")" = "$want" ] || fail "sha256"

# extract: identical bytes, header.json alongside
"$BIN" edxml extract "$work/pkg.edxml" -o "$work/out" >/dev/null
cmp "$work/van-ban.pdf" "$work/out/van-ban.pdf" || fail "extracted pdf differs"
cmp "$work/ghi chú.txt" "$work/out/ghi chú.txt" || fail "extracted txt differs"
jq -e '.attachments[0].file == "van-ban.pdf"' "$work/out/header.json" >/dev/null || fail "header.json"

# secret documents are refused and nothing is written
if "$BIN" edxml pack --from-id 000.00.00.H34 --notation UBND --secrecy "tối mật" -o "$work/secret.edxml" 2>"$work/err"; then
  fail "secret package accepted"
fi
[ ! -e "$work/secret.edxml" ] || fail "secret package written"
grep -q "secret document refused" "$work/err" || fail "secret error message"

# status-new answering the package, then read it back
"$BIN" edxml status-new --reply-to "$work/pkg.edxml" --code 04 --from-id 000.00.00.G22 \
  --from-name "Văn phòng Chính phủ" --description "Lãnh đạo phân công xử lý" \
  --department "Phòng Văn thư" --staff "Phạm Minh Châu" --mobile 84910000000 \
  --email chaupm@example.gov.vn --timestamp "2019/04/26 08:15:00" -o "$work/status.edxml" >/dev/null
"$BIN" edxml status "$work/status.edxml" --json > "$work/status.json"
jq -e '
  .status_code == "04" and .timestamp == "2019-04-26T08:15:00+07:00" and
  .from.organ_id == "000.00.00.G22" and
  .response_for == {"organ_id":"000.00.00.H34","code":"412/UBND-HCTC","promulgation_date":"2024-03-05","document_id":"000.00.00.H34,2024/03/05,412/UBND-HCTC"} and
  .staff == {"department":"Phòng Văn thư","staff":"Phạm Minh Châu","mobile":"84910000000","email":"chaupm@example.gov.vn"}' \
  "$work/status.json" >/dev/null || fail "status JSON contract"

# hand-written status sample
"$BIN" edxml status "$DATA/status_04.edxml" --json | jq -e '.status_code == "04" and .description != null' >/dev/null \
  || fail "status sample"

# malformed XML: exit ≠ 0, one line naming the line number
if "$BIN" edxml inspect "$DATA/unclosed.edxml" --json >"$work/o" 2>"$work/err"; then fail "malformed accepted"; fi
[ "$(wc -l < "$work/err")" -eq 1 ] || fail "malformed error is not one line"
grep -q "line 14" "$work/err" || fail "malformed error without line number"
[ ! -s "$work/o" ] || fail "output on error"
if "$BIN" edxml inspect "$DATA/xxe.edxml" 2>"$work/err" >/dev/null; then fail "DOCTYPE accepted"; fi
grep -q "DOCTYPE" "$work/err" || fail "DOCTYPE message"

# a broken attachment does not prevent inspection
"$BIN" edxml inspect "$DATA/attachments_tricky.edxml" --json 2>/dev/null \
  | jq -e '.attachments[1].broken != null and .attachments[0].broken == null' >/dev/null || fail "broken attachment"

# the third-party SDK samples, when available
corpus="$VANTHU_SHARED/corpus/edxml-sdk"
if [ -d "$corpus" ]; then
  "$BIN" edxml inspect "$corpus/edoc_new.edxml" --json | jq -e '.attachments[0].size == 270823' >/dev/null \
    || fail "edoc_new"
  if "$BIN" edxml inspect "$corpus/edoc.edxml" 2>"$work/err"; then fail "edoc.edxml accepted"; fi
  grep -q "line 74" "$work/err" || fail "edoc.edxml line"
  "$BIN" edxml extract "$corpus/edoc_new.edxml" -o "$work/sdk" >/dev/null
  ls "$work/sdk"/*.edxml >/dev/null || fail "zipped attachment not unzipped"
else
  echo "note: $corpus missing, SDK samples skipped"
fi
echo "edxml-cli: ok"
