// attempt.c: one attempt of an iteration, from the replies to trained candidates (see
// attempt.h). Every step leaves its file before the next starts, so a resumed search
// walks the same steps and uses a file wherever one exists.
#include "search/attempt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward/extract.h"
#include "search/prompt.h"
#include "search/reflect.h"
#include "search/replies.h"
#include "util/fs.h"

static void emit_cb(void *S, const char *type, cJSON *fields) { search_emit(S, type, fields); }

static void cand_clear(cand *k) {
    free(k->response);
    free(k->code);
    cJSON_Delete(k->train);
    memset(k, 0, sizeof *k);
}

// How far a failed candidate got: the further, the more its error says.
int attempt_status_rank(const char *st) {
    static const char *order[] = {"no_code", "truncated", "compile_error", "error",
                                  "timeout", "memory_limit", "forbidden_syscall", "crash",
                                  "arithmetic_error", "bad_reward", "nonfinite_reward"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strcmp(order[i], st) == 0) return (int)i + 1;
    return 0;
}

// Record messages sent for (iteration, attempt) into messages.json.
static int save_messages(search *S, int it, int attempt, const llm_msg *m, int n, err_info *e) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "iteration", it);
    cJSON_AddNumberToObject(o, "attempt", attempt);
    cJSON *arr = cJSON_AddArrayToObject(o, "messages");
    for (int i = 0; i < n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "role", m[i].role);
        cJSON_AddStringToObject(x, "content", m[i].content);
        cJSON_AddItemToArray(arr, x);
    }
    cJSON_AddItemToArray(S->messages, o);
    return run_write_json(S->dir, RUN_MESSAGES, S->messages, e);
}

// The replies of (iteration, attempt): from responses-aA.json if a previous run got
// them, else from the LLM (saved before anything else happens).
int attempt_replies(search *S, int it, int attempt, char ***texts, int **trunc, int *n,
                       err_info *e) {
    char rel[128];
    if (run_responses_rel(rel, sizeof rel, it, attempt, e)) return e->code;
    cJSON *saved = run_has(S->dir, rel) ? run_read_json(S->dir, rel, e) : NULL;
    if (run_has(S->dir, rel) && !saved) return e->code;
    llm_msg m[4] = {{"system", S->system}, {"user", S->user}, {"assistant", S->assistant},
                    {"user", S->feedback}};
    int nm = S->assistant ? 4 : 2;
    int rc = save_messages(S, it, attempt, m, nm, e);
    if (rc) { cJSON_Delete(saved); return rc; }
    if (saved) llm_answered_elsewhere(S->llm, m, nm, S->c->samples);
    if (!saved) {
        llm_reply *r = NULL;
        int got = 0;
        rc = llm_sample(S->llm, m, nm, S->c->samples, &r, &got, e);
        if (rc) return rc;
        saved = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(saved, "replies");
        for (int i = 0; i < got; i++) cJSON_AddItemToArray(arr, replies_item(&r[i]));
        llm_replies_free(r, got);
        rc = run_write_json(S->dir, rel, saved, e);
        if (rc) { cJSON_Delete(saved); return rc; }
    }
    replies_ctx rx = {S->llm, S->seen, it, attempt * S->c->samples, S->c->samples, S->dir, rel,
                      emit_cb, S};
    if ((rc = replies_refresh(&rx, m, nm, saved, e))) { cJSON_Delete(saved); return rc; }
    cJSON *arr = cJSON_GetObjectItem(saved, "replies");
    int k = cJSON_GetArraySize(arr);
    if (k > S->c->samples) k = S->c->samples;   // a file with more answers than asked: the rest is ignored
    for (int i = 0; i < k; i++) {
        const char *txt = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "text"));
        if (txt && strlen(txt) > LLM_MAX_REPLY_TEXT) {
            cJSON_Delete(saved);
            return err_set(e, ERR_LIMIT, "%s/%s: reply %d is longer than the %d-byte cap on one "
                           "reply (the file was edited)", S->dir, rel, i, LLM_MAX_REPLY_TEXT);
        }
    }
    *texts = calloc((size_t)k + 1, sizeof **texts);
    *trunc = calloc((size_t)k + 1, sizeof **trunc);
    for (int i = 0; i < k && *texts && *trunc; i++) {
        cJSON *x = cJSON_GetArrayItem(arr, i);
        const char *txt = cJSON_GetStringValue(cJSON_GetObjectItem(x, "text"));
        (*texts)[i] = strdup(txt ? txt : "");
        (*trunc)[i] = cJSON_IsTrue(cJSON_GetObjectItem(x, "truncated"));
    }
    cJSON_Delete(saved);
    *n = k;
    if (!*texts || !*trunc) return err_set(e, ERR_NOMEM, "search: out of memory");
    return ERR_OK;
}

// The judge's numbers of a trained candidate, from its train.json.
static void read_scores(cand *k) {
    const cJSON *t = k->train;
    k->fitness = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "fitness"));
    k->robust = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "fitness_robust"));
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(t, "fitness_ci");
    k->ci_low = cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 0));
    k->ci_high = cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 1));
    k->steps = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "steps"));
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(t, "unstable_episodes");
    k->unstable = cJSON_IsNumber(u) ? (long)u->valuedouble : 0;
    if (isnan(k->fitness)) k->fitness = 0;
    if (isnan(k->robust)) k->robust = 0;
}

// Load a finished sample's status.json (and train.json) into k. The files come from a
// run directory, maybe someone else's: an "ok" sample must have code in its reply (the
// code trained is always the one extracted from the reply, never reward.c), and its
// numbers count only once pick_verified_best has re-measured them.
static int load_done(search *S, int it, cand *k, err_info *e) {
    char rel[128];
    run_status st;
    if (run_read_status(S->dir, it, k->sample, &st, e)) return e->code;
    snprintf(k->status, sizeof k->status, "%s", st.status);
    snprintf(k->message, sizeof k->message, "%s", st.message);
    k->seconds = st.seconds;
    k->rung = st.rung;
    k->loaded = 1;
    if (st.ok) {
        sample_rel(rel, sizeof rel, it, k->sample, NULL);
        if (!k->code)
            return err_set(e, ERR_PARSE, "%s/%s/status.json says ok, but the sample's reply has no "
                           "reward code (the run was edited): remove %s/%s to train it again",
                           S->dir, rel, S->dir, rel);
        sample_rel(rel, sizeof rel, it, k->sample, RUN_TRAIN);
        k->train = run_read_json(S->dir, rel, e);
        if (!k->train) return e->code;
        if (!cJSON_IsObject(k->train))
            return err_set(e, ERR_PARSE, "%s/%s is not a training result (the run was edited)", S->dir, rel);
        read_scores(k);
    }
    k->rank = strcmp(k->status, "ok") == 0 ? 100 : attempt_status_rank(k->status);
    k->done = 1;
    return ERR_OK;
}

// The execution-error text the LLM gets for failed candidate k.
char *attempt_error_feedback(const cand *k, err_info *e) {
    char errs[ERR_MSG_MAX + 64];
    snprintf(errs, sizeof errs, "%s", k->message[0] ? k->message : k->status);
    return prompt_execution_error(k->status, errs, e);
}

// Write train.json (the last rung's) and status.json (last: it marks the sample
// finished) for k.
static int finish_sample(search *S, int it, cand *k, err_info *e) {
    char rel[128];
    if (k->train) {
        sample_rel(rel, sizeof rel, it, k->sample, NULL);
        int rc = run_write_train(S->dir, rel, k->train, e);
        if (rc) return rc;
    }
    cJSON *st = cJSON_CreateObject();
    cJSON_AddNumberToObject(st, "iteration", it);
    cJSON_AddNumberToObject(st, "sample", k->sample);
    cJSON_AddStringToObject(st, "status", k->status);
    cJSON_AddStringToObject(st, "message", k->message);
    cJSON_AddNumberToObject(st, "seed", (double)k->seed);
    cJSON_AddNumberToObject(st, "seconds", k->seconds);
    cJSON_AddNumberToObject(st, "rung", k->rung);
    if (k->train) {
        cJSON_AddNumberToObject(st, "steps", (double)k->steps);
        cJSON_AddNumberToObject(st, "fitness", k->fitness);
        cJSON_AddNumberToObject(st, "fitness_robust", k->robust);
        cJSON *ci = cJSON_AddArrayToObject(st, "fitness_ci");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(k->ci_low));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(k->ci_high));
        cJSON_AddNumberToObject(st, "unstable_episodes", (double)k->unstable);
    }
    sample_rel(rel, sizeof rel, it, k->sample, RUN_STATUS);
    int rc = run_write_json(S->dir, rel, st, e);
    cJSON_Delete(st);
    k->rank = strcmp(k->status, "ok") == 0 ? 100 : attempt_status_rank(k->status);
    k->done = 1;
    return rc;
}

static int write_sample_text(search *S, int it, int s, const char *file, const char *text, err_info *e) {
    char rel[128];
    sample_rel(rel, sizeof rel, it, s, file);
    return run_write_text(S->dir, rel, text, e);
}

typedef struct rung_ctx { search *S; int it; } rung_ctx;

// The files of rung r (1-based) of a candidate: iterNN/sampleKK/rungR/<file>.
static int rung_rel(char *buf, size_t n, int it, int sample, int rung, const char *file) {
    return run_rung_rel(buf, n, it, sample, rung, file, NULL);
}

// A candidate's rung ended: its train.json (the whole history so far) and the saved
// training it continues from go into rungR/, then one more line of rungs.json, which
// commits the rung: a search killed before that line runs the rung again.
static int on_rung(void *ctx, int i, int rung, halving_cand *h, err_info *e) {
    rung_ctx *rc = ctx;
    search *S = rc->S;
    cand *k = &S->cands[i];
    char rel[128];
    int r = ERR_OK;
    if (rung == 0)
        r = write_sample_text(S, rc->it, k->sample, RUN_COMPILE_LOG,
                              h->v.status == SB_COMPILE ? h->v.message : "compiled (libtcc): ok\n", e);
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddNumberToObject(entry, "rung", rung + 1);
    cJSON_AddStringToObject(entry, "status", sb_status_name(h->v.status));
    cJSON_AddStringToObject(entry, "message", h->v.message);
    cJSON_AddNumberToObject(entry, "seconds", h->v.seconds);
    if (!r && h->v.status == SB_OK) {
        const cJSON *t = h->v.result;
        cJSON_AddNumberToObject(entry, "steps", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "steps")));
        cJSON_AddNumberToObject(entry, "fitness", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "fitness")));
        cJSON_AddNumberToObject(entry, "fitness_robust",
                                cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "fitness_robust")));
        cJSON_AddItemToObject(entry, "fitness_ci",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "fitness_ci"), 1));
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(t, "fitness_graded");
        if (cJSON_IsNumber(g)) cJSON_AddNumberToObject(entry, "fitness_graded", g->valuedouble);
        cJSON_AddNumberToObject(entry, "score", h->score);
        rung_rel(rel, sizeof rel, rc->it, k->sample, rung + 1, RUN_TRAIN);
        r = run_write_json(S->dir, rel, t, e);
        if (!r && h->v.state) {
            rung_rel(rel, sizeof rel, rc->it, k->sample, rung + 1, RUN_STATE);
            r = run_write_bytes(S->dir, rel, h->v.state, h->v.state_len, e);
        }
    }
    sample_rel(rel, sizeof rel, rc->it, k->sample, RUN_RUNGS);
    cJSON *all = r ? NULL : run_has(S->dir, rel) ? run_read_json(S->dir, rel, e) : cJSON_CreateArray();
    if (!r && !cJSON_IsArray(all)) r = e->code ? (int)e->code : err_set(e, ERR_PARSE, "%s: not a list", rel);
    if (!r) {
        // A rung run again after a kill replaces its line.
        while (cJSON_GetArraySize(all) > rung) cJSON_DeleteItemFromArray(all, rung);
        cJSON_AddItemToArray(all, entry);
        entry = NULL;
        r = run_write_json(S->dir, rel, all, e);
    }
    cJSON_Delete(all);
    cJSON_Delete(entry);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "iteration", rc->it);
    cJSON_AddNumberToObject(ev, "sample", k->sample);
    cJSON_AddNumberToObject(ev, "rung", rung + 1);
    cJSON_AddStringToObject(ev, "status", sb_status_name(h->v.status));
    if (h->v.status == SB_OK) {
        cJSON_AddNumberToObject(ev, "fitness_robust",
                                cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(h->v.result, "fitness_robust")));
        cJSON_AddNumberToObject(ev, "score", h->score);
    }
    else cJSON_AddStringToObject(ev, "message", h->v.message);
    search_emit(S, "rung_done", ev);
    return r;
}

// Where an interrupted tournament left candidate k: its rungs.json, train.json and
// state.bin. A run directory may come from someone else: what it claims is measured
// again from the saved policies before it decides anything.
static int load_rungs(search *S, int it, const cand *k, halving_cand *h, err_info *e) {
    char rel[128];
    sample_rel(rel, sizeof rel, it, k->sample, RUN_RUNGS);
    if (!run_has(S->dir, rel)) return ERR_OK;
    cJSON *all = run_read_json(S->dir, rel, e);
    if (!cJSON_IsArray(all)) { cJSON_Delete(all); return e->code ? (int)e->code : ERR_PARSE; }
    int n = cJSON_GetArraySize(all);
    const cJSON *last = cJSON_GetArrayItem(all, n - 1);
    sb_status st = SB_ERROR;
    int rc = n > 0 ? sb_status_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(last, "status")), &st, e)
                   : ERR_OK;
    if (!rc && n > 0) {
        h->rungs_done = n;
        h->v.status = st;
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(last, "message"));
        snprintf(h->v.message, sizeof h->v.message, "%s", m ? m : "");
        h->v.seconds = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(last, "seconds"));
        if (!(h->v.seconds >= 0)) h->v.seconds = 0;     // absent (NaN) or forged
        h->out = st != SB_OK;
        if (st == SB_OK) {
            rung_rel(rel, sizeof rel, it, k->sample, n, RUN_TRAIN);
            h->v.result = run_read_json(S->dir, rel, e);
            if (!h->v.result) rc = e->code;
        }
        judge_measure m2;
        err_info me = {0};
        if (!rc && st == SB_OK) {
            const cJSON *claim = cJSON_GetObjectItemCaseSensitive(last, "fitness_robust");
            const cJSON *graded = cJSON_GetObjectItemCaseSensitive(h->v.result, "fitness_graded");
            if (judge_measure_train(S->t, h->v.result, 0, &m2, &me) || !cJSON_IsNumber(claim) ||
                !judge_same(m2.robust, claim->valuedouble) ||
                (m2.has_graded && !(cJSON_IsNumber(graded) && judge_same(m2.graded, graded->valuedouble)))) {
                h->v.status = SB_REWARD;
                h->out = 1;
                snprintf(h->v.message, sizeof h->v.message, "%s: the saved training does not score what the run "
                         "directory says (%.300s)", rel, me.msg[0] ? me.msg : "a different fitness");
                cJSON_Delete(h->v.result);
                h->v.result = NULL;
            } else {
                // rank on the measured numbers only: a graded fitness the task does not
                // have is dropped, never ranked on
                judge_measure_write(h->v.result, &m2);
                h->score = halving_rung_score(h->v.result, &S->plan, n - 1);
            }
        }
        if (!rc && h->v.status == SB_OK && !h->frozen) {    // a frozen one never trains on
            rung_rel(rel, sizeof rel, it, k->sample, n, RUN_STATE);
            if (run_has(S->dir, rel)) h->v.state = fs_read_in(S->dir, rel, JUDGE_STATE_MAX, &h->v.state_len, e);
        }
    }
    cJSON_Delete(all);
    return rc;
}

// Extract, compile and train the candidates of one attempt (sample indices base..): a
// successive-halving tournament (judge/halving.h) over those with code.
int attempt_run(search *S, int it, int base, char **texts, int *trunc, int n, err_info *e) {
    S->n_cands = n;
    S->cands = calloc((size_t)n, sizeof *S->cands);
    halving_cand *hc = calloc((size_t)n, sizeof *hc);
    if (!S->cands || !hc) {
        free(hc);
        return err_set(e, ERR_NOMEM, "search: out of memory");
    }
    int n_train = 0, rc = ERR_OK;
    for (int i = 0; i < n && !rc; i++) {
        cand *k = &S->cands[i];
        k->sample = base + i;
        k->response = texts[i];
        texts[i] = NULL;
        k->truncated = trunc[i];
        k->seed = search_candidate_seed(S->c->seed, it, k->sample);
        char rel[128];
        sample_rel(rel, sizeof rel, it, k->sample, RUN_STATUS);
        err_info xe = {0};
        k->code = extract_code(k->response, &xe);
        if (run_has(S->dir, rel)) {
            // A finished candidate still takes part in the resumed tournament's selections:
            // without it, one it beat could take its place and train a rung again.
            if (!(rc = load_done(S, it, k, e)) && k->code) {
                hc[i] = (halving_cand){.src = k->code, .seed = k->seed, .label = k->sample, .frozen = 1};
                rc = load_rungs(S, it, k, &hc[i], e);
            }
            continue;
        }
        if ((rc = write_sample_text(S, it, k->sample, RUN_RESPONSE, k->response, e))) break;
        if (!k->code) {
            if (k->truncated) {
                snprintf(k->status, sizeof k->status, "truncated");
                snprintf(k->message, sizeof k->message,
                         "the reply was cut off at the token limit before its code block ended; "
                         "write a shorter answer");
            } else {
                snprintf(k->status, sizeof k->status, "no_code");
                snprintf(k->message, sizeof k->message, "%s", xe.msg);
            }
            if ((rc = finish_sample(S, it, k, e))) break;
            cJSON *ev = cJSON_CreateObject();
            cJSON_AddNumberToObject(ev, "iteration", it);
            cJSON_AddNumberToObject(ev, "sample", k->sample);
            cJSON_AddStringToObject(ev, "status", k->status);
            cJSON_AddStringToObject(ev, "message", k->message);
            search_emit(S, "sample_done", ev);
            continue;
        }
        if ((rc = write_sample_text(S, it, k->sample, RUN_REWARD, k->code, e))) break;
        hc[i].src = k->code;
        hc[i].seed = k->seed;
        hc[i].label = k->sample;
        rc = load_rungs(S, it, k, &hc[i], e);
        n_train++;
    }
    if (!rc && n_train > 0) {
        rung_ctx rcx = {S, it};
        halving_opts ho;
        memset(&ho, 0, sizeof ho);
        search_batch b = {S, it};
        ho.jo = search_judge_opts(&b);
        ho.robust_cases = S->c->robust_cases;
        ho.base = S->c->trainer;
        ho.base.max_seconds = S->c->train_seconds;
        ho.base.threads = S->threads;
        ho.base.ck_interval = S->ck_interval;
        ho.timeout_s = S->timeout;
        ho.on_rung = on_rung;
        ho.ctx = &rcx;
        rc = halving_run(&ho, &S->plan, hc, n, e);
        if (rc == ERR_RUNTIME && search_interrupted(S, e)) rc = e->code;
    }
    // The tournament is over: each trained candidate's final status.
    for (int i = 0; i < n && !rc; i++) {
        cand *k = &S->cands[i];
        halving_cand *h = &hc[i];
        if (!h->src || k->done) continue;
        snprintf(k->status, sizeof k->status, "%s", sb_status_name(h->v.status));
        snprintf(k->message, sizeof k->message, "%s", h->v.message);
        k->seconds = h->v.seconds;
        k->rung = h->v.status == SB_OK ? h->rungs_done : h->rungs_done - 1;
        if (h->v.status == SB_OK && h->v.result) {
            k->train = h->v.result;
            h->v.result = NULL;
            read_scores(k);
        }
        // Beside train.json, the training to continue (`eureka train --resume DIR`).
        if (k->train && h->v.state) {
            char rel[128];
            sample_rel(rel, sizeof rel, it, k->sample, RUN_STATE);
            if ((rc = run_write_bytes(S->dir, rel, h->v.state, h->v.state_len, e))) break;
        }
        if ((rc = finish_sample(S, it, k, e))) break;
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "iteration", it);
        cJSON_AddNumberToObject(ev, "sample", k->sample);
        cJSON_AddStringToObject(ev, "status", k->status);
        cJSON_AddNumberToObject(ev, "rung", k->rung);
        if (k->train) {
            cJSON_AddNumberToObject(ev, "fitness", k->fitness);
            cJSON_AddNumberToObject(ev, "fitness_robust", k->robust);
        } else {
            cJSON_AddStringToObject(ev, "message", k->message);
        }
        cJSON_AddNumberToObject(ev, "seconds", k->seconds);
        search_emit(S, "sample_done", ev);
    }
    halving_cands_free(hc, n);
    free(hc);
    // What later requests must not repeat.
    for (int i = 0; i < n && !rc; i++)
        if (repeats_add(S->seen, it, S->cands[i].sample, S->cands[i].code))
            rc = err_set(e, ERR_NOMEM, "search: out of memory");
    // Per-sample feedback files, and the counts.
    for (int i = 0; i < n && !rc; i++) {
        cand *k = &S->cands[i];
        if (!k->done) continue;
        S->sum->candidates++;
        if (strcmp(k->status, "ok") != 0) S->sum->failures++;
        char rel[128];
        sample_rel(rel, sizeof rel, it, k->sample, RUN_FEEDBACK);
        if (run_has(S->dir, rel)) continue;
        err_info fe;
        char *fb = NULL;
        if (k->train) {
            char *refl = reflect_text(k->train, &fe);
            fb = refl ? prompt_policy_feedback(refl, &fe) : NULL;
            free(refl);
        } else {
            fb = attempt_error_feedback(k, &fe);
        }
        if (!fb) { rc = err_set(e, fe.code, "%s", fe.msg); break; }
        rc = write_sample_text(S, it, k->sample, RUN_FEEDBACK, fb, e);
        free(fb);
    }
    return rc;
}

void attempt_free(search *S) {
    for (int i = 0; i < S->n_cands; i++) cand_clear(&S->cands[i]);
    free(S->cands);
    S->cands = NULL;
    S->n_cands = 0;
}
