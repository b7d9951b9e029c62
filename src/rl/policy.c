// policy.c: the deterministic policy of a training (see policy.h).
#include "rl/policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rl/mlp.h"

#define POLICY_OBS_CLIP 5.0f

struct policy {
    const task_def *t;
    int hidden, od, ad;
    mlp *actor;
    float *nm, *ns;         // observation mean, 1/std
};

policy *policy_new(const task_def *t, int hidden, err_info *e) {
    if (hidden < 1 || hidden > POLICY_MAX_HIDDEN) {
        err_set(e, ERR_PARSE, "policy: %d hidden units (use 1..%d)", hidden, POLICY_MAX_HIDDEN);
        return NULL;
    }
    policy *p = calloc(1, sizeof *p);
    rng init;
    rng_seed(&init, 0, 0);   // the weights are overwritten; mlp_new wants some
    if (p) {
        p->t = t;
        p->hidden = hidden;
        p->od = t->obs_dim;
        p->ad = t->act_dim;
        p->actor = mlp_new(p->od, hidden, 2, p->ad, 0.0, &init);
        p->nm = calloc((size_t)p->od, sizeof(float));
        p->ns = calloc((size_t)p->od, sizeof(float));
    }
    if (!p || !p->actor || !p->nm || !p->ns) {
        policy_free(p);
        err_set(e, ERR_NOMEM, "out of memory for a policy of task %s", t->name);
        return NULL;
    }
    return p;
}

void policy_free(policy *p) {
    if (!p) return;
    mlp_free(p->actor);
    free(p->nm);
    free(p->ns);
    free(p);
}

int policy_n_params(const policy *p) { return p->actor->n_params; }
int policy_hidden(const policy *p) { return p->hidden; }
const task_def *policy_task(const policy *p) { return p->t; }

void policy_set(policy *p, const float *actor, const float *obs_mean, const float *obs_inv_std) {
    memcpy(p->actor->param, actor, (size_t)p->actor->n_params * sizeof(float));
    memcpy(p->nm, obs_mean, (size_t)p->od * sizeof(float));
    memcpy(p->ns, obs_inv_std, (size_t)p->od * sizeof(float));
}

// n finite floats from a JSON number array of exactly that length; 0 otherwise.
static int float_array(const cJSON *a, float *out, int n) {
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) return 0;
    int k = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, a) {
        if (!cJSON_IsNumber(x)) return 0;
        float f = (float)x->valuedouble;
        if (!isfinite(f)) return 0;
        out[k++] = f;
    }
    return k == n;
}

int policy_from_json(const task_def *t, const cJSON *json, policy **out, err_info *e) {
    *out = NULL;
    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(json, "policy");
    if (!pol) pol = json;
    const cJSON *hid = cJSON_GetObjectItemCaseSensitive(pol, "hidden");
    if (!cJSON_IsObject(pol) || !cJSON_IsNumber(hid))
        return err_set(e, ERR_PARSE, "no policy: train.json has no \"policy\" object with "
                       "\"hidden\" (a training that never reached a checkpoint?)");
    double h = hid->valuedouble;
    if (!(h >= 1 && h <= POLICY_MAX_HIDDEN) || h != floor(h))
        return err_set(e, ERR_PARSE, "policy: \"hidden\" is %g, not a whole number in 1..%d", h,
                       POLICY_MAX_HIDDEN);
    policy *p = policy_new(t, (int)h, e);
    if (!p) return e ? e->code : ERR_NOMEM;
    const char *bad = NULL;
    int n = p->actor->n_params;
    if (!float_array(cJSON_GetObjectItemCaseSensitive(pol, "actor"), p->actor->param, n)) bad = "actor";
    else if (!float_array(cJSON_GetObjectItemCaseSensitive(pol, "obs_mean"), p->nm, p->od)) bad = "obs_mean";
    else if (!float_array(cJSON_GetObjectItemCaseSensitive(pol, "obs_inv_std"), p->ns, p->od)) bad = "obs_inv_std";
    if (bad) {
        int want = !strcmp(bad, "actor") ? n : p->od;
        policy_free(p);
        return err_set(e, ERR_PARSE, "policy: \"%s\" must be %d finite numbers for task %s "
                       "(hidden %d): the policy comes from another task or is damaged", bad,
                       want, t->name, (int)h);
    }
    *out = p;
    return ERR_OK;
}

cJSON *policy_to_json(const policy *p) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "hidden", p->hidden);
    cJSON_AddItemToObject(o, "obs_mean", cJSON_CreateFloatArray(p->nm, p->od));
    cJSON_AddItemToObject(o, "obs_inv_std", cJSON_CreateFloatArray(p->ns, p->od));
    cJSON_AddItemToObject(o, "actor", cJSON_CreateFloatArray(p->actor->param, p->actor->n_params));
    return o;
}

int policy_scratch_size(const policy *p) { return mlp_scratch_size(p->actor) + p->od + p->ad; }

void policy_act(const policy *p, const float *obs, double *action, float *scratch) {
    float *on = scratch, *mu = on + p->od, *s = mu + p->ad;
    for (int k = 0; k < p->od; k++) {
        float x = (obs[k] - p->nm[k]) * p->ns[k];
        on[k] = x > POLICY_OBS_CLIP ? POLICY_OBS_CLIP : x < -POLICY_OBS_CLIP ? -POLICY_OBS_CLIP : x;
    }
    mlp_forward1(p->actor, on, mu, s);
    for (int k = 0; k < p->ad; k++) action[k] = mu[k] > 1 ? 1 : mu[k] < -1 ? -1 : mu[k];
}

typedef struct eval_ctx {
    const policy *p;
    float *scratch;     // one policy_scratch_size buffer per thread
    int stride;
} eval_ctx;

static void eval_act(void *ctx, int thread, const float *obs, double *action) {
    eval_ctx *c = ctx;
    policy_act(c->p, obs, action, c->scratch + (size_t)thread * c->stride);
}

int policy_evaluate(const policy *p, venv *v, pool *pl, int cases, venv_eval *out, err_info *e) {
    if (venv_task(v) != p->t)
        return err_set(e, ERR_INTERNAL, "policy of task %s evaluated on task %s", p->t->name,
                       venv_task(v)->name);
    eval_ctx c = {p, NULL, policy_scratch_size(p)};
    c.scratch = calloc((size_t)pool_size(pl) * c.stride, sizeof(float));
    if (!c.scratch) return err_set(e, ERR_NOMEM, "out of memory evaluating a policy");
    int rc = venv_evaluate_on(v, pl, eval_act, &c, cases, out, e);
    free(c.scratch);
    return rc;
}

int policy_fitness(const task_def *t, const policy *p, int n_threads, int cases, venv_eval *out,
                   err_info *e) {
    if (n_threads < 1) n_threads = 1;
    if (n_threads > VENV_MAX_THREADS) n_threads = VENV_MAX_THREADS;
    venv *v = venv_new(t, n_threads, 0x5eed, NULL, e);
    pool *pl = v ? pool_new(n_threads, e) : NULL;
    int rc = pl ? policy_evaluate(p, v, pl, cases, out, e) : e ? (int)e->code : ERR_NOMEM;
    pool_free(pl);
    venv_free(v);
    return rc;
}
