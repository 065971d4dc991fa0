#!/usr/bin/env bash
# Fuzzes the edXML reader for a bounded time (FUZZ_SECONDS, default 60) with cargo-fuzz on the
# nightly toolchain, seeded with the hand-written corpus. Exit ≠ 0 on a crash.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$VANTHU_ROOT/crates/edxml/fuzz"
seconds="${FUZZ_SECONDS:-60}"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz from crates.io"
  cargo +nightly install cargo-fuzz --locked
fi
corpus="$VANTHU_CACHE/fuzz-corpus/edxml-reader"
mkdir -p "$corpus"
cp -n ../tests/data/* "$corpus/" 2>/dev/null || true
# Its own target dir: the fuzz build uses sanitizer flags that would invalidate the main one.
export CARGO_TARGET_DIR="$VANTHU_CACHE/target-fuzz"
log "fuzz: reader for ${seconds}s"
cargo +nightly fuzz run reader "$corpus" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024
echo "fuzz reader: ${seconds}s without a crash"
