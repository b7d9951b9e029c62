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
//   "components": {"rot_reward": [per-update batch means ...], ...},
//   "reward_total": [...], "episode_length": [...],        (per update)
//   "policy_std": [...], "approx_kl": [...], "clip_frac": [...],
//   "checkpoints": {"steps": [...], "fitness": [...], "episode_length": [...]},
//   "fitness": <max over checkpoints>, "fitness_final": <last checkpoint>,
//   "unstable_episodes": 0,
//   "policy": {"hidden": 64, "obs_mean": [...], "obs_inv_std": [...], "actor": [...]}
//             (the best checkpoint's policy, for ppo_verify)
// }
#ifndef EUREKA_PPO_H
#define EUREKA_PPO_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "util/err.h"
#include "reward/reward.h"
#include "judge/sandbox.h"
#include "task/task.h"

typedef struct train_cfg {
    long steps;             // control-step budget (all envs together)
    double max_seconds;     // optional wall-clock cap (0 = none)
    int threads;            // rollout threads
    uint64_t seed;
    int n_envs, horizon, epochs, minibatches, hidden, checkpoints;
    double lr, gamma, lambda, clip, ent_coef, vf_coef, max_grad_norm, init_log_std;
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

// Where the time went (for bench/bench_train.c), in seconds.
typedef struct ppo_timing {
    double rollout, update, eval, total;
    long steps;             // control steps taken
} ppo_timing;

// ppo_train that also reports the time split (tm may be NULL).
int ppo_train_timed(const task_def *t, reward_fn fn, const train_cfg *cfg, train_progress pf,
                    void *pctx, cJSON **out, ppo_timing *tm, err_info *e);

// Wall-clock limit for a sandboxed training with cfg (filled): 1.5 x max_seconds + 60
// when a cap is set, else 3x an estimate at a pessimistic 15k physics steps/s per thread
// + 120, within [300, 14400] seconds.
double ppo_wall_limit(const task_def *t, const train_cfg *cfg);

// Seconds without a progress report after which a training worker is killed: the trainer
// reports after every update (well under a second), so only a reward that never returns
// goes this long.
#define PPO_STALL_SECONDS 60

// Sandbox limits for one training with cfg: wall clock from ppo_wall_limit, CPU for all
// threads, the stall limit, and the other defaults of sb_limits_default.
void ppo_limits(const task_def *t, const train_cfg *cfg, sb_limits *lim);

// Re-measure the fitness of train's best-checkpoint policy (its "policy" object) in a
// fresh worker that never loads the candidate reward: a reward shares its training
// worker with the trainer and could overwrite the fitness it reports. *fitness gets the
// re-measured value; evaluation is deterministic, so it equals train's "fitness" unless
// something interfered.
int ppo_verify(const task_def *t, const cJSON *train, double *fitness, err_info *e);

// Check a finished training worker's result with ppo_verify. A mismatch becomes
// SB_REWARD ("the reward interfered with the trainer"), a failed check SB_ERROR; either
// way the untrusted result is dropped. Anything but SB_OK with a result is left alone.
void ppo_verify_result(const task_def *t, sb_result *res);

// The sandbox body (sandbox.h) that trains a candidate: arg is a const train_cfg *.
// Sends {"steps","total","sps","fitness"} progress objects; returns the train.json object.
cJSON *ppo_sandbox_body(void *arg, const task_def *task, reward_fn fn, sb_chan *ch,
                        err_info *e);

#endif
