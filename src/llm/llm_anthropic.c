// llm_anthropic.c: the Anthropic Messages API backend.
//
// The Messages API has no `n`: one request per sample. It wants the system prompt as a
// top-level field, strictly alternating user/assistant turns and a max_tokens on every
// request; replies are a list of content blocks, of which the text blocks are the reply.
// 529 (overloaded) is retried like any 5xx by http.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "llm/llm_backend.h"

// Append text to a JSON string item's value (joining turns of the same role).
static int join_into(cJSON *item, const char *text) {
    const char *old = cJSON_GetStringValue(item);
    size_t n = strlen(old) + strlen(text) + 3;
    char *s = malloc(n);
    if (!s) return -1;
    snprintf(s, n, "%s\n\n%s", old, text);
    char *r = cJSON_SetValuestring(item, s);
    free(s);
    return r ? 0 : -1;
}

static char *request_body(const llm_client *c, const llm_msg *msgs, int n_msgs) {
    cJSON *j = cJSON_CreateObject(), *arr, *sys = NULL, *last = NULL;
    const char *last_role = NULL;
    if (!j) return NULL;
    cJSON_AddStringToObject(j, "model", c->model);
    cJSON_AddNumberToObject(j, "max_tokens", (double)c->o.max_tokens);
    cJSON_AddNumberToObject(j, "temperature", c->o.temperature);
    arr = cJSON_CreateArray();
    for (int i = 0; i < n_msgs; i++) {
        const char *role = msgs[i].role;
        if (strcmp(role, "system") == 0) {
            if (!sys) sys = cJSON_AddStringToObject(j, "system", msgs[i].content);
            else if (join_into(sys, msgs[i].content)) goto fail;
            continue;
        }
        if (strcmp(role, "assistant") != 0) role = "user";
        if (last && strcmp(last_role, role) == 0) {
            if (join_into(last, msgs[i].content)) goto fail;
            continue;
        }
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", role);
        last = cJSON_AddStringToObject(m, "content", msgs[i].content);
        last_role = role;
        cJSON_AddItemToArray(arr, m);
    }
    cJSON_AddItemToObject(j, "messages", arr);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
fail:
    cJSON_Delete(arr);
    cJSON_Delete(j);
    return NULL;
}

static int parse_reply(llm_client *c, const char *url, const char *body, llm_reply *r,
                       err_info *e) {
    cJSON *j;
    const cJSON *content;
    int rc = llm_parse_answer("anthropic", url, body, "content", "", &j, &content, e);
    if (rc) return rc;
    size_t len = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, content) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
        if (cJSON_IsString(t)) len += strlen(t->valuestring);
    }
    int cut = len > LLM_MAX_REPLY_TEXT;
    if (cut) len = LLM_MAX_REPLY_TEXT;
    memset(r, 0, sizeof *r);
    r->text = malloc(len + 1);
    if (!r->text) { rc = err_set(e, ERR_NOMEM, "out of memory"); goto done; }
    size_t at = 0;
    cJSON_ArrayForEach(b, content) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(b, "type");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
        if (!cJSON_IsString(t) || (cJSON_IsString(type) && strcmp(type->valuestring, "text")))
            continue;
        size_t l = strlen(t->valuestring);
        if (at + l > len) l = len - at;
        memcpy(r->text + at, t->valuestring, l);
        at += l;
    }
    r->text[at] = '\0';
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(j, "stop_reason");
    snprintf(r->finish, sizeof r->finish, "%s", cJSON_IsString(stop) ? stop->valuestring : "");
    r->truncated = strcmp(r->finish, "max_tokens") == 0 || cut;
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(j, "usage");
    if (cJSON_IsObject(usage)) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(usage, "input_tokens");
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(usage, "output_tokens");
        r->prompt_tokens = llm_token_count(p);
        r->completion_tokens = llm_token_count(q);
    }
    llm_add_usage(c, r->prompt_tokens, r->completion_tokens);
done:
    cJSON_Delete(j);
    return rc;
}

typedef struct single_ctx {
    const char *url;
    const char *body;
    const char *const *headers;
} single_ctx;

static int single(llm_client *c, http_client *h, void *ctx, llm_reply *out, err_info *e) {
    single_ctx *s = ctx;
    http_response r;
    int rc = http_post(h, s->url, s->headers, s->body, &r, e);
    if (!rc && r.status != 200)
        rc = llm_http_error(e, "anthropic", s->url, r.status, r.body, r.attempts,
                            "ANTHROPIC_API_KEY");
    if (!rc) rc = parse_reply(c, s->url, r.body, out, e);
    http_response_free(&r);
    return rc;
}

static int anthropic_sample(llm_client *c, const llm_msg *msgs, int n_msgs, int k, llm_reply *out,
                         int *n_out, err_info *e) {
    *n_out = 0;
    size_t ul = strlen(c->base_url) + 16;
    char *url = malloc(ul);
    char *body = request_body(c, msgs, n_msgs);
    if (!url || !body) {
        free(url);
        free(body);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    snprintf(url, ul, "%s/v1/messages", c->base_url);
    char key[1024] = "";
    if (c->api_key && snprintf(key, sizeof key, "x-api-key: %s", c->api_key) >= (int)sizeof key) {
        free(url);
        free(body);
        return err_set(e, ERR_USAGE, "the API key is longer than %zu bytes", sizeof key);
    }
    const char *headers[] = {"Content-Type: application/json", "anthropic-version: 2023-06-01",
                             c->api_key ? key : NULL, NULL};
    // No n in the Messages API: k single requests, several in flight at once.
    single_ctx sc = {url, body, headers};
    int rc = llm_parallel(c, k, single, &sc, out, n_out, e);
    memset(key, 0, sizeof key);
    free(url);
    free(body);
    return rc;
}

// Key and base URL from the options and the environment.
static int anthropic_setup(llm_client *c, err_info *e) {
    const char *base = c->o.base_url ? c->o.base_url : llm_getenv("ANTHROPIC_BASE_URL");
    const char *key = llm_getenv("ANTHROPIC_API_KEY");
    if (!key && !base)
        return err_set(e, ERR_USAGE, "the anthropic backend needs ANTHROPIC_API_KEY");
    int rc = llm_set_base(c, base ? base : "https://api.anthropic.com", e);
    if (!rc) rc = llm_set_key(c, key, "ANTHROPIC_API_KEY", e);
    if (rc) return rc;
    c->model = strdup(c->o.model ? c->o.model : "claude-sonnet-4-5");
    return ERR_OK;
}

const llm_backend_ops llm_anthropic_backend = {"anthropic", anthropic_setup, anthropic_sample, 1};
