#!/usr/bin/env bash
# Re-record cartpole_mock.llm.jsonl (the replay fixture of tests/e2e_search_replay.sh)
# from the loopback mock server and the canned replies in replies/. Needed whenever the
# prompts, the reflection or the sandbox's error messages change, since replay keys are
# a hash of the exact conversation. Usage: record_fixture.sh path/to/eureka
set -euo pipefail
EUREKA=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d /tmp/eureka_record.XXXXXX)
"$(dirname "$EUREKA")/mock_llm_server" --port 0 --replies "$HERE/replies" --lifetime 300 > "$OUT/port" &
MPID=$!
trap 'kill $MPID 2>/dev/null || true; rm -rf "$OUT"' EXIT
for _ in $(seq 1 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
"$EUREKA" search --task cartpole --llm openai --model mock --base-url "http://127.0.0.1:$(head -1 "$OUT/port")/v1" \
    --iterations 2 --samples 4 --jobs 2 --threads 1 --train-steps 20000 --timeout 15 \
    --eval-seeds 2 --out "$OUT/run" --quiet
cp "$OUT/run/llm.jsonl" "$HERE/cartpole_mock.llm.jsonl"
echo "recorded $HERE/cartpole_mock.llm.jsonl"
