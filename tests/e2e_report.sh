#!/usr/bin/env bash
# e2e_report.sh: progress lines, search --video, progress.csv, `eureka report` and the page
# in a real browser. A search replaying recorded replies (tests/data/search/
# cartpole_mock.llm.jsonl) with --video, an offline search whose two iteration winners are
# re-checked (progress, show, report), hostile text planted in the run's files, then RUN/report.html
# opened in Debian's chromium through playwright-core (tests/browser/, installed from npm
# into the build directory): no console errors, every chart drawn, the video playable,
# nothing active from the run's files. The screenshot stays as build/report-screenshot.png.
# usage: e2e_report.sh /path/to/eureka
. "$(dirname "$0")/lib.sh" "$@"
BUILD=$(cd "$(dirname "$EUREKA")" && pwd)
RUN="$TMP/run"

"$EUREKA" search --task cartpole --llm "replay:$ROOT/tests/data/search/cartpole_mock.llm.jsonl" \
    --iterations 2 --samples 4 --jobs 2 --threads 1 --train-steps 20000 --timeout 15 --eval-seeds 2 \
    --out "$RUN" --video > /dev/null 2> "$TMP/progress.txt" && ok || bad "search exited $?"

# 0. Progress when stderr is not a terminal: a line per finished unit (a rung of a
#    candidate's tournament, or a candidate that never trained), with the iteration, the
#    count and an ETA; then --video's videos: each iteration's best and the final
#    evaluation's best.
units=0
for it in 1 2; do for s in 0 1 2 3; do
    grep -q "^search: iteration $it/2 | candidates [0-4]/4 .*| done: sample 0$s " "$TMP/progress.txt" && units=$((units + 1))
done; done
[ "$units" -eq 8 ] && grep -q "done: sample 0[0-3] rung 2 judged" "$TMP/progress.txt" \
    && ok || bad "progress lines ($units of 8 candidates): $(cat "$TMP/progress.txt")"
grep -q "ETA [0-9]" "$TMP/progress.txt" && ok || bad "no ETA in the progress lines"
# The re-check of two distinct iteration winners (this replay's two are one reward, so an
# offline search): a progress line each, listed by show and by the report.
R2="$TMP/recheck"
"$EUREKA" search --task cartpole --llm offline --iterations 2 --samples 2 --jobs 2 --threads 1 --train-steps 8000 \
    --eval-seeds 1 --out "$R2" > /dev/null 2> "$TMP/recheck.txt" && ok || bad "offline search exited $?"
[ "$(grep -c "done: finalist iter0[12]/sample0[01] judged [0-9.]*, again [0-9.]*, mean" "$TMP/recheck.txt")" -eq 2 ] \
    && ok || bad "no progress line per finalist: $(cat "$TMP/recheck.txt")"
"$EUREKA" show "$R2" > "$TMP/show.txt" && grep -q "^re-check of the iteration bests on a fresh seed" "$TMP/show.txt" \
    && [ "$(grep -c "^  iter0[12]/sample0[01] *judged .*again .*mean" "$TMP/show.txt")" -eq 2 ] \
    && ok || bad "show lists no finalists: $(cat "$TMP/show.txt")"
"$EUREKA" report "$R2" > /dev/null && grep -q "Picked by the re-check" "$R2/report.html" \
    && ok || bad "the report of $R2 has no re-check table"
ls "$RUN"/iter01/sample00/video.mp4 "$RUN"/iter02/sample01/video.mp4 "$RUN"/eval/seed0*/video.mp4 > /dev/null \
    && ok || bad "search --video left no video of an iteration's best or of the final best"

# 1. Every training kept in the run has a progress.csv: it parses, one row per update.
python3 - "$RUN" <<'PY' && ok || bad "progress.csv missing or not one row per update"
import csv, glob, json, os, sys
trains = glob.glob(sys.argv[1] + "/iter*/sample*/train.json") + glob.glob(sys.argv[1] + "/eval/seed*/train.json")
assert len(trains) >= 5, trains
for t in trains:
    d = json.load(open(t))
    rows = list(csv.DictReader(open(os.path.join(os.path.dirname(t), "progress.csv"))))
    assert len(rows) == d["updates"] > 0, t
    assert max(float(r["eval/fitness"]) for r in rows if r["eval/fitness"]) == d["fitness"], t
PY

# 2. Hostile text in the run's files: it must show as text, never become markup.
python3 - "$RUN" <<'PY'
import json, sys
run = sys.argv[1]
p = run + "/iter01/sample01/status.json"
st = json.load(open(p))
st["message"] = "<script>alert(1)</script> \x1b]0;owned\x07 <img src=x onerror=alert(2)>"
json.dump(st, open(p, "w"))
with open(run + "/iter02/sample01/reward.c", "a") as f:
    f.write("/* </pre><iframe src=\"javascript:alert(3)\"></iframe> \u202e */\n")
with open(run + "/iter01/sample00/feedback.txt", "a") as f:
    f.write("<svg onload=alert(4)>\n")
json.dump({"seeds": 2, "steps": 20000, "rewards": [
    {"reward": "<b onmouseover=alert(5)>x</b>", "fitness": [0.5, None], "mean": 0.5, "spread": 0, "hns": None}]},
    open(run + "/compare.json", "w"))
PY
out=$("$EUREKA" report "$RUN") && ok || bad "report exited $?"
[ "$out" = "$RUN/report.html" ] && [ -s "$RUN/report.html" ] && ok || bad "report printed '$out'"
grep -qi "<script\|<iframe\|<img\|<b on\|<svg on" "$RUN/report.html" && bad "run text became markup" || ok
grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$RUN/report.html" && grep -q '\\x1b\]0;owned' "$RUN/report.html" \
    && ok || bad "hostile text not shown escaped and sanitised"
for want in 'id="iter01"' 'id="iter02"' 'id="best"' 'id="eval"' 'id="compare"' 'class="hunk"\|the same program' \
        'reflection sent to the LLM' '<video'; do
    grep -q "$want" "$RUN/report.html" && ok || bad "report lacks $want"
done

# 3. The page in a real browser.
if [ ! -d "$BUILD/browser/node_modules/playwright-core" ]; then
    mkdir -p "$BUILD/browser"
    cp "$ROOT/tests/browser/package.json" "$ROOT/tests/browser/package-lock.json" "$BUILD/browser/"
    (cd "$BUILD/browser" && npm ci --no-audit --no-fund --loglevel=error > npm.log 2>&1) \
        || bad "npm ci of tests/browser failed: $(tail -3 "$BUILD/browser/npm.log")"
fi
cp "$ROOT/tests/browser/check_report.mjs" "$BUILD/browser/"
if node "$BUILD/browser/check_report.mjs" "$RUN/report.html" "$BUILD/report-screenshot.png" 3; then ok
else bad "the browser check of report.html failed"; fi
[ -s "$BUILD/report-screenshot.png" ] && ok || bad "no screenshot"

# 4. Usage: a directory that is not a run.
"$EUREKA" report "$TMP" > /dev/null 2> "$TMP/err.txt"
[ $? -eq 2 ] && grep -q "is not a run" "$TMP/err.txt" && ok || bad "report of a non-run (exit 2, as every command): $(cat "$TMP/err.txt")"

e2e_end
