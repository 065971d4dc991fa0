#!/usr/bin/env bash
# Opens the desktop app on the demo data set ($VANTHU_DATA_DIR, seeded by seed.sh).
# Run through ./scripts/dev, which has built the binaries and put them on PATH.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${VANTHU_DATA_DIR:?set VANTHU_DATA_DIR (scripts/dev does)}"
export VANTHU_DATA_DIR
bin="$(command -v vanthu-app || echo "$CARGO_TARGET_DIR/debug/vanthu-app")"
[ -x "$bin" ] || die "vanthu-app not built: cargo build -p vanthu-app"
log "vanthu-app on $VANTHU_DATA_DIR (logs: ~/.local/share/vn.vanthu.desktop/logs)"
exec "$bin"
