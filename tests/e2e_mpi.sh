#!/usr/bin/env bash
# e2e_mpi: `eureka search` over MPI ranks (docs/cluster.md), with the offline backend:
#  1. mpirun -np 3 gives the same best and the same fitness for every candidate as one
#     process with the same seed (training is bit-exact for a seed);
#  2. an mpirun job ended mid-iteration (SIGTERM, as Ctrl-C or scancel send) resumes
#     without MPI to the same result, without training finished candidates again;
#  3. a trainer rank killed with SIGKILL ends the job with the launcher's line naming the
#     rank and host; a trainer that stops answering (SIGSTOP) ends it with eureka's own
#     line naming both; no process of the job is left behind either way.
# Usage: e2e_mpi.sh path/to/eureka   (as root: the OMPI_ALLOW_RUN_AS_ROOT variables)
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$@"
command -v mpirun > /dev/null || die "no mpirun (scripts/setup.sh installs openmpi-bin libopenmpi-dev)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# ASan build: no leak check in the MPI ranks themselves. Open MPI leaves what MPI_Init
# allocated to the exit, inside components it dlcloses in MPI_Finalize: LeakSanitizer can
# name neither module nor function, so no suppressions file can match. The workers (their
# own environment), the single-process runs below and test_wire keep the leak check.
RANK_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
MPIRUN=(mpirun --oversubscribe -np 3 -x "ASAN_OPTIONS=$RANK_ASAN" -x EUREKA_MPI_TIMEOUT)
export EUREKA_MPI_TIMEOUT=${EUREKA_MPI_TIMEOUT:-60}
# One iteration of 3 candidates (the halving's three rungs: 3, 2, 1 trainings), 2 seeds
# of final evaluation: every path of the search's jobs, small enough for 2 loaded cores.
ARGS=(--task cartpole --llm offline --iterations 1 --samples 3 --threads 1 --train-steps 40000
      --eval-seeds 2 --seed 7 --quiet --json)

# Every process below pid (the job's ranks, their workers), recorded while the job runs.
tree() { ps -eo pid=,ppid= | awk -v root="$1" '{p[$1]=$2} END {for (k in p) {x=k; while (x in p && x!=root && x>1) x=p[x]; if (x==root && k!=root) print k}}'; }
# The pid of MPI rank r of the job under mpirun pid m.
rank_pid() { for p in $(tree "$1"); do
    tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && \
        [ "$(cat /proc/$p/comm)" = eureka ] && { echo "$p"; return; }; done; }
# Wait until the run directory $1 holds $2 lines of event $3 (at most $4 tenths of a second).
wait_events() { for _ in $(seq 1 "$4"); do
    n=$(grep -c "\"$3\"" "$1/events.jsonl" 2>/dev/null || true)
    [ "${n:-0}" -ge "$2" ] && return 0; sleep 0.1; done
    return 1; }
# No process recorded in file $1 may still live (zombies of the dead job aside).
no_orphans() { sleep 2; for p in $(sort -u "$1"); do
    st=$(awk '{print $3}' /proc/$p/stat 2>/dev/null || true)
    [ -z "$st" ] || [ "$st" = Z ] || die "process $p ($(cat /proc/$p/comm 2>/dev/null)) outlived the job"; done; }
# Record the job's processes every 0.2 s into $2 while mpirun $1 lives.
watch_tree() { while kill -0 "$1" 2>/dev/null; do tree "$1" >> "$2"; sleep 0.2; done; }
candidates() { "$EUREKA" show "$1" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print([(x["status"], x.get("fitness")) for it in s["iterations"] for x in it["samples"]])'; }

# 1. one process, then three ranks: the same search.
"$EUREKA" search "${ARGS[@]}" --jobs 2 --out "$TMP/single" > "$TMP/single.json"
"${MPIRUN[@]}" "$EUREKA" search "${ARGS[@]}" --out "$TMP/mpi" > "$TMP/mpi.json"
python3 - "$TMP" <<'PY'
import json, sys, os
out = sys.argv[1]
a = json.load(open(os.path.join(out, "single.json")))
b = json.load(open(os.path.join(out, "mpi.json")))
for k in ["best_iteration", "best_sample", "best_fitness", "best_fitness_robust", "eval_mean", "candidates"]:
    assert a[k] == b[k], (k, a[k], b[k])
assert open(os.path.join(out, "single/best.c")).read() == open(os.path.join(out, "mpi/best.c")).read()
print("mpi = single:", b["best_fitness"], b["best_fitness_robust"], b["eval_mean"])
PY
[ "$(candidates "$TMP/single")" = "$(candidates "$TMP/mpi")" ] || die "candidate fitnesses differ"
candidates "$TMP/mpi"
echo "[${SECONDS}s] mpirun -np 3 = one process"

# 2. the job ended mid-tournament (SIGTERM after the first rung, while others train), resumed
#    by one process. (A stop after the tournament is e2e_search_resume's second part.)
"${MPIRUN[@]}" "$EUREKA" search "${ARGS[@]}" --out "$TMP/killed" > /dev/null 2> "$TMP/killed.err" &
M=$!
watch_tree $M "$TMP/killed.pids" &
wait_events "$TMP/killed" 1 rung_done 1200 || die "no rung ended under mpirun"
kill -TERM $M
wait $M 2>/dev/null || true
[ -f "$TMP/killed/summary.json" ] && die "the search finished before it was ended"
no_orphans "$TMP/killed.pids"
before=$(grep -c '"rung_done"' "$TMP/killed/events.jsonl")
"$EUREKA" search --resume "$TMP/killed" --quiet --json > "$TMP/resumed.json"
python3 - "$TMP" "$before" <<'PY'
import json, sys, os
out, before = sys.argv[1], int(sys.argv[2])
a = json.load(open(os.path.join(out, "single.json")))
b = json.load(open(os.path.join(out, "resumed.json")))
for k in ["best_iteration", "best_sample", "best_fitness", "eval_mean", "candidates"]:
    assert a[k] == b[k], (k, a[k], b[k])
ev = [json.loads(l) for l in open(os.path.join(out, "killed/events.jsonl"))]
full = [json.loads(l) for l in open(os.path.join(out, "single/events.jsonl"))]
count = lambda evs, k: sum(e["event"] == k for e in evs)
assert count(ev, "rung_done") == count(full, "rung_done"), "finished rungs were trained again"
assert count(ev, "sample_done") == 3 and any(e["event"] == "resume" for e in ev)
print("resumed after", before, "finished rungs:", b["best_fitness"], b["eval_mean"])
PY
[ "$(candidates "$TMP/single")" = "$(candidates "$TMP/killed")" ] || die "resumed candidate fitnesses differ"
echo "[${SECONDS}s] ended under mpirun, resumed without"

# 3a. a trainer rank killed: the launcher names it; nothing is left behind.
host=$(hostname)
"${MPIRUN[@]}" "$EUREKA" search "${ARGS[@]}" --out "$TMP/dead" > /dev/null 2> "$TMP/dead.err" &
M=$!
watch_tree $M "$TMP/dead.pids" &
wait_events "$TMP/dead" 1 iteration_start 600 || die "the search did not start"
sleep 1
R1=$(rank_pid $M 1)
[ -n "$R1" ] || die "no rank 1 under mpirun"
kill -KILL "$R1"
wait $M 2>/dev/null && die "mpirun succeeded after a rank was killed"
cat "$TMP/dead.err"
grep -q "rank 1 .*on node $host" "$TMP/dead.err" || die "no line naming rank 1 and $host"
no_orphans "$TMP/dead.pids"
echo "[${SECONDS}s] killed trainer named"

# 3b. a trainer rank that stops answering (while it trains, or while the driver sends it a
# job): eureka's own line naming it, then the job ends.
EUREKA_MPI_TIMEOUT=3 "${MPIRUN[@]}" "$EUREKA" search "${ARGS[@]}" --out "$TMP/hung" > /dev/null \
    2> "$TMP/hung.err" &
M=$!
watch_tree $M "$TMP/hung.pids" &
wait_events "$TMP/hung" 1 iteration_start 600 || die "the search did not start"
sleep 1
R2=$(rank_pid $M 2)
[ -n "$R2" ] || die "no rank 2 under mpirun"
kill -STOP "$R2"
wait $M 2>/dev/null && die "mpirun succeeded after a rank stopped answering"
cat "$TMP/hung.err"
grep -Eq "^eureka: MPI rank 2 on host $host (sent nothing|took no message) for [0-9]* s" "$TMP/hung.err" || die "no line naming rank 2"
no_orphans "$TMP/hung.pids"
echo "[${SECONDS}s] hung trainer named"
echo "e2e_mpi: ok"
