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
#include "util/base64.h"
#include "util/stats.h"

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

int judge_robust_cases(const task_def *t) { return JUDGE_ROBUST_FACTOR * (t->n_eval > 0 ? t->n_eval : 1); }

int judge_same(double a, double b) {
    if (a == b) return 1;
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return isfinite(a) && isfinite(b) && fabs(a - b) <= 1e-12 * (m > 1 ? m : 1);
}

int judge_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

void judge_verdict_free(judge_verdict *v) {
    if (!v) return;
    cJSON_Delete(v->result);
    v->result = NULL;
    free(v->state);
    v->state = NULL;
    v->state_len = 0;
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

static cJSON *check_of(const cJSON *policy, int cases) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(c, "policy", (cJSON *)policy);
    cJSON_AddNumberToObject(c, "cases", cases);
    return c;
}

// The held-out cases the training measured its checkpoints on.
static int train_cases(const task_def *t, const cJSON *train) {
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(train, "checkpoints");
    const cJSON *cases = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ck, "cases"), 0);
    return cJSON_IsNumber(cases) && cases->valuedouble >= 1 && cases->valuedouble <= 100000
               ? (int)cases->valuedouble : t->n_eval;
}

// The verification worker for a list of (policy, cases) checks: the worker's "verify"
// mode, a reward that is never called, one thread. *args is owned by the caller.
static sb_spec checks_spec(const task_def *t, cJSON *checks, cJSON **args) {
    *args = cJSON_CreateObject();
    cJSON_AddItemToObject(*args, "checks", checks);
    sb_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.task = t;
    spec.reward_src = verify_reward;
    spec.mode = "verify";
    spec.args = *args;
    spec.threads = 1;
    sb_limits_default(&spec.limits);
    spec.limits.wall_seconds = 900;
    spec.limits.cpu_seconds = 900;
    return spec;
}

// fit[i], sd[i] and graded[i] (may be NULL) of the n checks from the verification
// worker's ending.
static int checks_result(const sb_result *r, int n, double *fit, double *sd, double *graded, err_info *e) {
    const cJSON *evals = r->result ? cJSON_GetObjectItemCaseSensitive(r->result, "evals") : NULL;
    if (r->status != SB_OK || cJSON_GetArraySize(evals) != n)
        return err_set(e, ERR_RUNTIME, "could not re-measure the policy: %s: %s", sb_status_name(r->status),
                       r->message[0] ? r->message : "no result");
    for (int i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(evals, i);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(x, "fitness");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(x, "fitness_sd");
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(x, "graded");
        if (!cJSON_IsNumber(f) || !cJSON_IsNumber(s) || !cJSON_IsNumber(g))
            return err_set(e, ERR_RUNTIME, "could not re-measure the policy: malformed result");
        fit[i] = f->valuedouble;
        sd[i] = s->valuedouble;
        if (graded) graded[i] = g->valuedouble;
    }
    return ERR_OK;
}

int judge_verify(const task_def *t, const cJSON *train, double *fitness, err_info *e) {
    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(train, "policy");
    if (!cJSON_IsObject(pol)) return err_set(e, ERR_PARSE, "the training result holds no policy to verify");
    cJSON *checks = cJSON_CreateArray(), *args;
    cJSON_AddItemToArray(checks, check_of(pol, train_cases(t, train)));
    sb_spec spec = checks_spec(t, checks, &args);
    sb_result r;
    sandbox_run(&spec, NULL, NULL, &r);
    cJSON_Delete(args);
    double sd;
    int rc = checks_result(&r, 1, fitness, &sd, NULL, e);
    sb_result_free(&r);
    return rc;
}

// The checks of a training's measurement: its best policy on its own held-out set, then
// each recent policy on `cases` cases. NULL (and e) when train has no policies.
static cJSON *measure_checks(const task_def *t, const cJSON *train, int cases, int *n_recent, err_info *e) {
    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(train, "policy");
    const cJSON *recent = cJSON_GetObjectItemCaseSensitive(train, "recent_policies");
    *n_recent = cJSON_GetArraySize(recent);
    if (!cJSON_IsObject(pol) || *n_recent < 1 || *n_recent > 16) {
        err_set(e, ERR_PARSE, "the training result holds no policies to measure");
        return NULL;
    }
    cJSON *checks = cJSON_CreateArray();
    cJSON_AddItemToArray(checks, check_of(pol, train_cases(t, train)));
    const cJSON *r;
    cJSON_ArrayForEach(r, recent)
        cJSON_AddItemToArray(checks, check_of(cJSON_GetObjectItemCaseSensitive(r, "policy"), cases));
    return checks;
}

// The measurement from the checks' results.
static void measure_from(const task_def *t, const double *fit, const double *sd, const double *graded,
                         int n_recent, int cases, judge_measure *m) {
    memset(m, 0, sizeof *m);
    m->fitness = fit[0];
    m->n_policies = n_recent;
    m->cases = cases;
    double sum = 0, sdsum = 0, gsum = 0;
    for (int i = 1; i <= n_recent; i++) { sum += fit[i]; sdsum += sd[i]; gsum += graded[i]; }
    m->robust = sum / n_recent;
    m->graded = gsum / n_recent;
    m->has_graded = t->graded != NULL;
    // The interval of one policy's mean over `cases` episodes: the recent policies share
    // their held-out cases, so their average is not more certain than one of them.
    if (t->success_rate) {
        stats_wilson(m->robust, cases, &m->ci_low, &m->ci_high);
    } else {
        double half = 1.959963984540054 * (sdsum / n_recent) / sqrt((double)cases);
        m->ci_low = m->robust - half;
        m->ci_high = m->robust + half;
    }
}

int judge_measure_train(const task_def *t, const cJSON *train, int cases, judge_measure *m, err_info *e) {
    if (cases < 1) cases = judge_robust_cases(t);
    int nr;
    cJSON *checks = measure_checks(t, train, cases, &nr, e), *args;
    if (!checks) return e ? e->code : ERR_PARSE;
    sb_spec spec = checks_spec(t, checks, &args);
    sb_result r;
    sandbox_run(&spec, NULL, NULL, &r);
    cJSON_Delete(args);
    double fit[17], sd[17], graded[17];
    int rc = checks_result(&r, nr + 1, fit, sd, graded, e);
    sb_result_free(&r);
    if (!rc) measure_from(t, fit, sd, graded, nr, cases, m);
    return rc;
}

void judge_measure_write(cJSON *train, const judge_measure *m) {
    const char *fields[] = {"fitness_robust", "fitness_ci", "robust_cases", "fitness_graded"};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        cJSON_DeleteItemFromObjectCaseSensitive(train, fields[k]);
    cJSON_AddNumberToObject(train, "fitness_robust", m->robust);
    cJSON *ci = cJSON_AddArrayToObject(train, "fitness_ci");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci_low));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci_high));
    cJSON_AddNumberToObject(train, "robust_cases", m->cases);
    if (m->has_graded) cJSON_AddNumberToObject(train, "fitness_graded", m->graded);
}

// Apply a training's measurement to its verdict: the reported fitness must be what its
// best policy scores in a clean worker (else the reward interfered with its trainer:
// bad_reward, and the untrusted result is dropped); the robust statistic goes into
// train.json. rc != ERR_OK: the measurement itself failed (message in e).
static void apply_measure(judge_verdict *v, int rc, const err_info *e, const judge_measure *m) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(v->result, "fitness");
    if (rc) {
        v->status = SB_ERROR;
        snprintf(v->message, sizeof v->message, "%s", e->msg);
    } else if (!cJSON_IsNumber(f) || !judge_same(m->fitness, f->valuedouble)) {
        v->status = SB_REWARD;
        snprintf(v->message, sizeof v->message, "the training worker reported fitness %.4g but its policy "
                 "scores %.4g in a clean worker: the reward interfered with the trainer (it must only compute "
                 "from its state)", cJSON_IsNumber(f) ? f->valuedouble : NAN, m->fitness);
    } else {
        judge_measure_write(v->result, m);
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
        if (j->state) {
            char *b64 = base64_encode(j->state, j->state_len);
            if (b64) cJSON_AddStringToObject(*args, "state", b64);
            free(b64);
        }
        s.threads = j->cfg.threads > 0 ? j->cfg.threads : 1;
        // train.json with its policies, and the saved state, base64'd.
        s.limits.out_cap = (size_t)(JUDGE_STATE_MAX / 3 * 4) + ((size_t)16 << 20);
    }
    s.args = *args;
    size_t cap = s.limits.out_cap;
    judge_limits(t, j, &s.limits);
    if (cap) s.limits.out_cap = cap;
    return s;
}

// A slot of the pool: a job's training worker, then its verification worker.
typedef struct slot {
    sb_proc *proc;
    int job;
    int verifying;          // the training ended well; this is the clean re-measurement
    int n_recent, cases;    // of the verification's checks
} slot;

typedef struct pool {
    const judge_opts *o;
    judge_job *jobs;
    judge_verdict *out;
    slot slots[JUDGE_MAX_PARALLEL];
    int running;
    int ended;
} pool;

static void pool_progress(void *ctx, int index, const cJSON *obj) {
    pool *pl = ctx;
    const slot *sl = &pl->slots[index];
    if (!pl->o->on_progress || sl->verifying) return;
    const judge_job *j = &pl->jobs[sl->job];
    judge_progress p = {j, 0, j->cfg.steps, 0, NAN};
    const cJSON *x;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "steps")) && cJSON_IsNumber(x)) p.steps = (long)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "total")) && cJSON_IsNumber(x)) p.total = (long)x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "sps")) && cJSON_IsNumber(x)) p.sps = x->valuedouble;
    if ((x = cJSON_GetObjectItemCaseSensitive(obj, "fitness")) && cJSON_IsNumber(x)) p.fitness = x->valuedouble;
    pl->o->on_progress(pl->o->ctx, &p);
}

// Move the saved state out of a training's result (it travels base64'd next to train.json).
static void take_state(judge_verdict *v) {
    if (v->status != SB_OK || !v->result) return;
    cJSON *st = cJSON_DetachItemFromObjectCaseSensitive(v->result, "state");
    const char *b64 = cJSON_GetStringValue(st);
    err_info e = {0};
    if (b64 && base64_decode(b64, JUDGE_STATE_MAX, &v->state, &v->state_len, &e)) {
        v->status = SB_ERROR;
        snprintf(v->message, sizeof v->message, "the training's saved state is unreadable: %.400s", e.msg);
        judge_verdict_free(v);
    }
    cJSON_Delete(st);
}

// The job of slot k is over: its verdict is final.
static void job_ended(pool *pl, int i) {
    judge_verdict *v = &pl->out[i];
    if (v->status == SB_OK && !v->result) {
        v->status = SB_ERROR;
        snprintf(v->message, sizeof v->message, "the worker returned no result");
    }
    pl->ended++;
    if (pl->o->on_done) pl->o->on_done(pl->o->ctx, i, v);
}

static void error_verdict(judge_verdict *v, sb_status st, const char *fmt, const char *msg) {
    judge_verdict_free(v);
    v->status = st;
    snprintf(v->message, sizeof v->message, fmt, msg);
}

// Start job i's training (or check) worker in a new slot; a job that cannot start ends.
static void start_job(pool *pl, int i) {
    judge_job *j = &pl->jobs[i];
    cJSON *args = NULL;
    sb_spec spec = spec_for(pl->o->task, j, &args);
    err_info e = {0};
    sb_proc *p = sandbox_start(&spec, &e);
    cJSON_Delete(args);
    if (!p) {
        memset(&pl->out[i], 0, sizeof pl->out[i]);
        error_verdict(&pl->out[i], SB_ERROR, "could not start a worker: %.400s", e.msg);
        job_ended(pl, i);
        return;
    }
    pl->slots[pl->running++] = (slot){p, i, 0, 0, 0};
}

// Slot k's worker ended: a training goes on to its verification in the same slot,
// anything else is final. Returns 1 when the slot is free now.
static int slot_ended(pool *pl, int k) {
    slot *sl = &pl->slots[k];
    int i = sl->job;
    judge_verdict *v = &pl->out[i];
    sb_result r;
    sandbox_finish(sl->proc, &r);
    sl->proc = NULL;
    if (sl->verifying) {
        double fit[17], sd[17], graded[17];
        err_info e = {0};
        judge_measure m;
        int rc = checks_result(&r, sl->n_recent + 1, fit, sd, graded, &e);
        if (!rc) measure_from(pl->o->task, fit, sd, graded, sl->n_recent, sl->cases, &m);
        apply_measure(v, rc, &e, &m);
        v->seconds += r.seconds;
        sb_result_free(&r);
        job_ended(pl, i);
        return 1;
    }
    double secs = r.seconds;
    verdict_from(v, &r);
    judge_job *j = &pl->jobs[i];
    if (j->mode != JUDGE_TRAIN || v->status != SB_OK) { job_ended(pl, i); return 1; }
    take_state(v);
    int cases = j->robust_cases > 0 ? j->robust_cases : judge_robust_cases(pl->o->task), nr = 0;
    err_info e = {0};
    cJSON *checks = v->status == SB_OK ? measure_checks(pl->o->task, v->result, cases, &nr, &e) : NULL;
    if (!checks) {
        if (v->status == SB_OK) error_verdict(v, SB_ERROR, "%s", e.msg);
        job_ended(pl, i);
        return 1;
    }
    cJSON *args;
    sb_spec spec = checks_spec(pl->o->task, checks, &args);
    sb_proc *p = sandbox_start(&spec, &e);
    cJSON_Delete(args);
    if (!p) {
        error_verdict(v, SB_ERROR, "could not start the verification worker: %.400s", e.msg);
        job_ended(pl, i);
        return 1;
    }
    v->seconds = secs;
    *sl = (slot){p, i, 1, nr, cases};
    return 0;
}

// Process-wide: a process is either a cluster's driver or not, for its whole life.
static judge_runner runner;

void judge_set_runner(judge_runner r) { runner = r; }

int judge_run(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out) {
    return runner ? runner(o, jobs, n, out) : judge_run_local(o, jobs, n, out);
}

int judge_width(int n, int parallel) {
    int par = parallel < 1 ? 1 : parallel > JUDGE_MAX_PARALLEL ? JUDGE_MAX_PARALLEL : parallel;
    return n > par && n < 2 * par && n <= JUDGE_MAX_PARALLEL ? n : par;
}

int judge_run_local(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out) {
    // Trainings capped by wall clock keep their cores: shared, each would train less.
    int todo = 0, capped = 0;
    for (int i = 0; i < n; i++) {
        todo += !jobs[i].skip;
        capped |= !jobs[i].skip && jobs[i].mode == JUDGE_TRAIN && jobs[i].cfg.max_seconds > 0;
    }
    int par = capped ? judge_width(1, o->parallel) : judge_width(todo, o->parallel);
    pool pl;
    memset(&pl, 0, sizeof pl);
    pl.o = o;
    pl.jobs = jobs;
    pl.out = out;
    int next = 0;
    while (next < n || pl.running > 0) {
        int stopping = o->stop && *o->stop;
        while (!stopping && pl.running < par && next < n) {
            int i = next++;
            if (!jobs[i].skip) start_job(&pl, i);
        }
        if (stopping) {
            for (int k = 0; k < pl.running; k++) sandbox_kill(pl.slots[k].proc);
            for (int k = 0; k < pl.running; k++) {
                sb_result res;
                sandbox_finish(pl.slots[k].proc, &res);
                sb_result_free(&res);
                judge_verdict *v = &out[pl.slots[k].job];
                if (!pl.slots[k].verifying) memset(v, 0, sizeof *v);
                error_verdict(v, SB_INTERRUPTED, "%s", "stopped before it finished (interrupted)");
            }
            return -1;
        }
        if (pl.running == 0) continue;
        sb_proc *procs[JUDGE_MAX_PARALLEL];
        for (int k = 0; k < pl.running; k++) procs[k] = pl.slots[k].proc;
        sandbox_poll(procs, pl.running, 200, pool_progress, &pl);
        for (int k = 0; k < pl.running;) {
            if (!sandbox_done(pl.slots[k].proc) || !slot_ended(&pl, k)) { k++; continue; }
            pl.slots[k] = pl.slots[--pl.running];
        }
    }
    return pl.ended;
}

void judge_one(const task_def *t, judge_job *job, void (*on_progress)(void *ctx, const judge_progress *p),
               void *ctx, volatile sig_atomic_t *stop, judge_verdict *out) {
    judge_opts o = {t, 1, stop, on_progress, NULL, ctx};
    memset(out, 0, sizeof *out);
    judge_run(&o, job, 1, out);
}
