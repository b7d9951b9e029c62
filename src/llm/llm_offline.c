// llm_offline.c: the offline backend, a seeded reward-program mutator. NOT a language
// model, and every reply says so in its first line.
//
// It lets the whole search loop (prompt -> reply -> extract -> compile -> train ->
// reflect) run with no network and no key: it takes the C program of the last assistant
// message (the previous best) or, on the first iteration, a random program of 2-4
// components from tasks/<task>/components.txt, and applies one mutation to a line of the
// canonical form `r += term(t, "name", EXPR);`: rescale a floating constant (x0.3..x3),
// change the term's functional form (saturating exp, x/(|x|+eps), clamp, signed square),
// add a component from components.txt, or drop a term (one always stays). The reply looks
// like a model's: one line of prose naming the mutation and a ```c block. Deterministic in
// (seed, request, sample index). Token usage is 0.
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "reward/extract.h"
#include "util/fs.h"
#include "llm/llm_backend.h"
#include "reward/reward.h"
#include "util/rng.h"

#define OFF_MAX_COMPONENTS 64
#define OFF_MAX_LINES 400
#define OFF_MAX_EXPR 600            // longer terms are not made longer
#define OFF_MAX_SOURCE (64 * 1024)

typedef struct component {
    char name[REWARD_NAME_MAX];
    char *expr;
} component;

typedef struct components {
    component c[OFF_MAX_COMPONENTS];
    int n;
} components;

// Every text the mutator builds stays below this (replies stay small).
#define OFF_MAX_TEXT (OFF_MAX_SOURCE * 2 - 1)

static void components_free(components *cs) {
    for (int i = 0; i < cs->n; i++) free(cs->c[i].expr);
    cs->n = 0;
}

static int is_ident(const char *s, size_t n) {
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
    return 1;
}

// tasks/<task>/components.txt, or <task>/components.txt when task is a directory path.
static int components_load(const char *task, components *cs, err_info *e) {
    cs->n = 0;
    if (!task || !*task)
        return err_set(e, ERR_USAGE, "the offline backend needs a task (its components.txt)");
    char path[4096];
    int rc = strchr(task, '/') ? fs_path(path, sizeof path, e, "%s/components.txt", task)
                               : fs_path(path, sizeof path, e, "%s/tasks/%s/components.txt",
                                         fs_root(), task);
    if (rc) return rc;
    char *text = fs_read(path, 256 * 1024, NULL, e);
    if (!text)
        return err_wrap(e, "the offline backend needs the task's reward components "
                        "(tasks/FORMAT.md)");
    int lineno = 0;
    for (char *next = text; next;) {    // line by line, blank ones counted (for lineno)
        char *line = next, *eol = strchr(line, '\n');
        if (eol) *eol = '\0';
        next = eol ? eol + 1 : NULL;
        lineno++;
        while (isspace((unsigned char)*line)) line++;
        size_t l = strlen(line);
        while (l > 0 && isspace((unsigned char)line[l - 1])) line[--l] = '\0';
        if (!*line || *line == '#') continue;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        size_t nl = (size_t)(colon - line);
        while (nl > 0 && isspace((unsigned char)line[nl - 1])) nl--;
        char *expr = colon + 1;
        while (isspace((unsigned char)*expr)) expr++;
        if (!is_ident(line, nl) || nl >= REWARD_NAME_MAX || !*expr || strlen(expr) > OFF_MAX_EXPR) {
            int too_long = is_ident(line, nl) && nl < REWARD_NAME_MAX && *expr;
            int rc = too_long
                ? err_set(e, ERR_PARSE, "%s:%d: component '%.*s' is %zu characters long: shorten "
                          "its expression to at most %d", path, lineno, (int)nl, line,
                          strlen(expr), OFF_MAX_EXPR)
                : err_set(e, ERR_PARSE, "%s:%d: a line is not `name: C expression` (name a C "
                          "identifier under %d characters)", path, lineno, REWARD_NAME_MAX);
            free(text);
            components_free(cs);
            return rc;
        }
        if (cs->n == OFF_MAX_COMPONENTS) break;
        component *c = &cs->c[cs->n];
        memcpy(c->name, line, nl);
        c->name[nl] = '\0';
        c->expr = strdup(expr);
        if (!c->expr) { free(text); components_free(cs); return err_set(e, ERR_NOMEM, "out of memory"); }
        cs->n++;
    }
    free(text);
    if (cs->n == 0) return err_set(e, ERR_PARSE, "%s lists no components", path);
    return ERR_OK;
}

// ---- the program as lines -------------------------------------------------------------

typedef struct line {
    char *text;             // the whole line (owned)
    int is_term;            // matches `X += term(T, "name", EXPR);`
    size_t prefix_len;      // text[0..prefix_len) = `    r += term(t, "`
    char name[REWARD_NAME_MAX];
    char *expr;             // owned copy of EXPR (is_term only)
} line;

typedef struct program {
    line l[OFF_MAX_LINES];
    int n;
} program;

static void program_free(program *p) {
    for (int i = 0; i < p->n; i++) { free(p->l[i].text); free(p->l[i].expr); }
    p->n = 0;
}

// Recognise the canonical term line; fills prefix_len, name and expr.
static void parse_term(line *ln) {
    const char *s = ln->text, *p = s;
    while (*p == ' ' || *p == '\t') p++;
    const char *id = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    if (!is_ident(id, (size_t)(p - id))) return;
    while (*p == ' ') p++;
    if (strncmp(p, "+=", 2)) return;
    p += 2;
    while (*p == ' ') p++;
    if (strncmp(p, "term(", 5)) return;
    p += 5;
    while (*p == ' ') p++;
    id = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    if (!is_ident(id, (size_t)(p - id))) return;
    while (*p == ' ') p++;
    if (*p++ != ',') return;
    while (*p == ' ') p++;
    if (*p++ != '"') return;
    size_t prefix = (size_t)(p - s);
    const char *nm = p;
    while (*p && *p != '"') p++;
    if (*p != '"' || !is_ident(nm, (size_t)(p - nm)) || (size_t)(p - nm) >= REWARD_NAME_MAX) return;
    size_t nlen = (size_t)(p - nm);
    p++;
    while (*p == ' ') p++;
    if (*p++ != ',') return;
    while (*p == ' ') p++;
    const char *ex = p;
    const char *end = s + strlen(s);
    while (end > ex && isspace((unsigned char)end[-1])) end--;
    if (end - ex < 3 || end[-1] != ';' || end[-2] != ')') return;
    end -= 2;
    while (end > ex && isspace((unsigned char)end[-1])) end--;
    // The expression must be balanced and hold no string or comment.
    int depth = 0;
    for (const char *q = ex; q < end; q++) {
        if (*q == '(') depth++;
        else if (*q == ')' && --depth < 0) return;
        else if (*q == '"' || *q == '\'' || (*q == '/' && (q[1] == '/' || q[1] == '*'))) return;
    }
    if (depth != 0 || end == ex) return;
    ln->expr = malloc((size_t)(end - ex) + 1);
    if (!ln->expr) return;
    memcpy(ln->expr, ex, (size_t)(end - ex));
    ln->expr[end - ex] = '\0';
    memcpy(ln->name, nm, nlen);
    ln->name[nlen] = '\0';
    ln->prefix_len = prefix;
    ln->is_term = 1;
}

static int program_parse(const char *code, program *p) {
    p->n = 0;
    const char *s = code;
    while (*s) {
        if (p->n == OFF_MAX_LINES) return -1;
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        line *ln = &p->l[p->n];
        memset(ln, 0, sizeof *ln);
        ln->text = malloc(len + 1);
        if (!ln->text) return -1;
        memcpy(ln->text, s, len);
        ln->text[len] = '\0';
        p->n++;
        parse_term(ln);
        s = nl ? nl + 1 : s + len;
    }
    return 0;
}

static int count_terms(const program *p) {
    int n = 0;
    for (int i = 0; i < p->n; i++) n += p->l[i].is_term;
    return n;
}

// Index of the j-th term line.
static int term_index(const program *p, int j) {
    for (int i = 0; i < p->n; i++)
        if (p->l[i].is_term && j-- == 0) return i;
    return -1;
}

static int has_term(const program *p, const char *name) {
    for (int i = 0; i < p->n; i++)
        if (p->l[i].is_term && strcmp(p->l[i].name, name) == 0) return 1;
    return 0;
}

// Rewrite a term line from its prefix and a new expression.
static int set_expr(line *ln, const char *expr) {
    size_t n = ln->prefix_len + strlen(ln->name) + strlen(expr) + 8;
    char *t = malloc(n);
    char *x = strdup(expr);
    if (!t || !x) { free(t); free(x); return -1; }
    snprintf(t, n, "%.*s%s\", %s);", (int)ln->prefix_len, ln->text, ln->name, expr);
    free(ln->text);
    free(ln->expr);
    ln->text = t;
    ln->expr = x;
    return 0;
}

// A double literal that reads like one a person would write.
static void fmt_const(char *buf, size_t n, double v) {
    snprintf(buf, n, "%.3g", v);
    if (!strpbrk(buf, ".en")) {
        size_t l = strlen(buf);
        if (l + 2 < n) memcpy(buf + l, ".0", 3);
    }
}

// Floating literals of expr outside [] (indices stay integers): start offsets, lengths.
static int find_constants(const char *expr, int *at, int *len, int max) {
    int n = 0, bracket = 0;
    for (const char *p = expr; *p;) {
        if (*p == '[') { bracket++; p++; continue; }
        if (*p == ']') { bracket--; p++; continue; }
        if (isalpha((unsigned char)*p) || *p == '_') {
            while (isalnum((unsigned char)*p) || *p == '_') p++;
            continue;
        }
        if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
            const char *st = p;
            int fl = 0;
            while (isdigit((unsigned char)*p)) p++;
            if (*p == '.') { fl = 1; p++; while (isdigit((unsigned char)*p)) p++; }
            if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
                ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
                fl = 1;
                p += 2;
                while (isdigit((unsigned char)*p)) p++;
            }
            int suffix = isalnum((unsigned char)*p) || *p == '_' || *p == '.';
            while (isalnum((unsigned char)*p) || *p == '_' || *p == '.') p++;
            if (fl && !suffix && bracket == 0 && strtod(st, NULL) != 0.0 && n < max) {
                at[n] = (int)(st - expr);
                len[n] = (int)(p - st);
                n++;
            }
            continue;
        }
        p++;
    }
    return n;
}

// A factor in [0.3, 3], log-uniform, away from 1 so that the change matters.
static double pick_factor(rng *r) {
    double f;
    do f = exp(rng_range(r, log(0.3), log(3.0)));
    while (f > 1.0 / 1.25 && f < 1.25);
    return f;
}

static int mutate_rescale(program *p, rng *r, buf *why) {
    int nt = count_terms(p);
    // Prefer a term that has a constant; else weight a whole term.
    int start = (int)rng_below(r, (uint64_t)nt);
    for (int j = 0; j < nt; j++) {
        line *ln = &p->l[term_index(p, (start + j) % nt)];
        int at[32], len[32];
        int nc = find_constants(ln->expr, at, len, 32);
        if (nc == 0) continue;
        int c = (int)rng_below(r, (uint64_t)nc);
        char old[64], nv[64];
        snprintf(old, sizeof old, "%.*s", len[c], ln->expr + at[c]);
        double f = pick_factor(r);
        fmt_const(nv, sizeof nv, strtod(old, NULL) * f);
        size_t el = strlen(ln->expr);
        char *x = malloc(el + strlen(nv) + 1);
        if (!x) return -1;
        snprintf(x, el + strlen(nv) + 1, "%.*s%s%s", at[c], ln->expr, nv,
                 ln->expr + at[c] + len[c]);
        int rc = set_expr(ln, x);
        free(x);
        if (rc) return -1;
        buf_printf(why, "rescaled the constant %s in `%s` by x%.3g (%s -> %s).", old, ln->name, f,
               old, nv);
        return 0;
    }
    line *ln = &p->l[term_index(p, start)];
    double f = pick_factor(r);
    char w[64];
    fmt_const(w, sizeof w, f);
    size_t n = strlen(ln->expr) + 80;
    char *x = malloc(n);
    if (!x) return -1;
    snprintf(x, n, "%s * (%s)", w, ln->expr);
    int rc = set_expr(ln, x);
    free(x);
    if (rc) return -1;
    buf_printf(why, "rescaled the term `%s` by x%s.", ln->name, w);
    return 0;
}

static int mutate_form(program *p, rng *r, buf *why) {
    int nt = count_terms(p), start = (int)rng_below(r, (uint64_t)nt);
    line *ln = NULL;
    for (int j = 0; j < nt && !ln; j++) {
        line *c = &p->l[term_index(p, (start + j) % nt)];
        if (strlen(c->expr) * 2 + 80 < OFF_MAX_EXPR) ln = c;
    }
    if (!ln) return 1;      // every term is long already: let another mutation run
    const char *x = ln->expr;
    // A leading minus marks a penalty: the new forms keep "higher is better".
    int penalty = x[0] == '-';
    char k[32], out[OFF_MAX_EXPR + 1];
    int form = (int)rng_below(r, 4);
    switch (form) {
    case 0:
        fmt_const(k, sizeof k, exp(rng_range(r, log(0.5), log(10.0))));
        if (penalty) {
            snprintf(out, sizeof out, "exp(-%s * fabs(%s))", k, x);
            buf_printf(why, "changed the form of the penalty `%s`: p -> exp(-%s*|p|), a bounded "
                   "bonus.", ln->name, k);
        } else {
            snprintf(out, sizeof out, "copysign(1.0 - exp(-%s * fabs(%s)), %s)", k, x, x);
            buf_printf(why, "changed the form of `%s`: x -> sign(x)*(1 - exp(-%s*|x|)), "
                   "saturating.", ln->name, k);
        }
        break;
    case 1:
        fmt_const(k, sizeof k, exp(rng_range(r, log(0.02), log(0.5))));
        if (penalty) {
            snprintf(out, sizeof out, "1.0 / (fabs(%s) + %s)", x, k);
            buf_printf(why, "changed the form of the penalty `%s`: p -> 1/(|p| + %s), an inverse "
                   "bonus.", ln->name, k);
        } else {
            snprintf(out, sizeof out, "(%s) / (fabs(%s) + %s)", x, x, k);
            buf_printf(why, "changed the form of `%s`: x -> x/(|x| + %s), saturating.", ln->name, k);
        }
        break;
    case 2:
        fmt_const(k, sizeof k, exp(rng_range(r, log(0.2), log(5.0))));
        snprintf(out, sizeof out, "clamp(%s, -%s, %s)", x, k, k);
        buf_printf(why, "clipped `%s` to [-%s, %s].", ln->name, k, k);
        break;
    default:
        snprintf(out, sizeof out, "copysign(square(%s), %s)", x, x);
        buf_printf(why, "changed the form of `%s`: x -> x*|x|, the signed square.", ln->name);
        break;
    }
    return set_expr(ln, out) ? -1 : 0;
}

// Insert `prefix"name", expr);` after the last term line (prefix copied from it).
static int insert_term(program *p, int after, const char *prefix, size_t plen,
                       const component *c) {
    if (p->n == OFF_MAX_LINES) return 1;
    size_t n = plen + strlen(c->name) + strlen(c->expr) + 8;
    line ln;
    memset(&ln, 0, sizeof ln);
    ln.text = malloc(n);
    ln.expr = strdup(c->expr);
    if (!ln.text || !ln.expr) { free(ln.text); free(ln.expr); return -1; }
    snprintf(ln.text, n, "%.*s%s\", %s);", (int)plen, prefix, c->name, c->expr);
    ln.is_term = 1;
    ln.prefix_len = plen;
    snprintf(ln.name, sizeof ln.name, "%s", c->name);
    memmove(&p->l[after + 2], &p->l[after + 1], (size_t)(p->n - after - 1) * sizeof(line));
    p->l[after + 1] = ln;
    p->n++;
    return 0;
}

static int mutate_add(program *p, const components *cs, rng *r, buf *why) {
    if (!cs || count_terms(p) >= REWARD_MAX_TERMS) return 1;
    int avail[OFF_MAX_COMPONENTS], na = 0;
    for (int i = 0; i < cs->n; i++)
        if (!has_term(p, cs->c[i].name)) avail[na++] = i;
    if (na == 0) return 1;
    const component *c = &cs->c[avail[rng_below(r, (uint64_t)na)]];
    int last = term_index(p, count_terms(p) - 1);
    int rc = insert_term(p, last, p->l[last].text, p->l[last].prefix_len, c);
    if (rc) return rc;
    buf_printf(why, "added the term `%s` = %s from the task's components.", c->name, c->expr);
    return 0;
}

static int mutate_drop(program *p, rng *r, buf *why) {
    int nt = count_terms(p);
    if (nt < 2) return 1;
    int i = term_index(p, (int)rng_below(r, (uint64_t)nt));
    buf_printf(why, "dropped the term `%s`.", p->l[i].name);
    free(p->l[i].text);
    free(p->l[i].expr);
    memmove(&p->l[i], &p->l[i + 1], (size_t)(p->n - i - 1) * sizeof(line));
    p->n--;
    return 0;
}

// A fresh program of 2-4 distinct components (the first iteration has no parent).
static int random_program(const components *cs, rng *r, buf *out, buf *why) {
    int want = 2 + (int)rng_below(r, 3);
    if (want > cs->n) want = cs->n;
    int idx[OFF_MAX_COMPONENTS];
    for (int i = 0; i < cs->n; i++) idx[i] = i;
    for (int i = 0; i < want; i++) {       // partial Fisher-Yates
        int j = i + (int)rng_below(r, (uint64_t)(cs->n - i));
        int t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    }
    buf_printf(out, "double compute_reward(const env_state *s, reward_terms *t) {\n"
                "    double r = 0.0;\n");
    buf_printf(why, "started from a random program of %d components from the task's list:", want);
    for (int i = 0; i < want; i++) {
        const component *c = &cs->c[idx[i]];
        buf_printf(out, "    r += term(t, \"%s\", %s);\n", c->name, c->expr);
        buf_printf(why, "%s `%s`", i ? "," : "", c->name);
    }
    buf_printf(out, "    return r;\n}\n");
    buf_printf(why, ".");
    return 0;
}

// One reply for sample i.
static int offline_one(const char *parent, const components *cs, const char *cs_err,
                       uint64_t seed, int i, llm_reply *out, err_info *e) {
    rng r;
    rng_seed(&r, seed, (uint64_t)i);
    buf code, why;
    buf_init(&code, OFF_MAX_TEXT);
    buf_init(&why, OFF_MAX_TEXT);
    program p;
    p.n = 0;
    int rc = ERR_OK;
    if (parent) {
        if (program_parse(parent, &p) || count_terms(&p) == 0) {
            program_free(&p);
            parent = NULL;      // not in the canonical layout: start afresh
        }
    }
    if (!parent) {
        if (!cs) { rc = err_set(e, ERR_NOTFOUND, "%s", cs_err); goto done; }
        random_program(cs, &r, &code, &why);
    } else {
        // rescale 35%, functional form 25%, add 20%, drop 20%; an impossible one falls
        // through to the next in this order.
        double u = rng_uniform(&r);
        int first = u < 0.35 ? 0 : u < 0.60 ? 1 : u < 0.80 ? 2 : 3;
        int done = 1;
        for (int j = 0; j < 4 && done == 1; j++) {
            switch ((first + j) % 4) {
            case 0: done = mutate_rescale(&p, &r, &why); break;
            case 1: done = mutate_form(&p, &r, &why); break;
            case 2: done = mutate_add(&p, cs, &r, &why); break;
            default: done = mutate_drop(&p, &r, &why); break;
            }
        }
        if (done < 0) { rc = err_set(e, ERR_NOMEM, "offline mutator: out of memory"); goto done; }
        for (int j = 0; j < p.n; j++) buf_printf(&code, "%s\n", p.l[j].text);
    }
    buf reply;
    buf_init(&reply, OFF_MAX_TEXT);
    buf_printf(&reply, "[eureka offline mutator: a seeded local program mutator, not a language "
                   "model; 0 tokens used]\n\nMutation: %s\n\n```c\n%s```\n",
           why.p ? why.p : "", code.p ? code.p : "");
    if (reply.failed || code.failed || why.failed) {
        buf_free(&reply);
        rc = err_set(e, ERR_LIMIT, "offline mutator: the program grew past %d bytes",
                     OFF_MAX_SOURCE);
        goto done;
    }
    memset(out, 0, sizeof *out);
    out->text = buf_take(&reply);
    snprintf(out->finish, sizeof out->finish, "stop");
done:
    program_free(&p);
    buf_free(&code);
    buf_free(&why);
    return rc;
}

static int offline_sample(llm_client *c, const llm_msg *msgs, int n_msgs, int k, llm_reply *out,
                       int *n_out, err_info *e) {
    *n_out = 0;
    char key[65];
    llm_request_key(msgs, n_msgs, c->o.temperature, k, key);
    uint64_t h = 0;
    for (int i = 0; i < 16; i++)
        h = h << 4 | (uint64_t)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
    uint64_t seed = c->o.seed ^ h;
    // The parent: the code of the last assistant message (the previous best).
    char *parent = NULL;
    for (int i = n_msgs - 1; i >= 0; i--) {
        if (strcmp(msgs[i].role, "assistant") != 0) continue;
        parent = extract_code(msgs[i].content, NULL);
        break;
    }
    components cs;
    err_info ce = {0};
    int have_cs = components_load(c->task, &cs, &ce) == ERR_OK;
    int rc = ERR_OK;
    for (int i = 0; i < k; i++) {
        rc = offline_one(parent, have_cs ? &cs : NULL, ce.msg, seed, i, &out[i], e);
        if (rc) break;
        (*n_out)++;
    }
    if (have_cs) components_free(&cs);
    free(parent);
    if (rc && *n_out > 0) {
        // All or nothing: the mutator fails the same way for every sample.
        for (int i = 0; i < *n_out; i++) { free(out[i].text); out[i].text = NULL; }
        *n_out = 0;
    }
    return rc;
}

// A local mutator: no key, no URL, no network.
static int offline_setup(llm_client *c, err_info *e) {
    c->model = strdup(c->o.model ? c->o.model : "offline");
    if (!c->model) return err_set(e, ERR_NOMEM, "llm client: out of memory");
    return ERR_OK;
}

const llm_backend_ops llm_offline_backend = {"offline", offline_setup, offline_sample, 0};
