#!/usr/bin/env bash
# Registry scenario: the demo seed and headless demo run end to end, the register survives a
# hand edit only as a reported one (system sqlite3 editing the audit log), and a database from a
# newer vanthu is refused with one line and exit ≠ 0.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
bin_dir="$CARGO_TARGET_DIR/debug"
[ -x "$bin_dir/vanthu" ] || die "build the vanthu binary first"
export PATH="$bin_dir:$PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "registry scenario: $*" >&2; exit 1; }

export VANTHU_DATA_DIR="$work/demo"
bash scripts/demo/seed.sh >/dev/null
bash scripts/demo/seed.sh >/dev/null   # idempotent
out="$(bash scripts/demo/headless.sh)"
grep -q "Văn phòng Chính phủ" <<<"$out" || fail "headless demo lacks the registered document"
grep -q "audit log intact" <<<"$out" || fail "headless demo: audit log not intact"
n=$(vanthu --json list --limit 1000 | jq '.hits | length')
[ "$n" -ge 300 ] || fail "demo seeded only $n documents"
hit=$(vanthu --json search "QUYET DINH BAN HANH KE HOACH CHUYEN DOI SO NAM 2026" | jq -r '.hits[0].subject')
[ "$hit" = "Quyết định ban hành Kế hoạch chuyển đổi số năm 2026" ] || fail "folded search found '$hit'"

# Hand edit with the system sqlite3: drop the guard trigger, change one audit row.
vanthu audit verify >/dev/null || fail "audit verify failed before tampering"
sqlite3 "$VANTHU_DATA_DIR/vanthu.db" \
  "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET user = 'someone else' WHERE seq = 7;"
if err=$(vanthu audit verify 2>&1 >/dev/null); then fail "tampered audit log passed verification"; fi
grep -q "row 7" <<<"$err" || fail "verify did not name row 7: $err"

# A database from a newer vanthu.
sqlite3 "$VANTHU_DATA_DIR/vanthu.db" "PRAGMA user_version = 99;"
if err=$(vanthu list 2>&1 >/dev/null); then fail "newer database was opened"; fi
[ "$(wc -l <<<"$err")" -eq 1 ] || fail "expected one error line, got: $err"
grep -q "newer vanthu" <<<"$err" || fail "unexpected error: $err"
echo "registry scenario: ok"
