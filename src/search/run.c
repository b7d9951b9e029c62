// run.c: the run directory store (see run.h).
//
// Kept free of search logic on purpose: `show`, `diff`, `compare` and `search` read a run
// with these same functions, so the layout has exactly one definition, and so do the
// rules for reading a directory someone else may have prepared (util/fs.h *_in: no link
// followed, regular files only, caps checked by size before reading).
#include "search/run.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llm/llm.h"        // token counts: llm_token_clamp
#include "util/sanitize.h"
#include "util/trainlog.h"

int run_path(char *buf, size_t n, const char *dir, const char *rel, err_info *e) {
    return fs_path(buf, n, e, "%s/%s", dir, rel);
}

int run_choose(const char *out, const char *task, char *buf, size_t n, err_info *e) {
    if (out && *out) {
        if (fs_path(buf, n, e, "%s", out)) return ERR_LIMIT;
        if (fs_exists(buf) && run_has(buf, RUN_SETTINGS))
            return err_set(e, ERR_USAGE, "%s already holds a run (use --resume %s, or another --out)",
                           buf, buf);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        if (fs_path(buf, n, e, "%s/%s-%s", RUN_ROOT, stamp, task)) return ERR_LIMIT;
        // Two searches started in the same second get distinct directories.
        for (int k = 2; fs_exists(buf) && k < 100; k++)
            if (fs_path(buf, n, e, "%s/%s-%s-%d", RUN_ROOT, stamp, task, k)) return ERR_LIMIT;
    }
    return ERR_OK;
}

int run_create(const char *out, const char *task, char *buf, size_t n, err_info *e) {
    int rc = run_choose(out, task, buf, n, e);
    return rc ? rc : fs_mkdirs(buf, e);
}

// ---- the list of runs ----------------------------------------------------------------

typedef struct list_ctx {
    const char *root;
    run_info *v;
    int n, cap;
} list_ctx;

static double json_num(const cJSON *o, const char *k) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) && isfinite(x->valuedouble) ? x->valuedouble : NAN;
}

// What `eureka runs` shows of the run in dir (read as someone else's files).
static void run_describe(const char *dir, run_info *r) {
    cJSON *set = run_read_json(dir, RUN_SETTINGS, NULL);
    const char *task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, "task"));
    const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, "created"));
    san_str(r->task, sizeof r->task, task ? task : "?", 0);
    san_str(r->created, sizeof r->created, created ? created : "", 0);
    cJSON_Delete(set);
    cJSON *sum = run_has(dir, RUN_SUMMARY) ? run_read_json(dir, RUN_SUMMARY, NULL) : NULL;
    cJSON *best = run_has(dir, RUN_BEST_JSON) ? run_read_json(dir, RUN_BEST_JSON, NULL) : NULL;
    r->best = sum ? json_num(sum, "best_fitness") : json_num(best, "fitness");
    snprintf(r->status, sizeof r->status, "%s", !sum ? "unfinished" : isnan(r->best) ? "failed" : "finished");
    r->iterations = run_count_iters(dir);
    cJSON_Delete(sum);
    cJSON_Delete(best);
}

static int list_entry(void *ctx, const char *name, int kind) {
    list_ctx *c = ctx;
    char dir[RUN_PATH_MAX];
    if (kind != FS_DIR || fs_path(dir, sizeof dir, NULL, "%s/%s", c->root, name) || !run_has(dir, RUN_SETTINGS))
        return 0;
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 16;
        run_info *v = realloc(c->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        c->v = v;
        c->cap = cap;
    }
    run_info *r = &c->v[c->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    run_describe(dir, r);
    return 0;
}

static int newest_first(const void *a, const void *b) {
    const run_info *x = a, *y = b;
    int c = strcmp(y->created, x->created);
    return c ? c : strcmp(y->dir, x->dir);
}

int run_list(const char *root, run_info **out, int *n, err_info *e) {
    list_ctx c = {root, NULL, 0, 0};
    *out = NULL;
    *n = 0;
    if (!fs_exists(root))
        return err_set(e, ERR_NOTFOUND, "%s: no such directory (no runs yet: eureka search --task T)", root);
    int rc = fs_list_in(root, NULL, list_entry, &c, e);
    if (rc) {
        free(c.v);
        return rc < 0 ? err_set(e, ERR_NOMEM, "%s: out of memory listing runs", root) : rc;
    }
    if (c.n > 1) qsort(c.v, (size_t)c.n, sizeof *c.v, newest_first);
    *out = c.v;
    *n = c.n;
    return ERR_OK;
}

int run_resolve(const char *arg, const char *root, char *dir, size_t n, char *rest, size_t rn,
                err_info *e) {
    size_t head = strcspn(arg, "/");
    const char *sub = arg[head] ? arg + head + 1 : "";
    int latest = strncmp(arg, "latest", 6) == 0 && (head == 6 || (arg[6] == '-' && head > 7));
    if (!latest || fs_exists(arg)) {
        rest[0] = '\0';
        return fs_path(dir, n, e, "%s", arg) ? ERR_USAGE : ERR_OK;
    }
    char task[64] = "";
    if (head > 6) snprintf(task, sizeof task, "%.*s", (int)(head - 7), arg + 7);
    run_info *v;
    int k;
    if (run_list(root, &v, &k, NULL)) k = 0, v = NULL;
    int found = -1;
    for (int i = 0; i < k && found < 0; i++)
        if (!task[0] || strcmp(v[i].task, task) == 0) found = i;
    int rc = found < 0 ? err_set(e, ERR_USAGE, "%.*s: no run%s%s under %s/ (see eureka runs)", (int)head, arg,
                                 task[0] ? " of task " : "", task, root)
                       : fs_path(dir, n, e, "%s", v[found].dir);
    free(v);
    if (!rc) snprintf(rest, rn, "%s", sub);
    return rc ? ERR_USAGE : ERR_OK;
}

// ---- the paths -----------------------------------------------------------------------

static int in_range(int v, int lo, int hi, const char *what, err_info *e) {
    if (v < lo || v > hi) return err_set(e, ERR_INTERNAL, "%s %d is outside %d..%d", what, v, lo, hi);
    return ERR_OK;
}

int run_sample_rel(char *buf, size_t n, int iter, int sample, const char *file, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e) || in_range(sample, 0, RUN_MAX_SAMPLE, "sample", e))
        return ERR_INTERNAL;
    if (file) return fs_path(buf, n, e, "iter%02d/sample%02d/%s", iter, sample, file);
    return fs_path(buf, n, e, "iter%02d/sample%02d", iter, sample);
}

int run_iter_rel(char *buf, size_t n, int iter, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e)) return ERR_INTERNAL;
    return fs_path(buf, n, e, "iter%02d", iter);
}

int run_responses_rel(char *buf, size_t n, int iter, int attempt, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e) || in_range(attempt, 0, 9, "attempt", e))
        return ERR_INTERNAL;
    return fs_path(buf, n, e, "iter%02d/responses-a%d.json", iter, attempt);
}

int run_rung_rel(char *buf, size_t n, int iter, int sample, int rung, const char *file, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e) || in_range(sample, 0, RUN_MAX_SAMPLE, "sample", e) ||
        in_range(rung, 1, 9, "rung", e))
        return ERR_INTERNAL;
    return fs_path(buf, n, e, "iter%02d/sample%02d/rung%d/%s", iter, sample, rung, file);
}

int run_reflection_rel(char *buf, size_t n, int iter, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e)) return ERR_INTERNAL;
    return fs_path(buf, n, e, "iter%02d/reflection.md", iter);
}

int run_human_feedback_rel(char *buf, size_t n, int iter, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e)) return ERR_INTERNAL;
    return fs_path(buf, n, e, "iter%02d/human_feedback.txt", iter);
}

int run_eval_rel(char *buf, size_t n, int seed, const char *file, err_info *e) {
    if (in_range(seed, 1, RUN_MAX_SEED, "evaluation seed", e)) return ERR_INTERNAL;
    if (file) return fs_path(buf, n, e, "eval/seed%02d/%s", seed, file);
    return fs_path(buf, n, e, "eval/seed%02d", seed);
}

int run_final_rel(char *buf, size_t n, int iter, int sample, const char *file, err_info *e) {
    if (in_range(iter, 0, RUN_MAX_ITER, "iteration", e) || in_range(sample, 0, RUN_MAX_SAMPLE, "sample", e))
        return ERR_INTERNAL;
    if (file) return fs_path(buf, n, e, "final/iter%02d_sample%02d/%s", iter, sample, file);
    return fs_path(buf, n, e, "final/iter%02d_sample%02d", iter, sample);
}

int run_best_policy_rel(const char *dir, char *buf, size_t n, err_info *e) {
    double best = -1e300;
    int found = 0;
    for (int s = 1; s <= RUN_MAX_SEED; s++) {
        char rel[64];
        if (run_eval_rel(rel, sizeof rel, s, RUN_TRAIN, e)) return ERR_LIMIT;
        if (!run_has(dir, rel)) break;
        cJSON *tr = run_read_json(dir, rel, NULL);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(tr, "fitness");
        if (cJSON_IsNumber(f) && f->valuedouble > best) {
            best = f->valuedouble;
            found = 1;
            if (run_eval_rel(buf, n, s, NULL, e)) { cJSON_Delete(tr); return ERR_LIMIT; }
        }
        cJSON_Delete(tr);
    }
    if (found) return ERR_OK;
    cJSON *b = run_has(dir, RUN_BEST_JSON) ? run_read_json(dir, RUN_BEST_JSON, e) : NULL;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(b, "iteration");
    const cJSON *sa = cJSON_GetObjectItemCaseSensitive(b, "sample");
    int ok = cJSON_IsNumber(it) && cJSON_IsNumber(sa) && it->valuedouble >= 0 &&
             it->valuedouble <= RUN_MAX_ITER && sa->valuedouble >= 0 && sa->valuedouble <= RUN_MAX_SAMPLE;
    int rc = ok ? run_sample_rel(buf, n, (int)it->valuedouble, (int)sa->valuedouble, NULL, e)
                : err_set(e, ERR_NOTFOUND, "%s has no trained best candidate yet (see eureka show %s)",
                          dir, dir);
    cJSON_Delete(b);
    return rc;
}

size_t run_cap(const char *rel) {
    static const struct { const char *name; size_t cap; } caps[] = {
        {RUN_SETTINGS, 1u << 20},
        {RUN_STATUS, 64u << 10},
        {RUN_BEST_JSON, 64u << 10},
        {RUN_SUMMARY, 64u << 10},
        {RUN_TRAIN, 32u << 20},          // series of every update + the saved policies
        {RUN_RUNGS, 64u << 10},
        {RUN_STATE, 64u << 20},          // the saved training (rl/ppo.h)
        {RUN_MESSAGES, 64u << 20},
    };
    const char *slash = strrchr(rel, '/');
    const char *name = slash ? slash + 1 : rel;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
        if (strcmp(name, caps[i].name) == 0) return caps[i].cap;
    // K replies of at most 1 MiB each, JSON-escaped.
    if (strncmp(name, "responses-a", 11) == 0) return 64u << 20;
    return 1u << 20;
}

// ---- files ---------------------------------------------------------------------------

int run_write_text(const char *dir, const char *rel, const char *text, err_info *e) {
    return fs_write_in(dir, rel, text, strlen(text), e);
}

int run_write_bytes(const char *dir, const char *rel, const void *data, size_t len, err_info *e) {
    return fs_write_in(dir, rel, data, len, e);
}

int run_write_json(const char *dir, const char *rel, const cJSON *obj, err_info *e) {
    char *s = cJSON_Print(obj);
    if (!s) return err_set(e, ERR_NOMEM, "%s/%s: out of memory", dir, rel);
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) { free(s); return err_set(e, ERR_NOMEM, "%s/%s: out of memory", dir, rel); }
    t[n] = '\n';
    t[n + 1] = '\0';
    int rc = fs_write_in(dir, rel, t, n + 1, e);
    free(t);
    return rc;
}

int run_write_train(const char *dir, const char *rel_dir, const cJSON *train, err_info *e) {
    char rel[RUN_PATH_MAX];
    const char *sep = rel_dir && *rel_dir ? "/" : "";
    if (!rel_dir) rel_dir = "";
    int rc = fs_path(rel, sizeof rel, e, "%s%s%s", rel_dir, sep, RUN_TRAIN);
    if (!rc) rc = run_write_json(dir, rel, train, e);
    char *csv = rc ? NULL : trainlog_csv(train, e);
    if (!rc && !csv) rc = e ? e->code : ERR_PARSE;
    if (!rc) rc = fs_path(rel, sizeof rel, e, "%s%s%s", rel_dir, sep, RUN_PROGRESS);
    if (!rc) rc = run_write_text(dir, rel, csv, e);
    free(csv);
    return rc;
}

char *run_read_text(const char *dir, const char *rel, size_t cap, err_info *e) {
    return fs_read_in(dir, rel, cap, NULL, e);
}

cJSON *run_read_json(const char *dir, const char *rel, err_info *e) {
    size_t len = 0;
    char *s = fs_read_in(dir, rel, run_cap(rel), &len, e);
    if (!s) return NULL;
    cJSON *j = cJSON_ParseWithLength(s, len);
    free(s);
    if (!j) err_set(e, ERR_PARSE, "%s/%s: not valid JSON (the file was edited or damaged)", dir, rel);
    return j;
}

int run_has(const char *dir, const char *rel) {
    return fs_kind_in(dir, rel) != FS_MISSING;
}

int run_event(const char *dir, const char *type, cJSON *fields, err_info *e) {
    cJSON *o = cJSON_CreateObject();
    if (!o) { cJSON_Delete(fields); return err_set(e, ERR_NOMEM, "events.jsonl: out of memory"); }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cJSON_AddNumberToObject(o, "time", (double)ts.tv_sec + ts.tv_nsec * 1e-9);
    cJSON_AddStringToObject(o, "event", type);
    if (fields) {
        cJSON *it = fields->child;
        while (it) {
            cJSON *next = it->next;
            cJSON_AddItemToObject(o, it->string, cJSON_DetachItemViaPointer(fields, it));
            it = next;
        }
        cJSON_Delete(fields);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return err_set(e, ERR_NOMEM, "events.jsonl: out of memory");
    int rc = fs_append_in(dir, RUN_EVENTS, s, e);
    free(s);
    return rc;
}

// ---- records -------------------------------------------------------------------------

// A status name as eureka writes them: lower-case letters and '_', non-empty.
static int status_name_ok(const char *s) {
    if (!s || !*s || strlen(s) >= sizeof ((run_status *)0)->status) return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || *s == '_')) return 0;
    return 1;
}

int run_read_status(const char *dir, int iter, int sample, run_status *st, err_info *e) {
    memset(st, 0, sizeof *st);
    char rel[64];
    if (run_sample_rel(rel, sizeof rel, iter, sample, RUN_STATUS, e)) return e ? e->code : ERR_INTERNAL;
    cJSON *j = run_read_json(dir, rel, e);
    if (!j) return e ? e->code : ERR_PARSE;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "fitness");
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "unstable_episodes");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(j, "seconds");
    const cJSON *rg = cJSON_GetObjectItemCaseSensitive(j, "rung");
    const cJSON *rob = cJSON_GetObjectItemCaseSensitive(j, "fitness_robust");
    int rc = ERR_OK;
    st->robust = NAN;
    if (!cJSON_IsObject(j) || !cJSON_IsString(s) || !status_name_ok(s->valuestring)) {
        rc = err_set(e, ERR_PARSE, "%s/%s: no valid \"status\" (the file was edited or damaged; "
                     "remove the sample's folder to run it again)", dir, rel);
    } else {
        snprintf(st->status, sizeof st->status, "%s", s->valuestring);
        st->ok = strcmp(st->status, "ok") == 0;
        san_str(st->message, sizeof st->message, cJSON_IsString(m) ? m->valuestring : "", 0);
        st->seconds = cJSON_IsNumber(sec) && isfinite(sec->valuedouble) && sec->valuedouble >= 0
                      ? sec->valuedouble : 0;
        if (st->ok) {
            if (!cJSON_IsNumber(f) || !isfinite(f->valuedouble))
                rc = err_set(e, ERR_PARSE, "%s/%s: \"ok\" without a finite \"fitness\" (the file was "
                             "edited or damaged; remove the sample's folder to run it again)", dir, rel);
            st->fitness = cJSON_IsNumber(f) ? f->valuedouble : 0;
            double un = cJSON_IsNumber(u) ? u->valuedouble : 0;
            st->unstable = un > 0 && un < 1e15 ? (long)un : 0;
            if (cJSON_IsNumber(rob) && isfinite(rob->valuedouble)) st->robust = rob->valuedouble;
        }
        st->rung = cJSON_IsNumber(rg) && rg->valuedouble >= 0 && rg->valuedouble <= 9 ? (int)rg->valuedouble : 0;
    }
    cJSON_Delete(j);
    return rc;
}

int run_parse_ref(const char *ref, int *iter, int *sample, err_info *e) {
    if (strcmp(ref, "best") == 0) { *iter = *sample = 0; return ERR_OK; }
    int a = 0, b = 0, used = 0;
    if ((sscanf(ref, "iter%d/sample%d%n", &a, &b, &used) == 2 && ref[used] == '\0') ||
        (sscanf(ref, "%d/%d%n", &a, &b, &used) == 2 && ref[used] == '\0')) {
        if (a >= 1 && a <= RUN_MAX_ITER && b >= 0 && b <= RUN_MAX_SAMPLE) {
            *iter = a;
            *sample = b;
            return ERR_OK;
        }
    }
    return err_set(e, ERR_USAGE, "'%s' is not a candidate (write iter02/sample03 or best)", ref);
}

typedef struct max_ctx { const char *prefix; int max, best; } max_ctx;

// Highest NN of the directories "<prefix>NN" (exactly two digits, as run.c writes them).
static int max_entry(void *ctx, const char *name, int kind) {
    max_ctx *m = ctx;
    size_t pl = strlen(m->prefix);
    if (kind != FS_DIR || strncmp(name, m->prefix, pl) != 0) return 0;
    const char *d = name + pl;
    if (!isdigit((unsigned char)d[0]) || !isdigit((unsigned char)d[1]) || d[2]) return 0;
    int v = (d[0] - '0') * 10 + (d[1] - '0');
    if (v <= m->max && v > m->best) m->best = v;
    return 0;
}

int run_count_iters(const char *dir) {
    max_ctx m = {"iter", RUN_MAX_ITER, -1};
    fs_list_in(dir, NULL, max_entry, &m, NULL);
    return m.best < 0 ? 0 : m.best;
}

int run_count_samples(const char *dir, int iter) {
    char rel[32];
    if (run_iter_rel(rel, sizeof rel, iter, NULL)) return 0;
    max_ctx m = {"sample", RUN_MAX_SAMPLE, -1};
    if (fs_kind_in(dir, rel) != FS_DIR) return 0;
    fs_list_in(dir, rel, max_entry, &m, NULL);
    return m.best + 1;
}

int run_iteration_best(const char *dir, int it) {
    int n = run_count_samples(dir, it), best = -1, br = 0;
    double bf = 0;
    for (int s = 0; s < n; s++) {
        run_status st;
        if (run_read_status(dir, it, s, &st, NULL) != ERR_OK || !st.ok) continue;
        double f = isnan(st.robust) ? st.fitness : st.robust;
        if (best < 0 || st.rung > br || (st.rung == br && f > bf)) {
            best = s;
            br = st.rung;
            bf = f;
        }
    }
    return best;
}

// The tokens of a list of saved replies, added to *pt and *ct (capped).
static void add_tokens(const cJSON *replies, long *pt, long *ct) {
    const cJSON *x;
    cJSON_ArrayForEach(x, replies) {
        const cJSON *p = cJSON_GetObjectItem(x, "prompt_tokens");
        const cJSON *c = cJSON_GetObjectItem(x, "completion_tokens");
        long pv = cJSON_IsNumber(p) ? llm_token_clamp(p->valuedouble) : 0;
        long cv = cJSON_IsNumber(c) ? llm_token_clamp(c->valuedouble) : 0;
        *pt = *pt > LLM_TOKENS_TOTAL_MAX - pv ? LLM_TOKENS_TOTAL_MAX : *pt + pv;
        *ct = *ct > LLM_TOKENS_TOTAL_MAX - cv ? LLM_TOKENS_TOTAL_MAX : *ct + cv;
    }
}

void run_count_tokens(const char *dir, int iters, long *pt, long *ct) {
    *pt = *ct = 0;
    for (int it = 0; it <= iters && it <= RUN_MAX_ITER; it++)
        for (int a = 0; a < 3; a++) {       // an attempt and up to 2 retries
            char rel[64];
            if (run_responses_rel(rel, sizeof rel, it, a, NULL) || !run_has(dir, rel)) continue;
            cJSON *r = run_read_json(dir, rel, NULL);
            add_tokens(cJSON_GetObjectItem(r, "replies"), pt, ct);
            // replies replaced as repeats (replies.h) were paid for too
            const cJSON *round;
            cJSON_ArrayForEach(round, cJSON_GetObjectItem(r, "replacements"))
                add_tokens(cJSON_GetObjectItem(round, "replaced"), pt, ct);
            cJSON_Delete(r);
        }
}
