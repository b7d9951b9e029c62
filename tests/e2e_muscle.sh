#!/usr/bin/env bash
# e2e_muscle.sh: the muscle-driven hand tasks (reorient_muscle, baoding) through the real
# binary: listed by `eureka tasks`, their expert and sparse rewards pass `eureka check`, and a
# one-iteration offline search on reorient_muscle runs end to end (tiny budget: this checks
# the plumbing, not the fitness).
# usage: e2e_muscle.sh /path/to/eureka
set -u
EUREKA=${1:?usage: e2e_muscle.sh /path/to/eureka}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
