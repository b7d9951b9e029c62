#!/usr/bin/env bash
# e2e_untrusted: the real binary against input from someone else (issue 16): a run
# directory that was tampered with, hostile loopback LLM servers, and bad option values.
# One check per class; each says what it checks when it fails.
# Usage: e2e_untrusted.sh path/to/eureka
set -uo pipefail
EUREKA=$1
MOCK="$(dirname "$1")/mock_llm_server"
DATA=$(cd "$(dirname "$0")" && pwd)/data
OUT=$(mktemp -d /tmp/eureka_e2e_untrusted.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$OUT"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
ESC=$(printf '\033')
no_escape() { ! grep -q "$ESC" "$1"; }
unset OPENAI_API_KEY ANTHROPIC_API_KEY AZURE_OPENAI_API_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL

# start_mock NAME ARGS...: a mock server in the background; its port in $PORT.
start_mock() {
    local name=$1; shift
    "$MOCK" --port 0 --lifetime 300 "$@" > "$OUT/$name.port" &
    PIDS+=($!)
    for _ in $(seq 1 50); do [ -s "$OUT/$name.port" ] && break; sleep 0.1; done
    PORT=$(head -1 "$OUT/$name.port")
}
count() { curl -s "http://127.0.0.1:$1/_count"; }

# A small finished run to tamper with (offline backend: no network).
"$EUREKA" search --task cartpole --llm offline --iterations 2 --samples 2 --jobs 2 --threads 1 \
    --train-steps 30000 --eval-seeds 1 --eval-steps 30000 --seed 3 --quiet --json \
    --out "$OUT/run" > "$OUT/run.json" || fail "the base run"
copy() { rm -rf "$OUT/$1"; cp -a "$OUT/run" "$OUT/$1"; }

# ---- run directories ----------------------------------------------------------------

# Terminal escapes in run files never reach the terminal raw.
copy esc
python3 - "$OUT/esc" <<'PY'
import json, sys, os
d = sys.argv[1]
r = json.load(open(f"{d}/run.json")); r["llm"]["resolved_model"] = "m\u001b]0;pwned\u0007\u009b2J"
json.dump(r, open(f"{d}/run.json", "w"))
st = json.load(open(f"{d}/iter01/sample01/status.json"))
st.update(status="compile_error", message="boom \u001b[2J\u001b]52;c;ZXZpbA==\u0007")
st.pop("fitness", None)
json.dump(st, open(f"{d}/iter01/sample01/status.json", "w"))
PY
"$EUREKA" show "$OUT/esc" > "$OUT/show.txt" 2>&1 || fail "show of a run with escapes"
no_escape "$OUT/show.txt" || fail "show printed a raw escape sequence"
grep -qF 'boom \x1b[2J\x1b]52;c;ZXZpbA==\x07' "$OUT/show.txt" || fail "show: the escape is not made visible"
grep -qF 'm\x1b]0;pwned\x07\u009b2J' "$OUT/show.txt" || fail "show: the model name is not made visible"
ok "escape sequences in run files are shown as text"

# A FIFO and a link to /dev/zero in a run: show ends at once, naming what is wrong.
copy fifo
rm "$OUT/fifo/iter01/sample00/status.json" && mkfifo "$OUT/fifo/iter01/sample00/status.json"
rm "$OUT/fifo/iter01/sample01/train.json" && ln -s /dev/zero "$OUT/fifo/iter01/sample01/train.json"
timeout 20 "$EUREKA" show "$OUT/fifo" > "$OUT/fifo.txt" 2>&1
[ $? -eq 0 ] || fail "show hung or failed on a FIFO"
grep -q "unreadable .*status.json is a FIFO" "$OUT/fifo.txt" || fail "show: the FIFO is not named"
ok "a FIFO and a link to /dev/zero do not hang show"

# A 60 MB run.json is refused by its size, naming the file and the cap, exit 1.
copy big
python3 -c "import sys; f=open(sys.argv[1],'a'); f.truncate(60*1024*1024)" "$OUT/big/run.json"
"$EUREKA" show "$OUT/big" > /dev/null 2> "$OUT/big.err"; rc=$?
[ $rc -eq 1 ] || fail "show of a 60 MB run.json: exit $rc"
grep -q "run.json: 62914560 bytes, over the 1 MiB cap" "$OUT/big.err" || fail "the cap is not named: $(cat "$OUT/big.err")"
ok "an oversize run.json is refused by its size"

# A link where the resume writes: the file outside stays as it was.
copy link
echo "precious" > "$OUT/victim"
rm -f "$OUT/link/summary.json" "$OUT/link/events.jsonl"
ln -s "$OUT/victim" "$OUT/link/events.jsonl"
"$EUREKA" search --resume "$OUT/link" --llm offline --quiet > /dev/null 2>&1
[ "$(cat "$OUT/victim")" = "precious" ] || fail "a resume wrote through events.jsonl's link"
ok "links in a run directory are not written through"

# render into a run: a link planted at the video's temporary name is not written through.
copy video
echo "precious" > "$OUT/victim2"
ln -s "$OUT/victim2" "$OUT/video/eval/seed01/video.mp4.part"
"$EUREKA" render --policy "$OUT/video" --width 160 --height 120 > /dev/null 2> "$OUT/video.err" \
    || fail "render: $(cat "$OUT/video.err")"
[ "$(cat "$OUT/victim2")" = "precious" ] || fail "render wrote through a planted link"
[ -f "$OUT/video/eval/seed01/video.mp4" ] || fail "render made no video"
ok "render does not write through a planted link"

# report: a video.mp4 linked to a private file is not embedded in the page.
copy rep
echo "SECRET-KEY-MATERIAL" > "$OUT/secret"
ln -s "$OUT/secret" "$OUT/rep/eval/seed01/video.mp4"
"$EUREKA" report "$OUT/rep" > /dev/null 2> "$OUT/rep.err" || fail "report: $(cat "$OUT/rep.err")"
B64=$(base64 -w0 < "$OUT/secret")
! grep -qF -e "$B64" -e "SECRET-KEY" "$OUT/rep/report.html" || fail "report embedded a linked file"
ok "report does not follow a planted link"

# A forged sample marked ok with no code: an error naming the sample, never a crash.
copy nocode
rm -f "$OUT/nocode/summary.json"
python3 - "$OUT/nocode" <<'PY'
import json, sys
d = sys.argv[1]
r = json.load(open(f"{d}/iter01/responses-a0.json"))
r["replies"][0]["text"] = "no code here"
json.dump(r, open(f"{d}/iter01/responses-a0.json", "w"))
PY
"$EUREKA" search --resume "$OUT/nocode" --llm offline --quiet > /dev/null 2> "$OUT/nocode.err"; rc=$?
[ $rc -eq 1 ] || fail "forged ok sample: exit $rc (139 is the old SIGSEGV)"
grep -q "sample00/status.json says ok, but the sample's reply has no reward code" "$OUT/nocode.err" \
    || fail "forged ok sample: $(cat "$OUT/nocode.err")"
ok "a forged sample is an error, not a crash"

# A responses file with more answers than K: only K are trained (no sample numbers beyond).
copy extra
rm -f "$OUT/extra/summary.json"
python3 - "$OUT/extra" <<'PY'
import json, sys
f = f"{sys.argv[1]}/iter01/responses-a0.json"
r = json.load(open(f)); r["replies"] += r["replies"]; json.dump(r, open(f, "w"))
PY
"$EUREKA" search --resume "$OUT/extra" --llm offline --quiet > /dev/null 2> "$OUT/extra.err" \
    || fail "resume with extra answers: $(cat "$OUT/extra.err")"
[ ! -e "$OUT/extra/iter01/sample02" ] || fail "an answer beyond K was trained"
ok "answers beyond K are not trained"

# A forged fitness does not become the best on resume, and a forged evaluation is retrained.
copy forged
rm -f "$OUT/forged/summary.json"
python3 - "$OUT/forged" <<'PY'
import json, sys
d = sys.argv[1]
for f in ["iter01/sample00/status.json", "iter01/sample00/train.json"]:
    x = json.load(open(f"{d}/{f}")); x["fitness"] = 1e9; json.dump(x, open(f"{d}/{f}", "w"))
PY
"$EUREKA" search --resume "$OUT/forged" --llm offline --json > "$OUT/forged.json" 2> "$OUT/forged.err" \
    || fail "resume of a forged run: $(cat "$OUT/forged.err")"
python3 - "$OUT/forged.json" <<'PY' || fail "a forged result was used"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["best_fitness"] <= 1 and a["eval_mean"] <= 1, a
assert (a["best_iteration"], a["best_sample"]) != (1, 0), a
PY
grep -q "iter01/sample00/train.json is not used" "$OUT/forged.err" || fail "no note about the forged sample"
# (Its own copy: with sample00 rejected the pick may change, and an evaluation of another
# reward is retrained whatever it says, without a note.)
copy forged_eval
rm -f "$OUT/forged_eval/summary.json"
python3 - "$OUT/forged_eval/eval/seed01/train.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1])); x["fitness"] = 1e9; json.dump(x, open(sys.argv[1], "w"))
PY
"$EUREKA" search --resume "$OUT/forged_eval" --llm offline --json > "$OUT/forged_eval.json" 2> "$OUT/forged_eval.err" \
    || fail "resume of a forged evaluation: $(cat "$OUT/forged_eval.err")"
grep -q "eval/seed01/train.json is not used" "$OUT/forged_eval.err" || fail "no note about the forged evaluation"
python3 - "$OUT/forged_eval.json" "$OUT/run.json" <<'PY' || fail "the forged evaluation was not retrained to the run's own result"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["eval_mean"] == b["eval_mean"] and (a["best_iteration"], a["best_sample"]) == (b["best_iteration"], b["best_sample"]), (a, b)
PY
ok "forged fitness is re-measured and dropped on resume"

# Forged mid-tournament: a run stopped after rung 1 of iteration 1 (sample 1 lost it),
# whose rung-1 records are then edited. A fitness_graded on a task that has none (cartpole)
# is dropped, never ranked on: the resumed search is the base run. A forged judged
# fitness is measured again and the rung rejected, naming the file.
cut_rung1() {
    copy "$1"
    local d="$OUT/$1"
    rm -rf "$d/summary.json" "$d/best.c" "$d/best.json" "$d/eval" "$d/iter02" "$d/iter01/reflection.md" \
           "$d"/iter01/sample0?/{status.json,train.json,state.bin,progress.csv,feedback.txt} \
           "$d/iter01/sample00/rung2" "$d/iter01/sample00/rung3"
    python3 - "$d" "$2" "$3" <<'PY'
import json, sys
d, key, value = sys.argv[1], sys.argv[2], float(sys.argv[3])
rungs = json.load(open(f"{d}/iter01/sample01/rungs.json"))
assert len(rungs) == 1, "the base run's sample 1 no longer loses rung 1: pick a seed where it does"
f = f"{d}/iter01/sample00/rungs.json"; json.dump(json.load(open(f))[:1], open(f, "w"))
rungs[0][key] = value; json.dump(rungs, open(f"{d}/iter01/sample01/rungs.json", "w"))
f = f"{d}/iter01/sample01/rung1/train.json"; x = json.load(open(f)); x[key] = value; json.dump(x, open(f, "w"))
PY
}
cut_rung1 graded fitness_graded 0.99
"$EUREKA" search --resume "$OUT/graded" --llm offline --json > "$OUT/graded.json" 2> "$OUT/graded.err" \
    || fail "resume of a forged graded fitness: $(cat "$OUT/graded.err")"
python3 - "$OUT/run.json" "$OUT/graded.json" "$OUT/graded" <<'PY' || fail "a forged graded fitness was ranked on"
import json, sys
a, b, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
for k in ["best_iteration", "best_sample", "best_fitness", "eval_mean", "candidates"]:
    assert a[k] == b[k], (k, a[k], b[k])
assert len(json.load(open(f"{d}/iter01/sample01/rungs.json"))) == 1, "sample 1 went on past rung 1"
assert "fitness_graded" not in json.load(open(f"{d}/iter01/sample01/train.json"))
PY
cut_rung1 robust fitness_robust 0.99
"$EUREKA" search --resume "$OUT/robust" --llm offline --json > "$OUT/robust.json" 2> "$OUT/robust.err" \
    || fail "resume of a forged rung: $(cat "$OUT/robust.err")"
python3 - "$OUT/robust" <<'PY' || fail "a forged rung fitness was not rejected"
import json, sys
st = json.load(open(f"{sys.argv[1]}/iter01/sample01/status.json"))
assert st["status"] != "ok" and "does not score what the run directory says" in st["message"], st
assert len(json.load(open(f"{sys.argv[1]}/iter01/sample01/rungs.json"))) == 1
PY
ok "forged mid-tournament rungs are measured again: a graded fitness the task lacks is dropped, a false one rejected"

# compare does not reuse a forged evaluation (1e9 would give an HNS of ~1e11).
copy cmp
python3 - "$OUT/cmp" <<'PY'
import json, sys
f = f"{sys.argv[1]}/eval/seed01/train.json"
x = json.load(open(f)); x["fitness"] = 1e9; json.dump(x, open(f, "w"))
PY
"$EUREKA" compare --task cartpole --seeds 1 --steps 30000 --jobs 2 --quiet --json "$OUT/cmp" \
    > "$OUT/cmp.json" 2> "$OUT/cmp.err" || fail "compare: $(cat "$OUT/cmp.err")"
python3 - "$OUT/cmp.json" <<'PY' || fail "compare used the forged evaluation"
import json, sys
rows = json.load(open(sys.argv[1]))["rewards"]
run = rows[2]
assert run["reused_seeds"] == 0 and run["mean"] < 2, run
assert run["hns"] is None or abs(run["hns"]) < 100, run
PY
grep -q "eval/seed01/train.json is not reused" "$OUT/cmp.err" || fail "compare: no note"
ok "compare re-measures what it would reuse"

# Resuming a finished run leaves its summary as it was.
cp "$OUT/run/summary.json" "$OUT/summary.before"
"$EUREKA" search --resume "$OUT/run" --llm offline --quiet > /dev/null 2>&1 || fail "resume of a finished run"
cmp -s "$OUT/summary.before" "$OUT/run/summary.json" || fail "resume rewrote a finished run's summary.json"
ok "a finished run is not damaged by a resume"

# ---- servers and connections ---------------------------------------------------------

# --resume uses the user's connection: a run naming another host gets no request (and no
# key) from us; iteration 2 is asked of the server the user names.
start_mock evil; EVIL=$PORT
start_mock good --replies "$DATA/llm/replies"; GOOD=$PORT
copy redirect
rm -rf "$OUT/redirect/summary.json" "$OUT/redirect/iter02" "$OUT/redirect/llm.jsonl" "$OUT/redirect/eval"
python3 - "$OUT/redirect" "$EVIL" <<'PY'
import json, sys
d, port = sys.argv[1], sys.argv[2]
r = json.load(open(f"{d}/run.json"))
r["llm"].update(backend="openai", resolved_backend="openai", base_url=f"http://127.0.0.1:{port}/v1")
json.dump(r, open(f"{d}/run.json", "w"))
PY
OPENAI_API_KEY=sk-user-key-12345 "$EUREKA" search --resume "$OUT/redirect" --llm openai \
    --base-url "http://127.0.0.1:$GOOD/v1" > /dev/null 2> "$OUT/redirect.err" \
    || fail "resume with the user's connection: $(cat "$OUT/redirect.err")"
[ "$(count "$EVIL")" = "0" ] || fail "the run's base URL was contacted"
[ "$(count "$GOOD")" -ge 1 ] || fail "the user's server was not asked"
grep -q "^note: this run was recorded with openai .* at http://127.0.0.1:$EVIL/v1; continuing with openai gpt-4o at http://127.0.0.1:$GOOD/v1" \
    "$OUT/redirect.err" || fail "no one-line note: $(cat "$OUT/redirect.err")"
ok "--resume keeps the user's connection and says so"

# Credentials in a base URL are sent, never stored or printed.
"$EUREKA" search --task cartpole --llm openai --base-url "http://bob:pw-s3cret-123@127.0.0.1:$GOOD/v1" \
    --iterations 1 --samples 1 --jobs 1 --threads 1 --train-steps 10000 --eval-seeds 0 --quiet \
    --out "$OUT/cred" > "$OUT/cred.txt" 2>&1 || fail "search with URL credentials: $(cat "$OUT/cred.txt")"
! grep -rq "pw-s3cret-123" "$OUT/cred" "$OUT/cred.txt" || fail "URL credentials were stored or printed"
grep -q "\"base_url\":.*127.0.0.1:$GOOD/v1" "$OUT/cred/run.json" || fail "run.json lost the base URL"
ok "URL credentials are neither stored nor printed"

# Escape sequences in a server's error never reach the terminal raw.
start_mock esc --scenario "$DATA/llm/hostile_escape_openai.scn"
"$EUREKA" search --task cartpole --llm openai --base-url "http://127.0.0.1:$PORT/v1" --iterations 1 \
    --samples 1 --quiet --out "$OUT/srv" > /dev/null 2> "$OUT/srv.err"; rc=$?
[ $rc -eq 1 ] || fail "server error: exit $rc"
no_escape "$OUT/srv.err" || fail "a server's escape sequence reached the terminal"
grep -qF '\x1b]0;pwned\x07' "$OUT/srv.err" || fail "the server's message is not shown: $(cat "$OUT/srv.err")"
ok "server error messages are sanitised"

# A body over the cap names the cap and exits 1 (not "budget spent", not 0).
start_mock big --scenario "$DATA/llm/oversized.scn"
"$EUREKA" search --task cartpole --llm openai --base-url "http://127.0.0.1:$PORT/v1" --iterations 1 \
    --samples 1 --quiet --out "$OUT/cap" > "$OUT/cap.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "oversize answer: exit $rc"
grep -q "over the 8 MiB cap on one answer" "$OUT/cap.txt" || fail "oversize answer: $(cat "$OUT/cap.txt")"
! grep -q "budget" "$OUT/cap.txt" || fail "an oversize answer is blamed on the budget"
ok "a size cap says which cap, exit 1"

# Option values that are not finite numbers are usage errors naming the flag.
for bad in "--timeout inf" "--timeout nan" "--timeout -5" "--llm-timeout inf" "--llm-idle-timeout 0"; do
    # shellcheck disable=SC2086
    "$EUREKA" search --task cartpole --llm offline $bad > /dev/null 2> "$OUT/flag.err"; rc=$?
    [ $rc -eq 2 ] || fail "$bad: exit $rc"
    grep -q -- "${bad%% *}" "$OUT/flag.err" || fail "$bad: the flag is not named: $(cat "$OUT/flag.err")"
done
ok "inf, nan and negative limits are usage errors"

echo "e2e_untrusted: ok"
