#!/usr/bin/env bash
# Puts libpdfium.so into $VANTHU_PDFIUM_DIR, taken from the pypdfium2 wheel on PyPI.
# The wheel version is pinned together with the pdfium-render feature in crates/pdf/Cargo.toml
# (pdfium-render binds every symbol of its feature's API at load time, so the library must be
# at least that build). Idempotent: does nothing when the pinned build is already in place.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

PYPDFIUM2_VERSION=5.14.0 # ships pdfium chromium/8076 (pdfium-binaries) → pdfium-render feature pdfium_7881
PDFIUM_BUILD=8076
WHEEL_SHA256=11f281613fa22313d9c7ab89947665e84eccf8ebe40e1198a84a88352305648d

stamp="$VANTHU_PDFIUM_DIR/.pypdfium2-version"
if [ -f "$VANTHU_PDFIUM_DIR/libpdfium.so" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PYPDFIUM2_VERSION" ]; then
  exit 0
fi

pip=("$VANTHU_VENV/bin/pip")
[ -x "${pip[0]}" ] || pip=(python3 -m pip)
wheels="$VANTHU_CACHE/wheels"
mkdir -p "$wheels" "$VANTHU_PDFIUM_DIR"
"${pip[@]}" download -q --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
  "pypdfium2==$PYPDFIUM2_VERSION" -d "$wheels"
whl="$wheels/pypdfium2-$PYPDFIUM2_VERSION-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
[ -f "$whl" ] || die "pypdfium2 wheel not found after download: $whl"
echo "$WHEEL_SHA256  $whl" | sha256sum -c --quiet - || die "pypdfium2 wheel checksum mismatch: $whl"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$whl" "$tmp" <<'PY'
import json, sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    z.extract("pypdfium2_raw/libpdfium.so", out)
    v = json.loads(z.read("pypdfium2_raw/version.json"))
    print(v["build"], file=open(out + "/build", "w"))
PY
[ "$(cat "$tmp/build")" = "$PDFIUM_BUILD" ] || die "pypdfium2 $PYPDFIUM2_VERSION carries pdfium build $(cat "$tmp/build"), expected $PDFIUM_BUILD"
# temp name + rename so a half-written library is never picked up
install -m 0644 "$tmp/pypdfium2_raw/libpdfium.so" "$VANTHU_PDFIUM_DIR/libpdfium.so.tmp"
mv -f "$VANTHU_PDFIUM_DIR/libpdfium.so.tmp" "$VANTHU_PDFIUM_DIR/libpdfium.so"
echo "$PYPDFIUM2_VERSION" > "$stamp"
log "libpdfium (chromium/$PDFIUM_BUILD) installed in $VANTHU_PDFIUM_DIR"
