// worker.h: the process that runs one job on one candidate reward (eureka-worker).
//
// The parent (sandbox.c) starts the worker binary with execve, an empty environment and
// three descriptors: fd 0 is the job pipe, fd 3 the result pipe, fds 1 and 2 /dev/null.
// Nothing of the parent (API keys, prompts, other candidates, environment strings)
// exists in the worker's memory: the job is all it knows. It arrives as one JSON object
//     {"mode": "train", "task": "reorient", "root": "/path/to/eureka", "reward": "...",
//      "threads": 2, "limits": {"cpu": 600, "mem": 1073741824}, "args": {...}}
// and the worker answers with newline-delimited JSON objects on fd 3:
//     {"type":"compiled"}                   the reward compiled; nothing ran before this
//     {"type":"progress","data":{...}}      at most 10 per second
//     {"type":"result","data":{...}}        the mode's result
//     {"type":"error","status":"...","message":"..."}
//     {"type":"syscall","nr":N}             a forbidden system call (from the SIGSYS handler)
// The order of the worker's life: die with the parent, close every other descriptor,
// default signals, read the job, rlimits, MuJoCo handlers that never touch files, read
// the prelude and env.h and preload the model, the compile-stage seccomp allow-list (no
// file, library, process or socket), compile, report "compiled", the run-stage
// allow-list (no executable memory either), then the mode's body, which is the only code
// that calls the reward. Every line the worker writes after "compiled" may come from the
// reward (it shares the process): the parent trusts none of it.
#ifndef EUREKA_WORKER_H
#define EUREKA_WORKER_H

#include <cjson/cJSON.h>

#include "reward/reward.h"
#include "task/task.h"
#include "util/err.h"

// Descriptors of the protocol, in the worker.
#define WORKER_JOB_FD 0
#define WORKER_RESULT_FD 3

// Cap on the job the worker accepts (a resumed training carries its saved state).
#define WORKER_JOB_MAX (256u << 20)

typedef struct worker_chan worker_chan;

typedef enum worker_stage {
    WORKER_STAGE_COMPILE,   // while the candidate is compiled and relocated
    WORKER_STAGE_RUN,       // before any generated code runs, for good
} worker_stage;

// Install the seccomp allow-list of stage on top of any earlier one (the compile stage
// also installs the SIGSYS handler that reports a forbidden call on fd 3 and exits).
// threads: threads the job will start. 0, or -1 with why.
int worker_lockdown(worker_stage stage, int threads, char *why, size_t why_sz);

// Send a progress object to the parent. Safe to call often (rate-limited) and from any
// of the job's threads.
void worker_progress(worker_chan *ch, const cJSON *progress);

// A mode's body: runs after compile and seccomp. args is the job's "args" object (NULL
// when absent). Returns the result object (the worker sends and frees it) or NULL with
// e set; the error code says how the parent classifies it (ERR_NONFINITE ->
// nonfinite_reward, ERR_REWARD -> bad_reward, ERR_NOMEM -> memory_limit, else error).
typedef cJSON *(*worker_body)(const cJSON *args, const task_def *task, reward_fn fn,
                              worker_chan *ch, err_info *e);

typedef struct worker_mode {
    const char *name;       // the job's "mode"
    worker_body body;
} worker_mode;

// The main of a worker binary: read the job from fd 0, lock down, compile, run the mode
// from modes[0..n). Never returns.
void worker_main(const worker_mode *modes, int n_modes) __attribute__((noreturn));

#endif
