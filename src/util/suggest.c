// suggest.c: nearest names by edit distance (see suggest.h).
#include "util/suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 64
#define IDENT_MAX 512

static int min3(int a, int b, int c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

int suggest_distance(const char *a, const char *b) {
    // Optimal string alignment distance: Levenshtein plus adjacent transpositions, the
    // commonest typo of all.
    size_t la = strnlen(a, NAME_MAX_LEN), lb = strnlen(b, NAME_MAX_LEN);
    int d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[la][lb];
}

// A distance small enough to be a typo of word rather than another name.
static int near_enough(const char *word, int dist) {
    return dist > 0 && dist <= 2 && 2 * dist < (int)strlen(word);
}

int suggest_nearest(const char *word, const char *const *names, int n) {
    int best = -1, bd = 1 << 30;
    for (int i = 0; i < n; i++) {
        int d = suggest_distance(word, names[i]);
        if (d == 0) return -1;
        if (d < bd) { bd = d; best = i; }
    }
    return best >= 0 && near_enough(word, bd) ? best : -1;
}

char *suggest_ident(const char *word, const char *text,
                    int (*keep)(const char *ident, size_t len, const char *after, void *ctx), void *ctx,
                    char *buf, size_t n) {
    char idents[IDENT_MAX][NAME_MAX_LEN + 1];
    const char *names[IDENT_MAX];
    int k = 0;
    buf[0] = '\0';
    for (const char *p = text ? text : ""; *p && k < IDENT_MAX;) {
        // Names in comments are words, not declarations.
        if (p[0] == '/' && p[1] == '*') { const char *q = strstr(p + 2, "*/"); p = q ? q + 2 : p + strlen(p); continue; }
        if (p[0] == '/' && p[1] == '/') { p += strcspn(p, "\n"); continue; }
        if (!(isalpha((unsigned char)*p) || *p == '_')) { p++; continue; }
        const char *s = p;
        while (isalnum((unsigned char)*p) || *p == '_') p++;
        size_t len = (size_t)(p - s);
        if (len > NAME_MAX_LEN || (keep && !keep(s, len, p, ctx))) continue;
        int seen = 0;
        for (int i = 0; i < k && !seen; i++) seen = strlen(names[i]) == len && strncmp(names[i], s, len) == 0;
        if (seen) continue;
        memcpy(idents[k], s, len);
        idents[k][len] = '\0';
        names[k] = idents[k];
        k++;
    }
    int i = suggest_nearest(word, names, k);
    if (i >= 0) snprintf(buf, n, "%s", names[i]);
    return buf;
}
