// sanitize.c: the one sanitiser for untrusted text (see sanitize.h).
//
// One linear pass turns the input into tokens (a kept character, or the visible escape
// of a hidden one) and hands them to a sink that enforces the output cap. When the whole
// output would not fit, a first counting pass (which stops as soon as the cap is
// exceeded) says so, and the writing pass then keeps room for the final "..." so that the
// cut always lands on a character boundary and is always marked.
#include "util/sanitize.h"

#include <stdlib.h>
#include <string.h>

#define SAN_MARK "..."
#define SAN_MARK_LEN 3

typedef struct sink {
    char *out;            // fixed destination (san_str), or NULL when writing to b
    buf *b;
    char stage[512];      // bytes waiting to be appended to b
    size_t staged;
    size_t len;           // bytes produced so far
    size_t lim;           // most bytes that may be produced
    size_t keep;          // room kept for the final mark (0 when everything fits)
    int count_only;       // only measure, write nothing
    int full;             // the output was cut: nothing more is produced
    int rc;               // ERR_NOMEM from b
} sink;

static void flush(sink *s) {
    if (s->b && s->staged && s->rc == ERR_OK) s->rc = buf_add(s->b, s->stage, s->staged);
    s->staged = 0;
}

static void emit(sink *s, const char *p, size_t n) {
    if (!s->count_only) {
        if (s->out) memcpy(s->out + s->len, p, n);
        else {
            if (s->staged + n > sizeof s->stage) flush(s);
            memcpy(s->stage + s->staged, p, n);
            s->staged += n;
        }
    }
    s->len += n;
}

// Produce one token, or cut the output here (marked) when it does not fit.
static void put(sink *s, const char *tok, size_t n) {
    if (s->full) return;
    size_t room = s->lim - s->len;
    if (n + s->keep > room) {
        if (!s->count_only) emit(s, SAN_MARK, room < SAN_MARK_LEN ? room : SAN_MARK_LEN);
        s->full = 1;
        return;
    }
    emit(s, tok, n);
}

// Length of the valid UTF-8 sequence at p (1-4) and its code point, or 0 if the bytes
// there are not one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
static size_t utf8_next(const unsigned char *p, size_t n, unsigned *cp) {
    unsigned c = p[0], v, lo = 0x80, hi = 0xbf;
    size_t len;
    if (c < 0x80) { *cp = c; return 1; }
    if (c >= 0xc2 && c <= 0xdf) { len = 2; v = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3; v = c & 0x0f;
        if (c == 0xe0) lo = 0xa0;        // overlong
        if (c == 0xed) hi = 0x9f;        // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4; v = c & 0x07;
        if (c == 0xf0) lo = 0x90;        // overlong
        if (c == 0xf4) hi = 0x8f;        // past U+10FFFF
    } else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        unsigned b = p[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf)) return 0;
        v = (v << 6) | (b & 0x3f);
    }
    *cp = v;
    return len;
}

// Code points that are valid but steer a terminal or hide what a reader sees: C1
// controls, bidirectional marks, embeddings, overrides and isolates, line separators.
static int hidden(unsigned cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static const char hexd[] = "0123456789abcdef";

static void run(sink *s, const unsigned char *p, size_t n, unsigned flags, size_t line_max) {
    size_t line = 0;        // bytes in the current output line
    int skipping = 0;       // the current line was cut: drop input up to its end
    for (size_t i = 0; i < n && !s->full;) {
        char tok[8];
        size_t tl, step = 1;
        unsigned c = p[i], cp;
        int br = 0;         // this token ends a line
        if (c == '\n' && (flags & SAN_NEWLINE)) { tok[0] = '\n'; tl = 1; br = 1; }
        else if (c == '\t' && (flags & SAN_TAB)) { tok[0] = '\t'; tl = 1; }
        else if (c == '\n' || c == '\t' || c == '\r') {
            tok[0] = '\\'; tok[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r'; tl = 2;
        } else if (c < 0x20 || c == 0x7f) {
            tok[0] = '\\'; tok[1] = 'x'; tok[2] = hexd[c >> 4]; tok[3] = hexd[c & 15]; tl = 4;
        } else if (c < 0x80) { tok[0] = (char)c; tl = 1; }
        else if ((step = utf8_next(p + i, n - i, &cp)) == 0) {
            step = 1;
            tok[0] = '\\'; tok[1] = 'x'; tok[2] = hexd[c >> 4]; tok[3] = hexd[c & 15]; tl = 4;
        } else if (hidden(cp)) {
            tok[0] = '\\'; tok[1] = 'u';
            for (int k = 0; k < 4; k++) tok[2 + k] = hexd[(cp >> (12 - 4 * k)) & 15];
            tl = 6;
        } else { memcpy(tok, p + i, step); tl = step; }
        i += step;
        if (br) {
            put(s, tok, tl);
            line = 0;
            skipping = 0;
            continue;
        }
        if (skipping) continue;
        if (line + tl > line_max) {
            put(s, SAN_MARK, SAN_MARK_LEN);
            skipping = 1;
            continue;
        }
        put(s, tok, tl);
        line += tl;
    }
}

// Count first (stopping past the cap), then write with room for the mark if needed.
static void sanitize(sink *s, const void *src, size_t n, unsigned flags, size_t line_max) {
    if (!line_max) line_max = SAN_LINE_MAX;
    sink probe = {.lim = s->lim, .count_only = 1};
    run(&probe, src, n, flags, line_max);
    s->keep = !probe.full ? 0 : s->lim < SAN_MARK_LEN ? s->lim : SAN_MARK_LEN;
    run(s, src, n, flags, line_max);
    flush(s);
}

const char *san_str(char *dst, size_t cap, const char *src, unsigned flags) {
    if (!cap) return dst;
    if (!src) src = "";
    sink s = {.out = dst, .lim = cap - 1};
    sanitize(&s, src, strlen(src), flags, 0);
    dst[s.len] = '\0';
    return dst;
}

int san_buf(buf *b, const void *src, size_t n, unsigned flags, size_t line_max) {
    if (b->failed) return b->failed;
    sink s = {.b = b, .lim = b->max - b->len};
    sanitize(&s, src ? src : "", src ? n : 0, flags, line_max);
    // An empty result still leaves b holding a (NUL-terminated) string.
    if (s.rc == ERR_OK && !b->p) return buf_add(b, "", 0);
    return s.rc;
}

char *san_dup(const void *src, size_t n, unsigned flags, size_t line_max, size_t max) {
    buf b;
    buf_init(&b, max);
    if (san_buf(&b, src, n, flags, line_max) != ERR_OK) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}
