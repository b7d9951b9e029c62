#!/usr/bin/env bash
# e2e_headline.sh: bench/headline.sh (the README's headline table) on short cartpole
# searches through the real binary: its rows are the runs' own numbers, a version paired
# with itself differs by exactly 0 (the search is deterministic for a seed), finished runs
# are reused, an unfinished one runs again, and a failing search is one line and exit 1.
# usage: e2e_headline.sh /path/to/eureka
. "$(dirname "$0")/lib.sh" "$@"
export EUREKA OUT="$TMP/hl" TASK=cartpole EUREKA_B="$EUREKA"
export FLAGS="--iterations 2 --samples 3 --train-steps 20000 --eval-seeds 2 --eval-steps 20000 --jobs 2"

bash "$ROOT/bench/headline.sh" 1 2 >"$TMP/t1.txt" 2>"$TMP/e1.txt" && ok || bad "headline.sh exited $?: $(cat "$TMP/e1.txt")"
cat "$TMP/t1.txt"
[ "$(grep -c '^| [12] |' "$TMP/t1.txt")" = 2 ] && ok || bad "not one row per seed"
[ "$(grep -c 'search --task cartpole' "$TMP/e1.txt")" = 4 ] && ok || bad "not 2 seeds x 2 versions run"
# Each row's final evaluation is its run's summary.json, and the same run twice differs by 0.
python3 - "$TMP/t1.txt" "$OUT" <<'EOF' && ok || bad "rows do not match the runs"
import glob, json, re, sys
rows = {int(m.group(1)): line for line in open(sys.argv[1]) if (m := re.match(r"\| (\d) \|", line))}
for seed, line in rows.items():
    [mine] = [d for d in glob.glob(f"{sys.argv[2]}/*/seed{seed}") if "/other/" not in d]
    s = json.load(open(f"{mine}/summary.json"))
    cells = [c.strip() for c in line.split("|")]
    assert cells[5].startswith(f"{s['eval_mean']:.3f} +- {s['eval_std']:.3f}"), (cells[5], s)
    assert cells[9] == "+0.000", cells[9]
    n_iter = len(cells[2].split(","))
    assert n_iter == 2, cells[2]
mean = [line for line in open(sys.argv[1]) if line.startswith("| **mean**")][0]
assert "**+0.000** (standard error 0.000)" in mean, mean
EOF

# Finished runs are reused; a run without summary.json starts again.
rm "$(ls -d "$OUT"/*/seed2 | grep -v /other/)/summary.json"
bash "$ROOT/bench/headline.sh" 1 2 >"$TMP/t2.txt" 2>"$TMP/e2.txt" && ok || bad "second headline.sh exited $?"
[ "$(grep -c 'search --task cartpole' "$TMP/e2.txt")" = 1 ] && grep -q -- "--seed 2" "$TMP/e2.txt" && ok ||
    bad "expected only the unfinished seed 2 to run again: $(cat "$TMP/e2.txt")"
# The rerun seed draws the same numbers; only its wall time may differ.
walls() { sed 's/[0-9]* min [0-9]* s/W/g' "$1"; }
diff <(walls "$TMP/t1.txt") <(walls "$TMP/t2.txt") >/dev/null && ok || bad "the table changed when a seed ran again"

# A search without a final evaluation (--eval-seeds 0) is a row that says so.
FLAGS="--iterations 1 --samples 2 --train-steps 10000 --eval-seeds 0" EUREKA_B= OUT="$TMP/noeval" \
    bash "$ROOT/bench/headline.sh" 4 >"$TMP/t4.txt" 2>/dev/null && grep -q '^| 4 | .* | none | 0 min' "$TMP/t4.txt" && ok ||
    bad "no final evaluation: $(cat "$TMP/t4.txt")"

# A search that fails: one line naming the log, exit 1.
FLAGS="--iterations 0" bash "$ROOT/bench/headline.sh" 3 >/dev/null 2>"$TMP/e3.txt"; rc=$?
[ $rc = 1 ] && [ "$(grep -c 'failed' "$TMP/e3.txt")" = 1 ] && grep -q "seed3.log" "$TMP/e3.txt" && ok ||
    bad "a failing search: exit $rc, $(cat "$TMP/e3.txt")"
EUREKA_B="$TMP/none" bash "$ROOT/bench/headline.sh" 1 >/dev/null 2>"$TMP/e4.txt"; rc=$?
[ $rc = 2 ] && grep -q "EUREKA_B=.*not an executable" "$TMP/e4.txt" && ok || bad "a missing EUREKA_B: exit $rc"
# A REV that is no revision: one line that says so (bench/lib.sh's build_rev), before
# anything is extracted or built.
EUREKA_B= REV=no-such-rev bash "$ROOT/bench/headline.sh" 1 >/dev/null 2>"$TMP/e5.txt"; rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$TMP/e5.txt")" = 1 ] && grep -q "^headline: no-such-rev is not a revision of" "$TMP/e5.txt" &&
    [ ! -e "$OUT/no-such-rev" ] && ok || bad "a wrong REV: exit $rc, $(cat "$TMP/e5.txt")"

e2e_end
