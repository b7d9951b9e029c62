// rdiff.h: line diff between two reward programs, each hunk labelled with the kind of
// edit, as in the EUREKA paper's Figure 3:
//   constant changed (hyperparameter), functional form changed, term added, term removed.
//
// The diff is an LCS over lines (after stripping the common prefix and suffix); the
// labels come from the term(t, "name", ...) names of both whole files and from the
// changed lines with every numeric literal replaced by '#'.
#ifndef EUREKA_RDIFF_H
#define EUREKA_RDIFF_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util/err.h"

#define RDIFF_MAX_LINES 8000

enum {
    RDIFF_CONSTANT = 1,     // same expressions, different numbers
    RDIFF_FORM = 2,         // an expression changed shape
    RDIFF_TERM_ADDED = 4,   // a term(t, "name", ...) that the old program did not have
    RDIFF_TERM_REMOVED = 8, // a term the new program no longer has
    RDIFF_LAYOUT = 16,      // only whitespace or comments changed
};

typedef struct rdiff_hunk {
    int a_start, a_len;     // 1-based line range in A (unified-diff convention)
    int b_start, b_len;
    unsigned kinds;         // RDIFF_* bits
    char terms_added[256];  // names, comma-separated
    char terms_removed[256];
    char *body;             // the hunk's lines, each prefixed ' ', '-' or '+', '\n'-ended
} rdiff_hunk;

typedef struct rdiff {
    int n;
    rdiff_hunk *hunks;
} rdiff;

// Diff A -> B with `context` lines of context. NULL + ERR_LIMIT for inputs over
// RDIFF_MAX_LINES lines.
rdiff *rdiff_new(const char *a, const char *b, int context, err_info *e);
void rdiff_free(rdiff *d);

// "constant changed (hyperparameter), term added: dist_reward" for a hunk, into buf.
const char *rdiff_label(const rdiff_hunk *h, char *buf, size_t n);

// The unified diff text with "--- name_a", "+++ name_b" and each "@@ ... @@ label".
// Owned by the caller; "" when the files are equal.
char *rdiff_format(const rdiff *d, const char *name_a, const char *name_b);

// The diff as JSON: {"a":..., "b":..., "hunks":[{"a_start",...,"labels":[...],"body"}]}.
cJSON *rdiff_json(const rdiff *d, const char *name_a, const char *name_b);

// Replace every numeric literal in s by '#' and drop whitespace and comments (owned).
char *rdiff_normalise(const char *s);

// s without comments and layout: whitespace and comments dropped, one space kept where
// they separated two words or two operators, so texts with the same tokens give the same
// string and texts with other tokens ("a - -b", "a--b") do not (owned; NULL: no memory).
char *rdiff_tokens(const char *s);

#endif
