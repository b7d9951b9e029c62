// llm_openai.c: the Chat Completions backend (OpenAI and every compatible server:
// vLLM, llama.cpp, Ollama, LM Studio, OpenRouter, Azure OpenAI by its deployment URL).
//
// Servers differ in how they treat `n`: OpenAI and vLLM honour it, Ollama silently
// returns one choice, llama.cpp has rejected n > 1 with a 400. So we ask for k, count
// what came back and top up with single requests; a 400 to an n > 1 request that a
// single request then survives switches this client to single requests for good.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "llm/llm_backend.h"

// {base}/chat/completions, keeping a query string (Azure: ?api-version=...) at the end.
static char *chat_url(const char *base) {
    const char *q = strchr(base, '?');
    size_t bl = q ? (size_t)(q - base) : strlen(base);
    const char *path = "/chat/completions";
    size_t n = bl + strlen(path) + (q ? strlen(q) : 0) + 1;
    char *u = malloc(n);
    if (!u) return NULL;
    snprintf(u, n, "%.*s%s%s", (int)bl, base, path, q ? q : "");
    return u;
}

static char *request_body(const llm_client *c, const llm_msg *msgs, int n_msgs, int n, int mct) {
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    cJSON_AddStringToObject(j, "model", c->model);
    cJSON_AddItemToObject(j, "messages", llm_messages_json(msgs, n_msgs));
    cJSON_AddNumberToObject(j, "temperature", c->o.temperature);
    cJSON_AddNumberToObject(j, mct ? "max_completion_tokens" : "max_tokens",
                            (double)c->o.max_tokens);
    if (n > 1) cJSON_AddNumberToObject(j, "n", n);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

// The text of a choice's message: a string, null (""), or an array of text parts.
static char *choice_text(const cJSON *msg, int *cut) {
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    if (cJSON_IsString(content)) {
        if (strlen(content->valuestring) > LLM_MAX_REPLY_TEXT) *cut = 1;
        return llm_strndup(content->valuestring, LLM_MAX_REPLY_TEXT);
    }
    if (cJSON_IsArray(content)) {
        size_t len = 0;
        const cJSON *part;
        cJSON_ArrayForEach(part, content) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
            if (cJSON_IsString(t)) len += strlen(t->valuestring);
        }
        if (len > LLM_MAX_REPLY_TEXT) { len = LLM_MAX_REPLY_TEXT; *cut = 1; }
        char *s = malloc(len + 1);
        if (!s) return NULL;
        size_t at = 0;
        cJSON_ArrayForEach(part, content) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
            if (!cJSON_IsString(t)) continue;
            size_t l = strlen(t->valuestring);
            if (at + l > len) l = len - at;
            memcpy(s + at, t->valuestring, l);
            at += l;
        }
        s[at] = '\0';
        return s;
    }
    return strdup("");
}

// Parse a 200 answer into out[0..max); *got = replies taken.
static int parse_choices(llm_client *c, const char *url, const char *body, llm_reply *out,
                         int max, int *got, err_info *e) {
    *got = 0;
    cJSON *j;
    const cJSON *choices;
    int rc = llm_parse_answer("openai", url, body, "choices",
                              ": is the base URL an OpenAI-compatible /v1 endpoint?", &j, &choices, e);
    if (rc) return rc;
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(j, "usage");
    long pt = 0, ct = 0;
    if (cJSON_IsObject(usage)) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens");
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens");
        pt = llm_token_count(p);
        ct = llm_token_count(q);
    }
    llm_add_usage(c, pt, ct);
    const cJSON *ch;
    cJSON_ArrayForEach(ch, choices) {
        if (*got >= max) break;
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ch, "message");
        const cJSON *fin = cJSON_GetObjectItemCaseSensitive(ch, "finish_reason");
        llm_reply *r = &out[*got];
        memset(r, 0, sizeof *r);
        int cut = 0;
        r->text = cJSON_IsObject(msg) ? choice_text(msg, &cut) : strdup("");
        if (!r->text) { rc = err_set(e, ERR_NOMEM, "out of memory"); goto done; }
        snprintf(r->finish, sizeof r->finish, "%s", cJSON_IsString(fin) ? fin->valuestring : "");
        r->truncated = strcmp(r->finish, "length") == 0 || cut;
        // Usage is per request: it goes to the first reply the request produced.
        if (*got == 0) { r->prompt_tokens = pt; r->completion_tokens = ct; }
        (*got)++;
    }
done:
    cJSON_Delete(j);
    return rc;
}

// One request for n choices; replies into out[0..max). *status gets the HTTP status
// (0 when no answer came).
static int one_request(llm_client *c, http_client *h, const char *url, const llm_msg *msgs, int n_msgs, int n,
                       llm_reply *out, int max, int *got, long *status, err_info *e) {
    *got = 0;
    *status = 0;
    for (int adapt = 0;; adapt++) {
        pthread_mutex_lock(&c->mu);
        int mct = c->use_max_completion_tokens;
        pthread_mutex_unlock(&c->mu);
        char *body = request_body(c, msgs, n_msgs, n, mct);
        if (!body) return err_set(e, ERR_NOMEM, "out of memory");
        char auth[1024];
        const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
        if (c->api_key) {
            if (snprintf(auth, sizeof auth, c->azure_key ? "api-key: %s" : "Authorization: "
                         "Bearer %s", c->api_key) >= (int)sizeof auth) {
                free(body);
                return err_set(e, ERR_USAGE, "the API key is longer than %zu bytes", sizeof auth);
            }
            headers[1] = auth;
        }
        http_response r;
        int rc = http_post(h, url, headers, body, &r, e);
        memset(auth, 0, sizeof auth);
        free(body);
        if (rc) return rc;
        *status = r.status;
        if (r.status == 200) {
            rc = parse_choices(c, url, r.body, out, max, got, e);
            http_response_free(&r);
            return rc;
        }
        char msg[256];
        llm_api_error(r.body, msg, sizeof msg);
        // Newer OpenAI models reject max_tokens and name the parameter they want.
        if (r.status == 400 && adapt == 0 && !mct && strstr(msg, "max_completion_tokens")) {
            pthread_mutex_lock(&c->mu);
            c->use_max_completion_tokens = 1;
            pthread_mutex_unlock(&c->mu);
            http_response_free(&r);
            continue;
        }
        rc = llm_http_error(e, "openai", url, r.status, r.body, r.attempts,
                            c->azure_key ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY");
        http_response_free(&r);
        return rc;
    }
}

typedef struct single_ctx {
    const char *url;
    const llm_msg *msgs;
    int n_msgs;
} single_ctx;

// One sample by a request without n (the top-up, and every sample once n is known bad).
static int single(llm_client *c, http_client *h, void *ctx, llm_reply *out, err_info *e) {
    single_ctx *s = ctx;
    int g = 0;
    long status = 0;
    int rc = one_request(c, h, s->url, s->msgs, s->n_msgs, 1, out, 1, &g, &status, e);
    if (rc == ERR_OK && g == 0)
        rc = err_set(e, ERR_PARSE, "the answer from %s had no choices", s->url);
    return rc;
}

static int openai_sample(llm_client *c, const llm_msg *msgs, int n_msgs, int k, llm_reply *out,
                      int *n_out, err_info *e) {
    *n_out = 0;
    char *url = chat_url(c->base_url);
    if (!url) return err_set(e, ERR_NOMEM, "out of memory");
    int got = 0, rc = ERR_OK, n_suspect = 0;
    long status = 0;
    if (k > 1 && !c->n_unsupported) {
        rc = one_request(c, c->http, url, msgs, n_msgs, k, out, k, &got, &status, e);
        if (rc == ERR_HTTP && status == 400) { n_suspect = 1; rc = ERR_OK; }
        if (rc) goto done;
    }
    single_ctx sc = {url, msgs, n_msgs};
    if (n_suspect) {
        // One single request first: if it fails the same way, n was not the problem and
        // the user sees that error after one more request, not after k.
        int g = 0;
        rc = llm_parallel(c, 1, single, &sc, out, &g, e);
        if (rc || g == 0) goto done;
        c->n_unsupported = 1;                   // the server does not take n
        got = g;
    }
    if (got < k) {
        int g = 0;
        rc = llm_parallel(c, k - got, single, &sc, out + got, &g, e);
        got += g;
        if (rc && got > 0) rc = ERR_OK;         // keep what came back
    }
done:
    free(url);
    *n_out = got;
    return rc;
}

// Key and base URL from the options and the environment (Azure keys go as `api-key:`).
static int openai_setup(llm_client *c, err_info *e) {
    const char *base = c->o.base_url ? c->o.base_url : llm_getenv("OPENAI_BASE_URL");
    const char *key = llm_getenv("OPENAI_API_KEY");
    if (!key && (key = llm_getenv("AZURE_OPENAI_API_KEY"))) c->azure_key = 1;
    if (!key && !base)
        return err_set(e, ERR_USAGE, "the openai backend needs OPENAI_API_KEY (or a base URL "
                       "via --base-url / OPENAI_BASE_URL for a local server that needs no key)");
    int rc = llm_set_base(c, base ? base : "https://api.openai.com/v1", e);
    if (!rc) rc = llm_set_key(c, key, c->azure_key ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY", e);
    if (rc) return rc;
    c->model = strdup(c->o.model ? c->o.model : "gpt-4o");
    return ERR_OK;
}

const llm_backend_ops llm_openai_backend = {"openai", openai_setup, openai_sample, 1};
