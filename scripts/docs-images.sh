#!/usr/bin/env bash
# Make the README's pictures from a real run: docs/img/reorient-frame.png (the last frame of
# a held-out episode of the run's best reorient policy) and docs/img/report.png (the top of
# the run's report.html in Debian's chromium).
# Usage: scripts/docs-images.sh [RUN]   (without RUN: a short offline reorient search first,
#        about 15 minutes on 2 cores; with RUN: e.g. the run scripts/main.sh made)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
RUN=${1:-}
if [ -z "$RUN" ]; then
    RUN=runs/docs-reorient
    [ -e "$RUN/summary.json" ] || build/eureka search --task reorient --llm offline --iterations 2 \
        --samples 4 --train-steps 300000 --eval-seeds 1 --eval-steps 1000000 --out "$RUN" --quiet
fi
# The best policy's video lives beside its train.json; take the frame at the end of the
# first episode (frame 75 of a 75-step episode: the verdict is on it).
video=$(build/eureka render --policy "$RUN" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["video"])')
ffmpeg -loglevel error -y -i "$video" -vf "select=eq(n\,75)" -frames:v 1 docs/img/reorient-frame.png
build/eureka report "$RUN" > /dev/null
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --window-size=1280,1800 --screenshot="$PWD/docs/img/report.png" \
    "file://$PWD/$RUN/report.html" 2> /dev/null
rm -rf "$profile"
echo "docs/img/reorient-frame.png and docs/img/report.png from $RUN"
