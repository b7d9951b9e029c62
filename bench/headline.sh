#!/usr/bin/env bash
# headline.sh: the README's headline table, from runs anyone can repeat. For each seed it
# runs the default offline search (`eureka search --task reorient --seed S --quiet`),
# one after the other because each search uses every core, and prints one row per seed
# read from the run's events.jsonl: the judged best so far after each iteration, the
# re-check's pick, the replies replaced as repeats, the final evaluation (mean +- sd
# over its seeds, and each seed's fitness) and the wall time; then the mean over the
# search seeds with its standard error.
#
# With REV (an older revision, e.g. b3bb736 for round 1) or EUREKA_B (another binary), the
# same seeds run with that version too, and the table adds the paired difference of the
# final evaluations (this - other) per seed, with its mean and standard error: the two
# versions compared on the same draws, not on one draw each.
#
# usage: bench/headline.sh [SEED ...]          (default: 1 2 3 4 5)
# environment: EUREKA (default build/eureka), OUT (default build/headline), TASK (reorient),
#   FLAGS (more search flags, for both versions), REV or EUREKA_B (the version to pair with),
#   LABEL (the folder of this tree's runs; default its commit, so a new commit runs anew:
#   give the old commit's name to reuse runs across commits that changed no code).
# A finished run (its summary.json exists) is reused; an unfinished one is started again
# from scratch, so that every wall time is one whole run's. Runs of this tree go to
# OUT/<commit>[-dirty]/seedN, REV's to OUT/<REV>/seedN, EUREKA_B's to OUT/other/seedN.
# Building REV needs what its own CMakeLists.txt needs: b3bb736's links Debian's tcc
# package (libtcc1.a).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EUREKA="${EUREKA:-$ROOT/build/eureka}"
OUT="${OUT:-$ROOT/build/headline}"
TASK="${TASK:-reorient}"
FLAGS="${FLAGS:-}"
SEEDS=("$@"); [ ${#SEEDS[@]} -gt 0 ] || SEEDS=(1 2 3 4 5)
[ -x "$EUREKA" ] || { echo "headline: $EUREKA not found: build first (scripts/setup.sh)" >&2; exit 2; }

label=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo tree)
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || label="$label-dirty"
label="${LABEL:-$label}"

other=""; other_dir=""
if [ -n "${REV:-}" ]; then
    other_dir="$OUT/$REV"
    other="$other_dir/build/eureka"
    . "$ROOT/bench/lib.sh"
    build_rev headline "$REV" "$other_dir"
elif [ -n "${EUREKA_B:-}" ]; then
    [ -f "$EUREKA_B" ] && [ -x "$EUREKA_B" ] || { echo "headline: EUREKA_B=$EUREKA_B is not an executable: give the other version's eureka binary" >&2; exit 2; }
    other="$EUREKA_B"; other_dir="$OUT/other"
fi

# One search, unless its run finished before: binary dir seed
run() {
    local bin=$1 dir=$2 seed=$3
    [ -f "$dir/seed$seed/summary.json" ] && return 0
    rm -rf "$dir/seed$seed" && mkdir -p "$dir"
    echo "headline: $bin search --task $TASK --seed $seed ($(date +%H:%M))" >&2
    # shellcheck disable=SC2086  # FLAGS is a list of flags
    "$bin" search --task "$TASK" --seed "$seed" --out "$dir/seed$seed" --quiet $FLAGS \
        >"$dir/seed$seed.log" 2>&1 ||
        { echo "headline: the search with --seed $seed failed: see $dir/seed$seed.log" >&2; exit 1; }
}
for s in "${SEEDS[@]}"; do
    run "$EUREKA" "$OUT/$label" "$s"
    [ -z "$other" ] || run "$other" "$other_dir" "$s"
done

python3 - "$OUT/$label" "${other_dir:-}" "${SEEDS[@]}" <<'EOF'
import json, math, sys
mine, other, seeds = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]

def events(d):
    with open(f"{d}/events.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]

def name(x):
    return f"iter{int(x['iteration']):02d}/sample{int(x['sample']):02d}"

def row(d):
    ev = events(d)
    best, so_far = None, []
    for e in ev:
        if e["event"] == "iteration_best":
            # The statistic the version selects on: the robust one where it exists.
            v = e.get("fitness_robust", e["fitness"])
            best = v if best is None or v > best else best
            so_far.append(f"{best:.3f}")
    recheck = "none"
    for e in ev:
        if e["event"] == "recheck":
            fin = sorted(e["finalists"], key=lambda x: -x["mean"])
            pick = [x for x in fin if x["iteration"] == e["iteration"] and x["sample"] == e["sample"]]
            rest = [x for x in fin if x not in pick]
            recheck = f"{name(pick[0])} {pick[0]['mean']:.3f}" if pick else name(e)
            if rest: recheck += f" over {name(rest[0])} {rest[0]['mean']:.3f}"
    repeats = sum(len(e.get("samples", [])) for e in ev if e["event"] == "repeats_replaced")
    final = ([e for e in ev if e["event"] == "eval"] or [None])[-1]   # none with --eval-seeds 0
    done = [e for e in ev if e["event"] == "done"][-1]
    return {"so_far": ", ".join(so_far), "recheck": recheck, "repeats": repeats,
            "mean": final["mean"] if final else None, "std": final["std"] if final else None,
            "each": ", ".join(f"{x:.2f}" for x in final["fitness"]) if final else "", "seconds": done["seconds"]}

def evaluation(a):
    return f"{a['mean']:.3f} +- {a['std']:.3f} ({a['each']})" if a["mean"] is not None else "none"

def stats(xs):
    xs = [x for x in xs if x is not None]
    n = len(xs)
    if n == 0: return float("nan"), float("nan"), float("nan")
    m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1)) if n > 1 else float("nan")  # one draw: no spread
    return m, sd, sd / math.sqrt(n)

# A number for the table; "-" where there is none (nan).
def f(x, sign=""):
    return "-" if math.isnan(x) else format(x, sign + ".3f")

def wall(s):
    return f"{int(s // 60)} min {int(s % 60):02d} s"

head = "| `--seed` | judged best so far, per iteration | re-check: pick (mean of two judged values) over the next | repeats replaced | final evaluation | wall |"
if other: head += " other version: final evaluation | wall | difference |"
print(head)
print("|" + "---|" * (head.count("|") - 1))
ours, theirs, diffs = [], [], []
for s in seeds:
    a = row(f"{mine}/seed{s}")
    ours.append(a["mean"])
    line = (f"| {s} | {a['so_far']} | {a['recheck']} | {a['repeats']} | "
            f"{evaluation(a)} | {wall(a['seconds'])} |")
    if other:
        b = row(f"{other}/seed{s}")
        theirs.append(b["mean"])
        both = a["mean"] is not None and b["mean"] is not None
        diffs.append(a["mean"] - b["mean"] if both else None)
        line += f" {evaluation(b)} | {wall(b['seconds'])} | {f'{diffs[-1]:+.3f}' if both else '-'} |"
    print(line)
m, sd, se = stats(ours)
line = f"| **mean** | | | | **{f(m)}** (sd {f(sd)}, standard error {f(se)}) | |"
if other:
    m2, sd2, se2 = stats(theirs)
    md, _, sed = stats(diffs)
    line += f" **{f(m2)}** (sd {f(sd2)}, standard error {f(se2)}) | | **{f(md, '+')}** (standard error {f(sed)}) |"
print(line)
EOF
