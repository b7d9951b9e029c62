// sandbox.h: run a candidate reward in a locked-down worker process.
//
// The parent forks a worker per candidate. The worker closes inherited descriptors,
// sets CPU / memory / file-size limits, installs MuJoCo handlers that never touch
// files, compiles the reward (rcomp.h), enters a seccomp allow-list, and only then
// runs the job body, which calls the generated code. The parent enforces a wall-clock
// deadline, reads the worker's output as untrusted bytes under a cap, and classifies
// every ending.
//
// Several workers run at once (--jobs): sandbox_start / sandbox_poll / sandbox_finish
// let one single-threaded parent drive them; sandbox_run is the blocking shortcut.
#ifndef EUREKA_SANDBOX_H
#define EUREKA_SANDBOX_H

#include <cjson/cJSON.h>

#include "util/err.h"
#include "reward/reward.h"
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
} sb_status;

// Stable short name: "ok", "compile_error", "crash", "arithmetic_error", "timeout",
// "memory_limit", "forbidden_syscall", "nonfinite_reward", "bad_reward", "error".
const char *sb_status_name(sb_status s);

typedef struct sb_limits {
    double wall_seconds;    // parent kills the worker after this
    double cpu_seconds;     // RLIMIT_CPU (all threads)
    size_t mem_bytes;       // RLIMIT_AS (ignored under ASan, see platform notes)
    size_t out_cap;         // bytes of worker output the parent accepts
    double stall_seconds;   // kill when the worker sends nothing for this long (0 = off):
                            // a reward that never returns stops progress long before the
                            // wall limit of a whole training run
} sb_limits;

// Defaults: 1200 s wall, 2400 s CPU, 1 GiB, 4 MiB output, no stall limit.
void sb_limits_default(sb_limits *l);

// Channel from the worker's job body back to the parent.
typedef struct sb_chan sb_chan;

// Send a progress object (small JSON) to the parent. Safe to call often; rate-limited.
void sb_progress(sb_chan *ch, const cJSON *progress);

// The job: runs in the worker after compile and seccomp. Returns a result object (the
// worker sends it and frees it) or NULL with e set (status from e: ERR_RUNTIME with a
// non-finite message -> SB_NONFINITE, etc.).
typedef cJSON *(*sb_body)(void *arg, const task_def *task, reward_fn fn, sb_chan *ch,
                          err_info *e);

typedef struct sb_spec {
    const task_def *task;
    const char *reward_src;     // candidate text (not trusted)
    sb_body body;
    void *arg;                  // passed to body; the worker sees the parent's copy
    sb_limits limits;
    int threads;                // threads the body will start (for the seccomp policy)
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

// Reap the worker, classify its ending into *res, free p.
void sandbox_finish(sb_proc *p, sb_result *res);

// Kill a running worker now (e.g. on SIGINT), then sandbox_finish it.
void sandbox_kill(sb_proc *p);

// start + poll until done + finish.
void sandbox_run(const sb_spec *spec, void (*on_progress)(void *ctx, int index, const cJSON *obj),
                 void *ctx, sb_result *res);

void sb_result_free(sb_result *res);

// The smoke-test body of `eureka check`: real rollouts of the task (venv, uniform random
// actions); the reward is called on a copy of each state, which must stay unchanged; every
// component and the total must be finite. Result: {"calls": N, "seconds": s,
// "components": [{"name", "min", "mean", "max", "count"}...], "total": {"min","mean","max"}}.
typedef struct sb_check_cfg {
    int calls;          // reward calls (default 512)
    int n_envs;         // environments stepped round-robin (default 8)
    unsigned long long seed;
} sb_check_cfg;
cJSON *sb_check_body(void *arg, const task_def *task, reward_fn fn, sb_chan *ch, err_info *e);

#endif
