// ppo.c: the PPO trainer that judges a reward candidate (see ppo.h).
//
// One update = one rollout of n_envs x horizon control steps, then epochs x minibatches
// of clipped-objective steps on a Gaussian tanh-MLP policy and a separate value MLP.
// Rollouts are physics-bound: threads take environments one at a time, each runs its
// environment for the whole horizon (one join per rollout), and each environment draws
// its exploration noise from its own RNG stream. Everything that mixes environments
// (observation and return normalisation, advantages, the update) runs on one thread in a
// fixed order, so a seed gives the same train.json for any thread count. The learner is
// float; the physics stays double.
//
// A training can stop after any update and continue later, bit for bit: the trainer's
// state and how it is saved and put back are in ppo_state.h / ppo_state.c.
#include "rl/ppo.h"
#include "rl/ppo_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rl/dep.h"
#include "rl/explore.h"
#include "rl/mlp.h"
#include "rl/policy.h"
#include "rl/train_cfg.h"
#include "rl/venv.h"
#include "util/buf.h"
#include "util/pool.h"
#include "util/ser.h"
#include "util/clock.h"

#define PPO_LOG_STD_MIN (-2.5f)
#define PPO_OBS_CLIP 5.0f
#define LOG_SQRT_2PI 0.9189385332046727     // log(sqrt(2 pi)): the Gaussian density's constant
#define PPO_REW_CLIP 10.0

void train_cfg_defaults(train_cfg *cfg, const task_def *t) {
    const task_defaults *d = t ? &t->defaults : NULL;
#define FILL(field, tfield, dflt) \
    if (!cfg->field) cfg->field = (d && d->tfield) ? d->tfield : (dflt)
    FILL(steps, train_steps, 1000000);
    FILL(n_envs, n_envs, 64);
    FILL(horizon, horizon, 32);
    FILL(epochs, epochs, 5);
    FILL(minibatches, minibatches, 4);
    FILL(hidden, hidden, 64);
    FILL(checkpoints, checkpoints, 10);
    FILL(lr, lr, 3e-4);
    FILL(gamma, gamma, 0.99);
    FILL(lambda, lambda, 0.95);
    // gSDE/LATTICE scale their noise by the latent layer, so a task may start them at
    // another scale than its Gaussian noise (ant: docs/trainer.md, exploration on ant).
    int sde = cfg->exploration == EXPLORE_GSDE || cfg->exploration == EXPLORE_LATTICE;
    if (sde && !cfg->init_log_std && d && d->sde_log_std) cfg->init_log_std = d->sde_log_std;
    FILL(init_log_std, init_log_std, -0.5);
    FILL(ent_coef, ent_coef, 0.0);
#undef FILL
    if (!cfg->clip) cfg->clip = 0.2;
    if (!cfg->vf_coef) cfg->vf_coef = 0.5;
    if (!cfg->max_grad_norm) cfg->max_grad_norm = 0.5;
    if (!cfg->noise_period) cfg->noise_period = 8;
    if (!cfg->curriculum_threshold) cfg->curriculum_threshold = 0.5;
    if (cfg->exploration == EXPLORE_DEP) {
        // The DEP rule's settings of DEP-RL's MyoSuite hand task (myoChallengeRelocate in
        // martius-lab/depRL); the switch probability of its paper's humanreacher run, as
        // the hand's 0.0004 would give DEP 0.2% of a 2M-step budget (docs/trainer.md).
        if (!cfg->dep_kappa) cfg->dep_kappa = 1169.7;
        if (!cfg->dep_bias_rate) cfg->dep_bias_rate = 0.002;
        if (!cfg->dep_tau) cfg->dep_tau = 40;
        if (!cfg->dep_delay) cfg->dep_delay = 5;
        if (!cfg->dep_smooth) cfg->dep_smooth = 2;
        if (!cfg->dep_prob) cfg->dep_prob = 0.01;
        if (!cfg->dep_length) cfg->dep_length = 5;
    }
    if (cfg->threads <= 0) cfg->threads = 1;
}

// CPU seconds of the whole process, when timing is asked for (a system call: not per step).
static double cpu_s(const ppo_timing *tm) {
    if (!tm) return 0;
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void series_push(series *s, double x) { s->v[s->n++] = x; }

static void ppo_free(ppo *p) {
    if (!p) return;
    venv_free(p->v);
    venv_free(p->ve);
    mlp_free(p->actor);
    mlp_free(p->critic);
    mlp_adam_free(p->opt_a);
    mlp_adam_free(p->opt_c);
    mlp_adam_free(p->opt_l);
    mlp_batch_free(p->ba);
    mlp_batch_free(p->bc);
    policy_free(p->pol);
    pool_free(p->pool);
    free(p->block);                 // every buffer of ppo_alloc
    for (int c = 0; c < REWARD_MAX_TERMS; c++) free(p->comp[c].v);
    free(p);
}

// Every buffer the trainer owns lives in one block: a first pass of ppo_layout sums the
// sizes (64-byte aligned, zeroed), the second points each field into the block.
typedef struct arena { char *base; size_t used; } arena;

static void *carve(arena *a, size_t n, size_t size) {
    size_t off = (a->used + 63) & ~(size_t)63;
    a->used = off + (n ? n : 1) * size;
    return a->base ? a->base + off : NULL;
}
#define CARVE(ptr, n) ((ptr) = carve(a, (size_t)(n), sizeof *(ptr)))

static void ppo_layout(ppo *p, arena *a) {
    int N = p->batch, od = p->obs_dim, ad = p->act_dim, ne = p->n_envs, U = p->n_upd_cap;
    int M = N / p->cfg.minibatches + 1;
    int nl = p->n_ls, d = p->cfg.hidden;
    CARVE(p->log_std, nl); CARVE(p->g_log_std, nl); CARVE(p->s2, nl);
    CARVE(p->noise, (size_t)ne * p->n_noise); CARVE(p->noise_age, ne); CARVE(p->step_sd, N);
    int dep = p->ex == EXPLORE_DEP;
    CARVE(p->dep_st, dep ? (size_t)ne * p->dep_n : 0); CARVE(p->dep_x, dep ? (size_t)ne * ad : 0);
    CARVE(p->act_lo, ad); CARVE(p->act_hi, ad); CARVE(p->dep_left, ne); CARVE(p->dep_mask, N);
    CARVE(p->om, od); CARVE(p->ov, od); CARVE(p->nm, od); CARVE(p->ns, od); CARVE(p->ret, ne);
    CARVE(p->obs_raw, (size_t)N * od); CARVE(p->obs, (size_t)N * od); CARVE(p->act, (size_t)N * ad);
    CARVE(p->logp, N); CARVE(p->val, N); CARVE(p->boot, N); CARVE(p->adv, N); CARVE(p->tgt, N);
    CARVE(p->last_val, ne); CARVE(p->last_obs, (size_t)ne * od); CARVE(p->rew, N); CARVE(p->done, N);
    CARVE(p->age, ne); CARVE(p->env_rng, ne); CARVE(p->perm, N);
    CARVE(p->mb_obs, (size_t)M * od); CARVE(p->mb_dmu, (size_t)M * ad); CARVE(p->mb_dv, M);
    series *per_update[] = {&p->rtot, &p->eplen, &p->pstd, &p->kl, &p->clipf, &p->ck_steps,
                            &p->ck_fit, &p->ck_sd, &p->ck_cases, &p->ck_len, &p->ck_graded, &p->level,
                            &p->dep_steps, &p->trained};
    for (size_t k = 0; k < sizeof per_update / sizeof per_update[0]; k++) CARVE(per_update[k]->v, U);
    CARVE(p->best_param, p->actor->n_params); CARVE(p->best_nm, od); CARVE(p->best_ns, od);
    for (int k = 0; k < PPO_RECENT; k++) {
        CARVE(p->recent_param[k], p->actor->n_params);
        CARVE(p->recent_nm[k], od);
        CARVE(p->recent_ns[k], od);
    }
    for (int i = 0; i < p->n_threads; i++) {
        ppo_worker *w = &p->w[i];
        CARVE(w->sa, mlp_scratch_size(p->actor)); CARVE(w->sc, mlp_scratch_size(p->critic));
        CARVE(w->on, od); CARVE(w->mu, ad); CARVE(w->fo, od); CARVE(w->a, ad);
        CARVE(w->sig, (size_t)ad * ad); CARVE(w->lv, d); CARVE(w->ew, explore_work_size(d, ad));
        CARVE(w->eps, ad);
    }
}
#undef CARVE

static int ppo_alloc(ppo *p, err_info *e) {
    int M = p->batch / p->cfg.minibatches + 1;
    arena a = {NULL, 0};
    ppo_layout(p, &a);                              // sizes only
    a.base = aligned_alloc(64, (a.used + 63) & ~(size_t)63);
    int ok = a.base != NULL;
    if (ok) {
        memset(a.base, 0, a.used);
        p->block = a.base;
        a.used = 0;
        ppo_layout(p, &a);                          // the fields into the block
    }
    p->ba = mlp_batch_new(p->actor, M);
    p->bc = mlp_batch_new(p->critic, M);
    p->opt_a = mlp_adam_new(p->actor->n_params);
    p->opt_c = mlp_adam_new(p->critic->n_params);
    p->opt_l = mlp_adam_new(p->n_ls);
    if (!ok || !p->ba || !p->bc || !p->opt_a || !p->opt_c || !p->opt_l)
        return err_set(e, ERR_NOMEM, "trainer: out of memory for %d environments", p->n_envs);
    return ERR_OK;
}

// Normalise one raw observation with the frozen statistics.
static void obs_norm(const ppo *p, const float *raw, float *out) {
    for (int k = 0; k < p->obs_dim; k++) {
        float x = (raw[k] - p->nm[k]) * p->ns[k];
        out[k] = x > PPO_OBS_CLIP ? PPO_OBS_CLIP : x < -PPO_OBS_CLIP ? -PPO_OBS_CLIP : x;
    }
}

// Merge a batch of n raw observations into the running mean/var (Chan et al.).
static void obs_stats_update(ppo *p, const float *raw, int n) {
    for (int k = 0; k < p->obs_dim; k++) {
        double s = 0, ss = 0;
        for (int i = 0; i < n; i++) s += raw[(size_t)i * p->obs_dim + k];
        double bm = s / n;
        for (int i = 0; i < n; i++) {
            double d = raw[(size_t)i * p->obs_dim + k] - bm;
            ss += d * d;
        }
        double bv = ss / n, tot = p->oc + n, delta = bm - p->om[k];
        p->om[k] += delta * n / tot;
        p->ov[k] = (p->ov[k] * p->oc + bv * n + delta * delta * p->oc * n / tot) / tot;
    }
    p->oc += n;
    for (int k = 0; k < p->obs_dim; k++) {
        p->nm[k] = (float)p->om[k];
        p->ns[k] = (float)(1.0 / sqrt(p->ov[k] + 1e-8));
    }
}

static float value_of(const ppo *p, ppo_worker *w, const float *raw) {
    float v;
    obs_norm(p, raw, w->on);
    mlp_forward1(p->critic, w->on, &v, w->sc);
    return v;
}

// One gsde/lattice action of environment e at rollout step t (sample i): the noise
// matrices are drawn again at the start of each rollout (the parameters changed), of
// each episode, and every noise_period steps; the log-probability is the Gaussian's the
// matrices induce for this latent state (explore.h).
static void explore_step(ppo *p, ppo_worker *w, int e, int t, float *a, size_t i) {
    int ad = p->act_dim, d = p->cfg.hidden;
    float *P = p->noise + (size_t)e * p->n_noise;
    if (t == 0 || p->age[e] == 0 || p->noise_age[e] >= p->cfg.noise_period) {
        explore_sample(p->ex, d, ad, p->s2, &p->env_rng[e], P);
        p->noise_age[e] = 0;
    }
    p->noise_age[e]++;
    const float *x = mlp_last_hidden(p->actor, w->sa);
    const float *W = p->actor->param + p->actor->w_off[p->actor->n_layers - 1];
    explore_noise(p->ex, d, ad, x, W, P, w->eps);
    explore_cov(p->ex, d, ad, x, W, p->s2, w->sig, w->lv);
    double r[EXPLORE_MAX_ACT], sd = 0;
    for (int k = 0; k < ad; k++) {
        a[k] = w->mu[k] + w->eps[k];
        w->a[k] = a[k];
        r[k] = w->eps[k];
        sd += sqrt(w->sig[k * ad + k]);
    }
    p->step_sd[i] = (float)(sd / ad);
    p->logp[i] = (float)explore_logp(ad, w->sig, r, NULL, NULL, w->ew);
}

// DEP's excitation y in [-1, 1]^ad as an action. The one place that maps it: onto the
// part of the action box that the task's act() sends into each actuator's ctrlrange
// (venv_action_range), so a [0, 1] muscle gets all of [0, 1] whichever way the task maps.
static void dep_action(const ppo *p, const double *y, double *a) {
    for (int k = 0; k < p->act_dim; k++)
        a[k] = p->act_lo[k] + 0.5 * (y[k] + 1.0) * (p->act_hi[k] - p->act_lo[k]);
}

// --exploration dep, before environment e's step: DEP learns at every step (the policy's
// too: DEP-RL keeps it learning so that it is ready when it takes over) and takes over
// for dep_length steps with probability dep_prob at each policy step. 1 with a (ad) =
// DEP's action when DEP drives this step.
static int dep_turn(ppo *p, int e, double *a) {
    double y[DEP_MAX_N];
    dep_step(&p->dm, p->dep_st + (size_t)e * p->dep_n, p->dep_x + (size_t)e * p->act_dim, y);
    if (!p->dep_left[e] && rng_uniform(&p->env_rng[e]) < p->cfg.dep_prob)
        p->dep_left[e] = p->cfg.dep_length;
    if (!p->dep_left[e]) return 0;
    p->dep_left[e]--;
    dep_action(p, y, a);
    return 1;
}

// After environment e's step: the actuator lengths DEP reads next. They are kept (and
// saved) rather than read at the next step, because a restored mjData holds only its
// inputs. After a reset the new episode's history starts afresh (the jump is no
// velocity) and the policy acts first.
static void dep_sense(ppo *p, int e, int done) {
    const mjData *d = venv_data(p->v, e);
    memcpy(p->dep_x + (size_t)e * p->act_dim, d->actuator_length, sizeof(double) * (size_t)p->act_dim);
    if (done) {
        dep_clear(&p->dm, p->dep_st + (size_t)e * p->dep_n);
        p->dep_left[e] = 0;
    }
}

static void rollout_thread(void *ctx, int thread) {
    ppo *p = ctx;
    ppo_worker *w = &p->w[thread];
    int od = p->obs_dim, ad = p->act_dim, ne = p->n_envs;
    w->rc = ERR_OK;
    // Environment-major: one environment runs its whole horizon while its mjData is hot
    // in cache. Threads take environments one at a time (contacts make some much slower
    // than others, so a static split leaves a thread idle); every environment has its own
    // rng stream and the policy is frozen, so which thread runs it changes nothing.
    for (;;) {
        int e = __atomic_fetch_add(&p->next_env, 1, __ATOMIC_RELAXED);
        if (e >= ne) break;
        if (__atomic_load_n(&p->abort_flag, __ATOMIC_RELAXED)) return;
        for (int t = 0; t < p->horizon; t++) {
            size_t i = (size_t)t * ne + e;
            // A non-finite observation (physics that diverged without a MuJoCo warning)
            // would poison the running statistics: it enters as 0.
            const float *src = venv_obs(p->v, e);
            float *raw = p->obs_raw + i * od;
            for (int k = 0; k < od; k++) raw[k] = isfinite(src[k]) ? src[k] : 0.0f;
            float *on = p->obs + i * od;
            obs_norm(p, raw, on);
            float *a = p->act + i * ad;
            int by_dep = p->ex == EXPLORE_DEP && dep_turn(p, e, w->a);
            p->dep_mask[i] = (unsigned char)by_dep;
            if (by_dep) {
                for (int k = 0; k < ad; k++) a[k] = (float)w->a[k];
                p->logp[i] = 0;     // never read: the sample stays out of the loss
            } else if (explore_is_gaussian(p->ex)) {
                mlp_forward1(p->actor, on, w->mu, w->sa);
                double lp = 0;
                for (int k = 0; k < ad; k++) {
                    double z = rng_normal(&p->env_rng[e]);
                    a[k] = w->mu[k] + expf(p->log_std[k]) * (float)z;
                    w->a[k] = a[k];
                    lp += -0.5 * z * z - p->log_std[k] - LOG_SQRT_2PI;
                }
                p->logp[i] = (float)lp;
            } else {
                mlp_forward1(p->actor, on, w->mu, w->sa);
                explore_step(p, w, e, t, a, i);
            }
            venv_step_out so;
            int rc = venv_step(p->v, e, w->a, w->fo, &so, &w->err);
            if (rc) {
                w->rc = rc;
                __atomic_store_n(&p->abort_flag, 1, __ATOMIC_RELAXED);
                return;
            }
            p->rew[i] = so.reward;
            p->done[i] = (unsigned char)(so.done != 0);
            p->age[e] = so.done ? 0 : p->age[e] + 1;
            p->boot[i] = so.done && so.truncated ? value_of(p, w, w->fo) : 0.0f;
            if (p->ex == EXPLORE_DEP) dep_sense(p, e, so.done);
        }
        obs_norm(p, venv_obs(p->v, e), p->last_obs + (size_t)e * od);
    }
}

// V(s) of n normalised observations, batched in minibatch-sized chunks: a sample's value
// is bit-identical to a one-sample forward pass (mlp.h), so batching after the rollout
// changes nothing but the time.
static void critic_values(ppo *p, const float *obs, int n, float *out) {
    for (int s = 0; s < n; s += p->bc->cap) {
        int m = n - s < p->bc->cap ? n - s : p->bc->cap;
        memcpy(out + s, mlp_forward(p->critic, p->bc, obs + (size_t)s * p->obs_dim, m), (size_t)m * sizeof(float));
    }
}

static int rollout(ppo *p, err_info *e) {
    p->abort_flag = 0;
    p->next_env = 0;
    if (!explore_is_gaussian(p->ex)) explore_scales(p->ex, p->cfg.hidden, p->act_dim, p->log_std, p->s2);
    pool_run(p->pool, rollout_thread, p);
    for (int i = 0; i < p->n_threads; i++)
        if (p->w[i].rc) {
            if (e) *e = p->w[i].err;
            return p->w[i].rc;
        }
    critic_values(p, p->obs, p->batch, p->val);
    critic_values(p, p->last_obs, p->n_envs, p->last_val);
    return ERR_OK;
}

// Scale rewards by the running std of the discounted return (in env order, one
// batch of n_envs returns per time step), add the time-limit bootstrap, then GAE.
// With --exploration dep, a DEP step ends the lambda-return of the policy steps before
// it: the last policy step before a DEP segment bootstraps from V at the segment's first
// state, as at a time limit, so no advantage carries rewards that DEP's actions earned.
// (The value function's targets are on-policy the same way; the DEP steps themselves
// train neither network. Their rewards still enter the return statistics that scale
// rewards: those describe the task, not the policy.)
static void advantages(ppo *p) {
    int ne = p->n_envs, H = p->horizon;
    double g = p->cfg.gamma, lam = p->cfg.lambda;
    for (int t = 0; t < H; t++) {
        double s = 0, ss = 0;
        for (int e = 0; e < ne; e++) {
            size_t i = (size_t)t * ne + e;
            p->ret[e] = p->ret[e] * g + p->rew[i];
            s += p->ret[e];
        }
        double bm = s / ne;
        for (int e = 0; e < ne; e++) ss += (p->ret[e] - bm) * (p->ret[e] - bm);
        double bv = ss / ne, tot = p->rc + ne, delta = bm - p->rm;
        p->rm += delta * ne / tot;
        p->rv = (p->rv * p->rc + bv * ne + delta * delta * p->rc * ne / tot) / tot;
        p->rc = tot;
        double inv = 1.0 / sqrt(p->rv + 1e-8);
        for (int e = 0; e < ne; e++) {
            size_t i = (size_t)t * ne + e;
            double r = p->rew[i] * inv;
            r = r > PPO_REW_CLIP ? PPO_REW_CLIP : r < -PPO_REW_CLIP ? -PPO_REW_CLIP : r;
            p->adv[i] = (float)(r + g * p->boot[i]);   // scaled reward, for now
            if (p->done[i]) p->ret[e] = 0;
        }
    }
    for (int e = 0; e < ne; e++) {
        double last = 0;
        for (int t = H - 1; t >= 0; t--) {
            size_t i = (size_t)t * ne + e;
            if (p->ex == EXPLORE_DEP && p->dep_mask[i]) {
                last = 0;
                p->adv[i] = 0;
                p->tgt[i] = p->val[i];
                continue;
            }
            double next = t == H - 1 ? p->last_val[e] : p->val[i + ne];
            double nonterm = p->done[i] ? 0.0 : 1.0;
            double delta = p->adv[i] + g * next * nonterm - p->val[i];
            last = delta + g * lam * nonterm * last;
            p->adv[i] = (float)last;
            p->tgt[i] = (float)(last + p->val[i]);
        }
    }
}

// One minibatch of the update: its sample indices, the advantage normalisation, and
// the actor's approximate KL and clip fraction (sums over the minibatch).
typedef struct minibatch {
    ppo *p;
    const int *idx;
    int M;
    double am, asd, kl, cf;
} minibatch;

// Value loss vf_coef * 0.5 * mean((V - target)^2) of one minibatch: gradients only.
static void critic_part(minibatch *mb) {
    ppo *p = mb->p;
    mlp_zero_grad(p->critic);
    const float *v = mlp_forward(p->critic, p->bc, p->mb_obs, mb->M);
    for (int s = 0; s < mb->M; s++)
        p->mb_dv[s] = (float)(p->cfg.vf_coef * (v[s] - p->tgt[mb->idx[s]]) / mb->M);
    mlp_backward(p->critic, p->bc, p->mb_dv, mb->M);
}

// The clipped surrogate of sample i, whose action has log-probability lp under the
// current policy: dL/dlogp (zero where the clip holds), and the sample's share of the
// approximate KL and of the clip fraction.
static double surrogate_grad(const minibatch *mb, int i, double lp, double clip, double *kl, double *cf) {
    const ppo *p = mb->p;
    double lr = lp - p->logp[i], ratio = exp(lr);
    double A = (p->adv[i] - mb->am) / mb->asd;
    double rc = ratio < 1 - clip ? 1 - clip : ratio > 1 + clip ? 1 + clip : ratio;
    *kl += (ratio - 1) - lr;
    *cf += fabs(ratio - 1) > clip;
    return -A * ratio >= -A * rc ? -A * ratio / mb->M : 0.0;
}

// gsde/lattice: the clipped surrogate's per-sample log-probabilities come from the
// covariance the noise induces; dL/dmu goes through the actor as usual, dL/dSigma to the
// noise parameters and (lattice) to the output weights (explore.h).
static void actor_part_explore(minibatch *mb, const float *mu) {
    ppo *p = mb->p;
    ppo_worker *w = &p->w[0];
    int ad = p->act_dim, d = p->cfg.hidden, M = mb->M, L = p->actor->n_layers - 1;
    float clip = (float)p->cfg.clip;
    const float *X = p->ba->act[L];     // the last hidden layer of each sample
    const float *W = p->actor->param + p->actor->w_off[L];
    float *gW = p->actor->grad + p->actor->w_off[L];
    memset(p->g_log_std, 0, (size_t)p->n_ls * sizeof(float));
    double kl = 0, cf = 0, r[EXPLORE_MAX_ACT], sr[EXPLORE_MAX_ACT];
    double G[EXPLORE_MAX_ACT * EXPLORE_MAX_ACT], dent[EXPLORE_MAX_ACT * EXPLORE_MAX_ACT];
    for (int s = 0; s < M; s++) {
        int i = mb->idx[s];
        const float *x = X + (size_t)s * d;
        for (int k = 0; k < ad; k++) r[k] = (double)p->act[(size_t)i * ad + k] - mu[(size_t)s * ad + k];
        explore_cov(p->ex, d, ad, x, W, p->s2, w->sig, w->lv);
        double lp = explore_logp(ad, w->sig, r, sr, G, w->ew);
        double g = surrogate_grad(mb, i, lp, clip, &kl, &cf);
        for (int k = 0; k < ad; k++) p->mb_dmu[(size_t)s * ad + k] = (float)(g * sr[k]);
        for (int k = 0; k < ad * ad; k++) G[k] *= g;
        if (p->cfg.ent_coef != 0) {     // the loss has -ent_coef * mean entropy
            explore_entropy(ad, w->sig, dent, w->ew);
            for (int k = 0; k < ad * ad; k++) G[k] -= p->cfg.ent_coef / M * dent[k];
        }
        explore_backward(p->ex, d, ad, x, W, p->s2, w->lv, G, 1.0, p->g_log_std, gW, w->ew);
    }
    mlp_backward(p->actor, p->ba, p->mb_dmu, M);
    mb->kl = kl;
    mb->cf = cf;
}

// Clipped surrogate of one minibatch: gradients of the actor and log-std only.
static void actor_part(minibatch *mb) {
    ppo *p = mb->p;
    int ad = p->act_dim, M = mb->M;
    float clip = (float)p->cfg.clip;
    mlp_zero_grad(p->actor);
    const float *mu = mlp_forward(p->actor, p->ba, p->mb_obs, M);
    if (!explore_is_gaussian(p->ex)) {
        actor_part_explore(mb, mu);
        return;
    }
    float istd[64], glog[64];
    for (int k = 0; k < ad; k++) {
        istd[k] = expf(-p->log_std[k]);
        glog[k] = 0;
    }
    double kl = 0, cf = 0;
    for (int s = 0; s < M; s++) {
        int i = mb->idx[s];
        const float *a = p->act + (size_t)i * ad;
        double lp = 0;
        for (int k = 0; k < ad; k++) {
            double z = (a[k] - mu[(size_t)s * ad + k]) * istd[k];
            lp += -0.5 * z * z - p->log_std[k] - LOG_SQRT_2PI;
        }
        double g = surrogate_grad(mb, i, lp, clip, &kl, &cf);
        for (int k = 0; k < ad; k++) {
            double z = (a[k] - mu[(size_t)s * ad + k]) * istd[k];
            p->mb_dmu[(size_t)s * ad + k] = (float)(g * z * istd[k]);
            glog[k] += (float)(g * (z * z - 1));
        }
    }
    for (int k = 0; k < ad; k++) p->g_log_std[k] = glog[k] - (float)p->cfg.ent_coef;
    mlp_backward(p->actor, p->ba, p->mb_dmu, M);
    mb->kl = kl;
    mb->cf = cf;
}

// The two networks share nothing until the gradient-norm clip: the critic's half runs
// on thread 1 when there is one.
static void minibatch_thread(void *ctx, int thread) {
    minibatch *mb = ctx;
    int nt = pool_size(mb->p->pool);
    if (thread == (nt > 1 ? 1 : 0)) critic_part(mb);
    if (thread == 0) actor_part(mb);
}

// epochs x minibatches of clipped PPO steps over the samples the policy drove (all of
// them but DEP's); *kl, *cf get means over all minibatches, *trained the samples one
// epoch used. Fewer policy samples than minibatches: no step at all.
static void update(ppo *p, double *kl_out, double *cf_out, int *trained) {
    int N = p->batch, od = p->obs_dim, ad = p->act_dim, nmb = p->cfg.minibatches;
    int n = 0;
    for (int i = 0; i < N; i++) n += !(p->ex == EXPLORE_DEP && p->dep_mask[i]);
    int M = n / nmb;
    double kl_sum = 0, cf_sum = 0;
    int n_mb = 0;
    *trained = M * nmb;
    for (int ep = 0; M > 0 && ep < p->cfg.epochs; ep++) {
        n = 0;
        for (int i = 0; i < N; i++)
            if (!(p->ex == EXPLORE_DEP && p->dep_mask[i])) p->perm[n++] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int)rng_below(&p->upd_rng, (uint64_t)i + 1), tmp = p->perm[i];
            p->perm[i] = p->perm[j];
            p->perm[j] = tmp;
        }
        for (int b = 0; b < nmb; b++) {
            minibatch mb = {p, p->perm + (size_t)b * M, M, 0, 0, 0, 0};
            for (int s = 0; s < M; s++)
                memcpy(p->mb_obs + (size_t)s * od, p->obs + (size_t)mb.idx[s] * od,
                       (size_t)od * sizeof(float));
            // Advantage normalisation over the minibatch.
            double am = 0, av = 0;
            for (int s = 0; s < M; s++) am += p->adv[mb.idx[s]];
            am /= M;
            for (int s = 0; s < M; s++) av += (p->adv[mb.idx[s]] - am) * (p->adv[mb.idx[s]] - am);
            mb.am = am;
            mb.asd = sqrt(av / (M > 1 ? M - 1 : 1)) + 1e-8;
            if (!explore_is_gaussian(p->ex)) explore_scales(p->ex, p->cfg.hidden, ad, p->log_std, p->s2);
            pool_run(p->pool, minibatch_thread, &mb);
            // Global gradient-norm clip over all parameters.
            double nrm = 0;
            for (int k = 0; k < p->actor->n_params; k++) nrm += (double)p->actor->grad[k] * p->actor->grad[k];
            for (int k = 0; k < p->critic->n_params; k++) nrm += (double)p->critic->grad[k] * p->critic->grad[k];
            for (int k = 0; k < p->n_ls; k++) nrm += (double)p->g_log_std[k] * p->g_log_std[k];
            nrm = sqrt(nrm);
            if (nrm > p->cfg.max_grad_norm) {
                float sc = (float)(p->cfg.max_grad_norm / (nrm + 1e-6));
                for (int k = 0; k < p->actor->n_params; k++) p->actor->grad[k] *= sc;
                for (int k = 0; k < p->critic->n_params; k++) p->critic->grad[k] *= sc;
                for (int k = 0; k < p->n_ls; k++) p->g_log_std[k] *= sc;
            }
            mlp_adam_step(p->opt_a, p->actor->param, p->actor->grad, p->cfg.lr, 1e-5);
            mlp_adam_step(p->opt_c, p->critic->param, p->critic->grad, p->cfg.lr, 1e-5);
            mlp_adam_step(p->opt_l, p->log_std, p->g_log_std, p->cfg.lr, 1e-5);
            if (explore_is_gaussian(p->ex)) {
                for (int k = 0; k < ad; k++)
                    if (p->log_std[k] < PPO_LOG_STD_MIN) p->log_std[k] = PPO_LOG_STD_MIN;
            } else {
                for (int k = 0; k < p->n_ls; k++) {
                    float x = p->log_std[k];
                    p->log_std[k] = x < EXPLORE_LOG_MIN ? (float)EXPLORE_LOG_MIN : x > 0 ? 0.0f : x;
                }
            }
            kl_sum += mb.kl / M;
            cf_sum += mb.cf / M;
            n_mb++;
        }
    }
    *kl_out = n_mb ? kl_sum / n_mb : 0;
    *cf_out = n_mb ? cf_sum / n_mb : 0;
}

// Record this update's batch means; a component first seen now gets zeros before.
static void record_stats(ppo *p, const venv_stats *st) {
    int u = p->rtot.n;
    for (int c = 0; c < st->n_terms; c++) {
        int k = 0;
        while (k < p->n_comp && strcmp(p->comp_name[k], st->names[c])) k++;
        if (k == p->n_comp && p->n_comp < REWARD_MAX_TERMS) {
            p->comp[k].v = calloc((size_t)p->n_upd_cap, sizeof(double));
            if (!p->comp[k].v) continue;    // out of memory: the component goes unlogged
            snprintf(p->comp_name[k], REWARD_NAME_MAX, "%s", st->names[c]);
            p->comp[k].n = u;   // zeros for the updates before it first appeared
            p->n_comp++;
        }
    }
    for (int k = 0; k < p->n_comp; k++) {
        double x = 0;
        for (int c = 0; c < st->n_terms; c++)
            if (!strcmp(p->comp_name[k], st->names[c])) x = st->term_mean[c];
        series_push(&p->comp[k], x);
    }
    series_push(&p->rtot, st->reward_mean);
    // Until the first episode ends, the longest episode so far is the best estimate
    // (a lower bound); afterwards an update without a completed episode repeats the last.
    if (st->episodes > 0) {
        p->last_eplen = st->episode_len_mean;
        p->seen_episode = 1;
    } else if (!p->seen_episode) {
        long mx = 0;
        for (int e = 0; e < p->n_envs; e++) if (p->age[e] > mx) mx = p->age[e];
        p->last_eplen = (double)mx;
    }
    series_push(&p->eplen, p->last_eplen);
    p->unstable += st->unstable;
}

// --curriculum: log this rollout's level and move up a stage when its training episodes
// reached the threshold (episodes already running finish at the level they started at).
static void curriculum_step(ppo *p, const venv_stats *st) {
    int n = p->cfg.curriculum;
    if (!n) return;
    series_push(&p->level, venv_level(p->v));
    if (p->stage < n - 1 && st->episodes > 0 && st->fitness_mean >= p->cfg.curriculum_threshold) {
        p->stage++;
        venv_set_level(p->v, (double)(p->stage + 1) / n);
    }
}

// Measure the current policy on the held-out cases and log a checkpoint; the best one so
// far is kept for train.json.
static int checkpoint(ppo *p, err_info *e) {
    venv_eval ev;
    policy_set(p->pol, p->actor->param, p->nm, p->ns);
    int rc = policy_evaluate(p->pol, p->ve, p->pool, p->cfg.eval_cases, &ev, e);
    if (rc) return rc;
    series_push(&p->ck_steps, (double)p->updates * p->batch);
    series_push(&p->ck_fit, ev.fitness);
    series_push(&p->ck_sd, ev.fitness_sd);
    series_push(&p->ck_cases, ev.cases);
    series_push(&p->ck_len, ev.episode_len);
    series_push(&p->ck_graded, ev.graded);
    if (!p->have_best || ev.fitness > p->best_fit) {
        memcpy(p->best_param, p->actor->param, (size_t)p->actor->n_params * sizeof(float));
        memcpy(p->best_nm, p->nm, (size_t)p->obs_dim * sizeof(float));
        memcpy(p->best_ns, p->ns, (size_t)p->obs_dim * sizeof(float));
        p->best_fit = ev.fitness;
        p->have_best = 1;
    }
    // The ring of recent policies: drop the oldest when full.
    if (p->n_recent == PPO_RECENT) {
        float *a = p->recent_param[0], *m = p->recent_nm[0], *s = p->recent_ns[0];
        for (int k = 1; k < PPO_RECENT; k++) {
            p->recent_param[k - 1] = p->recent_param[k];
            p->recent_nm[k - 1] = p->recent_nm[k];
            p->recent_ns[k - 1] = p->recent_ns[k];
            p->recent_steps[k - 1] = p->recent_steps[k];
        }
        p->recent_param[PPO_RECENT - 1] = a;
        p->recent_nm[PPO_RECENT - 1] = m;
        p->recent_ns[PPO_RECENT - 1] = s;
        p->n_recent--;
    }
    int k = p->n_recent++;
    memcpy(p->recent_param[k], p->actor->param, (size_t)p->actor->n_params * sizeof(float));
    memcpy(p->recent_nm[k], p->nm, (size_t)p->obs_dim * sizeof(float));
    memcpy(p->recent_ns[k], p->ns, (size_t)p->obs_dim * sizeof(float));
    p->recent_steps[k] = (double)p->updates * p->batch;
    return ERR_OK;
}

// Whether update u of n_upd ends with a checkpoint: at every multiple of ck_interval
// control steps (fixed positions, whatever the budget), or else at `checkpoints` evenly
// spaced updates of this budget; always after the last update.
static int checkpoint_due(const ppo *p, long u, long n_upd) {
    if (u >= n_upd) return 1;
    long ck = p->cfg.ck_interval;
    if (ck > 0) return (u * p->batch) / ck > ((u - 1) * p->batch) / ck;
    long ck_n = p->cfg.checkpoints < 1 ? 1 : p->cfg.checkpoints;
    if (ck_n > n_upd) ck_n = n_upd;
    return (u * ck_n) / n_upd > ((u - 1) * ck_n) / n_upd;
}

static cJSON *series_json(const series *s) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < s->n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(s->v[i]));
    return a;
}

static cJSON *result_json(const ppo *p) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", p->t->name);
    cJSON_AddStringToObject(o, "trainer", "ppo");
    cJSON_AddNumberToObject(o, "seed", (double)p->cfg.seed);
    cJSON_AddNumberToObject(o, "threads", p->n_threads);
    cJSON_AddNumberToObject(o, "steps", (double)p->updates * p->batch);
    cJSON_AddNumberToObject(o, "seconds", round(p->seconds * 10) / 10);
    cJSON_AddNumberToObject(o, "updates", p->rtot.n);
    // The settings the training ran with (not the machine's: threads, the time cap).
    cJSON_AddStringToObject(o, "exploration", explore_name(p->cfg.exploration));
    cJSON_AddItemToObject(o, "config", train_cfg_record(&p->cfg));
    cJSON *comp = cJSON_AddObjectToObject(o, "components");
    for (int k = 0; k < p->n_comp; k++)
        cJSON_AddItemToObject(comp, p->comp_name[k], series_json(&p->comp[k]));
    cJSON_AddItemToObject(o, "reward_total", series_json(&p->rtot));
    cJSON_AddItemToObject(o, "episode_length", series_json(&p->eplen));
    cJSON_AddItemToObject(o, "policy_std", series_json(&p->pstd));
    cJSON_AddItemToObject(o, "approx_kl", series_json(&p->kl));
    cJSON_AddItemToObject(o, "clip_frac", series_json(&p->clipf));
    if (p->cfg.curriculum) cJSON_AddItemToObject(o, "curriculum_level", series_json(&p->level));
    if (p->ex == EXPLORE_DEP) {
        cJSON_AddItemToObject(o, "dep_steps", series_json(&p->dep_steps));
        cJSON_AddItemToObject(o, "trained_samples", series_json(&p->trained));
    }
    cJSON *ck = cJSON_AddObjectToObject(o, "checkpoints");
    cJSON_AddItemToObject(ck, "steps", series_json(&p->ck_steps));
    cJSON_AddItemToObject(ck, "fitness", series_json(&p->ck_fit));
    cJSON_AddItemToObject(ck, "fitness_sd", series_json(&p->ck_sd));
    cJSON_AddItemToObject(ck, "cases", series_json(&p->ck_cases));
    cJSON_AddItemToObject(ck, "episode_length", series_json(&p->ck_len));
    if (p->t->graded) cJSON_AddItemToObject(ck, "graded", series_json(&p->ck_graded));
    double best = 0, fin = 0;
    for (int i = 0; i < p->ck_fit.n; i++) {
        if (i == 0 || p->ck_fit.v[i] > best) best = p->ck_fit.v[i];
        fin = p->ck_fit.v[i];
    }
    cJSON_AddNumberToObject(o, "fitness", best);
    cJSON_AddNumberToObject(o, "fitness_final", fin);
    cJSON_AddNumberToObject(o, "unstable_episodes", (double)p->unstable);
    if (p->have_best) {
        policy_set(p->pol, p->best_param, p->best_nm, p->best_ns);
        cJSON_AddItemToObject(o, "policy", policy_to_json(p->pol));
    }
    cJSON *rec = cJSON_AddArrayToObject(o, "recent_policies");
    for (int k = 0; k < p->n_recent; k++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "steps", p->recent_steps[k]);
        policy_set(p->pol, p->recent_param[k], p->recent_nm[k], p->recent_ns[k]);
        cJSON_AddItemToObject(x, "policy", policy_to_json(p->pol));
        cJSON_AddItemToArray(rec, x);
    }
    return o;
}

// ---- training -----------------------------------------------------------------------

// Networks from the seed; observation statistics from the first observations, so the
// first rollout already sees roughly normalised inputs.
static void ppo_start(ppo *p) {
    if (p->cfg.curriculum) {
        venv_set_level(p->v, 1.0 / p->cfg.curriculum);
        venv_restart(p->v);
    }
    for (int k = 0; k < p->n_ls; k++) p->log_std[k] = (float)p->cfg.init_log_std;
    p->oc = 1e-4;
    for (int k = 0; k < p->obs_dim; k++) p->ov[k] = 1.0;
    for (int i = 0; i < p->n_envs; i++)
        memcpy(p->obs_raw + (size_t)i * p->obs_dim, venv_obs(p->v, i), (size_t)p->obs_dim * sizeof(float));
    obs_stats_update(p, p->obs_raw, p->n_envs);
    p->rc = 1e-4;
    p->rv = 1.0;
    for (int i = 0; p->ex == EXPLORE_DEP && i < p->n_envs; i++) {
        dep_reset(&p->dm, p->dep_st + (size_t)i * p->dep_n);
        dep_sense(p, i, 0);
    }
}

// --exploration dep: which actions DEP's output spans, and the inverse model M (dep.h):
// the sign of d(actuator length) / d(action). A muscle's force pulls (negative in
// MuJoCo) and grows with its excitation, so exciting it shortens it: -1, as DEP-RL's
// M = -I for muscle lengths. Any other actuator pushes its length the way its gain
// points (a motor's gear, a position servo's kp > 0). Either way times the direction in
// which the task's act() moves the control.
static int dep_setup(ppo *p, err_info *e) {
    double dir[DEP_MAX_N], m[DEP_MAX_N];
    int rc = venv_action_range(p->v, p->act_lo, p->act_hi, dir, e);
    if (rc) return rc;
    const mjModel *mm = venv_model(p->v);
    for (int j = 0; j < p->act_dim; j++) {
        double gain = mm->actuator_gainprm[j * mjNGAIN];
        double sign = mm->actuator_gaintype[j] == mjGAIN_MUSCLE ? -1.0 : gain < 0 ? -1.0 : 1.0;
        m[j] = sign * dir[j];
    }
    dep_cfg dc = p->dm.cfg;
    dep_model_init(&p->dm, p->act_dim, m, &dc);
    return ERR_OK;
}

// A trainer for cfg (filled) with room for n_upd updates: networks drawn from the seed,
// fresh environments.
static ppo *ppo_new(const task_def *t, reward_fn fn, const train_cfg *cfg, long n_upd,
                    int *rc_out, err_info *e) {
    ppo *p = calloc(1, sizeof *p);
    if (!p) { *rc_out = err_set(e, ERR_NOMEM, "trainer: out of memory"); return NULL; }
    p->t = t;
    p->cfg = *cfg;
    p->n_envs = cfg->n_envs;
    p->horizon = cfg->horizon;
    p->batch = p->n_envs * p->horizon;
    p->obs_dim = t->obs_dim;
    p->act_dim = t->act_dim;
    p->n_threads = cfg->threads > p->n_envs ? p->n_envs : cfg->threads;
    if (p->n_threads > PPO_MAX_THREADS) p->n_threads = PPO_MAX_THREADS;
    p->n_upd_cap = (int)n_upd + 1;
    p->ex = cfg->exploration;
    p->n_ls = explore_n_params(p->ex, cfg->hidden, p->act_dim);
    p->n_noise = explore_n_noise(p->ex, cfg->hidden, p->act_dim);
    dep_cfg dc = {cfg->dep_kappa, cfg->dep_bias_rate, cfg->dep_tau, cfg->dep_delay, cfg->dep_smooth};
    dep_model_init(&p->dm, p->act_dim, NULL, &dc);   // the inverse model's signs: dep_setup
    p->dep_n = dep_state_size(&p->dm);
    rng init;
    rng_seed(&init, cfg->seed, 0x1000001);
    rng_seed(&p->upd_rng, cfg->seed, 0x1000002);
    p->actor = mlp_new(p->obs_dim, cfg->hidden, 2, p->act_dim, 0.01, &init);
    p->critic = mlp_new(p->obs_dim, cfg->hidden, 2, 1, 1.0, &init);
    int rc = !p->actor || !p->critic ? err_set(e, ERR_NOMEM, "trainer: out of memory") : ERR_OK;
    if (!rc) rc = ppo_alloc(p, e);
    if (!rc && !(p->pol = policy_new(t, cfg->hidden, e))) rc = ERR_NOMEM;
    for (int i = 0; !rc && i < p->n_envs; i++) rng_seed(&p->env_rng[i], cfg->seed, 0x2000000 + (uint64_t)i);
    for (int i = 0; i < p->n_threads; i++) p->w[i].p = p;
    if (!rc && !(p->pool = pool_new(p->n_threads, e))) rc = e ? e->code : ERR_INTERNAL;
    if (!rc && !(p->v = venv_new(t, p->n_envs, cfg->seed, fn, e))) rc = e ? e->code : ERR_PHYSICS;
    // Checkpoints run on the rollout threads, one environment of ve each, reused.
    if (!rc && !(p->ve = venv_new(t, p->n_threads, cfg->seed ^ 0x5eed, NULL, e))) rc = e ? e->code : ERR_PHYSICS;
    if (!rc && p->ex == EXPLORE_DEP) rc = dep_setup(p, e);
    *rc_out = rc;
    if (rc) { ppo_free(p); return NULL; }
    return p;
}

// The settings a training can run with (after train_cfg_defaults): ERR_USAGE naming
// what is wrong, before any worker starts or any file is written.
int ppo_check_cfg(const task_def *t, const train_cfg *cfg, err_info *e) {
    // One message per setting, named as --set names it.
#define NEED(ok, ...) \
    if (!(ok)) return err_set(e, ERR_USAGE, __VA_ARGS__)
    long batch = (long)cfg->n_envs * cfg->horizon;
    NEED(cfg->steps >= 1, "steps=%ld: give at least 1 control step", cfg->steps);
    NEED(cfg->n_envs >= 1 && cfg->n_envs <= 65536, "n_envs=%d: give 1..65536", cfg->n_envs);
    NEED(cfg->horizon >= 1, "horizon=%d: give at least 1", cfg->horizon);
    NEED(cfg->epochs >= 1, "epochs=%d: give at least 1", cfg->epochs);
    NEED(cfg->minibatches >= 1 && cfg->minibatches <= batch,
         "minibatches=%d: give 1..n_envs x horizon (%ld)", cfg->minibatches, batch);
    NEED(batch <= (1L << 24), "n_envs x horizon = %ld: at most %ld samples per update", batch, 1L << 24);
    NEED(cfg->hidden >= 1 && cfg->hidden <= POLICY_MAX_HIDDEN, "hidden=%d: give 1..%d", cfg->hidden,
         POLICY_MAX_HIDDEN);
    NEED(cfg->ck_interval >= 0, "ck_interval=%ld: give 0 (the checkpoints' spacing) or more", cfg->ck_interval);
    NEED(cfg->eval_cases >= 0 && cfg->eval_cases <= VENV_MAX_CASES, "eval_cases=%d: give 0..%d",
         cfg->eval_cases, VENV_MAX_CASES);
    NEED(explore_name(cfg->exploration), "exploration=%d: use 0..3 (gaussian, gsde, lattice, dep)",
         cfg->exploration);
    if (cfg->exploration == EXPLORE_DEP) {
        NEED(cfg->dep_kappa > 0, "dep_kappa=%g: give a gain above 0", cfg->dep_kappa);
        NEED(cfg->dep_bias_rate >= 0, "dep_bias_rate=%g: give 0 or more", cfg->dep_bias_rate);
        NEED(cfg->dep_tau >= 1 && cfg->dep_tau <= DEP_MAX_TAU, "dep_tau=%d: give 1..%d", cfg->dep_tau,
             DEP_MAX_TAU);
        NEED(cfg->dep_delay >= 1 && cfg->dep_delay <= DEP_MAX_DELAY, "dep_delay=%d: give 1..%d",
             cfg->dep_delay, DEP_MAX_DELAY);
        NEED(cfg->dep_smooth >= 1 && cfg->dep_smooth <= 1000, "dep_smooth=%d: give 1..1000", cfg->dep_smooth);
        NEED(cfg->dep_prob >= 0 && cfg->dep_prob <= 1, "dep_prob=%g: give a probability in [0, 1]",
             cfg->dep_prob);
        NEED(cfg->dep_length >= 1, "dep_length=%d: give at least 1 control step", cfg->dep_length);
    } else {
        NEED(!cfg->dep_kappa && !cfg->dep_bias_rate && !cfg->dep_prob && !cfg->dep_tau &&
             !cfg->dep_delay && !cfg->dep_smooth && !cfg->dep_length,
             "the dep_* settings apply to --exploration dep only");
    }
    NEED(cfg->noise_period >= 1, "noise_period=%d: give at least 1 control step", cfg->noise_period);
    NEED(cfg->curriculum >= 0 && cfg->curriculum <= 100, "curriculum=%d: give 0..100 stages", cfg->curriculum);
    NEED(cfg->curriculum_threshold > 0, "curriculum_threshold=%g: give a success rate above 0",
         cfg->curriculum_threshold);
    NEED(!cfg->curriculum || t->reset_level, "task %s has no difficulty knob for a curriculum: train it "
         "without --curriculum", t->name);
#undef NEED
    if (t->act_dim > 64) return err_set(e, ERR_LIMIT, "trainer: task %s has %d actions (max 64)",
                                        t->name, t->act_dim);
    return ERR_OK;
}

int ppo_train_ex(const task_def *t, reward_fn fn, const train_cfg *cfg_in, const void *state_in,
                 size_t state_in_len, train_progress pf, void *pctx, cJSON **train_json,
                 void **state_out, size_t *state_out_len, ppo_timing *tm, err_info *e) {
    *train_json = NULL;
    if (state_out) { *state_out = NULL; *state_out_len = 0; }
    double t0 = now_s();
    train_cfg cfg = *cfg_in;
    train_cfg_defaults(&cfg, t);
    int crc = ppo_check_cfg(t, &cfg, e);
    if (crc) return crc;
    long N = (long)cfg.n_envs * cfg.horizon;
    long n_upd = (cfg.steps + N - 1) / N;
    ppo_saved saved;
    ser_reader r;
    if (state_in) {
        int rc = ppo_state_open(state_in, state_in_len, &r, &saved, e);
        if (rc) return rc;
        if (saved.updates > n_upd)
            return err_set(e, ERR_USAGE, "the saved training has already taken %ld steps: ask "
                           "for a budget of at least that", saved.steps);
    }
    int rc = ERR_OK;
    ppo *p = ppo_new(t, fn, &cfg, n_upd, &rc, e);
    if (!p) return rc;
    if (state_in) {
        rc = ppo_state_match(p, &saved, e);
        if (!rc) rc = ppo_load(p, &r, &saved, e);
    } else {
        ppo_start(p);
    }
    double last_fit = p->ck_fit.n ? p->ck_fit.v[p->ck_fit.n - 1] : NAN;
    long first = p->updates;
    for (long u = p->updates + 1; !rc && u <= n_upd; u++) {
        double ta = now_s(), ca = cpu_s(tm);
        rc = rollout(p, e);
        if (rc) break;
        venv_stats st;
        venv_harvest(p->v, &st);
        record_stats(p, &st);
        curriculum_step(p, &st);
        obs_stats_update(p, p->obs_raw, p->batch);
        double tb = now_s(), cb = cpu_s(tm);
        advantages(p);
        double kl, cf;
        int trained;
        update(p, &kl, &cf, &trained);
        if (p->ex == EXPLORE_DEP) {
            long by_dep = 0;
            for (int k = 0; k < p->batch; k++) by_dep += p->dep_mask[k];
            series_push(&p->dep_steps, (double)by_dep);
            series_push(&p->trained, trained);
        }
        double sd = 0;
        if (explore_is_gaussian(p->ex)) {
            for (int k = 0; k < p->act_dim; k++) sd += exp(p->log_std[k]);
            sd /= p->act_dim;
        } else {                        // the mean action std of this rollout's samples
            for (int k = 0; k < p->batch; k++) sd += p->step_sd[k];
            sd /= p->batch;
        }
        series_push(&p->pstd, sd);
        series_push(&p->kl, kl);
        series_push(&p->clipf, cf);
        p->updates = u;
        double tc = now_s(), cc = cpu_s(tm);
        p->t_roll += tb - ta;
        p->t_upd += tc - tb;
        p->c_roll += cb - ca;
        p->c_upd += cc - cb;
        int out_of_time = cfg.max_seconds > 0 && tc - t0 >= cfg.max_seconds;
        if (checkpoint_due(p, u, n_upd) || out_of_time) {
            rc = checkpoint(p, e);
            if (rc) break;
            last_fit = p->ck_fit.v[p->ck_fit.n - 1];
            p->t_eval += now_s() - tc;
            p->c_eval += cpu_s(tm) - cc;
        }
        if (pf) pf(pctx, u * p->batch, cfg.steps, (u - first) * p->batch / (now_s() - t0), last_fit);
        if (out_of_time) break;
    }
    double session = now_s() - t0;
    p->seconds += session;
    if (!rc && !(*train_json = result_json(p)))
        rc = err_set(e, ERR_NOMEM, "trainer: out of memory for train.json");
    if (!rc && state_out) rc = ppo_save(p, state_out, state_out_len, e);
    if (rc) { cJSON_Delete(*train_json); *train_json = NULL; }
    if (tm) {
        tm->rollout = p->t_roll;
        tm->update = p->t_upd;
        tm->eval = p->t_eval;
        tm->rollout_cpu = p->c_roll;
        tm->update_cpu = p->c_upd;
        tm->eval_cpu = p->c_eval;
        tm->total = session;
        tm->steps = (p->updates - first) * p->batch;
    }
    ppo_free(p);
    return rc;
}

int ppo_train(const task_def *t, reward_fn fn, const train_cfg *cfg, train_progress pf,
              void *pctx, cJSON **out, err_info *e) {
    return ppo_train_ex(t, fn, cfg, NULL, 0, pf, pctx, out, NULL, NULL, NULL, e);
}
