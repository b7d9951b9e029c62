#!/usr/bin/env bash
# trainer_tables.sh: the trainer's comparison tables (docs/trainer.md "Measured"): each
# cell is S seeds of `eureka train` with the task's expert reward, then `eureka analyze`
# of each policy on the held-out set (fitness, energy, synergy counts).
#
# usage: bench/trainer_tables.sh explore    [TASK ...]   gaussian vs gsde vs lattice
#        bench/trainer_tables.sh curriculum [TASK ...]   without (gaussian) vs with --curriculum
#        bench/trainer_tables.sh synergy RUN [TASK]      the expert's policies (gaussian) vs the
#                                                        found reward's (the run's final evaluation)
#        bench/trainer_tables.sh set TASK K=V[,K=V] ...  the default trainer vs each --set variant
#                                                        (e.g. epochs=3 epochs=8)
# The cells share trainings: "gaussian" is the expert reward with the default trainer.
# environment: EUREKA (binary, default build/eureka), OUT (default build/trainer_tables),
#   SEEDS (3), STEPS (the task's budget), JOBS (trainings at once, default: cores),
#   EXPLORATIONS (default "gaussian gsde lattice"), FLAGS (more train flags for the explore
#   cells, e.g. "--set init_log_std=-2") with TAG (appended to their variant names, so
#   they do not mix with the default cells).
# Trainings are kept in OUT/<task>/<variant>/seedNN and reused when their train.json
# exists, so an interrupted table resumes where it stopped. Each training has one thread.
# OUT/<task>/trainer.json keeps the task's default trainer (`eureka tasks TASK --json`
# "trainer", and its "explorations") the cells were trained with: when this binary's
# differs (a default changed since), or cells exist without it, the script stops rather
# than mix old trainings in. `synergy` takes the run's trainings only if they match it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EUREKA="${EUREKA:-$ROOT/build/eureka}"
OUT="${OUT:-$ROOT/build/trainer_tables}"
SEEDS="${SEEDS:-3}"
JOBS="${JOBS:-$(nproc)}"
EXPLORATIONS="${EXPLORATIONS:-gaussian gsde lattice}"
mode="${1:-}"; shift || true
[ -x "$EUREKA" ] || { echo "trainer_tables: $EUREKA not found: build first (scripts/setup.sh)" >&2; exit 2; }

# One training and its analysis: task variant seed reward [train flags...]
one() {
    local task=$1 variant=$2 seed=$3 reward=$4; shift 4
    local dir="$OUT/$task/$variant/seed$(printf %02d "$seed")"
    if [ -s "$dir/train.json" ]; then
        # A kept training counts only at this run's budget (STEPS, else the task's).
        python3 - "$dir" "${STEPS:-}" "$OUT/$task/trainer.json" <<'EOF' || return 1
import json, sys
d, steps, trainer = sys.argv[1:]
want = int(steps) if steps else json.load(open(trainer))["steps"]
got = json.load(open(f"{d}/train.json"))["config"]["steps"]
if got != want:
    sys.exit(f"trainer_tables: {d} was trained for {got:.0f} steps, this run asks for {want:.0f}: "
             f"give a fresh OUT or remove {d}")
EOF
    fi
    if [ ! -s "$dir/analysis.json" ]; then
        mkdir -p "$dir"
        if [ ! -s "$dir/train.json" ]; then
            "$EUREKA" train --task "$task" --reward "$reward" --seed "$seed" --threads 1 \
                ${STEPS:+--steps "$STEPS"} --quiet --out "$dir" "$@" >"$dir/train.log" 2>&1 ||
                { echo "trainer_tables: training failed: $(tail -1 "$dir/train.log")" >&2; return 1; }
        fi
        "$EUREKA" analyze --policy "$dir" --json >"$dir/analysis.tmp" && mv "$dir/analysis.tmp" "$dir/analysis.json"
    fi
}
export -f one
export EUREKA OUT STEPS

# first_diff WAS NOW: the first setting in which two trainer records (JSON files) differ,
# printed as "NAME WAS NOW" with exit 3; exit 0 when they agree. "seed" is a training's,
# not the trainer's; numbers agree within 1e-12 (as train_cfg_diff reads them).
first_diff() {
    python3 - "$1" "$2" <<'EOF'
import json, math, sys
was, now = (json.load(open(f)) for f in sys.argv[1:])
num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
for k in list(now) + [k for k in was if k not in now]:
    a, b = was.get(k), now.get(k)
    if k != "seed" and a != b and not (num(a) and num(b) and math.isclose(a, b, rel_tol=1e-12)):
        print(k, "none" if a is None else a, "none" if b is None else b)
        sys.exit(3)
EOF
}

# Stop unless OUT/<task>'s trainings were made with this binary's default trainer for
# task (OUT/<task>/trainer.json: `eureka tasks TASK --json`'s "trainer", and what each
# --exploration changes in it as "gsde.init_log_std" and the like); a task without
# trainings gets the file now.
check_trainer() {
    local task=$1 d="$OUT/$1" diff rc=0
    mkdir -p "$d"
    "$EUREKA" tasks "$task" --json | python3 -c '
import json, sys
t = json.load(sys.stdin)[0]; now = dict(t["trainer"])
for x, delta in t["explorations"].items(): now.update({f"{x}.{k}": v for k, v in delta.items()})
json.dump(now, sys.stdout, indent=1)' > "$d/.trainer.now" || exit 2
    if [ -e "$d/trainer.json" ]; then
        diff=$(first_diff "$d/trainer.json" "$d/.trainer.now") || rc=$?
        rm -f "$d/.trainer.now"
        [ $rc -eq 0 ] && return 0
        [ $rc -eq 3 ] || exit 2
        set -- $diff
        echo "trainer_tables: $d was trained with $1 $2, this build trains with $3: give a fresh OUT or remove $d" >&2
        exit 2
    fi
    if [ -n "$(find "$d" -name train.json -print -quit)" ]; then
        echo "trainer_tables: $d has trainings but no trainer.json (their default trainer is unknown): give a fresh OUT or remove $d" >&2
        exit 2
    fi
    mv "$d/.trainer.now" "$d/trainer.json"
}

# Run the job lines (one `one` call's arguments per line) JOBS at a time.
# (Trailing blanks go first: xargs -L joins a line that ends in one to the next.)
# A failed cell does not stop the others; the script prints what finished and exits 1.
run_jobs() { sed 's/[[:space:]]*$//' | xargs -P "$JOBS" -L 1 bash -c 'one "$@" || { echo "failed: $*" >&2; exit 1; }' _; }
failed=0

# Print the table of variants for task: mean (sd) over seeds of each column.
table() {
    local task=$1; shift
    python3 - "$OUT/$task" "$@" <<'EOF'
import json, math, os, sys
base, variants = sys.argv[1], sys.argv[2:]
def ms(v):
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return m, sd
w = max([12] + [len(v) for v in variants])    # the widest variant name sets the column
print(f"{'variant':<{w}} {'seeds':>5} {'fitness':>15} {'last ckpt':>10} {'energy':>15} {'sum a^2':>10} {'act 80/90/95':>13} {'vel 80/90/95':>13} {'muscle 80/90/95':>15} {'muscle act^2':>12}")
for v in variants:
    rows = []
    d = os.path.join(base, v)
    for s in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        f = os.path.join(d, s, "analysis.json")
        t = os.path.join(d, s, "train.json")
        if os.path.exists(f) and os.path.exists(t):
            rows.append((json.load(open(f)), json.load(open(t))))
    if not rows:
        print(f"{v:<{w}} {0:>5}  (no finished training)")
        continue
    fit = ms([a["fitness"] for a, _ in rows]); tf = ms([t["fitness_final"] for _, t in rows])
    msq = "%.4g" % ms([a["activation_sq"] for a, _ in rows])[0] if all("activation_sq" in a for a, _ in rows) else "-"
    en = ms([a["energy"] for a, _ in rows]); sq = ms([a["action_sq"] for a, _ in rows])
    k = lambda key, q: sum(a[key][q] for a, _ in rows) / len(rows)
    syn = lambda key: "%.1f/%.1f/%.1f" % (k(key, "k80"), k(key, "k90"), k(key, "k95")) \
        if all(key in a for a, _ in rows) else "-"

    print(f"{v:<{w}} {len(rows):>5} {fit[0]:>7.3f} ({fit[1]:.3f}) {tf[0]:>10.3f} {en[0]:>7.4g} ({en[1]:.2g}) {sq[0]:>10.4g} {syn('actions'):>13} {syn('joint_velocities'):>13} {syn('muscle_activations'):>15} {msq:>12}")
EOF
}

case "$mode" in
explore)
    [ $# -gt 0 ] || set -- reorient ant humanoid; tasks=("$@")
    for t in "${tasks[@]}"; do check_trainer "$t"; done
    for t in "${tasks[@]}"; do for x in $EXPLORATIONS; do for s in $(seq 1 "$SEEDS"); do
        echo "$t $x${TAG:-} $s $ROOT/rewards/${t}_human.c --exploration $x ${FLAGS:-}"
    done; done; done | run_jobs || failed=1
    names=(); for x in $EXPLORATIONS; do names+=("$x${TAG:-}"); done
    for t in "${tasks[@]}"; do echo; echo "task $t, expert reward, $SEEDS seeds, ${STEPS:-default} steps ${FLAGS:-}"; table "$t" "${names[@]}"; done ;;
curriculum)
    [ $# -gt 0 ] || set -- reorient; tasks=("$@")
    for t in "${tasks[@]}"; do check_trainer "$t"; done
    for t in "${tasks[@]}"; do for s in $(seq 1 "$SEEDS"); do
        echo "$t gaussian $s $ROOT/rewards/${t}_human.c --exploration gaussian"
        echo "$t curriculum $s $ROOT/rewards/${t}_human.c --curriculum"
    done; done | run_jobs || failed=1
    for t in "${tasks[@]}"; do echo; echo "task $t, expert reward, $SEEDS seeds, ${STEPS:-default} steps"; table "$t" gaussian curriculum; done ;;
set)
    t="${1:?usage: trainer_tables.sh set TASK K=V[,K=V] ...}"; shift
    [ $# -gt 0 ] || { echo "trainer_tables: set: name at least one K=V variant (e.g. epochs=3)" >&2; exit 2; }
    check_trainer "$t"
    for s in $(seq 1 "$SEEDS"); do
        echo "$t gaussian $s $ROOT/rewards/${t}_human.c --exploration gaussian"
        for v in "$@"; do echo "$t $v $s $ROOT/rewards/${t}_human.c --exploration gaussian --set $v"; done
    done | run_jobs || failed=1
    echo; echo "task $t, expert reward, $SEEDS seeds, ${STEPS:-default} steps: the default trainer (gaussian) vs --set"
    table "$t" gaussian "$@" ;;
synergy)
    run="${1:?usage: trainer_tables.sh synergy RUN [TASK]}"; t="${2:-reorient}"
    [ -s "$run/best.c" ] || { echo "trainer_tables: $run/best.c not found: give a finished search run" >&2; exit 2; }
    check_trainer "$t"
    for s in $(seq 1 "$SEEDS"); do
        # the run's final evaluation already trained best.c with these seeds: analyse those
        # when it trained as this build's default trainer would (a run of another
        # version's trainer is not mixed in: the cell trains anew)
        ev="$run/eval/seed$(printf %02d "$s")/train.json" dst="$OUT/$t/found/seed$(printf %02d "$s")"
        if [ -s "$ev" ] && [ ! -s "$dst/train.json" ]; then
            python3 - "$ev" "$OUT/$t/trainer.json" "${STEPS:-}" "$OUT/$t/.found.was" "$OUT/$t/.found.now" <<'EOF'
import json, sys
ev, trainer, steps, was, now = sys.argv[1:]
want = {k: v for k, v in json.load(open(trainer)).items() if "." not in k}
if steps: want["steps"] = int(steps)
json.dump(json.load(open(ev))["config"], open(was, "w")); json.dump(want, open(now, "w"))
EOF
            rc=0; diff=$(first_diff "$OUT/$t/.found.was" "$OUT/$t/.found.now") || rc=$?
            rm -f "$OUT/$t/.found.was" "$OUT/$t/.found.now"
            if [ $rc -eq 0 ]; then mkdir -p "$dst" && cp "$ev" "$dst/train.json"
            elif [ $rc -eq 3 ]; then set -- $diff
                echo "trainer_tables: $ev was trained with $1 $2, this build trains with $3: the found cell seed $s trains anew" >&2
            else exit 2; fi
        fi
    done
    for s in $(seq 1 "$SEEDS"); do
        echo "$t gaussian $s $ROOT/rewards/${t}_human.c --exploration gaussian"
        echo "$t found $s $run/best.c"
    done | run_jobs || failed=1
    echo; echo "task $t: the expert reward (gaussian) vs the search's best ($run/best.c), $SEEDS seeds"
    table "$t" gaussian found ;;
*)
    sed -n '/^set -euo/q;2,$p' "$0" >&2; exit 2 ;;
esac
exit "$failed"
