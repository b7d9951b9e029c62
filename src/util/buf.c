// buf.c: growable strings with a mandatory maximum (see buf.h).
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max) {
    memset(b, 0, sizeof *b);
    b->max = max;
}

// Room for n more bytes of text and the NUL.
static int reserve(buf *b, size_t n) {
    if (b->failed) return b->failed;
    if (n > b->max - b->len) return b->failed = ERR_LIMIT;
    if (b->len + n + 1 > b->size) {
        size_t ns = b->size ? b->size : 256;
        while (ns < b->len + n + 1) ns *= 2;
        char *p = realloc(b->p, ns);
        if (!p) return b->failed = ERR_NOMEM;
        b->p = p;
        b->size = ns;
    }
    return ERR_OK;
}

int buf_add(buf *b, const void *data, size_t n) {
    int rc = reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return ERR_OK;
}

int buf_printf(buf *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    int rc = n < 0 ? (int)(b->failed = ERR_LIMIT) : reserve(b, (size_t)n);
    if (rc == ERR_OK) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
    return rc;
}

char *buf_take(buf *b) {
    char *p = b->p ? b->p : calloc(1, 1);
    size_t max = b->max;
    buf_init(b, max);
    return p;
}

void buf_free(buf *b) {
    free(b->p);
    buf_init(b, b->max);
}
