// ppo.c: the PPO trainer that judges a reward candidate (see ppo.h).
//
// One update = one rollout of n_envs x horizon control steps, then epochs x minibatches
// of clipped-objective steps on a Gaussian tanh-MLP policy and a separate value MLP.
// Rollouts are physics-bound: the environments are split statically over the threads,
// each thread runs its environments for the whole horizon (one join per rollout), and
// each environment draws its exploration noise from its own RNG stream. Everything that
// mixes environments (observation and return normalisation, advantages, the update)
// runs on one thread in a fixed order, so a seed gives the same train.json for any
// thread count. The learner is float; the physics stays double.
#include "rl/ppo.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rl/mlp.h"
#include "rl/venv.h"

#define PPO_LOG_STD_MIN (-2.5f)
#define PPO_OBS_CLIP 5.0f
#define PPO_REW_CLIP 10.0
#define PPO_MAX_THREADS 64

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
    FILL(init_log_std, init_log_std, -0.5);
    FILL(ent_coef, ent_coef, 0.0);
#undef FILL
    if (!cfg->clip) cfg->clip = 0.2;
    if (!cfg->vf_coef) cfg->vf_coef = 0.5;
    if (!cfg->max_grad_norm) cfg->max_grad_norm = 0.5;
    if (cfg->threads <= 0) cfg->threads = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct ppo ppo;

// Per-thread scratch for rollouts and evaluation.
typedef struct ppo_worker {
    ppo *p;
    float *sa, *sc;         // mlp scratch (actor, critic)
    float *on, *mu, *fo;    // normalised obs, action mean, final obs
    double *a;              // action handed to the environment
    err_info err;
    int rc;
    pthread_t th;
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
    int ne, H, od, ad, N, nt;
    mlp *actor, *critic;
    float *log_std, *g_log_std;
    mlp_adam *opt_a, *opt_c, *opt_l;
    mlp_batch *ba, *bc;
    // Running observation statistics (double), and the frozen float copy the
    // rollout and evaluation use.
    double *om, *ov, oc;
    float *nm, *ns;         // mean, 1/std
    // Running statistics of the discounted return, for reward scaling.
    double *ret, rm, rv, rc;
    // Rollout buffers, time-major: index t * ne + e.
    float *obs_raw, *obs, *act, *logp, *val, *boot, *adv, *tgt, *last_val;
    double *rew;
    unsigned char *done;
    long *age;              // control steps into the current episode, per env
    int seen_episode;       // an episode has completed
    rng *env_rng, upd_rng;
    int *perm;
    float *mb_obs, *mb_dmu, *mb_dv;
    ppo_worker w[PPO_MAX_THREADS];
    int abort_flag;
    int next_env;           // rollout: the next environment a thread takes
    // Statistics.
    int n_upd_cap, n_comp;
    char comp_name[REWARD_MAX_TERMS][REWARD_NAME_MAX];
    series comp[REWARD_MAX_TERMS], rtot, eplen, pstd, kl, clipf;
    series ck_steps, ck_fit, ck_len;
    // The policy of the best checkpoint (actor weights, observation normalisation): it
    // goes into train.json so that its fitness can be re-measured in a worker that never
    // loaded the reward (ppo_verify).
    float *best_param, *best_nm, *best_ns;
    double best_fit;
    int have_best;
    double last_eplen;
    long unstable;
    double t_roll, t_upd, t_eval;
};

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
    void *bufs[] = {p->log_std, p->g_log_std, p->om, p->ov, p->nm, p->ns, p->ret, p->obs_raw,
                    p->obs, p->act, p->logp, p->val, p->boot, p->adv, p->tgt, p->last_val,
                    p->rew, p->done, p->age, p->env_rng, p->perm, p->mb_obs, p->mb_dmu, p->mb_dv,
                    p->rtot.v, p->eplen.v, p->pstd.v, p->kl.v, p->clipf.v, p->ck_steps.v,
                    p->ck_fit.v, p->ck_len.v, p->best_param, p->best_nm, p->best_ns};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) free(bufs[k]);
    for (int c = 0; c < REWARD_MAX_TERMS; c++) free(p->comp[c].v);
    for (int i = 0; i < PPO_MAX_THREADS; i++) {
        ppo_worker *w = &p->w[i];
        free(w->sa); free(w->sc); free(w->on); free(w->mu); free(w->fo); free(w->a);
    }
    free(p);
}

static size_t at_least_1(size_t n) { return n ? n : 1; }
#define ALLOC(ptr, n) (((ptr) = calloc(at_least_1((size_t)(n)), sizeof *(ptr))) != NULL)

static int ppo_alloc(ppo *p, err_info *e) {
    int N = p->N, od = p->od, ad = p->ad, ne = p->ne, U = p->n_upd_cap;
    int M = N / p->cfg.minibatches + 1;
    int ok = ALLOC(p->log_std, ad) && ALLOC(p->g_log_std, ad) && ALLOC(p->om, od) &&
             ALLOC(p->ov, od) && ALLOC(p->nm, od) && ALLOC(p->ns, od) && ALLOC(p->ret, ne) &&
             ALLOC(p->obs_raw, (size_t)N * od) && ALLOC(p->obs, (size_t)N * od) &&
             ALLOC(p->act, (size_t)N * ad) && ALLOC(p->logp, N) && ALLOC(p->val, N) &&
             ALLOC(p->boot, N) && ALLOC(p->adv, N) && ALLOC(p->tgt, N) &&
             ALLOC(p->last_val, ne) && ALLOC(p->rew, N) && ALLOC(p->done, N) && ALLOC(p->age, ne) &&
             ALLOC(p->env_rng, ne) && ALLOC(p->perm, N) && ALLOC(p->mb_obs, (size_t)M * od) &&
             ALLOC(p->mb_dmu, (size_t)M * ad) && ALLOC(p->mb_dv, M) && ALLOC(p->rtot.v, U) &&
             ALLOC(p->eplen.v, U) && ALLOC(p->pstd.v, U) && ALLOC(p->kl.v, U) &&
             ALLOC(p->clipf.v, U) && ALLOC(p->ck_steps.v, U) && ALLOC(p->ck_fit.v, U) &&
             ALLOC(p->ck_len.v, U) && ALLOC(p->best_param, p->actor->n_params) &&
             ALLOC(p->best_nm, od) && ALLOC(p->best_ns, od);
    for (int i = 0; ok && i < p->nt; i++) {
        ppo_worker *w = &p->w[i];
        ok = ALLOC(w->sa, mlp_scratch_size(p->actor)) && ALLOC(w->sc, mlp_scratch_size(p->critic)) &&
             ALLOC(w->on, od) && ALLOC(w->mu, ad) && ALLOC(w->fo, od) && ALLOC(w->a, ad);
    }
    p->ba = mlp_batch_new(p->actor, M);
    p->bc = mlp_batch_new(p->critic, M);
    p->opt_a = mlp_adam_new(p->actor->n_params);
    p->opt_c = mlp_adam_new(p->critic->n_params);
    p->opt_l = mlp_adam_new(ad);
    if (!ok || !p->ba || !p->bc || !p->opt_a || !p->opt_c || !p->opt_l)
        return err_set(e, ERR_NOMEM, "trainer: out of memory for %d environments", ne);
    return ERR_OK;
}

// Normalise one raw observation with the frozen statistics.
static void obs_norm(const ppo *p, const float *raw, float *out) {
    for (int k = 0; k < p->od; k++) {
        float x = (raw[k] - p->nm[k]) * p->ns[k];
        out[k] = x > PPO_OBS_CLIP ? PPO_OBS_CLIP : x < -PPO_OBS_CLIP ? -PPO_OBS_CLIP : x;
    }
}

// Merge a batch of n raw observations into the running mean/var (Chan et al.).
static void obs_stats_update(ppo *p, const float *raw, int n) {
    for (int k = 0; k < p->od; k++) {
        double s = 0, ss = 0;
        for (int i = 0; i < n; i++) s += raw[(size_t)i * p->od + k];
        double bm = s / n;
        for (int i = 0; i < n; i++) {
            double d = raw[(size_t)i * p->od + k] - bm;
            ss += d * d;
        }
        double bv = ss / n, tot = p->oc + n, delta = bm - p->om[k];
        p->om[k] += delta * n / tot;
        p->ov[k] = (p->ov[k] * p->oc + bv * n + delta * delta * p->oc * n / tot) / tot;
    }
    p->oc += n;
    for (int k = 0; k < p->od; k++) {
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

static void *rollout_thread(void *arg) {
    ppo_worker *w = arg;
    ppo *p = w->p;
    int od = p->od, ad = p->ad, ne = p->ne;
    w->rc = ERR_OK;
    // Environment-major: one environment runs its whole horizon while its mjData is hot
    // in cache. Threads take environments one at a time (contacts make some much slower
    // than others, so a static split leaves a thread idle); every environment has its own
    // rng stream and the policy is frozen, so which thread runs it changes nothing.
    for (;;) {
        int e = __atomic_fetch_add(&p->next_env, 1, __ATOMIC_RELAXED);
        if (e >= ne) break;
        if (__atomic_load_n(&p->abort_flag, __ATOMIC_RELAXED)) return NULL;
        for (int t = 0; t < p->H; t++) {
            size_t i = (size_t)t * ne + e;
            // A non-finite observation (physics that diverged without a MuJoCo warning)
            // would poison the running statistics: it enters as 0.
            const float *src = venv_obs(p->v, e);
            float *raw = p->obs_raw + i * od;
            for (int k = 0; k < od; k++) raw[k] = isfinite(src[k]) ? src[k] : 0.0f;
            float *on = p->obs + i * od;
            obs_norm(p, raw, on);
            mlp_forward1(p->actor, on, w->mu, w->sa);
            mlp_forward1(p->critic, on, &p->val[i], w->sc);
            float *a = p->act + i * ad;
            double lp = 0;
            for (int k = 0; k < ad; k++) {
                double z = rng_normal(&p->env_rng[e]);
                a[k] = w->mu[k] + expf(p->log_std[k]) * (float)z;
                w->a[k] = a[k];
                lp += -0.5 * z * z - p->log_std[k] - 0.9189385332046727;
            }
            p->logp[i] = (float)lp;
            venv_step_out so;
            int rc = venv_step(p->v, e, w->a, w->fo, &so, &w->err);
            if (rc) {
                w->rc = rc;
                __atomic_store_n(&p->abort_flag, 1, __ATOMIC_RELAXED);
                return NULL;
            }
            p->rew[i] = so.reward;
            p->done[i] = (unsigned char)(so.done != 0);
            p->age[e] = so.done ? 0 : p->age[e] + 1;
            p->boot[i] = so.done && so.truncated ? value_of(p, w, w->fo) : 0.0f;
        }
        p->last_val[e] = value_of(p, w, venv_obs(p->v, e));
    }
    return NULL;
}

static int rollout(ppo *p, err_info *e) {
    p->abort_flag = 0;
    p->next_env = 0;
    int started[PPO_MAX_THREADS] = {0};
    for (int i = 1; i < p->nt; i++)
        started[i] = pthread_create(&p->w[i].th, NULL, rollout_thread, &p->w[i]) == 0;
    rollout_thread(&p->w[0]);
    int rc = ERR_OK;
    for (int i = 1; i < p->nt; i++) {
        if (started[i]) pthread_join(p->w[i].th, NULL);
        else if (!rc) rc = err_set(e, ERR_INTERNAL, "trainer: could not start rollout thread %d", i);
    }
    for (int i = 0; i < p->nt && !rc; i++)
        if (p->w[i].rc) {
            if (e) *e = p->w[i].err;
            rc = p->w[i].rc;
        }
    return rc;
}

// Scale rewards by the running std of the discounted return (in env order, one
// batch of n_envs returns per time step), add the time-limit bootstrap, then GAE.
static void advantages(ppo *p) {
    int ne = p->ne, H = p->H;
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
            double next = t == H - 1 ? p->last_val[e] : p->val[i + ne];
            double nonterm = p->done[i] ? 0.0 : 1.0;
            double delta = p->adv[i] + g * next * nonterm - p->val[i];
            last = delta + g * lam * nonterm * last;
            p->adv[i] = (float)last;
            p->tgt[i] = (float)(last + p->val[i]);
        }
    }
}

typedef struct critic_job {
    ppo *p;
    const int *idx;
    int M;
} critic_job;

// Value loss vf_coef * 0.5 * mean((V - target)^2) of one minibatch: gradients only.
static void *critic_part(void *arg) {
    critic_job *j = arg;
    ppo *p = j->p;
    mlp_zero_grad(p->critic);
    const float *v = mlp_forward(p->critic, p->bc, p->mb_obs, j->M);
    for (int s = 0; s < j->M; s++)
        p->mb_dv[s] = (float)(p->cfg.vf_coef * (v[s] - p->tgt[j->idx[s]]) / j->M);
    mlp_backward(p->critic, p->bc, p->mb_dv, j->M);
    return NULL;
}

// epochs x minibatches of clipped PPO steps; *kl, *cf get means over all minibatches.
static void update(ppo *p, double *kl_out, double *cf_out) {
    int N = p->N, od = p->od, ad = p->ad, nmb = p->cfg.minibatches;
    int M = N / nmb;
    double kl_sum = 0, cf_sum = 0;
    int n_mb = 0;
    float clip = (float)p->cfg.clip;
    for (int ep = 0; ep < p->cfg.epochs; ep++) {
        for (int i = 0; i < N; i++) p->perm[i] = i;
        for (int i = N - 1; i > 0; i--) {
            int j = (int)rng_below(&p->upd_rng, (uint64_t)i + 1), tmp = p->perm[i];
            p->perm[i] = p->perm[j];
            p->perm[j] = tmp;
        }
        for (int mb = 0; mb < nmb; mb++) {
            const int *idx = p->perm + (size_t)mb * M;
            for (int s = 0; s < M; s++)
                memcpy(p->mb_obs + (size_t)s * od, p->obs + (size_t)idx[s] * od,
                       (size_t)od * sizeof(float));
            // Advantage normalisation over the minibatch.
            double am = 0, av = 0;
            for (int s = 0; s < M; s++) am += p->adv[idx[s]];
            am /= M;
            for (int s = 0; s < M; s++) av += (p->adv[idx[s]] - am) * (p->adv[idx[s]] - am);
            double asd = sqrt(av / (M > 1 ? M - 1 : 1)) + 1e-8;

            // The critic's half runs on a second thread when there is one: the two
            // networks do not share anything until the gradient-norm clip.
            critic_job cj = {p, idx, M};
            pthread_t th;
            int par = p->nt > 1 && pthread_create(&th, NULL, critic_part, &cj) == 0;
            if (!par) critic_part(&cj);
            mlp_zero_grad(p->actor);
            const float *mu = mlp_forward(p->actor, p->ba, p->mb_obs, M);
            float istd[64], glog[64];
            for (int k = 0; k < ad; k++) {
                istd[k] = expf(-p->log_std[k]);
                glog[k] = 0;
            }
            double kl = 0, cf = 0;
            for (int s = 0; s < M; s++) {
                int i = idx[s];
                const float *a = p->act + (size_t)i * ad;
                double lp = 0;
                for (int k = 0; k < ad; k++) {
                    double z = (a[k] - mu[(size_t)s * ad + k]) * istd[k];
                    lp += -0.5 * z * z - p->log_std[k] - 0.9189385332046727;
                }
                double lr = lp - p->logp[i], ratio = exp(lr);
                double A = (p->adv[i] - am) / asd;
                double unc = -A * ratio;
                double rc = ratio < 1 - clip ? 1 - clip : ratio > 1 + clip ? 1 + clip : ratio;
                double g = unc >= -A * rc ? -A * ratio / M : 0.0;   // dL/dlogp
                kl += (ratio - 1) - lr;
                cf += fabs(ratio - 1) > clip;
                for (int k = 0; k < ad; k++) {
                    double z = (a[k] - mu[(size_t)s * ad + k]) * istd[k];
                    p->mb_dmu[(size_t)s * ad + k] = (float)(g * z * istd[k]);
                    glog[k] += (float)(g * (z * z - 1));
                }
            }
            for (int k = 0; k < ad; k++) p->g_log_std[k] = glog[k] - (float)p->cfg.ent_coef;
            mlp_backward(p->actor, p->ba, p->mb_dmu, M);
            if (par) pthread_join(th, NULL);
            // Global gradient-norm clip over all parameters.
            double nrm = 0;
            for (int k = 0; k < p->actor->n_params; k++) nrm += (double)p->actor->grad[k] * p->actor->grad[k];
            for (int k = 0; k < p->critic->n_params; k++) nrm += (double)p->critic->grad[k] * p->critic->grad[k];
            for (int k = 0; k < ad; k++) nrm += (double)p->g_log_std[k] * p->g_log_std[k];
            nrm = sqrt(nrm);
            if (nrm > p->cfg.max_grad_norm) {
                float sc = (float)(p->cfg.max_grad_norm / (nrm + 1e-6));
                for (int k = 0; k < p->actor->n_params; k++) p->actor->grad[k] *= sc;
                for (int k = 0; k < p->critic->n_params; k++) p->critic->grad[k] *= sc;
                for (int k = 0; k < ad; k++) p->g_log_std[k] *= sc;
            }
            mlp_adam_step(p->opt_a, p->actor->param, p->actor->grad, p->cfg.lr, 1e-5);
            mlp_adam_step(p->opt_c, p->critic->param, p->critic->grad, p->cfg.lr, 1e-5);
            mlp_adam_step(p->opt_l, p->log_std, p->g_log_std, p->cfg.lr, 1e-5);
            for (int k = 0; k < ad; k++)
                if (p->log_std[k] < PPO_LOG_STD_MIN) p->log_std[k] = PPO_LOG_STD_MIN;
            kl_sum += kl / M;
            cf_sum += cf / M;
            n_mb++;
        }
    }
    *kl_out = n_mb ? kl_sum / n_mb : 0;
    *cf_out = n_mb ? cf_sum / n_mb : 0;
}

// The deterministic policy (mean action) for venv_evaluate.
static void eval_policy(void *ctx, int thread, const float *obs, double *action) {
    ppo *p = ctx;
    ppo_worker *w = &p->w[thread < 0 || thread >= p->nt ? 0 : thread];
    obs_norm(p, obs, w->on);
    mlp_forward1(p->actor, w->on, w->mu, w->sa);
    for (int k = 0; k < p->ad; k++) {
        double a = w->mu[k];
        action[k] = a > 1 ? 1 : a < -1 ? -1 : a;
    }
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
        for (int e = 0; e < p->ne; e++) if (p->age[e] > mx) mx = p->age[e];
        p->last_eplen = (double)mx;
    }
    series_push(&p->eplen, p->last_eplen);
    p->unstable += st->unstable;
}

static cJSON *series_json(const series *s) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < s->n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(s->v[i]));
    return a;
}

static cJSON *result_json(const ppo *p, long steps, double seconds) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", p->t->name);
    cJSON_AddStringToObject(o, "trainer", "ppo");
    cJSON_AddNumberToObject(o, "seed", (double)p->cfg.seed);
    cJSON_AddNumberToObject(o, "threads", p->nt);
    cJSON_AddNumberToObject(o, "steps", (double)steps);
    cJSON_AddNumberToObject(o, "seconds", round(seconds * 10) / 10);
    cJSON_AddNumberToObject(o, "updates", p->rtot.n);
    cJSON *comp = cJSON_AddObjectToObject(o, "components");
    for (int k = 0; k < p->n_comp; k++)
        cJSON_AddItemToObject(comp, p->comp_name[k], series_json(&p->comp[k]));
    cJSON_AddItemToObject(o, "reward_total", series_json(&p->rtot));
    cJSON_AddItemToObject(o, "episode_length", series_json(&p->eplen));
    cJSON_AddItemToObject(o, "policy_std", series_json(&p->pstd));
    cJSON_AddItemToObject(o, "approx_kl", series_json(&p->kl));
    cJSON_AddItemToObject(o, "clip_frac", series_json(&p->clipf));
    cJSON *ck = cJSON_AddObjectToObject(o, "checkpoints");
    cJSON_AddItemToObject(ck, "steps", series_json(&p->ck_steps));
    cJSON_AddItemToObject(ck, "fitness", series_json(&p->ck_fit));
    cJSON_AddItemToObject(ck, "episode_length", series_json(&p->ck_len));
    double best = 0, fin = 0;
    for (int i = 0; i < p->ck_fit.n; i++) {
        if (i == 0 || p->ck_fit.v[i] > best) best = p->ck_fit.v[i];
        fin = p->ck_fit.v[i];
    }
    cJSON_AddNumberToObject(o, "fitness", best);
    cJSON_AddNumberToObject(o, "fitness_final", fin);
    cJSON_AddNumberToObject(o, "unstable_episodes", (double)p->unstable);
    if (p->have_best) {
        cJSON *pol = cJSON_AddObjectToObject(o, "policy");
        cJSON_AddNumberToObject(pol, "hidden", p->cfg.hidden);
        cJSON_AddItemToObject(pol, "obs_mean", cJSON_CreateFloatArray(p->best_nm, p->od));
        cJSON_AddItemToObject(pol, "obs_inv_std", cJSON_CreateFloatArray(p->best_ns, p->od));
        cJSON_AddItemToObject(pol, "actor", cJSON_CreateFloatArray(p->best_param, p->actor->n_params));
    }
    return o;
}

int ppo_train_timed(const task_def *t, reward_fn fn, const train_cfg *cfg_in,
                    train_progress pf, void *pctx, cJSON **out, ppo_timing *tm, err_info *e) {
    *out = NULL;
    double t0 = now_s();
    train_cfg cfg = *cfg_in;
    train_cfg_defaults(&cfg, t);
    if (cfg.n_envs < 1 || cfg.horizon < 1 || cfg.epochs < 1 || cfg.minibatches < 1 ||
        cfg.hidden < 1 || cfg.steps < 1 || cfg.n_envs * cfg.horizon < cfg.minibatches)
        return err_set(e, ERR_USAGE, "trainer: bad configuration (envs %d, horizon %d, "
                       "minibatches %d, steps %ld)", cfg.n_envs, cfg.horizon, cfg.minibatches,
                       cfg.steps);
    if (t->act_dim > 64) return err_set(e, ERR_LIMIT, "trainer: task %s has %d actions (max 64)",
                                        t->name, t->act_dim);
    ppo *p = calloc(1, sizeof *p);
    if (!p) return err_set(e, ERR_NOMEM, "trainer: out of memory");
    p->t = t;
    p->cfg = cfg;
    p->ne = cfg.n_envs;
    p->H = cfg.horizon;
    p->N = p->ne * p->H;
    p->od = t->obs_dim;
    p->ad = t->act_dim;
    p->nt = cfg.threads > p->ne ? p->ne : cfg.threads;
    if (p->nt > PPO_MAX_THREADS) p->nt = PPO_MAX_THREADS;
    long n_upd = (cfg.steps + p->N - 1) / p->N;
    p->n_upd_cap = (int)n_upd + 1;
    int ck_n = cfg.checkpoints < 1 ? 1 : cfg.checkpoints;
    if (ck_n > n_upd) ck_n = (int)n_upd;

    rng init;
    rng_seed(&init, cfg.seed, 0x1000001);
    rng_seed(&p->upd_rng, cfg.seed, 0x1000002);
    p->actor = mlp_new(p->od, cfg.hidden, 2, p->ad, 0.01, &init);
    p->critic = mlp_new(p->od, cfg.hidden, 2, 1, 1.0, &init);
    int rc = ERR_OK;
    if (!p->actor || !p->critic) rc = err_set(e, ERR_NOMEM, "trainer: out of memory");
    if (!rc) rc = ppo_alloc(p, e);
    if (rc) { ppo_free(p); return rc; }
    for (int k = 0; k < p->ad; k++) p->log_std[k] = (float)cfg.init_log_std;
    for (int i = 0; i < p->ne; i++) rng_seed(&p->env_rng[i], cfg.seed, 0x2000000 + (uint64_t)i);
    for (int i = 0; i < p->nt; i++) p->w[i].p = p;
    p->v = venv_new(t, p->ne, cfg.seed, fn, e);
    if (!p->v) { ppo_free(p); return e ? e->code : ERR_PHYSICS; }
    p->ve = venv_new(t, p->nt, cfg.seed ^ 0x5eed, NULL, e);
    if (!p->ve) { ppo_free(p); return e ? e->code : ERR_PHYSICS; }

    // Start the observation statistics from the first observations, so the first
    // rollout already sees roughly normalised inputs.
    p->oc = 1e-4;
    for (int k = 0; k < p->od; k++) p->ov[k] = 1.0;
    for (int i = 0; i < p->ne; i++)
        memcpy(p->obs_raw + (size_t)i * p->od, venv_obs(p->v, i), (size_t)p->od * sizeof(float));
    obs_stats_update(p, p->obs_raw, p->ne);
    p->rc = 1e-4;
    p->rv = 1.0;

    long steps = 0;
    int ck_done = 0;
    double last_fit = NAN;
    for (long u = 1; u <= n_upd; u++) {
        double ta = now_s();
        rc = rollout(p, e);
        if (rc) break;
        steps += p->N;
        venv_stats st;
        venv_harvest(p->v, &st);
        record_stats(p, &st);
        obs_stats_update(p, p->obs_raw, p->N);
        double tb = now_s();
        advantages(p);
        double kl, cf;
        update(p, &kl, &cf);
        double sd = 0;
        for (int k = 0; k < p->ad; k++) sd += exp(p->log_std[k]);
        series_push(&p->pstd, sd / p->ad);
        series_push(&p->kl, kl);
        series_push(&p->clipf, cf);
        double tc = now_s();
        p->t_roll += tb - ta;
        p->t_upd += tc - tb;
        int out_of_time = cfg.max_seconds > 0 && tc - t0 >= cfg.max_seconds;
        if ((u * ck_n) / n_upd > ck_done || out_of_time || u == n_upd) {
            double fit, len;
            rc = venv_evaluate(p->ve, eval_policy, p, p->nt, &fit, &len, e);
            if (rc) break;
            series_push(&p->ck_steps, (double)steps);
            series_push(&p->ck_fit, fit);
            if (!p->have_best || fit > p->best_fit) {
                memcpy(p->best_param, p->actor->param, (size_t)p->actor->n_params * sizeof(float));
                memcpy(p->best_nm, p->nm, (size_t)p->od * sizeof(float));
                memcpy(p->best_ns, p->ns, (size_t)p->od * sizeof(float));
                p->best_fit = fit;
                p->have_best = 1;
            }
            series_push(&p->ck_len, len);
            last_fit = fit;
            ck_done = (int)((u * ck_n) / n_upd);
            p->t_eval += now_s() - tc;
        }
        if (pf) pf(pctx, steps, cfg.steps, steps / (now_s() - t0), last_fit);
        if (out_of_time) break;
    }
    if (!rc) *out = result_json(p, steps, now_s() - t0);
    if (!rc && !*out) rc = err_set(e, ERR_NOMEM, "trainer: out of memory for train.json");
    if (tm) {
        tm->rollout = p->t_roll;
        tm->update = p->t_upd;
        tm->eval = p->t_eval;
        tm->total = now_s() - t0;
        tm->steps = steps;
    }
    ppo_free(p);
    return rc;
}

int ppo_train(const task_def *t, reward_fn fn, const train_cfg *cfg, train_progress pf,
              void *pctx, cJSON **out, err_info *e) {
    return ppo_train_timed(t, fn, cfg, pf, pctx, out, NULL, e);
}
