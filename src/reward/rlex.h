// rlex.h: a candidate reward's source text as the compiler will see it.
//
// The lexical filter (rcomp_lint) must decide what is a preprocessor directive exactly
// as libtcc does, or a spelling the filter reads as harmless becomes `#include` or
// `#pragma` for the compiler. Rather than imitate libtcc's reading of comments, line
// splices and line ends, rlex performs C's translation phases 1-3 itself and libtcc
// compiles rlex's result, the canonical text: no trigraph (rejected, anywhere), no line
// splice, no comment, '\n' line ends only, each original line break kept (in place, or
// right after the logical line it belongs to, so later lines keep their numbers). Only
// then are tokens and directives read, from the very text the compiler gets.
#ifndef EUREKA_RLEX_H
#define EUREKA_RLEX_H

#include <stddef.h>

#include "util/err.h"

typedef struct rlex_tok {
    const char *s;  // into rlex.text
    int len;
    int line;       // in the candidate's own numbering
    char kind;      // 'i' identifier, 'n' number, 's' string/char literal, 'p' punctuator
    char directive; // part of a preprocessor directive line
    char dstart;    // the '#' that starts a directive
} rlex_tok;

typedef struct rlex {
    char *text;     // the canonical text (what libtcc compiles), NUL-terminated
    size_t n;
    int *line;      // the candidate's line of text[i], for i <= n
    rlex_tok *toks;
    int ntok;
} rlex;

// Translate src[0..len) (phases 1-3) and split it into tokens. ERR_COMPILE with
// "reward.c:LINE: ..." for what has no single reading (trigraphs, a backslash before
// trailing blanks, unterminated comments and literals, control or non-ASCII bytes in
// code). lx is always safe to rlex_free afterwards.
int rlex_run(rlex *lx, const char *src, size_t len, err_info *e);

void rlex_free(rlex *lx);

// 1 if token t is exactly s.
int rlex_is(const rlex_tok *t, const char *s);

#endif
