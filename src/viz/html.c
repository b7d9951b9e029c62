// html.c: escaping and data: URIs for the report (see html.h).
#include "viz/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"

// Escape n bytes of already-sanitised text into b.
static int escape(buf *b, const char *s, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        buf_add(b, s + run, i - run);
        buf_add(b, rep, strlen(rep));
        run = i + 1;
    }
    buf_add(b, s + run, n - run);
    return b->failed;
}

int html_text(buf *b, const char *s, int multiline) {
    if (!s) s = "";
    char *clean = san_dup(s, strlen(s), multiline ? SAN_NEWLINE | SAN_TAB : 0, 0, HTML_TEXT_MAX);
    if (!clean) {
        if (!b->failed) b->failed = ERR_NOMEM;
        return b->failed;
    }
    int rc = escape(b, clean, strlen(clean));
    free(clean);
    return rc;
}

int html_printf(buf *b, const char *fmt, ...) {
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return html_text(b, tmp, 0);
}

int html_data_uri(buf *b, const char *mime, const unsigned char *data, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    buf_printf(b, "data:%s;base64,", mime);
    char out[4096];
    size_t k = 0;
    for (size_t i = 0; i < n && !b->failed; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < n) v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < n) v |= data[i + 2];
        out[k++] = tab[(v >> 18) & 63];
        out[k++] = tab[(v >> 12) & 63];
        out[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? tab[v & 63] : '=';
        if (k + 4 > sizeof out) { buf_add(b, out, k); k = 0; }
    }
    buf_add(b, out, k);
    return b->failed;
}
