// state.h: what the parts of a search share (search.c runs the loop; attempt.c trains
// an attempt's candidates, final.c re-checks the finalists and evaluates the best,
// settings.c keeps run.json). Internal to src/search: not part of search.h's interface.
#ifndef EUREKA_SEARCH_STATE_H
#define EUREKA_SEARCH_STATE_H

#include "judge/halving.h"
#include "judge/judge.h"
#include "search/finalists.h"
#include "search/repeats.h"
#include "search/run.h"
#include "search/search.h"

#define MAX_SAMPLES 64
#define MAX_ITERATIONS 99

// A candidate of the attempt in hand: its reply, reward, verdict and the judge's numbers.
typedef struct cand {
    int sample;
    char *response;         // the reply (owned)
    int truncated;
    char *code;             // extracted reward (owned; NULL when none)
    char status[32];        // "ok", "no_code", "compile_error", ...
    char message[ERR_MSG_MAX];
    double fitness;         // EUREKA's: the best checkpoint (re-measured by the judge)
    double robust;          // the judge's robust statistic, what selection rests on
    double ci_low, ci_high; // its ~95% interval
    int rung;               // rungs of the iteration's tournament it completed
    long steps;             // steps it really trained
    long unstable;
    double seconds;
    uint64_t seed;
    cJSON *train;           // train.json (ok only)
    int done;
    int rank;               // how far it got, for "most informative failure"
    int loaded;             // read back from the run directory (resume): not yet verified
} cand;

// One search: its settings, connection, context and the candidates of the attempt in hand.
typedef struct search {
    const search_cfg *c;
    const task_def *t;
    char dir[RUN_PATH_MAX];
    llm_client *llm;
    int jobs, threads;
    long steps, eval_steps;
    double timeout;
    char *system, *user;            // the fixed first two messages
    char *assistant, *feedback;     // the Markovian tail (NULL in iteration 1)
    cJSON *messages;                // messages.json
    search_summary *sum;
    cand *cands;                    // of the current attempt
    int n_cands;
    int iteration;
    halving_plan plan;              // the rungs of every iteration's tournament
    long ck_interval;               // checkpoints at fixed positions (resumable rungs)
    finalist wins[MAX_ITERATIONS];  // each iteration's best (code owned), for the re-check
    int n_wins;
    repeats *seen;                  // every candidate's reward so far (replies.h)
} search;

// A sample's file (NULL: its folder), relative to the run directory.
static inline int sample_rel(char *buf, size_t n, int it, int s, const char *file) {
    return run_sample_rel(buf, n, it, s, file, NULL);
}

// An event: to the caller's callback, and appended to events.jsonl.
void search_emit(search *S, const char *type, cJSON *fields);

// 1 (and e says how to go on) when the user asked the search to stop.
int search_interrupted(const search *S, err_info *e);

// A result read back from the run directory that does not count: an event says why.
void search_reject(search *S, const char *what, const char *msg);

// Judge options that report a batch's progress in the search's terms: a tournament of
// iteration it (> 0) labels its jobs with their rung; other batches (it = 0) with their
// own iteration and sample. *b must outlive the run.
typedef struct search_batch { const search *S; int iteration; } search_batch;

judge_opts search_judge_opts(search_batch *b);

// Train jobs through the judge (a batch that is no tournament), with progress.
void search_train(const search *S, judge_job *jobs, int n, judge_verdict *out);

#endif
