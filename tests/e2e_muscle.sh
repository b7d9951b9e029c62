#!/usr/bin/env bash
# e2e_muscle.sh: the muscle-driven hand tasks (reorient_muscle, baoding) through the real
# binary: listed by `eureka tasks`, their expert and sparse rewards pass `eureka check`, and a
# one-iteration offline search on reorient_muscle runs end to end (tiny budget: this checks
# the plumbing, not the fitness), and `eureka analyze` of its best reports muscle synergies.
# usage: e2e_muscle.sh /path/to/eureka
. "$(dirname "$0")/lib.sh" "$@"

"$EUREKA" tasks > "$TMP/tasks.txt" 2>&1 && ok || bad "eureka tasks exited $?"
for t in reorient_muscle baoding; do
    grep -q "^$t  *[0-9][0-9]*  *18 " "$TMP/tasks.txt" && ok || bad "eureka tasks: no $t row with 18 actions"
    for kind in human sparse; do
        "$EUREKA" check --task "$t" "$ROOT/rewards/${t}_$kind.c" > "$TMP/check.txt" 2>&1 \
            && ok || bad "check $t $kind: $(tail -1 "$TMP/check.txt")"
    done
done

# One iteration, two offline samples, a tiny budget and a small judge: exit 0, a best reward,
# a summary naming the task, both candidates trained.
if "$EUREKA" search --task reorient_muscle --llm offline --iterations 1 --samples 2 \
        --train-steps 4096 --rungs 1 --robust-cases 20 --eval-seeds 0 --jobs 2 --threads 1 --quiet \
        --out "$TMP/run" > "$TMP/search.txt" 2>&1; then ok; else bad "search exited $?: $(tail -1 "$TMP/search.txt")"; fi
[ -s "$TMP/run/best.c" ] && ok || bad "search wrote no best.c"
python3 - "$TMP/run/summary.json" <<'PY' && ok || bad "summary.json: $(head -c 300 "$TMP/run/summary.json")"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["task"] == "reorient_muscle" and d["candidates"] == 2 and d["failures"] == 0
         and 0 <= d["best_fitness"] <= 1 else 1)
PY

# The search's best policy under `eureka analyze`: a muscle task reports the PCA of its 18
# muscle activations beside actions and joint velocities, in the table and in --json, and
# the muscle energy (sum of activation^2 per episode: activations lie in [0, 1], so at most
# 18 per control step).
if "$EUREKA" analyze --policy "$TMP/run" --episodes 5 --json > "$TMP/analyze.json" 2> "$TMP/analyze.err"; then ok
else bad "analyze exited $?: $(tail -1 "$TMP/analyze.err")"; fi
python3 - "$TMP/analyze.json" <<'PY' && ok || bad "analyze --json: no 18-muscle activation spectrum: $(head -c 300 "$TMP/analyze.json")"
import json, sys
j = json.load(open(sys.argv[1]))
m = j["muscle_activations"]
e = m["explained"]
sys.exit(0 if m["dims"] == 18 and len(e) == 18 and abs(sum(e) - 1) < 1e-6
         and 1 <= m["k80"] <= m["k90"] <= m["k95"] <= 18
         and 0 < j["activation_sq"] <= 18 * j["steps"] / j["episodes"] else 1)
PY
"$EUREKA" analyze --policy "$TMP/run" --episodes 5 > "$TMP/analyze.txt" 2>&1 && grep -q "^muscle activ\.  *18 " "$TMP/analyze.txt" \
    && grep -q "^muscle energy per episode: " "$TMP/analyze.txt" \
    && ok || bad "analyze table: no muscle activation row: $(tail -3 "$TMP/analyze.txt")"

# What the first rung ranks on (--first-cut): reorient_muscle has a graded fitness, so by
# default the first of two rungs ranks each candidate on it, and with --first-cut success
# on the robust success rate, as the last rung does; run.json records the choice (a
# resume reads it back), and any other word is a usage error.
for cut in graded success; do
    flag=(); [ $cut = success ] && flag=(--first-cut success)
    "$EUREKA" search --task reorient_muscle --llm offline --iterations 1 --samples 2 "${flag[@]}" \
        --train-steps 8192 --rungs 0.5,1 --robust-cases 20 --eval-seeds 0 --jobs 2 --threads 1 --quiet \
        --out "$TMP/cut_$cut" > "$TMP/cut_$cut.txt" 2>&1
    rc=$?
    python3 - "$TMP/cut_$cut" $cut <<'PY' && [ $rc -eq 0 ] && ok || bad "--first-cut $cut: exit $rc: $(tail -1 "$TMP/cut_$cut.txt")"
import glob, json, sys
run, cut = sys.argv[1:]
assert json.load(open(f"{run}/run.json"))["first_cut"] == cut
firsts = [json.load(open(f))[0] for f in sorted(glob.glob(f"{run}/iter01/sample*/rungs.json"))]
assert len(firsts) == 2
for r in firsts:
    assert r["score"] == r["fitness_graded" if cut == "graded" else "fitness_robust"], r
PY
done
"$EUREKA" search --task reorient_muscle --first-cut best > /dev/null 2> "$TMP/cut_bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "first-cut best: use graded or success" "$TMP/cut_bad.err" \
    && ok || bad "--first-cut best: exit $rc: $(cat "$TMP/cut_bad.err")"

e2e_end
