#!/usr/bin/env bash
# Install, build and run the whole test suite (ctest prints the pass/fail summary).
# Usage: scripts/test.sh [--sanitize]   (--sanitize: the same suite under ASan/UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "$@"
BUILD=build; [ "${1:-}" = "--sanitize" ] && BUILD=build-asan
cd "$BUILD"
ctest --output-on-failure -j2 --timeout 900
