#!/usr/bin/env bash
# e2e_untrusted: the real binary against input from someone else (issue 16): a run
# directory that was tampered with, hostile loopback LLM servers, and bad option values.
# One check per class; each says what it checks when it fails.
# Usage: e2e_untrusted.sh path/to/eureka
set -uo pipefail
. "$(dirname "$0")/lib.sh" "$@"
DATA="$ROOT/tests/data"
ESC=$(printf '\033')
no_escape() { ! grep -q "$ESC" "$1"; }
unset OPENAI_API_KEY ANTHROPIC_API_KEY AZURE_OPENAI_API_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL

count() { curl -s "http://127.0.0.1:$1/_count"; }

# A small finished run to tamper with (offline backend: no network).
"$EUREKA" search --task cartpole --llm offline --iterations 2 --samples 2 --jobs 2 --threads 1 \
    --train-steps 30000 --eval-seeds 1 --eval-steps 30000 --seed 3 --quiet --json \
    --out "$TMP/run" > "$TMP/run.json" || die "the base run"
copy() { rm -rf "$TMP/$1"; cp -a "$TMP/run" "$TMP/$1"; }

# ---- run directories ----------------------------------------------------------------

# Terminal escapes in run files never reach the terminal raw.
copy esc
python3 - "$TMP/esc" <<'PY'
import json, sys, os
d = sys.argv[1]
r = json.load(open(f"{d}/run.json")); r["llm"]["resolved_model"] = "m\u001b]0;pwned\u0007\u009b2J"
json.dump(r, open(f"{d}/run.json", "w"))
st = json.load(open(f"{d}/iter01/sample01/status.json"))
st.update(status="compile_error", message="boom \u001b[2J\u001b]52;c;ZXZpbA==\u0007")
st.pop("fitness", None)
json.dump(st, open(f"{d}/iter01/sample01/status.json", "w"))
PY
"$EUREKA" show "$TMP/esc" > "$TMP/show.txt" 2>&1 || die "show of a run with escapes"
no_escape "$TMP/show.txt" || die "show printed a raw escape sequence"
grep -qF 'boom \x1b[2J\x1b]52;c;ZXZpbA==\x07' "$TMP/show.txt" || die "show: the escape is not made visible"
grep -qF 'm\x1b]0;pwned\x07\u009b2J' "$TMP/show.txt" || die "show: the model name is not made visible"
ok "escape sequences in run files are shown as text"

# A FIFO and a link to /dev/zero in a run: show ends at once, naming what is wrong.
copy fifo
rm "$TMP/fifo/iter01/sample00/status.json" && mkfifo "$TMP/fifo/iter01/sample00/status.json"
rm "$TMP/fifo/iter01/sample01/train.json" && ln -s /dev/zero "$TMP/fifo/iter01/sample01/train.json"
timeout 20 "$EUREKA" show "$TMP/fifo" > "$TMP/fifo.txt" 2>&1
[ $? -eq 0 ] || die "show hung or failed on a FIFO"
grep -q "unreadable .*status.json is a FIFO" "$TMP/fifo.txt" || die "show: the FIFO is not named"
ok "a FIFO and a link to /dev/zero do not hang show"

# A 60 MB run.json is refused by its size, naming the file and the cap, exit 1.
copy big
python3 -c "import sys; f=open(sys.argv[1],'a'); f.truncate(60*1024*1024)" "$TMP/big/run.json"
"$EUREKA" show "$TMP/big" > /dev/null 2> "$TMP/big.err"; rc=$?
[ $rc -eq 1 ] || die "show of a 60 MB run.json: exit $rc"
grep -q "run.json: 62914560 bytes, over the 1 MiB cap" "$TMP/big.err" || die "the cap is not named: $(cat "$TMP/big.err")"
ok "an oversize run.json is refused by its size"

# A link where the resume writes: the file outside stays as it was.
copy link
echo "precious" > "$TMP/victim"
rm -f "$TMP/link/summary.json" "$TMP/link/events.jsonl"
ln -s "$TMP/victim" "$TMP/link/events.jsonl"
"$EUREKA" search --resume "$TMP/link" --llm offline --quiet > /dev/null 2>&1
[ "$(cat "$TMP/victim")" = "precious" ] || die "a resume wrote through events.jsonl's link"
ok "links in a run directory are not written through"

# render into a run: a link planted at the video's temporary name is not written through.
copy video
echo "precious" > "$TMP/victim2"
ln -s "$TMP/victim2" "$TMP/video/eval/seed01/video.mp4.part"
"$EUREKA" render --policy "$TMP/video" --width 160 --height 120 > /dev/null 2> "$TMP/video.err" \
    || die "render: $(cat "$TMP/video.err")"
[ "$(cat "$TMP/victim2")" = "precious" ] || die "render wrote through a planted link"
[ -f "$TMP/video/eval/seed01/video.mp4" ] || die "render made no video"
ok "render does not write through a planted link"

# report: a video.mp4 linked to a private file is not embedded in the page.
copy rep
echo "SECRET-KEY-MATERIAL" > "$TMP/secret"
ln -s "$TMP/secret" "$TMP/rep/eval/seed01/video.mp4"
"$EUREKA" report "$TMP/rep" > /dev/null 2> "$TMP/rep.err" || die "report: $(cat "$TMP/rep.err")"
B64=$(base64 -w0 < "$TMP/secret")
! grep -qF -e "$B64" -e "SECRET-KEY" "$TMP/rep/report.html" || die "report embedded a linked file"
ok "report does not follow a planted link"

# A forged sample marked ok with no code: an error naming the sample, never a crash.
copy nocode
rm -f "$TMP/nocode/summary.json"
python3 - "$TMP/nocode" <<'PY'
import json, sys
d = sys.argv[1]
r = json.load(open(f"{d}/iter01/responses-a0.json"))
r["replies"][0]["text"] = "no code here"
json.dump(r, open(f"{d}/iter01/responses-a0.json", "w"))
PY
"$EUREKA" search --resume "$TMP/nocode" --llm offline --quiet > /dev/null 2> "$TMP/nocode.err"; rc=$?
[ $rc -eq 1 ] || die "forged ok sample: exit $rc (139 is the old SIGSEGV)"
grep -q "sample00/status.json says ok, but the sample's reply has no reward code" "$TMP/nocode.err" \
    || die "forged ok sample: $(cat "$TMP/nocode.err")"
ok "a forged sample is an error, not a crash"

# A responses file with more answers than K: only K are trained (no sample numbers beyond).
copy extra
rm -f "$TMP/extra/summary.json"
python3 - "$TMP/extra" <<'PY'
import json, sys
f = f"{sys.argv[1]}/iter01/responses-a0.json"
r = json.load(open(f)); r["replies"] += r["replies"]; json.dump(r, open(f, "w"))
PY
"$EUREKA" search --resume "$TMP/extra" --llm offline --quiet > /dev/null 2> "$TMP/extra.err" \
    || die "resume with extra answers: $(cat "$TMP/extra.err")"
[ ! -e "$TMP/extra/iter01/sample02" ] || die "an answer beyond K was trained"
ok "answers beyond K are not trained"

# A forged fitness does not become the best on resume, and a forged evaluation is retrained.
copy forged
rm -f "$TMP/forged/summary.json"
python3 - "$TMP/forged" <<'PY'
import json, sys
d = sys.argv[1]
for f in ["iter01/sample00/status.json", "iter01/sample00/train.json"]:
    x = json.load(open(f"{d}/{f}")); x["fitness"] = 1e9; json.dump(x, open(f"{d}/{f}", "w"))
PY
"$EUREKA" search --resume "$TMP/forged" --llm offline --json > "$TMP/forged.json" 2> "$TMP/forged.err" \
    || die "resume of a forged run: $(cat "$TMP/forged.err")"
python3 - "$TMP/forged.json" <<'PY' || die "a forged result was used"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["best_fitness"] <= 1 and a["eval_mean"] <= 1, a
assert (a["best_iteration"], a["best_sample"]) != (1, 0), a
PY
grep -q "iter01/sample00/train.json is not used" "$TMP/forged.err" || die "no note about the forged sample"
# (Its own copy: with sample00 rejected the pick may change, and an evaluation of another
# reward is retrained whatever it says, without a note.)
copy forged_eval
rm -f "$TMP/forged_eval/summary.json"
python3 - "$TMP/forged_eval/eval/seed01/train.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1])); x["fitness"] = 1e9; json.dump(x, open(sys.argv[1], "w"))
PY
"$EUREKA" search --resume "$TMP/forged_eval" --llm offline --json > "$TMP/forged_eval.json" 2> "$TMP/forged_eval.err" \
    || die "resume of a forged evaluation: $(cat "$TMP/forged_eval.err")"
grep -q "eval/seed01/train.json is not used" "$TMP/forged_eval.err" || die "no note about the forged evaluation"
python3 - "$TMP/forged_eval.json" "$TMP/run.json" <<'PY' || die "the forged evaluation was not retrained to the run's own result"
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
    local d="$TMP/$1"
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
"$EUREKA" search --resume "$TMP/graded" --llm offline --json > "$TMP/graded.json" 2> "$TMP/graded.err" \
    || die "resume of a forged graded fitness: $(cat "$TMP/graded.err")"
python3 - "$TMP/run.json" "$TMP/graded.json" "$TMP/graded" <<'PY' || die "a forged graded fitness was ranked on"
import json, sys
a, b, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
for k in ["best_iteration", "best_sample", "best_fitness", "eval_mean", "candidates"]:
    assert a[k] == b[k], (k, a[k], b[k])
assert len(json.load(open(f"{d}/iter01/sample01/rungs.json"))) == 1, "sample 1 went on past rung 1"
assert "fitness_graded" not in json.load(open(f"{d}/iter01/sample01/train.json"))
PY
cut_rung1 robust fitness_robust 0.99
"$EUREKA" search --resume "$TMP/robust" --llm offline --json > "$TMP/robust.json" 2> "$TMP/robust.err" \
    || die "resume of a forged rung: $(cat "$TMP/robust.err")"
python3 - "$TMP/robust" <<'PY' || die "a forged rung fitness was not rejected"
import json, sys
st = json.load(open(f"{sys.argv[1]}/iter01/sample01/status.json"))
assert st["status"] != "ok" and "does not score what the run directory says" in st["message"], st
assert len(json.load(open(f"{sys.argv[1]}/iter01/sample01/rungs.json"))) == 1
PY
ok "forged mid-tournament rungs are measured again: a graded fitness the task lacks is dropped, a false one rejected"

# compare does not reuse a forged evaluation (1e9 would give an HNS of ~1e11).
copy cmp
python3 - "$TMP/cmp" <<'PY'
import json, sys
f = f"{sys.argv[1]}/eval/seed01/train.json"
x = json.load(open(f)); x["fitness"] = 1e9; json.dump(x, open(f, "w"))
PY
"$EUREKA" compare --task cartpole --seeds 1 --steps 30000 --jobs 2 --quiet --json "$TMP/cmp" \
    > "$TMP/cmp.json" 2> "$TMP/cmp.err" || die "compare: $(cat "$TMP/cmp.err")"
python3 - "$TMP/cmp.json" <<'PY' || die "compare used the forged evaluation"
import json, sys
rows = json.load(open(sys.argv[1]))["rewards"]
run = rows[2]
assert run["reused_seeds"] == 0 and run["mean"] < 2, run
assert run["hns"] is None or abs(run["hns"]) < 100, run
PY
grep -q "eval/seed01/train.json is not reused" "$TMP/cmp.err" || die "compare: no note"
ok "compare re-measures what it would reuse"

# Resuming a finished run leaves its summary as it was.
cp "$TMP/run/summary.json" "$TMP/summary.before"
"$EUREKA" search --resume "$TMP/run" --llm offline --quiet > /dev/null 2>&1 || die "resume of a finished run"
cmp -s "$TMP/summary.before" "$TMP/run/summary.json" || die "resume rewrote a finished run's summary.json"
ok "a finished run is not damaged by a resume"

# ---- servers and connections ---------------------------------------------------------

# --resume uses the user's connection: a run naming another host gets no request (and no
# key) from us; iteration 2 is asked of the server the user names.
start_mock evil --lifetime 300; EVIL=$PORT
start_mock good --lifetime 300 --replies "$DATA/llm/replies"; GOOD=$PORT
copy redirect
rm -rf "$TMP/redirect/summary.json" "$TMP/redirect/iter02" "$TMP/redirect/llm.jsonl" "$TMP/redirect/eval"
python3 - "$TMP/redirect" "$EVIL" <<'PY'
import json, sys
d, port = sys.argv[1], sys.argv[2]
r = json.load(open(f"{d}/run.json"))
r["llm"].update(backend="openai", resolved_backend="openai", base_url=f"http://127.0.0.1:{port}/v1")
json.dump(r, open(f"{d}/run.json", "w"))
PY
OPENAI_API_KEY=sk-user-key-12345 "$EUREKA" search --resume "$TMP/redirect" --llm openai \
    --base-url "http://127.0.0.1:$GOOD/v1" > /dev/null 2> "$TMP/redirect.err" \
    || die "resume with the user's connection: $(cat "$TMP/redirect.err")"
[ "$(count "$EVIL")" = "0" ] || die "the run's base URL was contacted"
[ "$(count "$GOOD")" -ge 1 ] || die "the user's server was not asked"
grep -q "^note: this run was recorded with openai .* at http://127.0.0.1:$EVIL/v1; continuing with openai gpt-4o at http://127.0.0.1:$GOOD/v1" \
    "$TMP/redirect.err" || die "no one-line note: $(cat "$TMP/redirect.err")"
ok "--resume keeps the user's connection and says so"

# Credentials in a base URL are sent, never stored or printed.
"$EUREKA" search --task cartpole --llm openai --base-url "http://bob:pw-s3cret-123@127.0.0.1:$GOOD/v1" \
    --iterations 1 --samples 1 --jobs 1 --threads 1 --train-steps 10000 --eval-seeds 0 --quiet \
    --out "$TMP/cred" > "$TMP/cred.txt" 2>&1 || die "search with URL credentials: $(cat "$TMP/cred.txt")"
! grep -rq "pw-s3cret-123" "$TMP/cred" "$TMP/cred.txt" || die "URL credentials were stored or printed"
grep -q "\"base_url\":.*127.0.0.1:$GOOD/v1" "$TMP/cred/run.json" || die "run.json lost the base URL"
ok "URL credentials are neither stored nor printed"

# Escape sequences in a server's error never reach the terminal raw.
start_mock esc --lifetime 300 --scenario "$DATA/llm/hostile_escape_openai.scn"
"$EUREKA" search --task cartpole --llm openai --base-url "http://127.0.0.1:$PORT/v1" --iterations 1 \
    --samples 1 --quiet --out "$TMP/srv" > /dev/null 2> "$TMP/srv.err"; rc=$?
[ $rc -eq 1 ] || die "server error: exit $rc"
no_escape "$TMP/srv.err" || die "a server's escape sequence reached the terminal"
grep -qF '\x1b]0;pwned\x07' "$TMP/srv.err" || die "the server's message is not shown: $(cat "$TMP/srv.err")"
ok "server error messages are sanitised"

# A body over the cap names the cap and exits 1 (not "budget spent", not 0).
start_mock big --lifetime 300 --scenario "$DATA/llm/oversized.scn"
"$EUREKA" search --task cartpole --llm openai --base-url "http://127.0.0.1:$PORT/v1" --iterations 1 \
    --samples 1 --quiet --out "$TMP/cap" > "$TMP/cap.txt" 2>&1; rc=$?
[ $rc -eq 1 ] || die "oversize answer: exit $rc"
grep -q "over the 8 MiB cap on one answer" "$TMP/cap.txt" || die "oversize answer: $(cat "$TMP/cap.txt")"
! grep -q "budget" "$TMP/cap.txt" || die "an oversize answer is blamed on the budget"
ok "a size cap says which cap, exit 1"

# Option values that are not finite numbers are usage errors naming the flag.
for bad in "--timeout inf" "--timeout nan" "--timeout -5" "--llm-timeout inf" "--llm-idle-timeout 0"; do
    # shellcheck disable=SC2086
    "$EUREKA" search --task cartpole --llm offline $bad > /dev/null 2> "$TMP/flag.err"; rc=$?
    [ $rc -eq 2 ] || die "$bad: exit $rc"
    grep -q -- "${bad%% *}" "$TMP/flag.err" || die "$bad: the flag is not named: $(cat "$TMP/flag.err")"
done
ok "inf, nan and negative limits are usage errors"

echo "e2e_untrusted: ok"
