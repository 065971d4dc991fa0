#!/usr/bin/env bash
# The Debian package on a clean Debian 12 root: build it with the Tauri bundler (debug
# profile, reusing this run's build), install it with apt, launch, screenshot, remove
# (installers/test-deb.sh). Needs root for debootstrap and chroot.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT"
# Not yet run to the end on this machine (session 5): opt in until it has passed once.
if [ "${VANTHU_TEST_DEB:-0}" != 1 ]; then
  echo "80-deb: skipped (set VANTHU_TEST_DEB=1; installers/README.md)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "80-deb: skipped (needs root for debootstrap/chroot)"
  exit 0
fi
bash installers/test-deb.sh
