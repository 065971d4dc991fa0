#!/usr/bin/env bash
# Generates every icon size the bundlers need (PNG sizes, icon.ico for Windows/NSIS,
# icon.icns for macOS) from the one source, icons/vanthu.svg, with the Tauri CLI's
# `tauri icon` (installers/package.json pins it). The output is checked in: building the
# app or an installer never needs this script, only changing the icon does.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
[ -x "$root/installers/node_modules/.bin/tauri" ] || npm ci --prefix "$root/installers" --no-audit --no-fund
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$root/installers/node_modules/.bin/tauri" icon "$here/vanthu.svg" --output "$out"
# Keep what the desktop bundlers use; the Android/iOS/Windows-Store sets are not shipped.
rm -rf "$out/android" "$out/ios" "$out"/Square*Logo.png "$out"/StoreLogo.png
find "$here" -maxdepth 1 -type f \( -name '*.png' -o -name '*.ico' -o -name '*.icns' \) -delete
cp "$out"/* "$here/"
ls -l "$here"
