// http.c: JSON POST with SDK-style retries over one reused libcurl handle (see http.h).
//
// Why a module of its own: OpenAI, Anthropic and every compatible local server fail in
// the same ways (rate limits, overload, stalls, refused connections), and the user
// should see one retry policy and one set of messages whichever backend is in use.
#include "llm/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/rng.h"

struct http_client {
    CURL *curl;
    http_opts o;
    long requests;
    rng jitter;             // backoff jitter only: need not be reproducible
};

// libcurl's write callback: the body goes into a buf capped at max_body; returning
// less than asked makes curl stop the transfer.
static size_t sink_write(char *data, size_t sz, size_t nm, void *ud) {
    return buf_add(ud, data, sz * nm) == ERR_OK ? sz * nm : 0;
}

http_client *http_new(const http_opts *o, err_info *e) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        err_set(e, ERR_HTTP, "libcurl could not be initialised");
        return NULL;
    }
    http_client *h = calloc(1, sizeof *h);
    if (!h) { err_set(e, ERR_NOMEM, "http client: out of memory"); return NULL; }
    h->o = *o;
    if (h->o.max_body == 0) h->o.max_body = HTTP_MAX_BODY_DEFAULT;
    if (h->o.max_retries < 0) h->o.max_retries = 0;
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        err_set(e, ERR_HTTP, "libcurl could not make a handle");
        return NULL;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rng_seed(&h->jitter, (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20), (uint64_t)getpid());
    return h;
}

void http_free(http_client *h) {
    if (!h) return;
    curl_easy_cleanup(h->curl);
    free(h);
    curl_global_cleanup();
}

void http_response_free(http_response *r) {
    if (!r) return;
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

long http_requests(const http_client *h) { return h ? h->requests : 0; }

double http_backoff_s(int n, double rand01) {
    double d = 0.5;
    for (int i = 0; i < n && d < 8.0; i++) d *= 2.0;
    if (d > 8.0) d = 8.0;
    return d * (1.0 - 0.25 * rand01);
}

double http_retry_after_s(const char *retry_after_ms, long long retry_after) {
    if (retry_after_ms) {
        char *end;
        errno = 0;
        double ms = strtod(retry_after_ms, &end);
        if (end != retry_after_ms && errno == 0) {
            double d = ms / 1000.0;
            if (d > 0.0 && d <= 60.0) return d;
        }
    }
    // libcurl turns an HTTP date in the past into a negative delay: not usable.
    if (retry_after > 0 && retry_after <= 60) return (double)retry_after;
    return -1.0;
}

int http_status_retryable(long status) {
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

// Transport failures worth another attempt (the SDKs retry every connection error).
static int curl_retryable(CURLcode rc) {
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static void sleep_s(double s) {
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

// The value of response header name from the last transfer, or NULL. Borrowed from curl.
static const char *header_value(CURL *c, const char *name) {
    struct curl_header *hv = NULL;
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &hv) == CURLHE_OK && hv) return hv->value;
    return NULL;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// What one attempt's transfer saw, for the progress callback and the messages.
typedef struct xfer {
    size_t max_body;
    curl_off_t announced;   // Content-Length over the cap (then the transfer was stopped)
} xfer;

// Stop as soon as a body announces more than the cap: nothing of it is read.
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    xfer *x = ud;
    if (dltotal > 0 && (unsigned long long)dltotal > x->max_body) {
        x->announced = dltotal;
        return 1;
    }
    return 0;
}

static int transport_error(err_info *e, CURLcode rc, const char *url, const char *detail,
                           const http_opts *o, int attempts, int past_deadline) {
    char tries[48] = "";
    if (attempts > 1) snprintf(tries, sizeof tries, " (%d attempts)", attempts);
    if (past_deadline)
        return err_set(e, ERR_HTTP, "no complete answer from %s within the %g s limit on one "
                       "request%s: raise --llm-timeout or check the server", url, o->timeout_s, tries);
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        return err_set(e, ERR_HTTP, "cannot connect to %s%s: %s; check the base URL and that "
                       "the server is running", url, tries, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
        return err_set(e, ERR_HTTP, "cannot resolve the host of %s%s: check the base URL and "
                       "the network", url, tries);
    case CURLE_OPERATION_TIMEDOUT:
        if (strstr(detail, "too slow"))
            return err_set(e, ERR_HTTP, "%s sent nothing for %g s%s: raise --llm-idle-timeout for "
                           "a slow server, or check it", url, o->idle_timeout_s, tries);
        return err_set(e, ERR_HTTP, "no answer from %s%s (connect limit %g s, request limit %g s): "
                       "%s; raise --llm-connect-timeout or --llm-timeout, or check the server", url,
                       tries, o->connect_timeout_s, o->timeout_s, detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return err_set(e, ERR_USAGE, "'%s' is not a usable URL (%s): check the base URL", url,
                       detail);
    default:
        return err_set(e, ERR_HTTP, "request to %s failed%s: %s", url, tries, detail);
    }
}

int http_url_check(const char *url, char **clean, char **user, char **password, err_info *e) {
    *clean = *user = *password = NULL;
    CURLU *u = curl_url();
    if (!u) return err_set(e, ERR_NOMEM, "http: out of memory");
    char *scheme = NULL;
    // No guessed scheme: "example.com/v1" would otherwise become http:// silently.
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    int rc = ERR_OK;
    if (uc != CURLUE_OK) {
        rc = err_set(e, ERR_USAGE, "the base URL is not a valid URL (%s): write it as "
                     "http(s)://host[:port]/path", curl_url_strerror(uc));
    } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
               (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        rc = err_set(e, ERR_USAGE, "the base URL uses '%.16s': only http and https are allowed "
                     "for an LLM server", scheme ? scheme : "?");
    } else {
        curl_url_get(u, CURLUPART_USER, user, CURLU_URLDECODE);
        curl_url_get(u, CURLUPART_PASSWORD, password, CURLU_URLDECODE);
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        char *c = NULL;
        if (curl_url_get(u, CURLUPART_URL, &c, 0) != CURLUE_OK || !(*clean = strdup(c)))
            rc = err_set(e, ERR_NOMEM, "http: out of memory");
        curl_free(c);
        // curl's strings are freed with curl_free: hand back our own copies.
        char *cu = *user, *cp = *password;
        *user = cu ? strdup(cu) : NULL;
        *password = cp ? strdup(cp) : NULL;
        if (cp) { memset(cp, 0, strlen(cp)); curl_free(cp); }
        curl_free(cu);
    }
    curl_free(scheme);
    curl_url_cleanup(u);
    if (rc) {
        free(*clean);
        free(*user);
        if (*password) { memset(*password, 0, strlen(*password)); free(*password); }
        *clean = *user = *password = NULL;
    }
    return rc;
}

int http_post(http_client *h, const char *url, const char *const *headers, const char *body,
              http_response *r, err_info *e) {
    memset(r, 0, sizeof *r);
    struct curl_slist *hl = NULL;
    for (const char *const *p = headers; p && *p; p++) {
        struct curl_slist *n = curl_slist_append(hl, *p);
        if (!n) { curl_slist_free_all(hl); return err_set(e, ERR_NOMEM, "http: out of memory"); }
        hl = n;
    }
    CURL *c = h->curl;
    char errbuf[CURL_ERROR_SIZE], cap[32];
    int rc_out = ERR_OK;
    // One deadline for the whole call: retries and waits included, whatever a server does.
    double deadline = mono_s() + h->o.timeout_s;
    for (int attempt = 0;; attempt++) {
        buf s;
        buf_init(&s, h->o.max_body);
        xfer x = {h->o.max_body, 0};
        double left = deadline - mono_s();
        long left_ms = left > 0.001 ? (long)(left * 1000.0) : 1;
        errbuf[0] = '\0';
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url);
        // http and https only, for the request and for any redirect, and no redirect
        // followed: the key in the headers goes to the configured origin and nowhere else.
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L);
        if (h->o.username) curl_easy_setopt(c, CURLOPT_USERNAME, h->o.username);
        if (h->o.password) curl_easy_setopt(c, CURLOPT_PASSWORD, h->o.password);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->o.connect_timeout_s * 1000.0));
        if (h->o.idle_timeout_s > 0) {
            // Less than one byte a second over the idle limit: the server is not sending.
            curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
            curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)(h->o.idle_timeout_s + 0.5));
        }
        curl_easy_setopt(c, CURLOPT_USERAGENT, "eureka/" EUREKA_VERSION);
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        CURLcode rc = curl_easy_perform(c);
        h->requests++;
        r->attempts = attempt + 1;
        int retry = 0;
        double wait = -1.0;
        if (rc == CURLE_OK) {
            long status = 0;
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            const char *sr = header_value(c, "x-should-retry");
            if (sr && strcmp(sr, "true") == 0) retry = 1;
            else if (sr && strcmp(sr, "false") == 0) retry = 0;
            else retry = http_status_retryable(status);
            curl_off_t ra = -1;
            if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) != CURLE_OK) ra = -1;
            wait = http_retry_after_s(header_value(c, "retry-after-ms"), (long long)ra);
            if (wait < 0) wait = http_backoff_s(attempt, rng_uniform(&h->jitter));
            if (!retry || attempt >= h->o.max_retries || mono_s() + wait >= deadline) {
                free(r->body);
                r->status = status;
                r->len = s.len;
                r->body = buf_take(&s);
                if (!r->body) rc_out = err_set(e, ERR_NOMEM, "http: out of memory");
                break;
            }
        } else if (s.failed == ERR_LIMIT || x.announced > 0) {
            buf_free(&s);
            if (x.announced > 0)
                rc_out = err_set(e, ERR_LIMIT, "the answer from %s announces %lld bytes, over the %s "
                                 "cap on one answer (the server sent too much)", url,
                                 (long long)x.announced, fs_size_str(cap, sizeof cap, h->o.max_body));
            else
                rc_out = err_set(e, ERR_LIMIT, "the answer from %s is larger than the %s cap on one "
                                 "answer (the server sent too much)", url,
                                 fs_size_str(cap, sizeof cap, h->o.max_body));
            break;
        } else if (s.failed == ERR_NOMEM) {
            buf_free(&s);
            rc_out = err_set(e, ERR_NOMEM, "http: out of memory reading %s", url);
            break;
        } else {
            retry = curl_retryable(rc);
            wait = http_backoff_s(attempt, rng_uniform(&h->jitter));
            int past = mono_s() + (retry ? wait : 0) >= deadline;
            if (!retry || attempt >= h->o.max_retries || past) {
                buf_free(&s);
                rc_out = transport_error(e, rc, url, errbuf[0] ? errbuf : curl_easy_strerror(rc),
                                         &h->o, attempt + 1, past && rc == CURLE_OPERATION_TIMEDOUT);
                break;
            }
        }
        buf_free(&s);
        sleep_s(wait);
    }
    // The handle keeps pointers to the header list only until the next reset.
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    return rc_out;
}
