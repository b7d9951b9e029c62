// settings.c: defaults, seeds, the tournament's plan, run.json and --resume (see
// settings.h and search.h).
#include "search/settings.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rl/ppo.h"
#include "rl/train_cfg.h"

void search_cfg_default(search_cfg *c) {
    memset(c, 0, sizeof *c);
    llm_opts_default(&c->llm);
    c->iterations = 4;
    c->samples = 8;
    c->seed = 1;
    c->eval_seeds = 3;
    c->finalists = 2;
    c->retries = 2;
}

uint64_t search_candidate_seed(uint64_t run_seed, int iteration, int sample) {
    // splitmix64 over (seed, iteration, sample): distinct, stable streams.
    uint64_t z = run_seed * 0x9E3779B97F4A7C15ull + (uint64_t)iteration * 0xBF58476D1CE4E5B9ull +
                 (uint64_t)sample * 0x94D049BB133111EBull + 0x2545F4914F6CDD1Dull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    z &= (1ull << 53) - 1;  // a double holds it
    // Jobs and records carry the seed as a JSON number, and cJSON 1.7 prints a number
    // with 15 significant digits whenever that reads back within one part in 2^52: a
    // 16-digit seed could come back 1 off (13 of the 160 seeds of the five headline
    // searches did), and the worker trained with what came back. The seed is defined
    // as that value, so that it is exact in every JSON file and every search recorded
    // before this rule was written down reruns the same.
    char text[32];
    snprintf(text, sizeof text, "%1.15g", (double)z);
    double back = strtod(text, NULL), d = (double)z;
    if (fabs(back - d) <= fmax(fabs(back), fabs(d)) * DBL_EPSILON) z = (uint64_t)back;
    return z;
}

uint64_t search_recheck_seed(uint64_t run_seed, int iteration, int sample) {
    // Iterations stop at MAX_ITERATIONS, so these streams are no candidate's. At most
    // SEARCH_SEED_MAX, so that JSON files keep the seed exactly.
    return search_candidate_seed(run_seed, iteration + MAX_ITERATIONS + 1, sample) % ((uint64_t)SEARCH_SEED_MAX + 1);
}

int search_plan(const search_cfg *c, halving_plan *plan, long *ck_interval, long *eval_steps, err_info *e) {
    long task_steps = c->task->defaults.train_steps > 0 ? c->task->defaults.train_steps : 1000000;
    long full = c->train_steps > 0 ? c->train_steps : task_steps;
    *eval_steps = c->eval_steps > 0 ? c->eval_steps : full;
    // Rung ends sit on checkpoints, and checkpoints on update boundaries, so that a
    // candidate that goes on trains exactly as if it had never stopped.
    train_cfg dflt = c->trainer;
    train_cfg_defaults(&dflt, c->task);
    dflt.steps = full;
    int rc = ppo_check_cfg(c->task, &dflt, e);     // as every worker will, before any run file
    if (rc) return rc;
    long update = (long)dflt.n_envs * dflt.horizon;
    *ck_interval = (full / 20 + update - 1) / update * update;
    double frac[HALVING_MAX_RUNGS];
    int nfrac = 0;
    if (halving_parse_fractions(c->rungs ? c->rungs : HALVING_DEFAULT_RUNGS, frac, &nfrac, e))
        return e ? e->code : ERR_USAGE;
    rc = halving_plan_make(c->samples, full, *ck_interval, frac, nfrac, plan, e);
    plan->graded_cut = !c->first_cut_success;
    return rc;
}

// "backend model at url" of a run.json "llm" record, or of the client.
static void llm_line(char *buf, size_t n, const char *backend, const char *model, const char *url) {
    snprintf(buf, n, "%.32s %.96s%s%.300s", backend ? backend : "?", model ? model : "?",
             url ? " at " : "", url ? url : "");
}

// On resume: the connection is the user's; when it differs from the run's record, say so
// (an event the CLI shows on one line, kept in events.jsonl).
void settings_note_llm_change(search *S) {
    cJSON *r = run_read_json(S->dir, RUN_SETTINGS, NULL);
    const cJSON *l = cJSON_GetObjectItem(r, "llm");
    char was[512], now[512];
    llm_line(was, sizeof was, cJSON_GetStringValue(cJSON_GetObjectItem(l, "resolved_backend")),
             cJSON_GetStringValue(cJSON_GetObjectItem(l, "resolved_model")),
             cJSON_GetStringValue(cJSON_GetObjectItem(l, "base_url")));
    llm_line(now, sizeof now, llm_backend(S->llm), llm_model(S->llm), llm_base_url(S->llm));
    cJSON_Delete(r);
    if (strcmp(was, now) == 0) return;
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "recorded", was);
    cJSON_AddStringToObject(x, "now", now);
    search_emit(S, "llm_changed", x);
}

cJSON *settings_json(const search *S) {
    const search_cfg *c = S->c;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", S->t->name);
    cJSON *l = cJSON_AddObjectToObject(o, "llm");
    cJSON_AddStringToObject(l, "backend", c->llm.backend ? c->llm.backend : "auto");
    if (c->llm.model) cJSON_AddStringToObject(l, "model", c->llm.model);
    // The resolved URL, without the credentials it may have been given with.
    if (llm_base_url(S->llm)) cJSON_AddStringToObject(l, "base_url", llm_base_url(S->llm));
    cJSON_AddNumberToObject(l, "temperature", c->llm.temperature);
    cJSON_AddNumberToObject(l, "max_tokens", (double)c->llm.max_tokens);
    cJSON_AddNumberToObject(l, "max_tokens_total", (double)c->llm.max_tokens_total);
    cJSON_AddStringToObject(l, "resolved_backend", llm_backend(S->llm));
    cJSON_AddStringToObject(l, "resolved_model", llm_model(S->llm));
    cJSON_AddNumberToObject(o, "iterations", c->iterations);
    cJSON_AddNumberToObject(o, "samples", c->samples);
    cJSON_AddNumberToObject(o, "jobs", S->jobs);
    cJSON_AddNumberToObject(o, "threads", S->threads);
    cJSON_AddNumberToObject(o, "train_steps", (double)S->steps);
    cJSON_AddNumberToObject(o, "train_seconds", c->train_seconds);
    cJSON_AddNumberToObject(o, "timeout_s", S->timeout);
    cJSON_AddNumberToObject(o, "seed", (double)c->seed);
    cJSON_AddBoolToObject(o, "init_human", c->init_human);
    cJSON_AddBoolToObject(o, "human_feedback", c->human_feedback);
    cJSON_AddNumberToObject(o, "eval_seeds", c->eval_seeds);
    cJSON_AddNumberToObject(o, "eval_steps", (double)S->eval_steps);
    cJSON_AddNumberToObject(o, "finalists", c->finalists);
    cJSON_AddNumberToObject(o, "retries", c->retries);
    cJSON_AddStringToObject(o, "rungs", c->rungs ? c->rungs : HALVING_DEFAULT_RUNGS);
    cJSON_AddStringToObject(o, "first_cut", c->first_cut_success ? "success" : "graded");
    cJSON *rg = cJSON_AddArrayToObject(o, "rung_steps");
    for (int r = 0; r < S->plan.n_rungs; r++) cJSON_AddItemToArray(rg, cJSON_CreateNumber((double)S->plan.steps[r]));
    cJSON_AddNumberToObject(o, "ck_interval", (double)S->ck_interval);
    cJSON_AddNumberToObject(o, "robust_cases", c->robust_cases > 0 ? c->robust_cases : judge_robust_cases(S->t));
    cJSON_AddStringToObject(o, "context", c->context_eureka ? "eureka" : "elitist");
    cJSON_AddItemToObject(o, "trainer", train_cfg_json(&c->trainer));
    cJSON *v = cJSON_AddObjectToObject(o, "versions");
    cJSON_AddStringToObject(v, "eureka", EUREKA_VERSION);
    cJSON_AddStringToObject(v, "mujoco", mj_versionString());
    cJSON_AddNumberToObject(o, "cores", judge_cores());
    time_t now = time(NULL);
    char stamp[32];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(o, "created", stamp);
    return o;
}

int search_resume_cfg(const char *dir, search_cfg *c, cJSON **hold, err_info *e) {
    cJSON *r = run_read_json(dir, RUN_SETTINGS, e);
    if (!r) return err_wrap(e, "--resume %s", dir);
    const char *task = cJSON_GetStringValue(cJSON_GetObjectItem(r, "task"));
    c->task = task ? task_find(task) : NULL;
    if (!c->task) {
        cJSON_Delete(r);
        return err_set(e, ERR_PARSE, "%s/run.json: no known task (is this a search run?)", dir);
    }
    cJSON *l = cJSON_GetObjectItem(r, "llm");
    // Numbers from a file are range-checked before they are converted (an out-of-range
    // conversion is undefined behaviour); check_cfg then applies the options' own rules.
    const char *bad = NULL;
#define NUM(obj, key, dst, type, lo, hi) do { cJSON *n_ = cJSON_GetObjectItem(obj, key); \
        if (cJSON_IsNumber(n_)) { if (n_->valuedouble >= (lo) && n_->valuedouble <= (hi)) \
            dst = (type)n_->valuedouble; else bad = key; } } while (0)
    NUM(l, "temperature", c->llm.temperature, double, 0, 100);
    NUM(l, "max_tokens", c->llm.max_tokens, long, 0, 1e9);
    NUM(l, "max_tokens_total", c->llm.max_tokens_total, long, 0, 1e15);
    NUM(r, "iterations", c->iterations, int, 0, 1e6);
    NUM(r, "samples", c->samples, int, 0, 1e6);
    NUM(r, "jobs", c->jobs, int, 0, 1e6);
    NUM(r, "threads", c->threads, int, 0, 1e6);
    NUM(r, "train_steps", c->train_steps, long, 0, 1e15);
    NUM(r, "train_seconds", c->train_seconds, double, 0, 1e9);
    NUM(r, "timeout_s", c->timeout_s, double, 0, 1e9);
    NUM(r, "seed", c->seed, uint64_t, 0, (double)SEARCH_SEED_MAX);
    NUM(r, "eval_seeds", c->eval_seeds, int, 0, 1e6);
    NUM(r, "eval_steps", c->eval_steps, long, 0, 1e15);
    NUM(r, "retries", c->retries, int, 0, 1e6);
    NUM(r, "finalists", c->finalists, int, 0, 1e6);     // absent (older runs): the default
    NUM(r, "robust_cases", c->robust_cases, int, 0, 1e6);
#undef NUM
    const char *rungs = cJSON_GetStringValue(cJSON_GetObjectItem(r, "rungs"));
    if (rungs) c->rungs = rungs;
    // Runs made before --first-cut have none: the graded cut, as they ran.
    const char *cut = cJSON_GetStringValue(cJSON_GetObjectItem(r, "first_cut"));
    if (cut && strcmp(cut, "graded") != 0 && strcmp(cut, "success") != 0) bad = "first_cut";
    c->first_cut_success = cut && strcmp(cut, "success") == 0;
    const char *ctx = cJSON_GetStringValue(cJSON_GetObjectItem(r, "context"));
    c->context_eureka = ctx && strcmp(ctx, "eureka") == 0;
    c->init_human = cJSON_IsTrue(cJSON_GetObjectItem(r, "init_human"));
    c->human_feedback = cJSON_IsTrue(cJSON_GetObjectItem(r, "human_feedback"));
    if (bad) {
        cJSON_Delete(r);
        return err_set(e, ERR_PARSE, "%s/run.json: \"%s\" is out of range (the file was edited)", dir, bad);
    }
    // Runs made before --set reached search have no "trainer": the defaults, as they had.
    const cJSON *tr = cJSON_GetObjectItem(r, "trainer");
    if (tr && train_cfg_from_json(&c->trainer, tr, e)) {
        cJSON_Delete(r);
        return err_wrap(e, "%s/run.json", dir);
    }
    c->resume = dir;
    c->out = NULL;
    *hold = r;
    return ERR_OK;
}

int settings_check(const search_cfg *c, err_info *e) {
    if (!c->task) return err_set(e, ERR_USAGE, "--task is required (one of: %s)", task_names());
    if (c->iterations < 1 || c->iterations > MAX_ITERATIONS)
        return err_set(e, ERR_USAGE, "--iterations %d: use 1..%d", c->iterations, MAX_ITERATIONS);
    if (c->samples < 1 || c->samples > MAX_SAMPLES / 4)
        return err_set(e, ERR_USAGE, "--samples %d: use 1..%d", c->samples, MAX_SAMPLES / 4);
    if (c->eval_seeds < 0 || c->eval_seeds > 20)
        return err_set(e, ERR_USAGE, "--eval-seeds %d: use 0..20", c->eval_seeds);
    if (c->jobs < 0 || c->jobs > MAX_SAMPLES) return err_set(e, ERR_USAGE, "--jobs %d: use 1..%d", c->jobs, MAX_SAMPLES);
    const struct { const char *flag; double v; } budgets[] = {
        {"--train-steps", (double)c->train_steps}, {"--eval-steps", (double)c->eval_steps},
        {"--train-seconds", c->train_seconds}, {"--timeout", c->timeout_s},
    };
    for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++)
        if (!(budgets[i].v >= 0 && budgets[i].v <= 1e15))
            return err_set(e, ERR_USAGE, "%s %g: use a number from 0 (the default) to 1e15",
                           budgets[i].flag, budgets[i].v);
    if (c->retries < 0 || c->retries > 2) return err_set(e, ERR_USAGE, "retries: use 0..2");
    if (c->finalists < 0 || c->finalists > FINALISTS_MAX)
        return err_set(e, ERR_USAGE, "--finalists %d: use 0..%d (0 or 1: no re-check)", c->finalists, FINALISTS_MAX);
    return ERR_OK;
}
