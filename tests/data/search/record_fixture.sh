#!/usr/bin/env bash
# Re-record cartpole_mock.llm.jsonl (the replay fixture of tests/e2e_search_replay.sh)
# from the loopback mock server and the canned replies in replies/. Needed whenever the
# prompts, the reflection or the sandbox's error messages change, since replay keys are
# a hash of the exact conversation. Iteration 2's conversation holds training statistics,
# whose last digits can differ between builds (a sanitizer build optimises differently):
# give several eureka binaries to record each one's exchange; the entries are merged
# (one per request key). Usage: record_fixture.sh path/to/eureka [path/to/other/eureka ...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d /tmp/eureka_record.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
i=0
for bin in "$@"; do
    EUREKA=$(realpath "$bin")
    i=$((i + 1))
    "$(dirname "$EUREKA")/mock_llm_server" --port 0 --replies "$HERE/replies" --lifetime 300 > "$OUT/port$i" &
    MPID=$!
    for _ in $(seq 1 50); do [ -s "$OUT/port$i" ] && break; sleep 0.1; done
    "$EUREKA" search --task cartpole --llm openai --model mock \
        --base-url "http://127.0.0.1:$(head -1 "$OUT/port$i")/v1" \
        --iterations 2 --samples 4 --jobs 2 --threads 1 --train-steps 20000 --timeout 15 \
        --eval-seeds 2 --out "$OUT/run$i" --quiet
    kill $MPID 2>/dev/null || true
    cat "$OUT/run$i/llm.jsonl" >> "$OUT/all.jsonl"
done
python3 - "$OUT/all.jsonl" "$HERE/cartpole_mock.llm.jsonl" <<'PY'
import json, sys
seen, lines = set(), []
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    key = json.loads(line)["key"]
    if key not in seen:
        seen.add(key)
        lines.append(line if line.endswith("\n") else line + "\n")
open(sys.argv[2], "w").writelines(lines)
print(f"recorded {len(lines)} exchanges in {sys.argv[2]}")
PY
