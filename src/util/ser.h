// ser.h: flat binary records written into a buf and read back under bounds checks.
//
// A saved training (ppo.h) travels between processes as one blob of native-endian
// values. Writing appends to a capped buf (buf.h); reading walks a cursor that never
// runs past the end: the first short read sets a sticky failure, later reads return
// zeros, and the caller checks once. A blob may come from an untrusted worker, so a
// reader validates every count before it sizes anything by it.
#ifndef EUREKA_SER_H
#define EUREKA_SER_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

// Append raw values (sticky failure in the buf, as buf_add).
void ser_put(buf *b, const void *data, size_t n);
void ser_put_i64(buf *b, int64_t x);
void ser_put_u64(buf *b, uint64_t x);
void ser_put_f64(buf *b, double x);

// A read cursor over len bytes at p (borrowed).
typedef struct ser_reader {
    const unsigned char *p;
    size_t len, pos;
    int failed;             // a read ran past the end
} ser_reader;

void ser_reader_init(ser_reader *r, const void *p, size_t len);

// Copy n bytes into out; past the end, out gets zeros and the reader fails.
void ser_get(ser_reader *r, void *out, size_t n);
int64_t ser_get_i64(ser_reader *r);
uint64_t ser_get_u64(ser_reader *r);
double ser_get_f64(ser_reader *r);

// An i64 that must lie in [lo, hi]; outside, the reader fails and lo is returned.
int64_t ser_get_range(ser_reader *r, int64_t lo, int64_t hi);

// 64-bit FNV-1a of n bytes (detects truncation and bit flips; not a MAC).
uint64_t ser_hash(const void *p, size_t n);

#endif
