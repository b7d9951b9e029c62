#!/usr/bin/env bash
# The main job: install, build, then run the EUREKA search on the headline task with
# the built-in default LLM backend (offline when no API key is set: no network needed).
# Extra arguments go to `eureka search`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/eureka search --task reorient "$@"
