// extract.c: pull the reward program out of a Markdown LLM reply (see extract.h).
//
// Models answer with prose around one or more fenced blocks. We normalise line ends,
// walk the fences line by line, and keep the last complete C-like block that defines
// compute_reward (the last, because a model that corrects itself puts the final
// version last). Every failure says what the model should send instead.
#include "reward/extract.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    const char *start;  // first byte of the block's code (in the normalised copy)
    size_t len;
    int c_like;         // info string is c/C/cpp/c++/h/bare
    int defines;        // contains a definition of compute_reward
} block;

#define EXTRACT_MAX_BLOCKS 64

// 1 if the info string after a fence names C or C++ (or is empty).
static int info_is_c(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    const char *w = p;
    while (p < end && !isspace((unsigned char)*p) && *p != '{') p++;
    size_t n = (size_t)(p - w);
    static const char *names[] = {"c", "C", "cpp", "c++", "C++", "cc", "h", "objective-c"};
    if (n == 0) return 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncmp(names[i], w, n) == 0) return 1;
    return 0;
}

// A fence is up to 3 spaces then ``` or ~~~; returns the fence char count or 0.
static int fence_at(const char *line, const char *end, char *ch, const char **info) {
    const char *p = line;
    int sp = 0;
    while (p < end && *p == ' ' && sp < 4) { p++; sp++; }
    if (sp > 3 || p >= end || (*p != '`' && *p != '~')) return 0;
    char c = *p;
    int n = 0;
    while (p < end && *p == c) { p++; n++; }
    if (n < 3) return 0;
    *ch = c;
    *info = p;
    return n;
}

// 1 if code contains "compute_reward" followed by "(" and, after the matching ")", a "{".
//
// One pass, linear in len whatever the text (a reply is untrusted: "compute_reward(" a
// hundred thousand times must not cost a scan to the end for each): a depth counter
// finds every ")" that closes a "(" opened right after the name; the open candidates are
// kept as a stack of their depths (nested, so strictly increasing).
static int defines_reward(const char *s, size_t len) {
    static const char key[] = "compute_reward";
    const size_t kl = sizeof key - 1;
    long *open = NULL;          // depths of the candidate '(' still open
    size_t n_open = 0, cap = 0;
    long depth = 0;
    const char *cand = NULL;    // the next '(' that follows the name
    int found = 0;
    for (size_t i = 0; i < len && !found; i++) {
        char c = s[i];
        if (c == 'c' && len - i >= kl && memcmp(s + i, key, kl) == 0) {
            size_t j = i + kl;
            while (j < len && isspace((unsigned char)s[j])) j++;
            if (j < len && s[j] == '(') cand = s + j;
            i += kl - 1;
            continue;
        }
        if (c == '(') {
            if (s + i == cand) {
                if (n_open == cap) {
                    size_t nc = cap ? cap * 2 : 16;
                    long *no = realloc(open, nc * sizeof *no);
                    if (!no) break;
                    open = no;
                    cap = nc;
                }
                open[n_open++] = depth;
            }
            depth++;
        } else if (c == ')') {
            depth--;
            if (n_open > 0 && open[n_open - 1] == depth) {
                n_open--;
                size_t j = i + 1;
                while (j < len && isspace((unsigned char)s[j])) j++;
                if (j < len && s[j] == '{') found = 1;
            }
        }
    }
    free(open);
    return found;
}

char *extract_code(const char *reply, err_info *e) {
    if (!reply) { err_set(e, ERR_PARSE, "the reply is empty; answer with one ```c block that defines compute_reward"); return NULL; }
    // Normalise CRLF and lone CR to LF.
    size_t rl = strlen(reply);
    char *text = malloc(rl + 1);
    if (!text) { err_set(e, ERR_NOMEM, "out of memory reading the reply"); return NULL; }
    size_t n = 0;
    for (size_t i = 0; i < rl; i++) {
        if (reply[i] == '\r') { text[n++] = '\n'; if (reply[i + 1] == '\n') i++; }
        else text[n++] = reply[i];
    }
    text[n] = '\0';

    block blocks[EXTRACT_MAX_BLOCKS];
    int nb = 0, open = 0, cut_line = 0, line_no = 0;
    char fch = 0;
    int flen = 0;
    block cur = {0};
    const char *p = text, *end = text + n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *lend = eol ? eol : end;
        line_no++;
        char ch;
        const char *info;
        int f = fence_at(p, lend, &ch, &info);
        if (!open && f) {
            open = 1; fch = ch; flen = f; cut_line = line_no;
            cur.c_like = info_is_c(info, lend);
            cur.start = eol ? eol + 1 : end;
        } else if (open && f && ch == fch && f >= flen) {
            // A closing fence has nothing but spaces after it.
            const char *q = info;
            while (q < lend && (*q == ' ' || *q == '\t')) q++;
            if (q == lend) {
                open = 0;
                cur.len = (size_t)(p - cur.start);
                cur.defines = defines_reward(cur.start, cur.len);
                if (nb < EXTRACT_MAX_BLOCKS) blocks[nb++] = cur;
            }
        }
        p = eol ? eol + 1 : end;
    }

    int pick = -1;
    for (int i = 0; i < nb; i++)
        if (blocks[i].defines && blocks[i].c_like) pick = i;
    if (pick < 0)
        for (int i = 0; i < nb; i++)
            if (blocks[i].defines) pick = i;  // e.g. ```cuda: still C if it compiles
    if (pick < 0) {
        if (open && defines_reward(cur.start, (size_t)(end - cur.start)))
            err_set(e, ERR_PARSE, "the reply was cut off inside the code block that starts at line %d "
                    "(no closing ```); answer again with a shorter, complete ```c block", cut_line);
        else if (open && nb == 0)
            err_set(e, ERR_PARSE, "the reply was cut off inside a code block (line %d) before "
                    "compute_reward was defined; answer again with a shorter, complete ```c block", cut_line);
        else if (nb == 0)
            err_set(e, ERR_PARSE, "the reply has no fenced C code block; answer with one ```c block "
                    "that defines compute_reward");
        else
            err_set(e, ERR_PARSE, "none of the reply's %d code blocks defines compute_reward; answer "
                    "with one ```c block that defines double compute_reward(const env_state *s, "
                    "reward_terms *t)", nb);
        free(text);
        return NULL;
    }
    char *code = malloc(blocks[pick].len + 1);
    if (!code) { free(text); err_set(e, ERR_NOMEM, "out of memory reading the reply"); return NULL; }
    memcpy(code, blocks[pick].start, blocks[pick].len);
    code[blocks[pick].len] = '\0';
    free(text);
    return code;
}
