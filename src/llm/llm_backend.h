// llm_backend.h: what llm.c shares with its backends (llm_openai.c, llm_anthropic.c,
// llm_offline.c, llm_replay.c), implemented in llm_backend.c. Not for use outside llm/.
//
// llm.c owns the client, the token budget, recording and the replay/resume lookup;
// a backend only turns one conversation into replies.
#ifndef EUREKA_LLM_BACKEND_H
#define EUREKA_LLM_BACKEND_H

#include <pthread.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "llm/http.h"
#include "llm/llm.h"

#define LLM_MAX_RECORD_FILE (256u * 1024u * 1024u)
#define LLM_MAX_RECORD_LINE (16u * 1024u * 1024u)   // one exchange: request + replies
#define LLM_PARALLEL 8          // single-sample requests in flight at once


typedef struct llm_record llm_record;   // a loaded llm.jsonl (llm_replay.c)
typedef struct llm_backend_ops llm_backend_ops;

struct llm_client {
    llm_opts o;                 // strings below are owned copies
    const llm_backend_ops *ops;  // the backend that answers; NULL for replay:FILE
    char backend[16];           // resolved name
    char *model;
    char *base_url;             // resolved (openai: .../v1, anthropic: host root), no credentials
    char *url_user, *url_password;  // credentials taken out of the base URL (http basic auth)
    char *api_key;              // never logged, never recorded
    int azure_key;              // send the key as `api-key:` (Azure OpenAI)
    char *record_path, *resume_path, *task;
    http_client *http;
    int n_unsupported;          // the server rejected `n`: one request per sample from now on
    int use_max_completion_tokens; // the server wants max_completion_tokens (newer OpenAI models)
    llm_record *replay;         // replay: the file answered from
    llm_record *resume;         // resume: answers tried before the backend
    pthread_mutex_t mu;         // guards usage and the flags above during parallel requests
    llm_usage usage;
    long extra_requests;        // requests sent by the parallel workers' own connections
    long last_request_tokens;   // tokens of the latest request: sizes batches under a budget
    long replay_hits;           // answers served from a recording
};

// One single-sample request on connection h into *out (a worker of llm_parallel).
typedef int (*llm_single_fn)(llm_client *c, http_client *h, void *ctx, llm_reply *out,
                             err_info *e);

// Up to n single-sample requests, LLM_PARALLEL at a time (each worker has its own
// connection), in batches sized so as not to overrun the token budget. Replies go to
// out[0..*got) in request order. Stops at the first batch with a failure: ERR_OK if any
// reply came back (the caller gets fewer), else the first failure.
int llm_parallel(llm_client *c, int n, llm_single_fn fn, void *ctx, llm_reply *out, int *got,
                 err_info *e);

// Budget left (tokens), or -1 for no cap.
long llm_budget_left(const llm_client *c);

// Add one request's token counts to the client totals (thread-safe).
void llm_add_usage(llm_client *c, long prompt, long completion);

// A backend: how a client of its kind is set up and how it turns one conversation into
// replies. llm.c finds backends in a table by name (as curl picks its TLS backend), so
// no backend depends on the client or on another backend.
typedef struct llm_backend_ops {
    const char *name;           // "openai", "anthropic", "offline"
    // Fill c->model and, for network backends, c->base_url and c->api_key (from c->o.model,
    // c->o.base_url and the environment).
    int (*setup)(llm_client *c, err_info *e);
    // Fill out[0..*n_out) (*n_out <= k); ERR_OK when at least one reply came back.
    int (*sample)(llm_client *c, const llm_msg *msgs, int n_msgs, int k, llm_reply *out,
                  int *n_out, err_info *e);
    int network;                // talks HTTP: needs a base URL and an http_client
} llm_backend_ops;

extern const llm_backend_ops llm_openai_backend, llm_anthropic_backend, llm_offline_backend;

// strdup(s), or NULL for NULL (and on out of memory).
char *llm_dup_or_null(const char *s);

// The environment variable's value, or NULL when unset or empty.
const char *llm_getenv(const char *name);

// Set c->base_url from base (http/https only, credentials moved to c->url_user and
// c->url_password, trailing slashes dropped). ERR_USAGE naming what is wrong.
int llm_set_base(llm_client *c, const char *base, err_info *e);

// Set c->api_key from key (NULL: none), refusing a key with control characters (a CR/LF
// would add headers to every request): ERR_USAGE naming env.
int llm_set_key(llm_client *c, const char *key, const char *env, err_info *e);

// The options of an http_client for c.
void llm_http_opts(const llm_client *c, http_opts *o);

// Blank out (with '*') every occurrence of the client's secrets (API key, URL password;
// those of at least 8 bytes) in text, in place, in linear time.
void llm_redact(const llm_client *c, char *text);

// A token count from a server or a recording: 0 unless a finite non-negative number,
// at most LLM_TOKENS_MAX.
long llm_token_count(const cJSON *v);

// The message of an API error body in any documented shape (OpenAI, old vLLM,
// Anthropic), copied into buf; "" when the body is not one. Returns buf.
char *llm_api_error(const char *body, char *buf, size_t n);

// Parse a 200 answer and find its top-level array `field` ("choices", "content").
// On ERR_OK, *json is the parsed body (owned) and *array borrowed from it. Otherwise
// ERR_PARSE naming url and how the body starts (then `hint`), or the API's own error
// message (ERR_HTTP) when the body is an error object; *json is NULL.
int llm_parse_answer(const char *backend, const char *url, const char *body, const char *field,
                     const char *hint, cJSON **json, const cJSON **array, err_info *e);

// Error for an HTTP status the backend could not use (401 names key_env).
int llm_http_error(err_info *e, const char *backend, const char *url, long status,
                   const char *body, int attempts, const char *key_env);

// A copy of s with at most cap bytes; NULL on out of memory.
char *llm_strndup(const char *s, size_t cap);

// SHA-256 of data, as 64 lowercase hex digits + NUL.
void llm_sha256_hex(const void *data, size_t len, char out[65]);

// The conversation as a JSON array of {"role", "content"} objects: the OpenAI chat form,
// which the recordings keep too. Owned by the caller (cJSON_Delete); NULL on out of memory.
cJSON *llm_messages_json(const llm_msg *msgs, int n_msgs);

// The request key: SHA-256 of (k, temperature, messages) in an unambiguous layout.
void llm_request_key(const llm_msg *msgs, int n_msgs, double temperature, int k, char out[65]);

// Recordings (llm_replay.c): load an llm.jsonl, read line by line within
// LLM_MAX_RECORD_FILE, LLM_MAX_RECORD_LINE and LLM_MAX_REPLY_TEXT per reply; in_run: the
// file is a run directory's own (resume), so a link there is refused, not followed.
llm_record *llm_record_load(const char *path, int in_run, err_info *e);
void llm_record_free(llm_record *r);
// Replies recorded for the next unused occurrence of key (owned copies, at most k: a
// recording with more answers than were asked serves only k), or ERR_NOTFOUND.
int llm_record_take(llm_record *r, const char *key, int k, llm_reply **out, int *n_out,
                    err_info *e);
// The file a recording was loaded from. Borrowed.
const char *llm_record_path(const llm_record *r);
// The model of the first entry, or NULL. Borrowed.
const char *llm_record_model(const llm_record *r);
// Append one exchange to path as a JSON line.
int llm_record_append(const char *path, const char *key, const char *backend,
                      const char *model, const llm_msg *msgs, int n_msgs, double temperature,
                      int k, const llm_reply *r, int n, err_info *e);

#endif
