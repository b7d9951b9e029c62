#!/usr/bin/env bash
# judge_iterations.sh: bench_judge on the candidates a search wrote, not on a fixed set.
# Each RUN:ITER names one iteration of a run directory (e.g. build/headline/<commit>/seed1:3);
# its candidates' reward.c files are copied to OUT/cands as iterNN<run>_sampleMM.c, so
# that bench_judge judges each iteration as one field (its "it.regret" groups, named up
# to the first '_'), and bench_judge --replay runs on them with the reference and prefix
# trainings cached in OUT/reference and OUT/prefix (reused when present: about 80
# minutes on 2 idle cores for 16 candidates x 2 seeds the first time).
#
# usage: bench/judge_iterations.sh RUN:ITER [RUN:ITER ...] [-- BENCH_JUDGE_FLAGS]
# environment: BENCH_JUDGE (default build/bench_judge), OUT (default build/judge_iterations),
#   SEEDS (reference seeds, default 2: the fewest a replay can score).
# A candidate without a reward.c (its reply had no code) is left out, with a line on stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BJ="${BENCH_JUDGE:-$ROOT/build/bench_judge}"
OUT="${OUT:-$ROOT/build/judge_iterations}"
SEEDS="${SEEDS:-2}"
[ -x "$BJ" ] || { echo "judge_iterations: $BJ not found: build first (scripts/setup.sh)" >&2; exit 2; }

specs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do specs+=("$1"); shift; done
[ $# -gt 0 ] && shift
[ ${#specs[@]} -gt 0 ] || { echo "usage: bench/judge_iterations.sh RUN:ITER [RUN:ITER ...] [-- BENCH_JUDGE_FLAGS]" >&2; exit 2; }

# every RUN:ITER checked before OUT/cands is touched: its folder, and its group name
# (iterNN and the run's folder name, letters and digits only: what bench_judge splits on)
dirs=() groups=()
for spec in "${specs[@]}"; do
    run=${spec%:*} it=${spec##*:}
    [[ "$spec" == *:* && "$it" =~ ^[0-9]+$ ]] ||
        { echo "judge_iterations: $spec: give RUN:ITER, e.g. build/headline/abc1234/seed1:3" >&2; exit 2; }
    dir=$(printf '%s/iter%02d' "$run" "$((10#$it))")
    [ -d "$dir" ] || { echo "judge_iterations: $dir: no such iteration: check the run directory and ITER" >&2; exit 2; }
    group=$(printf 'iter%02d%s' "$((10#$it))" "$(basename "$run" | tr -cd 'A-Za-z0-9')")
    for g in "${groups[@]}"; do
        [ "$g" != "$group" ] || { echo "judge_iterations: $spec: $group again: two runs of one folder name; give each its own name" >&2; exit 2; }
    done
    dirs+=("$dir") groups+=("$group")
done

mkdir -p "$OUT/cands"
rm -f "$OUT/cands/"*.c
for k in "${!dirs[@]}"; do
    n=0
    for s in "${dirs[$k]}"/sample*/; do
        s=${s%/}
        if [ -f "$s/reward.c" ]; then
            cp "$s/reward.c" "$OUT/cands/${groups[$k]}_$(basename "$s").c"
            n=$((n + 1))
        else
            echo "judge_iterations: $s has no reward.c (its reply had no code): left out" >&2
        fi
    done
    [ $n -gt 1 ] || { echo "judge_iterations: ${dirs[$k]} has $n candidates with code: a field needs 2 or more" >&2; exit 2; }
done

exec "$BJ" --ref-seeds "$SEEDS" --replay --reference "$OUT/reference" --prefix "$OUT/prefix" "$@" "$OUT/cands/"*.c
