// llm.h: one interface to the language models that write rewards.
//
// Backends: "openai" (Chat Completions; also any compatible server via base URL),
// "anthropic" (Messages API), "replay:FILE" (answers recorded in an llm.jsonl),
// "offline" (a seeded local reward-program mutator, not a language model), and
// "auto" (openai if $OPENAI_API_KEY, else anthropic if $ANTHROPIC_API_KEY, else openai
// if a base URL is given (a local server needs no key), else offline).
// Every request and its replies can be recorded to an llm.jsonl keyed by a hash of
// the request, so any run replays exactly.
#ifndef EUREKA_LLM_H
#define EUREKA_LLM_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

// Cap on one reply's text (after JSON decoding), whichever backend or recording it came
// from; a longer reply is cut and marked truncated.
#define LLM_MAX_REPLY_TEXT (1024 * 1024)

typedef struct llm_msg {
    const char *role;       // "system", "user" or "assistant"
    const char *content;
} llm_msg;

typedef struct llm_reply {
    char *text;             // the reply text (owned; "" for content: null)
    char finish[24];        // "stop", "length", ... as the server said
    int truncated;          // finish == length / max_tokens: the code was cut off
    long prompt_tokens;     // as reported (0 when the server gave no usage)
    long completion_tokens;
} llm_reply;

typedef struct llm_opts {
    const char *backend;        // "auto", "openai", "anthropic", "offline", "replay:FILE"
    const char *model;          // NULL: backend default (gpt-4o / claude-sonnet-4-5 / offline)
    const char *base_url;       // NULL: $OPENAI_BASE_URL / $ANTHROPIC_BASE_URL / public endpoint
    double temperature;         // default 1.0
    long max_tokens;            // per reply (anthropic requires it); default 4096
    const char *record_path;    // append every exchange here (llm.jsonl); NULL = no record
    const char *resume_path;    // answer from this llm.jsonl when it holds the request, else
                                // ask the backend (used by `search --resume`); NULL = off
    const char *task;           // task name (the offline backend reads its components.txt)
    uint64_t seed;              // offline backend seed
    int max_retries;            // default 2
    double timeout_s;           // one request with its retries, default 600 (--llm-timeout)
    double connect_timeout_s;   // default 5 (--llm-connect-timeout)
    double idle_timeout_s;      // an attempt that receives nothing this long ends, default 300
                                // (--llm-idle-timeout)
    long max_tokens_total;      // stop when a run has used this many tokens (0 = no cap);
                                // reaching it is ERR_BUDGET
    size_t max_reply_bytes;     // cap on one HTTP response body (0 = 8 MiB)
} llm_opts;

typedef struct llm_usage {
    long requests;              // HTTP requests made (including retries)
    long prompt_tokens;
    long completion_tokens;
} llm_usage;

typedef struct llm_client llm_client;

// Fill opts with the defaults above.
void llm_opts_default(llm_opts *o);

// Make a client; ERR_USAGE for an unknown backend or a missing key for an explicit one.
llm_client *llm_new(const llm_opts *o, err_info *e);
void llm_free(llm_client *c);

// Resolved backend name ("openai", ...) and model, for run.json and the user. Borrowed.
const char *llm_backend(const llm_client *c);
const char *llm_model(const llm_client *c);

// The server's base URL without any credentials it was given with (NULL for backends
// without a server), for run.json and the user. Borrowed.
const char *llm_base_url(const llm_client *c);

// Largest token count taken from a server or a recording: counts are clamped to it and
// totals saturate at LLM_TOKENS_TOTAL_MAX, so no count can overflow.
#define LLM_TOKENS_MAX 1000000000000L
#define LLM_TOKENS_TOTAL_MAX 4000000000000000000L

// A token count read from a server, a recording or a run file: 0 unless finite and
// positive, at most LLM_TOKENS_MAX.
long llm_token_clamp(double v);

// Ask for k replies to the conversation. *out gets an array of *n_out <= k replies
// (owned; free with llm_replies_free): never more than asked, whatever a server or a
// recording holds. Fewer than k only when the budget ran out or some samples failed
// after retries while others succeeded; no reply at all is an error (ERR_BUDGET when the
// --max-tokens-total budget is spent). The API key and URL credentials never appear in
// a reply or a message: a server that echoes them gets them blanked out.
int llm_sample(llm_client *c, const llm_msg *msgs, int n_msgs, int k, llm_reply **out,
               int *n_out, err_info *e);

void llm_replies_free(llm_reply *r, int n);

// The caller answered this request from its own files (a resumed search reads the
// replies it saved): the recording's answer to it is used up, so that the same
// conversation asked again later (an elitist context repeats one) gets a new answer,
// as it did before the run was interrupted.
void llm_answered_elsewhere(llm_client *c, const llm_msg *msgs, int n_msgs, int k);

// Totals so far for this client.
llm_usage llm_get_usage(const llm_client *c);

#endif
