#!/usr/bin/env bash
# Seeds the demo data set into $VANTHU_DATA_DIR once (idempotent: skipped when present).
set -euo pipefail
[ -f "$VANTHU_DATA_DIR/.demo-seeded" ] && exit 0
mkdir -p "$VANTHU_DATA_DIR"
echo "demo data dir: $VANTHU_DATA_DIR"
export VANTHU_USER="${VANTHU_USER:-văn thư (demo)}"

# --- registers (vanthu-registry) ---------------------------------------------------------
# The demo unit is the provincial People's Committee; its units below are demo entries.
vanthu init --agency-code 000.00.00.H34 --agency-name "UBND tỉnh Kon Tum"
vanthu agency add --code 000.00.20.H34 --name "Sở Thông tin và Truyền thông tỉnh Kon Tum (demo)" >/dev/null
vanthu agency add --code 000.00.21.H34 --name "Sở Nội vụ tỉnh Kon Tum (demo)" >/dev/null
# A year of registers from the synthetic generator (real senders, realistic subjects)…
vanthu dev gen-demo --count 400 --from 2025-01-02 --to 2025-11-02 --seed 7 >/dev/null
# …then a few documents entered by hand, as a clerk types them, with real Vietnamese PDFs
# (generated) that the viewer and Chờ ký can be tried on.
pdfs="$(mktemp -d)"
demo_pdf="$pdfs/cong-van-2887.pdf"
vanthu dev demo-pdf --agency "Văn phòng Chính phủ" --notation "2887/VPCP-KSTT" --date 2019-04-01 \
  --subject "Đôn đốc triển khai gửi, nhận văn bản điện tử trừ văn bản mật" --signer "Mai Tiến Dũng" \
  -o "$demo_pdf" >/dev/null
vanthu dev demo-pdf --agency "Sở Thông tin và Truyền thông tỉnh Kon Tum" --notation "412/STTTT-BCVT" \
  --date 2025-11-04 --subject "Báo cáo kết quả chuyển đổi số quý III năm 2025" -o "$pdfs/bao-cao-412.pdf" >/dev/null
vanthu incoming register --from 01.01.G22 --notation "2887 /VPCP-KSTT" --date 2019-04-01 \
  --arrival-date 2025-11-03 --type "Công văn" --urgency khẩn --signer "Mai Tiến Dũng" \
  --subject "Đôn đốc triển khai gửi, nhận văn bản điện tử trừ văn bản mật" --file "$demo_pdf" >/dev/null
vanthu incoming register --from "Bộ Thông tin và Truyền thông" --notation "10/2016/TT-BTTTT" \
  --date 2016-04-01 --arrival-date 2025-11-04 --type TT --subject "Quy định mã định danh của các cơ quan, tổ chức phục vụ gửi, nhận văn bản điện tử" >/dev/null
report=$(vanthu --json incoming register --from 000.00.20.H34 --notation "412/STTTT-BCVT" \
  --date 2025-11-04 --arrival-date 2025-11-05 --type "Báo cáo" --deadline 2025-11-20 \
  --subject "Báo cáo kết quả chuyển đổi số quý III năm 2025" --file "$pdfs/bao-cao-412.pdf" | jq -r .id)
vanthu incoming status "$report" --to assigned --as leader --handler "Phòng Kinh tế" \
  --note "Giao Phòng Kinh tế chủ trì, tham mưu" >/dev/null
vanthu incoming register --from 000.00.21.H34 --notation "55/SNV-VP" --date 2025-11-05 \
  --arrival-date 2025-11-05 --type "Công văn" --secrecy mật --subject "Về nhân sự (văn bản mật)" >/dev/null
id=$(vanthu --json outgoing create --notation "QĐ-UBND" --type QĐ --signer "Nguyễn Văn An" \
  --subject "Quyết định ban hành Kế hoạch chuyển đổi số năm 2026" --to 000.00.20.H34 --to 000.00.21.H34 \
  --to "Lưu: VT, KGVX" --copies 5 | jq -r .id)
vanthu outgoing issue "$id" --date 2025-11-10 >/dev/null
touch "$VANTHU_DATA_DIR/.demo-seeded"
