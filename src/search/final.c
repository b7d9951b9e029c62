// final.c: the re-check and the final evaluation (see final.h).
#include "search/final.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward/rcomp.h"
#include "util/stats.h"

// A result read back from the run directory counts only when its saved policy scores, in
// a clean worker, exactly the fitness recorded for it: someone else's run may have been
// edited. 1 when it does (*out = the re-measured fitness); else an event says why.
static int verified_fitness(search *S, const cJSON *train, double recorded, const char *what,
                            double *out) {
    err_info ve = {0};
    double again = 0;
    int rc = judge_verify(S->t, train, &again, &ve);
    if (rc == ERR_OK && judge_same(again, recorded)) { *out = again; return 1; }
    char msg[ERR_MSG_MAX];
    if (rc) snprintf(msg, sizeof msg, "%s", ve.msg);
    else snprintf(msg, sizeof msg, "recorded fitness %.6g, but its saved policy scores %.6g", recorded, again);
    search_reject(S, what, msg);
    return 0;
}

// The judge job that trains src for steps with seed; a --timeout given by the user
// scales with the budget, else the judge's formula decides.
static judge_job train_job(const search *S, const char *src, long steps, uint64_t seed) {
    train_cfg cfg = S->c->trainer;
    cfg.steps = steps;
    cfg.max_seconds = S->c->train_seconds;
    cfg.threads = S->threads;
    cfg.seed = seed;
    judge_job j = judge_job_train(S->t, src, &cfg);
    if (S->timeout > 0) j.timeout_s = S->timeout * ((double)steps / (double)S->steps);
    return j;
}

// Make w the overall best: best.c, best.json (with the re-check's table when there is
// one: owned, consumed) and the summary's numbers.
int final_set_best(search *S, const finalist *w, cJSON *finalists, err_info *e) {
    S->sum->best_iteration = w->iteration;
    S->sum->best_sample = w->sample;
    S->sum->best_fitness = w->fitness;
    S->sum->best_robust = w->judged;
    S->sum->best_ci_low = w->ci_low;
    S->sum->best_ci_high = w->ci_high;
    int rc = run_write_text(S->dir, RUN_BEST_C, w->code, e);
    if (rc) { cJSON_Delete(finalists); return rc; }
    cJSON *bj = cJSON_CreateObject();
    cJSON_AddNumberToObject(bj, "iteration", w->iteration);
    cJSON_AddNumberToObject(bj, "sample", w->sample);
    cJSON_AddNumberToObject(bj, "fitness", w->fitness);
    cJSON_AddNumberToObject(bj, "fitness_robust", w->judged);
    cJSON *ci = cJSON_AddArrayToObject(bj, "fitness_ci");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(w->ci_low));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(w->ci_high));
    if (finalists) cJSON_AddItemToObject(bj, "finalists", finalists);
    rc = run_write_json(S->dir, RUN_BEST_JSON, bj, e);
    search_emit(S, "best_updated", bj);
    return rc;
}

// A re-check training's judge job: a candidate's full budget, checkpoints and held-out
// cases, on a seed of its own.
static judge_job recheck_job(const search *S, const finalist *w) {
    judge_job j = train_job(S, w->code, S->steps, search_recheck_seed(S->c->seed, w->iteration, w->sample));
    j.cfg.ck_interval = S->ck_interval;
    j.robust_cases = S->c->robust_cases;
    j.iteration = w->iteration;     // progress: the finalist's name, rung 0
    j.sample = w->sample;
    return j;
}

// The re-check (finalists.h): the best --finalists iteration winners trained again on a
// fresh seed; the overall best becomes the one with the highest mean of its two judged
// values. A re-check finished by an earlier run is kept when its policies score what
// it recorded. Nothing to do with fewer than two distinct winners.
int final_recheck(search *S, err_info *e) {
    int idx[FINALISTS_MAX];
    int n = finalists_choose(S->wins, S->n_wins, S->c->finalists, idx);
    if (n < 2) return ERR_OK;
    judge_job jobs[FINALISTS_MAX];
    judge_verdict vd[FINALISTS_MAX];
    memset(vd, 0, sizeof vd);
    for (int i = 0; i < n; i++) {
        finalist *w = &S->wins[idx[i]];
        char rel[128];
        jobs[i] = recheck_job(S, w);
        if (run_final_rel(rel, sizeof rel, w->iteration, w->sample, RUN_TRAIN, e)) return e->code;
        cJSON *tr = run_has(S->dir, rel) ? run_read_json(S->dir, rel, NULL) : NULL;
        if (tr) {
            err_info ve = {0};
            judge_measure m;
            double rf = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tr, "fitness"));
            double rr = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tr, "fitness_robust"));
            if (judge_measure_train(S->t, tr, 0, &m, &ve) == ERR_OK && judge_same(m.fitness, rf) &&
                judge_same(m.robust, rr)) {
                jobs[i].skip = 1;
                w->again = rr;      // as recorded (equal within rounding): the same pick every time
            } else {
                search_reject(S, rel, ve.code ? ve.msg : "recorded fitness does not match its saved policies");
            }
        }
        cJSON_Delete(tr);
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "finalists", n);
    search_emit(S, "recheck_start", ev);
    search_train(S, jobs, n, vd);
    int rc = search_interrupted(S, e) ? e->code : ERR_OK;
    cJSON *table = cJSON_CreateArray();
    for (int i = 0; i < n && !rc; i++) {
        finalist *w = &S->wins[idx[i]];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "iteration", w->iteration);
        cJSON_AddNumberToObject(x, "sample", w->sample);
        cJSON_AddNumberToObject(x, "seed", (double)jobs[i].cfg.seed);
        cJSON_AddBoolToObject(x, "reused", jobs[i].skip);     // finished by an earlier run
        if (!jobs[i].skip) {
            // A reward that fails on another seed is not one to hand on: it counts as 0.
            w->again = 0;
            if (vd[i].status == SB_OK && vd[i].result) {
                double r = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(vd[i].result, "fitness_robust"));
                w->again = isnan(r) ? 0 : r;
                char dir[128];
                if (!(rc = run_final_rel(dir, sizeof dir, w->iteration, w->sample, NULL, e)))
                    rc = run_write_train(S->dir, dir, vd[i].result, e);
            } else {
                cJSON_AddStringToObject(x, "status", sb_status_name(vd[i].status));
                cJSON_AddStringToObject(x, "message", vd[i].message);
            }
        }
        cJSON_AddNumberToObject(x, "judged", w->judged);
        cJSON_AddNumberToObject(x, "again", w->again);
        cJSON_AddNumberToObject(x, "mean", finalists_mean(w));
        cJSON_AddItemToArray(table, x);
    }
    for (int i = 0; i < n; i++) judge_verdict_free(&vd[i]);
    if (rc) { cJSON_Delete(table); return rc; }
    const finalist *p = &S->wins[finalists_pick(S->wins, idx, n)];
    cJSON *done = cJSON_CreateObject();
    cJSON_AddItemToObject(done, "finalists", cJSON_Duplicate(table, 1));
    cJSON_AddNumberToObject(done, "iteration", p->iteration);
    cJSON_AddNumberToObject(done, "sample", p->sample);
    search_emit(S, "recheck", done);
    return final_set_best(S, p, table, e);
}

// Final evaluation: the overall best trained with seeds 1..S (the same seeds as
// `eureka compare`, so its results can be reused there).
int final_eval(search *S, const char *best_src, err_info *e) {
    int n = S->c->eval_seeds;
    judge_job *jobs = calloc((size_t)n, sizeof *jobs);
    judge_verdict *vd = calloc((size_t)n, sizeof *vd);
    double *kept = calloc((size_t)n, sizeof *kept);     // verified fitness of a finished seed
    if (!jobs || !vd || !kept) {
        free(jobs); free(vd); free(kept);
        return err_set(e, ERR_NOMEM, "search: out of memory");
    }
    // The seeds an earlier run finished count only when they trained this reward (the
    // re-check may have picked another since): eval/reward.c says which one they trained.
    char *trained = run_has(S->dir, RUN_EVAL_REWARD) ? run_read_text(S->dir, RUN_EVAL_REWARD, RCOMP_MAX_SOURCE, NULL) : NULL;
    int same = trained && strcmp(trained, best_src) == 0;
    free(trained);
    int rc = same ? ERR_OK : run_write_text(S->dir, RUN_EVAL_REWARD, best_src, e);
    for (int i = 0; i < n && !rc; i++) {
        char rel[128];
        run_eval_rel(rel, sizeof rel, i + 1, RUN_TRAIN, NULL);
        jobs[i] = train_job(S, best_src, S->eval_steps, (uint64_t)(i + 1));
        jobs[i].cfg.max_seconds = 0;
        jobs[i].iteration = 0;
        jobs[i].sample = i + 1;
        // A seed finished by an earlier run is kept only when its policy scores what it
        // says; otherwise it is trained again.
        cJSON *tr = same && run_has(S->dir, rel) ? run_read_json(S->dir, rel, NULL) : NULL;
        const cJSON *f = cJSON_GetObjectItem(tr, "fitness");
        jobs[i].skip = cJSON_IsNumber(f) && verified_fitness(S, tr, f->valuedouble, rel, &kept[i]);
        cJSON_Delete(tr);
    }
    if (!rc) {
        search_emit(S, "eval_start", NULL);
        search_train(S, jobs, n, vd);
    }
    if (rc || search_interrupted(S, e)) {
        for (int i = 0; i < n; i++) judge_verdict_free(&vd[i]);
        free(jobs);
        free(vd);
        free(kept);
        return rc ? rc : (int)e->code;
    }
    double fit[64];
    int got = 0;
    cJSON *fits = cJSON_CreateArray();
    for (int i = 0; i < n && !rc; i++) {
        char rel[128];
        cJSON *tr = NULL;
        if (jobs[i].skip) {
            if (got < 64) fit[got++] = kept[i];
            cJSON_AddItemToArray(fits, cJSON_CreateNumber(kept[i]));
            continue;
        } else if (vd[i].status == SB_OK && vd[i].result) {
            tr = vd[i].result;
            vd[i].result = NULL;
            run_eval_rel(rel, sizeof rel, i + 1, NULL, NULL);
            if ((rc = run_write_train(S->dir, rel, tr, e))) { cJSON_Delete(tr); break; }
        }
        if (!tr) {
            cJSON *ev = cJSON_CreateObject();
            cJSON_AddNumberToObject(ev, "seed", i + 1);
            cJSON_AddStringToObject(ev, "status", sb_status_name(vd[i].status));
            cJSON_AddStringToObject(ev, "message", vd[i].message);
            search_emit(S, "eval_failed", ev);
            continue;
        }
        cJSON *f = cJSON_GetObjectItem(tr, "fitness");
        double x = cJSON_IsNumber(f) ? f->valuedouble : 0;
        cJSON_AddItemToArray(fits, cJSON_CreateNumber(x));
        if (got < 64) fit[got++] = x;
        cJSON_Delete(tr);
    }
    for (int i = 0; i < n; i++) judge_verdict_free(&vd[i]);
    free(jobs);
    free(vd);
    free(kept);
    if (rc) { cJSON_Delete(fits); return rc; }
    S->sum->eval_n = got;
    stats_mean_sd(fit, got, &S->sum->eval_mean, &S->sum->eval_std);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddItemToObject(ev, "fitness", fits);
    cJSON_AddNumberToObject(ev, "mean", S->sum->eval_mean);
    cJSON_AddNumberToObject(ev, "std", S->sum->eval_std);
    cJSON_AddNumberToObject(ev, "steps", (double)S->eval_steps);
    search_emit(S, "eval", ev);
    return ERR_OK;
}
