#!/usr/bin/env bash
# bench_train_vs.sh: the trainer before and after, in one run on the same cores: builds
# bench_train of an older revision (default b3bb736, the end of round 1, where the
# trainer-v2 issue measured its "before") from `git archive` into OUT, runs it and this
# tree's bench_train back to back, and prints both with the ratios. Against a revision
# before 3fb0de4, reorient runs this tree's trainer at 5 epochs, as that revision trains it.
#
# usage: bench/bench_train_vs.sh [REV] [threads (default: cores)] [reorient steps (204800)]
# environment: OUT (default build/bench_vs), BUILD (this tree's build dir, default build)
# Both printouts get three decimals on their seconds (the old one by a sed on its
# source): cartpole's phases last fractions of a second.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REV="${1:-b3bb736}"; THREADS="${2:-$(nproc)}"; STEPS="${3:-204800}"
OUT="${OUT:-$ROOT/build/bench_vs}"; BUILD="${BUILD:-$ROOT/build}"
old="$OUT/$REV"
. "$ROOT/bench/lib.sh"
three_decimals() { sed -i 's/%\.1f s/%.3f s/g' "$1/bench/bench_train.c"; }
build_rev bench_train_vs "$REV" "$old" bench_train three_decimals
cmake --build "$BUILD" --target bench_train -j "$(nproc)" >/dev/null ||
    { echo "bench_train_vs: building this tree's bench_train failed (scripts/setup.sh first)" >&2; exit 1; }
echo "== before: $REV"; "$old/build/bench_train" "$THREADS" "$STEPS" | tee "$OUT/before.txt"
# The same work on both sides: reorient trains 8 PPO epochs by default since 3fb0de4, and
# a revision before it (round 1's included) trained 5.
same=""
git -C "$ROOT" merge-base --is-ancestor 3fb0de4 "$REV" 2>/dev/null || same="epochs=5"
echo "== after: $(git -C "$ROOT" describe --always --dirty)${same:+, reorient at $same as $REV}"
{ "$BUILD/bench_train" "$THREADS" "$STEPS" reorient $same && "$BUILD/bench_train" "$THREADS" "$STEPS" cartpole; } |
    tee "$OUT/after.txt"
python3 - "$OUT/before.txt" "$OUT/after.txt" <<'EOF'
import re, sys
def parse(path):
    out, task = {}, None
    for line in open(path):
        m = re.match(r"(\w+)\s+threads", line)
        if m: task = m.group(1); out[task] = {}
        d = out.get(task)
        if d is None: continue
        for key, pat in [("ratio_random", r"ratio ([\d.]+) \(vs random"), ("ratio_zero", r"([\d.]+) \(vs a = 0\)"),
                         ("total", r"steps in ([\d.]+) s"), ("update", r"update ([\d.]+) s \("),
                         ("eval", r"evaluation ([\d.]+) s[ ;]"), ("update_pct", r"update [\d.]+ s \((\d+)%"),
                         ("eval_pct", r"evaluation [\d.]+ s \((\d+)%")]:
            m = re.search(pat, line)
            if m and key not in d: d[key] = float(m.group(1))
    return out
b, a = parse(sys.argv[1]), parse(sys.argv[2])
print(f"\n{'task':<9} {'measure':<28} {'before':>8} {'after':>8} {'after/before':>13}")
for task in a:
    if task not in b: continue
    for key, label in [("ratio_random", "training / raw, random a"), ("ratio_zero", "training / raw, a = 0"),
                       ("update", "update seconds"), ("eval", "evaluation seconds"), ("total", "total seconds")]:
        x, y = b[task].get(key), a[task].get(key)
        if x is None or y is None: continue
        r = f"{y / x:13.2f}" if x > 0 else f"{'-':>13}"
        print(f"{task:<9} {label:<28} {x:8.3f} {y:8.3f} {r}")
    if "update_pct" in b[task] and "update_pct" in a[task]:
        print(f"{task:<9} {'update share of the time, %':<28} {b[task]['update_pct']:8.0f} {a[task]['update_pct']:8.0f}")
    x, y = b[task].get("update"), a[task].get("update")
    if x and y: print(f"{task:<9} {'update: times faster':<28} {'':>8} {x / y:8.2f}")
EOF
