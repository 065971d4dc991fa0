#!/usr/bin/env bash
# Puts pdfium.dll for the Windows build into src-tauri/windows/ (git-ignored), taken from the
# same pypdfium2 release as the Linux library (scripts/setup.d/20-pdfium.sh), so both builds
# bind the pdfium API that crates/pdf's pdfium-render feature expects. The Windows installer
# (installers/build-nsis.sh, installers/tauri.windows.json) puts it next to vanthu-app.exe and
# vanthu.exe, where crates/pdf looks first after $VANTHU_PDFIUM.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PYPDFIUM2_VERSION=5.14.0
PDFIUM_BUILD=8076
WHEEL_SHA256=149fd5c6397b8df8bf7911a93506eff0be874f877afe7ac936cf5d37d21a6a06

out="$VANTHU_ROOT/src-tauri/windows"
pip=("$VANTHU_VENV/bin/pip")
[ -x "${pip[0]}" ] || pip=(python3 -m pip)
wheels="$VANTHU_CACHE/wheels"
mkdir -p "$wheels" "$out"
"${pip[@]}" download -q --no-deps --only-binary=:all: --platform win_amd64 \
  "pypdfium2==$PYPDFIUM2_VERSION" -d "$wheels"
whl="$wheels/pypdfium2-$PYPDFIUM2_VERSION-py3-none-win_amd64.whl"
[ -f "$whl" ] || die "pypdfium2 wheel not found after download: $whl"
echo "$WHEEL_SHA256  $whl" | sha256sum -c --quiet - || die "pypdfium2 wheel checksum mismatch: $whl"
python3 - "$whl" "$out" "$PDFIUM_BUILD" <<'PY'
import json, os, sys, zipfile
whl, out, build = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(whl) as z:
    got = str(json.loads(z.read("pypdfium2_raw/version.json"))["build"])
    if got != build:
        sys.exit(f"error: the wheel carries pdfium build {got}, expected {build}")
    tmp = os.path.join(out, "pdfium.dll.tmp")
    with open(tmp, "wb") as f:
        f.write(z.read("pypdfium2_raw/pdfium.dll"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(out, "pdfium.dll"))
PY
log "pdfium.dll (chromium/$PDFIUM_BUILD) in $out"
