#!/usr/bin/env bash
# e2e_search_replay: `eureka search` replaying recorded LLM replies (tests/data/search/
# cartpole_mock.llm.jsonl, recorded once from the loopback mock server), then show, diff
# and compare on the run. Usage: e2e_search_replay.sh path/to/eureka
set -euo pipefail
EUREKA=$1
DATA=$(cd "$(dirname "$0")" && pwd)/data/search
OUT=$(mktemp -d /tmp/eureka_e2e_replay.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$EUREKA" search --task cartpole --llm "replay:$DATA/cartpole_mock.llm.jsonl" --iterations 2 \
    --samples 4 --jobs 2 --threads 1 --train-steps 20000 --timeout 15 --eval-seeds 2 \
    --out "$OUT/run" --quiet --json > "$OUT/summary.txt"
cat "$OUT/summary.txt"
python3 - "$OUT/summary.txt" "$OUT/run" <<'PY'
import json, sys, os
s = json.load(open(sys.argv[1])); run = sys.argv[2]
assert s["candidates"] == 8 and s["failures"] == 5, s
assert (s["best_iteration"], s["best_sample"]) == (2, 1), s
assert s["eval_seeds"] == 2 and 0 <= s["eval_mean"] <= 1, s
assert s["prompt_tokens"] > 0, "replay counts the recorded tokens"
for f in ["run.json", "events.jsonl", "messages.json", "llm.jsonl", "best.c", "summary.json",
          "iter01/sample00/train.json", "iter01/sample01/compile.log", "eval/seed02/train.json"]:
    assert os.path.exists(os.path.join(run, f)), f
ev = [json.loads(l) for l in open(os.path.join(run, "events.jsonl"))]
kinds = [e["event"] for e in ev]
assert kinds[0] == "start" and kinds[-1] == "done", kinds
assert kinds.count("sample_done") == 8 and "eval" in kinds, kinds
best = open(os.path.join(run, "best.c")).read()
assert best == open(os.path.join(run, "iter02/sample01/reward.c")).read()
PY

"$EUREKA" show "$OUT/run" > "$OUT/show.txt"
cat "$OUT/show.txt"
grep -q "iter01/sample01  compile_error" "$OUT/show.txt" || fail "show: compile error"
grep -q "iter01/sample02  crash .*SIGSEGV" "$OUT/show.txt" || fail "show: crash"
grep -q "iter01/sample03  timeout .*time limit" "$OUT/show.txt" || fail "show: timeout"
grep -q "best so far: iter02/sample01" "$OUT/show.txt" || fail "show: best so far"

"$EUREKA" diff "$OUT/run" iter01/sample00 iter02/sample00 > "$OUT/diff.txt"
cat "$OUT/diff.txt"
grep -q "^@@ .* @@ .*term added: alive" "$OUT/diff.txt" || fail "diff: term added"
grep -q "constant changed (hyperparameter)" "$OUT/diff.txt" || fail "diff: constant"
grep -q "functional form changed" "$OUT/diff.txt" || fail "diff: form"
"$EUREKA" diff "$OUT/run" > /dev/null || fail "diff of successive bests"
"$EUREKA" diff "$OUT/run" iter09/sample00 best 2> "$OUT/err.txt" && fail "diff of a missing candidate"
grep -q "no such candidate" "$OUT/err.txt" || fail "diff error message"

"$EUREKA" compare --task cartpole "$OUT/run" --seeds 2 --steps 20000 --jobs 2 --json > "$OUT/compare.json"
python3 - "$OUT/compare.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
rows = c["rewards"]
assert [r["reward"].split()[0] for r in rows[:2]] == ["sparse", "human"], rows
assert rows[0]["hns"] == 0 and rows[1]["hns"] in (1, -1), rows
assert rows[2]["reused_seeds"] == 2, "the run's final evaluation is reused"
assert all(len(r["fitness"]) == 2 and r["mean"] is not None for r in rows), rows
PY
echo "e2e_search_replay: ok"
