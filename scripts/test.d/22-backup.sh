#!/usr/bin/env bash
# Backup scenario (docs/backup.md): `vanthu backup` while a second process keeps registering,
# `vanthu restore --check`, restore into an empty directory (audit verify passes, the documents
# and attachments are all there), a restore over a unit's data refused, a damaged backup refused
# with nothing left behind, and a scheduled backup with retention through `--due`.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
bin_dir="$CARGO_TARGET_DIR/debug"
[ -x "$bin_dir/vanthu" ] || die "build the vanthu binary first"
export PATH="$bin_dir:$PATH"
work="$(mktemp -d)"
writer=""
trap '[ -n "$writer" ] && kill "$writer" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "backup scenario: $*" >&2; exit 1; }

export VANTHU_DATA_DIR="$work/unit"
bash scripts/demo/seed.sh >/dev/null
before=$(vanthu --json list --limit 100000 | jq '.hits | length')

# A second process registers documents, each with its own attachment, during the backup.
(
  i=0
  while :; do
    i=$((i + 1))
    printf '%%PDF-1.4\n%% writer %s\n' "$i" >"$work/w.pdf"
    vanthu incoming register --from 01.01.G22 --notation "$i/VPCP-TEST" --date 2025-11-01 \
      --arrival-date 2025-11-02 --type "Công văn" --subject "Văn bản ghi song song $i" \
      --file "$work/w.pdf" >/dev/null
  done
) &
writer=$!
sleep 1
vanthu --json backup -o "$work/a.vtbak" >"$work/a.json"
sleep 1
kill "$writer"; wait "$writer" 2>/dev/null || true; writer=""
in_backup=$(jq '.manifest.documents' "$work/a.json")
[ "$in_backup" -ge "$before" ] || fail "backup holds $in_backup documents, fewer than $before"

out=$(vanthu restore --check "$work/a.vtbak")
grep -q "nguyên vẹn" <<<"$out" || fail "restore --check: $out"

# Restore into an empty directory: the register opens, verifies and has every document.
VANTHU_DATA_DIR="$work/restored" vanthu --json restore "$work/a.vtbak" >"$work/r.json"
VANTHU_DATA_DIR="$work/restored" vanthu audit verify >/dev/null || fail "restored audit log"
got=$(VANTHU_DATA_DIR="$work/restored" vanthu --json list --limit 100000 | jq '.hits | length')
[ "$got" -eq "$in_backup" ] || fail "restored $got documents, the backup said $in_backup"
hit=$(VANTHU_DATA_DIR="$work/restored" vanthu --json search "Đôn đốc triển khai gửi nhận văn bản điện tử" \
  | jq -r '.hits[0].notation')
[ "$hit" = "2887/VPCP-KSTT" ] || fail "restored register search found '$hit'"

# Over a unit's data: refused, nothing changed.
if err=$(vanthu restore "$work/a.vtbak" 2>&1); then fail "restore over a unit's data succeeded"; fi
grep -q "đã có dữ liệu" <<<"$err" || fail "unexpected refusal: $err"

# A damaged backup (one byte of the register changed inside the zip): refused, nothing left.
python3 - "$work/a.vtbak" "$work/bad.vtbak" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w") as zo:
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename == "vanthu.db":
            data = data[:4096] + bytes([data[4096] ^ 1]) + data[4097:]
        zo.writestr(info, data)
PY
if err=$(VANTHU_DATA_DIR="$work/bad" vanthu restore "$work/bad.vtbak" 2>&1); then
  fail "a damaged backup was restored"
fi
grep -q "sai mã kiểm tra" <<<"$err" || fail "unexpected error for a damaged backup: $err"
[ ! -e "$work/bad" ] || fail "a refused restore left $work/bad behind"
if ls -a "$work" | grep -q '^\.vanthu-restore-'; then fail "a refused restore left its scratch directory"; fi

# Scheduled: due at once, then not before the interval; retention keeps 2.
vanthu backup schedule --folder "$work/scheduled" --every-hours 24 --keep 2 >/dev/null
vanthu --json backup --due | jq -e '.path != null' >/dev/null || fail "first scheduled backup not taken"
vanthu --json backup --due | jq -e '.path == null' >/dev/null || fail "a second backup inside the interval"
for _ in 1 2; do vanthu backup --folder "$work/scheduled" --keep 2 >/dev/null; done
n=$(ls "$work/scheduled" | grep -c '^vanthu-.*\.vtbak$')
[ "$n" -eq 2 ] || fail "retention kept $n backups, not 2"
if vanthu backup schedule --folder "$VANTHU_DATA_DIR/b" 2>/dev/null; then
  fail "a backup folder inside the data directory was accepted"
fi
echo "backup scenario: ok"
