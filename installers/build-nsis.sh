#!/usr/bin/env bash
# Builds the Windows installer on Linux: the app and the CLI cross-compiled for
# x86_64-pc-windows-gnu (release, stripped), pdfium.dll from the pypdfium2 win_amd64 wheel
# (scripts/pdfium-windows.sh), packed by makensis (apt: nsis) with installers/windows/vanthu.nsi:
# per-user, Vietnamese, pdfium.dll beside the exe, WebView2 bootstrapper when the runtime is
# missing. Prints the installer's path on stdout.
#
# Needs: rustup target add x86_64-pc-windows-gnu; apt: mingw-w64 nsis.
# Env: VANTHU_NSIS_PROFILE=debug for a quick unoptimised build (tests).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$VANTHU_ROOT"
command -v makensis >/dev/null || die "makensis not found (apt-get install nsis)"
command -v x86_64-w64-mingw32-gcc >/dev/null || die "mingw-w64 not found (apt-get install mingw-w64)"
[ -f ui/dist/index.html ] || die "ui/dist not built (run ./scripts/setup)"

target=x86_64-pc-windows-gnu
profile="${VANTHU_NSIS_PROFILE:-dist}"
flags=(--profile "$profile")
log "cross-compiling vanthu-app.exe and vanthu.exe ($profile)"
t0=$SECONDS
nice -n 10 cargo build --locked "${flags[@]}" --target "$target" -p vanthu-app -p vanthu-cli --bins >&2
log "built in $((SECONDS - t0)) s"
out_dir="$CARGO_TARGET_DIR/$target/$profile"

[ -f src-tauri/windows/pdfium.dll ] || bash scripts/pdfium-windows.sh >&2
stage="$VANTHU_ROOT/installers/build/windows"
rm -rf "$stage"
mkdir -p "$stage"
cp "$out_dir/vanthu-app.exe" "$out_dir/vanthu.exe" src-tauri/windows/pdfium.dll "$stage/"
loader=$(find "$out_dir" -name WebView2Loader.dll -path '*x64*' 2>/dev/null | head -1)
[ -n "$loader" ] || loader=$(find "$out_dir" -maxdepth 1 -name WebView2Loader.dll | head -1)
if x86_64-w64-mingw32-objdump -p "$stage/vanthu-app.exe" | grep -qi 'DLL Name: WebView2Loader.dll'; then
  [ -n "$loader" ] || die "vanthu-app.exe needs WebView2Loader.dll, not found under $out_dir"
  cp "$loader" "$stage/WebView2Loader.dll"
fi
if [ "$profile" = debug ]; then
  x86_64-w64-mingw32-strip --strip-debug "$stage/vanthu-app.exe" "$stage/vanthu.exe"
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
out="$VANTHU_ROOT/installers/build/vanthu_${version}_x64-setup.exe"
log "makensis"
makensis -INPUTCHARSET UTF8 -V2 \
  -DVERSION="$version" -DVERSION4="$version.0" \
  -DSRC="$stage" -DICON="$VANTHU_ROOT/icons/icon.ico" -DOUTFILE="$out" \
  installers/windows/vanthu.nsi >&2
log "$(du -h "$out" | cut -f1) $out"
echo "$out"
