// judge.h: from a reward to a verdict: the one path every command takes.
//
// `check`, `train`, `eval`, `compare` and `search` all hand their rewards to the judge.
// The judge starts one locked-down worker per job (sandbox.h, at most `parallel` at
// once), applies one limits formula, classifies every ending into one status
// vocabulary (sb_status), and re-measures the fitness a training worker reports from
// the policy it saved, in a fresh worker that never loads the candidate: a reward runs
// in the same process as its trainer, so nothing it reports is trusted. Library code:
// progress goes through callbacks, nothing is printed.
#ifndef EUREKA_JUDGE_H
#define EUREKA_JUDGE_H

#include <signal.h>
#include <cjson/cJSON.h>

#include "judge/sandbox.h"
#include "rl/ppo.h"
#include "task/task.h"
#include "util/err.h"

// Seconds without a progress report after which a training worker is killed: the trainer
// reports after every update (well under a second), so only a reward that never returns
// goes this long.
#define JUDGE_STALL_SECONDS 60

// Held-out cases on which the robust statistic re-measures each recent policy, as a
// multiple of the task's own held-out set (reorient: 2 x 100 goals).
#define JUDGE_ROBUST_FACTOR 2

// Largest saved training accepted back from a worker.
#define JUDGE_STATE_MAX (64u << 20)

typedef enum judge_mode {
    JUDGE_CHECK,    // compile + smoke test on random-action rollouts (`eureka check`)
    JUDGE_TRAIN,    // one PPO training, fitness re-measured
} judge_mode;

typedef struct judge_job {
    judge_mode mode;
    const char *reward_src;     // candidate text (borrowed)
    train_cfg cfg;              // JUDGE_TRAIN: the training (steps, seed, threads, ...)
    int check_calls;            // JUDGE_CHECK: reward calls (0 = 512)
    const void *state;          // JUDGE_TRAIN: continue this saved training (borrowed; NULL:
    size_t state_len;           // start fresh); cfg.steps is then the total to reach
    int robust_cases;           // held-out cases of the robust statistic (0: judge_robust_cases)
    double timeout_s;           // wall-clock limit; 0 = judge_limits' formula
    int skip;                   // already done: not started, no verdict
    int iteration, sample;      // the caller's labels, passed back in progress
} judge_job;

typedef struct judge_verdict {
    sb_status status;
    char message[ERR_MSG_MAX];  // one line for the user and the LLM ("" when ok)
    int signal;                 // SB_CRASH / SB_ARITH
    int syscall_nr;             // SB_SYSCALL
    char syscall_name[32];
    double seconds;             // wall time of the job (verification included)
    cJSON *result;              // owned: the check statistics, or train.json whose
                                // "fitness" the parent re-measured and to which it added
                                // "fitness_robust" and "fitness_ci"; NULL unless SB_OK
    void *state;                // JUDGE_TRAIN: the saved training, to continue it (owned)
    size_t state_len;
} judge_verdict;

typedef struct judge_progress {
    const judge_job *job;
    long steps, total;          // control steps done / budget
    double sps;                 // steps per second
    double fitness;             // last checkpoint fitness (NaN before the first)
} judge_progress;

typedef struct judge_opts {
    const task_def *task;
    int parallel;               // workers at once (< 1: 1)
    volatile sig_atomic_t *stop;// set by a signal handler: running jobs are stopped and
                                // end as SB_INTERRUPTED; nothing more starts
    void (*on_progress)(void *ctx, const judge_progress *p);
    // Called as each job ends (out[index] is final; the callback may take its result).
    void (*on_done)(void *ctx, int index, judge_verdict *v);
    void *ctx;
} judge_opts;

// A training job for cfg (defaults filled from the task).
judge_job judge_job_train(const task_def *t, const char *reward_src, const train_cfg *cfg);

// The worker limits of job j: the one formula. Trainings: wall clock from the budget at
// a pessimistic 15k physics steps/s per thread (3x + 120 s, within [300, 14400] s), or
// 1.5 x the training's own wall-clock cap + 60 s, or the job's timeout_s; CPU for all
// threads; a stall limit of JUDGE_STALL_SECONDS. Checks: timeout_s (default 30 s).
void judge_limits(const task_def *t, const judge_job *j, sb_limits *lim);

// Run jobs[0..n) (those with skip unset), judge_width(n, o->parallel) at a time; out[i]
// gets job i's verdict (untouched for skipped jobs). Returns the number of jobs that
// ended, or -1 when o->stop interrupted the batch. Goes to the installed runner if there
// is one.
int judge_run(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out);

// How many of n jobs run at once with `parallel` slots: parallel, except that a batch of
// more than one round but less than two runs whole. Its second round would leave slots
// idle (3 evaluation trainings on 2 cores: two rounds of one training's time); run
// together, the cores are shared and the batch takes n / parallel of it (1.5). A
// training's result does not depend on how fast it runs; a batch with a wall-clock cap
// (--train-seconds) keeps `parallel`.
int judge_width(int n, int parallel);

// judge_run on this machine's workers: the pool itself.
int judge_run_local(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out);

// Where judge_run sends every batch instead of the local pool, with judge_run's contract.
// The MPI driver rank installs one (cluster/cluster.h) so that every command spreads its
// jobs over the trainer ranks without knowing; NULL restores the local pool.
typedef int (*judge_runner)(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out);
void judge_set_runner(judge_runner r);

// Run one job (judge_run with one job and no callbacks but progress).
void judge_one(const task_def *t, judge_job *job, void (*on_progress)(void *ctx, const judge_progress *p),
               void *ctx, volatile sig_atomic_t *stop, judge_verdict *out);

// The task fitness of train's best-checkpoint policy ("policy"), measured in a fresh
// worker that never loads a candidate. Evaluation is deterministic: it equals what an
// honest trainer reported.
int judge_verify(const task_def *t, const cJSON *train, double *fitness, err_info *e);

// What the judge trusts of a training, all re-measured in a clean worker from the
// policies train.json saved: the best checkpoint's fitness on the training's own
// held-out set (EUREKA's maximum, must equal what the trainer reported), and the robust
// statistic: the mean fitness of the last checkpoints' policies ("recent_policies") on
// `cases` held-out cases, with a ~95% interval (Wilson for success rates).
typedef struct judge_measure {
    double fitness;             // best checkpoint, re-measured
    double robust;              // mean over the recent policies
    double graded;              // their mean graded fitness (task.h; = robust without one)
    int has_graded;             // the task has a graded fitness
    double ci_low, ci_high;
    int n_policies, cases;
} judge_measure;

// Replace the judge's numbers in a training result (fitness_robust, fitness_ci,
// robust_cases, fitness_graded) by the measured ones m: whatever was there before, a
// worker's or a run directory's claim, is gone.
void judge_measure_write(cJSON *train, const judge_measure *m);

int judge_measure_train(const task_def *t, const cJSON *train, int cases, judge_measure *m,
                        err_info *e);

// The default number of held-out cases of the robust statistic for task t.
int judge_robust_cases(const task_def *t);

// Number of online CPU cores (at least 1): the default number of workers at once.
int judge_cores(void);

// 1 when a re-measured number equals a recorded one: exactly, up to what a JSON file
// keeps (cJSON prints 15 significant digits when they read back within an epsilon).
int judge_same(double measured, double recorded);

// Free the verdict's result.
void judge_verdict_free(judge_verdict *v);

#endif
