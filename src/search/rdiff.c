// rdiff.c: diff + edit-kind labelling of reward programs (see rdiff.h).
//
// Written by hand rather than shelling out to diff(1): the labels need the line
// pairing, and `eureka diff` must work the same everywhere.
#include "search/rdiff.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

typedef struct lines { int n; char **s; } lines;

static void lines_free(lines *l) {
    for (int i = 0; i < l->n; i++) free(l->s[i]);
    free(l->s);
}

// Split text at '\n' (a trailing '\r' is dropped). -1 on too many lines / no memory.
static int lines_split(const char *t, lines *l) {
    l->n = 0;
    l->s = NULL;
    if (!*t) return 0;
    int cap = 0;
    while (*t) {
        const char *nl = strchr(t, '\n');
        size_t len = nl ? (size_t)(nl - t) : strlen(t);
        if (l->n >= RDIFF_MAX_LINES) return -1;
        if (l->n == cap) {
            cap = cap ? cap * 2 : 64;
            char **ns = realloc(l->s, (size_t)cap * sizeof *ns);
            if (!ns) return -1;
            l->s = ns;
        }
        size_t keep = len;
        if (keep > 0 && t[keep - 1] == '\r') keep--;
        char *s = malloc(keep + 1);
        if (!s) return -1;
        memcpy(s, t, keep);
        s[keep] = '\0';
        l->s[l->n++] = s;
        t += len + (nl ? 1 : 0);
    }
    return 0;
}

// Lines compare equal when they differ only in trailing whitespace.
static int line_eq(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    while (*a == ' ' || *a == '\t') a++;
    while (*b == ' ' || *b == '\t') b++;
    return *a == '\0' && *b == '\0';
}

enum { OP_EQ, OP_DEL, OP_ADD };
typedef struct op { int kind, ai, bi; } op;  // 0-based line indices

// The edit script A -> B: common prefix and suffix, LCS on the middle.
static op *edit_script(const lines *A, const lines *B, int *n_ops) {
    int n = A->n, m = B->n;
    op *ops = malloc((size_t)(n + m + 1) * sizeof *ops);
    if (!ops) return NULL;
    int k = 0, pre = 0, suf = 0;
    while (pre < n && pre < m && line_eq(A->s[pre], B->s[pre])) pre++;
    while (suf < n - pre && suf < m - pre && line_eq(A->s[n - 1 - suf], B->s[m - 1 - suf])) suf++;
    for (int i = 0; i < pre; i++) ops[k++] = (op){OP_EQ, i, i};
    int an = n - pre - suf, bn = m - pre - suf;
    // L[i][j] = LCS length of A[pre+i..] and B[pre+j..]
    size_t cells = (size_t)(an + 1) * (size_t)(bn + 1);
    uint16_t *L = cells <= 16u * 1024 * 1024 ? calloc(cells, sizeof *L) : NULL;
    if (L) {
        for (int i = an - 1; i >= 0; i--)
            for (int j = bn - 1; j >= 0; j--) {
                size_t at = (size_t)i * (bn + 1) + j;
                if (line_eq(A->s[pre + i], B->s[pre + j])) L[at] = L[at + bn + 2] + 1;
                else {
                    uint16_t d = L[at + bn + 1], r = L[at + 1];
                    L[at] = d > r ? d : r;
                }
            }
        int i = 0, j = 0;
        while (i < an || j < bn) {
            if (i < an && j < bn && line_eq(A->s[pre + i], B->s[pre + j])) {
                ops[k++] = (op){OP_EQ, pre + i, pre + j}; i++; j++;
            } else if (j < bn && (i == an || L[(size_t)i * (bn + 1) + j + 1] >= L[(size_t)(i + 1) * (bn + 1) + j])) {
                ops[k++] = (op){OP_ADD, pre + i, pre + j}; j++;
            } else {
                ops[k++] = (op){OP_DEL, pre + i, pre + j}; i++;
            }
        }
        free(L);
    } else {    // too large for the table: the whole middle is one replacement
        for (int i = 0; i < an; i++) ops[k++] = (op){OP_DEL, pre + i, pre};
        for (int j = 0; j < bn; j++) ops[k++] = (op){OP_ADD, pre + an, pre + j};
    }
    for (int i = 0; i < suf; i++) ops[k++] = (op){OP_EQ, n - suf + i, m - suf + i};
    // Put deletions before additions inside each change block (diff(1) convention).
    for (int s = 0; s < k;) {
        if (ops[s].kind == OP_EQ) { s++; continue; }
        int e2 = s;
        while (e2 < k && ops[e2].kind != OP_EQ) e2++;
        int w = s;
        op *tmp = malloc((size_t)(e2 - s) * sizeof *tmp);
        if (tmp) {
            for (int q = s; q < e2; q++) if (ops[q].kind == OP_DEL) tmp[w++ - s] = ops[q];
            for (int q = s; q < e2; q++) if (ops[q].kind == OP_ADD) tmp[w++ - s] = ops[q];
            memcpy(ops + s, tmp, (size_t)(e2 - s) * sizeof *tmp);
            free(tmp);
        }
        s = e2;
    }
    *n_ops = k;
    return ops;
}

// A space between a and b separates tokens that would otherwise fuse: two words
// (identifiers, numbers: "int x") or two operator characters ("a - -b", "x < <y").
static int is_word(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.'; }

static int fuses(char a, char b) {
    const char *op = "+-*/%<>=!&|^:";
    return (is_word(a) && is_word(b)) || (a && b && strchr(op, a) && strchr(op, b));
}

// Text without whitespace and comments, string literals kept verbatim; numeric literals
// become '#' when hash_numbers (so constant edits compare equal), else stay as written;
// with keep_breaks, a dropped stretch between two words or two operators leaves one space.
static char *strip_code(const char *s, int hash_numbers, int keep_breaks) {
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    const char *p = s;
    int gap = 0;        // whitespace or a comment since the last character written
    while (*p) {
        if (p[0] == '/' && p[1] == '/') { while (*p && *p != '\n') p++; gap = 1; continue; }
        if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) p++;
            if (*p) p += 2;
            gap = 1;
            continue;
        }
        if (isspace((unsigned char)*p)) { p++; gap = 1; continue; }
        if (keep_breaks && gap && o > out && fuses(o[-1], *p)) *o++ = ' ';
        gap = 0;
        if (*p == '"') {    // strings (term names) are kept verbatim
            *o++ = *p++;
            while (*p && *p != '"') { if (*p == '\\' && p[1]) *o++ = *p++; *o++ = *p++; }
            if (*p) *o++ = *p++;
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            while (isalnum((unsigned char)*p) || *p == '_') *o++ = *p++;
            continue;
        }
        if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
            const char *start = p;
            if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
                p += 2;
                while (isxdigit((unsigned char)*p)) p++;
            } else {
                while (isdigit((unsigned char)*p) || *p == '.') p++;
                if ((*p == 'e' || *p == 'E') &&
                    (isdigit((unsigned char)p[1]) || ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
                    p += 2;
                    while (isdigit((unsigned char)*p)) p++;
                }
            }
            while (*p == 'f' || *p == 'F' || *p == 'l' || *p == 'L' || *p == 'u' || *p == 'U') p++;
            if (hash_numbers) *o++ = '#';
            else while (start < p) *o++ = *start++;
            continue;
        }
        *o++ = *p++;
    }
    *o = '\0';
    return out;
}

char *rdiff_normalise(const char *s) { return strip_code(s, 1, 0); }

char *rdiff_tokens(const char *s) { return strip_code(s, 0, 1); }

// Text without whitespace and comments (numbers kept): for layout-only edits.
static char *squeeze(const char *s) { return strip_code(s, 0, 0); }

// Term names in text: every term(<ident>, "name", ...). Appends to names (set).
#define MAX_NAMES 64
typedef struct nameset { int n; char s[MAX_NAMES][64]; } nameset;

static int ns_has(const nameset *ns, const char *x) {
    for (int i = 0; i < ns->n; i++) if (strcmp(ns->s[i], x) == 0) return 1;
    return 0;
}

static void ns_add(nameset *ns, const char *x) {
    if (!ns_has(ns, x) && ns->n < MAX_NAMES) snprintf(ns->s[ns->n++], sizeof ns->s[0], "%s", x);
}

static void scan_terms(const char *t, nameset *ns) {
    for (const char *p = t; (p = strstr(p, "term")) != NULL; p += 4) {
        if (p > t && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) continue;
        const char *q = p + 4;
        while (isspace((unsigned char)*q)) q++;
        if (*q != '(') continue;
        q++;
        while (*q && *q != ',' && *q != ')' && *q != '\n') q++;
        if (*q != ',') continue;
        q++;
        while (isspace((unsigned char)*q)) q++;
        if (*q != '"') continue;
        q++;
        char name[64];
        size_t k = 0;
        while (*q && *q != '"' && *q != '\n' && k + 1 < sizeof name) name[k++] = *q++;
        name[k] = '\0';
        if (*q == '"' && k > 0) ns_add(ns, name);
    }
}

static void names_join(const nameset *ns, char *buf, size_t n) {
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < ns->n && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", ns->s[i]);
}

// Concatenate lines [ops of kind] of the hunk that do not mention the given names.
static char *collect(const lines *L, const op *ops, int from, int to, int kind, const nameset *skip) {
    size_t cap = 1, used = 0;
    for (int q = from; q < to; q++) if (ops[q].kind == kind) {
        const char *s = L->s[kind == OP_DEL ? ops[q].ai : ops[q].bi];
        cap += strlen(s) + 1;
    }
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = '\0';
    for (int q = from; q < to; q++) if (ops[q].kind == kind) {
        const char *s = L->s[kind == OP_DEL ? ops[q].ai : ops[q].bi];
        nameset here = {0};
        scan_terms(s, &here);
        int skipped = 0;
        for (int i = 0; i < here.n; i++) if (ns_has(skip, here.s[i])) skipped = 1;
        if (skipped) continue;
        size_t len = strlen(s);
        memcpy(out + used, s, len);
        out[used + len] = '\n';
        used += len + 1;
        out[used] = '\0';
    }
    return out;
}

static void classify(rdiff_hunk *h, const lines *A, const lines *B, const op *ops, int from,
                     int to, const nameset *all_a, const nameset *all_b) {
    nameset ra = {0}, rb = {0}, added = {0}, removed = {0};
    for (int q = from; q < to; q++) {
        if (ops[q].kind == OP_DEL) scan_terms(A->s[ops[q].ai], &ra);
        if (ops[q].kind == OP_ADD) scan_terms(B->s[ops[q].bi], &rb);
    }
    for (int i = 0; i < rb.n; i++) if (!ns_has(all_a, rb.s[i])) ns_add(&added, rb.s[i]);
    for (int i = 0; i < ra.n; i++) if (!ns_has(all_b, ra.s[i])) ns_add(&removed, ra.s[i]);
    if (added.n) h->kinds |= RDIFF_TERM_ADDED;
    if (removed.n) h->kinds |= RDIFF_TERM_REMOVED;
    names_join(&added, h->terms_added, sizeof h->terms_added);
    names_join(&removed, h->terms_removed, sizeof h->terms_removed);
    nameset skip = added;
    for (int i = 0; i < removed.n; i++) ns_add(&skip, removed.s[i]);
    char *r = collect(A, ops, from, to, OP_DEL, &skip);
    char *a = collect(B, ops, from, to, OP_ADD, &skip);
    char *sr = r ? squeeze(r) : NULL, *sa = a ? squeeze(a) : NULL;
    int term_change = added.n || removed.n;
    if (sr && sa && strcmp(sr, sa) == 0) {
        if (!term_change && strcmp(r, a) != 0) h->kinds |= RDIFF_LAYOUT;
    } else if (sr && sa) {
        // Pair changed lines: the same line modulo numbers is a constant change; the
        // same term with another expression is a form change. Lines left unpaired are
        // code added or dropped: part of the term edit when there is one, else a form
        // change.
        int unpaired = 0;
        unsigned char *used = calloc((size_t)(to - from) + 1, 1);
        for (int q = from; q < to && used; q++) {
            if (ops[q].kind != OP_DEL) continue;
            const char *rl = A->s[ops[q].ai];
            nameset rn = {0};
            scan_terms(rl, &rn);
            int own = 0;
            for (int i = 0; i < rn.n; i++) if (ns_has(&skip, rn.s[i])) own = 1;
            char *x = rdiff_normalise(rl), *xs = squeeze(rl);
            if (own || !x || !xs || !*xs) { free(x); free(xs); continue; }
            int paired = 0;
            for (int w = from; w < to && !paired; w++) {
                if (ops[w].kind != OP_ADD || used[w - from]) continue;
                char *y = rdiff_normalise(B->s[ops[w].bi]), *ys = squeeze(B->s[ops[w].bi]);
                if (y && ys && strcmp(x, y) == 0) {
                    if (strcmp(xs, ys) != 0) h->kinds |= RDIFF_CONSTANT;
                    paired = 1;
                    used[w - from] = 1;
                }
                free(y); free(ys);
            }
            for (int w = from; w < to && !paired && rn.n; w++) {
                if (ops[w].kind != OP_ADD || used[w - from]) continue;
                nameset an = {0};
                scan_terms(B->s[ops[w].bi], &an);
                for (int i = 0; i < an.n && !paired; i++)
                    if (ns_has(&rn, an.s[i])) {
                        h->kinds |= RDIFF_FORM;
                        paired = 1;
                        used[w - from] = 1;
                    }
            }
            if (!paired) unpaired = 1;
            free(x); free(xs);
        }
        for (int w = from; w < to && used; w++) {
            if (ops[w].kind != OP_ADD || used[w - from]) continue;
            const char *al = B->s[ops[w].bi];
            nameset an = {0};
            scan_terms(al, &an);
            int own = 0;
            for (int i = 0; i < an.n; i++) if (ns_has(&skip, an.s[i])) own = 1;
            char *ys = squeeze(al);
            if (!own && ys && *ys) unpaired = 1;
            free(ys);
        }
        free(used);
        if (unpaired && !term_change) h->kinds |= RDIFF_FORM;
        if (!h->kinds) h->kinds |= RDIFF_FORM;
    }
    free(r); free(a); free(sr); free(sa);
}

// Diff text never grows past this: both sides are rewards of at most 64 KiB.
#define RDIFF_MAX_TEXT (1 << 20)

rdiff *rdiff_new(const char *a, const char *b, int context, err_info *e) {
    lines A, B;
    if (lines_split(a, &A) || lines_split(b, &B)) {
        lines_free(&A);
        err_set(e, ERR_LIMIT, "diff: a reward is longer than %d lines (or out of memory)", RDIFF_MAX_LINES);
        return NULL;
    }
    int n_ops = 0;
    op *ops = edit_script(&A, &B, &n_ops);
    rdiff *d = calloc(1, sizeof *d);
    if (!ops || !d) {
        free(ops); free(d); lines_free(&A); lines_free(&B);
        err_set(e, ERR_NOMEM, "diff: out of memory");
        return NULL;
    }
    nameset all_a = {0}, all_b = {0};
    scan_terms(a, &all_a);
    scan_terms(b, &all_b);
    if (context < 0) context = 0;
    for (int q = 0; q < n_ops;) {
        if (ops[q].kind == OP_EQ) { q++; continue; }
        // A hunk: from this change, extend while the next change is within 2*context.
        int first = q, last = q;
        for (int r = q; r < n_ops; r++) {
            if (ops[r].kind != OP_EQ) { last = r; continue; }
            int gap = 0, s = r;
            while (s < n_ops && ops[s].kind == OP_EQ) { gap++; s++; }
            if (s == n_ops || gap > 2 * context) break;
            r = s - 1;
        }
        int from = first - context < 0 ? 0 : first - context;
        while (from < first && ops[from].kind != OP_EQ) from++;
        int to = last + 1 + context > n_ops ? n_ops : last + 1 + context;
        rdiff_hunk *nh = realloc(d->hunks, (size_t)(d->n + 1) * sizeof *nh);
        if (!nh) break;
        d->hunks = nh;
        rdiff_hunk *h = &d->hunks[d->n++];
        memset(h, 0, sizeof *h);
        int a_start = -1, b_start = -1;
        for (int r = from; r < to; r++) {
            if (ops[r].kind != OP_ADD) { if (a_start < 0) a_start = ops[r].ai; h->a_len++; }
            if (ops[r].kind != OP_DEL) { if (b_start < 0) b_start = ops[r].bi; h->b_len++; }
        }
        // Unified diff: an empty range names the line before it.
        h->a_start = a_start < 0 ? ops[from].ai : a_start + 1;
        h->b_start = b_start < 0 ? ops[from].bi : b_start + 1;
        buf body;
        buf_init(&body, RDIFF_MAX_TEXT);
        for (int r = from; r < to; r++) {
            if (ops[r].kind == OP_EQ) buf_printf(&body, " %s\n", A.s[ops[r].ai]);
            else if (ops[r].kind == OP_DEL) buf_printf(&body, "-%s\n", A.s[ops[r].ai]);
            else buf_printf(&body, "+%s\n", B.s[ops[r].bi]);
        }
        h->body = buf_take(&body);
        classify(h, &A, &B, ops, first, last + 1, &all_a, &all_b);
        q = last + 1;
    }
    free(ops);
    lines_free(&A);
    lines_free(&B);
    return d;
}

void rdiff_free(rdiff *d) {
    if (!d) return;
    for (int i = 0; i < d->n; i++) free(d->hunks[i].body);
    free(d->hunks);
    free(d);
}

const char *rdiff_label(const rdiff_hunk *h, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
#define ADD(...) do { if (used < n) used += (size_t)snprintf(buf + used, n - used, __VA_ARGS__); } while (0)
    if (h->kinds & RDIFF_TERM_ADDED) ADD("%sterm added: %s", used ? "; " : "", h->terms_added);
    if (h->kinds & RDIFF_TERM_REMOVED) ADD("%sterm removed: %s", used ? "; " : "", h->terms_removed);
    if (h->kinds & RDIFF_FORM) ADD("%sfunctional form changed", used ? "; " : "");
    if (h->kinds & RDIFF_CONSTANT) ADD("%sconstant changed (hyperparameter)", used ? "; " : "");
    if (h->kinds & RDIFF_LAYOUT) ADD("%slayout only", used ? "; " : "");
#undef ADD
    return buf;
}

char *rdiff_format(const rdiff *d, const char *name_a, const char *name_b) {
    buf out;
    buf_init(&out, RDIFF_MAX_TEXT);
    if (d->n == 0) return buf_take(&out);
    buf_printf(&out, "--- %s\n+++ %s\n", name_a, name_b);
    for (int i = 0; i < d->n; i++) {
        const rdiff_hunk *h = &d->hunks[i];
        char label[640];
        rdiff_label(h, label, sizeof label);
        buf_printf(&out, "@@ -%d,%d +%d,%d @@ %s\n%s", h->a_start, h->a_len, h->b_start,
                   h->b_len, label, h->body);
    }
    return buf_take(&out);
}

cJSON *rdiff_json(const rdiff *d, const char *name_a, const char *name_b) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "a", name_a);
    cJSON_AddStringToObject(o, "b", name_b);
    cJSON *hs = cJSON_AddArrayToObject(o, "hunks");
    static const struct { unsigned bit; const char *name; } names[] = {
        {RDIFF_TERM_ADDED, "term_added"}, {RDIFF_TERM_REMOVED, "term_removed"},
        {RDIFF_FORM, "form_changed"}, {RDIFF_CONSTANT, "constant_changed"}, {RDIFF_LAYOUT, "layout"}};
    for (int i = 0; i < d->n; i++) {
        const rdiff_hunk *h = &d->hunks[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "a_start", h->a_start);
        cJSON_AddNumberToObject(j, "a_len", h->a_len);
        cJSON_AddNumberToObject(j, "b_start", h->b_start);
        cJSON_AddNumberToObject(j, "b_len", h->b_len);
        cJSON *ls = cJSON_AddArrayToObject(j, "labels");
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (h->kinds & names[k].bit) cJSON_AddItemToArray(ls, cJSON_CreateString(names[k].name));
        cJSON_AddStringToObject(j, "terms_added", h->terms_added);
        cJSON_AddStringToObject(j, "terms_removed", h->terms_removed);
        cJSON_AddStringToObject(j, "body", h->body);
        cJSON_AddItemToArray(hs, j);
    }
    return o;
}
