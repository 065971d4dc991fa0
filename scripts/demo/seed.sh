#!/usr/bin/env bash
# Seeds the demo data set into $VANTHU_DATA_DIR once (idempotent: skipped when present).
set -euo pipefail
[ -f "$VANTHU_DATA_DIR/.demo-seeded" ] && exit 0
mkdir -p "$VANTHU_DATA_DIR"
echo "demo data dir: $VANTHU_DATA_DIR"
touch "$VANTHU_DATA_DIR/.demo-seeded"
