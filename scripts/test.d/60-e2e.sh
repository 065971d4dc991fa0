#!/usr/bin/env bash
# End-to-end tests: the real vanthu-app (debug build with the current UI embedded) in the
# WebKitGTK webview, driven by WebdriverIO through tauri-driver and WebKitWebDriver on Xvfb.
# Screenshots of the main screens land in $CARGO_TARGET_DIR/screenshots (./scripts/screenshots
# writes them into docs/screenshots instead).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
bash scripts/setup.d/50-ui.sh
cargo build -p vanthu-app --locked
export VANTHU_APP_BIN="$CARGO_TARGET_DIR/debug/vanthu-app"
command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver not found (apt: webkit2gtk-driver)"
cd tests/e2e
# A private session bus keeps the single-instance plugin from seeing a developer's running app.
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- npm test
