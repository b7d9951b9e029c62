// test_llm.c: the LLM client against a real loopback HTTP server (tests/tools/
// mock_llm_server.c) driven by the scenarios in tests/data/llm/: replies, n handling,
// retries and their timing, every error shape, caps, Anthropic, record/replay/resume
// and the token budget. Each case checks how many requests the server saw.
#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "llm/http.h"
#include "llm/llm.h"
#include "llm/llm_backend.h"    // llm_sha256_hex
#include "util/sanitize.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "testlib.h"
#include "util/clock.h"

#ifndef TOOL_mock_llm_server
#define TOOL_mock_llm_server "./mock_llm_server"   // tests run in the build directory
#endif
#define DATA EUREKA_TEST_DATA "/llm/"

typedef struct server {
    pid_t pid;
    int port;
    char base[128];         // http://127.0.0.1:PORT/v1
    char root[128];         // http://127.0.0.1:PORT
} server;

// Start the mock with extra arguments (NULL-terminated); 0 on success.
static int server_start(server *s, const char *a1, const char *a2, const char *a3,
                        const char *a4) {
    int fd[2];
    if (pipe(fd)) return -1;
    s->pid = fork();
    if (s->pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        const char *argv[] = {TOOL_mock_llm_server, a1, a2, a3, a4, NULL};
        execv(TOOL_mock_llm_server, (char **)argv);
        _exit(127);
    }
    close(fd[1]);
    char line[32] = "";
    ssize_t n = 0, r;
    while (n < (ssize_t)sizeof line - 1 && (r = read(fd[0], line + n, 1)) == 1 && line[n] != '\n') n++;
    close(fd[0]);
    s->port = atoi(line);
    if (s->port <= 0) {
        fprintf(stderr, "mock_llm_server did not start (%s)\n", TOOL_mock_llm_server);
        return -1;
    }
    snprintf(s->root, sizeof s->root, "http://127.0.0.1:%d", s->port);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d/v1", s->port);
    return 0;
}

static void server_stop(server *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
}

static size_t grow(char *d, size_t a, size_t b, void *ud) {
    char *buf = ud;
    size_t l = strlen(buf), n = a * b;
    if (l + n >= 65536) n = 65535 - l;
    memcpy(buf + l, d, n);
    buf[l + n] = '\0';
    return a * b;
}

// GET path from the mock into buf (64 KiB).
static void server_get(const server *s, const char *path, char *buf) {
    char url[256];
    snprintf(url, sizeof url, "%s%s", s->root, path);
    buf[0] = '\0';
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, buf);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
}

static long server_count(const server *s) {
    static char buf[65536];
    server_get(s, "/_count", buf);
    return atol(buf);
}

static char last[65536];
static const char *server_last(const server *s) {
    server_get(s, "/_last", last);
    return last;
}

static const llm_msg conv[] = {
    {"system", "You write reward functions in C."},
    {"user", "Task: keep the pole upright. Write compute_reward."},
};

// An openai client against the mock (key "sk-test-secret").
static llm_client *openai_client(const server *s, llm_opts *o, err_info *e) {
    setenv("OPENAI_API_KEY", "sk-test-secret", 1);
    o->backend = "openai";
    o->base_url = s->base;
    return llm_new(o, e);
}

// Run one scenario: k samples; returns the llm_sample status and fills the rest.
typedef struct outcome {
    int rc;
    int n;
    llm_reply *r;
    err_info e;
    long seen;              // requests the server saw
    long requests;          // requests the client counted
    double secs;
} outcome;

static outcome run_scn(const char *scn, const char *extra1, const char *extra2, int k,
                       llm_opts *o_in) {
    outcome out = {0};
    server s = {0};
    char path[512];
    snprintf(path, sizeof path, DATA "%s", scn ? scn : "");
    if (server_start(&s, scn ? "--scenario" : extra1, scn ? path : extra2,
                     scn ? extra1 : NULL, scn ? extra2 : NULL)) {
        out.rc = -1;
        return out;
    }
    llm_opts o;
    if (o_in) o = *o_in; else llm_opts_default(&o);
    llm_client *c = openai_client(&s, &o, &out.e);
    if (!c) { out.rc = out.e.code; server_stop(&s); return out; }
    double t0 = now_s();
    out.rc = llm_sample(c, conv, 2, k, &out.r, &out.n, &out.e);
    out.secs = now_s() - t0;
    out.seen = server_count(&s);
    out.requests = llm_get_usage(c).requests;
    llm_free(c);
    server_stop(&s);
    return out;
}

static void outcome_free(outcome *o) { llm_replies_free(o->r, o->n); }

// ---- pure functions ----------------------------------------------------------------

static void test_backoff_and_retry_after(void) {
    CHECK(http_backoff_s(0, 0.0) == 0.5);
    CHECK(http_backoff_s(1, 0.0) == 1.0);
    CHECK(http_backoff_s(3, 0.0) == 4.0);
    CHECK(http_backoff_s(4, 0.0) == 8.0);
    CHECK(http_backoff_s(9, 0.0) == 8.0);
    CHECK(http_backoff_s(0, 0.999999) > 0.375 && http_backoff_s(0, 0.999999) < 0.3751);
    CHECK(http_retry_after_s("10", -1) == 0.01);
    CHECK(http_retry_after_s("250.5", 7) > 0.2504 && http_retry_after_s("250.5", 7) < 0.2506);
    CHECK(http_retry_after_s(NULL, 5) == 5.0);
    CHECK(http_retry_after_s("junk", 3) == 3.0);
    CHECK(http_retry_after_s(NULL, -40) < 0);        // a date in the past
    CHECK(http_retry_after_s(NULL, 61) < 0);         // too long: use the backoff
    CHECK(http_retry_after_s("0", -1) < 0);
    CHECK(http_retry_after_s("60001", -1) < 0);
    CHECK(http_retry_after_s(NULL, 60) == 60.0);
    long yes[] = {408, 409, 429, 500, 502, 503, 504, 529};
    long no[] = {200, 400, 401, 403, 404, 413, 422};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK(http_status_retryable(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CHECK(!http_status_retryable(no[i]));
}

static void test_backend_choice(void) {
    err_info e = {0};
    llm_opts o;
    llm_opts_default(&o);
    unsetenv("OPENAI_API_KEY");
    unsetenv("ANTHROPIC_API_KEY");
    unsetenv("AZURE_OPENAI_API_KEY");
    unsetenv("OPENAI_BASE_URL");
    unsetenv("ANTHROPIC_BASE_URL");
    llm_client *c = llm_new(&o, &e);
    CHECK(c && strcmp(llm_backend(c), "offline") == 0);
    llm_free(c);
    setenv("ANTHROPIC_API_KEY", "sk-ant-test", 1);
    c = llm_new(&o, &e);
    CHECK(c && strcmp(llm_backend(c), "anthropic") == 0 &&
          strcmp(llm_model(c), "claude-sonnet-4-5") == 0);
    llm_free(c);
    setenv("OPENAI_API_KEY", "sk-test", 1);
    c = llm_new(&o, &e);
    CHECK(c && strcmp(llm_backend(c), "openai") == 0 && strcmp(llm_model(c), "gpt-4o") == 0);
    llm_free(c);
    unsetenv("OPENAI_API_KEY");
    unsetenv("ANTHROPIC_API_KEY");
    o.backend = "openai";
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "OPENAI_API_KEY");
    o.backend = "anthropic";
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "ANTHROPIC_API_KEY");
    o.backend = "gemini";
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "unknown LLM backend 'gemini'");
    o.backend = "replay:/nonexistent/llm.jsonl";
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_NOTFOUND);
    CHECK_STR_CONTAINS(e.msg, "/nonexistent/llm.jsonl");
    // A local server needs no key: a base URL is enough, and auto then means openai.
    o.backend = "openai";
    o.base_url = "http://127.0.0.1:9/v1";
    c = llm_new(&o, &e);
    CHECK(c != NULL);
    llm_free(c);
    o.backend = "auto";
    c = llm_new(&o, &e);
    CHECK(c && strcmp(llm_backend(c), "openai") == 0);
    llm_free(c);
}

// ---- openai ------------------------------------------------------------------------

static void test_normal_replies(void) {
    server s;
    if (server_start(&s, "--replies", DATA "replies", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    CHECK(c != NULL);
    llm_reply *r = NULL;
    int n = 0;
    int rc = llm_sample(c, conv, 2, 3, &r, &n, &e);
    CHECK_MSG(rc == ERR_OK, "%s", e.msg);
    CHECK(n == 3);
    CHECK(server_count(&s) == 1);                   // n honoured: one request
    const char *req = server_last(&s);
    CHECK_STR_CONTAINS(req, "POST /v1/chat/completions");
    CHECK_STR_CONTAINS(req, "Authorization: Bearer sk-test-secret");
    CHECK_STR_CONTAINS(req, "\"n\":3");
    CHECK_STR_CONTAINS(req, "\"model\":\"gpt-4o\"");
    CHECK_STR_CONTAINS(req, "\"temperature\":1");
    if (n == 3) {
        CHECK_STR_CONTAINS(r[0].text, "reward the cosine");
        CHECK_STR_CONTAINS(r[1].text, "centre of the rail");
        CHECK_STR_CONTAINS(r[2].text, "caractères");
        CHECK(strcmp(r[0].finish, "stop") == 0 && !r[0].truncated);
        CHECK(r[0].prompt_tokens > 0 && r[0].completion_tokens > 0);
    }
    llm_usage u = llm_get_usage(c);
    CHECK(u.requests == 1 && u.prompt_tokens > 0 && u.completion_tokens > 0);
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);
}

static void test_n_ignored(void) {
    // Ollama's /v1: one choice whatever n says -> three top-up requests.
    server s;
    if (server_start(&s, "--max-choices", "1", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK(llm_sample(c, conv, 2, 4, &r, &n, &e) == ERR_OK);
    CHECK(n == 4);
    CHECK(server_count(&s) == 4);
    const char *req = server_last(&s);
    CHECK(strstr(req, "\"n\":") == NULL);           // top-ups ask for one
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);
}

static void test_n_rejected(void) {
    server s;
    if (server_start(&s, "--scenario", DATA "n_rejected.scn", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK_MSG(llm_sample(c, conv, 2, 3, &r, &n, &e) == ERR_OK, "%s", e.msg);
    CHECK(n == 3);
    CHECK(server_count(&s) == 4);                   // 1 rejected + 3 singles, no retry of the 400
    llm_replies_free(r, n);
    // Remembered: the next call goes straight to single requests.
    CHECK(llm_sample(c, conv, 2, 2, &r, &n, &e) == ERR_OK && n == 2);
    CHECK(server_count(&s) == 6);
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);
}

static void test_retry_after_ms(void) {
    outcome o = run_scn("retry_after_ms.scn", NULL, NULL, 2, NULL);
    CHECK_MSG(o.rc == ERR_OK, "%s", o.e.msg);
    CHECK(o.n == 2);
    CHECK(o.seen == 2 && o.requests == 2);
    CHECK_MSG(o.secs < 0.35, "%.3f s: retry-after-ms: 10 was not honoured", o.secs);
    outcome_free(&o);
}

static void test_retry_after_seconds(void) {
    outcome o = run_scn("retry_after_s.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_OK && o.n == 1);
    CHECK(o.seen == 2);
    CHECK_MSG(o.secs >= 0.95 && o.secs < 2.0, "%.3f s for Retry-After: 1", o.secs);
    outcome_free(&o);
}

static void test_server_error_twice(void) {
    outcome o = run_scn("server_error_twice.scn", NULL, NULL, 2, NULL);
    CHECK_MSG(o.rc == ERR_OK, "%s", o.e.msg);
    CHECK(o.n == 2 && o.seen == 3);
    outcome_free(&o);
}

static void test_backoff_timing(void) {
    // No Retry-After: the first retry waits 0.5 s * (1 - 0.25 * rand), 0.375-0.5 s.
    outcome o = run_scn("backoff_once.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_OK && o.seen == 2);
    CHECK_MSG(o.secs >= 0.37 && o.secs < 1.2, "%.3f s", o.secs);
    outcome_free(&o);
    // Retry-After as a date in the past: not usable, so the same backoff.
    o = run_scn("retry_after_past_date.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_OK && o.seen == 2);
    CHECK_MSG(o.secs >= 0.37 && o.secs < 1.2, "%.3f s", o.secs);
    outcome_free(&o);
}

static void test_server_error_always(void) {
    outcome o = run_scn("server_error_always.scn", NULL, NULL, 2, NULL);
    CHECK(o.rc == ERR_HTTP && o.n == 0);
    CHECK(o.seen == 3);                             // 1 + max_retries 2
    CHECK_STR_CONTAINS(o.e.msg, "HTTP 500");
    CHECK_STR_CONTAINS(o.e.msg, "after 3 attempts");
    CHECK_STR_CONTAINS(o.e.msg, "internal failure");
    outcome_free(&o);
    llm_opts lo;
    llm_opts_default(&lo);
    lo.max_retries = 0;
    o = run_scn("server_error_always.scn", NULL, NULL, 1, &lo);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    outcome_free(&o);
}

static void test_bad_request_not_retried(void) {
    outcome o = run_scn("bad_request.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "HTTP 400");
    CHECK_STR_CONTAINS(o.e.msg, "maximum context length");
    outcome_free(&o);
    // With k > 1 a 400 may mean "no n": one single request tells, not k of them.
    o = run_scn("bad_request_always.scn", NULL, NULL, 4, NULL);
    CHECK(o.rc == ERR_HTTP && o.seen == 2);
    CHECK_STR_CONTAINS(o.e.msg, "maximum context length");
    outcome_free(&o);
}

// Error bodies of other shapes still show their message; "try again later" only where
// waiting can help (a status the client retries).
static void test_error_shapes(void) {
    llm_opts lo;
    llm_opts_default(&lo);
    lo.max_retries = 0;
    outcome o = run_scn("error_string_and_message.scn", NULL, NULL, 1, &lo);
    CHECK(o.rc == ERR_HTTP);
    CHECK_STR_CONTAINS(o.e.msg, "HTTP 422");
    CHECK_STR_CONTAINS(o.e.msg, "Unprocessable Entity: model gpt-x does not exist");
    CHECK(strstr(o.e.msg, "try again later") == NULL);
    outcome_free(&o);
    o = run_scn("error_message_only.scn", NULL, NULL, 1, &lo);
    CHECK_STR_CONTAINS(o.e.msg, "temperature must be at most 2");
    CHECK(strstr(o.e.msg, "try again later") == NULL);
    outcome_free(&o);
    o = run_scn("bad_request.scn", NULL, NULL, 1, &lo);
    CHECK(strstr(o.e.msg, "try again later") == NULL);
    outcome_free(&o);
    o = run_scn("rate_limited_always.scn", NULL, NULL, 1, &lo);
    CHECK_STR_CONTAINS(o.e.msg, "HTTP 429");
    CHECK_STR_CONTAINS(o.e.msg, "Rate limit reached for requests; try again later");
    outcome_free(&o);
    o = run_scn("server_error_always.scn", NULL, NULL, 1, &lo);
    CHECK_STR_CONTAINS(o.e.msg, "try again later");
    outcome_free(&o);
}

static void test_unauthorized(void) {
    outcome o = run_scn("unauthorized.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "the server rejected the API key (HTTP 401): check OPENAI_API_KEY");
    CHECK(strstr(o.e.msg, "sk-test-secret") == NULL);
    outcome_free(&o);
}

static void test_should_retry_header(void) {
    outcome o = run_scn("should_retry_false.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);         // 500 but the server said no
    outcome_free(&o);
    o = run_scn("should_retry_true.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_OK && o.seen == 2);           // 400 but the server said yes
    outcome_free(&o);
}

static void test_connection_refused(void) {
    // A port that was free a moment ago and has no listener now.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", ntohs(a.sin_port));
    llm_opts o;
    llm_opts_default(&o);
    o.backend = "openai";
    o.base_url = base;
    err_info e = {0};
    llm_client *c = llm_new(&o, &e);
    llm_reply *r = NULL;
    int n = 0;
    double t0 = now_s();
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_HTTP);
    double secs = now_s() - t0;
    CHECK_STR_CONTAINS(e.msg, base);
    CHECK_STR_CONTAINS(e.msg, "check the base URL and that the server is running");
    CHECK(llm_get_usage(c).requests == 3);          // connection errors are retried
    CHECK_MSG(secs >= 0.375 + 0.75 && secs < 3.0, "%.3f s of backoff", secs);
    llm_free(c);
}

static void test_stall_timeout(void) {
    llm_opts lo;
    llm_opts_default(&lo);
    lo.timeout_s = 0.3;
    lo.max_retries = 1;
    outcome o = run_scn("stall.scn", NULL, NULL, 1, &lo);
    CHECK(o.rc == ERR_HTTP);
    // The limit covers the request with its retries: a server that stalls holds it once.
    CHECK_STR_CONTAINS(o.e.msg, "no complete answer from");
    CHECK_STR_CONTAINS(o.e.msg, "--llm-timeout");
    CHECK(o.seen == 1 && o.requests == 1);
    CHECK_MSG(o.secs < 2.5, "%.3f s", o.secs);
    outcome_free(&o);
}

static void test_malformed_and_odd_replies(void) {
    outcome o = run_scn("malformed.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_PARSE && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "is not JSON");
    outcome_free(&o);

    o = run_scn("content_null.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_OK && o.n == 1);
    if (o.n == 1) {
        CHECK(strcmp(o.r[0].text, "") == 0);
        CHECK(o.r[0].prompt_tokens == 0 && o.r[0].completion_tokens == 0);   // no usage
    }
    outcome_free(&o);

    o = run_scn("finish_length.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_OK && o.n == 1);
    if (o.n == 1) {
        CHECK(o.r[0].truncated == 1 && strcmp(o.r[0].finish, "length") == 0);
        CHECK(o.r[0].completion_tokens == 4096 && o.r[0].prompt_tokens == 812);
        CHECK_STR_CONTAINS(o.r[0].text, "cos(s->pole");
    }
    outcome_free(&o);

    o = run_scn("oversized.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_LIMIT && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "over the 8 MiB cap on one answer");
    outcome_free(&o);

    o = run_scn("vllm_old_error.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "does not exist");
    outcome_free(&o);
}

static void test_max_completion_tokens(void) {
    server s;
    if (server_start(&s, "--scenario", DATA "max_completion_tokens.scn", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    o.model = "o3-mini";
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK_MSG(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1, "%s", e.msg);
    CHECK(server_count(&s) == 2);
    CHECK_STR_CONTAINS(server_last(&s), "\"max_completion_tokens\":4096");
    llm_replies_free(r, n);
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
    CHECK(server_count(&s) == 3);                   // remembered
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);
}

static void test_azure_url_and_header(void) {
    server s;
    if (server_start(&s, NULL, NULL, NULL, NULL)) { CHECK(0); return; }
    char base[256];
    snprintf(base, sizeof base, "%s/openai/deployments/eureka-gpt4o?api-version=2024-10-21", s.root);
    unsetenv("OPENAI_API_KEY");
    setenv("AZURE_OPENAI_API_KEY", "az-secret", 1);
    llm_opts o;
    llm_opts_default(&o);
    o.backend = "openai";
    o.base_url = base;
    err_info e = {0};
    llm_client *c = llm_new(&o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK(c && llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
    const char *req = server_last(&s);
    CHECK_STR_CONTAINS(req, "POST /openai/deployments/eureka-gpt4o/chat/completions?api-version=2024-10-21 ");
    CHECK_STR_CONTAINS(req, "api-key: az-secret");
    CHECK(strstr(req, "Authorization") == NULL);
    llm_replies_free(r, n);
    llm_free(c);
    unsetenv("AZURE_OPENAI_API_KEY");
    server_stop(&s);
}

// ---- anthropic ---------------------------------------------------------------------

static llm_client *anthropic_client(const server *s, err_info *e) {
    setenv("ANTHROPIC_API_KEY", "sk-ant-secret", 1);
    llm_opts o;
    llm_opts_default(&o);
    o.backend = "anthropic";
    o.base_url = s->root;
    return llm_new(&o, e);
}

static void test_anthropic(void) {
    server s;
    if (server_start(&s, "--replies", DATA "replies", NULL, NULL)) { CHECK(0); return; }
    err_info e = {0};
    llm_client *c = anthropic_client(&s, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK_MSG(llm_sample(c, conv, 2, 2, &r, &n, &e) == ERR_OK, "%s", e.msg);
    CHECK(n == 2 && server_count(&s) == 2);         // no n: one request per sample
    const char *req = server_last(&s);
    CHECK_STR_CONTAINS(req, "POST /v1/messages");
    CHECK_STR_CONTAINS(req, "x-api-key: sk-ant-secret");
    CHECK_STR_CONTAINS(req, "anthropic-version: 2023-06-01");
    CHECK_STR_CONTAINS(req, "\"system\":\"You write reward functions in C.\"");
    CHECK_STR_CONTAINS(req, "\"max_tokens\":4096");
    CHECK(strstr(req, "\"role\":\"system\"") == NULL);
    if (n == 2) {
        // The two requests run in parallel: either may get either canned reply.
        int a = strstr(r[0].text, "reward the cosine") != NULL;
        CHECK_STR_CONTAINS(r[a ? 0 : 1].text, "reward the cosine");
        CHECK_STR_CONTAINS(r[a ? 1 : 0].text, "centre of the rail");
        CHECK(strcmp(r[0].finish, "end_turn") == 0 && !r[0].truncated && r[0].prompt_tokens > 0);
    }
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);

    if (server_start(&s, "--scenario", DATA "anthropic_overloaded.scn", NULL, NULL)) { CHECK(0); return; }
    c = anthropic_client(&s, &e);
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
    CHECK(server_count(&s) == 2);                   // 529 retried once
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);

    // Four samples, each answered after 0.3 s: they run at once, not one after another.
    if (server_start(&s, "--scenario", DATA "anthropic_slow.scn", NULL, NULL)) { CHECK(0); return; }
    c = anthropic_client(&s, &e);
    double t0 = now_s();
    CHECK(llm_sample(c, conv, 2, 4, &r, &n, &e) == ERR_OK && n == 4);
    double secs = now_s() - t0;
    CHECK_MSG(secs < 1.0, "%.3f s for 4 parallel requests of 0.3 s", secs);
    CHECK(server_count(&s) == 4 && llm_get_usage(c).requests == 4);
    llm_replies_free(r, n);
    llm_free(c);
    server_stop(&s);

    if (server_start(&s, "--scenario", DATA "anthropic_unauthorized.scn", NULL, NULL)) { CHECK(0); return; }
    c = anthropic_client(&s, &e);
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_HTTP);
    CHECK_STR_CONTAINS(e.msg, "the server rejected the API key (HTTP 401): check ANTHROPIC_API_KEY");
    CHECK_STR_CONTAINS(e.msg, "invalid x-api-key");
    CHECK(server_count(&s) == 1);
    llm_free(c);
    server_stop(&s);

    if (server_start(&s, "--scenario", DATA "anthropic_max_tokens.scn", NULL, NULL)) { CHECK(0); return; }
    c = anthropic_client(&s, &e);
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
    if (n == 1) {
        CHECK(strcmp(r[0].text, "Part one, part two.") == 0);   // text blocks only
        CHECK(r[0].truncated && strcmp(r[0].finish, "max_tokens") == 0);
        CHECK(r[0].completion_tokens == 4096);
    }
    llm_replies_free(r, n);
    llm_free(c);
    unsetenv("ANTHROPIC_API_KEY");
    server_stop(&s);
}

// ---- record, replay, resume, budget ------------------------------------------------

static int count_lines(const char *path) {
    char *t = fs_read(path, 1 << 26, NULL, NULL);
    int n = 0;
    for (char *p = t; p && *p; p++) n += *p == '\n';
    free(t);
    return n;
}

static void test_record_replay(void) {
    char rec[] = "/tmp/eureka_test_llm_XXXXXX";
    int fd = mkstemp(rec);
    close(fd);
    unlink(rec);
    server s;
    if (server_start(&s, "--replies", DATA "replies", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    o.record_path = rec;
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    const llm_msg conv2[] = {{"system", "sys"}, {"user", "another prompt"}};
    // A, B, A again: the second A gets different replies (the server rotates them).
    llm_reply *ra[3];
    int na[3];
    CHECK(llm_sample(c, conv, 2, 2, &ra[0], &na[0], &e) == ERR_OK);
    CHECK(llm_sample(c, conv2, 2, 2, &ra[1], &na[1], &e) == ERR_OK);
    CHECK(llm_sample(c, conv, 2, 2, &ra[2], &na[2], &e) == ERR_OK);
    llm_usage u0 = llm_get_usage(c);
    llm_free(c);
    server_stop(&s);
    CHECK(count_lines(rec) == 3);
    char *text = fs_read(rec, 1 << 26, NULL, NULL);
    CHECK(text && strstr(text, "sk-test-secret") == NULL);     // never the key
    CHECK_STR_CONTAINS(text, "\"key\":\"");
    CHECK_STR_CONTAINS(text, "\"completion_tokens\":");
    free(text);

    char spec[300];
    snprintf(spec, sizeof spec, "replay:%s", rec);
    llm_opts_default(&o);
    o.backend = spec;
    unsetenv("OPENAI_API_KEY");
    c = llm_new(&o, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c) return;
    CHECK(strcmp(llm_backend(c), "replay") == 0 && strcmp(llm_model(c), "gpt-4o") == 0);
    llm_reply *rb[3];
    int nb[3];
    CHECK(llm_sample(c, conv, 2, 2, &rb[0], &nb[0], &e) == ERR_OK);
    CHECK(llm_sample(c, conv2, 2, 2, &rb[1], &nb[1], &e) == ERR_OK);
    CHECK(llm_sample(c, conv, 2, 2, &rb[2], &nb[2], &e) == ERR_OK);
    for (int i = 0; i < 3; i++) {
        CHECK(na[i] == nb[i]);
        for (int j = 0; j < na[i] && j < nb[i]; j++) {
            CHECK(strcmp(ra[i][j].text, rb[i][j].text) == 0);   // byte-identical
            CHECK(strcmp(ra[i][j].finish, rb[i][j].finish) == 0);
            CHECK(ra[i][j].prompt_tokens == rb[i][j].prompt_tokens);
            CHECK(ra[i][j].completion_tokens == rb[i][j].completion_tokens);
        }
    }
    CHECK(strcmp(ra[0][0].text, ra[2][0].text) != 0);   // Nth identical request, Nth answer
    llm_usage u1 = llm_get_usage(c);
    CHECK(u1.requests == 0 && u1.prompt_tokens == u0.prompt_tokens &&
          u1.completion_tokens == u0.completion_tokens);
    // A fourth A was never recorded; nor was a different prompt.
    llm_reply *r = NULL;
    int n = 0;
    CHECK(llm_sample(c, conv, 2, 2, &r, &n, &e) == ERR_NOTFOUND);
    CHECK_STR_CONTAINS(e.msg, "has no answer for this request (key ");
    CHECK_STR_CONTAINS(e.msg, "the prompt differs from the recorded run");
    CHECK_STR_CONTAINS(e.msg, rec);
    const llm_msg conv3[] = {{"user", "never asked"}};
    CHECK(llm_sample(c, conv3, 1, 1, &r, &n, &e) == ERR_NOTFOUND);
    llm_free(c);
    for (int i = 0; i < 3; i++) { llm_replies_free(ra[i], na[i]); llm_replies_free(rb[i], nb[i]); }

    // Resume: recorded requests come from the file, new ones from the server, and the
    // shared llm.jsonl gains only the new exchange.
    if (server_start(&s, "--replies", DATA "replies", NULL, NULL)) { CHECK(0); return; }
    llm_opts_default(&o);
    o.record_path = rec;
    o.resume_path = rec;
    c = openai_client(&s, &o, &e);
    CHECK(llm_sample(c, conv, 2, 2, &r, &n, &e) == ERR_OK && n == 2);
    CHECK(server_count(&s) == 0);
    llm_replies_free(r, n);
    CHECK(llm_sample(c, conv2, 2, 2, &r, &n, &e) == ERR_OK && n == 2);
    llm_replies_free(r, n);
    CHECK(llm_sample(c, conv, 2, 2, &r, &n, &e) == ERR_OK && n == 2);
    llm_replies_free(r, n);
    CHECK(server_count(&s) == 0);
    CHECK(llm_sample(c, conv3, 1, 1, &r, &n, &e) == ERR_OK && n == 1);
    CHECK(server_count(&s) == 1);
    llm_replies_free(r, n);
    CHECK(count_lines(rec) == 4);
    llm_free(c);
    server_stop(&s);
    unlink(rec);
}

static void test_token_budget(void) {
    server s;
    if (server_start(&s, "--max-choices", "1", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    o.max_tokens_total = 40;    // each mock request costs about 20-30 tokens
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK(llm_sample(c, conv, 2, 8, &r, &n, &e) == ERR_OK);
    CHECK(n >= 1 && n < 8);                         // stopped topping up when spent
    long seen = server_count(&s);
    CHECK(seen == n);
    llm_replies_free(r, n);
    llm_usage u = llm_get_usage(c);
    CHECK(u.prompt_tokens + u.completion_tokens >= 40);
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_BUDGET);
    CHECK_STR_CONTAINS(e.msg, "token budget of 40 spent");
    CHECK(server_count(&s) == seen);                // nothing sent
    llm_free(c);
    server_stop(&s);
}


// ---- hostile servers (issue 16) -------------------------------------------------------

// Run one scenario against an anthropic client.
static outcome run_anthropic_scn(const char *scn) {
    outcome out = {0};
    server s = {0};
    char path[512];
    snprintf(path, sizeof path, DATA "%s", scn);
    if (server_start(&s, "--scenario", path, NULL, NULL)) { out.rc = -1; return out; }
    llm_client *c = anthropic_client(&s, &out.e);
    if (!c) { out.rc = out.e.code; server_stop(&s); return out; }
    out.rc = llm_sample(c, conv, 2, 1, &out.r, &out.n, &out.e);
    out.seen = server_count(&s);
    llm_free(c);
    server_stop(&s);
    return out;
}

// Terminal escapes in error messages (both API shapes) reach the message as the server
// sent them, and leave the sanitiser every printed message goes through (cli_fail) as text.
static void test_hostile_escapes(void) {
    char buf[1024];
    const char *shown;
    outcome o = run_scn("hostile_escape_openai.scn", NULL, NULL, 1, NULL);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "bad request");
    shown = san_str(buf, sizeof buf, o.e.msg, 0);
    CHECK(!strchr(shown, 0x1b) && !strchr(shown, 0x07) && !strstr(shown, "\xc2\x9b"));
    CHECK_STR_CONTAINS(shown, "\\x1b]0;pwned\\x07 \\x1b[2J\\u009b31m done");
    outcome_free(&o);
    o = run_anthropic_scn("hostile_escape_anthropic.scn");
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    shown = san_str(buf, sizeof buf, o.e.msg, 0);
    CHECK(!strchr(shown, 0x1b));
    CHECK_STR_CONTAINS(shown, "\\x1b]52;c;ZXZpbA==\\x07 done");
    outcome_free(&o);
}

// A server that drips its answer holds a request only until the request's deadline
// (retries included: it is not asked again), and the message names the flag to raise.
static void test_hostile_drip(void) {
    llm_opts lo;
    llm_opts_default(&lo);
    lo.timeout_s = 1.0;
    outcome o = run_scn("hostile_drip.scn", NULL, NULL, 1, &lo);
    CHECK(o.rc == ERR_HTTP && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "within the 1 s limit on one request");
    CHECK_STR_CONTAINS(o.e.msg, "--llm-timeout");
    outcome_free(&o);
}

// A server that announces a longer body than it sends and then holds the connection:
// the idle limit ends each attempt (well before the 60 s deadline), and says so.
static void test_hostile_short_body(void) {
    llm_opts lo;
    llm_opts_default(&lo);
    lo.timeout_s = 60;
    lo.idle_timeout_s = 1;
    lo.max_retries = 1;
    outcome o = run_scn("hostile_short_body.scn", NULL, NULL, 1, &lo);
    CHECK(o.rc == ERR_HTTP && o.seen == 2);
    CHECK_STR_CONTAINS(o.e.msg, "sent nothing for 1 s");
    CHECK_STR_CONTAINS(o.e.msg, "--llm-idle-timeout");
    outcome_free(&o);
    // A body announced over the cap is refused before any of it is read.
    llm_opts_default(&lo);
    lo.max_reply_bytes = 1000;
    o = run_scn("hostile_announce.scn", NULL, NULL, 1, &lo);
    CHECK(o.rc == ERR_LIMIT && o.seen == 1);
    CHECK_STR_CONTAINS(o.e.msg, "announces 5000 bytes, over the 1000 bytes cap on one answer");
    outcome_free(&o);
}

// A key the server echoes back is blanked out of replies, recordings and messages.
static void test_hostile_echo_key(void) {
    char rec[] = "/tmp/eureka_test_echo_XXXXXX";
    int fd = mkstemp(rec);
    close(fd);
    unlink(rec);
    llm_opts lo;
    llm_opts_default(&lo);
    lo.record_path = rec;
    lo.max_retries = 0;
    server s;
    if (server_start(&s, "--scenario", DATA "hostile_echo_key.scn", NULL, NULL)) { CHECK(0); return; }
    err_info e = {0};
    llm_client *c = openai_client(&s, &lo, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
    CHECK_STR_CONTAINS(server_last(&s), "Bearer sk-test-secret");    // it was sent...
    if (n == 1) {
        CHECK(strstr(r[0].text, "sk-test-secret") == NULL);         // ...and never comes back
        CHECK_STR_CONTAINS(r[0].text, "your key: **************");
    }
    llm_replies_free(r, n);
    CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_HTTP);      // the 401 quoting it
    CHECK_STR_CONTAINS(e.msg, "Incorrect API key provided: **************");
    CHECK(strstr(e.msg, "sk-test-secret") == NULL);
    llm_free(c);
    server_stop(&s);
    char *text = fs_read(rec, 1 << 20, NULL, NULL);
    CHECK(text && strstr(text, "sk-test-secret") == NULL && strstr(text, "your key: ***") != NULL);
    free(text);
    unlink(rec);
    outcome o = run_anthropic_scn("hostile_echo_key_anthropic.scn");
    CHECK(o.rc == ERR_OK && o.n == 1);
    if (o.n == 1) CHECK(strstr(o.r[0].text, "sk-ant-secret") == NULL && strstr(o.r[0].text, "key ***") != NULL);
    outcome_free(&o);
}

// Only http and https: never a file:// or gopher:// base URL, never a redirect.
static void test_hostile_schemes(void) {
    err_info e = {0};
    llm_opts o;
    llm_opts_default(&o);
    o.backend = "openai";
    const char *bad[] = {"file:///etc/passwd", "gopher://127.0.0.1:25/_HELO", "ftp://x/v1", "127.0.0.1:8080/v1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.base_url = bad[i];
        llm_client *c = llm_new(&o, &e);
        CHECK_MSG(!c && e.code == ERR_USAGE, "%s: %s", bad[i], e.msg);
        llm_free(c);
    }
    CHECK_STR_CONTAINS(e.msg, "the base URL");
    o.base_url = "file:///etc/passwd";
    llm_free(llm_new(&o, &e));
    CHECK_STR_CONTAINS(e.msg, "uses 'file': only http and https");
    outcome r = run_scn("hostile_redirect.scn", NULL, NULL, 1, NULL);
    CHECK(r.rc == ERR_HTTP && r.seen == 1);
    CHECK_STR_CONTAINS(r.e.msg, "HTTP 302");
    CHECK(strstr(r.e.msg, "root:") == NULL);
    outcome_free(&r);
}

// Credentials in a base URL go out as HTTP basic auth and nowhere else; a key with a
// line break is refused before anything is sent.
static void test_hostile_credentials(void) {
    server s;
    if (server_start(&s, NULL, NULL, NULL, NULL)) { CHECK(0); return; }
    unsetenv("OPENAI_API_KEY");
    char base[256];
    snprintf(base, sizeof base, "http://alice:s3cret-pass@127.0.0.1:%d/v1", s.port);
    llm_opts o;
    llm_opts_default(&o);
    o.backend = "openai";
    o.base_url = base;
    err_info e = {0};
    llm_client *c = llm_new(&o, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (c) {
        CHECK(strstr(llm_base_url(c), "s3cret") == NULL && strstr(llm_base_url(c), "alice") == NULL);
        CHECK_STR_CONTAINS(llm_base_url(c), "127.0.0.1");
        llm_reply *r = NULL;
        int n = 0;
        CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
        llm_replies_free(r, n);
        CHECK_STR_CONTAINS(server_last(&s), "Authorization: Basic YWxpY2U6czNjcmV0LXBhc3M=");
        llm_free(c);
    }
    server_stop(&s);
    // No server: the connection error names the URL, without its password.
    o.base_url = "http://alice:s3cret-pass@127.0.0.1:9/v1";
    o.max_retries = 0;
    c = llm_new(&o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK(c && llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_HTTP);
    CHECK(strstr(e.msg, "s3cret") == NULL);
    llm_free(c);
    setenv("OPENAI_API_KEY", "sk-abc\r\nX-Evil: 1", 1);
    o.base_url = "http://127.0.0.1:9/v1";
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "OPENAI_API_KEY holds a control character");
    llm_free(c);
    unsetenv("OPENAI_API_KEY");
}

// Token counts a server sends are clamped; totals cannot overflow or turn negative.
static void test_hostile_tokens(void) {
    server s;
    if (server_start(&s, "--scenario", DATA "hostile_tokens.scn", NULL, NULL)) { CHECK(0); return; }
    llm_opts o;
    llm_opts_default(&o);
    err_info e = {0};
    llm_client *c = openai_client(&s, &o, &e);
    for (int i = 0; i < 3; i++) {
        llm_reply *r = NULL;
        int n = 0;
        CHECK(llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
        if (n == 1) CHECK(r[0].prompt_tokens == LLM_TOKENS_MAX && r[0].completion_tokens == 0);
        llm_replies_free(r, n);
    }
    llm_usage u = llm_get_usage(c);
    CHECK(u.prompt_tokens == 3 * LLM_TOKENS_MAX && u.completion_tokens == 0);
    llm_free(c);
    server_stop(&s);
    CHECK(llm_token_clamp(1e300) == LLM_TOKENS_MAX && llm_token_clamp(-1) == 0 && llm_token_clamp(0.0 / 0.0) == 0);
}

// Replay files are someone else's too: at most what was asked is served, every line and
// reply is capped, and only a regular file is read.
static void test_hostile_replay(void) {
    char dir[] = "/tmp/eureka_test_replay_XXXXXX", path[256], spec[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/llm.jsonl", dir);
    snprintf(spec, sizeof spec, "replay:%s", path);
    char key[65];
    llm_request_key(conv, 2, 1.0, 1, key);
    // Three answers recorded for a request of one.
    char line[1024];
    snprintf(line, sizeof line, "{\"key\":\"%s\",\"model\":\"m\",\"replies\":[{\"text\":\"a\"},"
             "{\"text\":\"b\"},{\"text\":\"c\"}]}", key);
    err_info e = {0};
    CHECK(fs_write_atomic(path, line, strlen(line), &e) == ERR_OK);
    llm_opts o;
    llm_opts_default(&o);
    o.backend = spec;
    llm_client *c = llm_new(&o, &e);
    llm_reply *r = NULL;
    int n = 0;
    CHECK(c && llm_sample(c, conv, 2, 1, &r, &n, &e) == ERR_OK && n == 1);
    llm_replies_free(r, n);
    llm_free(c);
    // One reply over the 1 MiB reply cap: refused, naming the file, line and cap.
    size_t big = LLM_MAX_REPLY_TEXT + 10;
    char *l2 = malloc(big + 256);
    int h = snprintf(l2, 256, "{\"key\":\"%s\",\"replies\":[{\"text\":\"", key);
    memset(l2 + h, 'x', big);
    strcpy(l2 + h + big, "\"}]}");
    CHECK(fs_write_atomic(path, l2, strlen(l2), &e) == ERR_OK);
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_LIMIT);
    CHECK_STR_CONTAINS(e.msg, ":1: a reply longer than the 1048576-byte cap");
    free(l2);
    // One line over the line cap (a 400 MB line would be read no further than this).
    int fd = open(path, O_WRONLY | O_TRUNC);
    char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    size_t written = 0;
    for (size_t w = 0; w < LLM_MAX_RECORD_LINE + 2 * sizeof chunk; w += sizeof chunk)
        written += write(fd, chunk, sizeof chunk) == (ssize_t)sizeof chunk;
    CHECK(written > LLM_MAX_RECORD_LINE / sizeof chunk);
    close(fd);
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_LIMIT);
    CHECK_STR_CONTAINS(e.msg, "a line longer than the 16 MiB cap");
    // A FIFO would block a plain open: refused at once.
    unlink(path);
    CHECK(mkfifo(path, 0600) == 0);
    c = llm_new(&o, &e);
    CHECK(!c && e.code == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "a FIFO, not a regular file");
    unlink(path);
    rmdir(dir);
}

static void test_sha256(void) {
    char h[65];
    llm_sha256_hex("abc", 3, h);
    CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    llm_sha256_hex("", 0, h);
    CHECK(strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    llm_sha256_hex(m, strlen(m), h);
    CHECK(strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    unsetenv("OPENAI_BASE_URL");
    unsetenv("ANTHROPIC_BASE_URL");
    TEST_RUN(test_sha256);
    TEST_RUN(test_backoff_and_retry_after);
    TEST_RUN(test_backend_choice);
    TEST_RUN(test_normal_replies);
    TEST_RUN(test_n_ignored);
    TEST_RUN(test_n_rejected);
    TEST_RUN(test_retry_after_ms);
    TEST_RUN(test_retry_after_seconds);
    TEST_RUN(test_server_error_twice);
    TEST_RUN(test_backoff_timing);
    TEST_RUN(test_server_error_always);
    TEST_RUN(test_bad_request_not_retried);
    TEST_RUN(test_error_shapes);
    TEST_RUN(test_unauthorized);
    TEST_RUN(test_should_retry_header);
    TEST_RUN(test_connection_refused);
    TEST_RUN(test_stall_timeout);
    TEST_RUN(test_malformed_and_odd_replies);
    TEST_RUN(test_max_completion_tokens);
    TEST_RUN(test_azure_url_and_header);
    TEST_RUN(test_anthropic);
    TEST_RUN(test_record_replay);
    TEST_RUN(test_token_budget);
    TEST_RUN(test_hostile_escapes);
    TEST_RUN(test_hostile_drip);
    TEST_RUN(test_hostile_short_body);
    TEST_RUN(test_hostile_echo_key);
    TEST_RUN(test_hostile_schemes);
    TEST_RUN(test_hostile_credentials);
    TEST_RUN(test_hostile_tokens);
    TEST_RUN(test_hostile_replay);
    curl_global_cleanup();
    TEST_END();
}
