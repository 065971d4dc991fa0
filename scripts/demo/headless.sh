#!/usr/bin/env bash
# The headless demo: what a clerk would see, printed on the terminal.
set -euo pipefail
vanthu --version

# --- registers (vanthu-registry) ---------------------------------------------------------
section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
section "Sổ văn bản đến — 10 văn bản mới nhất (vanthu list --register incoming)"
vanthu list --register incoming --limit 10
section "Tìm kiếm không dấu: vanthu search \"chuyen doi so\""
vanthu search "chuyen doi so" --limit 5
section "Tìm kiếm có dấu, chữ hoa, lọc theo độ khẩn: vanthu search \"GỬI, NHẬN VĂN BẢN ĐIỆN TỬ\" --urgency khẩn"
vanthu search "GỬI, NHẬN VĂN BẢN ĐIỆN TỬ" --urgency khẩn --limit 5
section "Mã định danh cũ (2019) vẫn tra được: vanthu agency show 01.01.G22"
vanthu agency show 01.01.G22
first=$(vanthu --json search "2887/VPCP-KSTT" | jq -r '.hits[0].id')
section "Chi tiết văn bản: vanthu show $first"
vanthu show "$first"
assigned=$(vanthu --json list --status assigned | jq -r '.hits[0].id')
section "Văn bản đã phân công xử lý: vanthu show $assigned"
vanthu show "$assigned"
section "Sổ văn bản đi: vanthu list --register outgoing"
vanthu list --register outgoing --limit 5
section "Kiểm tra toàn vẹn nhật ký: vanthu audit verify"
vanthu audit verify
