// halving.c: successive halving inside one iteration (see halving.h).
#include "judge/halving.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int halving_plan_make(int k, long full, long quantum, const double *frac, int n, halving_plan *p,
                      err_info *e) {
    memset(p, 0, sizeof *p);
    if (k < 1 || full < 1) return err_set(e, ERR_USAGE, "halving: no candidates or no budget");
    if (n < 1 || n > HALVING_MAX_RUNGS)
        return err_set(e, ERR_USAGE, "--rungs: give 1 to %d fractions of the full budget", HALVING_MAX_RUNGS);
    if (quantum < 1) quantum = 1;
    long prev = 0;
    for (int r = 0; r < n; r++) {
        if (!(frac[r] > 0 && frac[r] <= 1) || (r == n - 1 && frac[r] != 1))
            return err_set(e, ERR_USAGE, "--rungs: fractions in (0, 1], increasing, the last 1 (got %g)", frac[r]);
        long s = r == n - 1 ? full : (long)llround(frac[r] * (double)full / (double)quantum) * quantum;
        if (s <= prev)
            return err_set(e, ERR_USAGE, "--rungs: the rungs must end at increasing step counts (%ld after %ld)",
                           s, prev);
        p->steps[r] = s;
        p->keep[r] = r == 0 ? k : (p->keep[r - 1] + 1) / 2;
        prev = s;
    }
    p->n_rungs = n;
    p->graded_cut = 1;
    return ERR_OK;
}

int halving_plan_default(int k, long full, long quantum, halving_plan *p, err_info *e) {
    double frac[HALVING_MAX_RUNGS];
    int n = 0;
    int rc = halving_parse_fractions(HALVING_DEFAULT_RUNGS, frac, &n, e);
    return rc ? rc : halving_plan_make(k, full, quantum, frac, n, p, e);
}

int halving_parse_fractions(const char *text, double *frac, int *n, err_info *e) {
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        if (*n == HALVING_MAX_RUNGS)
            return err_set(e, ERR_USAGE, "--rungs %s: at most %d rungs", text, HALVING_MAX_RUNGS);
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno || (*end && *end != ','))
            return err_set(e, ERR_USAGE, "--rungs %s: give fractions of the full budget, e.g. 0.25,0.5,1", text);
        frac[(*n)++] = x;
        p = *end ? end + 1 : end;
    }
    if (*n == 0) return err_set(e, ERR_USAGE, "--rungs: give fractions of the full budget, e.g. 0.25,0.5,1");
    return ERR_OK;
}

long halving_plan_steps(const halving_plan *p) {
    long total = 0;
    for (int r = 0; r < p->n_rungs; r++) total += p->keep[r] * (p->steps[r] - (r ? p->steps[r - 1] : 0));
    return total;
}

// 1 when a is a better candidate than b: further, then higher score, then lower index.
static int better(const halving_cand *c, int a, int b) {
    const halving_cand *x = &c[a], *y = &c[b];
    int xa = x->src != NULL && x->v.status == SB_OK, ya = y->src != NULL && y->v.status == SB_OK;
    if (xa != ya) return xa;
    if (x->rungs_done != y->rungs_done) return x->rungs_done > y->rungs_done;
    if (x->score != y->score) return x->score > y->score;
    return a < b;
}

void halving_order(const halving_cand *c, int k, int *order) {
    for (int i = 0; i < k; i++) order[i] = i;
    for (int i = 1; i < k; i++)     // insertion sort: k is small, the order stable
        for (int j = i; j > 0 && better(c, order[j], order[j - 1]); j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

void halving_select(const halving_plan *plan, int r, halving_cand *c, int k) {
    if (r + 1 >= plan->n_rungs) return;
    int *order = malloc((size_t)k * sizeof *order);
    if (!order) return;
    halving_order(c, k, order);
    int kept = 0;
    for (int i = 0; i < k; i++) {
        halving_cand *x = &c[order[i]];
        int eligible = x->src && !x->out && x->rungs_done >= r + 1 && x->v.status == SB_OK;
        if (eligible && kept < plan->keep[r + 1]) kept++;
        else if (x->rungs_done <= r + 1) x->out = 1;
    }
    free(order);
}

int halving_rung_graded(const halving_plan *p, int rung) { return p->graded_cut && rung == 0 && p->n_rungs > 1; }

double halving_rung_score(const cJSON *result, const halving_plan *p, int rung) {
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(result, "fitness_graded");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(result, "fitness_robust");
    if (halving_rung_graded(p, rung) && cJSON_IsNumber(g)) return g->valuedouble;
    return cJSON_IsNumber(f) ? f->valuedouble : -INFINITY;
}

typedef struct run_ctx {
    const halving_opts *o;
    halving_cand *c;
    int *cand_of;
    const halving_plan *plan;
    int rung;
    int rc;
    err_info *e;
} run_ctx;

static void on_done(void *ctx, int i, judge_verdict *v) {
    run_ctx *rc = ctx;
    halving_cand *x = &rc->c[rc->cand_of[i]];
    judge_verdict_free(&x->v);
    x->v = *v;                          // take the verdict: result and state move over
    memset(v, 0, sizeof *v);
    x->rungs_done = rc->rung + 1;
    x->score = -INFINITY;
    if (x->v.status == SB_OK) x->score = halving_rung_score(x->v.result, rc->plan, rc->rung);
    else x->out = 1;
    if (rc->o->on_rung && !rc->rc) {
        err_info pe = {0};
        if (rc->o->on_rung(rc->o->ctx, rc->cand_of[i], rc->rung, x, &pe)) {
            rc->rc = pe.code ? (int)pe.code : ERR_IO;
            if (rc->e) *rc->e = pe;
        }
    }
}

static void progress_of(void *ctx, const judge_progress *p) {
    const halving_opts *o = ((run_ctx *)ctx)->o;
    if (o->jo.on_progress) o->jo.on_progress(o->jo.ctx, p);
}

int halving_run(const halving_opts *o, const halving_plan *plan, halving_cand *c, int k, err_info *e) {
    judge_job *jobs = calloc((size_t)k, sizeof *jobs);
    judge_verdict *vd = calloc((size_t)k, sizeof *vd);
    int *cand_of = calloc((size_t)k, sizeof *cand_of);
    if (!jobs || !vd || !cand_of) {
        free(jobs); free(vd); free(cand_of);
        return err_set(e, ERR_NOMEM, "halving: out of memory");
    }
    int rc = ERR_OK;
    for (int r = 0; r < plan->n_rungs && !rc; r++) {
        // Who trains in rung r: alive, and not past it already (a resumed iteration).
        if (r > 0) halving_select(plan, r - 1, c, k);
        int n = 0;
        for (int i = 0; i < k; i++) {
            halving_cand *x = &c[i];
            if (!x->src || x->out || x->frozen || x->rungs_done != r) continue;
            train_cfg cfg = o->base;
            cfg.steps = plan->steps[r];
            cfg.seed = x->seed;
            judge_job *j = &jobs[n];
            *j = judge_job_train(o->jo.task, x->src, &cfg);
            j->state = x->v.state;          // where its last rung stopped (NULL at rung 0)
            j->state_len = x->v.state_len;
            j->robust_cases = o->robust_cases;
            j->timeout_s = o->timeout_s;
            j->iteration = r + 1;
            j->sample = x->label;
            cand_of[n++] = i;
        }
        if (n == 0) continue;
        memset(vd, 0, (size_t)k * sizeof *vd);
        run_ctx ctx = {o, c, cand_of, plan, r, ERR_OK, e};
        judge_opts jo = o->jo;
        jo.on_progress = o->jo.on_progress ? progress_of : NULL;
        jo.on_done = on_done;
        jo.ctx = &ctx;
        int ended = judge_run(&jo, jobs, n, vd);
        for (int i = 0; i < n; i++) judge_verdict_free(&vd[i]);
        if (ctx.rc) rc = ctx.rc;
        else if (ended < 0) rc = err_set(e, ERR_RUNTIME, "interrupted");
    }
    free(jobs);
    free(vd);
    free(cand_of);
    return rc;
}

void halving_cands_free(halving_cand *c, int k) {
    for (int i = 0; c && i < k; i++) judge_verdict_free(&c[i].v);
}
