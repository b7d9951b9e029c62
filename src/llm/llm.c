// llm.c: the client every caller uses (see llm.h), whatever model answers.
//
// It picks the backend, keeps the token totals and the budget, records every exchange
// to llm.jsonl and answers from a recording first when asked to (replay, resume), so
// that a run can be repeated byte for byte without a network. The backends themselves
// (llm_openai.c, llm_anthropic.c, llm_offline.c) only turn a conversation into replies.
#include "llm/llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/fs.h"
#include "llm/llm_backend.h"

#define LLM_MAX_K 128

void llm_opts_default(llm_opts *o) {
    memset(o, 0, sizeof *o);
    o->backend = "auto";
    o->temperature = 1.0;
    o->max_tokens = 4096;
    o->max_retries = 2;
    o->timeout_s = 600.0;
    o->connect_timeout_s = 5.0;
    o->idle_timeout_s = 300.0;
}

void llm_free(llm_client *c) {
    if (!c) return;
    http_free(c->http);
    llm_record_free(c->replay);
    llm_record_free(c->resume);
    free(c->model);
    free(c->base_url);
    free(c->url_user);
    // Do not leave secrets in freed memory.
    char *secrets[] = {c->api_key, c->url_password};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        if (!secrets[i]) continue;
        volatile char *p = secrets[i];
        while (*p) *p++ = 0;
        free(secrets[i]);
    }
    free(c->record_path);
    free(c->resume_path);
    free(c->task);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

llm_client *llm_new(const llm_opts *o, err_info *e) {
    llm_client *c = calloc(1, sizeof *c);
    if (!c) { err_set(e, ERR_NOMEM, "llm client: out of memory"); return NULL; }
    pthread_mutex_init(&c->mu, NULL);
    c->o = *o;
    if (c->o.temperature < 0) c->o.temperature = 1.0;
    if (c->o.max_tokens <= 0) c->o.max_tokens = 4096;
    if (c->o.timeout_s <= 0) c->o.timeout_s = 600.0;
    if (c->o.connect_timeout_s <= 0) c->o.connect_timeout_s = 5.0;
    if (c->o.idle_timeout_s < 0) c->o.idle_timeout_s = 0;
    if (c->o.max_retries < 0) c->o.max_retries = 0;
    c->record_path = llm_dup_or_null(o->record_path);
    c->resume_path = llm_dup_or_null(o->resume_path);
    c->task = llm_dup_or_null(o->task);
    c->o.record_path = c->record_path;
    c->o.resume_path = c->resume_path;
    c->o.task = c->task;
    c->o.backend = NULL;        // borrowed from the caller: use c->backend
    c->o.model = NULL;          // use c->model
    c->o.base_url = NULL;       // use c->base_url

    const char *b = o->backend ? o->backend : "auto";
    int rc = ERR_OK;
    if (strcmp(b, "auto") == 0) {
        if (llm_getenv("OPENAI_API_KEY")) b = "openai";
        else if (llm_getenv("ANTHROPIC_API_KEY")) b = "anthropic";
        // A base URL without a key: a local OpenAI-compatible server.
        else if (o->base_url || llm_getenv("OPENAI_BASE_URL")) b = "openai";
        else b = "offline";
    }
    // The setup functions read these from c->o.
    c->o.model = o->model;
    c->o.base_url = o->base_url;
    static const llm_backend_ops *const backends[] = {&llm_openai_backend, &llm_anthropic_backend,
                                                      &llm_offline_backend};
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(b, backends[i]->name) == 0) c->ops = backends[i];
    if (c->ops) {
        rc = c->ops->setup(c, e);
    } else if (strncmp(b, "replay:", 7) == 0 && b[7]) {
        c->replay = llm_record_load(b + 7, 0, e);
        if (!c->replay) rc = err_wrap(e, "--llm %s", b);
        else {
            const char *m = o->model ? o->model : llm_record_model(c->replay);
            c->model = strdup(m ? m : "replay");
        }
    } else {
        rc = err_set(e, ERR_USAGE, "unknown LLM backend '%s': use auto, openai, anthropic, "
                     "offline or replay:FILE", b);
    }
    c->o.model = NULL;
    c->o.base_url = NULL;
    if (rc) { llm_free(c); return NULL; }
    snprintf(c->backend, sizeof c->backend, "%s", c->ops ? c->ops->name : "replay");
    if (!c->model || (c->ops && c->ops->network && !c->base_url)) {
        llm_free(c);
        err_set(e, ERR_NOMEM, "llm client: out of memory");
        return NULL;
    }
    if (c->ops && c->ops->network) {
        http_opts ho;
        llm_http_opts(c, &ho);
        c->http = http_new(&ho, e);
        if (!c->http) { llm_free(c); return NULL; }
    }
    if (c->resume_path && fs_exists(c->resume_path)) {
        c->resume = llm_record_load(c->resume_path, 1, e);
        if (!c->resume) { err_wrap(e, "resume"); llm_free(c); return NULL; }
    }
    return c;
}

const char *llm_backend(const llm_client *c) { return c->backend; }
const char *llm_model(const llm_client *c) { return c->model; }
const char *llm_base_url(const llm_client *c) { return c->base_url; }

llm_usage llm_get_usage(const llm_client *c) {
    llm_usage u = c->usage;
    u.requests = http_requests(c->http) + c->extra_requests;
    return u;
}


// Serve a request from a recording: count its tokens as if it had been asked again.
static void count_recorded(llm_client *c, const llm_reply *r, int n) {
    for (int i = 0; i < n; i++) llm_add_usage(c, r[i].prompt_tokens, r[i].completion_tokens);
    c->replay_hits++;
}

static int record_if_asked(llm_client *c, const char *key, const llm_msg *msgs, int n_msgs,
                           int k, const llm_reply *r, int n, const char *from_path,
                           err_info *e) {
    if (!c->record_path) return ERR_OK;
    // Resuming into the same llm.jsonl: the exchange is in the file already.
    if (from_path && strcmp(from_path, c->record_path) == 0) return ERR_OK;
    return llm_record_append(c->record_path, key, c->backend, c->model, msgs, n_msgs,
                             c->o.temperature, k, r, n, e);
}

// Replies for the request from the recording, the resume file or the backend (before
// redaction and recording).
static int answer(llm_client *c, const char *key, const llm_msg *msgs, int n_msgs, int k,
                  llm_reply **out, int *n_out, const char **from, err_info *e) {
    *from = NULL;
    if (!c->ops) {      // replay:FILE answers only from its recording
        int rc = llm_record_take(c->replay, key, k, out, n_out, e);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_NOTFOUND, "replay %s has no answer for this request (key "
                           "%.12s): the prompt differs from the recorded run",
                           llm_record_path(c->replay), key);
        if (rc) return rc;
        count_recorded(c, *out, *n_out);
        *from = llm_record_path(c->replay);
        return ERR_OK;
    }
    if (c->resume) {
        int rc = llm_record_take(c->resume, key, k, out, n_out, e);
        if (rc == ERR_OK) {
            count_recorded(c, *out, *n_out);
            *from = c->resume_path;
            return ERR_OK;
        }
        if (rc != ERR_NOTFOUND) return rc;
    }
    llm_reply *r = calloc((size_t)k, sizeof *r);
    int n = 0;
    if (!r) return err_set(e, ERR_NOMEM, "llm: out of memory");
    int rc = c->ops->sample(c, msgs, n_msgs, k, r, &n, e);
    if (rc || n == 0) {
        llm_replies_free(r, n);
        if (!rc) rc = err_set(e, ERR_HTTP, "the %s backend returned no reply", c->backend);
        return rc;
    }
    *out = r;
    *n_out = n;
    return ERR_OK;
}

void llm_answered_elsewhere(llm_client *c, const llm_msg *msgs, int n_msgs, int k) {
    llm_record *rec = c->ops ? c->resume : c->replay;
    if (!rec) return;
    char key[65];
    llm_request_key(msgs, n_msgs, c->o.temperature, k, key);
    llm_reply *r = NULL;
    int n = 0;
    if (llm_record_take(rec, key, k, &r, &n, NULL) == ERR_OK) llm_replies_free(r, n);
}

int llm_sample(llm_client *c, const llm_msg *msgs, int n_msgs, int k, llm_reply **out,
               int *n_out, err_info *e) {
    *out = NULL;
    *n_out = 0;
    if (k < 1 || k > LLM_MAX_K)
        return err_set(e, ERR_USAGE, "%d samples asked for: use 1 to %d", k, LLM_MAX_K);
    if (n_msgs < 1) return err_set(e, ERR_USAGE, "llm_sample: empty conversation");
    for (int i = 0; i < n_msgs; i++)
        if (!msgs[i].role || !msgs[i].content)
            return err_set(e, ERR_USAGE, "llm_sample: message %d has no role or content", i);
    if (llm_budget_left(c) == 0)
        return err_set(e, ERR_BUDGET, "token budget of %ld spent (%ld prompt + %ld completion "
                       "tokens): raise --max-tokens-total to continue", c->o.max_tokens_total,
                       c->usage.prompt_tokens, c->usage.completion_tokens);
    char key[65];
    llm_request_key(msgs, n_msgs, c->o.temperature, k, key);
    llm_reply *r = NULL;
    int n = 0;
    const char *from = NULL;
    int rc = answer(c, key, msgs, n_msgs, k, &r, &n, &from, e);
    if (rc) {
        // A server's error text may quote what it was sent.
        if (e) llm_redact(c, e->msg);
        return rc;
    }
    // Whatever a server sends back (an echoed key included) is blanked out before it is
    // recorded, stored in a run or shown.
    for (int i = 0; i < n; i++) llm_redact(c, r[i].text);
    rc = record_if_asked(c, key, msgs, n_msgs, k, r, n, from, e);
    if (rc) { llm_replies_free(r, n); return rc; }
    *out = r;
    *n_out = n;
    return ERR_OK;
}
