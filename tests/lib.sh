# lib.sh: the start every tests/e2e_*.sh shares. A test sources it with its arguments:
#     . "$(dirname "$0")/lib.sh" "$@"
# and gets:
#   EUREKA   the binary under test, as an absolute path (the test may cd);
#   ROOT     the repository; MOCK, the loopback LLM server built beside EUREKA;
#   TMP      a scratch directory, removed at exit after the test's e2e_on_exit (when it
#            defines one) has run and the processes in PIDS are killed;
#   ok [MSG] / bad MSG   count a passed / failed check and go on;
#   die MSG  a check failed and what follows depends on it: stop now (exit 1);
#   e2e_end  print "NAME: N passed, M failed" and give the status (the test's last line);
#   start_mock NAME ARGS...  a mock server in the background: its port in PORT, its
#            process in MOCK_PID (and PIDS). ARGS are the server's (--replies, --scenario,
#            --lifetime).
set -u
[ $# -ge 1 ] || { echo "usage: $0 path/to/eureka" >&2; exit 2; }
E2E_NAME=$(basename "$0" .sh)
EUREKA="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
MOCK="$(dirname "$EUREKA")/mock_llm_server"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP=$(mktemp -d "/tmp/eureka_$E2E_NAME.XXXXXX")
PIDS=()
e2e_cleanup() {
    local p
    if declare -F e2e_on_exit > /dev/null; then e2e_on_exit; fi   # the test's own, first
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap e2e_cleanup EXIT

npass=0; nfail=0
ok() { npass=$((npass + 1)); [ $# -eq 0 ] || echo "ok: $*"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $*" >&2; }
die() { echo "FAIL: $*" >&2; exit 1; }
e2e_end() { echo "$E2E_NAME: $npass passed, $nfail failed"; [ "$nfail" -eq 0 ]; }

start_mock() {
    local name=$1; shift
    [ -x "$MOCK" ] || die "no mock server at $MOCK (build the tests/tools targets)"
    "$MOCK" --port 0 "$@" > "$TMP/$name.port" &
    MOCK_PID=$!
    PIDS+=("$MOCK_PID")
    for _ in $(seq 1 50); do [ -s "$TMP/$name.port" ] && break; sleep 0.1; done
    PORT=$(head -1 "$TMP/$name.port")
    [ -n "$PORT" ] || die "mock server $name did not start"
}
