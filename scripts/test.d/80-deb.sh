#!/usr/bin/env bash
# The Debian package on a clean Debian 12 root: build it with the Tauri bundler (debug
# profile, reusing this run's workspace build), install it with apt, launch, screenshot,
# remove (installers/test-deb.sh). Needs root for debootstrap and chroot. Measured on 2
# shared cores: ~7 min with nothing cached (debootstrap ~2.5 min, ~240 packages ~3 min),
# ~1.5 min with the clean root cached under ~/.cache/vanthu/deb-test/roots.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
if [ "$(id -u)" -ne 0 ]; then
  echo "80-deb: skipped (needs root for debootstrap/chroot)"
  exit 0
fi
bash installers/test-deb.sh
