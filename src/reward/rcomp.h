// rcomp.h: the reward compiler. Candidate text -> callable reward_fn, in memory, with
// libtcc: prelude + task env.h + the compute_reward prototype + the candidate (as rlex
// reads it), compiled with -nostdlib -nostdinc -Werror, allow-listed symbols only.
// Lexical checks first reject what the compiler would accept but must not run
// (#include, #pragma, _Pragma, asm, #line, extern variables, mutable globals,
// oversized sources, nesting the compiler does not survive).
//
// rcomp_new opens no file and loads no library: the caller passes the prelude and
// env.h as text, so a compile can run where opening files is forbidden. It never calls
// the generated code; calling it belongs inside the sandbox (sandbox.h). The image is
// W^X: code read+execute, all data read-only.
#ifndef EUREKA_RCOMP_H
#define EUREKA_RCOMP_H

#include <stddef.h>

#include "util/err.h"
#include "reward/reward.h"

#define RCOMP_MAX_SOURCE (64 * 1024)
#define RCOMP_MAX_NESTING 100   // ( [ { open at once
#define RCOMP_MAX_IF_NESTING 32 // #if/#ifdef/#ifndef open at once

typedef struct rcomp rcomp;

// Lexical checks only (fast, no compiler): ERR_COMPILE with "reward.c:LINE: ..." .
int rcomp_lint(const char *candidate, err_info *e);

// rcomp_lint for a buffer of len bytes (a file may hold NUL bytes a C string hides).
int rcomp_lint_n(const char *src, size_t len, err_info *e);

// Compile candidate against prelude (rcomp_prelude's text) and env_h (the task's env.h
// text). On failure NULL and ERR_COMPILE with the first diagnostic in the candidate's
// own line numbers (ERR_INTERNAL if the image cannot be made W^X).
rcomp *rcomp_new(const char *prelude, const char *env_h, const char *candidate, err_info *e);

// The compiled compute_reward. Valid until rcomp_free.
reward_fn rcomp_fn(const rcomp *c);

void rcomp_free(rcomp *c);

// The prelude text shown to the LLM and prepended to every candidate, read once from
// src/reward/prelude.h. Borrowed.
const char *rcomp_prelude(err_info *e);

#endif
