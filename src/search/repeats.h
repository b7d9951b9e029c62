// repeats.h: the candidates of a run that trained an earlier candidate's reward again.
//
// A mutator (or a language model) can hand back a reward the run already trained: the
// same mutation of the same parent drawn twice, or a mutation that undoes the last one.
// Such a candidate trains the same reward on another seed. The same reward is the same
// code up to comments and layout (rdiff_tokens): a model that rewrites a comment or
// re-indents has not written a new reward. `eureka show` and the report
// mark it, so a reader sees both what it cost and how differently one reward can be
// judged on two seeds. A search keeps the same set as it goes, to replace a reply that
// repeats a trained reward before it trains (search.c).
#ifndef EUREKA_REPEATS_H
#define EUREKA_REPEATS_H

#include <stddef.h>

typedef struct repeats repeats;

// An empty set, to fill with repeats_add (NULL when out of memory).
repeats *repeats_new(void);

// Candidate (it, s) with reward text code (NULL: none), after the ones added before it.
// ERR_OK, or ERR_NOMEM.
int repeats_add(repeats *r, int it, int s, const char *code);

// Every candidate's reward.c of the run at dir, read once (iterations 0..N in order,
// samples in order; a missing or unreadable file is no reward). NULL when out of memory.
repeats *repeats_scan(const char *dir);

// Candidate (it, s)'s reward text, NULL when it has none (owned by r).
const char *repeats_code(const repeats *r, int it, int s);

// When candidate (it, s)'s reward is, up to comments and layout, an earlier one's: 1, and
// the first such candidate's name (iterNN/sampleKK) in name. Else 0.
int repeats_of(const repeats *r, int it, int s, char *name, size_t n);

// When candidate (it, s) of the set `of` has, up to comments and layout, the reward of a
// candidate in r: 1, and the earliest such candidate's name (iterNN/sampleKK) in name.
// Else 0 (also when (it, s) has no reward in `of`). Compares the keys both sets hold.
int repeats_find(const repeats *r, const repeats *of, int it, int s, char *name, size_t n);

void repeats_free(repeats *r);

#endif
