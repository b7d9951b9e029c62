// llm_backend.c: what the backends share with the client (see llm_backend.h): the
// token budget, parallel single-sample requests, API error bodies, the request key.
// It sits below llm.c and every backend, so that none of them depends on another.
#define _GNU_SOURCE 1           // memmem
#include "llm/llm_backend.h"
#include "llm/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *llm_strndup(const char *s, size_t cap) {
    size_t n = strlen(s);
    if (n > cap) n = cap;
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *llm_dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

const char *llm_getenv(const char *name) {
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

int llm_set_base(llm_client *c, const char *base, err_info *e) {
    char *clean = NULL;
    int rc = http_url_check(base, &clean, &c->url_user, &c->url_password, e);
    if (rc) return rc;
    size_t n = strlen(clean);
    while (n > 0 && clean[n - 1] == '/') clean[--n] = '\0';
    c->base_url = clean;
    return ERR_OK;
}

int llm_set_key(llm_client *c, const char *key, const char *env, err_info *e) {
    if (!key) return ERR_OK;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return err_set(e, ERR_USAGE, "%s holds a control character (a line break?): set it to "
                           "the key alone", env);
    c->api_key = strdup(key);
    return c->api_key ? ERR_OK : err_set(e, ERR_NOMEM, "llm client: out of memory");
}

void llm_http_opts(const llm_client *c, http_opts *o) {
    memset(o, 0, sizeof *o);
    o->max_retries = c->o.max_retries;
    o->timeout_s = c->o.timeout_s;
    o->connect_timeout_s = c->o.connect_timeout_s;
    o->idle_timeout_s = c->o.idle_timeout_s;
    o->max_body = c->o.max_reply_bytes;
    o->username = c->url_user;
    o->password = c->url_password;
}

// Secrets shorter than this are not searched for: blanking every "abc" in a reply would
// damage the reply and protect nothing.
#define LLM_SECRET_MIN 8

static void blank(char *text, const char *secret) {
    size_t n = secret ? strlen(secret) : 0;
    if (!text || n < LLM_SECRET_MIN) return;
    size_t len = strlen(text);
    char *p = text, *end = text + len;
    // memmem (two-way search in glibc) is linear; each hit moves past itself.
    while ((p = memmem(p, (size_t)(end - p), secret, n))) {
        memset(p, '*', n);
        p += n;
    }
}

void llm_redact(const llm_client *c, char *text) {
    blank(text, c->api_key);
    blank(text, c->url_password);
}

long llm_token_clamp(double v) {
    if (!(v > 0)) return 0;     // also NaN
    return v >= (double)LLM_TOKENS_MAX ? LLM_TOKENS_MAX : (long)v;
}

long llm_token_count(const cJSON *v) {
    return cJSON_IsNumber(v) ? llm_token_clamp(v->valuedouble) : 0;
}

// a + b for token counts, saturating at LLM_TOKENS_TOTAL_MAX.
static long add_sat(long a, long b) {
    if (b <= 0) return a;
    if (b > LLM_TOKENS_MAX) b = LLM_TOKENS_MAX;
    return a > LLM_TOKENS_TOTAL_MAX - b ? LLM_TOKENS_TOTAL_MAX : a + b;
}

long llm_budget_left(const llm_client *c) {
    if (c->o.max_tokens_total <= 0) return -1;
    long used = add_sat(c->usage.prompt_tokens, c->usage.completion_tokens);
    return used >= c->o.max_tokens_total ? 0 : c->o.max_tokens_total - used;
}

void llm_add_usage(llm_client *c, long prompt, long completion) {
    pthread_mutex_lock(&c->mu);
    c->usage.prompt_tokens = add_sat(c->usage.prompt_tokens, prompt);
    c->usage.completion_tokens = add_sat(c->usage.completion_tokens, completion);
    c->last_request_tokens = add_sat(add_sat(0, prompt), completion);
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
    http_opts ho;
    llm_http_opts(j->c, &ho);
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
    const cJSON *top = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (!cJSON_IsString(top)) top = cJSON_GetObjectItemCaseSensitive(j, "detail");
    if (cJSON_IsObject(err)) {                          // {"error": {"message": "text"}}
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(err, "message");
        if (cJSON_IsString(m)) snprintf(buf, n, "%s", m->valuestring);
    }
    // {"error": "Bad Request", "message": "text"} (some proxies): both say something.
    if (!buf[0] && cJSON_IsString(err) && cJSON_IsString(top) && strcmp(err->valuestring, top->valuestring) != 0)
        snprintf(buf, n, "%s: %s", err->valuestring, top->valuestring);
    else if (!buf[0] && cJSON_IsString(err)) snprintf(buf, n, "%s", err->valuestring);
    else if (!buf[0] && cJSON_IsString(top)) snprintf(buf, n, "%s", top->valuestring);
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
    // Only a status the client retries is worth trying again later; others need a change.
    const char *later = http_status_retryable(status) ? "; try again later" : "";
    if (status == 429)
        return err_set(e, ERR_HTTP, "%s rate limit or quota exceeded (HTTP 429)%s: %s%s",
                       backend, tries, msg, later);
    if (status >= 500)
        return err_set(e, ERR_HTTP, "%s server error (HTTP %ld)%s: %s%s", backend, status, tries, msg, later);
    return err_set(e, ERR_HTTP, "%s API error (HTTP %ld)%s: %s%s", backend, status, tries, msg, later);
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

cJSON *llm_messages_json(const llm_msg *msgs, int n_msgs) {
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < n_msgs; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", msgs[i].role);
        cJSON_AddStringToObject(m, "content", msgs[i].content);
        cJSON_AddItemToArray(arr, m);
    }
    return arr;
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
