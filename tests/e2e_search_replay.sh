#!/usr/bin/env bash
# e2e_search_replay: `eureka search` replaying recorded LLM replies (tests/data/search/
# cartpole_mock.llm.jsonl, recorded once from the loopback mock server), then show, diff
# and compare on the run; and an offline search whose repeated reply is replaced, replayed. Usage: e2e_search_replay.sh path/to/eureka
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$@"
DATA="$ROOT/tests/data/search"

"$EUREKA" search --task cartpole --llm "replay:$DATA/cartpole_mock.llm.jsonl" --iterations 2 \
    --samples 4 --jobs 2 --threads 1 --train-steps 20000 --timeout 15 --eval-seeds 2 \
    --out "$TMP/run" --quiet --json > "$TMP/summary.txt"
cat "$TMP/summary.txt"
python3 - "$TMP/summary.txt" "$TMP/run" <<'PY'
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

"$EUREKA" show "$TMP/run" > "$TMP/show.txt"
cat "$TMP/show.txt"
grep -q "iter01/sample01  compile_error" "$TMP/show.txt" || die "show: compile error"
grep -q "iter01/sample02  crash .*SIGSEGV" "$TMP/show.txt" || die "show: crash"
grep -q "iter01/sample03  timeout .*time limit" "$TMP/show.txt" || die "show: timeout"
grep -q "best so far: iter02/sample01" "$TMP/show.txt" || die "show: best so far"

"$EUREKA" diff "$TMP/run" iter01/sample00 iter02/sample00 > "$TMP/diff.txt"
cat "$TMP/diff.txt"
grep -q "^@@ .* @@ .*term added: alive" "$TMP/diff.txt" || die "diff: term added"
grep -q "constant changed (hyperparameter)" "$TMP/diff.txt" || die "diff: constant"
grep -q "functional form changed" "$TMP/diff.txt" || die "diff: form"
"$EUREKA" diff "$TMP/run" > /dev/null || die "diff of successive bests"
"$EUREKA" diff "$TMP/run" iter09/sample00 best 2> "$TMP/err.txt" && die "diff of a missing candidate"
grep -q "no such candidate" "$TMP/err.txt" || die "diff error message"

"$EUREKA" compare --task cartpole "$TMP/run" --seeds 2 --steps 20000 --jobs 2 --json > "$TMP/compare.json"
python3 - "$TMP/compare.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
rows = c["rewards"]
assert [r["reward"].split()[0] for r in rows[:2]] == ["sparse", "human"], rows
assert rows[0]["hns"] == 0 and rows[1]["hns"] in (1, -1), rows
assert rows[2]["reused_seeds"] == 2, "the run's final evaluation is reused"
assert all(len(r["fitness"]) == 2 and r["mean"] is not None for r in rows), rows
PY
# A reply that repeats a reward the run trained is replaced before anything trains: with
# this seed the offline mutator draws iteration 2's sample 3 equal to its sample 2, and
# the search asks once more. A replay of the run's llm.jsonl asks the same replacement
# and gets the same answer.
OFF=(--task cartpole --iterations 3 --samples 4 --jobs 2 --threads 1 --train-steps 6000
     --eval-seeds 1 --seed 2 --quiet)
"$EUREKA" search --llm offline "${OFF[@]}" --out "$TMP/off" > /dev/null
"$EUREKA" search --llm "replay:$TMP/off/llm.jsonl" "${OFF[@]}" --out "$TMP/offrp" > /dev/null
python3 - "$TMP" <<'PY'
import json, sys, os
out = sys.argv[1]
ev = [json.loads(l) for l in open(os.path.join(out, "off/events.jsonl"))]
rep = [(e["iteration"], e["round"], e["samples"], e["same_as"]) for e in ev if e["event"] == "repeats_replaced"]
assert rep == [(2, 1, [3], ["iter02/sample02"])], ("pick a seed with one repeat", rep)
d = json.load(open(os.path.join(out, "off/iter02/responses-a0.json")))
old = d["replacements"][0]["replaced"][0]["text"]
assert old == d["replies"][2]["text"] != d["replies"][3]["text"]
codes = [open(os.path.join(out, "off", f"iter{i:02d}/sample{s:02d}/reward.c")).read()
         for i in (1, 2, 3) for s in range(4)]
assert len(set(codes)) == len(codes), "a reward trained twice"
for i in (1, 2, 3):
    a = open(os.path.join(out, f"off/iter{i:02d}/responses-a0.json")).read()
    b = open(os.path.join(out, f"offrp/iter{i:02d}/responses-a0.json")).read()
    assert a == b, f"iteration {i}: the replay answered differently"
assert not any(json.loads(l)["event"] == "repeats_kept" for l in open(os.path.join(out, "offrp/events.jsonl")))
print("repeat replaced, and replayed")
PY
"$EUREKA" show "$TMP/off" | grep -q "same code as" && die "show: a repeat trained"
# Stopped after iteration 2's replies were saved, before the replacement was asked: the
# resumed search asks it and ends as the uninterrupted one.
cp -r "$TMP/off" "$TMP/offcut"
python3 - "$TMP/offcut" <<'PY'
import json, sys, os, shutil
run = sys.argv[1]
f = os.path.join(run, "iter02/responses-a0.json")
d = json.load(open(f))
d["replies"][3] = {k: v for k, v in d["replacements"][0]["replaced"][0].items() if k != "same_as"}
del d["replacements"]
json.dump(d, open(f, "w"))
for x in ["iter02/sample00", "iter02/sample01", "iter02/sample02", "iter02/sample03", "iter03",
          "final", "eval", "summary.json", "best.c", "best.json", "iter02/reflection.md"]:
    p = os.path.join(run, x)
    shutil.rmtree(p) if os.path.isdir(p) else os.path.exists(p) and os.remove(p)
PY
"$EUREKA" search --resume "$TMP/offcut" --quiet > /dev/null
cmp -s "$TMP/off/best.c" "$TMP/offcut/best.c" || die "resumed before the replacement: another best"
cmp -s "$TMP/off/iter02/responses-a0.json" "$TMP/offcut/iter02/responses-a0.json" || \
    die "resumed before the replacement: other replies"

echo "e2e_search_replay: ok"
