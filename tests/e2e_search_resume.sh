#!/usr/bin/env bash
# e2e_search_resume: a search killed with SIGKILL mid-way and continued with --resume
# ends with the same best (same reward text, same fitness, same evaluation) as an
# uninterrupted search, without asking the LLM again for answered requests; and a search
# stopped after its tournament, with only some candidates' status written, trains no rung
# again (the finished candidates still rank in the resumed selections); and a search
# killed inside the re-check of its finalists trains only the finalist left.
# Usage: e2e_search_resume.sh path/to/eureka
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$@"
ARGS=(--task cartpole --llm offline --iterations 3 --samples 2 --jobs 2 --threads 1
      --train-steps 30000 --eval-seeds 2 --seed 5 --quiet --json)

"$EUREKA" search "${ARGS[@]}" --out "$TMP/full" > "$TMP/full.json"

"$EUREKA" search "${ARGS[@]}" --out "$TMP/killed" > /dev/null &
PID=$!
# Kill once a few candidates have finished (in iteration 2, if the machine is fast).
for _ in $(seq 1 600); do
    n=$(grep -c '"sample_done"' "$TMP/killed/events.jsonl" 2>/dev/null || true)
    [ "${n:-0}" -ge 3 ] && break
    sleep 0.1
done
kill -9 $PID
wait $PID 2>/dev/null || true
[ -f "$TMP/killed/summary.json" ] && die "the search finished before it was killed"
# What is finished is what has a status.json: a kill between that file and its
# sample_done event leaves a finished candidate without the event.
before=$(find "$TMP/killed" -path '*/iter*/sample*/status.json' | wc -l)
echo "killed after $before finished candidates"
sleep 1   # orphaned workers notice the closed pipe and end

"$EUREKA" search --resume "$TMP/killed" --quiet --json > "$TMP/resumed.json"
python3 - "$TMP" "$before" <<'PY'
import json, sys, os
out, before = sys.argv[1], int(sys.argv[2])
full = json.load(open(os.path.join(out, "full.json")))
res = json.load(open(os.path.join(out, "resumed.json")))
for k in ["best_iteration", "best_sample", "best_fitness", "eval_mean", "eval_std", "candidates"]:
    assert full[k] == res[k], (k, full[k], res[k])
a = open(os.path.join(out, "full/best.c")).read()
b = open(os.path.join(out, "killed/best.c")).read()
assert a == b, "same best reward"
ev = [json.loads(l) for l in open(os.path.join(out, "killed/events.jsonl"))]
# finished candidates were not trained again: no candidate ends twice, and the resumed
# search ends exactly the 6 - before candidates that had no status.json
ends = [(e["iteration"], e["sample"]) for e in ev if e["event"] == "sample_done"]
assert len(ends) == len(set(ends)), ("a candidate ended twice", ends)
r = [i for i, e in enumerate(ev) if e["event"] == "resume"]
assert r, "no resume event"
after = sum(1 for e in ev[r[0]:] if e["event"] == "sample_done")
assert after == 6 - before, (after, before)
# every request of the run is in llm.jsonl once: the resumed part was not re-asked
rec = [json.loads(l) for l in open(os.path.join(out, "killed/llm.jsonl")) if l.strip()]
recf = [json.loads(l) for l in open(os.path.join(out, "full/llm.jsonl")) if l.strip()]
assert len(rec) == len(recf), (len(rec), len(recf))
print("resume ok:", res["best_fitness"], res["eval_mean"])
PY

# 2. Stopped between the end of the tournament and the last candidate's status.json (the
# statuses are written in sample order): the candidate left had lost at rung 2 to one
# that is already finished; resumed alone, it must not win a rung it never won.
ONE=(--task cartpole --llm offline --iterations 1 --samples 3 --jobs 2 --threads 1
     --train-steps 6000 --eval-seeds 2 --seed 7 --quiet --json)
"$EUREKA" search "${ONE[@]}" --out "$TMP/one" > "$TMP/one.json"
s2="$TMP/one/iter01/sample02"
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$s2/rungs.json")" = 2 ] || \
    die "the seed no longer eliminates sample 2 at rung 2: pick a seed that does"
cp -r "$TMP/one" "$TMP/cut"
rm -rf "$TMP/cut/summary.json" "$TMP/cut/best.c" "$TMP/cut/best.json" "$TMP/cut/eval" \
       "$TMP/cut/iter01/reflection.md" "$TMP/cut/iter01/sample02/"{status.json,train.json,state.bin,progress.csv,feedback.txt}
"$EUREKA" search --resume "$TMP/cut" --quiet --json > "$TMP/cut.json"
python3 - "$TMP" <<'PY'
import json, sys, os
out = sys.argv[1]
a, b = json.load(open(os.path.join(out, "one.json"))), json.load(open(os.path.join(out, "cut.json")))
for k in ["best_iteration", "best_sample", "best_fitness", "eval_mean", "candidates"]:
    assert a[k] == b[k], (k, a[k], b[k])
count = lambda d: sum(json.loads(l)["event"] == "rung_done" for l in open(os.path.join(out, d, "events.jsonl")))
assert count("cut") == count("one"), ("a finished rung was trained again", count("cut"), count("one"))
st = lambda d: json.load(open(os.path.join(out, d, "iter01/sample02/status.json")))
assert st("cut") == st("one"), (st("cut"), st("one"))
print("resumed after the tournament:", count("cut"), "rungs, as without the stop")
PY
# 3. Killed inside the re-check, one finalist's training done: the resume trains only the
# other, and ends as the uninterrupted run did.
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["finalists"]) == 2' "$TMP/full/best.json" || \
    die "the full run re-checked no two finalists: pick a seed whose iteration winners differ"
cp -r "$TMP/full" "$TMP/rc"
rm -rf "$TMP/rc/summary.json" "$TMP/rc/eval" "$(ls -d "$TMP"/rc/final/* | tail -1)"
"$EUREKA" search --resume "$TMP/rc" --quiet --json > "$TMP/rc.json"
python3 - "$TMP" <<'PY'
import json, sys, os
out = sys.argv[1]
a, b = json.load(open(os.path.join(out, "full.json"))), json.load(open(os.path.join(out, "rc.json")))
for k in ["best_iteration", "best_sample", "best_fitness", "eval_mean", "eval_std"]:
    assert a[k] == b[k], (k, a[k], b[k])
last = [json.loads(l) for l in open(os.path.join(out, "rc/events.jsonl")) if '"event":"recheck"' in l][-1]
assert sorted(f["reused"] for f in last["finalists"]) == [False, True], last
assert open(os.path.join(out, "rc/best.c")).read() == open(os.path.join(out, "full/best.c")).read()
print("resumed inside the re-check: one finalist trained again, the same pick and evaluation")
PY

echo "e2e_search_resume: ok"
