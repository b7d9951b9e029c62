// buf.h: growable strings with a mandatory maximum (after curl's dynbuf).
//
// Text that grows from outside input (HTTP bodies, prompts, generated programs,
// reflections) is built in a buf: it never holds more than `max` bytes, stays
// NUL-terminated, and a failure is sticky, so a builder can add many pieces and check
// once at the end.
#ifndef EUREKA_BUF_H
#define EUREKA_BUF_H

#include <stddef.h>

#include "util/err.h"

typedef struct buf {
    char *p;            // the text, NUL-terminated (NULL until the first add)
    size_t len;         // bytes of text
    size_t size;        // bytes allocated
    size_t max;         // most bytes of text it may hold
    err_code failed;    // ERR_LIMIT or ERR_NOMEM once an add failed; later adds do nothing
} buf;

// An empty buf that may hold up to max bytes of text.
void buf_init(buf *b, size_t max);

// Append n bytes. ERR_LIMIT (nothing added) past max, ERR_NOMEM; sticky.
int buf_add(buf *b, const void *data, size_t n);

// Append printf-formatted text, with the same rules as buf_add.
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// The text, owned by the caller ("" when nothing was added; NULL only without memory);
// b is empty again afterwards.
char *buf_take(buf *b);

void buf_free(buf *b);

#endif
