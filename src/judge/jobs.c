// jobs.c: the modes of the worker (see jobs.h). Runs inside eureka-worker, after the
// seccomp filter: no files, no processes, only computation on the task's preloaded model.
#include "judge/jobs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rl/policy.h"
#include "rl/ppo.h"
#include "rl/train_cfg.h"
#include "rl/venv.h"
#include "judge/judge.h"
#include "util/base64.h"
#include "util/rng.h"
#include "util/clock.h"

// A number argument within [lo, hi], or dflt when absent.
static double arg_number(const cJSON *args, const char *key, double dflt, double lo, double hi) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(args, key);
    if (!cJSON_IsNumber(x)) return dflt;
    double v = x->valuedouble;
    return v < lo ? lo : v > hi ? hi : v;
}

// ---- check: the smoke test of `eureka check` -------------------------------------
//
// Real rollouts of the task (uniform random actions); the reward is called on a copy of
// each state, which must stay unchanged; every component and the total must be finite.

typedef struct check_stat {
    char name[REWARD_NAME_MAX];
    double min, max, sum;
    long count;
} check_stat;

static const char *nonfinite_word(double x) { return x != x ? "NaN" : (x > 0 ? "+Inf" : "-Inf"); }

static cJSON *check_body(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch,
                         err_info *e) {
    int calls = (int)arg_number(args, "calls", 512, 1, 1e7);
    int n_envs = (int)arg_number(args, "envs", 8, 1, 256);
    uint64_t seed = (uint64_t)arg_number(args, "seed", 1, 0, 9007199254740992.0);
    double t0 = now_s();
    venv *v = venv_new(task, n_envs, seed, NULL, e);
    if (!v) return NULL;
    unsigned char *copy = malloc(task->state_size), *ref = malloc(task->state_size);
    double *a = malloc(sizeof(double) * (size_t)(task->act_dim > 0 ? task->act_dim : 1));
    check_stat st[REWARD_MAX_TERMS];
    int nst = 0;
    double tmin = INFINITY, tmax = -INFINITY, tsum = 0;
    rng r;
    rng_seed(&r, seed, 0xc4ec);
    int rc = ERR_OK;
    if (!copy || !ref || !a) rc = err_set(e, ERR_NOMEM, "out of memory in the check");
    for (int c = 0; c < calls && rc == ERR_OK; c++) {
        int i = c % n_envs;
        if (c >= n_envs) {
            for (int k = 0; k < task->act_dim; k++) a[k] = rng_range(&r, -1.0, 1.0);
            venv_step_out out;
            if ((rc = venv_step(v, i, a, NULL, &out, e)) != ERR_OK) break;
        }
        const void *s = venv_state(v, i);
        memcpy(copy, s, task->state_size);
        memcpy(ref, s, task->state_size);
        reward_terms t;
        reward_terms_clear(&t);
        double total = fn(copy, &t);
        int call = c + 1;
        if (!reward_terms_valid(&t)) {  // reward_terms is host memory the reward can reach
            rc = err_set(e, ERR_REWARD, "compute_reward overwrote its reward_terms (call %d): record "
                         "components only through term()", call);
            break;
        }
        if (memcmp(copy, ref, task->state_size) != 0) {
            rc = err_set(e, ERR_REWARD, "compute_reward wrote to its read-only state (call %d): treat `s` as "
                         "const and keep intermediate values in locals", call);
            break;
        }
        if (t.overflow) {
            rc = err_set(e, ERR_REWARD, "compute_reward recorded more than %d distinct components with term() "
                         "(call %d): merge or drop some", REWARD_MAX_TERMS, call);
            break;
        }
        if (t.bad_name) {
            rc = err_set(e, ERR_REWARD, "term() got a component name that is not a C identifier of at most %d "
                         "characters (call %d): use names like \"distance_reward\"", REWARD_NAME_MAX - 1, call);
            break;
        }
        for (int k = 0; k < t.n && rc == ERR_OK; k++)
            if (!isfinite(t.value[k]))
                rc = err_set(e, ERR_NONFINITE, "reward component '%s' is %s at call %d: guard divisions, "
                             "logs and square roots", t.name[k], nonfinite_word(t.value[k]), call);
        if (rc == ERR_OK && !isfinite(total))
            rc = err_set(e, ERR_NONFINITE, "the total reward returned by compute_reward is %s at call %d",
                         nonfinite_word(total), call);
        if (rc) break;
        for (int k = 0; k < t.n; k++) {
            int j = 0;
            while (j < nst && strncmp(st[j].name, t.name[k], REWARD_NAME_MAX - 1) != 0) j++;
            if (j == nst) {
                if (nst == REWARD_MAX_TERMS) continue;  // over all calls, not one: keep the first 16
                snprintf(st[j].name, sizeof st[j].name, "%s", t.name[k]);
                st[j].min = INFINITY; st[j].max = -INFINITY; st[j].sum = 0; st[j].count = 0;
                nst++;
            }
            double x = t.value[k];
            if (x < st[j].min) st[j].min = x;
            if (x > st[j].max) st[j].max = x;
            st[j].sum += x;
            st[j].count++;
        }
        if (total < tmin) tmin = total;
        if (total > tmax) tmax = total;
        tsum += total;
        if ((c & 63) == 63) {
            cJSON *pr = cJSON_CreateObject();
            cJSON_AddNumberToObject(pr, "calls", call);
            cJSON_AddNumberToObject(pr, "total", calls);
            worker_progress(ch, pr);
            cJSON_Delete(pr);
        }
    }
    free(copy); free(ref); free(a);
    venv_free(v);
    if (rc) return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", task->name);
    cJSON_AddNumberToObject(o, "calls", calls);
    cJSON_AddNumberToObject(o, "seconds", now_s() - t0);
    cJSON *arr = cJSON_AddArrayToObject(o, "components");
    for (int j = 0; j < nst; j++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", st[j].name);
        cJSON_AddNumberToObject(c, "min", st[j].min);
        cJSON_AddNumberToObject(c, "mean", st[j].sum / (double)st[j].count);
        cJSON_AddNumberToObject(c, "max", st[j].max);
        cJSON_AddNumberToObject(c, "count", (double)st[j].count);
        cJSON_AddItemToArray(arr, c);
    }
    cJSON *tot = cJSON_AddObjectToObject(o, "total");
    cJSON_AddNumberToObject(tot, "min", tmin);
    cJSON_AddNumberToObject(tot, "mean", tsum / calls);
    cJSON_AddNumberToObject(tot, "max", tmax);
    return o;
}

// ---- train: one PPO training ----------------------------------------------------

static void sandbox_progress(void *ctx, long steps, long total, double sps, double fitness) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return;
    cJSON_AddNumberToObject(o, "steps", (double)steps);
    cJSON_AddNumberToObject(o, "total", (double)total);
    cJSON_AddNumberToObject(o, "sps", round(sps));
    if (isfinite(fitness)) cJSON_AddNumberToObject(o, "fitness", fitness);
    worker_progress(ctx, o);
    cJSON_Delete(o);
}

// A training from scratch or, with "state", the continuation of a saved one; the result
// carries the new saved state (base64) next to train.json for the judge to take out.
static cJSON *train_body(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch,
                         err_info *e) {
    train_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    if (train_cfg_from_json(&cfg, cJSON_GetObjectItemCaseSensitive(args, "cfg"), e)) return NULL;
    const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "state"));
    void *in = NULL, *saved = NULL;
    size_t in_len = 0, saved_len = 0;
    if (b64 && base64_decode(b64, JUDGE_STATE_MAX, &in, &in_len, e)) return NULL;
    cJSON *out = NULL;
    int rc = ppo_train_ex(task, fn, &cfg, in, in_len, sandbox_progress, ch, &out, &saved, &saved_len, NULL, e);
    free(in);
    if (rc) return NULL;
    char *enc = base64_encode(saved, saved_len);
    free(saved);
    if (!enc) {
        cJSON_Delete(out);
        err_set(e, ERR_NOMEM, "out of memory saving the training");
        return NULL;
    }
    cJSON_AddStringToObject(out, "state", enc);
    free(enc);
    return out;
}

// ---- verify: re-measure saved policies -------------------------------------------

// args {"checks": [{"policy": {...}, "cases": N}, ...]}: each policy (checked by
// policy.c) on its first N held-out cases, measured as the trainer measured its
// checkpoints; result {"evals": [{"fitness", "fitness_sd", "graded", "cases"}, ...]}. The reward
// compiled in this worker is a constant that is never called.
static cJSON *verify_body(const cJSON *args, const task_def *task, reward_fn fn, worker_chan *ch,
                          err_info *e) {
    (void)fn; (void)ch;
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(args, "checks"), *c;
    if (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) < 1 || cJSON_GetArraySize(checks) > 32) {
        err_set(e, ERR_PARSE, "verify: no checks");
        return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *evals = cJSON_AddArrayToObject(out, "evals");
    int rc = ERR_OK;
    cJSON_ArrayForEach(c, checks) {
        policy *p = NULL;
        if ((rc = policy_from_json(task, cJSON_GetObjectItemCaseSensitive(c, "policy"), &p, e))) break;
        int cases = (int)arg_number(c, "cases", task->n_eval, 1, 100000);
        venv_eval ev;
        rc = policy_fitness(task, p, 1, cases, &ev, e);
        policy_free(p);
        if (rc) break;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "fitness", ev.fitness);
        cJSON_AddNumberToObject(x, "fitness_sd", ev.fitness_sd);
        cJSON_AddNumberToObject(x, "graded", ev.graded);
        cJSON_AddNumberToObject(x, "cases", ev.cases);
        cJSON_AddItemToArray(evals, x);
    }
    if (rc) { cJSON_Delete(out); return NULL; }
    return out;
}

const worker_mode judge_modes[] = {
    {"check", check_body},
    {"train", train_body},
    {"verify", verify_body},
};

const int judge_n_modes = (int)(sizeof judge_modes / sizeof judge_modes[0]);
