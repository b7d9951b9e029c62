#!/usr/bin/env bash
# e2e_search_mock: `eureka search` against the loopback OpenAI-compatible mock server
# (tests/tools/mock_llm_server) with canned replies: one good, one that does not
# compile, one that crashes, one that loops. `show` must list each failure's reason and
# the errors must reach the model (messages.json of iteration 2).
# Usage: e2e_search_mock.sh path/to/eureka
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$@"
DATA="$ROOT/tests/data/search"
start_mock replies --replies "$DATA/replies" --lifetime 240

"$EUREKA" search --task cartpole --llm openai --model mock --base-url "http://127.0.0.1:$PORT/v1" \
    --iterations 2 --samples 4 --jobs 2 --threads 1 --train-steps 20000 --timeout 15 \
    --eval-seeds 1 --out "$TMP/run" --quiet > "$TMP/summary.txt"
cat "$TMP/summary.txt"
grep -q "^best: .*best.c" "$TMP/summary.txt" || die "no best"
grep -q "^tokens: .*[1-9][0-9]* prompt" "$TMP/summary.txt" || die "tokens not counted"

"$EUREKA" show "$TMP/run" > "$TMP/show.txt"
cat "$TMP/show.txt"
grep -q "compile_error .*reward.c:3: 'angle_distance'" "$TMP/show.txt" || die "show: compile error reason"
grep -q "crash .*SIGSEGV" "$TMP/show.txt" || die "show: crash reason"
grep -q "timeout .*time limit" "$TMP/show.txt" || die "show: timeout reason"
# The mock serves its 5 replies in turn. Iteration 2 gets replies 5,1,2,3: three repeat
# iteration 1's rewards, so the search asks for 3 more (4,5,1: repeats again, of
# iteration 1, of its own sample 0) and 3 more once more (2,3,4); after two rounds what
# still repeats trains as it is, marked.
grep -q "^iter02/sample01 .*(same code as iter01/sample01) reward.c:3: " "$TMP/show.txt" || die "show: repeat not marked"
"$EUREKA" report "$TMP/run" > /dev/null || die "report"
grep -q "<td>same code as iter01/sample01; reward.c:3: " "$TMP/run/report.html" || die "report: repeat of a failure not marked"
EUREKA="$EUREKA" python3 - "$TMP/run" <<'PY' || die "repeats not replaced as expected"
import json, sys, os
run = sys.argv[1]
ev = [json.loads(l) for l in open(os.path.join(run, "events.jsonl"))]
rep = [(e["round"], e["samples"], e["same_as"]) for e in ev if e["event"] == "repeats_replaced"]
assert rep == [(1, [1, 2, 3], ["iter01/sample00", "iter01/sample01", "iter01/sample02"]),
               (2, [1, 2, 3], ["iter01/sample03", "iter02/sample00", "iter01/sample00"])], rep
d = json.load(open(os.path.join(run, "iter02/responses-a0.json")))
rounds = d["replacements"]
assert [len(r["replaced"]) for r in rounds] == [3, 3], rounds
assert "iter01/sample00, iter01/sample01, iter01/sample02" in rounds[0]["note"], rounds[0]["note"]
# the reward that trains is the last round's reply, not the replaced one
assert open(os.path.join(run, "iter02/sample00/reward.c")).read() != open(os.path.join(run, "iter01/sample00/reward.c")).read()
# the replaced replies' tokens are counted: show's total is every saved reply's
tot = 0
for it in ("iter01", "iter02"):
    f = json.load(open(os.path.join(run, it, "responses-a0.json")))
    tot += sum(x["prompt_tokens"] for x in f["replies"])
    tot += sum(x["prompt_tokens"] for r in f.get("replacements", []) for x in r["replaced"])
import subprocess
s = json.loads(subprocess.check_output([os.environ["EUREKA"], "show", run, "--json"]))
assert s["prompt_tokens"] == tot, (s["prompt_tokens"], tot)
PY
"$EUREKA" show "$TMP/run" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
st = [x["status"] for it in s["iterations"] for x in it["samples"]]
assert st[:4] == ["ok", "compile_error", "crash", "timeout"], st
assert s["finished"] and s["prompt_tokens"] > 0
same = {x["candidate"]: x.get("same_code_as") for it in s["iterations"] for x in it["samples"]}
assert same == {"iter01/sample00": None, "iter01/sample01": None, "iter01/sample02": None,
                "iter01/sample03": None, "iter02/sample00": None, "iter02/sample01": "iter01/sample01",
                "iter02/sample02": "iter01/sample02", "iter02/sample03": "iter01/sample03"}, same
# the judge as the table shows it: rungs, steps really trained, robust statistic in its interval
for it in s["iterations"]:
    ok = [x for x in it["samples"] if x["status"] == "ok"]
    for x in ok:
        lo, hi = x["fitness_ci"]
        assert x["rung"] >= 1 and x["steps"] > 0 and lo <= x["fitness_robust"] <= hi, x
    if ok and it["iteration"] >= 1:
        best = next(x for x in ok if x["candidate"] == it["best"])
        assert best["rung"] == max(x["rung"] for x in ok), it'
grep -q "rung  *steps  *fitness  *robust  *interval" "$TMP/show.txt" || die "show: no judge columns"

python3 - "$TMP/run/messages.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert len(m) == 2
it2 = m[1]["messages"]
assert [x["role"] for x in it2] == ["system", "user", "assistant", "user"]
fb = it2[3]["content"]
for needle in ["angle_distance", "SIGSEGV", "time limit", "task_score: ["]:
    assert needle in fb, needle
PY
# The same reward in other words, comments and indentation is a repeat too: a second
# mock serves A, A reworded, B; of the two replies asked, the second is sent back and B
# trains in its place.
kill $MOCK_PID 2>/dev/null || true
mkdir "$TMP/layout"
cp "$DATA/replies/01_good.md" "$TMP/layout/1.md"
python3 - "$DATA/replies/01_good.md" "$TMP/layout/2.md" <<'PY'
import sys
t = open(sys.argv[1]).read()
code = t[t.index("```c"):t.rindex("```") + 3]
code = code.replace("    double", "  double").replace("{\n", "{ // keep the pole up\n", 1)
open(sys.argv[2], "w").write("Here is my reward, written with care.\n\n" + code + "\n")
PY
cmp -s "$TMP/layout/1.md" "$TMP/layout/2.md" && die "the reworded reply is the same file"
cp "$DATA/replies/05_good_v2.md" "$TMP/layout/3.md"
start_mock layout --replies "$TMP/layout" --lifetime 120
"$EUREKA" search --task cartpole --llm openai --model mock --base-url "http://127.0.0.1:$PORT/v1" \
    --iterations 1 --samples 2 --jobs 2 --threads 1 --train-steps 4096 --finalists 0 --eval-seeds 0 \
    --out "$TMP/run2" --quiet > /dev/null || die "layout search"
python3 - "$TMP/run2" "$DATA/replies/05_good_v2.md" <<'PY' || die "a reworded repeat was not replaced"
import json, sys, os
run, b = sys.argv[1], open(sys.argv[2]).read()
ev = [json.loads(l) for l in open(os.path.join(run, "events.jsonl"))]
rep = [(e["samples"], e["same_as"]) for e in ev if e["event"] == "repeats_replaced"]
assert rep == [([1], ["iter01/sample00"])], rep
code = open(os.path.join(run, "iter01/sample01/reward.c")).read()
assert code.strip() in b, code
PY
echo "e2e_search_mock: ok"
