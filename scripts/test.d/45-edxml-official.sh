#!/usr/bin/env bash
# Interop with the official edXML library (EdXML102-0.0.3.jar, com.vnpt.xml.*, the one the
# national axis SDK ships; read from $VANTHU_SHARED/corpus/vxp-sdk/lib, never copied here),
# driven by our harness tests/interop/java/EdxmlInterop.java. docs/national-axis.md.
#  1. official → vanthu: packages the official builders make (new, revocation, update, replace;
#     statuses 01–06, 13, 15, 16) read by `vanthu edxml extract` / `status` with every field
#     and every attachment hash as the harness says they must be;
#  2. vanthu → official: what `vanthu edxml pack` and `status-new` (every code) write is read by
#     the official EdXmlParser / StatusXmlParser with every field as vanthu wrote it;
#  3. through a hub on loopback: the official packages sent to a vanthu unit, which imports
#     them (attachments unzipped, hashes intact) and answers 01 (engine, on arrival), 03–06 and
#     02 (registry transitions via the bridge), 15 (a recall accepted by the bridge) and any
#     code queued by hand (`sync status`); every status package the sender receives is read by
#     the official StatusXmlParser with every field right.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
BIN="${VANTHU_BIN:-$CARGO_TARGET_DIR/debug/vanthu}"
[ -x "$BIN" ] || die "no vanthu binary at $BIN"
LIB="$VANTHU_SHARED/corpus/vxp-sdk/lib"
[ -f "$LIB/EdXML102-0.0.3.jar" ] || die "official edXML library not found in $LIB"
command -v javac > /dev/null || die "javac not found (apt: openjdk-17-jdk-headless)"
WORK="$(mktemp -d /tmp/vanthu-test-official.XXXXXX)"
HUB_PID=""
cleanup() { [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT
fail() { echo "45-edxml-official: FAIL: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); }

javac -encoding UTF-8 -cp "$LIB/*" -d "$WORK/classes" tests/interop/java/EdxmlInterop.java
# The library formats and parses edXML times in the JVM's zone: Vietnam time, as on the axis.
official() { java -Duser.timezone=Asia/Ho_Chi_Minh -cp "$LIB/*:$WORK/classes" EdxmlInterop "$@" 2>> "$WORK/java.log"; }
compare() { python3 tests/interop/compare.py "$@"; }

# ---- 1. official → vanthu -------------------------------------------------------------------
mkdir -p "$WORK/src"
head -c 250000 /dev/urandom > "$WORK/src/7816-VPCP-TTDT.pdf"
printf 'Ghi chú kèm theo văn bản\n' > "$WORK/src/ghi chú.txt"
head -c 40000 /dev/urandom > "$WORK/src/phu-luc.docx"
official build "$WORK/off" "$WORK/src/7816-VPCP-TTDT.pdf" "$WORK/src/ghi chú.txt" "$WORK/src/phu-luc.docx" > /dev/null \
  || fail "harness build: $(tail -5 "$WORK/java.log")"
for kind in new revocation update replace new-7817 revocation-7817 new-7818; do
  "$BIN" --json edxml extract "$WORK/off/$kind.edxml" -o "$WORK/x/$kind" > "$WORK/x-$kind.json" 2> "$WORK/x-$kind.err" \
    || fail "vanthu cannot read the official $kind package: $(cat "$WORK/x-$kind.err")"
  compare "$kind" "$WORK/off/$kind.expect.json" "$WORK/x-$kind.json" --files "$WORK/x/$kind" \
    || fail "the official $kind package does not read right"
  # Extracted files are the originals, byte for byte (the library zips some of them).
  cmp -s "$WORK/src/ghi chú.txt" "$WORK/x/$kind/ghi chú.txt" || fail "$kind: ghi chú.txt differs"
  cmp -s "$WORK/src/7816-VPCP-TTDT.pdf" "$WORK/x/$kind/7816-VPCP-TTDT.pdf" || fail "$kind: pdf differs"
  cmp -s "$WORK/src/phu-luc.docx" "$WORK/x/$kind/phu-luc.docx" || fail "$kind: docx differs"
  # A document is not a status.
  if "$BIN" edxml status "$WORK/off/$kind.edxml" > /dev/null 2>&1; then fail "$kind read as a status"; fi
  ok
done
for code in 01 02 03 04 05 06 13 15 16; do
  f="$WORK/off/status-$code.edxml"
  "$BIN" --json edxml status "$f" > "$WORK/s-$code.json" 2> "$WORK/s-$code.err" \
    || fail "vanthu cannot read the official status $code: $(cat "$WORK/s-$code.err")"
  [ ! -s "$WORK/s-$code.err" ] || fail "status $code read with warnings: $(cat "$WORK/s-$code.err")"
  compare "status-$code" "$WORK/off/status-$code.expect.json" "$WORK/s-$code.json" \
    || fail "the official status $code does not read right"
  # A status is not a document.
  if "$BIN" edxml inspect "$f" > /dev/null 2> "$WORK/err"; then fail "status $code read as a document"; fi
  grep -q "wrong message kind" "$WORK/err" || fail "status $code as a document: $(cat "$WORK/err")"
  ok
done

# ---- 2. vanthu → official -------------------------------------------------------------------
cat > "$WORK/header.json" <<'EOF'
{
  "from": {"organ_id": "000.01.20.H34", "organ_name": "Sở Nội vụ", "organ_in_charge": "UBND Tỉnh Kon Tum",
           "organ_add": "Kon Tum", "email": "snv@kontum.gov.vn", "telephone": "0260 3862 123",
           "fax": "0260 3862 124", "website": "snv.kontum.gov.vn"},
  "to": [{"organ_id": "000.00.00.G22", "organ_name": "Văn phòng Chính phủ", "organ_in_charge": "Chính phủ",
          "organ_add": "Số 1 Hoàng Hoa Thám, Hà Nội", "email": "vpcp@gov.vn", "telephone": "8043100",
          "fax": "048989898789", "website": "vpcp.vn"},
         {"organ_id": "000.00.00.H41", "organ_name": "UBND Tỉnh Nghệ An"}],
  "code": {"number": "412", "notation": "SNV-VP"},
  "promulgation": {"place": "Kon Tum", "date": "2026-03-05"},
  "document_type": {"type": 1, "type_name": "Công văn"},
  "subject": "V/v báo cáo tình hình gửi, nhận văn bản điện tử & <quý I>",
  "content": "Báo cáo số liệu gửi, nhận văn bản điện tử quý I năm 2026.",
  "signer": {"competence": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC", "full_name": "Trần Văn An"},
  "due_date": "2026-03-20",
  "steering_type": 1,
  "to_places": ["Văn phòng Chính phủ", "Lưu: VT, VP"],
  "other_info": {"priority": 1, "sphere_of_promulgation": "Liên thông văn bản quốc gia", "typer_notation": "VP",
                 "promulgation_amount": 2, "page_amount": 3, "appendixes": ["Phụ lục số liệu"]},
  "response_for": [{"organ_id": "000.00.00.G22", "code": "7816/VPCP-TTĐT", "promulgation_date": "2026-03-02",
                    "document_id": "000.00.00.G22,2026/03/02,7816/VPCP-TTĐT"}]
}
EOF
"$BIN" edxml pack --header-json "$WORK/header.json" --attach "$WORK/src/7816-VPCP-TTDT.pdf" \
  --attach "$WORK/src/ghi chú.txt" -o "$WORK/ours.edxml" > /dev/null
"$BIN" --json edxml inspect "$WORK/ours.edxml" > "$WORK/ours.json"
jq -e '.document_id == "000.01.20.H34,2026/03/05,412/SNV-VP" and (.attachments | length) == 2 and .business.doc_type == 0' \
  "$WORK/ours.json" > /dev/null || fail "vanthu's own package: $(cat "$WORK/ours.json")"
official parse-package "$WORK/ours.edxml" > "$WORK/ours.official.json" || fail "official parser: $(tail -5 "$WORK/java.log")"
compare "pack" "$WORK/ours.json" "$WORK/ours.official.json" || fail "the official parser reads vanthu's package differently"
[ "$(jq -r '.attachments[1].sha256' "$WORK/ours.official.json")" = "$(sha256sum "$WORK/src/ghi chú.txt" | cut -d' ' -f1)" ] \
  || fail "attachment hash through the official parser"
ok
for code in 01 02 03 04 05 06 13 15 16; do
  "$BIN" edxml status-new --reply-to "$WORK/ours.edxml" --code "$code" --from-id 000.00.00.G22 \
    --from-name "Văn phòng Chính phủ" --description "Trạng thái $code: đã xử lý & <ghi chú>" \
    --department "Phòng Văn thư - Lưu trữ" --staff "Phạm Minh Châu" --mobile 84910000000 \
    --email chaupm@vpcp.gov.vn --timestamp "2026/03/06 09:02:$code" -o "$WORK/ours-$code.edxml" > /dev/null
  grep -q "<edXML:MessageHeader>" "$WORK/ours-$code.edxml" || fail "status-new $code: not the official header"
  "$BIN" --json edxml status "$WORK/ours-$code.edxml" > "$WORK/ours-$code.json"
  official parse-status "$WORK/ours-$code.edxml" > "$WORK/ours-$code.official.json" \
    || fail "official parser, status $code: $(tail -5 "$WORK/java.log")"
  compare "status-new-$code" "$WORK/ours-$code.json" "$WORK/ours-$code.official.json" \
    || fail "the official parser reads vanthu's status $code differently"
  jq -e --arg c "$code" '.status_code == $c and .timestamp == "2026-03-06T09:02:\($c)+07:00"
    and .response_for.code == "412/SNV-VP" and .response_for.organ_id == "000.01.20.H34"
    and .response_for.promulgation_date == "2026-03-05"
    and .staff.staff == "Phạm Minh Châu" and .staff.email == "chaupm@vpcp.gov.vn" and .staff.mobile == "84910000000"
    and .from.organ_id == "000.00.00.G22"' "$WORK/ours-$code.official.json" > /dev/null \
    || fail "status $code through the official parser: $(cat "$WORK/ours-$code.official.json")"
  ok
done

# ---- 3. through a hub: the engine's and the bridge's statuses, revisions --------------------
export VANTHU_SECRET_STORE=file
A=000.00.00.G22 B=000.01.20.H34 C=000.00.00.H41
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HUB="$WORK/hub.sqlite"
"$BIN" --json hub add-agency "$A" --name "Văn phòng Chính phủ" --db "$HUB" | jq -r .secret > "$WORK/a.secret"
"$BIN" --json hub add-agency "$B" --name "Sở Nội vụ" --db "$HUB" | jq -r .secret > "$WORK/b.secret"
"$BIN" --json hub add-agency "$C" --name "UBND Tỉnh Nghệ An" --db "$HUB" | jq -r .secret > "$WORK/c.secret"
"$BIN" hub serve --listen "127.0.0.1:$PORT" --db "$HUB" > "$WORK/hub.out" 2> "$WORK/hub.log" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$WORK/hub.out" || die "hub did not start: $(cat "$WORK/hub.log")"
"$BIN" --data-dir "$WORK/a" sync setup --hub "http://127.0.0.1:$PORT" --agency "$A" --secret-file "$WORK/a.secret" > /dev/null
"$BIN" --data-dir "$WORK/b" init --agency-code "$B" --agency-name "Sở Nội vụ" > /dev/null
"$BIN" --data-dir "$WORK/b" sync setup --hub "http://127.0.0.1:$PORT" --agency "$B" --name "Sở Nội vụ" --secret-file "$WORK/b.secret" > /dev/null
"$BIN" --data-dir "$WORK/c" sync setup --hub "http://127.0.0.1:$PORT" --agency "$C" --name "UBND Tỉnh Nghệ An" --secret-file "$WORK/c.secret" > /dev/null
sync_once() { timeout 60 "$BIN" --data-dir "$WORK/$1" sync --once 2>> "$WORK/sync.log" || fail "sync of $1: $(tail -3 "$WORK/sync.log")"; }
id_of() { echo "000.00.00.G22,2026/03/02,$1/VPCP-TTĐT"; }
send() { "$BIN" --data-dir "$WORK/a" sync send "$@" | cut -f1; }

m1=$(send --to "$B,$C" --document-id "$(id_of 7816)" "$WORK/off/new.edxml")
m2=$(send --to "$B" --document-id "$(id_of 7817)" "$WORK/off/new-7817.edxml")
m3=$(send --to "$B" --document-id "$(id_of 7818)" "$WORK/off/new-7818.edxml")
sync_once a
sync_once b   # imports the three, 01 for each (engine)
sync_once c   # 01 (engine)
list_b() { "$BIN" --data-dir "$WORK/b" --json list --register incoming; }
doc_of() { list_b | jq -r --arg n "$1/VPCP-TTĐT" '.hits[] | select(.notation == $n) | .id'; }
d1=$(doc_of 7816); d2=$(doc_of 7817); d3=$(doc_of 7818)
[ -n "$d1" ] && [ -n "$d2" ] && [ -n "$d3" ] || fail "B did not import the official packages: $(list_b)"
# The register holds the original files (the library zipped the .txt and the .docx).
"$BIN" --data-dir "$WORK/b" --json show "$d1" > "$WORK/d1.json"
for f in "7816-VPCP-TTDT.pdf" "ghi chú.txt" "phu-luc.docx"; do
  want=$(sha256sum "$WORK/src/$f" | cut -d' ' -f1)
  jq -e --arg s "$want" '[.attachments[] | select(.sha256 == $s)] | length == 1' "$WORK/d1.json" > /dev/null \
    || fail "B's record lacks $f as sent: $(jq -c '[.attachments[] | {file_name, sha256}]' "$WORK/d1.json")"
done
jq -e '.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản (7816)" and .signer == "Nguyễn Văn Bình"
  and .sender_code == "000.00.00.G22" and .document_date == "2026-03-02"' "$WORK/d1.json" > /dev/null \
  || fail "B's record: $(jq -c '{subject, signer, sender_code, document_date}' "$WORK/d1.json")"
ok
# Registry transitions → 03, 04, 05, 06 on the first; 02 on the third; a recall of the second
# before it was registered → 15 (the bridge answers it).
"$BIN" --data-dir "$WORK/b" incoming status "$d1" --to registered > /dev/null
"$BIN" --data-dir "$WORK/b" incoming status "$d1" --to assigned --as leader --note "Giao Phòng Tổ chức cán bộ" \
  --handler "Phòng Tổ chức cán bộ" > /dev/null
"$BIN" --data-dir "$WORK/b" incoming status "$d1" --to in_progress --as handler > /dev/null
"$BIN" --data-dir "$WORK/b" incoming status "$d1" --to completed --as handler > /dev/null
"$BIN" --data-dir "$WORK/b" incoming status "$d3" --to rejected --note "Gửi nhầm đơn vị" > /dev/null
send --op recall --related "$m2" --document-id "$(id_of 7817)" "$WORK/off/revocation-7817.edxml" > /dev/null
sync_once a
sync_once b   # the recall arrives: 15; the statuses queued above leave
sync_once b
# Statuses queued by hand on the engine (C, without a register): every other code.
for code in 02 03 04 05 06 13 15 16; do
  "$BIN" --data-dir "$WORK/c" sync status --code "$code" --description "Mã $code từ UBND Tỉnh Nghệ An" "$m1" > /dev/null
done
sync_once c
sync_once a
"$BIN" --data-dir "$WORK/b" --json show "$d2" | jq -e '.state == "revoked"' > /dev/null || fail "the recall was not applied"

# Every status package A received, read by the official parser.
python3 - "$WORK/a/sync.sqlite" "$WORK/recv" <<'EOF'
import json, os, sqlite3, sys
db, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
rows = sqlite3.connect(db).execute(
    "SELECT message_id, sender, related, status_code, document_id, body FROM inbox WHERE kind = 'status' ORDER BY local_seq")
for i, (mid, sender, related, code, doc, body) in enumerate(rows):
    open(os.path.join(out, f"{i:02d}.edxml"), "wb").write(body)
    json.dump({"sender": sender, "related": related, "status_code": code, "document_id": doc},
              open(os.path.join(out, f"{i:02d}.meta.json"), "w"))
EOF
got=""
for f in "$WORK"/recv/*.edxml; do
  meta="${f%.edxml}.meta.json"
  code=$(jq -r .status_code "$meta"); sender=$(jq -r .sender "$meta"); related=$(jq -r .related "$meta")
  grep -q "<edXML:MessageHeader>" "$f" || fail "a status from $sender ($code) is not in the official form"
  "$BIN" --json edxml status "$f" > "$f.vanthu.json" || fail "vanthu cannot read the status from $sender ($code)"
  official parse-status "$f" > "$f.official.json" || fail "official parser, status from $sender ($code): $(tail -5 "$WORK/java.log")"
  compare "hub-status-$sender-$code" "$f.vanthu.json" "$f.official.json" \
    || fail "the official parser reads the status $code from $sender differently"
  num=7816; [ "$related" = "$m2" ] && num=7817; [ "$related" = "$m3" ] && num=7818
  jq -e --arg c "$code" --arg s "$sender" --arg d "$(id_of $num)" --arg k "$num/VPCP-TTĐT" \
    '.status_code == $c and .from.organ_id == $s and .from.organ_name != null and .timestamp != null
     and .response_for == {"organ_id": "000.00.00.G22", "code": $k, "document_id": $d, "promulgation_date": "2026-03-02"}' \
    "$f.official.json" > /dev/null || fail "status $code from $sender through the official parser: $(cat "$f.official.json")"
  got="$got $sender:$num:$code"
done
for want in "$B:7816:01" "$B:7816:03" "$B:7816:04" "$B:7816:05" "$B:7816:06" "$B:7817:01" "$B:7817:15" \
            "$B:7818:01" "$B:7818:02" "$C:7816:01" "$C:7816:02" "$C:7816:13" "$C:7816:15" "$C:7816:16"; do
  grep -q " $want\b" <<<"$got " || fail "A did not receive status $want (got:$got)"
done
ok
echo "45-edxml-official: $passed passed, 0 failed"
