// ppo_state.h: the PPO trainer's whole state (struct ppo, shared by ppo.c, which trains,
// and ppo_state.c, which saves and loads it). Internal to src/rl: ppo.h is the interface.
//
// A training can stop after any update and continue later: ppo_save writes everything
// the next update reads (networks, optimiser, normalisers, environments, rng streams,
// the logged history) and ppo_load puts it back, so a stopped and resumed training is
// the training that went straight through.
#ifndef EUREKA_RL_PPO_STATE_H
#define EUREKA_RL_PPO_STATE_H

#include "reward/reward.h"
#include "rl/dep.h"
#include "rl/mlp.h"
#include "rl/policy.h"
#include "rl/ppo.h"
#include "rl/venv.h"
#include "util/pool.h"
#include "util/ser.h"

#define PPO_MAX_THREADS 64
#define PPO_RECENT 3            // recent checkpoint policies kept for the judge

typedef struct ppo ppo;

// Per-thread scratch for rollouts.
typedef struct ppo_worker {
    ppo *p;
    float *sa, *sc;         // mlp scratch (actor, critic)
    float *on, *mu, *fo;    // normalised obs, action mean, final obs
    double *a;              // action handed to the environment
    double *sig, *lv, *ew;  // gsde/lattice: Sigma, latent variances, explore_logp scratch
    float *eps;
    err_info err;
    int rc;
} ppo_worker;

// A growable-free series: capacity fixed at the number of updates.
typedef struct series {
    double *v;
    int n;
} series;

struct ppo {
    const task_def *t;
    train_cfg cfg;
    venv *v, *ve;
    int n_envs, horizon;        // environments stepped together, steps each per update
    int obs_dim, act_dim;
    int batch;                  // samples per update: n_envs x horizon
    int n_threads;              // rollout and update threads
    mlp *actor, *critic;
    // Exploration: log_std holds n_ls parameters (act_dim for gaussian; explore.h for gsde and
    // lattice), s2 their variances (refreshed when they change), noise the matrices each
    // environment draws (n_noise floats each) and noise_age the steps since it drew them.
    int ex, n_ls, n_noise;
    float *log_std, *g_log_std, *s2, *noise;
    int *noise_age;
    float *step_sd;         // per rollout sample: mean action std (gsde/lattice)
    // --exploration dep: one DEP controller per environment (dep_n doubles each, rl/dep.h),
    // the actuator lengths it reads at the environment's next step, the steps left of the
    // environment's DEP segment; per sample, whether DEP drove it (it then stays out of
    // the loss); act_lo/act_hi: the actions DEP's [-1, 1] spans (venv_action_range).
    dep_model dm;
    int dep_n;
    double *dep_st, *dep_x, *act_lo, *act_hi;
    int *dep_left;
    unsigned char *dep_mask;
    mlp_adam *opt_a, *opt_c, *opt_l;
    mlp_batch *ba, *bc;
    // Running observation statistics (double), and the frozen float copy the
    // rollout and evaluation use.
    double *om, *ov, oc;
    float *nm, *ns;         // mean, 1/std
    // Running statistics of the discounted return, for reward scaling.
    double *ret, rm, rv, rc;
    // Rollout buffers, time-major: index t * n_envs + e.
    float *obs_raw, *obs, *act, *logp, *val, *boot, *adv, *tgt, *last_val;
    float *last_obs;        // each env's normalised observation after the rollout
    double *rew;
    unsigned char *done;
    long *age;              // control steps into the current episode, per env
    int seen_episode;       // an episode has completed
    rng *env_rng, upd_rng;
    int *perm;
    float *mb_obs, *mb_dmu, *mb_dv;
    pool *pool;             // the rollout threads (the update's critic runs on thread 1)
    ppo_worker w[PPO_MAX_THREADS];
    void *block;                // every buffer above (ppo_alloc), freed at once
    int abort_flag;
    int next_env;           // rollout: the next environment a thread takes
    // Progress over all sessions of this training (a resumed one continues these).
    long updates;
    double seconds;
    // Statistics.
    int n_upd_cap, n_comp;
    char comp_name[REWARD_MAX_TERMS][REWARD_NAME_MAX];
    series comp[REWARD_MAX_TERMS], rtot, eplen, pstd, kl, clipf;
    series ck_steps, ck_fit, ck_sd, ck_cases, ck_len, ck_graded;
    series level;           // --curriculum: the difficulty of each update's rollout
    series dep_steps, trained;  // --exploration dep: DEP's steps, samples one epoch trained on
    int stage;              // --curriculum: the current stage, 0..curriculum-1
    // The policy of the best checkpoint (actor weights, observation normalisation): it
    // goes into train.json so that its fitness can be re-measured in a worker that never
    // loaded the reward (ppo_verify).
    float *best_param, *best_nm, *best_ns;
    double best_fit;
    int have_best;
    // The policies of the last PPO_RECENT checkpoints, oldest first: the judge measures its
    // robust statistic on them (a mean over several, not the luckiest one).
    float *recent_param[PPO_RECENT], *recent_nm[PPO_RECENT], *recent_ns[PPO_RECENT];
    double recent_steps[PPO_RECENT];
    int n_recent;
    policy *pol;            // checkpoints are measured through policy.c, as consumers do
    double last_eplen;
    long unstable;
    double t_roll, t_upd, t_eval, c_roll, c_upd, c_eval;
};


// The whole training state after p->updates updates; *out is owned by the caller.
int ppo_save(const ppo *p, void **out, size_t *out_len, err_info *e);

// Check a saved training's header and hash, and read its settings and progress; r is left
// at the learner. info->cfg gets the header's settings and those that shape the training.
int ppo_state_open(const void *blob, size_t len, ser_reader *r, ppo_saved *info, err_info *e);

// Refuse a saved training that another task or other settings made (ERR_USAGE, ERR_PARSE).
int ppo_state_match(const ppo *p, const ppo_saved *in, err_info *e);

// Everything after the settings (ppo_state_open), into a ppo made for the same settings
// with room for at least in->updates updates.
int ppo_load(ppo *p, ser_reader *r, const ppo_saved *in, err_info *e);

#endif
