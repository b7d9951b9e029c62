// suggest.h: "did you mean ...?" for every name a person or a model can mistype: a
// command, a flag, a field of env.h, a prelude function. One distance, one rule for
// what counts as near, so every suggestion in eureka reads the same.
#ifndef EUREKA_SUGGEST_H
#define EUREKA_SUGGEST_H

#include <stddef.h>

// Edit distance between a and b (insertions, deletions, substitutions and swaps of two
// neighbouring characters, each 1: "serach" -> "search" is 1). Names longer than 64
// characters are compared on their first 64.
int suggest_distance(const char *a, const char *b);

// The index in names[0..n) nearest to word, or -1 when none is near enough to be a
// plausible typo (distance at most 2, and less than half of word's length) or word is
// itself one of the names.
int suggest_nearest(const char *word, const char *const *names, int n);

// Like suggest_nearest over the C identifiers of text (each counted once, at most 512
// distinct; keep(ident, len, ctx) may reject some, NULL keeps all): the nearest into buf
// (empty when none). Returns buf.
char *suggest_ident(const char *word, const char *text,
                    int (*keep)(const char *ident, size_t len, const char *after, void *ctx), void *ctx,
                    char *buf, size_t n);

#endif
