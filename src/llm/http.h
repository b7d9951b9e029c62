// http.h: JSON POST over libcurl with the retry policy of the official LLM SDKs.
//
// The LLM backends speak HTTP through this one module so that retries, timeouts,
// response caps and transport error messages are the same for every provider:
// up to max_retries retries, backoff min(0.5 * 2^n, 8) s times (1 - 0.25 * rand),
// `retry-after-ms` then `Retry-After` honoured when 0 < d <= 60 s, retry on connection
// errors, timeouts, 408, 409, 429 and >= 500, never on other 4xx, and a server's
// `x-should-retry: true|false` overrides the status rule.
//
// A server is someone else's program: only http and https are spoken (never file://,
// gopher://, ...), redirects are not followed (the key goes to the configured origin and
// nowhere else), the whole call with its retries and waits ends at one deadline a server
// cannot stretch, an attempt that receives no byte for the idle limit ends, and a body is
// refused as soon as it announces or reaches more than the cap.
#ifndef EUREKA_HTTP_H
#define EUREKA_HTTP_H

#include <stddef.h>

#include "util/err.h"

#define HTTP_MAX_BODY_DEFAULT (8u * 1024u * 1024u)

typedef struct http_opts {
    int max_retries;            // retries after the first attempt (SDKs: 2)
    double timeout_s;           // the whole call: every attempt and wait (--llm-timeout)
    double connect_timeout_s;   // TCP/TLS connect (SDKs: 5)
    double idle_timeout_s;      // end an attempt that receives no byte this long (0: none)
    size_t max_body;            // response body cap; more is ERR_LIMIT (0: 8 MiB)
    const char *username;       // HTTP basic credentials taken out of the base URL (or NULL)
    const char *password;
} http_opts;

typedef struct http_response {
    long status;                // final HTTP status (after retries)
    char *body;                 // NUL-terminated response body (owned)
    size_t len;
    int attempts;               // requests sent for this call, including retries
} http_response;

typedef struct http_client http_client;

// A client holds one curl handle (connections are reused between calls).
http_client *http_new(const http_opts *o, err_info *e);
void http_free(http_client *h);

// POST body (JSON) to url with extra "Name: value" headers (NULL-terminated list).
// ERR_OK whenever a server answered, whatever the status (r->status tells, after the
// retries the status allowed); ERR_HTTP when no answer came (refused, timeout...),
// ERR_LIMIT when the body exceeded the cap. Header values are never put in messages.
// url must have passed http_url_check.
int http_post(http_client *h, const char *url, const char *const *headers, const char *body,
              http_response *r, err_info *e);

void http_response_free(http_response *r);

// Check a base URL: http or https only (ERR_USAGE naming the scheme otherwise, and for
// anything libcurl cannot parse). *clean gets the URL without credentials (owned), and
// *user / *password (owned, NULL when absent) the credentials it held, so that they are
// sent as HTTP basic authentication but never stored, printed or put in a message.
int http_url_check(const char *url, char **clean, char **user, char **password, err_info *e);

// Requests sent by this client so far (every attempt counts).
long http_requests(const http_client *h);

// The SDK backoff before retry number n (0-based), for jitter rand01 in [0, 1).
double http_backoff_s(int n, double rand01);

// Delay asked for by the server: retry-after-ms text (NULL if absent), else the
// Retry-After seconds libcurl parsed (-1 if absent). Negative when not usable (absent,
// zero, negative, or over 60 s): the caller then falls back to the backoff.
double http_retry_after_s(const char *retry_after_ms, long long retry_after);

// 1 if a response with this status should be retried (without x-should-retry).
int http_status_retryable(long status);

#endif
