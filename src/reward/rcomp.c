// rcomp.c: the reward compiler (see rcomp.h).
//
// Layers, cheapest first:
//  1. rcomp_lint: the candidate as the compiler will read it (rlex: translation phases
//     1-3, then tokens), rejecting what libtcc would accept but a reward must not
//     contain: directives other than #define/#undef/#if.../#error, _Pragma, asm,
//     __attribute__, __builtin_*, token pasting, digraphs, extern variables, mutable
//     globals and static locals, nesting deeper than libtcc survives, oversized or
//     binary sources; friendly messages in the candidate's own line numbers. libtcc then
//     compiles rlex's canonical text, so both read the same directives.
//  2. libtcc, -nostdlib -nostdinc -Werror. A compile needs no file: the prelude and env.h
//     arrive as text, and every host function the code may reach (the prelude's, parsed
//     from the prelude text, and the code generator's helpers) is given with
//     tcc_add_symbol (rt.c). Any other name fails at relocation. So the worker can
//     compile under a filter that forbids opening files, whatever the source says.
//  3. The signature: our prefix declares the compute_reward prototype before the
//     candidate, where the candidate's macros cannot reach it, and nothing of ours
//     follows the candidate. libtcc rejects a definition of another type; after
//     relocation the symbol must be defined and lie in the compiled code.
//  4. W^X (see protect_image): code read + execute, all data read-only, never
//     executable, in a mapping of our own. Calling data faults; so does writing a global
//     the lexer missed, or the code.
// Calling the result belongs to the sandbox (sandbox.c), never to this file.
#include "reward/rcomp.h"

#include <ctype.h>
#include <errno.h>
#include <libtcc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reward/rlex.h"
#include "reward/rt.h"
#include "util/fs.h"
#include "util/suggest.h"

#define SIGNATURE "double compute_reward(const env_state *s, reward_terms *t)"
#define ANCHOR "__eureka_data_anchor"

struct rcomp {
    void *mem;          // our mapping holding the relocated image
    size_t size;
    reward_fn fn;
};

// ---- the prelude: read once; its declarations are the allow-list -----------

#define RCOMP_MAX_SYMS 64

static pthread_mutex_t prelude_lock = PTHREAD_MUTEX_INITIALIZER;
static char *prelude_text;
static err_info prelude_err;
static int prelude_state;  // 0 not loaded, 1 ok, -1 failed

// Non-inline function declarations in the prelude ("double name(" at the start of a
// line), bound through rt_prelude_sym.
static int parse_prelude(const char *text, const rt_sym **syms, int *n, err_info *e) {
    *n = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > 7 && strncmp(p, "double ", 7) == 0) {
            const char *q = p + 7;
            while (*q == ' ' || *q == '*') q++;
            const char *name = q;
            while (isalnum((unsigned char)*q) || *q == '_') q++;
            size_t nl = (size_t)(q - name);
            if (*q == '(' && nl > 0) {
                const rt_sym *found = rt_prelude_sym(name, nl);
                if (!found)
                    return err_set(e, ERR_INTERNAL, "src/reward/prelude.h declares '%.*s', which eureka cannot "
                                   "bind: add it to prelude_syms in src/reward/rt.c", (int)nl, name);
                if (*n >= RCOMP_MAX_SYMS)
                    return err_set(e, ERR_LIMIT, "src/reward/prelude.h declares more than %d functions", RCOMP_MAX_SYMS);
                syms[(*n)++] = found;
            }
        }
        if (!eol) break;
        p = eol + 1;
    }
    return ERR_OK;
}

static pthread_mutex_t tcc_lock = PTHREAD_MUTEX_INITIALIZER;  // libtcc 0.9.27 has global state

// Workers compile right after fork(): never let them inherit a lock held by another
// thread of the parent.
static void locks_prepare(void) { pthread_mutex_lock(&prelude_lock); pthread_mutex_lock(&tcc_lock); }
static void locks_release(void) { pthread_mutex_unlock(&tcc_lock); pthread_mutex_unlock(&prelude_lock); }
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void install_atfork(void) { pthread_atfork(locks_prepare, locks_release, locks_release); }

const char *rcomp_prelude(err_info *e) {
    pthread_once(&atfork_once, install_atfork);
    pthread_mutex_lock(&prelude_lock);
    if (prelude_state == 0) {
        char path[4096];
        err_info le = {0};
        const rt_sym *syms[RCOMP_MAX_SYMS];
        int n;
        if (fs_path(path, sizeof path, &le, "%s/src/reward/prelude.h", fs_root()) == ERR_OK) {
            prelude_text = fs_read(path, 256 * 1024, NULL, &le);
            if (prelude_text && parse_prelude(prelude_text, syms, &n, &le) != ERR_OK) {
                free(prelude_text);
                prelude_text = NULL;
            }
        }
        if (prelude_text) {
            prelude_state = 1;
        } else {
            prelude_state = -1;
            prelude_err = le;
            if (le.code == ERR_NOTFOUND)
                err_set(&prelude_err, ERR_NOTFOUND, "%s (set EUREKA_ROOT to the eureka source tree)", le.msg);
        }
    }
    const char *r = prelude_text;
    if (!r && e) *e = prelude_err;
    pthread_mutex_unlock(&prelude_lock);
    return r;
}

// ---- lexical checks ---------------------------------------------------------

// Directives a reward may use. Everything else (#include, #pragma, #line, #embed,
// #import, #ident, # 12 "file" line markers, ...) is rejected.
static const char *allowed_directives[] = {"define", "undef", "if", "ifdef", "ifndef", "elif",
                                           "else", "endif", "error"};

// Names of ours, or of the linker, that the candidate must not define or reach.
static int is_reserved(const rlex_tok *t) {
    return (t->len >= 8 && strncmp(t->s, "__eureka", 8) == 0) || rlex_is(t, "_etext") || rlex_is(t, "_edata") ||
           rlex_is(t, "_end");
}

static int check_directive(const rlex *lx, int i, int *if_depth, err_info *e) {
    const rlex_tok *t = &lx->toks[i];
    const rlex_tok *d = i + 1 < lx->ntok && lx->toks[i + 1].directive && !lx->toks[i + 1].dstart ? &lx->toks[i + 1] : NULL;
    if (!d) return ERR_OK;  // the null directive
    if (rlex_is(d, "include") || rlex_is(d, "include_next") || rlex_is(d, "import") || rlex_is(d, "embed"))
        return err_set(e, ERR_COMPILE, "reward.c:%d: #%.*s is not allowed: rewards cannot include files; "
                       "everything they may use is already declared (see the prelude)", t->line, d->len, d->s);
    if (rlex_is(d, "pragma"))
        return err_set(e, ERR_COMPILE, "reward.c:%d: #pragma is not allowed in rewards; remove it", t->line);
    if (rlex_is(d, "line"))
        return err_set(e, ERR_COMPILE, "reward.c:%d: the directive '#line' is not allowed in rewards: it would "
                       "make messages point at the wrong place; remove it", t->line);
    int ok = 0;
    for (size_t k = 0; d->kind == 'i' && k < sizeof allowed_directives / sizeof allowed_directives[0]; k++)
        ok |= rlex_is(d, allowed_directives[k]);
    if (!ok)
        return err_set(e, ERR_COMPILE, "reward.c:%d: the directive '#%.*s' is not allowed in rewards "
                       "(only #define, #undef and #if/#ifdef/#else/#endif)", t->line, d->len, d->s);
    if (rlex_is(d, "if") || rlex_is(d, "ifdef") || rlex_is(d, "ifndef")) {
        if (++*if_depth > RCOMP_MAX_IF_NESTING)
            return err_set(e, ERR_COMPILE, "reward.c:%d: #if blocks nested more than %d deep; flatten the "
                           "conditions", t->line, RCOMP_MAX_IF_NESTING);
    } else if (rlex_is(d, "endif") && *if_depth > 0) {
        --*if_depth;
    }
    return ERR_OK;
}

static int check_tokens(const rlex *lx, err_info *e) {
    int depth = 0, if_depth = 0;
    for (int i = 0; i < lx->ntok; i++) {
        const rlex_tok *t = &lx->toks[i];
        if (t->kind == 'p') {
            if (rlex_is(t, "%:") || rlex_is(t, "<:") || rlex_is(t, ":>") || rlex_is(t, "<%") || rlex_is(t, "%>"))
                return err_set(e, ERR_COMPILE, "reward.c:%d: digraphs ('%.*s') are not allowed; write plain C",
                               t->line, t->len, t->s);
            if (rlex_is(t, "##"))
                return err_set(e, ERR_COMPILE, "reward.c:%d: token pasting (##) is not allowed in rewards; write "
                               "the names out", t->line);
            if (t->dstart && check_directive(lx, i, &if_depth, e) != ERR_OK) return e ? e->code : ERR_COMPILE;
            if (rlex_is(t, "(") || rlex_is(t, "[") || rlex_is(t, "{")) {
                if (++depth > RCOMP_MAX_NESTING)
                    return err_set(e, ERR_COMPILE, "reward.c:%d: brackets nested more than %d deep; split the "
                                   "expression or the function", t->line, RCOMP_MAX_NESTING);
            } else if ((rlex_is(t, ")") || rlex_is(t, "]") || rlex_is(t, "}")) && depth > 0) {
                depth--;
            }
            continue;
        }
        if (t->kind != 'i') continue;
        if (rlex_is(t, "_Pragma"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: _Pragma is not allowed in rewards; remove it", t->line);
        if (rlex_is(t, "asm") || rlex_is(t, "__asm") || rlex_is(t, "__asm__"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: '%.*s' is not allowed: rewards may not use inline assembly",
                           t->line, t->len, t->s);
        if (rlex_is(t, "__attribute__") || rlex_is(t, "__attribute"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: __attribute__ is not allowed in rewards; remove it", t->line);
        if (t->len > 9 && strncmp(t->s, "__builtin", 9) == 0)
            return err_set(e, ERR_COMPILE, "reward.c:%d: '%.*s' is not available to rewards (only the prelude's functions)",
                           t->line, t->len, t->s);
        if (is_reserved(t))
            return err_set(e, ERR_COMPILE, "reward.c:%d: the name '%.*s' is reserved for eureka and the linker; "
                           "rename it", t->line, t->len, t->s);
    }
    return ERR_OK;
}

// The declared name in tokens [a, b): the last identifier before '=', '[', ',' or ';'
// at the outer level (skipping parenthesised parameter lists).
static const rlex_tok *decl_name(const rlex_tok *ts, int a, int b) {
    const rlex_tok *name = NULL;
    int depth = 0;
    for (int i = a; i < b; i++) {
        const rlex_tok *t = &ts[i];
        if (t->kind == 'p' && rlex_is(t, "{")) {  // a struct body: not the declarator
            int bd = 0;
            for (; i < b; i++) {
                if (ts[i].kind != 'p') continue;
                if (rlex_is(&ts[i], "{")) bd++;
                else if (rlex_is(&ts[i], "}") && --bd == 0) break;
            }
            continue;
        }
        if (t->kind == 'p' && rlex_is(t, "(")) depth++;
        else if (t->kind == 'p' && rlex_is(t, ")")) depth--;
        else if (depth == 0 && t->kind == 'p' && (rlex_is(t, "[") || rlex_is(t, "=") || rlex_is(t, ",") || rlex_is(t, ";")))
            break;
        else if (t->kind == 'i' && (depth == 0 || (i > a && rlex_is(&ts[i - 1], "*")))) name = t;
    }
    return name;
}

// 1 if the declaration in tokens [a, b) is read-only: without pointers, 'const'
// somewhere in the specifiers; with pointers, 'const' right after the last '*'.
static int decl_is_const(const rlex_tok *ts, int a, int b) {
    int depth = 0, has_const = 0, last_star = -1;
    for (int i = a; i < b; i++) {
        const rlex_tok *t = &ts[i];
        if (t->kind == 'p' && (rlex_is(t, "(") || rlex_is(t, "[") || rlex_is(t, "{"))) {
            if (depth == 0 && rlex_is(t, "{")) { depth++; continue; }
            depth++;
        } else if (t->kind == 'p' && (rlex_is(t, ")") || rlex_is(t, "]") || rlex_is(t, "}"))) depth--;
        else if (t->kind == 'p' && rlex_is(t, "=") && depth == 0) break;
        else if (t->kind == 'i' && rlex_is(t, "const") && depth == 0) has_const = 1;
        else if (t->kind == 'p' && rlex_is(t, "*") && depth <= 1) last_star = i;
    }
    if (last_star >= 0) return last_star + 1 < b && ts[last_star + 1].kind == 'i' && rlex_is(&ts[last_star + 1], "const");
    return has_const;
}

typedef enum decl_kind { DECL_OBJECT, DECL_PROTOTYPE, DECL_TYPE } decl_kind;

// What the declaration in tokens [a, b) declares: a function (the first '(' at the
// outer level follows a name and is not '(*'), only a struct/union/enum type, or objects.
static decl_kind decl_kind_of(const rlex_tok *ts, int a, int b) {
    for (int k = a; k < b; k++) {
        const rlex_tok *t = &ts[k];
        if (t->directive || t->kind != 'p') continue;
        if (rlex_is(t, "=") || rlex_is(t, "[")) break;
        if (rlex_is(t, "("))
            return k > a && ts[k - 1].kind == 'i' && !(k + 1 < b && rlex_is(&ts[k + 1], "*")) ? DECL_PROTOTYPE
                                                                                                : DECL_OBJECT;
        if (rlex_is(t, "{")) {
            // struct/union/enum body: a type definition when nothing follows it.
            int bd = 0, k2 = k;
            for (; k2 < b; k2++) {
                if (ts[k2].kind != 'p') continue;
                if (rlex_is(&ts[k2], "{")) bd++;
                else if (rlex_is(&ts[k2], "}") && --bd == 0) break;
            }
            return k2 + 1 >= b ? DECL_TYPE : DECL_OBJECT;
        }
    }
    return DECL_OBJECT;
}

static int has_token(const rlex_tok *ts, int a, int b, const char *s) {
    for (int k = a; k < b; k++)
        if (!ts[k].directive && ts[k].kind == 'i' && rlex_is(&ts[k], s)) return 1;
    return 0;
}

static int extern_error(const rlex_tok *ts, int a, int b, int line, err_info *e) {
    const rlex_tok *nm = decl_name(ts, a, b);
    return err_set(e, ERR_COMPILE, "reward.c:%d: 'extern' variable '%.*s': rewards cannot use the host "
                   "program's variables (only the prelude's functions and their own constants); remove it",
                   line, nm ? nm->len : 1, nm ? nm->s : "?");
}

// The end of the declaration starting at token i: its ';' at the outer level, or n.
static int decl_end(const rlex_tok *ts, int i, int n) {
    int d = 0;
    for (; i < n; i++) {
        if (ts[i].kind != 'p') continue;
        if (rlex_is(&ts[i], "(") || rlex_is(&ts[i], "[") || rlex_is(&ts[i], "{")) d++;
        else if (rlex_is(&ts[i], ")") || rlex_is(&ts[i], "]") || rlex_is(&ts[i], "}")) d--;
        else if (rlex_is(&ts[i], ";") && d == 0) break;
    }
    return i;
}

// File-scope declarations must be types, prototypes or constants; static locals must
// be constants; no variable may be extern: a reward is a pure function of its state.
static int check_state(const rlex *lx, err_info *e) {
    const rlex_tok *ts = lx->toks;
    int n = lx->ntok;
    int i = 0;
    while (i < n) {
        if (ts[i].directive) { i++; continue; }
        // One file-scope statement: [start, i) up to ';' or a function body.
        int start = i, depth = 0, body = -1;
        for (; i < n; i++) {
            const rlex_tok *t = &ts[i];
            if (t->directive) continue;
            if (t->kind != 'p') continue;
            if (rlex_is(t, "(") || rlex_is(t, "[")) depth++;
            else if (rlex_is(t, ")") || rlex_is(t, "]")) depth--;
            else if (rlex_is(t, "{")) {
                int prev = i - 1;
                while (prev >= start && ts[prev].directive) prev--;
                if (depth == 0 && prev >= start && ts[prev].kind == 'p' && rlex_is(&ts[prev], ")")) { body = i; break; }
                depth++;
            } else if (rlex_is(t, "}")) depth--;
            else if (rlex_is(t, ";") && depth == 0) break;
        }
        int end = i;  // ';' or '{' of a body, or n
        if (body >= 0) {
            // Function body: look for static locals and extern variables, skip to the matching brace.
            int bd = 0;
            for (; i < n; i++) {
                const rlex_tok *t = &ts[i];
                if (t->directive) continue;
                if (t->kind == 'p' && rlex_is(t, "{")) bd++;
                else if (t->kind == 'p' && rlex_is(t, "}")) { if (--bd == 0) break; }
                else if (t->kind == 'i' && rlex_is(t, "static")) {
                    int j = decl_end(ts, i + 1, n);
                    if (!decl_is_const(ts, i + 1, j)) {
                        const rlex_tok *nm = decl_name(ts, i + 1, j);
                        return err_set(e, ERR_COMPILE, "reward.c:%d: static local '%.*s' keeps state between calls; "
                                       "a reward must be a pure function of its state: drop 'static' (or make it const)",
                                       t->line, nm ? nm->len : 1, nm ? nm->s : "?");
                    }
                } else if (t->kind == 'i' && rlex_is(t, "extern")) {
                    int j = decl_end(ts, i + 1, n);
                    if (decl_kind_of(ts, i + 1, j) != DECL_PROTOTYPE) return extern_error(ts, i + 1, j, t->line, e);
                }
            }
            i++;
            continue;
        }
        i = end + 1;
        if (end <= start) continue;  // empty statement
        const rlex_tok *first = NULL;
        for (int k = start; k < end; k++) if (!ts[k].directive) { first = &ts[k]; break; }
        if (!first) continue;
        if (first->kind == 'i' && rlex_is(first, "typedef")) continue;
        decl_kind kind = decl_kind_of(ts, start, end);
        if (kind == DECL_OBJECT && has_token(ts, start, end, "extern"))
            return extern_error(ts, start, end, first->line, e);
        if (kind != DECL_OBJECT) continue;
        if (first->kind == 'p') continue;  // stray tokens: the compiler will say what is wrong
        if (!decl_is_const(ts, start, end)) {
            const rlex_tok *nm = decl_name(ts, start, end);
            return err_set(e, ERR_COMPILE, "reward.c:%d: global variable '%.*s' is mutable; rewards keep no state "
                           "between calls: move it into compute_reward or make it 'static const'",
                           first->line, nm ? nm->len : 1, nm ? nm->s : "?");
        }
    }
    return ERR_OK;
}

// All lexical checks; on success lx holds the canonical text the compiler gets.
static int lint(const char *src, size_t len, rlex *lx, err_info *e) {
    memset(lx, 0, sizeof *lx);
    if (!src || len == 0) return err_set(e, ERR_COMPILE, "reward.c is empty: send C code that defines " SIGNATURE);
    if (len > RCOMP_MAX_SOURCE)
        return err_set(e, ERR_COMPILE, "reward.c is %zu bytes, over the %d-byte limit: write a shorter reward",
                       len, RCOMP_MAX_SOURCE);
    const char *nul = memchr(src, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *p = src; p < nul; p++) line += *p == '\n';
        return err_set(e, ERR_COMPILE, "reward.c:%d: contains a NUL byte; send plain C source text", line);
    }
    int blank = 1;
    for (size_t i = 0; i < len && blank; i++) blank = isspace((unsigned char)src[i]) != 0;
    if (blank) return err_set(e, ERR_COMPILE, "reward.c is empty: send C code that defines " SIGNATURE);
    int rc = rlex_run(lx, src, len, e);
    if (rc == ERR_OK) rc = check_tokens(lx, e);
    if (rc == ERR_OK) rc = check_state(lx, e);
    return rc;
}

int rcomp_lint_n(const char *src, size_t len, err_info *e) {
    rlex lx;
    int rc = lint(src, len, &lx, e);
    rlex_free(&lx);
    return rc;
}

int rcomp_lint(const char *candidate, err_info *e) {
    size_t len = candidate ? strnlen(candidate, RCOMP_MAX_SOURCE + 1) : 0;
    return rcomp_lint_n(candidate, len, e);
}

// ---- compiling --------------------------------------------------------------

typedef struct diag {
    char first[ERR_MSG_MAX];
    int n;
} diag;

static void on_tcc_error(void *opaque, const char *msg) {
    diag *d = opaque;
    if (d->n++ == 0) snprintf(d->first, sizeof d->first, "%s", msg);
}

// The first line of code (not comments or strings) that uses identifier name; 0 if none.
static int find_ident_line(const rlex *lx, const char *name) {
    for (int i = 0; i < lx->ntok; i++)
        if (lx->toks[i].kind == 'i' && rlex_is(&lx->toks[i], name)) return lx->toks[i].line;
    return 0;
}

// The first 'quoted' name in m, into name (empty if none).
static void quoted_name(const char *m, char *name, size_t cap) {
    const char *q = strchr(m, '\'');
    size_t k = 0;
    if (q)
        for (q++; *q && *q != '\'' && k + 1 < cap; q++) name[k++] = *q;
    name[k] = '\0';
}

// What a diagnostic is explained against: the candidate's tokens, and the texts in front
// of it, whose names a mistyped one is compared with.
typedef struct explain_ctx {
    const rlex *lx;
    const char *prelude, *env_h;
} explain_ctx;

// A name declared as a function: followed by '(' (prelude.h declares nothing else so).
static int is_function(const char *ident, size_t len, const char *after, void *ctx) {
    (void)ident; (void)len; (void)ctx;
    while (*after == ' ') after++;
    return *after == '(';
}

// A name declared as a field of env.h: followed by ';' or '['.
static int is_field(const char *ident, size_t len, const char *after, void *ctx) {
    (void)ident; (void)len; (void)ctx;
    while (*after == ' ') after++;
    return *after == ';' || *after == '[';
}

// "; did you mean 'x'?" when names near word exist in text, else "".
static const char *did_you_mean(const char *word, const char *text,
                                int (*keep)(const char *, size_t, const char *, void *), char *buf, size_t n) {
    char near[80];
    suggest_ident(word, text, keep, NULL, near, sizeof near);
    if (near[0]) snprintf(buf, n, "; did you mean '%s'?", near);
    else buf[0] = '\0';
    return buf;
}

static int not_available(const explain_ctx *x, const char *name, const char *where, err_info *e) {
    int line = find_ident_line(x->lx, name);
    char hint[128];
    did_you_mean(name, x->prelude, is_function, hint, sizeof hint);
    if (where && where[0])
        return err_set(e, ERR_COMPILE, "%s: '%s' is not available to rewards (only the prelude's functions: see "
                       "src/reward/prelude.h%s)", where, name, hint);
    if (line > 0)
        return err_set(e, ERR_COMPILE, "reward.c:%d: '%s' is not available to rewards (only the prelude's "
                       "functions: see src/reward/prelude.h%s)", line, name, hint);
    return err_set(e, ERR_COMPILE, "'%s' is not available to rewards (only the prelude's functions: see "
                   "src/reward/prelude.h%s)", name, hint);
}

// libtcc's "field not found: x" in words, with the nearest field of env.h.
static int not_a_field(const explain_ctx *x, const char *where, const char *field, err_info *e) {
    char name[64], hint[128];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(field, " "), field);
    did_you_mean(name, x->env_h, is_field, hint, sizeof hint);
    return err_set(e, ERR_COMPILE, "%s: '%s' is not a field of env_state (the fields are in the task's env.h%s)",
                   where, name, hint);
}

// Turn libtcc's first diagnostic into our one-line message, in the candidate's lines.
static int explain(const char *m, const explain_ctx *x, err_info *e) {
    char name[64];
    quoted_name(m, name, sizeof name);
    if (strstr(m, "undefined symbol '")) {
        if (strcmp(name, "compute_reward") == 0)
            return err_set(e, ERR_COMPILE, "reward.c defines no compute_reward; it must define: " SIGNATURE);
        return not_available(x, name, NULL, e);
    }
    // "FILE:LINE: error: TEXT" (or warning); "tcc: error: TEXT".
    char where[64] = "reward.c";
    const char *text = m;
    const char *er = strstr(m, ": error: "), *wa = strstr(m, ": warning: ");
    const char *cut = er ? er : wa;
    if (cut) {
        text = cut + (er ? 9 : 11);
        if (strncmp(m, "reward.c:", 9) == 0 && cut - m < (long)sizeof where)
            snprintf(where, sizeof where, "%.*s", (int)(cut - m), m);
    }
    // A location outside the candidate (our prefix, prelude.h, env.h, or none) is never
    // shown: the candidate caused it, so name the candidate's line that uses the name.
    if (strncmp(m, "reward.c:", 9) != 0 && name[0]) {
        int line = find_ident_line(x->lx, name);
        if (line > 0) snprintf(where, sizeof where, "reward.c:%d", line);
    }
    if (strstr(text, "incompatible types for redefinition of 'compute_reward'"))
        return err_set(e, ERR_COMPILE, "%s: compute_reward must be: " SIGNATURE, where);
    if (strstr(text, "static storage ignored for redefinition of 'compute_reward'"))
        return err_set(e, ERR_COMPILE, "%s: compute_reward must not be static; it must be: " SIGNATURE, where);
    if (strstr(text, "implicit declaration of function") && name[0]) return not_available(x, name, where, e);
    if (strncmp(text, "field not found: ", 17) == 0) return not_a_field(x, where, text + 17, e);
    if (strstr(text, "memory full"))
        return err_set(e, ERR_COMPILE, "%s: too complex for the compiler (%s): split the expression or "
                       "declaration", where, text);
    return err_set(e, ERR_COMPILE, "%s: %s", where, text);
}

// Split the image into code (read + execute) and data (read-only, never executable).
//
// How libtcc 0.9.27 (git 2020-08-14, Debian 12) lays out a TCC_OUTPUT_MEMORY image in
// tcc_relocate(s, mem): first every section with SHF_EXECINSTR (.text, .plt), then
// every other allocated section, each group in creation order, the first of each group
// only 64-byte aligned (so code and data would share a page). .data is created by
// tcc_new right after .text, before any other allocated section (.bss, then .got and
// the rest at relocation), so it opens the data group; and this libtcc puts all
// initialised data, const or not, and string literals into .data. Our prefix defines
// ANCHOR in .data with a page alignment, which raises the alignment of .data to a
// page: the data group starts on a page boundary and everything before it is code.
// Checked after every relocation (fail closed): the anchor is page-aligned inside the
// image, and .text (up to libtcc's _etext) and compute_reward lie below it.
static int protect_image(rcomp *c, TCCState *s, err_info *e) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    char *mem = c->mem, *end = mem + c->size;
    char *anchor = tcc_get_symbol(s, ANCHOR);
    char *etext = tcc_get_symbol(s, "_etext");
    char *fn = tcc_get_symbol(s, "compute_reward");
    if (!fn) return err_set(e, ERR_COMPILE, "reward.c defines no compute_reward; it must define: " SIGNATURE);
    if (!anchor || !etext || ((uintptr_t)anchor & (page - 1)) || anchor <= mem || anchor >= end || etext <= mem ||
        etext > anchor)
        return err_set(e, ERR_INTERNAL, "the compiled reward is not laid out as code, then data (has libtcc "
                       "changed?): refusing to run it");
    if (fn < mem || fn >= etext)
        return err_set(e, ERR_COMPILE, "compute_reward is not a function in the compiled code; it must be: " SIGNATURE);
    if (mprotect(mem, (size_t)(anchor - mem), PROT_READ | PROT_EXEC) != 0 ||
        mprotect(anchor, (size_t)(end - anchor), PROT_READ) != 0)
        return err_set(e, ERR_INTERNAL, "cannot protect the compiled reward: %s", strerror(errno));
    c->fn = (reward_fn)(void *)fn;
    return ERR_OK;
}

// Relocate into a mapping of our own and protect it (libtcc's own errors go to its
// error function).
static int place(rcomp *c, TCCState *s, err_info *e) {
    int size = tcc_relocate(s, NULL);
    if (size <= 0) return ERR_COMPILE;
    long page = sysconf(_SC_PAGESIZE);
    c->size = ((size_t)size + (size_t)page - 1) & ~((size_t)page - 1);
    c->mem = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c->mem == MAP_FAILED) {
        c->mem = NULL;
        return err_set(e, ERR_NOMEM, "out of memory for the compiled reward");
    }
    if (tcc_relocate(s, c->mem) < 0) return ERR_COMPILE;
    return protect_image(c, s, e);
}

rcomp *rcomp_new(const char *prelude, const char *env_h, const char *candidate, err_info *e) {
    rlex lx;
    size_t len = candidate ? strnlen(candidate, RCOMP_MAX_SOURCE + 1) : 0;
    if (lint(candidate, len, &lx, e) != ERR_OK) {
        rlex_free(&lx);
        return NULL;
    }
    const rt_sym *syms[RCOMP_MAX_SYMS];
    int nsyms = 0;
    if (!prelude) {
        err_set(e, ERR_INTERNAL, "rcomp_new: no prelude text");
        rlex_free(&lx);
        return NULL;
    }
    if (parse_prelude(prelude, syms, &nsyms, e) != ERR_OK) {
        rlex_free(&lx);
        return NULL;
    }
    if (!env_h) env_h = "";
    // Ours, all before the candidate: the prototype (so the candidate's macros cannot
    // redirect the signature check), the data anchor (protect_image), and `asm` spelled
    // as an undeclared name as a second layer behind the lexer.
    static const char prefix[] =
        "#line 1 \"eureka-prefix\"\n" SIGNATURE ";\n"
        "const char " ANCHOR "[1] __attribute__((aligned(4096))) = {1};\n"
        "#define asm __eureka_asm_is_not_allowed\n"
        "#define __asm __eureka_asm_is_not_allowed\n"
        "#define __asm__ __eureka_asm_is_not_allowed\n"
        "#line 1 \"reward.c\"\n";
    size_t need = strlen(prelude) + strlen(env_h) + sizeof prefix + lx.n + 64;
    char *src = malloc(need);
    rcomp *c = calloc(1, sizeof *c);
    if (!src || !c) {
        free(src);
        free(c);
        rlex_free(&lx);
        err_set(e, ERR_NOMEM, "out of memory compiling the reward");
        return NULL;
    }
    snprintf(src, need, "#line 1 \"prelude.h\"\n%s\n#line 1 \"env.h\"\n%s\n%s%s", prelude, env_h, prefix, lx.text);

    diag d = {{0}, 0};
    err_info pe = {0};
    int rc = ERR_COMPILE;
    pthread_mutex_lock(&tcc_lock);
    TCCState *s = tcc_new();
    if (s) {
        tcc_set_error_func(s, &d, on_tcc_error);
        tcc_set_options(s, "-nostdlib -nostdinc -Werror");
        if (tcc_set_output_type(s, TCC_OUTPUT_MEMORY) == 0 && tcc_compile_string(s, src) == 0) {
            for (int i = 0; i < nsyms; i++) tcc_add_symbol(s, syms[i]->name, syms[i]->addr);
            int nh;
            const rt_sym *h = rt_helpers(&nh);
            for (int i = 0; i < nh; i++) tcc_add_symbol(s, h[i].name, h[i].addr);
            rc = place(c, s, &pe);
        }
        tcc_delete(s);  // the image lives in c->mem, which libtcc does not own
    }
    pthread_mutex_unlock(&tcc_lock);
    free(src);
    if (rc != ERR_OK) {
        if (pe.code != ERR_OK) { if (e) *e = pe; }
        else if (d.n > 0) explain(d.first, &(explain_ctx){&lx, prelude, env_h}, e);
        else err_set(e, ERR_COMPILE, "reward.c: the compiler failed without a message");
        rlex_free(&lx);
        rcomp_free(c);
        return NULL;
    }
    rlex_free(&lx);
    return c;
}

reward_fn rcomp_fn(const rcomp *c) { return c ? c->fn : NULL; }

void rcomp_free(rcomp *c) {
    if (!c) return;
    if (c->mem) munmap(c->mem, c->size);
    free(c);
}
