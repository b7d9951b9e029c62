// rcomp.h: the reward compiler. Candidate text -> callable reward_fn, in memory,
// with libtcc: prelude + task env.h + `#line 1 "reward.c"` + candidate, compiled with
// -nostdlib -nostdinc -Werror, allow-listed symbols only. Lexical checks reject what
// the compiler would accept but must not run (#include, #pragma, _Pragma, asm, #line,
// mutable globals, oversized sources) before libtcc sees the text.
//
// rcomp_new runs generated code through a compiler but never calls it; calling the
// returned function belongs inside the sandbox (sandbox.h).
#ifndef EUREKA_RCOMP_H
#define EUREKA_RCOMP_H

#include <stddef.h>

#include "util/err.h"
#include "reward/reward.h"

#define RCOMP_MAX_SOURCE (64 * 1024)

typedef struct rcomp rcomp;

// Lexical checks only (fast, no compiler): ERR_COMPILE with "reward.c:LINE: ..." .
int rcomp_lint(const char *candidate, err_info *e);

// rcomp_lint for a buffer of len bytes (a file may hold NUL bytes a C string hides).
int rcomp_lint_n(const char *src, size_t len, err_info *e);

// Compile candidate against env_h (the task's env.h text). On failure NULL and
// ERR_COMPILE with the first diagnostic in the candidate's own line numbers.
rcomp *rcomp_new(const char *env_h, const char *candidate, err_info *e);

// The compiled compute_reward. Valid until rcomp_free.
reward_fn rcomp_fn(const rcomp *c);

void rcomp_free(rcomp *c);

// The prelude text shown to the LLM and prepended to every candidate. Borrowed.
const char *rcomp_prelude(err_info *e);

#endif
