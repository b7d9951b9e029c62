// rlex.c: translation phases 1-3 and tokens of a candidate reward (see rlex.h).
//
// Three passes over the bytes, each with the candidate's line of every byte:
//  1. line ends become '\n' (CR LF and a lone CR both, as gcc reads them); a trigraph
//     is refused wherever it stands (libtcc ignores trigraphs, other compilers and the
//     standard do not: `// ??/` would end a comment for one and not for the other);
//     backslash-newline splices are removed; a backslash before trailing blanks is
//     refused (gcc splices there, libtcc does not);
//  2. comments become one space. The line breaks inside a comment stay in place when
//     the comment starts a logical line outside a directive (where a line break and a
//     space mean the same); otherwise they, like spliced ones, are emitted right after
//     the logical line ends, so `#define X 1 /* a<nl>b */ + 2` stays one directive and
//     every later line keeps its number;
//  3. tokens, directives marked, read from the canonical text itself.
// libtcc compiles the canonical text, so the filter and the compiler read one text.
#include "reward/rlex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int rlex_is(const rlex_tok *t, const char *s) {
    return (int)strlen(s) == t->len && strncmp(t->s, s, (size_t)t->len) == 0;
}

void rlex_free(rlex *lx) {
    if (!lx) return;
    free(lx->text);
    free(lx->line);
    free(lx->toks);
    memset(lx, 0, sizeof *lx);
}

// Pass 1 (phases 1 and 2) into out/oline; *on gets the length.
static int phase12(const char *src, size_t len, char *out, int *oline, size_t *on, err_info *e) {
    int ln = 1;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '\r') {
            if (i + 1 < len && src[i + 1] == '\n') i++;
            c = '\n';
        }
        if (c == '?' && i + 2 < len && src[i + 1] == '?' && src[i + 2] && strchr("=(/)'<!>-", src[i + 2]))
            return err_set(e, ERR_COMPILE, "reward.c:%d: '??%c' is a trigraph, which compilers read differently; "
                           "trigraphs are not allowed anywhere, not even in comments or strings: write the "
                           "character it stands for or break up the '\?\?'", ln, src[i + 2]);
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\f' && c != '\v') || c == 0x7f)
            return err_set(e, ERR_COMPILE, "reward.c:%d: byte 0x%02x is not C source text; send plain C", ln, c);
        if (c == '\\') {
            size_t j = i + 1;
            while (j < len && (src[j] == ' ' || src[j] == '\t' || src[j] == '\f' || src[j] == '\v')) j++;
            if (j >= len)
                return err_set(e, ERR_COMPILE, "reward.c:%d: the file ends with a backslash; remove it", ln);
            if (src[j] == '\n' || src[j] == '\r') {
                if (j > i + 1)
                    return err_set(e, ERR_COMPILE, "reward.c:%d: a backslash followed by blanks at the end of a "
                                   "line (compilers disagree on whether it joins the next line); remove the "
                                   "blanks or the backslash", ln);
                i = j + (src[j] == '\r' && j + 1 < len && src[j + 1] == '\n');
                ln++;
                continue;
            }
        }
        out[n] = (char)c;
        oline[n] = ln;
        n++;
        if (c == '\n') ln++;
    }
    *on = n;
    return ERR_OK;
}

typedef struct emitter {
    char *text;
    int *line;
    size_t n;
    int out_line;   // the line being written, in the output's own count
} emitter;

static void put(emitter *em, char c, int line) {
    em->text[em->n] = c;
    em->line[em->n] = line;
    em->n++;
    if (c == '\n') em->out_line++;
}

// End output line(s) so that the next output line is the candidate's line line + 1.
static void newline(emitter *em, int line) {
    put(em, '\n', line);
    while (em->out_line < line + 1) put(em, '\n', line);
}

// Pass 2 (phase 3): p/pl of length n -> em.
static int phase3(const char *p, const int *pl, size_t n, emitter *em, err_info *e) {
    int bol = 1, dir = 0;  // nothing but blanks yet on this logical line / it is a directive
    size_t i = 0;
    while (i < n) {
        char c = p[i];
        int line = pl[i];
        if (c == '\n') {
            newline(em, line);
            bol = 1;
            dir = 0;
            i++;
        } else if (c == '/' && i + 1 < n && p[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(p[j] == '*' && p[j + 1] == '/')) j++;
            if (j + 1 >= n) return err_set(e, ERR_COMPILE, "reward.c:%d: unterminated /* comment", line);
            put(em, ' ', line);
            if (bol && !dir)
                for (size_t k = i + 2; k < j; k++)
                    if (p[k] == '\n') newline(em, pl[k]);
            i = j + 2;
        } else if (c == '/' && i + 1 < n && p[i + 1] == '/') {
            while (i < n && p[i] != '\n') i++;
            put(em, ' ', line);
        } else if (c == '"' || c == '\'') {
            size_t j = i + 1;
            int esc = 0;
            for (; j < n && p[j] != '\n' && (esc || p[j] != c); j++) {
                if ((unsigned char)p[j] >= 0x80)
                    return err_set(e, ERR_COMPILE, "reward.c:%d: non-ASCII byte 0x%02x outside a comment; "
                                   "use plain ASCII in code", pl[j], (unsigned char)p[j]);
                esc = !esc && p[j] == '\\';
            }
            if (j >= n || p[j] != c)
                return err_set(e, ERR_COMPILE, "reward.c:%d: unterminated %s literal (literals end on their line)",
                               line, c == '"' ? "string" : "character");
            for (; i <= j; i++) put(em, p[i], pl[i]);
            bol = 0;
        } else if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
            put(em, c == '\t' ? '\t' : ' ', line);
            i++;
        } else if ((unsigned char)c >= 0x80) {
            return err_set(e, ERR_COMPILE, "reward.c:%d: non-ASCII byte 0x%02x outside a comment; "
                           "use plain ASCII in code", line, (unsigned char)c);
        } else {
            if (bol && (c == '#' || (c == '%' && i + 1 < n && p[i + 1] == ':'))) dir = 1;
            bol = 0;
            put(em, c, line);
            i++;
        }
    }
    if (em->n == 0 || em->text[em->n - 1] != '\n') put(em, '\n', n ? pl[n - 1] : 1);
    return ERR_OK;
}

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

// Pass 3: tokens of the canonical text.
static int tokens(rlex *lx, err_info *e) {
    const char *t = lx->text;
    size_t i = 0, n = lx->n;
    int line_start = 1, in_directive = 0;
    while (i < n) {
        unsigned char c = (unsigned char)t[i];
        int line = lx->line[i];
        if (c == '\n') { line_start = 1; in_directive = 0; i++; continue; }
        if (c == ' ' || c == '\t') { i++; continue; }
        if (c == '$' || c == '@' || c == '`' || c == '\\')
            return err_set(e, ERR_COMPILE, "reward.c:%d: '%c' is not allowed in C code outside strings and comments",
                           line, c);
        rlex_tok *tk = &lx->toks[lx->ntok];
        tk->s = t + i;
        tk->line = line;
        size_t j = i;
        if (is_ident_start(c)) {
            while (j < n && is_ident_char((unsigned char)t[j])) j++;
            tk->kind = 'i';
            // A prefix such as L"..." or u8'x' belongs to the literal that follows.
            if (j < n && (t[j] == '"' || t[j] == '\'') && j - i <= 2) tk->kind = 's';
        } else if (isdigit(c) || (c == '.' && j + 1 < n && isdigit((unsigned char)t[j + 1]))) {
            // A preprocessing number: digits, letters, '.', and a sign after e, E, p or P.
            while (j < n && (is_ident_char((unsigned char)t[j]) || t[j] == '.' ||
                             ((t[j] == '+' || t[j] == '-') && (t[j - 1] == 'e' || t[j - 1] == 'E' ||
                                                               t[j - 1] == 'p' || t[j - 1] == 'P'))))
                j++;
            tk->kind = 'n';
        } else if (c == '"' || c == '\'') {
            tk->kind = 's';
        } else {
            static const char *two[] = {"##", "%:", "<:", ":>", "<%", "%>"};
            j = i + 1;
            for (size_t k = 0; k < sizeof two / sizeof two[0]; k++)
                if (i + 1 < n && t[i] == two[k][0] && t[i + 1] == two[k][1]) j = i + 2;
            tk->kind = 'p';
        }
        if (tk->kind == 's') {  // pass 2 checked that it ends on its line
            char q = t[j];
            int esc = 0;
            for (j++; j < n && (esc || t[j] != q); j++) esc = !esc && t[j] == '\\';
            j++;
        }
        tk->len = (int)(j - i);
        tk->dstart = 0;
        if (line_start && tk->kind == 'p' && (rlex_is(tk, "#") || rlex_is(tk, "%:"))) in_directive = tk->dstart = 1;
        tk->directive = (char)in_directive;
        line_start = 0;
        lx->ntok++;
        i = j;
    }
    return ERR_OK;
}

int rlex_run(rlex *lx, const char *src, size_t len, err_info *e) {
    memset(lx, 0, sizeof *lx);
    char *p = malloc(len + 1);
    int *pl = malloc((len + 1) * sizeof(int));
    lx->text = malloc(len + 2);
    lx->line = malloc((len + 2) * sizeof(int));
    lx->toks = malloc((len + 1) * sizeof(rlex_tok));
    int rc = ERR_OK;
    size_t n = 0;
    if (!p || !pl || !lx->text || !lx->line || !lx->toks)
        rc = err_set(e, ERR_NOMEM, "out of memory reading the reward");
    if (rc == ERR_OK) rc = phase12(src, len, p, pl, &n, e);
    if (rc == ERR_OK) {
        emitter em = {lx->text, lx->line, 0, 1};
        rc = phase3(p, pl, n, &em, e);
        lx->n = em.n;
        lx->text[lx->n] = '\0';
        lx->line[lx->n] = em.n ? lx->line[em.n - 1] : 1;
    }
    if (rc == ERR_OK) rc = tokens(lx, e);
    free(p);
    free(pl);
    return rc;
}
