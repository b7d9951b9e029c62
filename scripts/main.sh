#!/usr/bin/env bash
# The main job: install, build, then run the EUREKA search on the headline task with
# the built-in default LLM backend (offline when no API key is set: no network needed),
# rendering a video of each iteration's best policy and of the final best (--video), and
# end with the path of the run's report (eureka report). Extra arguments go to
# `eureka search`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
build/eureka search --task reorient --video "$@" | tee "$summary"
run=$(sed -n 's/^run: *//p' "$summary")
if [ -n "$run" ]; then
    build/eureka render --policy "$run" | sed -n '1s/^\([^:]*\):.*/video:      \1/p'
    echo "report:     $(build/eureka report "$run")"
fi
