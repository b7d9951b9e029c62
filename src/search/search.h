// search.h: the EUREKA loop (Algorithm 1 of Ma et al., ICLR 2024; docs/search.md).
//
//   messages = [system, user(task context)]
//   for each iteration: K replies -> extract -> compile + train in sandboxed workers
//   (--jobs at once) -> fitness -> best = argmax -> reflection -> messages =
//   [system, user, assistant(best reply), user(reflection + tips)]
//   re-check: the best --finalists iteration winners trained again on a fresh seed; the
//   overall best is the one with the highest mean of its two judged values.
//   final: the overall best re-trained with --eval-seeds seeds.
//
// Everything goes into a run directory (run.h) as it happens, so a killed search
// resumes (search_resume_cfg + search_run) without asking the LLM again and without
// re-training finished candidates. Library code: progress and questions to a person go
// through callbacks; nothing is printed here.
#ifndef EUREKA_SEARCH_H
#define EUREKA_SEARCH_H

#include <signal.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "util/err.h"
#include "llm/llm.h"
#include "rl/ppo.h"
#include "search/run.h"
#include "judge/halving.h"
#include "judge/judge.h"
#include "task/task.h"

// The largest run seed: JSON files (cJSON writes 15 significant digits when they read
// back within a rounding) keep seeds up to it exactly, so run.json hands a resumed
// search the seed it started with. (A training's seed goes up to 2^53: a candidate's, as
// status.json shows it, is the one its worker trained with.)
#define SEARCH_SEED_MAX 999999999999999ll

// A running candidate, for progress lines.
typedef struct search_progress {
    int iteration;          // 1.. (0 for the final evaluation)
    int sample;             // sample index, or eval seed index
    int rung;               // rung of the iteration's tournament (1..), 0 in the evaluation
    long steps, total;      // control steps done / budget
    double sps;             // steps per second
    double fitness;         // last checkpoint fitness (-1 before the first)
} search_progress;

typedef struct search_cfg {
    const task_def *task;
    llm_opts llm;               // backend, model, base_url, temperature, token cap
    int iterations;             // N (default 4)
    int samples;                // K (default 8)
    int jobs;                   // workers at once (0 = number of cores)
    int threads;                // threads per worker (0 = max(1, cores / jobs))
    long train_steps;           // full budget the tournament's survivors reach (0 = the task's)
    const char *rungs;          // rung ends as fractions of it, NULL: HALVING_DEFAULT_RUNGS
    int first_cut_success;      // 1: the first rung ranks on the success rate, as the others
                                // do; 0 (default): on the graded fitness (halving.h)
    int robust_cases;           // held-out cases of the judge's robust statistic (0 = default)
    int context_eureka;         // 1: reflect on each iteration's best as EUREKA does; 0
                                // (default): elitist, on the best so far when one regresses
    train_cfg trainer;          // PPO settings of every training (--set, trainer flags); zero
                                // fields: the task's defaults; steps, seed, threads set here
    double train_seconds;       // per-candidate wall cap inside training (0 = none)
    double timeout_s;           // worker wall limit per candidate (0 = the judge's formula)
    uint64_t seed;              // run seed: candidates' seeds derive from it
    int init_human;             // seed iteration 1 with rewards/<task>_human.c
    int human_feedback;         // ask_feedback replaces the automatic reflection
    int eval_seeds;             // final evaluation trainings (default 3; 0 = skip)
    long eval_steps;            // per evaluation training (0 = the task's train_steps)
    int finalists;              // iteration winners re-checked on a fresh seed before the
                                // final evaluation (default 2; 0 or 1: none; finalists.h)
    int retries;                // re-asks of an iteration whose candidates all failed (2)
    const char *out;            // run directory (NULL = runs/<stamp>-<task>)
    const char *resume;         // continue this run directory

    // Optional callbacks (ctx is passed back).
    void (*on_progress)(void *ctx, const search_progress *p);
    void (*on_event)(void *ctx, const char *type, const cJSON *fields);
    // --feedback: a person's text for the best reply of an iteration (owned; NULL = use
    // the automatic reflection).
    char *(*ask_feedback)(void *ctx, int iteration, const char *reflection);
    void *ctx;
    volatile sig_atomic_t *stop;    // set by a signal handler: stop cleanly (resumable)
} search_cfg;

typedef struct search_summary {
    char run_dir[RUN_PATH_MAX];
    char best_path[RUN_PATH_MAX];   // run_dir/best.c ("" when every candidate failed)
    int best_iteration, best_sample;
    double best_fitness;            // EUREKA's fitness of the best (its best checkpoint)
    double best_robust;             // the judge's robust statistic of the best, which chose it
    double best_ci_low, best_ci_high;
    int eval_n;                     // final evaluation trainings that finished
    double eval_mean, eval_std;     // of their fitness
    int candidates, failures;       // over the whole search
    long prompt_tokens, completion_tokens;
    double seconds;
    int budget_exhausted;           // stopped asking: --max-tokens-total reached
    char backend[32], model[96];    // the LLM that answered (resolved from auto)
} search_summary;

// Defaults: N=4, K=8, temperature 1.0, 3 eval seeds, 2 retries, seed 1.
void search_cfg_default(search_cfg *c);

// Fill c from DIR/run.json for `--resume DIR`; strings point into *hold (free it with
// cJSON_Delete after the search). Callbacks are left as they were.
int search_resume_cfg(const char *dir, search_cfg *c, cJSON **hold, err_info *e);

// Run (or resume) the search. Fails only on infrastructure errors (LLM unreachable,
// disk); failing candidates are part of a normal search.
int search_run(const search_cfg *c, search_summary *out, err_info *e);

// Every iteration's tournament (judge/halving.h: the rungs of the full budget, default
// the task's), the checkpoint interval the rung ends sit on, and the evaluation budget,
// as search_run sets them (the progress display plans with them too). ERR_USAGE for a
// bad --rungs.
int search_plan(const search_cfg *c, halving_plan *plan, long *ck_interval, long *eval_steps, err_info *e);

// Seed of candidate (iteration, sample) of a run: stable across resumes.
uint64_t search_candidate_seed(uint64_t run_seed, int iteration, int sample);

// Seed of the re-check training of iteration winner (iteration, sample): a stream no
// candidate and no evaluation seed uses.
uint64_t search_recheck_seed(uint64_t run_seed, int iteration, int sample);

#endif
