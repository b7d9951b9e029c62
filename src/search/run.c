// run.c: the run directory store (see run.h).
//
// Kept free of search logic on purpose: `show`, `diff` and `compare` read a run with
// these same functions, so the layout has exactly one definition.
#include "search/run.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fs.h"
#include "util/trainlog.h"

int run_path(char *buf, size_t n, const char *dir, const char *rel, err_info *e) {
    return fs_path(buf, n, e, "%s/%s", dir, rel);
}

int run_create(const char *out, const char *task, char *buf, size_t n, err_info *e) {
    char tmp[RUN_PATH_MAX];
    if (out && *out) {
        if (fs_path(buf, n, e, "%s", out)) return ERR_LIMIT;
        if (run_path(tmp, sizeof tmp, buf, "run.json", e)) return ERR_LIMIT;
        if (fs_exists(tmp))
            return err_set(e, ERR_USAGE, "%s already holds a run (use --resume %s, or another --out)",
                           buf, buf);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        if (fs_path(buf, n, e, "runs/%s-%s", stamp, task)) return ERR_LIMIT;
        // Two searches started in the same second get distinct directories.
        for (int k = 2; fs_exists(buf) && k < 100; k++)
            if (fs_path(buf, n, e, "runs/%s-%s-%d", stamp, task, k)) return ERR_LIMIT;
    }
    return fs_mkdirs(buf, e);
}

int run_sample_rel(char *buf, size_t n, int iter, int sample, const char *file, err_info *e) {
    if (file) return fs_path(buf, n, e, "iter%02d/sample%02d/%s", iter, sample, file);
    return fs_path(buf, n, e, "iter%02d/sample%02d", iter, sample);
}

int run_eval_rel(char *buf, size_t n, int seed, const char *file, err_info *e) {
    if (file) return fs_path(buf, n, e, "eval/seed%02d/%s", seed, file);
    return fs_path(buf, n, e, "eval/seed%02d", seed);
}

int run_best_policy_rel(const char *dir, char *buf, size_t n, err_info *e) {
    double best = -1e300;
    int found = 0;
    for (int s = 1; s < 100; s++) {
        char rel[64];
        if (run_eval_rel(rel, sizeof rel, s, "train.json", e)) return ERR_LIMIT;
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
    cJSON *b = run_has(dir, "best.json") ? run_read_json(dir, "best.json", e) : NULL;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(b, "iteration");
    const cJSON *sa = cJSON_GetObjectItemCaseSensitive(b, "sample");
    int ok = cJSON_IsNumber(it) && cJSON_IsNumber(sa) && it->valueint >= 0 && it->valueint < 100 &&
             sa->valueint >= 0 && sa->valueint < 100;
    int rc = ok ? run_sample_rel(buf, n, it->valueint, sa->valueint, NULL, e)
                : err_set(e, ERR_NOTFOUND, "%s has no trained best candidate yet (see eureka show %s)",
                          dir, dir);
    cJSON_Delete(b);
    return rc;
}

// mkdir -p the parent of path.
static int make_parent(const char *path, err_info *e) {
    char d[RUN_PATH_MAX];
    if (fs_path(d, sizeof d, e, "%s", path)) return ERR_LIMIT;
    char *slash = strrchr(d, '/');
    if (!slash || slash == d) return ERR_OK;
    *slash = '\0';
    return fs_mkdirs(d, e);
}

int run_write_text(const char *dir, const char *rel, const char *text, err_info *e) {
    char p[RUN_PATH_MAX];
    int rc = run_path(p, sizeof p, dir, rel, e);
    if (!rc) rc = make_parent(p, e);
    if (!rc) rc = fs_write_atomic(p, text, strlen(text), e);
    return rc;
}

int run_write_json(const char *dir, const char *rel, const cJSON *obj, err_info *e) {
    char *s = cJSON_Print(obj);
    if (!s) return err_set(e, ERR_NOMEM, "%s/%s: out of memory", dir, rel);
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) { free(s); return err_set(e, ERR_NOMEM, "%s/%s: out of memory", dir, rel); }
    t[n] = '\n';
    t[n + 1] = '\0';
    int rc = run_write_text(dir, rel, t, e);
    free(t);
    return rc;
}

int run_write_train(const char *dir, const char *rel_dir, const cJSON *train, err_info *e) {
    char rel[RUN_PATH_MAX];
    const char *sep = rel_dir && *rel_dir ? "/" : "";
    if (!rel_dir) rel_dir = "";
    int rc = fs_path(rel, sizeof rel, e, "%s%strain.json", rel_dir, sep);
    if (!rc) rc = run_write_json(dir, rel, train, e);
    char *csv = rc ? NULL : trainlog_csv(train, e);
    if (!rc && !csv) rc = e ? e->code : ERR_PARSE;
    if (!rc) rc = fs_path(rel, sizeof rel, e, "%s%sprogress.csv", rel_dir, sep);
    if (!rc) rc = run_write_text(dir, rel, csv, e);
    free(csv);
    return rc;
}

char *run_read_text(const char *dir, const char *rel, size_t cap, err_info *e) {
    char p[RUN_PATH_MAX];
    if (run_path(p, sizeof p, dir, rel, e)) return NULL;
    return fs_read(p, cap, NULL, e);
}

cJSON *run_read_json(const char *dir, const char *rel, err_info *e) {
    char *s = run_read_text(dir, rel, RUN_JSON_MAX, e);
    if (!s) return NULL;
    cJSON *j = cJSON_Parse(s);
    free(s);
    if (!j) err_set(e, ERR_PARSE, "%s/%s: not valid JSON (the file was edited or damaged)", dir, rel);
    return j;
}

int run_has(const char *dir, const char *rel) {
    char p[RUN_PATH_MAX];
    if (run_path(p, sizeof p, dir, rel, NULL)) return 0;
    return fs_exists(p);
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
    char p[RUN_PATH_MAX];
    int rc = run_path(p, sizeof p, dir, "events.jsonl", e);
    if (!rc) rc = fs_append_line(p, s, e);
    free(s);
    return rc;
}

int run_parse_ref(const char *ref, int *iter, int *sample, err_info *e) {
    if (strcmp(ref, "best") == 0) { *iter = *sample = 0; return ERR_OK; }
    int a = 0, b = 0, used = 0;
    if ((sscanf(ref, "iter%d/sample%d%n", &a, &b, &used) == 2 && ref[used] == '\0') ||
        (sscanf(ref, "%d/%d%n", &a, &b, &used) == 2 && ref[used] == '\0')) {
        if (a >= 1 && a < 100 && b >= 0 && b < 100) { *iter = a; *sample = b; return ERR_OK; }
    }
    return err_set(e, ERR_USAGE, "'%s' is not a candidate (write iter02/sample03 or best)", ref);
}

// Highest numeric suffix of entries "<prefix>NN" in dir, or -1.
static int max_entry(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int best = -1;
    size_t pl = strlen(prefix);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, prefix, pl) != 0) continue;
        char *end;
        long v = strtol(de->d_name + pl, &end, 10);
        if (end != de->d_name + pl && *end == '\0' && v >= 0 && v < 1000 && v > best) best = (int)v;
    }
    closedir(d);
    return best;
}

int run_count_iters(const char *dir) {
    int m = max_entry(dir, "iter");
    return m < 0 ? 0 : m;
}

int run_count_samples(const char *dir, int iter) {
    char p[RUN_PATH_MAX];
    if (fs_path(p, sizeof p, NULL, "%s/iter%02d", dir, iter)) return 0;
    return max_entry(p, "sample") + 1;
}

int run_iteration_best(const char *dir, int it) {
    int n = run_count_samples(dir, it), best = -1;
    double bf = 0;
    for (int s = 0; s < n; s++) {
        char rel[128];
        run_sample_rel(rel, sizeof rel, it, s, "status.json", NULL);
        if (!run_has(dir, rel)) continue;
        cJSON *st = run_read_json(dir, rel, NULL);
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(st, "status"));
        cJSON *f = cJSON_GetObjectItem(st, "fitness");
        if (status && strcmp(status, "ok") == 0 && cJSON_IsNumber(f) && (best < 0 || f->valuedouble > bf)) {
            best = s;
            bf = f->valuedouble;
        }
        cJSON_Delete(st);
    }
    return best;
}

void run_count_tokens(const char *dir, int iters, long *pt, long *ct) {
    *pt = *ct = 0;
    for (int it = 0; it <= iters; it++)
        for (int a = 0; a < 8; a++) {
            char rel[64];
            snprintf(rel, sizeof rel, "iter%02d/responses-a%d.json", it, a);
            if (!run_has(dir, rel)) continue;
            cJSON *r = run_read_json(dir, rel, NULL);
            cJSON *x;
            cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "replies")) {
                const cJSON *p = cJSON_GetObjectItem(x, "prompt_tokens"), *c = cJSON_GetObjectItem(x, "completion_tokens");
                // Counts from a file: only sane ones are added (no overflowing casts).
                if (cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble < 1e12) *pt += (long)p->valuedouble;
                if (cJSON_IsNumber(c) && c->valuedouble >= 0 && c->valuedouble < 1e12) *ct += (long)c->valuedouble;
            }
            cJSON_Delete(r);
        }
}
