// err.h: the one error pattern of eureka.
//
// Fallible functions return an err_code (ERR_OK == 0) and, when the caller passes
// a non-NULL err_info, leave a one-line message there that names the thing and the
// fix ("reward.c:12: 'quat_dist' is not a known function (see the prelude)").
// Library code never prints and never exits: only the CLI decides what a user sees.
#ifndef EUREKA_ERR_H
#define EUREKA_ERR_H

#include <stddef.h>

typedef enum err_code {
    ERR_OK = 0,
    ERR_USAGE,      // bad command line or option value
    ERR_IO,         // file system: missing file, full disk, permissions
    ERR_NOMEM,      // allocation failed
    ERR_PARSE,      // malformed input: JSON, template, LLM reply
    ERR_LIMIT,      // an input exceeded a cap (size, count)
    ERR_COMPILE,    // candidate reward did not compile / was rejected
    ERR_RUNTIME,    // candidate failed while running (crash, time limit...)
    ERR_NONFINITE,  // a reward component was NaN or infinite (message: which, when)
    ERR_REWARD,     // the reward broke the ABI: wrote to its state, >16 components, bad name
    ERR_PHYSICS,    // MuJoCo model load or simulation error
    ERR_HTTP,       // LLM transport or API error
    ERR_NOTFOUND,   // unknown task, missing replay entry, ...
    ERR_INTERNAL,   // a bug in eureka itself
    ERR_BUDGET,     // a budget the user set ran out (--max-tokens-total): not a failure
    ERR_INTERRUPTED,// stopped by a signal (the user's Ctrl-C): what finished is kept
} err_code;

#define ERR_MSG_MAX 512

typedef struct err_info {
    err_code code;
    char msg[ERR_MSG_MAX];
} err_info;

// Record code and a printf-style message in e (if e != NULL); returns code.
int err_set(err_info *e, err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Prefix the message already in e with "prefix: " (to add context on the way up).
int err_wrap(err_info *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Short stable name of a code ("io", "parse", ...), for JSON output.
const char *err_name(err_code code);

#endif
