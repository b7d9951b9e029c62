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
//             (the best checkpoint's policy: the judge re-measures its fitness)
// }
#ifndef EUREKA_PPO_H
#define EUREKA_PPO_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "util/err.h"
#include "reward/reward.h"
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

#endif
