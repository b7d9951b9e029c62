#!/usr/bin/env bash
# Make the README's pictures from real runs: docs/img/report.png (the top of a run's
# report.html in Debian's chromium) and docs/img/reorient-frame.png (the last frame of
# held-out episode 0 in the video of a reorient policy: give POLICY).
# Usage: scripts/docs-images.sh [RUN [POLICY]]
#   RUN: a search run (default: a short offline cartpole search with videos, 2 iterations
#        x 4 candidates, made first: a few minutes on 2 cores)
#   POLICY: a directory with a train.json for the frame (default: RUN's best policy); the
#        README's frame uses `build/eureka train --task reorient --reward
#        rewards/reorient_human.c --out /tmp/ro` (the expert reward, full budget)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
RUN=${1:-}
if [ -z "$RUN" ]; then
    RUN=runs/docs-cartpole
    [ -e "$RUN/summary.json" ] || build/eureka search --task cartpole --llm offline --iterations 2 \
        --samples 4 --eval-seeds 1 --video --out "$RUN" --quiet
fi
POLICY=${2:-$RUN}
video=$(build/eureka render --policy "$POLICY" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["video"])')
# Frame 75 is the last step of the 75-step episode: the verdict is on it.
ffmpeg -loglevel error -y -i "$video" -vf "select=eq(n\,75)" -frames:v 1 docs/img/reorient-frame.png
# The best policy's video for the report (search --video made it already).
ls "$RUN"/eval/seed*/video.mp4 > /dev/null 2>&1 || build/eureka render --policy "$RUN" > /dev/null
build/eureka report "$RUN" > /dev/null
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --window-size=1280,1800 --screenshot="$PWD/docs/img/report.png" \
    "file://$PWD/$RUN/report.html" 2> /dev/null
rm -rf "$profile"
echo "docs/img/report.png from $RUN, docs/img/reorient-frame.png from $video"
