#!/usr/bin/env bash
# UI checks: ESLint, TypeScript, Prettier, Vitest unit tests.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$VANTHU_ROOT/ui"
npx eslint --max-warnings 0 .
npx tsc --noEmit
npx prettier --check .
npx vitest run
