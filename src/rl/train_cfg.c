// train_cfg.c: train_cfg by name (see train_cfg.h).
#include "rl/train_cfg.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum field_kind { F_INT, F_LONG, F_U64, F_DOUBLE } field_kind;

typedef struct field {
    const char *name;
    field_kind kind;
    size_t offset;
} field;

#define FIELD(name, kind) {#name, kind, offsetof(train_cfg, name)}

static const field fields[] = {
    FIELD(steps, F_LONG), FIELD(max_seconds, F_DOUBLE), FIELD(threads, F_INT), FIELD(seed, F_U64),
    FIELD(n_envs, F_INT), FIELD(horizon, F_INT), FIELD(epochs, F_INT), FIELD(minibatches, F_INT),
    FIELD(hidden, F_INT), FIELD(checkpoints, F_INT), FIELD(lr, F_DOUBLE), FIELD(gamma, F_DOUBLE),
    FIELD(lambda, F_DOUBLE), FIELD(clip, F_DOUBLE), FIELD(ent_coef, F_DOUBLE), FIELD(vf_coef, F_DOUBLE),
    FIELD(max_grad_norm, F_DOUBLE), FIELD(init_log_std, F_DOUBLE), FIELD(ck_interval, F_LONG),
    FIELD(eval_cases, F_INT), FIELD(exploration, F_INT), FIELD(noise_period, F_INT),
    FIELD(curriculum, F_INT), FIELD(curriculum_threshold, F_DOUBLE),
    FIELD(dep_kappa, F_DOUBLE), FIELD(dep_bias_rate, F_DOUBLE), FIELD(dep_prob, F_DOUBLE),
    FIELD(dep_tau, F_INT), FIELD(dep_delay, F_INT), FIELD(dep_smooth, F_INT), FIELD(dep_length, F_INT),
};

// A field added to train_cfg must be added to the table above: this fails to compile
// until it is (then update the size here).
_Static_assert(sizeof(train_cfg) == 192,
               "train_cfg changed: add the new field to fields[] in src/rl/train_cfg.c");

#define N_FIELDS (sizeof fields / sizeof fields[0])

static const field *find(const char *name, size_t len) {
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strlen(fields[i].name) == len && strncmp(fields[i].name, name, len) == 0) return &fields[i];
    return NULL;
}

static double get(const train_cfg *c, const field *f) {
    const char *p = (const char *)c + f->offset;
    switch (f->kind) {
    case F_INT: return *(const int *)p;
    case F_LONG: return (double)*(const long *)p;
    case F_U64: return (double)*(const uint64_t *)p;
    default: return *(const double *)p;
    }
}

// Store x into field f; ERR_PARSE when x does not fit the field's type.
static int set_field(train_cfg *c, const field *f, double x, err_info *e) {
    char *p = (char *)c + f->offset;
    if (!isfinite(x)) return err_set(e, ERR_PARSE, "%s must be a finite number", f->name);
    if (f->kind != F_DOUBLE && (x != floor(x) || x < 0 || x > 9007199254740992.0))
        return err_set(e, ERR_PARSE, "%s must be a whole number >= 0 (got %g)", f->name, x);
    switch (f->kind) {
    case F_INT:
        if (x > 2147483647.0) return err_set(e, ERR_PARSE, "%s is too large (%g)", f->name, x);
        *(int *)p = (int)x;
        break;
    case F_LONG: *(long *)p = (long)x; break;
    case F_U64: *(uint64_t *)p = (uint64_t)x; break;
    default: *(double *)p = x; break;
    }
    return ERR_OK;
}

cJSON *train_cfg_json(const train_cfg *c) {
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < N_FIELDS; i++) cJSON_AddNumberToObject(o, fields[i].name, get(c, &fields[i]));
    return o;
}

int train_cfg_from_json(train_cfg *c, const cJSON *o, err_info *e) {
    if (!cJSON_IsObject(o)) return err_set(e, ERR_PARSE, "training settings: not a JSON object");
    const cJSON *x;
    cJSON_ArrayForEach(x, o) {
        const field *f = x->string ? find(x->string, strlen(x->string)) : NULL;
        if (!f) return err_set(e, ERR_PARSE, "training settings: unknown setting '%.64s'", x->string ? x->string : "");
        if (!cJSON_IsNumber(x)) return err_set(e, ERR_PARSE, "training settings: %s is not a number", f->name);
        if (set_field(c, f, x->valuedouble, e)) return e ? e->code : ERR_PARSE;
    }
    return ERR_OK;
}

// The machine's settings: how fast a training runs, not what it learns.
static const char *const machine[] = {"threads", "max_seconds"};

static int is_machine(const char *name) {
    for (size_t i = 0; i < sizeof machine / sizeof machine[0]; i++)
        if (strcmp(name, machine[i]) == 0) return 1;
    return 0;
}

cJSON *train_cfg_record(const train_cfg *c) {
    cJSON *o = train_cfg_json(c);
    for (size_t i = 0; o && i < sizeof machine / sizeof machine[0]; i++) cJSON_DeleteItemFromObject(o, machine[i]);
    return o;
}

// Both values as text: 15 digits, or 17 when 15 would print two different numbers alike.
static void delta_fill(train_cfg_delta *d, const char *name, const double *was, const double *now) {
    int digits = 15;
    char a[40], b[40];
    if (was && now) {
        snprintf(a, sizeof a, "%.15g", *was);
        snprintf(b, sizeof b, "%.15g", *now);
        if (strcmp(a, b) == 0) digits = 17;
    }
    snprintf(d->name, sizeof d->name, "%s", name);
    d->was[0] = d->now[0] = '\0';
    if (was) snprintf(d->was, sizeof d->was, "%.*g", digits, *was);
    if (now) snprintf(d->now, sizeof d->now, "%.*g", digits, *now);
}

int train_cfg_diff(const cJSON *rec, const train_cfg *c, train_cfg_delta *d) {
    if (!cJSON_IsObject(rec)) {
        delta_fill(d, "config", NULL, NULL);
        return 1;
    }
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (is_machine(fields[i].name)) continue;
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(rec, fields[i].name);
        double now = get(c, &fields[i]), was = cJSON_GetNumberValue(x);
        if (!cJSON_IsNumber(x)) {
            delta_fill(d, fields[i].name, NULL, &now);
            return 1;
        }
        if (was != now && !(fabs(was - now) <= 1e-12 * fmax(fabs(was), fabs(now)))) {
            delta_fill(d, fields[i].name, &was, &now);
            return 1;
        }
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, rec) {        // a setting this build does not have
        if (!x->string || is_machine(x->string) || find(x->string, strlen(x->string))) continue;
        double was = cJSON_GetNumberValue(x);
        char name[48];
        snprintf(name, sizeof name, "%.47s", x->string);
        delta_fill(d, name, cJSON_IsNumber(x) ? &was : NULL, NULL);
        return 1;
    }
    return 0;
}

static void known_names(char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_FIELDS && used + 1 < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", fields[i].name);
}

int train_cfg_set(train_cfg *c, const char *assignments, err_info *e) {
    const char *p = assignments ? assignments : "";
    char names[512];
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) {
            known_names(names, sizeof names);
            return err_set(e, ERR_USAGE, "--set '%.*s': write name=value (names: %s)", (int)len, p, names);
        }
        const field *f = find(p, (size_t)(eq - p));
        if (!f) {
            known_names(names, sizeof names);
            return err_set(e, ERR_USAGE, "--set: unknown setting '%.*s' (names: %s)", (int)(eq - p), p, names);
        }
        char num[64];
        size_t vl = len - (size_t)(eq + 1 - p);
        if (vl == 0 || vl >= sizeof num)
            return err_set(e, ERR_USAGE, "--set %s: give a number", f->name);
        memcpy(num, eq + 1, vl);
        num[vl] = '\0';
        char *stop;
        errno = 0;
        double x = strtod(num, &stop);
        if (*stop || errno) return err_set(e, ERR_USAGE, "--set %s=%s: not a number", f->name, num);
        err_info pe = {0};
        if (set_field(c, f, x, &pe)) return err_set(e, ERR_USAGE, "--set %s", pe.msg);
        p = end ? end + 1 : p + len;
    }
    return ERR_OK;
}
