#!/usr/bin/env bash
# e2e_check.sh: `eureka check` through the real binary: a good reward prints its
# components fast, hostile ones fail with one line and exit 1, usage errors exit 2,
# nothing is written to the current directory.
. "$(dirname "$0")/lib.sh" "$@"
DATA="$ROOT/tests/data/rewards"
REPLIES="$ROOT/tests/data/replies"
cd "$TMP"

# A good reward: exit 0, every component printed, within a couple of seconds.
start=$(date +%s%N)
out=$("$EUREKA" check --task cartpole "$DATA/good_cartpole.c" 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc -eq 0 ] && ok || bad "good reward: rc=$rc: $out"
for c in upright centre effort "(total)"; do
    echo "$out" | grep -q "^  $c " && ok || bad "component $c missing: $out"
done
[ "$ms" -lt 3000 ] && ok || bad "check took $ms ms"
echo "good reward checked in $ms ms" >&2

# Every human reward of every task passes.
for f in "$ROOT"/rewards/*_human.c; do
    t=$(basename "$f" _human.c)
    "$EUREKA" check --task "$t" "$f" >/dev/null 2>&1 && ok || bad "$f does not pass eureka check"
done

# --json is one valid JSON object.
"$EUREKA" check --task cartpole --json --steps 64 "$DATA/good_cartpole.c" > j.json && ok || bad "--json rc"
python3 -c 'import json,sys; d=json.load(open("j.json")); assert d["status"]=="ok" and d["calls"]==64 and d["components"][0]["name"]=="upright"' \
    && ok || bad "--json output: $(cat j.json)"
"$EUREKA" check --task cartpole --json "$DATA/nan_component.c" > n.json; rc=$?
[ $rc -eq 1 ] && ok || bad "--json failure rc=$rc"
python3 -c 'import json; d=json.load(open("n.json")); assert d["status"]=="nonfinite_reward" and "broken" in d["message"]' \
    && ok || bad "--json failure output: $(cat n.json)"

# Hostile rewards: exit 1, one line on stderr naming the class.
expect_fail() {  # file class
    err=$("$EUREKA" check --task cartpole --timeout 2 "$DATA/$1" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 1 ] && ok || bad "$1: rc=$rc"
    [ "$(echo "$err" | wc -l)" -eq 1 ] && ok || bad "$1: not one line: $err"
    echo "$err" | grep -q ": $2: " && ok || bad "$1: expected $2: $err"
}
expect_fail system_call.c compile_error
expect_fail include_passwd.c compile_error
expect_fail nul_byte.c compile_error
expect_fail big_source.c compile_error
expect_fail null_write.c crash
expect_fail div_zero.c arithmetic_error
expect_fail infinite_loop.c timeout
expect_fail write_state.c bad_reward
expect_fail inf_component.c nonfinite_reward

# An LLM reply saved as Markdown: its code block is checked; a reply without code fails.
"$EUREKA" check --task cartpole "$REPLIES/cpp_fence.md" | grep -q "^  upright " && ok || bad "reply .md not checked"
err=$("$EUREKA" check --task cartpole "$REPLIES/cut_off.md" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "cut off" && ok || bad "cut-off reply: rc=$rc $err"

# Usage errors exit 2; an unknown task lists the known ones.
"$EUREKA" check --task nope "$DATA/good_cartpole.c" 2> u.txt; rc=$?
[ $rc -eq 2 ] && ok || bad "unknown task rc=$rc"
grep -q "known tasks: .*cartpole" u.txt && ok || bad "unknown task message: $(cat u.txt)"
"$EUREKA" check "$DATA/good_cartpole.c" 2>/dev/null; [ $? -eq 2 ] && ok || bad "missing --task"
"$EUREKA" check --task cartpole 2>/dev/null; [ $? -eq 2 ] && ok || bad "missing FILE"
"$EUREKA" check --task cartpole --steps 0 "$DATA/good_cartpole.c" 2>/dev/null; [ $? -eq 2 ] && ok || bad "--steps 0"
"$EUREKA" check --task cartpole "$TMP/missing.c" 2>/dev/null; [ $? -eq 2 ] && ok || bad "missing file rc (bad input: 2)"

# Nothing left behind in the working directory.
left=$(ls -A | grep -v -e '^j.json$' -e '^n.json$' -e '^u.txt$' || true)
[ -z "$left" ] && ok || bad "files written to the current directory: $left"

e2e_end
