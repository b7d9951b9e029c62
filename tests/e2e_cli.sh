#!/usr/bin/env bash
# e2e_cli.sh: the command-line contract, tried as a new user would (docs/cli.md): help
# and did-you-mean, reward errors in the user's words, one exit status per fault in
# every command, `eureka runs` and `latest`, numeric flags checked alike, nothing written
# before the inputs are good, Ctrl-C and failures said plainly, --set everywhere it
# trains, --json numbers as %.6g.
# Usage: e2e_cli.sh path/to/eureka
. "$(dirname "$0")/lib.sh" "$@"
HUMAN="$ROOT/rewards/cartpole_human.c"
cd "$TMP"
# expect RC PATTERN CMD...: exit status RC and PATTERN (grep -E) in stdout+stderr.
expect() {
    local want=$1 pat=$2; shift 2
    out=$("$@" 2>&1); rc=$?
    [ $rc -eq "$want" ] && ok || bad "$* exited $rc, want $want: $out"
    echo "$out" | grep -qE -- "$pat" && ok || bad "$*: no /$pat/ in: $out"
}

# 1. Help and suggestions.
expect 0 "exit status: 0 ok, 1 the work failed, 2 bad command line" "$EUREKA" -h
expect 0 "latest-TASK" "$EUREKA" help
expect 0 "^usage: eureka show RUN" "$EUREKA" help show
expect 2 "did you mean search\?" "$EUREKA" serach
expect 2 "unknown command 'frobnicate' \(see eureka --help\)" "$EUREKA" frobnicate
expect 2 "unknown option '--jsn' \(did you mean --json\?" "$EUREKA" show --jsn latest
expect 2 "did you mean --threads\?" "$EUREKA" train --task cartpole --reward x.c --thread 2

# 2. Reward errors name the user's file and line, env.h and the nearest name.
cat > typo_field.c <<'C'
double compute_reward(const env_state *s, reward_terms *t) {
    double r = 0.0;
    r += term(t, "upright", 1.0 - square(s->pole_angel));
    return r;
}
C
sed 's/square(s->pole_angel)/sqaure(s->pole_angle)/' typo_field.c > typo_func.c
expect 1 "compile_error: typo_field.c:3: 'pole_angel' is not a field of env_state \(the fields are in tasks/cartpole/env.h; did you mean 'pole_angle'\?\)" \
    "$EUREKA" check --task cartpole typo_field.c
expect 1 "typo_func.c:3: 'sqaure' is not available .*did you mean 'square'\?" "$EUREKA" check --task cartpole typo_func.c
expect 1 "eureka train: compile_error: typo_field.c:3: .*did you mean 'pole_angle'" \
    "$EUREKA" train --task cartpole --reward typo_field.c --quiet

# 3. One fault, one exit status, in every command: "not a run" is 2 everywhere.
mkdir notarun
for cmd in show diff report; do expect 2 "notarun is not a run" "$EUREKA" $cmd notarun; done
expect 2 "notarun is neither a run" "$EUREKA" compare --task cartpole notarun
expect 2 "notarun is not a run" "$EUREKA" search --resume notarun
expect 2 "not a train.json, a directory holding one, or a search run" "$EUREKA" render --policy notarun
expect 2 "not a train.json, a directory holding one, or a search run" "$EUREKA" analyze --policy notarun
# A missing input file is 2 too.
for cmd in train eval; do expect 2 "missing.c" "$EUREKA" $cmd --task cartpole --reward missing.c; done
expect 2 "missing.c" "$EUREKA" check --task cartpole missing.c
expect 2 "missing.c" "$EUREKA" compare --task cartpole missing.c

# 5. Numbers are checked alike: the one bad flag and its range.
expect 2 "^eureka train: --threads 1000 is out of range: use 1\.\.64$" "$EUREKA" train --task cartpole --reward "$HUMAN" --threads 1000
expect 2 "^eureka search: --jobs 1000 is out of range: use 1\.\.64$" "$EUREKA" search --task cartpole --jobs 1000
expect 2 "^eureka compare: --steps 0 is out of range: use 1\.\.1000000000000$" "$EUREKA" compare --task cartpole --steps 0
# A seed must come back from run.json exactly (cJSON keeps 15 digits).
expect 2 "^eureka search: --seed 1000000000000000 is out of range: use 0\.\.999999999999999$" "$EUREKA" search --task cartpole --seed 1000000000000000
expect 2 "^eureka eval: --seeds -1 is out of range: use 1\.\.100$" "$EUREKA" eval --task cartpole --reward "$HUMAN" --seeds -1
expect 2 "^eureka check: --steps '12abc' is not a whole number: use 1\.\.10000000$" "$EUREKA" check --task cartpole --steps 12abc "$HUMAN"
expect 2 "^eureka search: --train-steps '1e400' is not a whole number" "$EUREKA" search --task cartpole --train-steps 1e400
expect 2 "^eureka train: --steps '99999999999999999999999' is out of range|^eureka train: --steps 99999999999999999999999 is out of range" \
    "$EUREKA" train --task cartpole --reward "$HUMAN" --steps 99999999999999999999999
expect 2 "^eureka search: --llm-timeout 0 is out of range: use a number from 0.001 to 1e\+06$" "$EUREKA" search --task cartpole --llm-timeout 0
expect 2 "^eureka diff: --context 2.5 is not a whole number|--context '2.5' is not a whole number" "$EUREKA" diff latest --context 2.5

# 6. Nothing is written before the inputs are known to be good.
expect 2 "unknown LLM backend 'opnai'" "$EUREKA" search --task cartpole --llm opnai
expect 2 "needs OPENAI_API_KEY" env -u OPENAI_API_KEY -u OPENAI_BASE_URL "$EUREKA" search --task cartpole --llm openai
# ... and trainer settings no training could run with are refused as `train` refuses them.
expect 2 "^eureka search: task cartpole has no difficulty knob" "$EUREKA" search --task cartpole --llm offline --curriculum
expect 2 "^eureka search: hidden=100000: give 1\.\." "$EUREKA" search --task cartpole --llm offline --set hidden=100000
[ ! -e runs ] && ok || bad "a failed start left $(ls -R runs)"
touch afile
expect 2 "--out afile: not a directory" "$EUREKA" train --task cartpole --reward "$HUMAN" --out afile

# 4 + 10. Two real runs (one whose every candidate fails, then a tiny offline one with
# --set), `runs` newest first, latest / latest-TASK wherever a RUN goes.
mkdir replies
printf 'A reward.\n\n```c\ndouble compute_reward(const env_state *s, reward_terms *t) { return s->nope; }\n```\n' > replies/a.md
start_mock allfail --replies replies --lifetime 120
OPENAI_API_KEY=sk-test "$EUREKA" search --task cartpole --llm openai --model mock --base-url "http://127.0.0.1:$PORT/v1" \
    --iterations 1 --samples 2 --jobs 1 --threads 1 --train-steps 8192 --eval-seeds 0 --out runs/allfail --quiet > allfail.txt 2>&1
rc=$?
kill $MOCK_PID; wait $MOCK_PID 2>/dev/null
[ $rc -eq 1 ] && ok || bad "a search where every candidate failed exited $rc: $(cat allfail.txt)"
grep -q "failed: every candidate failed" allfail.txt && ok || bad "all-failed search does not say failed: $(cat allfail.txt)"
sleep 1     # a run's "created" has one-second resolution: keep the two runs ordered
"$EUREKA" search --task cartpole --llm offline --iterations 1 --samples 2 --jobs 2 --threads 1 --train-steps 8192 \
    --eval-seeds 1 --set epochs=3 --quiet --out runs/tiny > tiny.txt 2>&1 && ok || bad "tiny search: $(cat tiny.txt)"
python3 -c 'import json,sys; sys.exit(json.load(open("runs/tiny/run.json"))["trainer"]["epochs"] != 3)' \
    && ok || bad "--set not in run.json"
expect 0 "^runs/allfail +cartpole +failed +- +1 " "$EUREKA" runs
expect 0 "^runs/tiny +cartpole +finished +0\.[0-9]{3} +1 " "$EUREKA" runs
"$EUREKA" runs --json > runs.json && python3 - <<'PY' && ok || bad "runs --json: $(cat runs.json)"
import json
r = json.load(open("runs.json"))
assert isinstance(r, list) and [x["run"] for x in r] == ["runs/tiny", "runs/allfail"], r
assert r[1]["status"] == "failed" and r[1]["best_fitness"] is None
assert r[0]["status"] == "finished" and 0 <= r[0]["best_fitness"] <= 1 and r[0]["task"] == "cartpole"
PY
expect 0 "^run runs/tiny:" "$EUREKA" show latest
expect 0 "^run runs/tiny:" "$EUREKA" show latest-cartpole
expect 2 "latest-ant: no run of task ant under runs/" "$EUREKA" show latest-ant
expect 0 "runs/tiny/report.html" "$EUREKA" report latest
expect 0 "" "$EUREKA" diff latest
expect 0 "^policy runs/tiny/eval/seed01 \(task cartpole\)" "$EUREKA" analyze --policy latest --episodes 2
expect 0 "^policy runs/tiny/iter01/sample00 " "$EUREKA" analyze --policy latest-cartpole/iter01/sample00 --episodes 2
expect 0 "^run: +runs/tiny" "$EUREKA" search --resume latest --llm offline --quiet

# 11. show --json holds what the table shows; numbers are %.6g.
"$EUREKA" show runs/tiny --json > show.json && python3 - <<'PY' && ok || bad "show --json: $(cat show.json)"
import json, re
text = open("show.json").read()
s = json.loads(text)
assert s["settings"] == {"samples": 2, "iterations": 1, "train_steps": 8192, "seed": 1}, s["settings"]
assert s["best"]["candidate"].startswith("iter01/sample0") and s["best"]["file"] == "runs/tiny/best.c"
smp = s["iterations"][0]["samples"][0]
assert smp["status"] == "ok" and isinstance(smp["components"], list) and "name" in smp["components"][0] \
    and "last" in smp["components"][0]
for num in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", text):
    mant = num.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    assert len(mant) <= 6, num
PY

# 7. compare: a failed row says failed and exits 1, never a spread of 0.000.
C=(--task cartpole --seeds 1 --steps 8192 --jobs 2 --quiet)
"$EUREKA" compare "${C[@]}" typo_field.c > cmp.txt 2>&1; rc=$?
[ $rc -eq 1 ] && ok || bad "compare with a failing reward exited $rc: $(cat cmp.txt)"
grep -qE "^typo_field.c +failed +- +- +failed" cmp.txt && ok || bad "failed row: $(cat cmp.txt)"
grep -q "seed 1: compile_error: typo_field.c:3:" cmp.txt && ok || bad "failed row's reason: $(cat cmp.txt)"
# --set reaches compare's trainings and is recorded.
"$EUREKA" compare "${C[@]}" --set epochs=3 --out cmpset --json > cmpset.json 2>&1 && ok || bad "compare --set: $(cat cmpset.json)"
python3 -c 'import json,sys; d=json.load(open("cmpset/reward01/seed01/train.json")); sys.exit(d["settings"]["epochs"] != 3)' \
    && ok || bad "compare --set not in train.json"
python3 -c 'import json,sys; d=json.load(open("cmpset/compare.json")); sys.exit(d["settings"]["epochs"] != 3)' \
    && ok || bad "compare --set not in compare.json"
# ... with the defaults filled in, as seed 1 trained: not 0 for every setting left alone.
python3 -c 'import json,sys; s=json.load(open("cmpset/compare.json"))["settings"]; t=json.load(open("cmpset/reward01/seed01/train.json"))["settings"]; sys.exit(not (s["steps"] == 8192 and s["lr"] > 0 and s == t))' \
    && ok || bad "compare.json settings are not seed 1's: $(cat cmpset/compare.json)"
# eval --set too, and eval --json gives the settings the first seed trained with.
"$EUREKA" eval --task cartpole --reward "$HUMAN" --seeds 1 --steps 8192 --set epochs=3 --out ev --json > ev.json 2>&1 \
    && python3 -c 'import json,sys; sys.exit(json.load(open("ev/seed01/train.json"))["settings"]["epochs"] != 3)' \
    && ok || bad "eval --set not in train.json"
python3 -c 'import json,sys; s=json.load(open("ev.json"))["settings"]; t=json.load(open("ev/seed01/train.json"))["settings"]; sys.exit(not (s["steps"] == 8192 and s["epochs"] == 3 and s == t))' \
    && ok || bad "eval --json settings are not seed 1's: $(cat ev.json)"

# 7. Ctrl-C: train and compare say so, exit 130, keep what finished; compare continues.
"$EUREKA" train --task cartpole --reward "$HUMAN" --steps 50M --threads 1 --quiet > int_train.txt 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && ok || bad "interrupted train exited $rc: $(cat int_train.txt)"
grep -q "eureka train: interrupted: the training did not finish" int_train.txt && ok || bad "train: $(cat int_train.txt)"
# compare: the sparse reward's short training finishes, the long one is stopped.
"$EUREKA" compare --task cartpole --seeds 1 --steps 16384 --jobs 1 --quiet --out cmpint > int_cmp.txt 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -f cmpint/reward01/seed01/train.json ] && break; sleep 0.1; done
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && ok || bad "interrupted compare exited $rc: $(cat int_cmp.txt)"
grep -q "interrupted: .*kept in cmpint: run the same command to continue" int_cmp.txt && ok || bad "compare: $(cat int_cmp.txt)"
[ -f cmpint/reward01/seed01/train.json ] && ok || bad "the finished training was not kept"
"$EUREKA" compare --task cartpole --seeds 1 --steps 16384 --jobs 1 --quiet --out cmpint > res_cmp.txt 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "continued compare exited $rc: $(cat res_cmp.txt)"
grep -q "note: 1 training(s) reused from cmpint" res_cmp.txt && ok || bad "continued compare did not reuse: $(cat res_cmp.txt)"

e2e_end
