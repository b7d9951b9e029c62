// llm.c: the client every caller uses (see llm.h), whatever model answers.
//
// It picks the backend, keeps the token totals and the budget, records every exchange
// to llm.jsonl and answers from a recording first when asked to (replay, resume), so
// that a run can be repeated byte for byte without a network. The backends themselves
// (llm_openai.c, llm_anthropic.c, llm_offline.c) only turn a conversation into replies.
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fs.h"
#include "llm_backend.h"

#define LLM_MAX_K 128

void llm_opts_default(llm_opts *o) {
    memset(o, 0, sizeof *o);
    o->backend = "auto";
    o->temperature = 1.0;
    o->max_tokens = 4096;
    o->max_retries = 2;
    o->timeout_s = 600.0;
    o->connect_timeout_s = 5.0;
}

char *llm_strndup(const char *s, size_t cap) {
    size_t n = strlen(s);
    if (n > cap) n = cap;
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static const char *env_nonempty(const char *name) {
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

// Base URL without trailing slashes.
static char *base_copy(const char *s) {
    char *b = strdup(s);
    if (!b) return NULL;
    size_t n = strlen(b);
    while (n > 0 && b[n - 1] == '/') b[--n] = '\0';
    return b;
}

void llm_free(llm_client *c) {
    if (!c) return;
    http_free(c->http);
    llm_record_free(c->replay);
    llm_record_free(c->resume);
    free(c->model);
    free(c->base_url);
    if (c->api_key) {
        // Do not leave the key in freed memory.
        volatile char *p = c->api_key;
        while (*p) *p++ = 0;
        free(c->api_key);
    }
    free(c->record_path);
    free(c->resume_path);
    free(c->task);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static int setup_openai(llm_client *c, err_info *e) {
    const char *base = c->o.base_url ? c->o.base_url : env_nonempty("OPENAI_BASE_URL");
    const char *key = env_nonempty("OPENAI_API_KEY");
    if (!key && (key = env_nonempty("AZURE_OPENAI_API_KEY"))) c->azure_key = 1;
    if (!key && !base)
        return err_set(e, ERR_USAGE, "the openai backend needs OPENAI_API_KEY (or a base URL "
                       "via --base-url / OPENAI_BASE_URL for a local server that needs no key)");
    c->base_url = base_copy(base ? base : "https://api.openai.com/v1");
    c->api_key = dup_or_null(key);
    c->model = strdup(c->o.model ? c->o.model : "gpt-4o");
    return ERR_OK;
}

static int setup_anthropic(llm_client *c, err_info *e) {
    const char *base = c->o.base_url ? c->o.base_url : env_nonempty("ANTHROPIC_BASE_URL");
    const char *key = env_nonempty("ANTHROPIC_API_KEY");
    if (!key && !base)
        return err_set(e, ERR_USAGE, "the anthropic backend needs ANTHROPIC_API_KEY");
    c->base_url = base_copy(base ? base : "https://api.anthropic.com");
    c->api_key = dup_or_null(key);
    c->model = strdup(c->o.model ? c->o.model : "claude-sonnet-4-5");
    return ERR_OK;
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
    if (c->o.max_retries < 0) c->o.max_retries = 0;
    c->record_path = dup_or_null(o->record_path);
    c->resume_path = dup_or_null(o->resume_path);
    c->task = dup_or_null(o->task);
    c->o.record_path = c->record_path;
    c->o.resume_path = c->resume_path;
    c->o.task = c->task;
    c->o.backend = NULL;        // borrowed from the caller: use c->backend
    c->o.model = NULL;          // use c->model
    c->o.base_url = NULL;       // use c->base_url

    const char *b = o->backend ? o->backend : "auto";
    int rc = ERR_OK;
    if (strcmp(b, "auto") == 0) {
        if (env_nonempty("OPENAI_API_KEY")) b = "openai";
        else if (env_nonempty("ANTHROPIC_API_KEY")) b = "anthropic";
        // A base URL without a key: a local OpenAI-compatible server.
        else if (o->base_url || env_nonempty("OPENAI_BASE_URL")) b = "openai";
        else b = "offline";
    }
    // The setup functions read these from c->o.
    c->o.model = o->model;
    c->o.base_url = o->base_url;
    if (strcmp(b, "openai") == 0) {
        c->kind = LLM_OPENAI;
        rc = setup_openai(c, e);
    } else if (strcmp(b, "anthropic") == 0) {
        c->kind = LLM_ANTHROPIC;
        rc = setup_anthropic(c, e);
    } else if (strcmp(b, "offline") == 0) {
        c->kind = LLM_OFFLINE;
        c->model = strdup(o->model ? o->model : "offline");
    } else if (strncmp(b, "replay:", 7) == 0 && b[7]) {
        c->kind = LLM_REPLAY;
        c->replay = llm_record_load(b + 7, e);
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
    snprintf(c->backend, sizeof c->backend, "%s", c->kind == LLM_OPENAI ? "openai"
             : c->kind == LLM_ANTHROPIC ? "anthropic" : c->kind == LLM_OFFLINE ? "offline"
             : "replay");
    if (!c->model || (c->kind <= LLM_ANTHROPIC && !c->base_url)) {
        llm_free(c);
        err_set(e, ERR_NOMEM, "llm client: out of memory");
        return NULL;
    }
    if (c->kind == LLM_OPENAI || c->kind == LLM_ANTHROPIC) {
        http_opts ho = {c->o.max_retries, c->o.timeout_s, c->o.connect_timeout_s,
                        c->o.max_reply_bytes};
        c->http = http_new(&ho, e);
        if (!c->http) { llm_free(c); return NULL; }
    }
    if (c->resume_path && fs_exists(c->resume_path)) {
        c->resume = llm_record_load(c->resume_path, e);
        if (!c->resume) { err_wrap(e, "resume"); llm_free(c); return NULL; }
    }
    return c;
}

const char *llm_backend(const llm_client *c) { return c->backend; }
const char *llm_model(const llm_client *c) { return c->model; }

llm_usage llm_get_usage(const llm_client *c) {
    llm_usage u = c->usage;
    u.requests = http_requests(c->http) + c->extra_requests;
    return u;
}

long llm_budget_left(const llm_client *c) {
    if (c->o.max_tokens_total <= 0) return -1;
    long used = c->usage.prompt_tokens + c->usage.completion_tokens;
    return used >= c->o.max_tokens_total ? 0 : c->o.max_tokens_total - used;
}

void llm_add_usage(llm_client *c, long prompt, long completion) {
    pthread_mutex_lock(&c->mu);
    if (prompt > 0) c->usage.prompt_tokens += prompt;
    if (completion > 0) c->usage.completion_tokens += completion;
    c->last_request_tokens = (prompt > 0 ? prompt : 0) + (completion > 0 ? completion : 0);
    pthread_mutex_unlock(&c->mu);
}

// ---- parallel single-sample requests -------------------------------------------------

typedef struct job {
    llm_client *c;
    llm_single_fn fn;
    void *ctx;
    llm_reply r;
    err_info e;
    int rc;
    long requests;
} job;

static void *job_run(void *arg) {
    job *j = arg;
    http_opts ho = {j->c->o.max_retries, j->c->o.timeout_s, j->c->o.connect_timeout_s,
                    j->c->o.max_reply_bytes};
    http_client *h = http_new(&ho, &j->e);
    if (!h) { j->rc = j->e.code; return NULL; }
    j->rc = j->fn(j->c, h, j->ctx, &j->r, &j->e);
    j->requests = http_requests(h);
    http_free(h);
    return NULL;
}

int llm_parallel(llm_client *c, int n, llm_single_fn fn, void *ctx, llm_reply *out, int *got,
                 err_info *e) {
    *got = 0;
    int rc = ERR_OK;
    while (*got < n) {
        long left = llm_budget_left(c);
        if (left == 0) break;
        int m = n - *got < LLM_PARALLEL ? n - *got : LLM_PARALLEL;
        // Under a budget, send no more requests than the budget is likely to pay for.
        if (left > 0 && c->last_request_tokens > 0 && left / c->last_request_tokens < m)
            m = left / c->last_request_tokens > 0 ? (int)(left / c->last_request_tokens) : 1;
        job jobs[LLM_PARALLEL];
        pthread_t th[LLM_PARALLEL];
        int started[LLM_PARALLEL] = {0};
        memset(jobs, 0, sizeof jobs);
        for (int i = 0; i < m; i++) {
            jobs[i] = (job){.c = c, .fn = fn, .ctx = ctx};
            // One request runs on this thread; the others get their own.
            if (i > 0) started[i] = pthread_create(&th[i], NULL, job_run, &jobs[i]) == 0;
        }
        job_run(&jobs[0]);
        for (int i = 1; i < m; i++) {
            if (started[i]) pthread_join(th[i], NULL);
            else job_run(&jobs[i]);
        }
        int ok = 0, failed = -1;
        for (int i = 0; i < m; i++) {
            c->extra_requests += jobs[i].requests;
            if (jobs[i].rc == ERR_OK) out[(*got)++] = jobs[i].r, ok++;
            else if (failed < 0) failed = i;
        }
        if (failed >= 0) {
            if (e) *e = jobs[failed].e;
            rc = ok > 0 || *got > 0 ? ERR_OK : jobs[failed].rc;
            break;
        }
    }
    return rc;
}

void llm_replies_free(llm_reply *r, int n) {
    if (!r) return;
    for (int i = 0; i < n; i++) free(r[i].text);
    free(r);
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
        return err_set(e, ERR_LIMIT, "token budget of %ld spent (%ld prompt + %ld completion "
                       "tokens): raise the budget to continue", c->o.max_tokens_total,
                       c->usage.prompt_tokens, c->usage.completion_tokens);
    char key[65];
    llm_request_key(msgs, n_msgs, c->o.temperature, k, key);

    llm_reply *r = NULL;
    int n = 0, rc;
    if (c->kind == LLM_REPLAY) {
        rc = llm_record_take(c->replay, key, &r, &n, e);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_NOTFOUND, "replay %s has no answer for this request (key "
                           "%.12s): the prompt differs from the recorded run",
                           llm_record_path(c->replay), key);
        if (rc) return rc;
        count_recorded(c, r, n);
        rc = record_if_asked(c, key, msgs, n_msgs, k, r, n, llm_record_path(c->replay), e);
        if (rc) { llm_replies_free(r, n); return rc; }
        *out = r;
        *n_out = n;
        return ERR_OK;
    }
    if (c->resume) {
        rc = llm_record_take(c->resume, key, &r, &n, e);
        if (rc == ERR_OK) {
            count_recorded(c, r, n);
            rc = record_if_asked(c, key, msgs, n_msgs, k, r, n, c->resume_path, e);
            if (rc) { llm_replies_free(r, n); return rc; }
            *out = r;
            *n_out = n;
            return ERR_OK;
        }
        if (rc != ERR_NOTFOUND) return rc;
    }

    r = calloc((size_t)k, sizeof *r);
    if (!r) return err_set(e, ERR_NOMEM, "llm: out of memory");
    switch (c->kind) {
    case LLM_OPENAI: rc = llm_openai_sample(c, msgs, n_msgs, k, r, &n, e); break;
    case LLM_ANTHROPIC: rc = llm_anthropic_sample(c, msgs, n_msgs, k, r, &n, e); break;
    default: rc = llm_offline_sample(c, msgs, n_msgs, k, r, &n, e); break;
    }
    if (rc || n == 0) {
        llm_replies_free(r, n);
        if (!rc) rc = err_set(e, ERR_HTTP, "the %s backend returned no reply", c->backend);
        return rc;
    }
    rc = record_if_asked(c, key, msgs, n_msgs, k, r, n, NULL, e);
    if (rc) { llm_replies_free(r, n); return rc; }
    *out = r;
    *n_out = n;
    return ERR_OK;
}

// ---- API error bodies --------------------------------------------------------------

int llm_parse_answer(const char *backend, const char *url, const char *body, const char *field,
                     const char *hint, cJSON **json, const cJSON **array, err_info *e) {
    *json = cJSON_Parse(body);
    *array = NULL;
    if (!*json) {
        char start[64];
        snprintf(start, sizeof start, "%.40s", body);
        for (char *p = start; *p; p++)
            if ((unsigned char)*p < 32) *p = ' ';
        return err_set(e, ERR_PARSE, "the answer from %s is not JSON (it starts '%s')%s", url, start, hint);
    }
    *array = cJSON_GetObjectItemCaseSensitive(*json, field);
    if (cJSON_IsArray(*array)) return ERR_OK;
    char msg[256];
    llm_api_error(body, msg, sizeof msg);
    cJSON_Delete(*json);
    *json = NULL;
    *array = NULL;
    return msg[0] ? err_set(e, ERR_HTTP, "%s API error from %s: %s", backend, url, msg)
                  : err_set(e, ERR_PARSE, "the answer from %s has no \"%s\" array", url, field);
}

char *llm_api_error(const char *body, char *buf, size_t n) {
    buf[0] = '\0';
    cJSON *j = body ? cJSON_Parse(body) : NULL;
    if (!j) return buf;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *msg = NULL;
    if (cJSON_IsObject(err)) msg = cJSON_GetObjectItemCaseSensitive(err, "message");
    else if (cJSON_IsString(err)) msg = err;          // {"error": "text"} (some proxies)
    if (!cJSON_IsString(msg)) msg = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (!cJSON_IsString(msg)) msg = cJSON_GetObjectItemCaseSensitive(j, "detail");
    if (cJSON_IsString(msg)) snprintf(buf, n, "%s", msg->valuestring);
    cJSON_Delete(j);
    return buf;
}

int llm_http_error(err_info *e, const char *backend, const char *url, long status,
                   const char *body, int attempts, const char *key_env) {
    char msg[256], tries[40] = "";
    llm_api_error(body, msg, sizeof msg);
    if (!msg[0] && body) {
        // Not a JSON error: show the start of whatever came back.
        snprintf(msg, sizeof msg, "%.120s", body);
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p < 32) *p = ' ';
    }
    if (attempts > 1) snprintf(tries, sizeof tries, " after %d attempts", attempts);
    if (status == 401)
        return err_set(e, ERR_HTTP, "the server rejected the API key (HTTP 401): check %s "
                       "(%s)", key_env, msg);
    if (status == 403)
        return err_set(e, ERR_HTTP, "%s refused the request (HTTP 403): the key may lack access "
                       "to this model (%s)", url, msg);
    if (status == 404)
        return err_set(e, ERR_HTTP, "%s answered 404 (not found): check the base URL and the "
                       "model name (%s)", url, msg);
    if (status == 429)
        return err_set(e, ERR_HTTP, "%s rate limit or quota exceeded (HTTP 429)%s: %s",
                       backend, tries, msg);
    if (status >= 500)
        return err_set(e, ERR_HTTP, "%s server error (HTTP %ld)%s: %s; try again later",
                       backend, status, tries, msg);
    return err_set(e, ERR_HTTP, "%s API error (HTTP %ld)%s: %s", backend, status, tries, msg);
}

// ---- SHA-256 (FIPS 180-4), for request keys -------------------------------------------

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

typedef struct sha256 {
    uint32_t h[8];
    uint8_t buf[64];
    size_t nbuf;
    uint64_t bits;
} sha256;

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(sha256 *s, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
    uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
                      K256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
    s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_init(sha256 *s) {
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->nbuf = 0;
    s->bits = 0;
}

static void sha256_update(sha256 *s, const void *data, size_t len) {
    const uint8_t *p = data;
    s->bits += (uint64_t)len * 8;
    while (len > 0) {
        size_t take = 64 - s->nbuf < len ? 64 - s->nbuf : len;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        len -= take;
        if (s->nbuf == 64) { sha256_block(s, s->buf); s->nbuf = 0; }
    }
}

static void sha256_hex(sha256 *s, char out[65]) {
    uint64_t bits = s->bits;
    uint8_t pad = 0x80, zero = 0, len[8];
    sha256_update(s, &pad, 1);
    while (s->nbuf != 56) sha256_update(s, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, len, 8);
    for (int i = 0; i < 8; i++) snprintf(out + 8 * i, 9, "%08x", s->h[i]);
    out[64] = '\0';
}

void llm_sha256_hex(const void *data, size_t len, char out[65]) {
    sha256 s;
    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_hex(&s, out);
}

void llm_request_key(const llm_msg *msgs, int n_msgs, double temperature, int k, char out[65]) {
    // Length-prefixed fields: no two different requests share a byte stream.
    sha256 s;
    char head[96];
    sha256_init(&s);
    int n = snprintf(head, sizeof head, "eureka-llm-request-v1\nk=%d\ntemperature=%.17g\n", k,
                     temperature);
    sha256_update(&s, head, (size_t)n);
    for (int i = 0; i < n_msgs; i++) {
        size_t rl = strlen(msgs[i].role), cl = strlen(msgs[i].content);
        n = snprintf(head, sizeof head, "%zu:", rl);
        sha256_update(&s, head, (size_t)n);
        sha256_update(&s, msgs[i].role, rl);
        n = snprintf(head, sizeof head, "\n%zu:", cl);
        sha256_update(&s, head, (size_t)n);
        sha256_update(&s, msgs[i].content, cl);
        sha256_update(&s, "\n", 1);
    }
    sha256_hex(&s, out);
}
