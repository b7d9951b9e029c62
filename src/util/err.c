// err.c: formatting for the err_info pattern (see err.h).
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(err_info *e, err_code code, const char *fmt, ...) {
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        // One line: a message with an embedded newline would break logs and the CLI.
        for (char *p = e->msg; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
    }
    return code;
}

int err_wrap(err_info *e, const char *fmt, ...) {
    if (!e) return ERR_OK;
    char prefix[ERR_MSG_MAX], old[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    char joined[2 * ERR_MSG_MAX + 2];
    snprintf(joined, sizeof joined, "%s: %s", prefix, old);
    memcpy(e->msg, joined, ERR_MSG_MAX - 1);  // truncate to the message size
    e->msg[ERR_MSG_MAX - 1] = '\0';
    return e->code;
}

const char *err_name(err_code code) {
    static const char *names[] = {
        "ok", "usage", "io", "nomem", "parse", "limit", "compile",
        "runtime", "nonfinite", "reward", "physics", "http", "notfound", "internal", "budget", "interrupted",
    };
    if ((unsigned)code < sizeof names / sizeof names[0]) return names[code];
    return "unknown";
}

