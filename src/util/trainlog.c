// trainlog.c: train.json -> progress.csv (see trainlog.h).
#include "util/trainlog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

// The array o[key] (NULL when missing or not an array).
static const cJSON *series_of(const cJSON *o, const char *key) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsArray(a) ? a : NULL;
}

// Item i of an array as a number; 0 when it is not one (*ok = 0).
static double item(const cJSON *a, int i, int *ok) {
    const cJSON *x = a ? cJSON_GetArrayItem(a, i) : NULL;
    *ok = cJSON_IsNumber(x) && isfinite(x->valuedouble);
    return *ok ? x->valuedouble : 0.0;
}

// ",value" or "," for a cell that has no number. The value reads back exactly: the
// shortest of 15, 16 or 17 significant digits that does.
static void cell(buf *b, const cJSON *a, int i) {
    int ok;
    double v = item(a, i, &ok);
    if (!ok) { buf_add(b, ",", 1); return; }
    char s[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(s, sizeof s, "%.*g", digits, v);
        if (strtod(s, NULL) == v) break;
    }
    buf_printf(b, ",%s", s);
}

// A column name from a component name: C identifier characters kept, others '_'.
static void column_name(buf *b, const char *name) {
    buf_add(b, ",reward/", 8);
    for (int k = 0; name[k] && k < 64; k++) {
        char c = name[k];
        int id = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        buf_add(b, id ? &c : "_", 1);
    }
}

// Row (0-based update) a checkpoint measured after `steps` belongs to, or -1.
static int checkpoint_row(double steps, double total, int updates) {
    if (!(steps > 0) || !(total > 0)) return -1;
    double r = ceil(steps * updates / total - 1e-9) - 1;
    return r < 0 ? 0 : r >= updates ? updates - 1 : (int)r;
}

char *trainlog_csv(const cJSON *train, err_info *e) {
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(train, "updates");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(train, "steps");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(train, "seconds");
    const cJSON *rt = series_of(train, "reward_total");
    if (!cJSON_IsNumber(up) || !cJSON_IsNumber(st) || !rt || !(st->valuedouble >= 0)) {
        err_set(e, ERR_PARSE, "not a train.json object (needs updates, steps, reward_total)");
        return NULL;
    }
    double u = up->valuedouble, total = st->valuedouble;
    if (!(u >= 0 && u <= TRAINLOG_MAX_ROWS)) {
        err_set(e, ERR_LIMIT, "train.json: %g updates (at most %d)", u, TRAINLOG_MAX_ROWS);
        return NULL;
    }
    int n = (int)u;
    double seconds = cJSON_IsNumber(sec) && sec->valuedouble >= 0 ? sec->valuedouble : 0;
    const cJSON *comps = cJSON_GetObjectItemCaseSensitive(train, "components");
    const cJSON *comp[TRAINLOG_MAX_COMPONENTS];
    int nc = 0;
    const cJSON *c;
    const cJSON *cobj = cJSON_IsObject(comps) ? comps : NULL;
    cJSON_ArrayForEach(c, cobj) {
        if (!cJSON_IsArray(c)) continue;
        if (nc == TRAINLOG_MAX_COMPONENTS) {
            err_set(e, ERR_LIMIT, "train.json: more than %d reward components", TRAINLOG_MAX_COMPONENTS);
            return NULL;
        }
        comp[nc++] = c;
    }
    // Checkpoints land on the row of the update they were measured after.
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(train, "checkpoints");
    const cJSON *ck_steps = series_of(ck, "steps");
    int *ck_at = n ? malloc((size_t)n * sizeof *ck_at) : NULL;
    if (n && !ck_at) { err_set(e, ERR_NOMEM, "progress.csv: out of memory"); return NULL; }
    for (int i = 0; i < n; i++) ck_at[i] = -1;
    for (int j = 0; ck_steps && j < cJSON_GetArraySize(ck_steps); j++) {
        int ok;
        int r = checkpoint_row(item(ck_steps, j, &ok), total, n);
        if (ok && r >= 0) ck_at[r] = j;
    }
    buf b;
    buf_init(&b, TRAINLOG_MAX_BYTES);
    buf_printf(&b, "time/iterations,time/total_timesteps,time/time_elapsed,rollout/reward_mean,"
                   "rollout/ep_len_mean");
    for (int k = 0; k < nc; k++) column_name(&b, comp[k]->string ? comp[k]->string : "");
    buf_printf(&b, ",train/std,train/approx_kl,train/clip_fraction,eval/fitness,eval/fitness_sd,"
                   "eval/ep_len_mean\n");
    const cJSON *len = series_of(train, "episode_length"), *sd = series_of(train, "policy_std");
    const cJSON *kl = series_of(train, "approx_kl"), *cf = series_of(train, "clip_frac");
    const cJSON *fit = series_of(ck, "fitness"), *fsd = series_of(ck, "fitness_sd");
    const cJSON *flen = series_of(ck, "episode_length");
    for (int i = 0; i < n && !b.failed; i++) {
        buf_printf(&b, "%d,%.0f,%.3f", i + 1, n ? round(total * (i + 1) / n) : 0.0,
                   n ? seconds * (i + 1) / n : 0.0);
        cell(&b, rt, i);
        cell(&b, len, i);
        for (int k = 0; k < nc; k++) cell(&b, comp[k], i);
        cell(&b, sd, i);
        cell(&b, kl, i);
        cell(&b, cf, i);
        int j = ck_at[i];
        cell(&b, j >= 0 ? fit : NULL, j);
        cell(&b, j >= 0 ? fsd : NULL, j);
        cell(&b, j >= 0 ? flen : NULL, j);
        buf_add(&b, "\n", 1);
    }
    free(ck_at);
    if (b.failed) {
        err_set(e, b.failed, "progress.csv: %s", b.failed == ERR_LIMIT ? "over its size cap" : "out of memory");
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}
