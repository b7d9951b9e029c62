// search.c: the EUREKA loop (see search.h): iterations of sample, train (attempt.c),
// pick the best and build the next context; then the re-check and the final evaluation
// (final.c).
//
// Every step of the loop leaves a file in the run directory before the next starts:
// the replies of an iteration (responses-aA.json) right after the LLM answers, each
// sample's status.json right after its worker ends. Resuming therefore only has to
// walk the same loop again and use a file wherever one exists; the LLM conversation
// comes out identical because training is deterministic for a seed and thread count.
#include "search/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reward/rcomp.h"
#include "search/attempt.h"
#include "search/final.h"
#include "search/prompt.h"
#include "search/reflect.h"
#include "search/settings.h"
#include "util/buf.h"
#include "util/fs.h"

#define RESPONSE_CAP (256 * 1024)

// Index of the best ok candidate, or -1: the furthest in the tournament (the survivors
// trained the full budget), then the judge's robust statistic, then the lower index.
static int pick_best(const search *S) {
    int b = -1;
    for (int i = 0; i < S->n_cands; i++) {
        const cand *k = &S->cands[i];
        if (!k->train) continue;
        const cand *x = b >= 0 ? &S->cands[b] : NULL;
        if (!x || k->rung > x->rung || (k->rung == x->rung && k->robust > x->robust)) b = i;
    }
    return b;
}

// A candidate read back from the run directory: both numbers the search decides on (its
// best checkpoint and the judge's robust statistic) must be what its saved policies score.
static int verified_candidate(search *S, cand *k, const char *what) {
    err_info ve = {0};
    judge_measure m;
    int rc = judge_measure_train(S->t, k->train, 0, &m, &ve);
    if (rc == ERR_OK && judge_same(m.fitness, k->fitness) && judge_same(m.robust, k->robust)) return 1;
    char msg[ERR_MSG_MAX];
    if (rc) snprintf(msg, sizeof msg, "%s", ve.msg);
    else snprintf(msg, sizeof msg, "recorded fitness %.6g and judged %.6g, but its saved policies score %.6g "
                  "and %.6g", k->fitness, k->robust, m.fitness, m.robust);
    search_reject(S, what, msg);
    return 0;
}

// The best candidate whose fitness can be trusted: candidates loaded from the run
// directory are re-measured before they can win; one that fails is dropped from the
// choice (its result is not used) and the next best is tried.
static int pick_verified_best(search *S, int it) {
    int b;
    while ((b = pick_best(S)) >= 0 && S->cands[b].loaded) {
        cand *k = &S->cands[b];
        char rel[128];
        sample_rel(rel, sizeof rel, it, k->sample, RUN_TRAIN);
        k->loaded = 0;
        if (!verified_candidate(S, k, rel)) {
            cJSON_Delete(k->train);
            k->train = NULL;
            snprintf(k->status, sizeof k->status, "error");
            snprintf(k->message, sizeof k->message, "its recorded result does not match its saved policy");
            k->rank = attempt_status_rank(k->status);
        }
    }
    return b;
}

// The most informative failure: the one that got furthest (then the lowest index).
static int pick_failure(const search *S) {
    int b = -1;
    for (int i = 0; i < S->n_cands; i++)
        if (S->cands[i].done && (b < 0 || S->cands[i].rank > S->cands[b].rank)) b = i;
    return b;
}

// Errors of failed siblings of the best, appended to its feedback (so failures reach the
// model even when another candidate succeeded).
static char *sibling_errors(const search *S, int best, err_info *e) {
    char list[2048] = "";
    size_t used = 0;
    int shown = 0, failed = 0;
    for (int i = 0; i < S->n_cands; i++) {
        const cand *k = &S->cands[i];
        if (i == best || !k->done || k->train) continue;
        failed++;
        if (shown >= 3 || used >= sizeof list - 1) continue;
        int dup = 0;
        for (int j = 0; j < i; j++)
            if (S->cands[j].done && !S->cands[j].train && j != best &&
                strcmp(S->cands[j].message, k->message) == 0) dup = 1;
        if (dup) continue;
        used += (size_t)snprintf(list + used, sizeof list - used, "- %s: %s\n", k->status, k->message);
        shown++;
    }
    if (!failed) return NULL;
    char count[16];
    snprintf(count, sizeof count, "%d", failed);
    if (used > 0 && list[used - 1] == '\n') list[used - 1] = '\0';
    prompt_var v[] = {{"count", count}, {"errors", list}};
    return prompt_render("sibling_errors", v, 2, e);
}

// *text, then a blank line, then more (owned: freed here; NULL adds nothing). Out of
// memory leaves *text as it was: the feedback goes out without that part.
static void append_text(char **text, char *more) {
    if (!more) return;
    size_t na = strlen(*text), nb = strlen(more);
    char *o = malloc(na + nb + 3);
    if (o) {
        memcpy(o, *text, na);
        while (na > 0 && o[na - 1] == '\n') na--;
        memcpy(o + na, "\n\n", 2);
        memcpy(o + na + 2, more, nb + 1);
        free(*text);
        *text = o;
    }
    free(more);
}

static void set_tail(search *S, const char *assistant, char *feedback) {
    free(S->assistant);
    free(S->feedback);
    S->assistant = strdup(assistant);
    S->feedback = feedback;
}

// --init-human: train rewards/<task>_human.c as iteration 0 and make it the context.
static int init_human(search *S, err_info *e) {
    char path[RUN_PATH_MAX];
    if (fs_path(path, sizeof path, e, "%s/rewards/%s_human.c", fs_root(), S->t->name)) return e->code;
    char *code = fs_read(path, RCOMP_MAX_SOURCE, NULL, e);
    if (!code) return err_wrap(e, "--init-human");
    size_t n = strlen(code) + 64;
    char *resp = malloc(n);
    if (!resp) { free(code); return err_set(e, ERR_NOMEM, "search: out of memory"); }
    snprintf(resp, n, "```c\n%s```\n", code);
    char *texts[1] = {resp};
    int trunc[1] = {0};
    free(code);
    search_emit(S, "iteration_start", NULL);
    int rc = attempt_run(S, 0, 0, texts, trunc, 1, e);
    free(texts[0]);
    if (rc) { attempt_free(S); return rc; }
    cand *k = &S->cands[0];
    char rel[128];
    sample_rel(rel, sizeof rel, 0, 0, RUN_FEEDBACK);
    char *fb = run_read_text(S->dir, rel, 1 << 20, e);
    if (!fb) { attempt_free(S); return e->code; }
    set_tail(S, k->response, fb);
    attempt_free(S);
    return ERR_OK;
}

// The context of the next iteration when this one regressed: the best reward so far
// and the feedback its own iteration produced.
static int elitist_tail(search *S, err_info *e) {
    char rel[128], rrel[64];
    sample_rel(rel, sizeof rel, S->sum->best_iteration, S->sum->best_sample, RUN_RESPONSE);
    run_reflection_rel(rrel, sizeof rrel, S->sum->best_iteration, NULL);
    char *resp = run_read_text(S->dir, rel, RESPONSE_CAP, e);
    char *fb = resp ? run_read_text(S->dir, rrel, 1 << 20, e) : NULL;
    if (!fb) { free(resp); return e->code; }
    set_tail(S, resp, fb);
    free(resp);
    return ERR_OK;
}

// One line per trained candidate of the iteration but skip (-1: none): its judged
// fitness with the interval, how far it trained, and its component names. NULL when
// there is none.
static char *candidate_lines(const search *S, int skip) {
    buf b;
    buf_init(&b, 8192);
    int shown = 0;
    for (int i = 0; i < S->n_cands; i++) {
        const cand *k = &S->cands[i];
        if (i == skip || !k->train) continue;
        buf_printf(&b, "- reward %d: task score %.2f [%.2f, %.2f] after %ld steps; components:", k->sample,
                   k->robust, k->ci_low, k->ci_high, k->steps);
        const cJSON *comp = cJSON_GetObjectItemCaseSensitive(k->train, "components"), *c;
        int nc = 0;
        cJSON_ArrayForEach(c, comp) if (c->string) buf_printf(&b, "%s %s", nc++ ? "," : "", c->string);
        if (!nc) buf_printf(&b, " (none recorded)");
        buf_printf(&b, "\n");
        shown++;
    }
    if (!shown) { buf_free(&b); return NULL; }
    char *lines = buf_take(&b);
    size_t n = lines ? strlen(lines) : 0;
    if (n && lines[n - 1] == '\n') lines[n - 1] = '\0';
    return lines;
}

// The lines of the iteration's other candidates, for the best's feedback.
static char *other_candidates(const search *S, int best, err_info *e) {
    char *lines = candidate_lines(S, best);
    if (!lines) return NULL;
    prompt_var v[] = {{"lines", lines}};
    char *out = prompt_render("other_candidates", v, 1, e);
    free(lines);
    return out;
}

// When iteration it regressed, the elitist context goes back to the best so far; this
// note, after that best's feedback, says what iteration it tried. Without it the next
// request would repeat an earlier one word for word: a model would be asked again what
// it already answered, and the offline mutator (seeded by the request) would return the
// same rewards, trained again on new seeds.
static char *regressed_note(const search *S, int it, err_info *e) {
    char *lines = candidate_lines(S, -1);
    if (!lines) return NULL;
    char num[16];
    snprintf(num, sizeof num, "%d", it);
    prompt_var v[] = {{"iteration", num}, {"lines", lines}};
    char *out = prompt_render("regressed", v, 2, e);
    free(lines);
    return out;
}

// One iteration: sample, train, retry when every candidate failed, then pick the best
// and build the next context.
static int do_iteration(search *S, int it, err_info *e) {
    const search_cfg *c = S->c;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "iteration", it);
    search_emit(S, "iteration_start", ev);
    int rc = ERR_OK;
    for (int attempt = 0; attempt <= c->retries; attempt++) {
        char **texts = NULL;
        int *trunc = NULL, n = 0;
        rc = attempt_replies(S, it, attempt, &texts, &trunc, &n, e);
        if (!rc) rc = attempt_run(S, it, attempt * c->samples, texts, trunc, n, e);
        for (int i = 0; texts && i < n; i++) free(texts[i]);
        free(texts);
        free(trunc);
        if (rc) { attempt_free(S); return rc; }
        int best = pick_verified_best(S, it);
        if (best >= 0) {
            cand *k = &S->cands[best];
            char rel[128];
            sample_rel(rel, sizeof rel, it, k->sample, RUN_FEEDBACK);
            char *fb = run_read_text(S->dir, rel, 1 << 20, e);
            if (!fb) { attempt_free(S); return e->code; }
            if (c->human_feedback && c->ask_feedback) {
                // A person's words are kept in the run so a resumed search reuses them.
                char hrel[64];
                run_human_feedback_rel(hrel, sizeof hrel, it, NULL);
                char *text = run_has(S->dir, hrel) ? run_read_text(S->dir, hrel, 1 << 16, e) : NULL;
                if (!text) {
                    char *refl = reflect_text(k->train, e);
                    text = c->ask_feedback(c->ctx, it, refl ? refl : "");
                    free(refl);
                    if (text && run_write_text(S->dir, hrel, text, e)) {
                        free(text);
                        free(fb);
                        attempt_free(S);
                        return e->code;
                    }
                }
                if (text && *text) {
                    char *h = prompt_human_feedback(text, e);
                    if (h) { free(fb); fb = h; }
                }
                free(text);
            }
            // What the model gets back: the best's statistics, then a line per other
            // candidate (so it knows what was tried), then the errors of those that failed.
            append_text(&fb, other_candidates(S, best, e));
            append_text(&fb, sibling_errors(S, best, e));
            char rrel[64];
            run_reflection_rel(rrel, sizeof rrel, it, NULL);
            if ((rc = run_write_text(S->dir, rrel, fb, e))) { free(fb); attempt_free(S); return rc; }
            cJSON *b = cJSON_CreateObject();
            cJSON_AddNumberToObject(b, "iteration", it);
            cJSON_AddNumberToObject(b, "sample", k->sample);
            cJSON_AddNumberToObject(b, "fitness", k->fitness);
            cJSON_AddNumberToObject(b, "fitness_robust", k->robust);
            search_emit(S, "iteration_best", b);
            finalist w = {it, k->sample, k->robust, 0, k->fitness, k->ci_low, k->ci_high, k->code};
            int improved = S->sum->best_iteration == 0 || k->robust > S->sum->best_robust;
            if (improved && (rc = final_set_best(S, &w, NULL, e))) { free(fb); attempt_free(S); return rc; }
            // A copy for the re-check (out of memory: this one is not re-checked).
            if ((w.code = strdup(k->code)) && S->n_wins < MAX_ITERATIONS) S->wins[S->n_wins++] = w;
            else free(w.code);
            // EUREKA reflects on this iteration's best even when it is worse than an
            // earlier one; the elitist context goes back to the best so far instead.
            if (!improved && !c->context_eureka) {
                free(fb);
                char *note = regressed_note(S, it, e);
                rc = elitist_tail(S, e);
                if (!rc) append_text(&S->feedback, note);
                else free(note);
                if (!rc) {
                    cJSON *x = cJSON_CreateObject();
                    cJSON_AddNumberToObject(x, "iteration", it);
                    cJSON_AddNumberToObject(x, "context_from_iteration", S->sum->best_iteration);
                    cJSON_AddNumberToObject(x, "context_from_sample", S->sum->best_sample);
                    search_emit(S, "elitist_context", x);
                }
                attempt_free(S);
                return rc;
            }
            set_tail(S, k->response, fb);
            attempt_free(S);
            return ERR_OK;
        }
        // Every candidate failed: the most informative error goes back to the model.
        int f = pick_failure(S);
        char *fb = f >= 0 ? attempt_error_feedback(&S->cands[f], e) : NULL;
        if (!fb) { attempt_free(S); return e->code ? (int)e->code : err_set(e, ERR_INTERNAL, "no candidates"); }
        set_tail(S, S->cands[f].response, fb);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "iteration", it);
        cJSON_AddNumberToObject(x, "attempt", attempt);
        cJSON_AddNumberToObject(x, "feedback_from", S->cands[f].sample);
        cJSON_AddStringToObject(x, "status", S->cands[f].status);
        search_emit(S, attempt < c->retries ? "all_failed_retry" : "all_failed", x);
        attempt_free(S);
    }
    return ERR_OK;
}

int search_run(const search_cfg *c, search_summary *sum, err_info *e) {
    int rc = settings_check(c, e);
    if (rc) return rc;
    memset(sum, 0, sizeof *sum);
    search S;
    memset(&S, 0, sizeof S);
    S.c = c;
    S.t = c->task;
    S.sum = sum;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int cores = judge_cores();
    S.jobs = c->jobs > 0 ? c->jobs : cores;
    S.threads = c->threads > 0 ? c->threads : (cores / S.jobs > 1 ? cores / S.jobs : 1);
    if ((rc = search_plan(c, &S.plan, &S.ck_interval, &S.eval_steps, e))) return rc;
    S.steps = S.plan.steps[S.plan.n_rungs - 1];
    S.timeout = c->timeout_s;     // 0: the judge's limits formula
    int finished = 0;
    if (c->resume) {
        if (fs_path(S.dir, sizeof S.dir, e, "%s", c->resume)) return e->code;
        if (!run_has(S.dir, RUN_SETTINGS))
            return err_set(e, ERR_USAGE, "--resume %s: no run.json there (not a search run)", S.dir);
        // A finished run is walked again (nothing is re-trained, results are re-verified)
        // but its summary.json stays as it was written.
        finished = run_has(S.dir, RUN_SUMMARY);
    } else if ((rc = run_choose(c->out, S.t->name, S.dir, sizeof S.dir, e))) {
        return rc;
    }
    snprintf(sum->run_dir, sizeof sum->run_dir, "%s", S.dir);
    char llm_path[RUN_PATH_MAX];
    if ((rc = run_path(llm_path, sizeof llm_path, S.dir, RUN_LLM, e))) return rc;
    llm_opts lo = c->llm;
    lo.record_path = llm_path;
    lo.resume_path = c->resume ? llm_path : NULL;
    lo.task = S.t->name;
    if (!lo.seed) lo.seed = c->seed;
    // The connection is checked (backend name, key) before anything is written: a typo
    // leaves no empty run directory behind.
    S.llm = llm_new(&lo, e);
    if (!S.llm) return e->code;
    if (!c->resume && (rc = fs_mkdirs(S.dir, e))) {
        llm_free(S.llm);
        return rc;
    }
    if (c->resume) settings_note_llm_change(&S);
    snprintf(sum->backend, sizeof sum->backend, "%s", llm_backend(S.llm));
    snprintf(sum->model, sizeof sum->model, "%s", llm_model(S.llm));
    S.messages = cJSON_CreateArray();
    if (!(S.seen = repeats_new())) rc = err_set(e, ERR_NOMEM, "search: out of memory");
    if (!rc && !c->resume) {
        cJSON *settings = settings_json(&S);
        rc = run_write_json(S.dir, RUN_SETTINGS, settings, e);
        cJSON_Delete(settings);
    }
    if (!rc) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "dir", S.dir);
        cJSON_AddStringToObject(ev, "backend", llm_backend(S.llm));
        cJSON_AddStringToObject(ev, "model", llm_model(S.llm));
        search_emit(&S, c->resume ? "resume" : "start", ev);
        S.system = prompt_system(e);
        S.user = S.system ? prompt_initial_user(S.t, e) : NULL;
        if (!S.user) rc = e->code;
    }
    if (!rc && c->init_human) rc = init_human(&S, e);
    for (int it = 1; !rc && it <= c->iterations; it++) {
        S.iteration = it;
        // A resume walks finished iterations without training anything, and a stop must
        // end that walk too.
        if (search_interrupted(&S, e)) { rc = e->code; break; }
        rc = do_iteration(&S, it, e);
        if (rc == ERR_BUDGET) {     // the token budget ran out: evaluate what we have
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "message", e->msg);
            search_emit(&S, "budget_exhausted", x);
            sum->budget_exhausted = 1;
            rc = ERR_OK;
            break;
        }
    }
    llm_usage u = llm_get_usage(S.llm);
    sum->prompt_tokens = u.prompt_tokens;
    sum->completion_tokens = u.completion_tokens;
    if (!rc && search_interrupted(&S, e)) rc = e->code;
    if (!rc && sum->best_iteration > 0) rc = final_recheck(&S, e);
    for (int i = 0; i < S.n_wins; i++) free(S.wins[i].code);
    if (!rc && sum->best_iteration > 0) {
        if (run_path(sum->best_path, sizeof sum->best_path, S.dir, RUN_BEST_C, e)) rc = e->code;
        char *best = rc ? NULL : run_read_text(S.dir, RUN_BEST_C, RCOMP_MAX_SOURCE, e);
        if (!rc && !best) rc = e->code;
        if (!rc && c->eval_seeds > 0) rc = final_eval(&S, best, e);
        free(best);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sum->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (!rc) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "task", S.t->name);
        if (sum->best_iteration > 0) {
            cJSON_AddStringToObject(o, "best", RUN_BEST_C);
            cJSON_AddNumberToObject(o, "best_iteration", sum->best_iteration);
            cJSON_AddNumberToObject(o, "best_sample", sum->best_sample);
            cJSON_AddNumberToObject(o, "best_fitness", sum->best_fitness);
        } else {
            cJSON_AddNullToObject(o, "best");
        }
        cJSON_AddNumberToObject(o, "eval_seeds", sum->eval_n);
        cJSON_AddNumberToObject(o, "eval_mean", sum->eval_mean);
        cJSON_AddNumberToObject(o, "eval_std", sum->eval_std);
        cJSON_AddNumberToObject(o, "eval_steps", (double)S.eval_steps);
        cJSON_AddNumberToObject(o, "candidates", sum->candidates);
        cJSON_AddNumberToObject(o, "failures", sum->failures);
        cJSON_AddNumberToObject(o, "prompt_tokens", (double)sum->prompt_tokens);
        cJSON_AddNumberToObject(o, "completion_tokens", (double)sum->completion_tokens);
        cJSON_AddNumberToObject(o, "seconds", sum->seconds);
        cJSON_AddBoolToObject(o, "budget_exhausted", sum->budget_exhausted);
        if (finished) {
            // The tokens were spent by the run that finished: report its totals.
            cJSON *old = run_read_json(S.dir, RUN_SUMMARY, NULL);
            const cJSON *pt = cJSON_GetObjectItem(old, "prompt_tokens");
            const cJSON *ct = cJSON_GetObjectItem(old, "completion_tokens");
            sum->prompt_tokens = cJSON_IsNumber(pt) ? llm_token_clamp(pt->valuedouble) : 0;
            sum->completion_tokens = cJSON_IsNumber(ct) ? llm_token_clamp(ct->valuedouble) : 0;
            cJSON_Delete(old);
        } else {
            rc = run_write_json(S.dir, RUN_SUMMARY, o, e);
        }
        search_emit(&S, "done", o);
    }
    // Whatever failed after the run was set up (an iteration, the re-check, the final
    // evaluation, a write on a full disk), what finished is on disk: say how to go on.
    if (rc && rc != ERR_USAGE && !(c->stop && *c->stop) && run_has(S.dir, RUN_SETTINGS)) {
        char msg[ERR_MSG_MAX + 160];
        snprintf(msg, sizeof msg, "%.380s (the run is kept: eureka search --resume %.100s)", e->msg, S.dir);
        err_set(e, rc, "%s", msg);
    }
    free(S.system); free(S.user); free(S.assistant); free(S.feedback);
    cJSON_Delete(S.messages);
    repeats_free(S.seen);
    llm_free(S.llm);
    return rc;
}
