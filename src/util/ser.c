// ser.c: flat binary records (see ser.h).
#include "util/ser.h"

#include <string.h>

void ser_put(buf *b, const void *data, size_t n) { buf_add(b, data, n); }
void ser_put_i64(buf *b, int64_t x) { buf_add(b, &x, sizeof x); }
void ser_put_u64(buf *b, uint64_t x) { buf_add(b, &x, sizeof x); }
void ser_put_f64(buf *b, double x) { buf_add(b, &x, sizeof x); }

void ser_reader_init(ser_reader *r, const void *p, size_t len) {
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->failed = 0;
}

void ser_get(ser_reader *r, void *out, size_t n) {
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        if (n) memset(out, 0, n);
        return;
    }
    if (n) memcpy(out, r->p + r->pos, n);
    r->pos += n;
}

int64_t ser_get_i64(ser_reader *r) { int64_t x; ser_get(r, &x, sizeof x); return x; }
uint64_t ser_get_u64(ser_reader *r) { uint64_t x; ser_get(r, &x, sizeof x); return x; }
double ser_get_f64(ser_reader *r) { double x; ser_get(r, &x, sizeof x); return x; }

int64_t ser_get_range(ser_reader *r, int64_t lo, int64_t hi) {
    int64_t x = ser_get_i64(r);
    if (x < lo || x > hi) {
        r->failed = 1;
        return lo;
    }
    return x;
}

uint64_t ser_hash(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
