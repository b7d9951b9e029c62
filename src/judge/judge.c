// judge.c: from a reward to a verdict (see judge.h).
//
// One pool drives every batch of workers: start up to `parallel`, pump their output
// with one poll, finish and classify each as it ends, re-measure a training's fitness
// in a clean worker before the verdict is handed back. A stop request kills what runs
// and reports it as interrupted, so callers can keep what finished and resume later.
#include "judge/judge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rl/train_cfg.h"

#define JUDGE_MAX_PARALLEL 64

// The reward compiled in a verification worker: it is never called.
static const char verify_reward[] =
    "double compute_reward(const env_state *s, reward_terms *t) { return 0.0; }\n";

judge_job judge_job_train(const task_def *t, const char *reward_src, const train_cfg *cfg) {
    judge_job j;
    memset(&j, 0, sizeof j);
    j.mode = JUDGE_TRAIN;
    j.reward_src = reward_src;
    j.cfg = *cfg;
    train_cfg_defaults(&j.cfg, t);
    return j;
}

// Wall-clock seconds for a training of cfg at a pessimistic 15k physics steps per
// second per thread, with room for evaluation checkpoints and a loaded machine.
static double train_wall(const task_def *t, const train_cfg *cfg) {
    if (cfg->max_seconds > 0) return cfg->max_seconds * 1.5 + 60;
    int th = cfg->threads > 0 ? cfg->threads : 1;
    double est = (double)cfg->steps * t->frame_skip / (15000.0 * th);
    double w = 3 * est + 120;
    return w < 300 ? 300 : w > 14400 ? 14400 : w;
}

void judge_limits(const task_def *t, const judge_job *j, sb_limits *lim) {
    sb_limits_default(lim);
    if (j->mode == JUDGE_CHECK) {
        lim->wall_seconds = j->timeout_s > 0 ? j->timeout_s : 30;
        lim->cpu_seconds = lim->wall_seconds + 1;
        return;
    }
    int th = j->cfg.threads > 0 ? j->cfg.threads : 1;
    lim->wall_seconds = j->timeout_s > 0 ? j->timeout_s : train_wall(t, &j->cfg);
    lim->cpu_seconds = lim->wall_seconds * th + 30;
    lim->stall_seconds = JUDGE_STALL_SECONDS;
}

int judge_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

void judge_verdict_free(judge_verdict *v) {
    if (!v) return;
    cJSON_Delete(v->result);
    v->result = NULL;
}

static void verdict_from(judge_verdict *v, sb_result *r) {
    memset(v, 0, sizeof *v);
    v->status = r->status;
    snprintf(v->message, sizeof v->message, "%s", r->message);
    v->signal = r->signal;
    v->syscall_nr = r->syscall_nr;
    snprintf(v->syscall_name, sizeof v->syscall_name, "%s", r->syscall_name);
    v->seconds = r->seconds;
    v->result = r->result;
    r->result = NULL;
}

int judge_verify(const task_def *t, const cJSON *train, double *fitness, err_info *e) {
    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(train, "policy");
    if (!cJSON_IsObject(pol)) return err_set(e, ERR_PARSE, "the training result holds no policy to verify");
    cJSON *args = cJSON_CreateObject();
    cJSON_AddItemToObject(args, "policy", cJSON_Duplicate(pol, 1));
    sb_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.task = t;
    spec.reward_src = verify_reward;
    spec.mode = "verify";
    spec.args = args;
    spec.threads = 1;
    sb_limits_default(&spec.limits);
    spec.limits.wall_seconds = 600;
    spec.limits.cpu_seconds = 600;
    sb_result r;
    sandbox_run(&spec, NULL, NULL, &r);
    cJSON_Delete(args);
    const cJSON *f = r.result ? cJSON_GetObjectItemCaseSensitive(r.result, "fitness") : NULL;
    int rc = ERR_OK;
    if (r.status != SB_OK || !cJSON_IsNumber(f))
        rc = err_set(e, ERR_RUNTIME, "could not re-measure the policy: %s: %s", sb_status_name(r.status),
                     r.message);
    else
        *fitness = f->valuedouble;
    sb_result_free(&r);
    return rc;
}

// A finished training: its reported fitness must be what its policy scores in a clean
// worker. A mismatch means the reward interfered with its trainer: bad_reward, and the
// untrusted result is dropped.
static void verify_training(const task_def *t, judge_verdict *v) {
    if (v->status != SB_OK || !v->result) return;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(v->result, "fitness");
    double again = 0;
    err_info e = {0};
    if (judge_verify(t, v->result, &again, &e)) {
        v->status = SB_ERROR;
        snprintf(v->message, sizeof v->message, "%s", e.msg);
    } else if (!cJSON_IsNumber(f) || again != f->valuedouble) {
        v->status = SB_REWARD;
        snprintf(v->message, sizeof v->message, "the training worker reported fitness %.4g but its policy "
                 "scores %.4g in a clean worker: the reward interfered with the trainer (it must only compute "
                 "from its state)", cJSON_IsNumber(f) ? f->valuedouble : NAN, again);
    } else {
        return;
    }
    judge_verdict_free(v);
}

// The worker spec of job j (args owned by the caller afterwards).
static sb_spec spec_for(const task_def *t, const judge_job *j, cJSON **args) {
    sb_spec s;
    memset(&s, 0, sizeof s);
    s.task = t;
    s.reward_src = j->reward_src;
    *args = cJSON_CreateObject();
    if (j->mode == JUDGE_CHECK) {
        s.mode = "check";
        cJSON_AddNumberToObject(*args, "calls", j->check_calls > 0 ? j->check_calls : 512);
        cJSON_AddNumberToObject(*args, "envs", 8);
        cJSON_AddNumberToObject(*args, "seed", 1);
        s.threads = 1;
    } else {
        s.mode = "train";
        cJSON_AddItemToObject(*args, "cfg", train_cfg_json(&j->cfg));
        s.threads = j->cfg.threads > 0 ? j->cfg.threads : 1;
    }
    s.args = *args;
    judge_limits(t, j, &s.limits);
    return s;
}

typedef struct pool {
    const judge_opts *o;
    judge_job *jobs;
    int *index;             // slot -> job index
} pool;

static void pool_progress(void *ctx, int slot, const cJSON *obj) {
    pool *pl = ctx;
    if (!pl->o->on_progress) return;
    const judge_job *j = &pl->jobs[pl->index[slot]];
    judge_progress p = {j, 0, j->cfg.steps, 0, NAN};
    const cJSON *x;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "steps")) && cJSON_IsNumber(x)) p.steps = (long)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "total")) && cJSON_IsNumber(x)) p.total = (long)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "sps")) && cJSON_IsNumber(x)) p.sps = x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "fitness")) && cJSON_IsNumber(x)) p.fitness = x->valuedouble;
    pl->o->on_progress(pl->o->ctx, &p);
}

static void finish_job(const judge_opts *o, judge_job *j, int i, sb_result *r, judge_verdict *out) {
    verdict_from(&out[i], r);
    if (j->mode == JUDGE_TRAIN) verify_training(o->task, &out[i]);
    if (out[i].status == SB_OK && !out[i].result) {
        out[i].status = SB_ERROR;
        snprintf(out[i].message, sizeof out[i].message, "the worker returned no result");
    }
    if (o->on_done) o->on_done(o->ctx, i, &out[i]);
}

int judge_run(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out) {
    int par = o->parallel < 1 ? 1 : o->parallel > JUDGE_MAX_PARALLEL ? JUDGE_MAX_PARALLEL : o->parallel;
    sb_proc *procs[JUDGE_MAX_PARALLEL];
    int index[JUDGE_MAX_PARALLEL];
    pool pl = {o, jobs, index};
    int running = 0, next = 0, ended = 0;
    while (next < n || running > 0) {
        int stopping = o->stop && *o->stop;
        while (!stopping && running < par && next < n) {
            int i = next++;
            judge_job *j = &jobs[i];
            if (j->skip) continue;
            cJSON *args = NULL;
            sb_spec spec = spec_for(o->task, j, &args);
            err_info e = {0};
            sb_proc *p = sandbox_start(&spec, &e);
            cJSON_Delete(args);
            if (!p) {
                sb_result r;
                memset(&r, 0, sizeof r);
                r.status = SB_ERROR;
                r.syscall_nr = -1;
                snprintf(r.message, sizeof r.message, "could not start a worker: %.400s", e.msg);
                finish_job(o, j, i, &r, out);
                ended++;
                continue;
            }
            procs[running] = p;
            index[running] = i;
            running++;
        }
        if (stopping) {
            for (int r = 0; r < running; r++) sandbox_kill(procs[r]);
            for (int r = 0; r < running; r++) {
                sb_result res;
                sandbox_finish(procs[r], &res);
                verdict_from(&out[index[r]], &res);
                out[index[r]].status = SB_INTERRUPTED;
                judge_verdict_free(&out[index[r]]);
            }
            return -1;
        }
        if (running == 0) continue;
        sandbox_poll(procs, running, 200, pool_progress, &pl);
        for (int r = 0; r < running;) {
            if (!sandbox_done(procs[r])) { r++; continue; }
            int i = index[r];
            sb_result res;
            sandbox_finish(procs[r], &res);
            procs[r] = procs[running - 1];
            index[r] = index[running - 1];
            running--;
            finish_job(o, &jobs[i], i, &res, out);
            ended++;
        }
    }
    return ended;
}

void judge_one(const task_def *t, judge_job *job, void (*on_progress)(void *ctx, const judge_progress *p),
               void *ctx, volatile sig_atomic_t *stop, judge_verdict *out) {
    judge_opts o = {t, 1, stop, on_progress, NULL, ctx};
    memset(out, 0, sizeof *out);
    if (judge_run(&o, job, 1, out) < 0 && out->status != SB_INTERRUPTED) out->status = SB_INTERRUPTED;
}
