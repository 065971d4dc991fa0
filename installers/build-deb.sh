#!/usr/bin/env bash
# Builds the Debian package of the desktop app with the Tauri bundler, offline:
#   /usr/bin/vanthu-app          the app
#   /usr/bin/vanthu              the CLI (bundle.externalBin)
#   /usr/lib/vanthu/libpdfium.so the renderer (bundle.resources; crates/pdf looks in
#                                <exe>/../lib/vanthu)
#   /usr/share/applications/vanthu.desktop, hicolor icons from icons/
# Depends: computed by dpkg-shlibdeps from the shipped binaries (what a Debian package does),
# plus the WebKitGTK/GTK runtime the bundler adds itself.
#
# Usage: installers/build-deb.sh [--debug]   (default: the `dist` profile, Cargo.toml)
# Prints the path of the .deb on stdout; everything else goes to stderr.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$VANTHU_ROOT"

profile=dist
cargo_profile=(--profile dist)
tauri_profile=()
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  cargo_profile=()
  tauri_profile=(--debug)
fi

[ -f "$VANTHU_PDFIUM_DIR/libpdfium.so" ] || die "libpdfium.so not in $VANTHU_PDFIUM_DIR (run ./scripts/setup)"
[ -f ui/dist/index.html ] || die "ui/dist not built (run ./scripts/setup)"
tauri="$VANTHU_ROOT/installers/node_modules/.bin/tauri"
[ -x "$tauri" ] || (cd installers && npm ci --no-audit --no-fund --loglevel=error >&2)

triple=$(rustc -vV | sed -n 's/^host: //p')
build="$VANTHU_ROOT/installers/build"
rm -rf "$build/bin" "$build/linux" "$build/deb"
mkdir -p "$build/bin" "$build/linux" "$build/deb"

# Both binaries in one workspace build: `-p vanthu-cli` alone (or `tauri build`, which sets
# its own environment for the build scripts) resolves other features than the workspace build
# of ./scripts/test and recompiles the dependencies. The app's default feature
# `custom-protocol` embeds ui/dist, as `tauri build` would.
log "vanthu and vanthu-app ($profile)"
cargo build --locked "${cargo_profile[@]}" --workspace --bins >&2
cp "$CARGO_TARGET_DIR/$profile/vanthu" "$build/bin/vanthu-$triple"
cp "$VANTHU_PDFIUM_DIR/libpdfium.so" "$build/linux/libpdfium.so"
if [ "$profile" = debug ]; then
  # A debug build carries hundreds of MB of DWARF: strip the copies that get packaged.
  strip --strip-debug "$build/bin/vanthu-$triple"
fi

# The bundler reads the app from the target dir; the overlay config names the CLI and pdfium.
cfg="$VANTHU_ROOT/installers/tauri.linux.json"
app="$CARGO_TARGET_DIR/$profile/vanthu-app"

# Depends the way dpkg-shlibdeps computes them for a Debian package.
shlib=$(mktemp -d)
trap 'rm -rf "$shlib"' EXIT
mkdir -p "$shlib/debian"
printf 'Source: vanthu\n\nPackage: vanthu\nArchitecture: any\n' > "$shlib/debian/control"
(cd "$shlib" && dpkg-shlibdeps -O "$app" "$build/bin/vanthu-$triple" "$build/linux/libpdfium.so" 2>/dev/null) \
  | sed -n 's/^shlibs:Depends=//p' > "$build/deb/depends"
[ -s "$build/deb/depends" ] || die "dpkg-shlibdeps found no dependencies"
depends_json=$(tr ',' '\n' < "$build/deb/depends" | sed 's/^ *//; s/ *$//' | jq -R . | jq -s -c .)
log "Depends: $(cat "$build/deb/depends")"

if [ "$profile" = debug ]; then
  strip --strip-debug -o "$build/deb/vanthu-app" "$app"
  # The bundler takes the binary from the target dir: bundle a stripped copy from a
  # private target-dir layout instead of stripping the developer's binary in place.
  mkdir -p "$build/deb/target/debug"
  cp "$build/deb/vanthu-app" "$build/deb/target/debug/vanthu-app"
  bundle_target="$build/deb/target"
else
  # The bundler knows only debug and release: give it the dist binary in a private release layout.
  mkdir -p "$build/deb/target/release"
  cp "$app" "$build/deb/target/release/vanthu-app"
  bundle_target="$build/deb/target"
fi

log "bundling the .deb"
(cd src-tauri && CARGO_TARGET_DIR="$bundle_target" "$tauri" bundle "${tauri_profile[@]}" --ci --bundles deb \
  --config "$cfg" --config "{\"bundle\":{\"linux\":{\"deb\":{\"depends\":$depends_json}}}}" >&2)
bundle_profile=release
[ "$profile" = debug ] && bundle_profile=debug
deb=$(ls -t "$bundle_target/$bundle_profile/bundle/deb/"*.deb | head -1)
cp "$deb" "$build/"
out="$build/$(basename "$deb")"
log "$(du -h "$out" | cut -f1) $out"
echo "$out"
