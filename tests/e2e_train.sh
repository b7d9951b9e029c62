#!/usr/bin/env bash
# e2e_train.sh: `eureka train` and `eureka eval` through the real binary and sandbox.
# usage: e2e_train.sh /path/to/eureka
. "$(dirname "$0")/lib.sh" "$@"

# 1. The expert cartpole reward reaches >= 0.95 of the maximum within the default budget.
if "$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --quiet \
        --out "$TMP/cp" > "$TMP/cp.txt"; then ok; else bad "train cartpole_human exited $?"; fi
fit=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fitness"])' "$TMP/cp/train.json" 2>/dev/null)
echo "cartpole_human fitness: ${fit:-none}"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 0.95 else 1)' "${fit:-0}" && ok || bad "fitness ${fit:-none} < 0.95"
grep -q "^upright: \['" "$TMP/cp.txt" && ok || bad "no reflection line for 'upright'"
grep -q "^task_score: \['" "$TMP/cp.txt" && ok || bad "no task_score line"
grep -q "^fitness: " "$TMP/cp.txt" && ok || bad "no fitness line"
# ... and --out wrote progress.csv beside train.json: it parses, one row per update.
python3 - "$TMP/cp" <<'PY' && ok || bad "progress.csv does not match train.json"
import csv, json, sys
d = json.load(open(sys.argv[1] + "/train.json"))
rows = list(csv.DictReader(open(sys.argv[1] + "/progress.csv")))
fit = [float(r["eval/fitness"]) for r in rows if r["eval/fitness"]]
ok = (len(rows) == d["updates"] > 0 and int(rows[-1]["time/total_timesteps"]) == d["steps"]
      and [float(r["rollout/reward_mean"]) for r in rows] == d["reward_total"]
      and all("reward/" + c in rows[0] for c in d["components"]) and max(fit) == d["fitness"])
sys.exit(0 if ok else 1)
PY

# 1b. analyze: the policy's held-out rollouts give the fitness train.json reports (the
# same episodes), one action and one actuator, so one component explains everything;
# --exploration lattice is recorded in train.json.
"$EUREKA" analyze --policy "$TMP/cp" --json > "$TMP/an.json" && ok || bad "analyze exited $?"
python3 - "$TMP/an.json" "$TMP/cp/train.json" <<'PY' && ok || bad "analyze json: $(head -c 300 "$TMP/an.json")"
import json, sys
a, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert abs(a["fitness"] - t["fitness"]) < 1e-9, (a["fitness"], t["fitness"])
assert a["actions"]["k95"] == 1 and a["joint_velocities"]["dims"] == 1 and a["energy"] > 0
PY
"$EUREKA" analyze --policy "$TMP/cp" --task reorient > /dev/null 2> "$TMP/an.err"
[ $? -eq 2 ] && grep -q "trained on task 'cartpole'" "$TMP/an.err" && ok || bad "analyze task mismatch: $(cat "$TMP/an.err")"
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --steps 4096 \
    --exploration lattice --noise-period 4 --json --quiet > "$TMP/lat.json" || bad "lattice train"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["exploration"] == "lattice" and d["config"]["noise_period"] == 4 else 1)' \
    "$TMP/lat.json" && ok || bad "exploration not recorded"
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --exploration brownian > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "an unknown --exploration should exit 2"
# --exploration dep on reorient, through the worker: recorded with its settings, DEP
# drove some steps and the loss trained on the rest; a dep_* setting without dep exits 2.
"$EUREKA" train --task reorient --reward "$ROOT/rewards/reorient_human.c" --steps 4096 \
    --exploration dep --set dep_prob=0.05,n_envs=16 --threads 1 --out "$TMP/dep" --quiet > /dev/null \
    && ok || bad "dep train exited $?"
python3 - "$TMP/dep/train.json" <<'PY' && ok || bad "dep not recorded: $(head -c 300 "$TMP/dep/train.json")"
import json, sys
d = json.load(open(sys.argv[1]))
n = d["config"]["n_envs"] * d["config"]["horizon"]
assert d["exploration"] == "dep" and d["config"]["exploration"] == 3, d["exploration"]
assert d["config"]["dep_prob"] == 0.05 and d["config"]["dep_kappa"] == 1169.7
assert len(d["dep_steps"]) == d["updates"] == 8 and sum(d["dep_steps"]) > 0
assert all(t == (n - s) // 4 * 4 for s, t in zip(d["dep_steps"], d["trained_samples"]))
PY
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --set dep_prob=0.1 > /dev/null 2> "$TMP/dep.err"
[ $? -eq 2 ] && grep -q "exploration dep only" "$TMP/dep.err" && ok || bad "dep_prob without dep: $(cat "$TMP/dep.err")"

# 2. Same seed and threads: the same train.json (apart from the wall time).
for k in a b; do
    "$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --steps 20000 \
        --seed 3 --threads 2 --json --quiet > "$TMP/det_$k.json" || bad "determinism run $k"
done
python3 - "$TMP/det_a.json" "$TMP/det_b.json" <<'PY' && ok || bad "train.json differs between identical runs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b): d.pop("seconds")
sys.exit(0 if a == b and a["updates"] > 0 else 1)
PY

# 2b. Stopped and resumed (--out, then --resume --steps) = straight, when the stop lies on a
#     checkpoint; --set values are recorded; --resume refuses a total it has reached.
R=(--task cartpole --reward "$ROOT/rewards/cartpole_human.c" --seed 4 --threads 1 --quiet
   --set ck_interval=4096,epochs=4)
"$EUREKA" train "${R[@]}" --steps 8192 --out "$TMP/half" > /dev/null || bad "train --out (half)"
"$EUREKA" train --resume "$TMP/half" --steps 16384 --quiet > /dev/null || bad "train --resume"
"$EUREKA" train "${R[@]}" --steps 16384 --out "$TMP/straight" > /dev/null || bad "train straight"
python3 - "$TMP/half/train.json" "$TMP/straight/train.json" <<'PY' && ok || bad "resumed train.json differs from the straight one"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    for k in ("seconds", "threads", "settings"): d.pop(k, None)
assert a["steps"] == 16384 and a == b, [k for k in a if a.get(k) != b.get(k)]
PY
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["settings"]; sys.exit(0 if s["epochs"] == 4 and s["ck_interval"] == 4096 else 1)'     "$TMP/straight/train.json" && ok || bad "--set values not recorded in train.json"
"$EUREKA" train --resume "$TMP/half" --steps 100 --quiet > /dev/null 2> "$TMP/res.err"
[ $? -eq 2 ] && grep -q "larger total" "$TMP/res.err" && ok || bad "resume to fewer steps: $(cat "$TMP/res.err")"
"$EUREKA" train "${R[@]}" --set nope=1 > /dev/null 2> "$TMP/set.err"
[ $? -eq 2 ] && grep -q "unknown setting 'nope'" "$TMP/set.err" && ok || bad "--set nope: $(cat "$TMP/set.err")"

# 3. A reward that turns NaN fails with one line naming the component; exit 1.
cat > "$TMP/nan.c" <<'C'
double compute_reward(const env_state *s, reward_terms *t) {
    double x = s->step > 30 ? log(-1.0 - fabs(s->pole_angle)) : 0.0;
    return term(t, "upright", 1.0) + term(t, "bad_log", x);
}
C
"$EUREKA" train --task cartpole --reward "$TMP/nan.c" --quiet > /dev/null 2> "$TMP/nan.err"
rc=$?
[ $rc -eq 1 ] && ok || bad "NaN reward exited $rc, want 1"
[ "$(wc -l < "$TMP/nan.err")" -eq 1 ] && grep -q "eureka train: nonfinite_reward: .*'bad_log'" "$TMP/nan.err" \
    && ok || bad "NaN message: $(cat "$TMP/nan.err")"

# 4. Usage errors exit 2.
"$EUREKA" train --task cartpole > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "missing --reward should exit 2"
"$EUREKA" train --task nosuchtask --reward "$TMP/nan.c" > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown task should exit 2"
# ... settings a training cannot run with are refused before any worker starts, naming the setting.
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --curriculum > /dev/null 2> "$TMP/cur.err"
[ $? -eq 2 ] && grep -q "no difficulty knob" "$TMP/cur.err" && ok || bad "curriculum on cartpole: $(cat "$TMP/cur.err")"
"$EUREKA" train --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --set hidden=100000 > /dev/null 2> "$TMP/hid.err"
[ $? -eq 2 ] && grep -q "hidden=100000: give 1\.\." "$TMP/hid.err" && ok || bad "hidden=100000: $(cat "$TMP/hid.err")"

# 5. eval: two seeds, a fitness each, mean and std.
if "$EUREKA" eval --task cartpole --reward "$ROOT/rewards/cartpole_human.c" --seeds 2 \
        --steps 30000 --json --quiet > "$TMP/eval.json"; then ok; else bad "eval exited $?"; fi
python3 - "$TMP/eval.json" <<'PY' && ok || bad "eval json: $(cat "$TMP/eval.json")"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["fitness"]
sys.exit(0 if len(f) == 2 and all(0 <= x <= 1 for x in f) and abs(d["mean"] - sum(f) / 2) < 1e-9 else 1)
PY

# 6. `eureka tasks T --json` gives the task's default trainer: reorient trains 8 epochs
# (tasks/reorient/task.c), cartpole the trainer's 5.
"$EUREKA" tasks reorient --json > "$TMP/tasks_ro.json" && python3 - "$TMP/tasks_ro.json" <<'PY' && ok || bad "tasks --json trainer: $(head -c 300 "$TMP/tasks_ro.json")"
import json, sys
t = json.load(open(sys.argv[1]))[0]["trainer"]
assert t["epochs"] == 8 and t["steps"] > 0 and not {"seed", "threads", "max_seconds"} & set(t), t
PY
# ... and what each --exploration changes in it: ant's gSDE and LATTICE start at
# init_log_std -2 (tasks/ant/task.c), reorient's at the Gaussian's; DEP adds its rule's.
"$EUREKA" tasks ant --json > "$TMP/tasks_ant.json" && python3 - "$TMP/tasks_ant.json" "$TMP/tasks_ro.json" <<'PY' \
    && ok || bad "tasks --json explorations: $(head -c 600 "$TMP/tasks_ant.json")"
import json, sys
ant, ro = (json.load(open(f))[0]["explorations"] for f in sys.argv[1:])
assert ant["gsde"] == ant["lattice"] == {"init_log_std": -2}, ant
assert ro["gsde"] == ro["lattice"] == {} and ro["dep"]["dep_kappa"] > 0 and "exploration" not in ro["dep"], ro
PY
# bench/trainer_tables.sh: an explore cell without FLAGS trains (its job lines once
# ended in a blank, and xargs joined them into one); `set epochs=5` is the default trainer,
# so its row equals the gaussian row, and the gaussian cells are reused (not trained
# again); a variant that differs trains with its setting.
TT="$TMP/tt"
EUREKA="$EUREKA" OUT="$TT" STEPS=8192 SEEDS=2 JOBS=2 EXPLORATIONS=gaussian \
    bash "$ROOT/bench/trainer_tables.sh" explore cartpole > "$TMP/tt_explore.txt" 2>&1 \
    && [ -s "$TT/cartpole/gaussian/seed02/analysis.json" ] && ok || bad "explore table: $(tail -3 "$TMP/tt_explore.txt")"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["epochs"] != 5)' "$TT/cartpole/trainer.json" \
    && ok || bad "no OUT/cartpole/trainer.json with the default trainer"
mt=$(stat -c %y "$TT/cartpole/gaussian/seed01/train.json")
EUREKA="$EUREKA" OUT="$TT" STEPS=8192 SEEDS=2 JOBS=2 \
    bash "$ROOT/bench/trainer_tables.sh" set cartpole epochs=5 epochs=2 > "$TMP/tt_set.txt" 2>&1 || bad "set table exited $?"
row() { grep "^$1 " "$TMP/tt_set.txt" | sed "s/^$1 *//"; }
[ -n "$(row gaussian)" ] && [ "$(row gaussian)" = "$(row epochs=5)" ] && ok || bad "epochs=5 is not the default: $(cat "$TMP/tt_set.txt")"
[ "$(stat -c %y "$TT/cartpole/gaussian/seed01/train.json")" = "$mt" ] && ok || bad "the gaussian cell was trained again"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["settings"]["epochs"] != 2)' \
    "$TT/cartpole/epochs=2/seed01/train.json" && ok || bad "the epochs=2 cell did not train with epochs=2"
# ... cells of another default trainer (trainer.json says epochs 4) are not mixed in: one
# line naming OUT/<task>, the setting and the fix, before any training; nor are cells
# without trainer.json (made before it was kept: their trainer is unknown).
cp "$TT/cartpole/trainer.json" "$TMP/trainer_now.json"
python3 - "$TT/cartpole/trainer.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["epochs"] = 4; json.dump(d, open(sys.argv[1], "w"))
PY
EUREKA="$EUREKA" OUT="$TT" STEPS=8192 SEEDS=3 JOBS=2 \
    bash "$ROOT/bench/trainer_tables.sh" set cartpole epochs=2 > /dev/null 2> "$TMP/tt_old.err"
rc=$?
[ $rc -ne 0 ] && [ "$(cat "$TMP/tt_old.err")" = "trainer_tables: $TT/cartpole was trained with epochs 4, this build trains with 5: give a fresh OUT or remove $TT/cartpole" ] \
    && [ ! -e "$TT/cartpole/gaussian/seed03" ] && ok || bad "stale trainer.json: exit $rc: $(cat "$TMP/tt_old.err")"
rm "$TT/cartpole/trainer.json"
EUREKA="$EUREKA" OUT="$TT" STEPS=8192 SEEDS=3 JOBS=2 \
    bash "$ROOT/bench/trainer_tables.sh" set cartpole epochs=2 > /dev/null 2> "$TMP/tt_none.err"
rc=$?
[ $rc -ne 0 ] && [ "$(wc -l < "$TMP/tt_none.err")" -eq 1 ] && grep -q "^trainer_tables: $TT/cartpole has trainings but no trainer.json" "$TMP/tt_none.err" \
    && [ ! -e "$TT/cartpole/gaussian/seed03" ] && ok || bad "cells without trainer.json: exit $rc: $(cat "$TMP/tt_none.err")"
# ... nor a cell trained for another budget: the others still run, the table prints, and
# the script exits 1.
cp "$TMP/trainer_now.json" "$TT/cartpole/trainer.json"
EUREKA="$EUREKA" OUT="$TT" STEPS=4096 SEEDS=1 JOBS=2 \
    bash "$ROOT/bench/trainer_tables.sh" set cartpole epochs=3 > "$TMP/tt_steps.txt" 2> "$TMP/tt_steps.err"
rc=$?
[ $rc -eq 1 ] && grep -qx "trainer_tables: $TT/cartpole/gaussian/seed01 was trained for 8192 steps, this run asks for 4096: give a fresh OUT or remove $TT/cartpole/gaussian/seed01" "$TMP/tt_steps.err" \
    && [ -s "$TT/cartpole/epochs=3/seed01/analysis.json" ] && grep -q "^epochs=3 " "$TMP/tt_steps.txt" \
    && ok || bad "a cell of another budget: exit $rc: $(cat "$TMP/tt_steps.err")"
# `synergy RUN` analyses the run's final-evaluation trainings of best.c when they trained
# as this build's default trainer would (seed 1: copied as it is), and trains a cell anew
# where one did not (seed 2, trained with epochs 2): one line says so.
FR="$TMP/frun"; mkdir -p "$FR/eval/seed01" "$FR/eval/seed02"
cp "$ROOT/rewards/cartpole_human.c" "$FR/best.c"
cp "$TT/cartpole/gaussian/seed01/train.json" "$FR/eval/seed01/train.json"
cp "$TT/cartpole/epochs=2/seed02/train.json" "$FR/eval/seed02/train.json"
EUREKA="$EUREKA" OUT="$TT" STEPS=8192 SEEDS=2 JOBS=2 \
    bash "$ROOT/bench/trainer_tables.sh" synergy "$FR" cartpole > "$TMP/tt_syn.txt" 2> "$TMP/tt_syn.err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$FR/eval/seed01/train.json" "$TT/cartpole/found/seed01/train.json" \
    && [ "$(cat "$TMP/tt_syn.err")" = "trainer_tables: $FR/eval/seed02/train.json was trained with epochs 2, this build trains with 5: the found cell seed 2 trains anew" ] \
    && python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["config"]["epochs"] != 5)' "$TT/cartpole/found/seed02/train.json" \
    && grep -q "^found  *2 " "$TMP/tt_syn.txt" && ok || bad "synergy of a run: exit $rc: $(cat "$TMP/tt_syn.err")"

# 7. bench_judge reuses a cached reference training only when it was trained with what
# this build would train: a cache of this binary's is reused (nothing to train, the file
# untouched); one whose "config" says epochs 4 stops it, before any training, with one
# line naming the file, the setting and the fix.
BJ="$(dirname "$EUREKA")/bench_judge"
BJA=(--task cartpole --ref-seeds 1 --jobs 1 --judges none "$ROOT/rewards/cartpole_human.c")
REF="$TMP/ref/cartpole_human/seed01/train.json"
[ -x "$BJ" ] || bad "no $BJ: build it (cmake --build . builds it with eureka)"
"$BJ" --reference "$TMP/ref" "${BJA[@]}" > /dev/null 2> "$TMP/bj1.err" && grep -q "^reference: 1 of 1 trainings to run" "$TMP/bj1.err" \
    && [ -s "$REF" ] && ok || bad "bench_judge reference: $(cat "$TMP/bj1.err")"
mt=$(stat -c %y "$REF")
"$BJ" --reference "$TMP/ref" "${BJA[@]}" > /dev/null 2> "$TMP/bj2.err" && grep -q "^reference: 0 of 1 trainings to run" "$TMP/bj2.err" \
    && [ "$(stat -c %y "$REF")" = "$mt" ] && ok || bad "bench_judge did not reuse its own cache: $(cat "$TMP/bj2.err")"
# ... and prints how far one training tells the rewards apart: cached references of 1.0
# and 0.8 (human) and 0.2 and 0.4 (sparse) are 0.424 apart between rewards, 0.141 over
# seeds, ICC(1) (0.36 - 0.02) / (0.36 + 0.02) = 0.895.
python3 - "$REF" "$TMP/spread" <<'PY'
import json, os, sys
src, out = sys.argv[1:]
for name, fits in (("cartpole_human", (1.0, 0.8)), ("cartpole_sparse", (0.2, 0.4))):
    for s, f in enumerate(fits, 1):
        d = json.load(open(src)); d["fitness"] = f; d["config"]["seed"] = s
        os.makedirs(f"{out}/{name}/seed{s:02d}"); json.dump(d, open(f"{out}/{name}/seed{s:02d}/train.json", "w"))
PY
"$BJ" --reference "$TMP/spread" --task cartpole --ref-seeds 2 --jobs 1 --judges none \
    "$ROOT/rewards/cartpole_human.c" "$ROOT/rewards/cartpole_sparse.c" > "$TMP/bj_spread.txt" 2>&1 \
    && grep -qx "reference spread: between rewards sd 0.424, over seeds sd 0.141, ICC(1) 0.895 (2 rewards x 2 seeds)" "$TMP/bj_spread.txt" \
    && ok || bad "bench_judge's reference spread: $(cat "$TMP/bj_spread.txt")"
mkdir -p "$TMP/old/cartpole_human/seed01"
python3 - "$REF" "$TMP/old/cartpole_human/seed01/train.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["config"]["epochs"] = 4; json.dump(d, open(sys.argv[2], "w"))
PY
"$BJ" --reference "$TMP/old" "${BJA[@]}" > /dev/null 2> "$TMP/bj3.err"
rc=$?
[ $rc -ne 0 ] && ! grep -q "trainings to run" "$TMP/bj3.err" && [ "$(grep -c . "$TMP/bj3.err")" -eq 2 ] \
    && grep -qxF "bench_judge: $TMP/old/cartpole_human/seed01/train.json was trained with epochs 4, this build trains with 5: give a fresh --reference DIR (or remove $TMP/old)" "$TMP/bj3.err" \
    && ok || bad "bench_judge on a cache of other settings: exit $rc: $(cat "$TMP/bj3.err")"
# ... and caches each training as it ends: killed while a slow reward still trains, it
# has kept the one that finished (a rerun would train only the other).
cat > "$TMP/slow.c" <<'C'
double compute_reward(const env_state *s, reward_terms *t) {
    double x = 0.0;
    for (int i = 0; i < 300000; i++) x += 1e-12 * i;
    return term(t, "upright", 1.0 - square(s->pole_angle)) + 0.0 * x;
}
C
"$BJ" --reference "$TMP/part" --task cartpole --ref-seeds 1 --jobs 2 --judges none \
    "$ROOT/rewards/cartpole_human.c" "$TMP/slow.c" > /dev/null 2> "$TMP/bj4.err" &
bj=$!
for _ in $(seq 1 300); do [ -s "$TMP/part/cartpole_human/seed01/train.json" ] && break; sleep 1; done
kill -0 $bj 2>/dev/null && alive=1 || alive=0
kill $bj 2>/dev/null; wait $bj 2>/dev/null
[ $alive = 1 ] && [ -s "$TMP/part/cartpole_human/seed01/train.json" ] && [ ! -e "$TMP/part/slow/seed01/train.json" ] \
    && ok || bad "bench_judge kept no finished training before its end (alive $alive): $(cat "$TMP/bj4.err")"

# 8. bench_judge --replay --judge-seeds: a judge that trains each candidate on two seeds
# ranks on their mean, and every line is scored against the seed left over. Three
# rewards whose curves are flat at one value per seed (seed 2 swaps the first two):
#   A: 0.9 0.5 0.9   B: 0.5 0.9 0.5   C: 0.1 0.1 0.1
# One seed (the first seated) ranks A, B the wrong way round against the reference in
# four of the six ordered seatings: Spearman 1, 0.5, 0.5, 0.5, 0.5, 1 (mean 0.667). Two
# seeds tie A and B (which goes to the first) except where seeds 1 and 3 are seated and
# seed 2 is the reference: 1, 0.5, 1, 1, 0.5, 1 (mean 0.833), for twice the steps.
"$BJ" --reference "$TMP/ref" --prefix "$TMP/pre" --task cartpole --ref-seeds 1 --jobs 1 --replay \
    "$ROOT/rewards/cartpole_human.c" > /dev/null 2> "$TMP/bj5.err"
cp "$ROOT/rewards/cartpole_human.c" "$TMP/third.c"
python3 - "$REF" "$TMP/pre/cartpole_human/seed01/train.json" "$TMP/flat" <<'PY2'
import json, os, sys
ref, pre, out = sys.argv[1:]
vals = {"cartpole_human": (0.9, 0.5, 0.9), "cartpole_sparse": (0.5, 0.9, 0.5), "third": (0.1, 0.1, 0.1)}
for kind, src in (("reference", ref), ("prefix", pre)):
    for name, fits in vals.items():
        for s, f in enumerate(fits, 1):
            d = json.load(open(src))
            d["config"]["seed"] = s
            d["fitness"] = f
            ck = d["checkpoints"]
            ck["fitness"] = [f] * len(ck["steps"])
            if "graded" in ck: ck["graded"] = [f] * len(ck["steps"])
            os.makedirs(f"{out}/{kind}/{name}/seed{s:02d}")
            json.dump(d, open(f"{out}/{kind}/{name}/seed{s:02d}/train.json", "w"))
PY2
"$BJ" --reference "$TMP/flat/reference" --prefix "$TMP/flat/prefix" --task cartpole --ref-seeds 3 --jobs 1 \
    --replay --rungs 1 --judge-seeds 2 "$ROOT/rewards/cartpole_human.c" "$ROOT/rewards/cartpole_sparse.c" \
    "$TMP/third.c" > "$TMP/bj6.txt" 2> "$TMP/bj6.err"
rc=$?
[ $rc -eq 0 ] && grep -q "needs --ref-seeds 2" "$TMP/bj5.err" \
    && grep -q "^robust 1  *1  *1.00  *0.667 .*\[1.000 0.500 0.500 0.500 0.500 1.000\]$" "$TMP/bj6.txt" \
    && grep -q "^robust 1  *2  *2.00  *0.833 .*\[1.000 0.500 1.000 1.000 0.500 1.000\]$" "$TMP/bj6.txt" \
    && ok || bad "bench_judge --judge-seeds: exit $rc: $(cat "$TMP/bj6.err" "$TMP/bj6.txt")"
# ... and the three first cuts of the default schedule (0.25,0.5,1: 4 rewards, 2 go on
# after the first rung) on flat curves where the graded fitness and the success rate
# disagree. Success (= the reference) A .4, B .3, C .2, D .1; graded A .7, B .1, C .8, D .9.
#   robust keeps A, B: order A B C D, Spearman 1
#   judge (graded) keeps D, C; then A, B by their graded: C D A B, Spearman -0.6
#   both: rank sums A 4+2, B 3+1, C 2+3, D 1+4; keeps A, then C over D on success;
#   the two cut by their sums: A C D B, Spearman 0.4
cp "$ROOT/rewards/cartpole_human.c" "$TMP/fourth.c"
python3 - "$REF" "$TMP/pre/cartpole_human/seed01/train.json" "$TMP/mixed" <<'PY3'
import json, os, sys
ref, pre, out = sys.argv[1:]
vals = {"cartpole_human": (0.4, 0.7), "cartpole_sparse": (0.3, 0.1), "third": (0.2, 0.8), "fourth": (0.1, 0.9)}
for kind, src in (("reference", ref), ("prefix", pre)):
    for name, (f, g) in vals.items():
        for s in (1, 2):
            d = json.load(open(src))
            d["config"]["seed"] = s
            d["fitness"] = f
            ck = d["checkpoints"]
            ck["fitness"] = [f] * len(ck["steps"])
            ck["graded"] = [g] * len(ck["steps"])
            os.makedirs(f"{out}/{kind}/{name}/seed{s:02d}")
            json.dump(d, open(f"{out}/{kind}/{name}/seed{s:02d}/train.json", "w"))
PY3
"$BJ" --reference "$TMP/mixed/reference" --prefix "$TMP/mixed/prefix" --task cartpole --ref-seeds 2 --jobs 1 \
    --replay "$ROOT/rewards/cartpole_human.c" "$ROOT/rewards/cartpole_sparse.c" "$TMP/third.c" "$TMP/fourth.c" \
    > "$TMP/bj10.txt" 2> "$TMP/bj10.err"
rc=$?
[ $rc -eq 0 ] && grep -q "^robust 0.25,0.5,1 .* 1.000 .*\[1.000 1.000\]$" "$TMP/bj10.txt" \
    && grep -q "^judge  0.25,0.5,1 .* -0.600 .*\[-0.600 -0.600\]$" "$TMP/bj10.txt" \
    && grep -q "^both   0.25,0.5,1 .* 0.400 .*\[0.400 0.400\]$" "$TMP/bj10.txt" \
    && ok || bad "bench_judge's three first cuts: exit $rc: $(cat "$TMP/bj10.err"; grep 0.25,0.5,1 "$TMP/bj10.txt")"
# ... and a count the reference cannot spare, or one without --replay, is a usage error
"$BJ" --reference "$TMP/flat/reference" --task cartpole --ref-seeds 3 --replay --judge-seeds 3 \
    "$ROOT/rewards/cartpole_human.c" > /dev/null 2> "$TMP/bj7.err"
rc=$?
"$BJ" --reference "$TMP/flat/reference" --task cartpole --ref-seeds 3 --judge-seeds 2 \
    "$ROOT/rewards/cartpole_human.c" > /dev/null 2> "$TMP/bj8.err"
rc2=$?
# (a replayed tournament may end before the full budget, as round 1's "0.5" does, but its
# rungs still increase)
"$BJ" --reference "$TMP/flat/reference" --task cartpole --ref-seeds 3 --replay --rungs 0.5,0.3 \
    "$ROOT/rewards/cartpole_human.c" > /dev/null 2> "$TMP/bj9.err"
rc3=$?
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] \
    && grep -qx "bench_judge: --rungs 0.5,0.3: give fractions in (0, 1], increasing (a replay may end before 1)" "$TMP/bj9.err" \
    && grep -qx "bench_judge: --judge-seeds 3: give counts from 1 to 2 (the reference keeps a seed of --ref-seeds 3), one or one per rung, none below the one before" "$TMP/bj7.err" \
    && grep -qx "bench_judge: --judge-seeds is replayed on cached curves: give it with --replay" "$TMP/bj8.err" \
    && ok || bad "bench_judge --judge-seeds/--rungs usage: exit $rc/$rc2/$rc3: $(cat "$TMP/bj7.err" "$TMP/bj8.err" "$TMP/bj9.err")"

# 9. bench/judge_iterations.sh: one iteration of a run directory as one field. Three
# samples, one without code (left out, said on stderr); the caches under OUT hold the flat
# curves of A and C above under the names the script gives them. Success ranks A first
# (reference .4 against .2: the pick loses nothing), the graded first cut keeps C (loses .2).
JR="$TMP/jrun/seedX"
mkdir -p "$JR/iter02/sample00" "$JR/iter02/sample01" "$JR/iter02/sample02"
cp "$ROOT/rewards/cartpole_human.c" "$JR/iter02/sample00/reward.c"
cp "$TMP/third.c" "$JR/iter02/sample02/reward.c"
for k in reference prefix; do
    mkdir -p "$TMP/jout/$k"
    cp -r "$TMP/mixed/$k/cartpole_human" "$TMP/jout/$k/iter02seedX_sample00"
    cp -r "$TMP/mixed/$k/third" "$TMP/jout/$k/iter02seedX_sample02"
done
BENCH_JUDGE="$BJ" OUT="$TMP/jout" "$ROOT/bench/judge_iterations.sh" "$JR:2" -- --task cartpole --jobs 1 \
    > "$TMP/ji.txt" 2> "$TMP/ji.err"
rc=$?
BENCH_JUDGE="$BJ" OUT="$TMP/jout" "$ROOT/bench/judge_iterations.sh" "$JR" > /dev/null 2> "$TMP/ji2.err"
rc2=$?
[ $rc -eq 0 ] && [ $rc2 -eq 2 ] && [ "$(ls "$TMP/jout/cands")" = "$(printf 'iter02seedX_sample00.c\niter02seedX_sample02.c')" ] \
    && grep -qxF "judge_iterations: $JR/iter02/sample01 has no reward.c (its reply had no code): left out" "$TMP/ji.err" \
    && grep -q "reference: 0 of 4 trainings to run" "$TMP/ji.err" \
    && grep -q "^robust 0.25,0.5,1 .* 0.000  *2/2 " "$TMP/ji.txt" \
    && grep -q "^judge  0.25,0.5,1 .* 0.200  *0/2 " "$TMP/ji.txt" \
    && grep -qxF "judge_iterations: $JR: give RUN:ITER, e.g. build/headline/abc1234/seed1:3" "$TMP/ji2.err" \
    && ok || bad "judge_iterations.sh: exit $rc/$rc2: $(cat "$TMP/ji.err" "$TMP/ji2.err"; grep 0.25,0.5,1 "$TMP/ji.txt")"

e2e_end
