#!/usr/bin/env bash
# Node dependencies for the UI and the e2e tests (npm ci, skipped while node_modules matches
# the lockfile), the built UI that the Tauri crate embeds (rebuilt when its sources change),
# and tauri-driver for the e2e tests. Idempotent.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"

command -v npm >/dev/null || die "npm not found: install Node.js 20+"

npm_ci() {
  local dir="$1" stamp="$1/node_modules/.vanthu-lock.sha256" sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
}
npm_ci ui
npm_ci tests/e2e
# The Tauri CLI: icons and the installers (installers/README.md).
npm_ci installers

# cargo build of the workspace compiles src-tauri, which embeds ui/dist.
src_sum=$(find ui/src ui/index.html ui/vite.config.ts ui/package-lock.json -type f -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ "$(cat ui/dist/.vanthu-src.sha256 2>/dev/null)" != "$src_sum" ]; then
  log "building ui/dist"
  (cd ui && npx vite build --logLevel warn)
  echo "$src_sum" > ui/dist/.vanthu-src.sha256
fi

if ! command -v tauri-driver >/dev/null; then
  log "cargo install tauri-driver"
  cargo install tauri-driver --locked
fi
