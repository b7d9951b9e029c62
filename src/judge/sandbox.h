// sandbox.h: run a candidate reward in a locked-down worker process.
//
// The parent starts a worker per candidate: the eureka-worker binary (judge/worker.h),
// through posix_spawn with an EMPTY environment, in its own process group, with the job
// (task, reward source, mode, limits, arguments) written to its stdin. Nothing of the
// parent's memory exists in the worker. The worker compiles the reward, says
// "compiled", enters a seccomp allow-list and runs the mode. The parent enforces a
// wall-clock deadline and a stall limit, reads the worker's output as untrusted bytes
// under a cap, and classifies every ending.
//
// Several workers run at once (--jobs): sandbox_start / sandbox_poll / sandbox_finish
// let one single-threaded parent drive them; sandbox_run is the blocking shortcut.
#ifndef EUREKA_SANDBOX_H
#define EUREKA_SANDBOX_H

#include <cjson/cJSON.h>

#include "util/err.h"
#include "task/task.h"

typedef enum sb_status {
    SB_OK = 0,
    SB_COMPILE,     // rejected or failed to compile
    SB_CRASH,       // killed by a signal (SIGSEGV, SIGBUS, SIGILL, SIGABRT, ...)
    SB_ARITH,       // SIGFPE: integer division by zero
    SB_TIMEOUT,     // wall-clock or CPU limit
    SB_MEMORY,      // memory limit
    SB_SYSCALL,     // forbidden system call (seccomp)
    SB_NONFINITE,   // a reward component was NaN or infinite
    SB_REWARD,      // the reward broke the ABI (too many components, bad name)
    SB_ERROR,       // the job failed for another reason (message says which)
    SB_INTERRUPTED, // stopped by the user (SIGINT) before it finished
    SB_NO_CODE,     // the LLM's reply held no usable code block (search only)
    SB_TRUNCATED,   // the reply was cut off at the token limit (search only)
} sb_status;

// The one vocabulary of how a candidate ended, as stable short names: "ok",
// "compile_error", "crash", "arithmetic_error", "timeout", "memory_limit",
// "forbidden_syscall", "nonfinite_reward", "bad_reward", "error", "interrupted",
// "no_code", "truncated".
const char *sb_status_name(sb_status s);

// The status called name (as written in status.json); ERR_PARSE for an unknown name.
int sb_status_parse(const char *name, sb_status *out, err_info *e);

typedef struct sb_limits {
    double wall_seconds;    // parent kills the worker after this
    double cpu_seconds;     // RLIMIT_CPU (all threads)
    size_t mem_bytes;       // RLIMIT_AS (ignored under ASan, see platform notes)
    size_t out_cap;         // bytes of worker output the parent accepts
    double stall_seconds;   // kill when the worker sends nothing for this long after
                            // "compiled" (0 = off), counted in its CPU time (or when it
                            // uses none at all for this long): a reward that never returns
                            // stops progress long before the wall limit of a whole training
                            // run, and a worker starved by a busy machine is not taken for it
    double compile_seconds; // kill when the worker has not said "compiled" by then (0 =
                            // the default): a compiler that blocks or loops on a source
} sb_limits;

// Defaults: 1200 s wall, 2400 s CPU, 1 GiB, 4 MiB output, no stall limit, 20 s to compile.
void sb_limits_default(sb_limits *l);

typedef struct sb_spec {
    const task_def *task;
    const char *reward_src;     // candidate text (not trusted)
    const char *mode;           // the worker's mode: "check", "train", "verify" (judge/jobs.h)
    const cJSON *args;          // the mode's arguments (borrowed; sent in the job)
    sb_limits limits;
    int threads;                // threads the mode will start (for the seccomp policy)
    const char *worker;         // worker executable; NULL = sandbox_worker_path()
} sb_spec;

typedef struct sb_result {
    sb_status status;
    char message[ERR_MSG_MAX];  // one line for the user and the LLM ("" when ok)
    int signal;                 // for SB_CRASH / SB_ARITH
    int syscall_nr;             // for SB_SYSCALL
    char syscall_name[32];
    double seconds;             // wall time
    cJSON *result;              // body's result object (owned; NULL unless SB_OK)
} sb_result;

typedef struct sb_proc sb_proc;

// Fork a worker for spec. ERR_INTERNAL / ERR_IO when the fork itself fails.
sb_proc *sandbox_start(const sb_spec *spec, err_info *e);

// Wait up to timeout_ms for output from any of the n workers and pump it; enforce
// deadlines. Calls on_progress(ctx, index, obj) for each progress object received.
void sandbox_poll(sb_proc **procs, int n, int timeout_ms,
                  void (*on_progress)(void *ctx, int index, const cJSON *obj), void *ctx);

// 1 when the worker has ended (result ready for sandbox_finish).
int sandbox_done(const sb_proc *p);

// The worker's process id (for tests and diagnostics); -1 for NULL.
int sandbox_pid(const sb_proc *p);

// Reap the worker, classify its ending into *res, free p.
void sandbox_finish(sb_proc *p, sb_result *res);

// Kill a running worker now (e.g. on SIGINT), then sandbox_finish it.
void sandbox_kill(sb_proc *p);

// start + poll until done + finish.
void sandbox_run(const sb_spec *spec, void (*on_progress)(void *ctx, int index, const cJSON *obj),
                 void *ctx, sb_result *res);

void sb_result_free(sb_result *res);

// A worker's result relayed by someone else (another MPI rank), checked as the worker's
// own line is: the n bytes (at most cap) must parse as one JSON object; every key and
// string goes through the sanitiser; component names must be ones term() accepts. NULL
// otherwise.
cJSON *sandbox_parse_untrusted(const char *text, size_t n, size_t cap);

// The worker executable this process starts: eureka-worker beside the running binary,
// else the one in the build tree. Borrowed.
const char *sandbox_worker_path(void);

#endif
