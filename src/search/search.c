// search.c: the EUREKA loop (see search.h).
//
// Every step of the loop leaves a file in the run directory before the next starts:
// the replies of an iteration (responses-aA.json) right after the LLM answers, each
// sample's status.json right after its worker ends. Resuming therefore only has to
// walk the same loop again and use a file wherever one exists; the LLM conversation
// comes out identical because training is deterministic for a seed and thread count.
#include "search/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "search/extract.h"
#include "search/finalists.h"
#include "util/fs.h"
#include "search/prompt.h"
#include "reward/rcomp.h"
#include "rl/ppo.h"
#include "rl/train_cfg.h"
#include "search/reflect.h"
#include "search/repeats.h"
#include "search/replies.h"
#include "judge/halving.h"
#include "util/buf.h"
#include "util/stats.h"

#define MAX_SAMPLES 64
#define MAX_ITERATIONS 99
#define RESPONSE_CAP (256 * 1024)

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
    return z & ((1ull << 53) - 1);  // exact in JSON numbers
}

uint64_t search_recheck_seed(uint64_t run_seed, int iteration, int sample) {
    // Iterations stop at MAX_ITERATIONS, so these streams are no candidate's. At most
    // SEARCH_SEED_MAX, so that JSON files keep the seed exactly.
    return search_candidate_seed(run_seed, iteration + MAX_ITERATIONS + 1, sample) % ((uint64_t)SEARCH_SEED_MAX + 1);
}

// ---------------------------------------------------------------- state

typedef struct cand {
    int sample;
    char *response;         // the reply (owned)
    int truncated;
    char *code;             // extracted reward (owned; NULL when none)
    char status[32];        // "ok", "no_code", "compile_error", ...
    char message[ERR_MSG_MAX];
    double fitness;         // EUREKA's: the best checkpoint (re-measured by the judge)
    double robust;          // the judge's robust statistic, what selection rests on
    double ci_low, ci_high; // its ~95% interval
    int rung;               // rungs of the iteration's tournament it completed
    long steps;             // steps it really trained
    long unstable;
    double seconds;
    uint64_t seed;
    cJSON *train;           // train.json (ok only)
    int done;
    int rank;               // how far it got, for "most informative failure"
    int loaded;             // read back from the run directory (resume): not yet verified
} cand;

typedef struct search {
    const search_cfg *c;
    const task_def *t;
    char dir[RUN_PATH_MAX];
    llm_client *llm;
    int jobs, threads;
    long steps, eval_steps;
    double timeout;
    char *system, *user;            // the fixed first two messages
    char *assistant, *feedback;     // the Markovian tail (NULL in iteration 1)
    cJSON *messages;                // messages.json
    search_summary *sum;
    cand *cands;                    // of the current attempt
    int n_cands;
    int iteration;
    halving_plan plan;              // the rungs of every iteration's tournament
    long ck_interval;               // checkpoints at fixed positions (resumable rungs)
    finalist wins[MAX_ITERATIONS];  // each iteration's best (code owned), for the re-check
    int n_wins;
    repeats *seen;                  // every candidate's reward so far (replies.h)
} search;

// A batch of trainings through the judge: progress in the search's terms, each ending
// handed to on_done as it comes.
typedef struct batch {
    const search *S;
    void (*on_done)(void *ctx, int i, judge_verdict *v);
    void *done_ctx;
    int iteration;          // > 0: a tournament of this iteration (job->iteration = rung)
} batch;

// A tournament labels its jobs with the rung; the evaluation with iteration 0.
static int b_iteration(const batch *b, const judge_job *j) { return b->iteration > 0 ? b->iteration : j->iteration; }
static int b_rung(const batch *b, const judge_job *j) { return b->iteration > 0 ? j->iteration : 0; }

static void batch_progress(void *ctx, const judge_progress *jp) {
    const search_cfg *c = ((batch *)ctx)->S->c;
    if (!c->on_progress) return;
    search_progress p = {b_iteration((batch *)ctx, jp->job), jp->job->sample, b_rung((batch *)ctx, jp->job),
                         jp->steps, jp->total, jp->sps, isnan(jp->fitness) ? -1 : jp->fitness};
    c->on_progress(c->ctx, &p);
}

static void batch_done(void *ctx, int i, judge_verdict *v) {
    batch *b = ctx;
    if (b->on_done) b->on_done(b->done_ctx, i, v);
}

static void run_trainings(const search *S, judge_job *jobs, int n, judge_verdict *out,
                          void (*on_done)(void *ctx, int i, judge_verdict *v), void *done_ctx) {
    batch b = {S, on_done, done_ctx, 0};
    judge_opts o = {S->t, S->jobs, S->c->stop, batch_progress, batch_done, &b};
    judge_run(&o, jobs, n, out);
}

// 1 (and e says how to go on) when the user asked the search to stop.
static int interrupted(const search *S, err_info *e) {
    if (!S->c->stop || !*S->c->stop) return 0;
    err_set(e, ERR_INTERRUPTED, "interrupted; continue with: eureka search --resume %s", S->dir);
    return 1;
}

static void emit(search *S, const char *type, cJSON *fields) {
    if (S->c->on_event) S->c->on_event(S->c->ctx, type, fields);
    err_info e;
    run_event(S->dir, type, fields, &e);   // events are a log: a failed append is not fatal
}

static void emit_cb(void *S, const char *type, cJSON *fields) { emit(S, type, fields); }

static void cand_clear(cand *k) {
    free(k->response);
    free(k->code);
    cJSON_Delete(k->train);
    memset(k, 0, sizeof *k);
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

// How far a failed candidate got: the further, the more its error says.
static int status_rank(const char *st) {
    static const char *order[] = {"no_code", "truncated", "compile_error", "error",
                                  "timeout", "memory_limit", "forbidden_syscall", "crash",
                                  "arithmetic_error", "bad_reward", "nonfinite_reward"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strcmp(order[i], st) == 0) return (int)i + 1;
    return 0;
}

static int sample_rel(char *buf, size_t n, int it, int s, const char *file) {
    return run_sample_rel(buf, n, it, s, file, NULL);
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
static int get_replies(search *S, int it, int attempt, char ***texts, int **trunc, int *n,
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
        (*texts)[i] = xstrdup(txt ? txt : "");
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
    k->rank = strcmp(k->status, "ok") == 0 ? 100 : status_rank(k->status);
    k->done = 1;
    return ERR_OK;
}

// The execution-error text the LLM gets for failed candidate k.
static char *error_feedback(const cand *k, err_info *e) {
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
    k->rank = strcmp(k->status, "ok") == 0 ? 100 : status_rank(k->status);
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
    emit(S, "rung_done", ev);
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
                h->score = halving_rung_score(h->v.result, n - 1, S->plan.n_rungs);
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
static int run_attempt(search *S, int it, int base, char **texts, int *trunc, int n, err_info *e) {
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
            emit(S, "sample_done", ev);
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
        ho.jo = (judge_opts){S->t, S->jobs, S->c->stop, NULL, NULL, NULL};
        batch b = {S, NULL, NULL, it};
        ho.jo.on_progress = batch_progress;
        ho.jo.ctx = &b;
        ho.robust_cases = S->c->robust_cases;
        ho.base = S->c->trainer;
        ho.base.max_seconds = S->c->train_seconds;
        ho.base.threads = S->threads;
        ho.base.ck_interval = S->ck_interval;
        ho.timeout_s = S->timeout;
        ho.on_rung = on_rung;
        ho.ctx = &rcx;
        rc = halving_run(&ho, &S->plan, hc, n, e);
        if (rc == ERR_RUNTIME && interrupted(S, e)) rc = e->code;
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
        emit(S, "sample_done", ev);
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
            fb = error_feedback(k, &fe);
        }
        if (!fb) { rc = err_set(e, fe.code, "%s", fe.msg); break; }
        rc = write_sample_text(S, it, k->sample, RUN_FEEDBACK, fb, e);
        free(fb);
    }
    return rc;
}

static void free_cands(search *S) {
    for (int i = 0; i < S->n_cands; i++) cand_clear(&S->cands[i]);
    free(S->cands);
    S->cands = NULL;
    S->n_cands = 0;
}

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

static void reject(search *S, const char *what, const char *msg) {
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "file", what);
    cJSON_AddStringToObject(x, "message", msg);
    emit(S, "result_rejected", x);
}

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
    reject(S, what, msg);
    return 0;
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
    reject(S, what, msg);
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
            k->rank = status_rank(k->status);
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
    S->assistant = xstrdup(assistant);
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
    emit(S, "iteration_start", NULL);
    int rc = run_attempt(S, 0, 0, texts, trunc, 1, e);
    free(texts[0]);
    if (rc) { free_cands(S); return rc; }
    cand *k = &S->cands[0];
    char rel[128];
    sample_rel(rel, sizeof rel, 0, 0, RUN_FEEDBACK);
    char *fb = run_read_text(S->dir, rel, 1 << 20, e);
    if (!fb) { free_cands(S); return e->code; }
    set_tail(S, k->response, fb);
    free_cands(S);
    return ERR_OK;
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
static int set_best(search *S, const finalist *w, cJSON *finalists, err_info *e) {
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
    emit(S, "best_updated", bj);
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
static int recheck(search *S, err_info *e) {
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
                reject(S, rel, ve.code ? ve.msg : "recorded fitness does not match its saved policies");
            }
        }
        cJSON_Delete(tr);
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "finalists", n);
    emit(S, "recheck_start", ev);
    run_trainings(S, jobs, n, vd, NULL, NULL);
    int rc = interrupted(S, e) ? e->code : ERR_OK;
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
    emit(S, "recheck", done);
    return set_best(S, p, table, e);
}

// Final evaluation: the overall best trained with seeds 1..S (the same seeds as
// `eureka compare`, so its results can be reused there).
static int final_eval(search *S, const char *best_src, err_info *e) {
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
        emit(S, "eval_start", NULL);
        run_trainings(S, jobs, n, vd, NULL, NULL);
    }
    if (rc || interrupted(S, e)) {
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
            emit(S, "eval_failed", ev);
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
    emit(S, "eval", ev);
    return ERR_OK;
}

// "backend model at url" of a run.json "llm" record, or of the client.
static void llm_line(char *buf, size_t n, const char *backend, const char *model, const char *url) {
    snprintf(buf, n, "%.32s %.96s%s%.300s", backend ? backend : "?", model ? model : "?",
             url ? " at " : "", url ? url : "");
}

// On resume: the connection is the user's; when it differs from the run's record, say so
// (an event the CLI shows on one line, kept in events.jsonl).
static void note_llm_change(search *S) {
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
    emit(S, "llm_changed", x);
}

static cJSON *settings_json(const search *S) {
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
    cJSON_AddStringToObject(o, "rungs", c->rungs ? c->rungs : "0.25,0.5,1");
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

static int check_cfg(const search_cfg *c, err_info *e) {
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
    emit(S, "iteration_start", ev);
    int rc = ERR_OK;
    for (int attempt = 0; attempt <= c->retries; attempt++) {
        char **texts = NULL;
        int *trunc = NULL, n = 0;
        rc = get_replies(S, it, attempt, &texts, &trunc, &n, e);
        if (!rc) rc = run_attempt(S, it, attempt * c->samples, texts, trunc, n, e);
        for (int i = 0; texts && i < n; i++) free(texts[i]);
        free(texts);
        free(trunc);
        if (rc) { free_cands(S); return rc; }
        int best = pick_verified_best(S, it);
        if (best >= 0) {
            cand *k = &S->cands[best];
            char rel[128];
            sample_rel(rel, sizeof rel, it, k->sample, RUN_FEEDBACK);
            char *fb = run_read_text(S->dir, rel, 1 << 20, e);
            if (!fb) { free_cands(S); return e->code; }
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
                        free_cands(S);
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
            if ((rc = run_write_text(S->dir, rrel, fb, e))) { free(fb); free_cands(S); return rc; }
            cJSON *b = cJSON_CreateObject();
            cJSON_AddNumberToObject(b, "iteration", it);
            cJSON_AddNumberToObject(b, "sample", k->sample);
            cJSON_AddNumberToObject(b, "fitness", k->fitness);
            cJSON_AddNumberToObject(b, "fitness_robust", k->robust);
            emit(S, "iteration_best", b);
            finalist w = {it, k->sample, k->robust, 0, k->fitness, k->ci_low, k->ci_high, k->code};
            int improved = S->sum->best_iteration == 0 || k->robust > S->sum->best_robust;
            if (improved && (rc = set_best(S, &w, NULL, e))) { free(fb); free_cands(S); return rc; }
            // A copy for the re-check (out of memory: this one is not re-checked).
            if ((w.code = xstrdup(k->code)) && S->n_wins < MAX_ITERATIONS) S->wins[S->n_wins++] = w;
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
                    emit(S, "elitist_context", x);
                }
                free_cands(S);
                return rc;
            }
            set_tail(S, k->response, fb);
            free_cands(S);
            return ERR_OK;
        }
        // Every candidate failed: the most informative error goes back to the model.
        int f = pick_failure(S);
        char *fb = f >= 0 ? error_feedback(&S->cands[f], e) : NULL;
        if (!fb) { free_cands(S); return e->code ? (int)e->code : err_set(e, ERR_INTERNAL, "no candidates"); }
        set_tail(S, S->cands[f].response, fb);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "iteration", it);
        cJSON_AddNumberToObject(x, "attempt", attempt);
        cJSON_AddNumberToObject(x, "feedback_from", S->cands[f].sample);
        cJSON_AddStringToObject(x, "status", S->cands[f].status);
        emit(S, attempt < c->retries ? "all_failed_retry" : "all_failed", x);
        free_cands(S);
    }
    return ERR_OK;
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
    double frac[HALVING_MAX_RUNGS] = {0.25, 0.5, 1.0};
    int nfrac = 3;
    if (c->rungs && halving_parse_fractions(c->rungs, frac, &nfrac, e)) return e ? e->code : ERR_USAGE;
    return halving_plan_make(c->samples, full, *ck_interval, frac, nfrac, plan, e);
}

int search_run(const search_cfg *c, search_summary *sum, err_info *e) {
    int rc = check_cfg(c, e);
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
    if (c->resume) note_llm_change(&S);
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
        emit(&S, c->resume ? "resume" : "start", ev);
        S.system = prompt_system(e);
        S.user = S.system ? prompt_initial_user(S.t, e) : NULL;
        if (!S.user) rc = e->code;
    }
    if (!rc && c->init_human) rc = init_human(&S, e);
    for (int it = 1; !rc && it <= c->iterations; it++) {
        S.iteration = it;
        // A resume walks finished iterations without training anything, and a stop must
        // end that walk too.
        if (interrupted(&S, e)) { rc = e->code; break; }
        rc = do_iteration(&S, it, e);
        if (rc == ERR_BUDGET) {     // the token budget ran out: evaluate what we have
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "message", e->msg);
            emit(&S, "budget_exhausted", x);
            sum->budget_exhausted = 1;
            rc = ERR_OK;
            break;
        }
    }
    if (rc && rc != ERR_USAGE && !(c->stop && *c->stop) && run_has(S.dir, RUN_SETTINGS)) {
        char msg[ERR_MSG_MAX + 160];
        snprintf(msg, sizeof msg, "%.380s (the run is kept: eureka search --resume %.100s)", e->msg, S.dir);
        err_set(e, rc, "%s", msg);
    }
    llm_usage u = llm_get_usage(S.llm);
    sum->prompt_tokens = u.prompt_tokens;
    sum->completion_tokens = u.completion_tokens;
    if (!rc && interrupted(&S, e)) rc = e->code;
    if (!rc && sum->best_iteration > 0) rc = recheck(&S, e);
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
        emit(&S, "done", o);
    }
    free(S.system); free(S.user); free(S.assistant); free(S.feedback);
    cJSON_Delete(S.messages);
    repeats_free(S.seen);
    llm_free(S.llm);
    return rc;
}
