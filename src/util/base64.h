// base64.h: binary blobs inside JSON (a trainer's saved state travels in a worker's job
// and result). Standard alphabet with padding (RFC 4648).
#ifndef EUREKA_BASE64_H
#define EUREKA_BASE64_H

#include <stddef.h>

#include "util/err.h"

// Encode n bytes; a NUL-terminated string owned by the caller (NULL on out of memory).
char *base64_encode(const void *data, size_t n);

// Decode text (at most cap decoded bytes); *out owned by the caller, *n its length.
// ERR_PARSE for anything that is not canonical base64, ERR_LIMIT over cap.
int base64_decode(const char *text, size_t cap, void **out, size_t *n, err_info *e);

#endif
