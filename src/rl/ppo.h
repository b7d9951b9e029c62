// ppo.h: the PPO trainer that judges a reward candidate.
//
// Trains a Gaussian tanh-MLP policy against the candidate's reward on a task's
// vectorised environments and measures the task's ground-truth fitness at evaluation
// checkpoints. Deterministic for a given seed and thread count.
//
// The result is the train.json object (the schema every consumer reads):
// {
//   "task": "reorient", "trainer": "ppo", "seed": 1, "threads": 2,
//   "steps": 2000000, "seconds": 150.2, "updates": 976,
//   "exploration": "gaussian", "config": {every train_cfg setting but threads, max_seconds},
//   "curriculum_level": [...]   (per update, with --curriculum: the difficulty trained on),
//   "components": {"rot_reward": [per-update batch means ...], ...},
//   "reward_total": [...], "episode_length": [...],        (per update)
//   "policy_std": [...], "approx_kl": [...], "clip_frac": [...],
//   "dep_steps": [...], "trained_samples": [...]  (per update, with --exploration dep:
//             the rollout steps DEP drove, and the samples one epoch of the PPO loss
//             used: the policy's own steps only)
//   "checkpoints": {"steps": [...], "fitness": [...], "fitness_sd": [...], "cases": [...],
//                   "episode_length": [...]},  (fitness_sd: sample sd over the cases)
//   "fitness": <max over checkpoints>, "fitness_final": <last checkpoint>,
//   "unstable_episodes": 0,
//   "policy": {"hidden": 64, "obs_mean": [...], "obs_inv_std": [...], "actor": [...]},
//             (the best checkpoint's policy, loaded by policy.h: the judge re-measures
//             its fitness)
//   "recent_policies": [{"steps": S, "policy": {...}}, ...]
//             (the last 3 checkpoints' policies, oldest first: the judge's robust
//             statistic is their mean fitness, re-measured)
// }
//
// Resuming: ppo_train_ex can stop at its budget with a saved state and continue it later
// to a larger total budget. A training stopped after N1 steps and resumed to N2 gives the
// train.json (all but "seconds" and "threads") of one that went straight to N2, provided
// the checkpoints sit at fixed positions: set ck_interval and stop at a multiple of it
// (the stop point always gets a checkpoint, so a straight run must have one there too).
// With ck_interval 0 the checkpoints are spread over each session's own budget.
#ifndef EUREKA_PPO_H
#define EUREKA_PPO_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "util/err.h"
#include "reward/reward.h"
#include "task/task.h"

typedef struct train_cfg {
    long steps;             // control-step budget (all envs together); when resuming, the
                            // total to reach, counting the steps already taken
    double max_seconds;     // optional wall-clock cap (0 = none)
    int threads;            // rollout threads
    uint64_t seed;
    int n_envs, horizon, epochs, minibatches, hidden, checkpoints;
    double lr, gamma, lambda, clip, ent_coef, vf_coef, max_grad_norm, init_log_std;
    long ck_interval;       // control steps between checkpoints, at fixed positions from
                            // step 0 (0: `checkpoints` evenly over the budget)
    int eval_cases;         // held-out cases per checkpoint (0: the task's n_eval; more
                            // cases extend the task's set with its next rng streams)
    int exploration;        // explore_kind (rl/explore.h): 0 gaussian, 1 gsde, 2 lattice, 3 dep
    int noise_period;       // gsde/lattice: control steps between noise draws (default 8;
                            // also at each episode's and rollout's start)
    int curriculum;         // stages of the task's difficulty knob (0: off): training
                            // starts at level 1/curriculum and moves up a stage when the
                            // training episodes of an update reach curriculum_threshold
    double curriculum_threshold;    // mean task fitness (a success rate; default 0.5)
    // --exploration dep (rl/dep.h; defaults in docs/trainer.md, 0 = the default, and only
    // with dep): the DEP controller's gain, bias rate, velocities summed, delay between
    // the two correlated velocities, sensor averaging; per policy step, the chance that DEP
    // takes over, and for how many control steps.
    double dep_kappa, dep_bias_rate, dep_prob;
    int dep_tau, dep_delay, dep_smooth, dep_length;
} train_cfg;

// Fill the fields of cfg that are 0 from the task's defaults, and the trainer's own where
// the task has none (threads 0 -> 1; seed and max_seconds are left alone).
void train_cfg_defaults(train_cfg *cfg, const task_def *t);

// Progress: called after every update (from the training thread).
typedef void (*train_progress)(void *ctx, long steps, long total_steps, double steps_per_s,
                               double last_fitness);

// Train; *out gets the train.json object (owned by the caller).
int ppo_train(const task_def *t, reward_fn fn, const train_cfg *cfg, train_progress pf,
              void *pctx, cJSON **out, err_info *e);

// Where the time went (for bench/bench_train.c), in seconds, in this session.
typedef struct ppo_timing {
    double rollout, update, eval, total;
    double rollout_cpu, update_cpu, eval_cpu;   // CPU seconds of all threads (work, whatever
                                                // else the machine runs)
    long steps;             // control steps taken in this session
} ppo_timing;

// ppo_train that can start from a saved state and save its own. cfg->steps is the TOTAL
// budget to reach. state_in (state_in_len bytes, may be NULL) is a state saved by an
// earlier session of the same task and settings (seed, envs, hidden, horizon, epochs,
// minibatches, lr, ... must match; steps, threads, max_seconds, checkpoints, ck_interval
// and eval_cases may change); anything else, including a truncated or damaged state, is
// refused with a message. When state_out is non-NULL it gets a malloc'd state to resume
// from (owned by the caller; free()). tm (may be NULL) gets the time split.
// The settings a training can run with, once train_cfg_defaults filled them: ERR_USAGE
// (or ERR_LIMIT) naming what is wrong. Called by every training and by the commands
// before they start one.
int ppo_check_cfg(const task_def *t, const train_cfg *cfg, err_info *e);

int ppo_train_ex(const task_def *t, reward_fn fn, const train_cfg *cfg, const void *state_in,
                 size_t state_in_len, train_progress pf, void *pctx, cJSON **train_json,
                 void **state_out, size_t *state_out_len, ppo_timing *tm, err_info *e);

// What a saved training holds, read from its header.
typedef struct ppo_saved {
    char task[32];
    int obs_dim, act_dim;
    train_cfg cfg;          // seed, n_envs, hidden and the settings that must match to
                            // resume; steps = the steps taken (other fields 0)
    long updates, steps;
    double seconds;         // wall time of all its sessions
} ppo_saved;

// Check a saved training (header, length, checksum) and describe it.
int ppo_state_info(const void *state, size_t len, ppo_saved *info, err_info *e);

#endif
