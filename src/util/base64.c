// base64.c: RFC 4648 base64 (see base64.h).
#include "util/base64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t n) {
    const unsigned char *p = data;
    size_t out_n = 4 * ((n + 2) / 3);
    char *out = malloc(out_n + 1), *o = out;
    if (!out) return NULL;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

static int sextet_of(char c) {
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

int base64_decode(const char *text, size_t cap, void **out, size_t *n, err_info *e) {
    *out = NULL;
    *n = 0;
    size_t len = strlen(text);
    if (len % 4) return err_set(e, ERR_PARSE, "base64: length %zu is not a multiple of 4", len);
    size_t max = len / 4 * 3;
    if (max > cap + 2) return err_set(e, ERR_LIMIT, "base64: %zu bytes encoded, over the %zu-byte cap", max, cap);
    unsigned char *buf = malloc(max + 1);
    if (!buf) return err_set(e, ERR_NOMEM, "base64: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < len; i += 4) {
        int pad = (text[i + 2] == '=') + (text[i + 3] == '=');
        int last = i + 4 == len;
        int a = sextet_of(text[i]), b = sextet_of(text[i + 1]);
        int c = pad >= 2 ? 0 : sextet_of(text[i + 2]), d = pad >= 1 ? 0 : sextet_of(text[i + 3]);
        if (a < 0 || b < 0 || c < 0 || d < 0 || (pad && !last) || (pad == 1 && text[i + 2] == '=')) {
            free(buf);
            return err_set(e, ERR_PARSE, "base64: bad character or padding at offset %zu", i);
        }
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        buf[k++] = (unsigned char)(v >> 16);
        if (pad < 2) buf[k++] = (unsigned char)(v >> 8);
        if (pad < 1) buf[k++] = (unsigned char)v;
    }
    if (k > cap) { free(buf); return err_set(e, ERR_LIMIT, "base64: %zu bytes decoded, over the %zu-byte cap", k, cap); }
    *out = buf;
    *n = k;
    return ERR_OK;
}
