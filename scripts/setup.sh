#!/usr/bin/env bash
# Install what is missing (Debian 12, root or sudo) and build eureka into build/.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Usage: scripts/setup.sh [--sanitize]   (--sanitize: ASan/UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="build-essential cmake pkg-config libmujoco-dev libtcc-dev libcjson-dev libcurl4-openssl-dev libseccomp-dev libosmesa6-dev ffmpeg chromium python3 openmpi-bin libopenmpi-dev libopenblas-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing$missing" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

BUILD=build; FLAGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo"
if [ "${1:-}" = "--sanitize" ]; then BUILD=build-asan; FLAGS="-DCMAKE_BUILD_TYPE=Debug -DEUREKA_SANITIZE=ON"; fi
cmake -S . -B "$BUILD" $FLAGS >/dev/null
if ! cmake --build "$BUILD" -j"$(nproc)" > "$BUILD/build.log" 2>&1; then
    grep -E "error|Error" "$BUILD/build.log" | head -40 >&2
    echo "setup: the build failed; the whole log is in $BUILD/build.log" >&2
    exit 1
fi
grep -E "warning" "$BUILD/build.log" >&2 || true
echo "setup: built $BUILD/eureka" >&2
