// rcomp.c: the reward compiler (see rcomp.h).
//
// Three layers, cheapest first:
//  1. a lexical pass over the candidate (rcomp_lint) that rejects what libtcc would
//     accept but a reward must not contain: #include, #pragma, _Pragma, asm, #line,
//     token pasting, mutable globals and static locals, oversized or binary sources;
//  2. libtcc with -nostdlib -nostdinc -Werror, where only the functions the prelude
//     declares (parsed from src/reward/prelude.h, the single source of truth) plus
//     memcpy/memmove/memset resolve, so any other call fails at relocation;
//  3. the compiled image is placed in our own mapping and made read-only + executable
//     after relocation: a global the lexer missed (e.g. hidden in a macro) faults on
//     write instead of carrying state, and the reward cannot patch its own code.
// Calling the result belongs to the sandbox (sandbox.c), never to this file.
#include "reward/rcomp.h"

#include <ctype.h>
#include <libtcc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fs.h"

#ifndef EUREKA_LIBTCC1
#define EUREKA_LIBTCC1 "/usr/lib/x86_64-linux-gnu/tcc/libtcc1.a"
#endif

#define SIGNATURE "double compute_reward(const env_state *s, reward_terms *t)"

struct rcomp {
    void *mem;          // our mapping holding the relocated image (read + exec)
    size_t size;
    reward_fn fn;
};

// ---- the prelude: read once, parsed into the symbol allow-list -------------

typedef struct sym { const char *name; const void *addr; } sym;

// Every function the prelude may declare, with the host address it binds to. A name
// here that the prelude does not declare is NOT given to libtcc.
static const sym known_syms[] = {
    {"term", (const void *)reward_term},
    {"sqrt", (const void *)sqrt}, {"cbrt", (const void *)cbrt}, {"exp", (const void *)exp},
    {"expm1", (const void *)expm1}, {"log", (const void *)log}, {"log1p", (const void *)log1p},
    {"log2", (const void *)log2}, {"log10", (const void *)log10}, {"pow", (const void *)pow},
    {"sin", (const void *)sin}, {"cos", (const void *)cos}, {"tan", (const void *)tan},
    {"asin", (const void *)asin}, {"acos", (const void *)acos}, {"atan", (const void *)atan},
    {"atan2", (const void *)atan2}, {"sinh", (const void *)sinh}, {"cosh", (const void *)cosh},
    {"tanh", (const void *)tanh}, {"fabs", (const void *)fabs}, {"floor", (const void *)floor},
    {"ceil", (const void *)ceil}, {"round", (const void *)round}, {"fmod", (const void *)fmod},
    {"fmin", (const void *)fmin}, {"fmax", (const void *)fmax}, {"hypot", (const void *)hypot},
    {"copysign", (const void *)copysign},
};

#define RCOMP_MAX_SYMS 64

static pthread_mutex_t prelude_lock = PTHREAD_MUTEX_INITIALIZER;
static char *prelude_text;
static size_t prelude_lines;
static sym prelude_syms[RCOMP_MAX_SYMS];
static int n_prelude_syms;
static err_info prelude_err;
static int prelude_state;  // 0 not loaded, 1 ok, -1 failed

// Non-inline function declarations in the prelude: "<type> name(" at the start of a line.
static int parse_prelude(const char *text, err_info *e) {
    n_prelude_syms = 0;
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
                const sym *found = NULL;
                for (size_t i = 0; i < sizeof known_syms / sizeof known_syms[0]; i++)
                    if (strlen(known_syms[i].name) == nl && strncmp(known_syms[i].name, name, nl) == 0)
                        found = &known_syms[i];
                if (!found)
                    return err_set(e, ERR_INTERNAL, "src/reward/prelude.h declares '%.*s', which rcomp.c "
                                   "cannot bind: add it to known_syms in src/rcomp.c", (int)nl, name);
                if (n_prelude_syms >= RCOMP_MAX_SYMS)
                    return err_set(e, ERR_LIMIT, "src/reward/prelude.h declares more than %d functions", RCOMP_MAX_SYMS);
                prelude_syms[n_prelude_syms++] = *found;
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
        if (fs_path(path, sizeof path, &le, "%s/src/reward/prelude.h", fs_root()) == ERR_OK) {
            prelude_text = fs_read(path, 256 * 1024, NULL, &le);
            if (prelude_text && parse_prelude(prelude_text, &le) != ERR_OK) {
                free(prelude_text);
                prelude_text = NULL;
            }
        }
        if (prelude_text) {
            prelude_state = 1;
            prelude_lines = 1;
            for (const char *p = prelude_text; *p; p++) prelude_lines += *p == '\n';
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

typedef struct tok {
    const char *s;
    int len;
    int line;       // in the candidate's own numbering
    char kind;      // 'i' identifier, 'n' number, 's' string/char, 'p' punctuator
    char directive; // part of a preprocessor directive line
    char dstart;    // the '#' that starts a directive
} tok;

typedef struct lexer {
    char *text;     // candidate with backslash-newlines spliced out
    int *line;      // original line of each byte of text
    size_t n;
    tok *toks;
    int ntok;
} lexer;

static void lexer_free(lexer *lx) {
    free(lx->text);
    free(lx->line);
    free(lx->toks);
}

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

static int tok_is(const tok *t, const char *s) {
    return (int)strlen(s) == t->len && strncmp(t->s, s, (size_t)t->len) == 0;
}

static int lex(const char *src, size_t len, lexer *lx, err_info *e) {
    memset(lx, 0, sizeof *lx);
    lx->text = malloc(len + 1);
    lx->line = malloc((len + 1) * sizeof(int));
    lx->toks = malloc((len + 1) * sizeof(tok));
    if (!lx->text || !lx->line || !lx->toks) return err_set(e, ERR_NOMEM, "out of memory checking the reward");
    // Translation phase 2: splice lines so that "#incl\<newline>ude" is seen as #include.
    int ln = 1;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\\' && i + 1 < len && src[i + 1] == '\n') { i++; ln++; continue; }
        if (src[i] == '\\' && i + 2 < len && src[i + 1] == '\r' && src[i + 2] == '\n') { i += 2; ln++; continue; }
        lx->text[lx->n] = src[i];
        lx->line[lx->n] = ln;
        lx->n++;
        if (src[i] == '\n') ln++;
    }
    lx->text[lx->n] = '\0';
    lx->line[lx->n] = ln;

    const char *t = lx->text;
    size_t i = 0, n = lx->n;
    int line_start = 1, in_directive = 0;
    while (i < n) {
        unsigned char c = (unsigned char)t[i];
        int line = lx->line[i];
        if (c == '\n') { line_start = 1; in_directive = 0; i++; continue; }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { i++; continue; }
        if (c == '/' && i + 1 < n && t[i + 1] == '/') {
            while (i < n && t[i] != '\n') i++;
            continue;
        }
        if (c == '/' && i + 1 < n && t[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(t[j] == '*' && t[j + 1] == '/')) j++;
            if (j + 1 >= n) return err_set(e, ERR_COMPILE, "reward.c:%d: unterminated /* comment", line);
            for (size_t k = i; k < j; k++)
                if (t[k] == '\n') { in_directive = 0; }
            i = j + 2;
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            return err_set(e, ERR_COMPILE, "reward.c:%d: byte 0x%02x is not C source text; send plain C", line, c);
        if (c >= 0x80)
            return err_set(e, ERR_COMPILE, "reward.c:%d: non-ASCII byte 0x%02x outside a comment; "
                           "use plain ASCII in code", line, c);
        tok *tk = &lx->toks[lx->ntok];
        tk->s = t + i;
        tk->line = line;
        size_t j = i;
        if (is_ident_start(c)) {
            while (j < n && is_ident_char((unsigned char)t[j])) j++;
            // A prefix such as L"..." or u8'x' belongs to the literal that follows.
            if (j < n && (t[j] == '"' || t[j] == '\'') && j - i <= 2) goto literal;
            tk->kind = 'i';
        } else if (isdigit(c) || (c == '.' && j + 1 < n && isdigit((unsigned char)t[j + 1]))) {
            while (j < n && (is_ident_char((unsigned char)t[j]) || t[j] == '.' ||
                             ((t[j] == '+' || t[j] == '-') && (t[j - 1] == 'e' || t[j - 1] == 'E' ||
                                                               t[j - 1] == 'p' || t[j - 1] == 'P'))))
                j++;
            tk->kind = 'n';
        } else if (c == '"' || c == '\'') {
        literal:;
            char q = t[j];
            j++;
            while (j < n && t[j] != q && t[j] != '\n') j += (t[j] == '\\' && j + 1 < n) ? 2 : 1;
            if (j >= n || t[j] != q)
                return err_set(e, ERR_COMPILE, "reward.c:%d: unterminated %s literal", line, q == '"' ? "string" : "character");
            j++;
            tk->kind = 's';
        } else {
            // Punctuators we care about; the rest as single bytes.
            if ((c == '#' && j + 1 < n && t[j + 1] == '#') || (c == '%' && j + 1 < n && t[j + 1] == ':'))
                j += 2;
            else if (c == '?' && j + 2 < n && t[j + 1] == '?')
                j += 3;
            else
                j += 1;
            tk->kind = 'p';
        }
        tk->len = (int)(j - i);
        tk->dstart = 0;
        if (line_start && tk->kind == 'p' && (tok_is(tk, "#") || tok_is(tk, "%:"))) in_directive = tk->dstart = 1;
        tk->directive = (char)in_directive;
        line_start = 0;
        lx->ntok++;
        i = j;
    }
    return ERR_OK;
}

// Directives a reward may use. Everything else (#include, #pragma, #line, #embed,
// #import, #ident, # 12 "file" line markers, ...) is rejected.
static const char *allowed_directives[] = {"define", "undef", "if", "ifdef", "ifndef", "elif",
                                           "else", "endif", "error"};

static int check_tokens(const lexer *lx, err_info *e) {
    for (int i = 0; i < lx->ntok; i++) {
        const tok *t = &lx->toks[i];
        if (t->kind == 'p' && (tok_is(t, "%:") || (t->len == 3 && t->s[0] == '?' && t->s[1] == '?')))
            return err_set(e, ERR_COMPILE, "reward.c:%d: digraphs and trigraphs ('%.*s') are not allowed; write plain C",
                           t->line, t->len, t->s);
        if (t->kind == 'p' && tok_is(t, "##"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: token pasting (##) is not allowed in rewards; write the names out",
                           t->line);
        if (t->kind == 'p' && tok_is(t, "#") && t->dstart) {
            const tok *d = i + 1 < lx->ntok && lx->toks[i + 1].directive && !lx->toks[i + 1].dstart
                               ? &lx->toks[i + 1] : NULL;
            if (!d) continue;  // the null directive
            int ok = 0;
            for (size_t k = 0; d->kind == 'i' && k < sizeof allowed_directives / sizeof allowed_directives[0]; k++)
                ok |= tok_is(d, allowed_directives[k]);
            if (tok_is(d, "include") || tok_is(d, "include_next") || tok_is(d, "import") || tok_is(d, "embed"))
                return err_set(e, ERR_COMPILE, "reward.c:%d: #%.*s is not allowed: rewards cannot include files; "
                               "everything they may use is already declared (see the prelude)", t->line, d->len, d->s);
            if (tok_is(d, "pragma"))
                return err_set(e, ERR_COMPILE, "reward.c:%d: #pragma is not allowed in rewards; remove it", t->line);
            if (!ok)
                return err_set(e, ERR_COMPILE, "reward.c:%d: the directive '#%.*s' is not allowed in rewards "
                               "(only #define, #undef and #if/#ifdef/#else/#endif)", t->line, d->len, d->s);
        }
        if (t->kind != 'i') continue;
        if (tok_is(t, "_Pragma"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: _Pragma is not allowed in rewards; remove it", t->line);
        if (tok_is(t, "asm") || tok_is(t, "__asm") || tok_is(t, "__asm__"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: '%.*s' is not allowed: rewards may not use inline assembly",
                           t->line, t->len, t->s);
        if (tok_is(t, "__attribute__") || tok_is(t, "__attribute"))
            return err_set(e, ERR_COMPILE, "reward.c:%d: __attribute__ is not allowed in rewards; remove it", t->line);
        if (t->len > 9 && strncmp(t->s, "__builtin", 9) == 0)
            return err_set(e, ERR_COMPILE, "reward.c:%d: '%.*s' is not available to rewards (only the prelude's functions)",
                           t->line, t->len, t->s);
    }
    return ERR_OK;
}

// The declared name in tokens [a, b): the last identifier before '=', '[', ',' or ';'
// at the outer level (skipping parenthesised parameter lists).
static const tok *decl_name(const tok *ts, int a, int b) {
    const tok *name = NULL;
    int depth = 0;
    for (int i = a; i < b; i++) {
        const tok *t = &ts[i];
        if (t->kind == 'p' && tok_is(t, "{")) {  // a struct body: not the declarator
            int bd = 0;
            for (; i < b; i++) {
                if (ts[i].kind != 'p') continue;
                if (tok_is(&ts[i], "{")) bd++;
                else if (tok_is(&ts[i], "}") && --bd == 0) break;
            }
            continue;
        }
        if (t->kind == 'p' && tok_is(t, "(")) depth++;
        else if (t->kind == 'p' && tok_is(t, ")")) depth--;
        else if (depth == 0 && t->kind == 'p' && (tok_is(t, "[") || tok_is(t, "=") || tok_is(t, ",") || tok_is(t, ";")))
            break;
        else if (t->kind == 'i' && (depth == 0 || (i > a && tok_is(&ts[i - 1], "*")))) name = t;
    }
    return name;
}

// 1 if the declaration in tokens [a, b) is read-only: without pointers, 'const'
// somewhere in the specifiers; with pointers, 'const' right after the last '*'.
static int decl_is_const(const tok *ts, int a, int b) {
    int depth = 0, has_const = 0, last_star = -1;
    for (int i = a; i < b; i++) {
        const tok *t = &ts[i];
        if (t->kind == 'p' && (tok_is(t, "(") || tok_is(t, "[") || tok_is(t, "{"))) {
            if (depth == 0 && tok_is(t, "{")) { depth++; continue; }
            depth++;
        } else if (t->kind == 'p' && (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "}"))) depth--;
        else if (t->kind == 'p' && tok_is(t, "=") && depth == 0) break;
        else if (t->kind == 'i' && tok_is(t, "const") && depth == 0) has_const = 1;
        else if (t->kind == 'p' && tok_is(t, "*") && depth <= 1) last_star = i;
    }
    if (last_star >= 0) return last_star + 1 < b && ts[last_star + 1].kind == 'i' && tok_is(&ts[last_star + 1], "const");
    return has_const;
}

// File-scope declarations must be types, prototypes or constants; static locals must
// be constants: a reward is a pure function of its state.
static int check_state(const lexer *lx, err_info *e) {
    const tok *ts = lx->toks;
    int n = lx->ntok;
    int i = 0;
    while (i < n) {
        if (ts[i].directive) { i++; continue; }
        // One file-scope statement: [start, i) up to ';' or a function body.
        int start = i, depth = 0, body = -1;
        for (; i < n; i++) {
            const tok *t = &ts[i];
            if (t->directive) continue;
            if (t->kind != 'p') continue;
            if (tok_is(t, "(") || tok_is(t, "[")) depth++;
            else if (tok_is(t, ")") || tok_is(t, "]")) depth--;
            else if (tok_is(t, "{")) {
                int prev = i - 1;
                while (prev >= start && ts[prev].directive) prev--;
                if (depth == 0 && prev >= start && ts[prev].kind == 'p' && tok_is(&ts[prev], ")")) { body = i; break; }
                depth++;
            } else if (tok_is(t, "}")) depth--;
            else if (tok_is(t, ";") && depth == 0) break;
        }
        int end = i;  // ';' or '{' of a body, or n
        if (body >= 0) {
            // Function body: look for static locals, skip to the matching brace.
            int bd = 0;
            for (; i < n; i++) {
                const tok *t = &ts[i];
                if (t->directive) continue;
                if (t->kind == 'p' && tok_is(t, "{")) bd++;
                else if (t->kind == 'p' && tok_is(t, "}")) { if (--bd == 0) break; }
                else if (t->kind == 'i' && tok_is(t, "static")) {
                    int j = i + 1, d2 = 0;
                    for (; j < n; j++) {
                        if (ts[j].kind != 'p') continue;
                        if (tok_is(&ts[j], "(") || tok_is(&ts[j], "[") || tok_is(&ts[j], "{")) d2++;
                        else if (tok_is(&ts[j], ")") || tok_is(&ts[j], "]") || tok_is(&ts[j], "}")) d2--;
                        else if (tok_is(&ts[j], ";") && d2 == 0) break;
                    }
                    if (!decl_is_const(ts, i + 1, j)) {
                        const tok *nm = decl_name(ts, i + 1, j);
                        return err_set(e, ERR_COMPILE, "reward.c:%d: static local '%.*s' keeps state between calls; "
                                       "a reward must be a pure function of its state: drop 'static' (or make it const)",
                                       t->line, nm ? nm->len : 1, nm ? nm->s : "?");
                    }
                }
            }
            i++;
            continue;
        }
        i = end + 1;
        if (end <= start) continue;  // empty statement
        // Statement tokens without directives.
        const tok *first = NULL;
        for (int k = start; k < end; k++) if (!ts[k].directive) { first = &ts[k]; break; }
        if (!first) continue;
        if (first->kind == 'i' && tok_is(first, "typedef")) continue;
        // Prototype: the first '(' at the outer level follows a name and is not '(*'.
        int is_proto = 0, is_type_only = 0, d = 0;
        for (int k = start; k < end; k++) {
            const tok *t = &ts[k];
            if (t->directive || t->kind != 'p') continue;
            if (tok_is(t, "=") && d == 0) break;
            if (tok_is(t, "(") && d == 0) {
                is_proto = k > start && ts[k - 1].kind == 'i' && !(k + 1 < end && tok_is(&ts[k + 1], "*"));
                break;
            }
            if (tok_is(t, "{")) {
                // struct/union/enum body: a type definition when nothing follows it.
                int bd = 0, k2 = k;
                for (; k2 < end; k2++) {
                    if (ts[k2].kind != 'p') continue;
                    if (tok_is(&ts[k2], "{")) bd++;
                    else if (tok_is(&ts[k2], "}") && --bd == 0) break;
                }
                is_type_only = k2 + 1 >= end;
                break;
            }
            if (tok_is(t, "[")) break;
        }
        if (is_proto || is_type_only) continue;
        if (first->kind == 'p') continue;  // stray tokens: the compiler will say what is wrong
        if (!decl_is_const(ts, start, end)) {
            const tok *nm = decl_name(ts, start, end);
            return err_set(e, ERR_COMPILE, "reward.c:%d: global variable '%.*s' is mutable; rewards keep no state "
                           "between calls: move it into compute_reward or make it 'static const'",
                           first->line, nm ? nm->len : 1, nm ? nm->s : "?");
        }
    }
    return ERR_OK;
}

// rcomp_lint with an explicit length, so NUL bytes in a file are caught too.
int rcomp_lint_n(const char *src, size_t len, err_info *e) {
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
    lexer lx;
    int rc = lex(src, len, &lx, e);
    if (rc == ERR_OK) rc = check_tokens(&lx, e);
    if (rc == ERR_OK) rc = check_state(&lx, e);
    lexer_free(&lx);
    return rc;
}

int rcomp_lint(const char *candidate, err_info *e) {
    if (!candidate) return err_set(e, ERR_COMPILE, "reward.c is empty: send C code that defines " SIGNATURE);
    size_t len = strnlen(candidate, RCOMP_MAX_SOURCE + 1);
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

// The first line of code (not comments or strings) in candidate that uses identifier
// name; 0 if none.
static int find_ident_line(const char *candidate, const char *name) {
    lexer lx;
    err_info e;
    int line = 0;
    if (lex(candidate, strlen(candidate), &lx, &e) == ERR_OK)
        for (int i = 0; i < lx.ntok && !line; i++)
            if (lx.toks[i].kind == 'i' && tok_is(&lx.toks[i], name)) line = lx.toks[i].line;
    lexer_free(&lx);
    return line;
}

// Turn libtcc's first diagnostic into our one-line message.
static void explain(const diag *d, const char *candidate, err_info *e) {
    const char *m = d->first;
    const char *sig = "eureka-signature-check:";
    if (strncmp(m, sig, strlen(sig)) == 0) {
        if (strstr(m, "undeclared"))
            err_set(e, ERR_COMPILE, "reward.c defines no compute_reward; it must define: " SIGNATURE);
        else
            err_set(e, ERR_COMPILE, "compute_reward must be: " SIGNATURE);
        return;
    }
    const char *u = strstr(m, "undefined symbol '");
    if (u) {
        char name[64];
        const char *s = u + strlen("undefined symbol '");
        size_t k = 0;
        while (s[k] && s[k] != '\'' && k < sizeof name - 1) { name[k] = s[k]; k++; }
        name[k] = '\0';
        int line = find_ident_line(candidate, name);
        if (line > 0)
            err_set(e, ERR_COMPILE, "reward.c:%d: '%s' is not available to rewards (only the prelude's "
                    "functions: see src/reward/prelude.h)", line, name);
        else
            err_set(e, ERR_COMPILE, "'%s' is not available to rewards (only the prelude's functions: see "
                    "src/reward/prelude.h)", name);
        return;
    }
    // "reward.c:12: error: x" -> "reward.c:12: x"; "tcc: error: x" -> "reward.c: x".
    char out[ERR_MSG_MAX];
    const char *er = strstr(m, ": error: ");
    const char *wa = strstr(m, ": warning: ");
    if (strncmp(m, "tcc: ", 5) == 0)
        snprintf(out, sizeof out, "reward.c: %s", strstr(m, "error: ") ? strstr(m, "error: ") + 7 : m + 5);
    else if (er)
        snprintf(out, sizeof out, "%.*s: %s", (int)(er - m), m, er + 9);
    else if (wa)
        snprintf(out, sizeof out, "%.*s: %s", (int)(wa - m), m, wa + 11);
    else
        snprintf(out, sizeof out, "%s", m);
    if (strstr(out, "implicit declaration of function")) {
        const char *q = strchr(out, '\'');
        char name[64] = "";
        if (q) {
            size_t k = 0;
            for (q++; *q && *q != '\'' && k < sizeof name - 1; q++) name[k++] = *q;
            name[k] = '\0';
        }
        char *colon = strstr(out, ": implicit");
        if (colon && name[0]) {
            *colon = '\0';
            err_set(e, ERR_COMPILE, "%s: '%s' is not available to rewards (only the prelude's functions: see "
                    "src/reward/prelude.h)", out, name);
            return;
        }
    }
    err_set(e, ERR_COMPILE, "%s", out);
}

rcomp *rcomp_new(const char *env_h, const char *candidate, err_info *e) {
    if (rcomp_lint(candidate, e) != ERR_OK) return NULL;
    const char *prelude = rcomp_prelude(e);
    if (!prelude) return NULL;
    if (!env_h) env_h = "";
    // The second layer against assembly: any spelling the lexer did not see (e.g. made
    // by a macro) expands to an undeclared name.
    static const char no_asm[] =
        "#define asm __eureka_asm_is_not_allowed\n"
        "#define __asm __eureka_asm_is_not_allowed\n"
        "#define __asm__ __eureka_asm_is_not_allowed\n";
    static const char trailer[] =
        "\n#line 1 \"eureka-signature-check\"\n"
        "static double (*const eureka_signature_check__)(const env_state *, reward_terms *) = compute_reward;\n";
    size_t need = strlen(prelude) + strlen(env_h) + strlen(candidate) + sizeof no_asm + sizeof trailer + 128;
    char *src = malloc(need);
    if (!src) { err_set(e, ERR_NOMEM, "out of memory compiling the reward"); return NULL; }
    snprintf(src, need, "#line 1 \"prelude.h\"\n%s\n#line 1 \"env.h\"\n%s\n%s#line 1 \"reward.c\"\n%s%s",
             prelude, env_h, no_asm, candidate, trailer);

    rcomp *c = calloc(1, sizeof *c);
    if (!c) { free(src); err_set(e, ERR_NOMEM, "out of memory compiling the reward"); return NULL; }
    diag d = {{0}, 0};
    pthread_mutex_lock(&tcc_lock);
    TCCState *s = tcc_new();
    int ok = s != NULL;
    if (ok) {
        tcc_set_error_func(s, &d, on_tcc_error);
        tcc_set_options(s, "-nostdlib -nostdinc -Werror");
        ok = tcc_set_output_type(s, TCC_OUTPUT_MEMORY) == 0 && tcc_compile_string(s, src) == 0;
    }
    if (ok) {
        ok = tcc_add_file(s, EUREKA_LIBTCC1) == 0;
        if (!ok && d.n == 0) snprintf(d.first, sizeof d.first, "tcc: error: cannot read %s", EUREKA_LIBTCC1);
    }
    if (ok) {
        for (int i = 0; i < n_prelude_syms; i++) tcc_add_symbol(s, prelude_syms[i].name, prelude_syms[i].addr);
        tcc_add_symbol(s, "memcpy", (const void *)memcpy);
        tcc_add_symbol(s, "memmove", (const void *)memmove);
        tcc_add_symbol(s, "memset", (const void *)memset);
        int size = tcc_relocate(s, NULL);
        ok = size > 0;
        if (ok) {
            long page = sysconf(_SC_PAGESIZE);
            c->size = ((size_t)size + (size_t)page - 1) & ~((size_t)page - 1);
            c->mem = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (c->mem == MAP_FAILED) {
                c->mem = NULL;
                ok = 0;
                snprintf(d.first, sizeof d.first, "tcc: error: out of memory for the compiled reward");
            }
        }
        if (ok) ok = tcc_relocate(s, c->mem) >= 0;
        if (ok) {
            c->fn = (reward_fn)tcc_get_symbol(s, "compute_reward");
            ok = c->fn != NULL && mprotect(c->mem, c->size, PROT_READ | PROT_EXEC) == 0;
            if (!ok && d.n == 0) snprintf(d.first, sizeof d.first, "eureka-signature-check: 'compute_reward' undeclared");
        }
    }
    if (s) tcc_delete(s);  // the image lives in c->mem, which libtcc does not own
    pthread_mutex_unlock(&tcc_lock);
    free(src);
    if (!ok) {
        if (d.n == 0) snprintf(d.first, sizeof d.first, "tcc: error: the compiler failed without a message");
        explain(&d, candidate, e);
        rcomp_free(c);
        return NULL;
    }
    return c;
}

reward_fn rcomp_fn(const rcomp *c) { return c ? c->fn : NULL; }

void rcomp_free(rcomp *c) {
    if (!c) return;
    if (c->mem) munmap(c->mem, c->size);
    free(c);
}
