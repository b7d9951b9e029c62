// repeats.c: which candidates of a run trained an earlier candidate's reward (repeats.h).
#include "search/repeats.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward/rcomp.h"
#include "search/rdiff.h"
#include "search/run.h"
#include "util/err.h"

// The reward texts kept at most: 99 iterations of 16 samples of 20 KiB, about 32 MiB.
// A run directory is someone else's input, and each reward.c may be up to 64 KiB.
#define REPEATS_MAX_BYTES ((size_t)32 << 20)

typedef struct {
    int it, s;
    char *code;         // NULL: no reward.c to read
    char *key;          // code without comments and layout (rdiff_tokens): what is compared
    uint64_t hash;      // of key
    int first;          // index of the earliest entry with the same key, or -1
} entry;

struct repeats {
    entry *e;
    int n, cap;
    size_t kept;        // bytes of reward text added so far (capped at REPEATS_MAX_BYTES)
};

// FNV-1a: tells most different texts apart before a full comparison.
static uint64_t fnv(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static const entry *find(const repeats *r, int it, int s) {
    for (int i = 0; r && i < r->n; i++)
        if (r->e[i].it == it && r->e[i].s == s) return &r->e[i];
    return NULL;
}

repeats *repeats_new(void) { return calloc(1, sizeof(repeats)); }

int repeats_add(repeats *r, int it, int s, const char *code) {
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 64;
        entry *e = realloc(r->e, (size_t)cap * sizeof *e);
        if (!e) return ERR_NOMEM;
        r->e = e;
        r->cap = cap;
    }
    entry *x = &r->e[r->n];
    *x = (entry){it, s, NULL, NULL, 0, -1};
    r->n++;
    if (!code || (r->kept += 2 * strlen(code)) > REPEATS_MAX_BYTES) return ERR_OK;   // a run far past any search's size: compare no further
    if (!(x->code = strdup(code)) || !(x->key = rdiff_tokens(code))) return ERR_NOMEM;
    // The first match is the earliest: any earlier twin would have matched first.
    x->hash = fnv(x->key);
    for (int i = 0; i < r->n - 1 && x->first < 0; i++)
        if (r->e[i].key && r->e[i].hash == x->hash && strcmp(r->e[i].key, x->key) == 0) x->first = i;
    return ERR_OK;
}

repeats *repeats_scan(const char *dir) {
    repeats *r = repeats_new();
    if (!r) return NULL;
    int n_it = run_count_iters(dir);
    for (int it = 0; it <= n_it; it++) {
        int n_s = run_count_samples(dir, it);
        for (int s = 0; s < n_s; s++) {
            char rel[128];
            char *code = NULL;
            if (run_sample_rel(rel, sizeof rel, it, s, RUN_REWARD, NULL) == 0 && run_has(dir, rel))
                code = run_read_text(dir, rel, RCOMP_MAX_SOURCE, NULL);
            int rc = repeats_add(r, it, s, code);
            free(code);
            if (rc) { repeats_free(r); return NULL; }
        }
    }
    return r;
}

int repeats_find(const repeats *r, const repeats *of, int it, int s, char *name, size_t n) {
    const entry *x = find(of, it, s);
    for (int i = 0; x && x->key && r && i < r->n; i++)
        if (r->e[i].key && r->e[i].hash == x->hash && strcmp(r->e[i].key, x->key) == 0) {
            run_sample_rel(name, n, r->e[i].it, r->e[i].s, NULL, NULL);
            return 1;
        }
    return 0;
}

const char *repeats_code(const repeats *r, int it, int s) {
    const entry *x = find(r, it, s);
    return x ? x->code : NULL;
}

int repeats_of(const repeats *r, int it, int s, char *name, size_t n) {
    const entry *x = find(r, it, s);
    if (!x || x->first < 0) return 0;
    const entry *f = &r->e[x->first];
    run_sample_rel(name, n, f->it, f->s, NULL, NULL);
    return 1;
}

void repeats_free(repeats *r) {
    if (!r) return;
    for (int i = 0; i < r->n; i++) {
        free(r->e[i].code);
        free(r->e[i].key);
    }
    free(r->e);
    free(r);
}
