# Shared environment for the project scripts. Sourced, never executed.
# Build output and tool caches live outside the clone so repeated CI runs on one
# machine reuse them; nothing here relies on them being present.
VANTHU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VANTHU_ROOT
export VANTHU_CACHE="${VANTHU_CACHE:-$HOME/.cache/vanthu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$VANTHU_CACHE/target}"
export VANTHU_VENV="${VANTHU_VENV:-$VANTHU_CACHE/venv}"
export VANTHU_SHARED="${VANTHU_SHARED:-$VANTHU_ROOT/../shared}"
# libpdfium extracted from the pypdfium2 wheel by scripts/setup.d/20-pdfium.sh
export VANTHU_PDFIUM_DIR="${VANTHU_PDFIUM_DIR:-$VANTHU_CACHE/pdfium}"
if [ -z "${VANTHU_PDFIUM:-}" ] && [ -f "$VANTHU_PDFIUM_DIR/libpdfium.so" ]; then
  export VANTHU_PDFIUM="$VANTHU_PDFIUM_DIR/libpdfium.so"
fi
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
