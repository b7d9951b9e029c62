// halving.h: successive halving inside one iteration: spend the training budget where
// it decides.
//
// A short training cannot tell good rewards from bad ones: most candidates look alike
// early, and good rewards pull away late. So every candidate starts; at the end of each
// rung the better part (on the judge's robust statistic, re-measured in a clean worker)
// continues its training from where it stopped (bit for bit, rl/ppo.h), and the last
// survivors reach the task's full budget. The default plan for K candidates and a full
// budget B is three rungs ending at B/4, B/2 and B, halving the field at each:
// K x B/4 + K/2 x B/4 + K/4 x B/2 = K x B/2 steps, the budget of K plain trainings of B/2.
//
// The caller persists each rung as it ends (on_rung) and, to resume, passes the
// candidates as they stood: what a candidate completed is not trained again.
#ifndef EUREKA_HALVING_H
#define EUREKA_HALVING_H

#include <stddef.h>

#include "judge/judge.h"

#define HALVING_MAX_RUNGS 6
#define HALVING_DEFAULT_RUNGS "0.25,0.5,1"     // the default plan's rung ends (--rungs)

typedef struct halving_plan {
    int n_rungs;
    long steps[HALVING_MAX_RUNGS];  // total training steps at the end of each rung
    int keep[HALVING_MAX_RUNGS];    // candidates that train in each rung (keep[0]: all)
    int graded_cut;                 // 1: the first rung of several ranks on the graded
                                    // fitness (halving_rung_graded); halving_plan_make's default
} halving_plan;

// The plan for k candidates and full budget `full`, the rungs ending at the fractions
// frac[0..n) of it (increasing, the last 1), each rung keeping half of the last (at
// least one); rung ends are rounded to multiples of `quantum` (the checkpoint interval,
// so that a resumed training has the checkpoints of a straight one). ERR_USAGE for a
// bad list.
int halving_plan_make(int k, long full, long quantum, const double *frac, int n, halving_plan *p,
                      err_info *e);

// The default plan: rungs at 1/4, 1/2 and 1 of the full budget.
int halving_plan_default(int k, long full, long quantum, halving_plan *p, err_info *e);

// Parse "0.25,0.5,1" into fractions (at most HALVING_MAX_RUNGS); ERR_USAGE naming the flag.
int halving_parse_fractions(const char *text, double *frac, int *n, err_info *e);

// Total training steps the plan spends when every slot trains.
long halving_plan_steps(const halving_plan *p);

typedef struct halving_cand {
    const char *src;            // the reward (borrowed); NULL: nothing to train
    uint64_t seed;
    int label;                  // the caller's number for it, in progress (job->sample)
    int rungs_done;             // rungs completed
    int out;                    // failed, or not selected to go on
    int frozen;                 // finished in an earlier run (a resumed iteration): it
                                // ranks in every selection, as it did then, but never trains
    judge_verdict v;            // verdict of the latest rung (v.result: train.json with the
                                // judge's fitness_robust); owned
    double score;               // what the latest rung ranked on (halving_rung_score)
} halving_cand;

typedef struct halving_opts {
    judge_opts jo;              // task, parallel workers, stop flag, progress (on_done unused)
    train_cfg base;             // training settings; steps and seed are set per rung
    int robust_cases;           // held-out cases of the robust statistic (0: judge default)
    double timeout_s;           // wall limit of each rung's worker; 0: the judge's formula
    // Called as each candidate's rung ends (c->v and c->v.state final): persist it.
    // A non-zero return stops the tournament with that error.
    int (*on_rung)(void *ctx, int cand, int rung, halving_cand *c, err_info *e);
    void *ctx;
} halving_opts;

// Run the plan over cands[0..k) from where they stand. Returns ERR_OK when the plan ran
// to its end (candidates may have failed: see each verdict), ERR_RUNTIME when the stop
// flag interrupted it, or the error of on_rung.
int halving_run(const halving_opts *o, const halving_plan *plan, halving_cand *c, int k,
                err_info *e);

// Who goes on after rung r (0-based): the keep[r + 1] best of those that completed it
// (score, then lower index); sets out on the others. No-op after the last rung.
void halving_select(const halving_plan *plan, int r, halving_cand *c, int k);

// Whether rung (0-based) of the plan ranks on the graded fitness: with graded_cut, the
// first rung of a tournament of several, which cuts the whole field while most rewards
// may not yet have succeeded on a single held-out case (their success rates tie near 0,
// the graded fitness still orders them); later rungs cut among the leaders, whose success
// rates have left the floor. Whether the first cut gains by it depends on the trainer:
// measured in docs/judge.md (`eureka search --first-cut`).
int halving_rung_graded(const halving_plan *p, int rung);

// The number rung ranks on, from a judged training result: "fitness_graded" (task.h)
// where halving_rung_graded says so and the task has one, else the robust statistic
// "fitness_robust"; -INFINITY when absent.
double halving_rung_score(const cJSON *result, const halving_plan *p, int rung);

// The candidates ordered best first: furthest rung, then score, then index.
void halving_order(const halving_cand *c, int k, int *order);

// Free the verdicts and states.
void halving_cands_free(halving_cand *c, int k);

#endif
